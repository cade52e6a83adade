// What survives a crash, and what the index advisor says about queries that would scan.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localCredentials, protocolRequest } from '../../local/protocol-client';
import { startCli } from './cli-process';
import { startTestCloud } from './harness';

/** Through the signed protocol, with the key the CLI keeps in its data dir. */
const insert = (url: string, dataDir: string, doc: Record<string, unknown>) =>
  protocolRequest(url, localCredentials(dataDir), {
    action: 'database.insertDocument',
    collectionName: 'leads',
    data: [JSON.stringify(doc)],
  });

test('acknowledged writes survive kill -9', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-crash-'));
  try {
    const first = await startCli(dataDir);
    const acknowledged: string[] = [];
    for (let i = 0; i < 50; i++) {
      const answer = await insert(first.url, dataDir, { requestKey: `r-${i}`, n: i });
      acknowledged.push(answer.data.insertedIds[0]);
    }
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;

    const second = await startCli(dataDir);
    const counted = await protocolRequest(second.url, localCredentials(dataDir), {
      action: 'database.calculateDocument',
      collectionName: 'leads',
      query: '{}',
    });
    expect(counted.data.total).toBe(acknowledged.length);
    const stopped = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    expect(await stopped).toBe(0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the index advisor warns about unindexed queries on big collections only', async () => {
  const warnings: string[] = [];
  const cloud = await startTestCloud({ log: (line) => warnings.push(line) });
  try {
    const { store } = cloud.cloud;
    store.insert(
      store.main,
      'things',
      Array.from({ length: 10_001 }, (_v, i) => ({
        code: `k${i}`,
        status: i % 2 ? 'new' : 'won',
        score: i,
        note: `n${i}`,
      })),
    );
    store.find(store.main, 'things', { filter: { status: 'new' }, sort: [['score', -1]], limit: 5 });
    expect(warnings).toEqual([]);
    store.find(store.main, 'things', { filter: { note: 'n5' }, limit: 5 });
    expect(warnings).toEqual([expect.stringContaining('[index advisor] things')]);
    expect(warnings[0]).toContain('{"note":"<string>"}');
  } finally {
    await cloud.close();
  }
});
