// Issue 19: a red run ends. With no Chromium that starts, the browser tests' setup fails after it
// started a local cloud; jest must report the failure and exit non-zero at once instead of waiting
// on that cloud ("did not exit one second after the test run") for ever.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './harness';

const HANG_MS = 90_000;

test(
  'a browser test file whose setup fails ends the run, non-zero, with what to install',
  async () => {
    const browserProject = require(path.join(repoRoot, 'jest.config.js')).projects.find(
      (project: { displayName: string }) => project.displayName === 'browser',
    );
    const config = {
      ...browserProject,
      rootDir: repoRoot,
      testMatch: ['<rootDir>/test/fixtures/red-run/*.test.ts'],
      // A cache of its own outside TMPDIR (changed below), so later runs skip compiling.
      cacheDirectory: path.join(repoRoot, 'node_modules', '.cache', 'jest-red-run'),
    };
    // No Chromium starts: CHROMIUM_PATH is not a browser, and the packaged one cannot be unpacked
    // because a file stands where its folder goes.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-red-run-'));
    fs.writeFileSync(path.join(tmp, 'leadpool-chromium'), 'not a folder');
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config)],
      {
        cwd: repoRoot,
        env: { ...process.env, CHROMIUM_PATH: '/bin/false', TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const hung = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(hung);
    fs.rmSync(tmp, { recursive: true, force: true });

    expect({ code, output }).toMatchObject({ code: 1, output: expect.stringContaining('无法启动 Chromium') });
    expect(output).not.toContain('did not exit');
    expect(Date.now() - started).toBeLessThan(HANG_MS);
  },
  HANG_MS + 10_000,
);
