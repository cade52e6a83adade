// `npm start` on an empty data dir: the first admin account and the demo dataset, once.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCli } from './cli-process';

const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir: string, env: Record<string, string>) {
  const cli = await startCli(dataDir, { LEADPOOL_TOKEN_SECRET: '', ...env });
  children.push(cli.child);
  return cli;
}

async function stop(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function login(url: string, password: string) {
  const res = await fetch(`${url}/admin-api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  return (await res.json()) as any;
}

const freshDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-first-'));
  dirs.push(dir);
  return dir;
};

test('the first start creates admin with the given password and seeds the demo; a restart does neither again', async () => {
  const dataDir = freshDir();
  const first = await start(dataDir, { LEADPOOL_DEMO: '1', LEADPOOL_ADMIN_PASSWORD: 'first-start-pw' });
  expect(first.output()).toContain('已创建管理员账号 admin（密码取自 LEADPOOL_ADMIN_PASSWORD）');
  expect(first.output()).toMatch(/已写入演示数据：\d+ 位顾客、\d+ 条线索/);
  const session = await login(first.url, 'first-start-pw');
  expect(session).toMatchObject({ ok: true, data: { role: 'admin', username: 'admin' } });
  const auth = { authorization: `Bearer ${session.data.token}` };
  const count = async (url: string) =>
    ((await (await fetch(`${url}/admin-api/leads/count`, { headers: auth })).json()) as any).data.total;
  const leads = await count(first.url);
  expect(leads).toBeGreaterThan(1000);
  await stop(first.child);

  // Same data dir, another password in the environment: the account and the data stay as they were.
  const second = await start(dataDir, { LEADPOOL_DEMO: '1', LEADPOOL_ADMIN_PASSWORD: 'other-pw' });
  expect(second.output()).not.toContain('已创建管理员账号');
  expect(second.output()).not.toContain('已写入演示数据');
  expect((await login(second.url, 'other-pw')).ok).toBe(false);
  expect(await count(second.url)).toBe(leads);
  await stop(second.child);
}, 60_000);

test('a LEADPOOL_ADMIN_PASSWORD that breaks the password policy stops the first start with the rule', async () => {
  const dataDir = freshDir();
  for (const [password, rule] of [
    ['admin123', '密码至少 10 个字符'],
    ['password123', '这个密码太常见'],
  ]) {
    const started = start(dataDir, { LEADPOOL_ADMIN_PASSWORD: password });
    await expect(started).rejects.toThrow(/exited \(1\)/);
    await expect(started).rejects.toThrow(
      new RegExp(`LEADPOOL_ADMIN_PASSWORD 不能用作管理员 admin 的密码：${rule}`),
    );
  }
  // A good one afterwards starts normally on the same data dir.
  const cli = await start(dataDir, { LEADPOOL_ADMIN_PASSWORD: 'plum blossom 2026' });
  expect((await login(cli.url, 'plum blossom 2026')).ok).toBe(true);
  await stop(cli.child);
}, 60_000);

test('without LEADPOOL_ADMIN_PASSWORD a random password is printed once; LEADPOOL_DEMO=0 seeds nothing', async () => {
  const cli = await start(freshDir(), { LEADPOOL_ADMIN_PASSWORD: '' });
  const password = /初始密码 (\S+)（只显示这一次/.exec(cli.output())?.[1];
  expect(password).toBeDefined();
  expect(cli.output()).not.toContain('已写入演示数据');
  const session = await login(cli.url, password!);
  expect(session.ok).toBe(true);
  const res = await fetch(`${cli.url}/admin-api/leads?limit=5`, {
    headers: { authorization: `Bearer ${session.data.token}` },
  });
  expect(((await res.json()) as any).data.items).toEqual([]);
  await stop(cli.child);
}, 60_000);
