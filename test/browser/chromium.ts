import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Which Chromium to drive: whichever runs (a system one first), or always the one inside the npm package. */
export type ChromiumChoice = 'any' | 'packaged';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A system Chromium (`CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`) when one runs, else the
 * build shipped inside the `@sparticuz/chromium` package, so a machine with only Node runs the
 * browser tests. Fails with what to install only when neither starts.
 */
export async function launchChromium(choice: ChromiumChoice = 'any'): Promise<Browser> {
  const problems: string[] = [];
  if (choice === 'any') {
    const system = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    if (fs.existsSync(system)) {
      try {
        return await chromium.launch({ executablePath: system, args: CHROMIUM_ARGS });
      } catch (error) {
        problems.push(`${system}: ${firstLine(error)}`);
      }
    } else if (process.env.CHROMIUM_PATH) problems.push(`CHROMIUM_PATH=${system} 不存在`);
  }
  try {
    // The package's own flags (`chromium.args`) are for AWS Lambda: one process and software GL made
    // the admin page three times slower here; its headless shell runs as well with ours.
    return await chromium.launch({ executablePath: packagedChromium(), args: CHROMIUM_ARGS });
  } catch (error) {
    problems.push(`@sparticuz/chromium: ${firstLine(error)}`);
  }
  throw new Error(
    `无法启动 Chromium（${problems.join('；')}）。请运行 npm install（它带有 @sparticuz/chromium 的 Chromium，需要系统库 libnss3），` +
      '或安装系统 Chromium（Debian: apt-get install -y chromium）或设置 CHROMIUM_PATH',
  );
}

/** The version of the Chromium inside `@sparticuz/chromium` (its package version). */
export function packagedChromiumVersion(): string {
  // The package exports no package.json: read it beside its entry (build/cjs/index.cjs).
  const file = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '../../package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version as string;
}

/**
 * Unpacks the package's Chromium once per version into `<tmp>/leadpool-chromium/<version>`. The
 * package unpacks into `os.tmpdir()` and reuses any `chromium` found there whatever its version,
 * so it runs in a child with its own TMPDIR; the folder is renamed into place whole, so test files
 * starting at once never see half a browser.
 */
function packagedChromium(): string {
  const root = path.join(os.tmpdir(), 'leadpool-chromium');
  const target = path.join(root, packagedChromiumVersion());
  const executablePath = path.join(target, 'chromium');
  if (!fs.existsSync(executablePath)) {
    fs.mkdirSync(root, { recursive: true });
    const draft = path.join(root, `draft-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    fs.mkdirSync(draft);
    try {
      execFileSync(process.execPath, ['-e', "require('@sparticuz/chromium').executablePath()"], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, TMPDIR: draft },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      try {
        fs.renameSync(draft, target);
      } catch (error) {
        // Another test file unpacked the same version first: use its copy.
        if (!fs.existsSync(executablePath)) throw error;
      }
    } finally {
      fs.rmSync(draft, { recursive: true, force: true });
    }
  }
  return executablePath;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}
