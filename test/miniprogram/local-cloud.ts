// A real local cloud (its own process) for mini program tests that go end to end.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localCredentials, protocolRequest } from '../../local/protocol-client';
import { startCli } from '../local/cli-process';
import { platform } from './support';

let child: ChildProcess;
let dataDir: string;

/** A raw database request, signed with the data dir's local secret as the SDK signs it. */
export const admin = (body: Record<string, unknown>): Promise<any> =>
  protocolRequest(platform.cloudUrl, localCredentials(dataDir), body);

/** The SDK's wire form: dates as EJSON `$date` (bson's own build is ESM-only under jsdom). */
const wire = (value: unknown): unknown =>
  value instanceof Date
    ? { $date: value.toISOString() }
    : value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v)]))
      : value;
export const insert = async (collectionName: string, doc: Record<string, unknown>) =>
  (
    await admin({
      action: 'database.insertDocument',
      collectionName,
      data: [JSON.stringify(wire(doc))],
    })
  ).data.insertedIds[0] as string;
export const count = async (collectionName: string) =>
  (await admin({ action: 'database.calculateDocument', collectionName, query: '{}' })).data.total as number;

export function activity(title: string) {
  const day = 86_400_000;
  return {
    title,
    description: '现场体验新品',
    place: '静安门店',
    startAt: new Date(Date.now() + 3 * day),
    endAt: new Date(Date.now() + 3 * day + 7_200_000),
    deadline: new Date(Date.now() + 2 * day),
    capacity: 30,
    remaining: 30,
    fields: ['name', 'phone'],
    status: 'published',
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

/** The local cloud's `admin` account signs in with this (for a test reading what the admin page shows). */
export const ADMIN_PASSWORD = 'journey-Secret-pass-7Q';

/** Starts the cloud before the file's tests and stops it after; calls go to it as `platform.openid`. */
export function useLocalCloud(): void {
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-journey-'));
    const cloud = await startCli(dataDir, { LEADPOOL_ADMIN_PASSWORD: ADMIN_PASSWORD });
    child = cloud.child;
    platform.cloudUrl = cloud.url;
  }, 30_000);

  // Also after a failed start or a cloud that died mid-run: nothing to wait for then, so a red run ends.
  afterAll(async () => {
    platform.cloudUrl = '';
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });
}
