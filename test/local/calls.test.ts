// Each function call's admin-protocol requests, counted per call through the real wx-server-sdk:
// in the programmatic API, at GET /__local/calls and in the x-local-* answer headers.
import path from 'node:path';
import { buildSync } from 'esbuild';
import type { FunctionCall } from '../../local/functions/host';
import { repoRoot, startTestCloud, type TestCloud } from './harness';

let test_: TestCloud;
let base: string;

beforeAll(async () => {
  // The counter fixture lives beside this test; it is bundled here like any built function.
  const functionsDir = path.join(repoRoot, 'build', 'test-local-functions');
  buildSync({
    entryPoints: [path.join(__dirname, 'fixtures', 'counter', 'index.ts')],
    outfile: path.join(functionsDir, 'counter', 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    external: ['wx-server-sdk'],
    logLevel: 'warning',
  });
  test_ = await startTestCloud({ functionsDir });
  base = test_.cloud.url;
});

afterAll(() => test_?.close());

beforeEach(() => fetch(`${base}/__local/calls`, { method: 'DELETE' }));

async function call(event: Record<string, unknown>) {
  const res = await fetch(`${base}/api/functions/counter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': 'o-counter' },
    body: JSON.stringify(event),
  });
  return { res, body: (await res.json()) as any };
}

async function recentCalls(query = ''): Promise<FunctionCall[]> {
  return ((await (await fetch(`${base}/__local/calls${query}`)).json()) as any).data.calls;
}

test('an HTTP call answers its database and open-API request counts in headers and in /__local/calls', async () => {
  const { res, body } = await call({ action: 'mixed', reads: 2, writes: 3, checks: 1 });
  expect(body).toEqual({ ok: true, nested: null });
  expect(res.headers.get('x-local-db-requests')).toBe('5');
  expect(res.headers.get('x-local-openapi-requests')).toBe('1');
  expect(res.headers.get('x-local-other-requests')).toBe('0');
  const calls = await recentCalls();
  expect(calls).toEqual([
    {
      id: Number(res.headers.get('x-local-call-id')),
      function: 'counter',
      action: 'mixed',
      source: 'wx_client',
      parentId: null,
      dbRequests: 5,
      openApiRequests: 1,
      otherRequests: 0,
      ms: expect.any(Number),
      ok: true,
      startedAt: expect.any(String),
    },
  ]);
  expect(calls[0].ms).toBeGreaterThan(0);
});

test('counts stay exact for concurrent calls of one function that interleave their requests', async () => {
  const plans = Array.from({ length: 12 }, (_v, i) => ({
    action: `plan-${i}`,
    reads: i % 5,
    writes: (i * 7) % 3,
    checks: i % 2,
    delayMs: (i * 13) % 20,
  }));
  const answers = await Promise.all(plans.map((plan) => call(plan)));
  answers.forEach(({ res }, i) => {
    expect(res.headers.get('x-local-db-requests')).toBe(String(plans[i].reads + plans[i].writes));
    expect(res.headers.get('x-local-openapi-requests')).toBe(String(plans[i].checks));
  });
  const byAction = new Map((await recentCalls()).map((c) => [c.action, c]));
  expect(byAction.size).toBe(plans.length);
  for (const plan of plans)
    expect(byAction.get(plan.action)).toMatchObject({
      dbRequests: plan.reads + plan.writes,
      openApiRequests: plan.checks,
      otherRequests: 0,
    });
});

test('a nested cloud.callFunction is its own call; the caller counts the invoke as another request', async () => {
  const { res } = await call({ action: 'outer', reads: 1, nested: { action: 'inner', reads: 2, checks: 1 } });
  expect(res.headers.get('x-local-db-requests')).toBe('1');
  expect(res.headers.get('x-local-other-requests')).toBe('1');
  const outer = (await recentCalls('?action=outer'))[0];
  const inner = (await recentCalls('?action=inner'))[0];
  expect(outer).toMatchObject({ dbRequests: 1, openApiRequests: 0, otherRequests: 1, parentId: null });
  expect(inner).toMatchObject({
    dbRequests: 2,
    openApiRequests: 1,
    otherRequests: 0,
    parentId: outer.id,
    source: 'wx_server',
  });
});

test('the programmatic API runs a call and answers its record; requests from outside any call are not counted', async () => {
  const { result, call: record } = await test_.cloud.callFunction(
    'counter',
    { action: 'direct', writes: 4 },
    { OPENID: 'o-direct' },
  );
  expect(result).toEqual({ ok: true, nested: null });
  expect(record).toMatchObject({ function: 'counter', action: 'direct', dbRequests: 4, openApiRequests: 0 });
  expect(test_.cloud.functions.calls.at(-1)).toBe(record);
  // The test process's own SDK is no call: its requests change no record.
  Object.assign(process.env, test_.cloud.sdkEnv(), { SILENCE: 'true' });
  const cloud = require('wx-server-sdk');
  cloud.init({ env: test_.cloud.envId });
  await cloud.database().collection('owners').count();
  expect(await recentCalls()).toEqual([expect.objectContaining({ action: 'direct', dbRequests: 4 })]);
});

test('DELETE /__local/calls empties the log; ?function= filters it', async () => {
  await call({ action: 'one' });
  expect(await recentCalls('?function=counter')).toHaveLength(1);
  expect(await recentCalls('?function=probe')).toEqual([]);
  await fetch(`${base}/__local/calls`, { method: 'DELETE' });
  expect(await recentCalls()).toEqual([]);
});
