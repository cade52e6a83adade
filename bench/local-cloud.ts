// npm run bench:local-cloud — the local cloud through the real wx-server-sdk, beside raw
// better-sqlite3 doing the same work in the same run. BENCH_DOCS overrides the 1,000,000 documents.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startLocalCloud } from '../local';
import { keyExpression } from '../local/db/planner';
import { encodeStored } from '../local/db/values';
import { localCredentials, protocolRequest } from '../local/protocol-client';
import { loadSchema } from '../local/schema';
import { percentile, printTable } from './stats';

const DOCS = Number(process.env.BENCH_DOCS ?? 1_000_000);
const CHANNELS = ['store', 'staff', 'official_account', 'ad', 'poster'];
const BASE_TIME = Date.UTC(2026, 0, 1);
const PAGE = 50;
const DEPTH = 1000;

async function time(runs: number, work: (i: number) => unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

const lead = (i: number) => ({
  requestKey: `bench-${i}`,
  channel: CHANNELS[i % CHANNELS.length],
  createdAt: new Date(BASE_TIME + i * 1000),
  name: `客户${i}`,
  phoneMasked: `138****${String(i % 10000).padStart(4, '0')}`,
  score: i % 100,
  tags: ['来源:门店', '行业:零售'],
});

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-bench-'));
  // The project's own schema, so the start-up measured below finds every declared index built.
  const schemaFile = path.resolve(__dirname, '../../cloudfunctions/database.schema.json');
  const dataDir = path.join(dir, 'data');

  // Raw better-sqlite3: the same table shape and index, no protocol, no SDK.
  const raw = new Database(path.join(dir, 'raw.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.exec('CREATE TABLE docs (id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)');
  // The same indexes the schema declares for leads, so both sides maintain the same work per insert.
  const leadIndexes = loadSchema(schemaFile).collections.find((c) => c.name === 'leads')!.indexes;
  for (const index of leadIndexes) {
    const keys = Object.entries(index.keys).map(
      ([field, dir]) => `${keyExpression(field)} ${dir === -1 ? 'DESC' : 'ASC'}`,
    );
    raw.exec(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX raw_${index.name} ON docs (${keys.join(', ')})`);
  }

  const cloud = await startLocalCloud({ port: 0, dataDir, schemaFile, timers: false, log: () => {} });
  const loadStarted = performance.now();
  const rawInsert = raw.prepare('INSERT INTO docs (id, doc) VALUES (?, ?)');
  for (let start = 0; start < DOCS; start += 20_000) {
    const batch = Array.from({ length: Math.min(20_000, DOCS - start) }, (_v, k) => lead(start + k));
    cloud.store.main.transaction(() => cloud.store.insert(cloud.store.main, 'leads', batch))();
    raw.transaction(() => {
      for (const [k, doc] of batch.entries()) rawInsert.run(`r${start + k}`, encodeStored(doc));
    })();
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  Object.assign(process.env, cloud.sdkEnv(), { SILENCE: 'true' });
  const sdk = require('wx-server-sdk');
  sdk.init({ env: cloud.envId });
  const db = sdk.database();
  const _ = db.command;
  const leads = () => db.collection('leads');

  const rows: [string, string, string, string][] = [];
  const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

  // 1. single-document insert
  const sdkInsert = await time(500, (i) => leads().add({ data: lead(DOCS + i) }));
  const rawInserts = await time(500, (i) => rawInsert.run(`x${i}`, encodeStored(lead(DOCS + i))));
  rows.push([
    'insert one document, p50',
    fmt(percentile(sdkInsert, 50)),
    fmt(percentile(rawInserts, 50)),
    ratio(percentile(sdkInsert, 50), percentile(rawInserts, 50)),
  ]);
  rows.push([
    'insert one document, p99',
    fmt(percentile(sdkInsert, 99)),
    fmt(percentile(rawInserts, 99)),
    ratio(percentile(sdkInsert, 99), percentile(rawInserts, 99)),
  ]);

  // 2. a filtered, sorted page of 50 served by the compound index
  const rawPage = raw
    .prepare(
      `SELECT doc FROM docs WHERE ${keyExpression('channel')} = ? ORDER BY ${keyExpression('createdAt')} DESC LIMIT ? OFFSET ?`,
    )
    .pluck();
  const channelOf = (i: number) => CHANNELS[i % CHANNELS.length];
  const firstPage = await time(200, (i) =>
    leads()
      .where({ channel: channelOf(i) })
      .orderBy('createdAt', 'desc')
      .limit(PAGE)
      .get(),
  );
  const rawFirst = await time(200, (i) =>
    rawPage.all(channelOf(i), PAGE, 0).map((text) => JSON.parse(text as string)),
  );
  rows.push([
    'page of 50 (index), p95',
    fmt(percentile(firstPage, 95)),
    fmt(percentile(rawFirst, 95)),
    ratio(percentile(firstPage, 95), percentile(rawFirst, 95)),
  ]);

  // 3. the same page at depth 1,000: by cursor (range on the sort key) and by skip
  const perChannel = Math.floor(DOCS / CHANNELS.length);
  const depthIndex = Math.min(DEPTH * PAGE, perChannel - PAGE);
  const cursorDate = new Date(BASE_TIME + (DOCS - 1 - depthIndex * CHANNELS.length) * 1000);
  const cursorPage = await time(100, () =>
    leads()
      .where({ channel: 'store', createdAt: _.lt(cursorDate) })
      .orderBy('createdAt', 'desc')
      .limit(PAGE)
      .get(),
  );
  const skipPage = await time(20, () =>
    leads().where({ channel: 'store' }).orderBy('createdAt', 'desc').skip(depthIndex).limit(PAGE).get(),
  );
  const rawSkip = await time(20, () => rawPage.all('store', PAGE, depthIndex));
  rows.push([
    `page at depth ${DEPTH} by cursor, p95`,
    fmt(percentile(cursorPage, 95)),
    '',
    `${ratio(percentile(cursorPage, 95), percentile(firstPage, 95))} of first page`,
  ]);
  rows.push([
    `page at depth ${DEPTH} by skip, p95`,
    fmt(percentile(skipPage, 95)),
    fmt(percentile(rawSkip, 95)),
    `${ratio(percentile(skipPage, 95), percentile(firstPage, 95))} of first page`,
  ]);
  await cloud.close();

  // 4. start-up time and resident memory with the documents on disk
  const cli = path.resolve(__dirname, '../scripts/start.js');
  const started = performance.now();
  const child = spawn(process.execPath, [cli], {
    env: { ...process.env, PORT: '0', LEADPOOL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+)\/admin\//.exec(out);
      if (match && out.includes('Ctrl-C')) resolve(match[1]);
    });
  });
  const startupMs = performance.now() - started;
  await protocolRequest(url, localCredentials(dataDir), {
    action: 'database.getDocument',
    collectionName: 'leads',
    query: '{"channel":"store"}',
    order: '{"createdAt":-1}',
    limit: 50,
  });
  const rssMb =
    Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
  child.kill('SIGTERM');
  rows.push([`start-up with ${DOCS.toLocaleString('en')} documents`, `${startupMs.toFixed(0)} ms`, '', '']);
  rows.push(['resident memory after start-up and a query', `${rssMb.toFixed(0)} MB`, '', '']);
  raw.close();

  console.log(
    `\nbench:local-cloud — ${DOCS.toLocaleString('en')} documents (loaded in ${loadSeconds.toFixed(1)} s), node ${process.version}, ${os.cpus().length} cores\n`,
  );
  printTable(['measure', 'local cloud via wx-server-sdk', 'raw better-sqlite3', 'ratio'], rows);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
