// `npm run local-cloud` hosting a project that is not LeadPool: test/fixtures/foreign-v2, written
// against wx-server-sdk 2.x with its own node_modules and no schema, runs unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CliProcess, startLocalCloudCli } from './cli-process';
import { repoRoot } from './harness';

let project: string;
let cli: CliProcess;

beforeAll(async () => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'foreign-v2-'));
  fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'foreign-v2'), project, { recursive: true });
  // What `npm install` in the function folder would give it: wx-server-sdk 2.7.2 of its own.
  const modules = path.join(project, 'cloudfunctions', 'shop', 'node_modules');
  fs.mkdirSync(modules);
  fs.symlinkSync(path.join(repoRoot, 'node_modules', 'wx-server-sdk-2'), path.join(modules, 'wx-server-sdk'));
  cli = await startLocalCloudCli(
    ['--functions', 'cloudfunctions', '--port', '0', '--http', '/shop=shop', '--no-timers'],
    project,
  );
}, 30_000);

afterAll(() => {
  cli?.child.kill('SIGTERM');
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

async function call(event: Record<string, unknown>, openid = 'o-buyer') {
  const res = await fetch(`${cli.url}/api/functions/shop`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
    body: JSON.stringify(event),
  });
  return (await res.json()) as any;
}

test('the function runs its own wx-server-sdk 2.x; collections exist only once it creates them', async () => {
  expect(cli.output()).toContain('shop');
  expect(await call({ action: 'sdkVersion' })).toEqual({ ok: true, data: '2.7.2' });
  expect(await call({ action: 'products' })).toMatchObject({ ok: false, errCode: -502005 });
  expect(await call({ action: 'setup' })).toEqual({ ok: true, data: 'ok' });
  // The data dir defaults to .local-cloud beside the function folder.
  expect(fs.existsSync(path.join(project, '.local-cloud', 'local-secret.json'))).toBe(true);
});

test('query, transaction, aggregate with lookup and count, upload and getTempFileURL work unchanged', async () => {
  const products = await call({ action: 'products', minPrice: 10 });
  expect(products.data.map((p: any) => p.name)).toEqual(['芝士蛋糕', '乌龙茶']);

  // The price comes from lib/price.js, found through NODE_PATH.
  const order = await call({ action: 'order', productId: 'tea', quantity: 2 });
  expect(order).toMatchObject({ ok: true, data: { amount: 25 } });
  await call({ action: 'order', productId: 'cake', quantity: 1 }, 'o-other');
  const soldOut = await call({ action: 'order', productId: 'tea', quantity: 2 });
  expect(soldOut.ok).toBe(false);
  const stock = (await call({ action: 'products' })).data.find((p: any) => p._id === 'tea').stock;
  expect(stock).toBe(1);

  const report = await call({ action: 'report' });
  expect(report).toEqual({
    ok: true,
    data: {
      byProduct: [
        { _id: '芝士蛋糕', quantity: 1, amount: 28 },
        { _id: '乌龙茶', quantity: 2, amount: 25 },
      ],
      orders: 2,
      total: 2,
    },
  });

  const receipt = await call({ action: 'receipt', orderId: order.data._id });
  expect(receipt.data.fileID).toMatch(/^cloud:\/\/local-env\..+\/receipts\//);
  const file = await fetch(receipt.data.url);
  expect(await file.text()).toBe(`订单 ${order.data._id}`);
});

test('getOpenData resolves test: cloudIDs; the HTTP access route reaches the function', async () => {
  expect(await call({ action: 'phone', cloudID: 'test:13900001111' })).toEqual({
    ok: true,
    data: '13900001111',
  });
  expect(await call({ action: 'phone', cloudID: 'expired' })).toMatchObject({ ok: false, errCode: -601001 });
  const res = await fetch(`${cli.url}/shop`, {
    method: 'POST',
    body: JSON.stringify({ action: 'sdkVersion' }),
  });
  expect(await res.json()).toEqual({ ok: true, data: '2.7.2' });
});

test('local/ imports nothing from this project (it could be published on its own)', () => {
  const files = fs
    .readdirSync(path.join(repoRoot, 'local'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const source = fs.readFileSync(path.join(repoRoot, 'local', file), 'utf8');
    for (const [, target] of source.matchAll(/from '(\.[^']*)'/g)) {
      const resolved = path.resolve(path.dirname(path.join(repoRoot, 'local', file)), target);
      expect(`${file} → ${path.relative(repoRoot, resolved)}`).toMatch(/→ local(\/|$)/);
    }
  }
});
