import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../../local';

export const repoRoot = path.resolve(__dirname, '../..');

export interface TestCloud {
  cloud: LocalCloud;
  dataDir: string;
  close(): Promise<void>;
}

/** A local cloud on a free port with a throwaway data dir, the test schema and the fixture functions. */
export async function startTestCloud(options: Partial<LocalCloudOptions> = {}): Promise<TestCloud> {
  const functionsDir = path.join(repoRoot, 'build', 'test-functions');
  if (!fs.existsSync(path.join(functionsDir, 'probe', 'index.js')))
    throw new Error('fixture functions are not built: run `npm run build` first');
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-test-'));
  const cloud = await startLocalCloud({
    port: 0,
    dataDir,
    functionsDir,
    schemaFile: path.join(repoRoot, 'test', 'fixtures', 'schema.json'),
    httpRoutes: { '/web-api': 'web' },
    timers: false,
    log: () => {},
    ...options,
  });
  return {
    cloud,
    dataDir,
    async close() {
      await cloud.close();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Points the real SDKs of this test process at the local cloud (as the function host does for functions). */
export function useSdkEnv(cloud: LocalCloud): void {
  Object.assign(process.env, cloud.sdkEnv(), { SILENCE: 'true' });
}

/** `npm start`'s local cloud as its own process (so a test can kill it), without demo data. */
export function startCli(dataDir: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'build', 'local', 'cli.js')], {
    env: { ...process.env, PORT: String(port), LEADPOOL_DATA_DIR: dataDir, LEADPOOL_DEMO: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('按 Ctrl-C 停止')) resolve({ child, url: `http://127.0.0.1:${port}` });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`local cloud exited (${code}): ${output}`)));
  });
}
