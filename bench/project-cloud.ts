import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalCloud, startLocalCloud } from '../local';

const root = path.resolve(__dirname, '../..');

/**
 * The project's functions on a throwaway local cloud, with the real SDK of this process pointed
 * at it (for seeding). `close()` also removes the data.
 */
export async function startProjectCloud(
  name: string,
): Promise<{ cloud: LocalCloud; db: any; close(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `leadpool-bench-${name}-`));
  const cloud = await startLocalCloud({
    port: 0,
    dataDir,
    functionsDir: path.join(root, 'cloudfunctions'),
    schemaFile: path.join(root, 'cloudfunctions', 'database.schema.json'),
    timers: false,
    log: () => {},
  });
  Object.assign(process.env, cloud.sdkEnv(), { SILENCE: 'true' });
  const sdk = require('wx-server-sdk');
  sdk.init({ env: sdk.DYNAMIC_CURRENT_ENV });
  return {
    cloud,
    db: sdk.database(),
    async close() {
      await cloud.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
