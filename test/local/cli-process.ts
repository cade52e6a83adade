import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/** Every CLI this test file started: killed after its tests, whatever failed, so jest can exit. */
const started = new Set<ChildProcess>();
afterAll(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export interface CliProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/**
 * `npm start`'s local cloud as its own process (so a test can kill it), without demo data unless
 * `env` asks for it. Listens on a free port; the URL is read from what the CLI prints.
 */
export function startCli(dataDir: string, env: Record<string, string> = {}): Promise<CliProcess> {
  return startProcess(path.join(repoRoot, 'build', 'scripts', 'start.js'), [], {
    PORT: '0',
    LEADPOOL_DATA_DIR: dataDir,
    LEADPOOL_DEMO: '0',
    ...env,
  });
}

/** `npm run local-cloud -- <args>` (the built command, without npm and the build step before it). */
export function startLocalCloudCli(args: string[], cwd = process.cwd()): Promise<CliProcess> {
  // Relative paths are read from INIT_CWD, where `npm run` was typed.
  return startProcess(path.join(repoRoot, 'build', 'local', 'cli.js'), args, { INIT_CWD: cwd }, cwd);
}

function startProcess(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<CliProcess> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+)\/__local\/health/.exec(output)?.[1];
      if (url && output.includes('按 Ctrl-C 停止')) resolve({ child, url, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`local cloud exited (${code}): ${output}`)));
  });
}
