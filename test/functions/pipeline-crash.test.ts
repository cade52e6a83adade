// A crash between capturing a lead and delivering it: the lead and its outbox message were
// committed together, so after a restart the dispatch timer delivers it.

import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { localCredentials, protocolRequest } from '../../local/protocol-client';
import { startCli } from '../local/cli-process';

async function post(url: string, body: unknown, openid?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(openid ? { 'x-wx-openid': openid } : {}) },
    body: JSON.stringify(body),
  });
  return (await res.json()) as any;
}

test('a lead acknowledged by the database survives kill -9 before delivery and is delivered after restart', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-crash-pipeline-'));
  let hang = true;
  let reachedRobot: () => void = () => {};
  const robotReached = new Promise<void>((resolve) => {
    reachedRobot = resolve;
  });
  const delivered: string[] = [];
  // The robot hangs on the first message: the function is mid-delivery when the cloud dies.
  const robot = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (hang) {
        reachedRobot();
        return;
      }
      delivered.push(JSON.parse(body).markdown.content);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve));
  const robotUrl = `http://127.0.0.1:${(robot.address() as AddressInfo).port}/send`;
  const children: ChildProcess[] = [];
  try {
    const first = await startCli(dataDir);
    children.push(first.child);
    const settings = { _id: 'settings', kind: 'settings', robots: [{ id: 'hq', url: robotUrl, store: '' }] };
    await protocolRequest(first.url, localCredentials(dataDir), {
      action: 'database.insertDocument',
      collectionName: 'rules',
      data: [JSON.stringify(settings)],
    });
    const submission = post(
      `${first.url}/api/functions/customer`,
      {
        action: 'submitLead',
        requestId: 'crash-request-1',
        fields: { name: '断电顾客', phone: '13800138000' },
        consent: { version: '2026-11-01', accepted: true },
      },
      'crash-customer',
    ).catch((error: Error) => error);
    // If the function answered instead of reaching the robot, that answer says why.
    const early = await Promise.race([robotReached.then(() => null), submission]);
    expect(early).toBeNull();
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    // The customer never got an answer: from their side the request failed.
    expect(String(await submission)).toMatch(/fetch failed/);

    hang = false;
    const second = await startCli(dataDir);
    children.push(second.child);
    const tick = await post(`${second.url}/api/functions/dispatch`, {
      action: 'tick',
      now: new Date(Date.now() + 2 * 60_000).toISOString(),
    });
    expect(tick).toMatchObject({ ok: true, data: { delivered: 1 } });
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toContain('断电顾客');
    const stopped = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    await stopped;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    robot.closeAllConnections();
    robot.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
