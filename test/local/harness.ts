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
