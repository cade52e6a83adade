import fs from 'node:fs';
import path from 'node:path';
import type { LocalCloudOptions } from '../../local';
import { repoRoot, startTestCloud, type TestCloud, useSdkEnv } from '../local/harness';

/** The project's own functions and schema on a throwaway local cloud, plus a database handle for seeding. */
export interface ProjectCloud extends TestCloud {
  db: any;
  /** Calls a function as the mini program would, as `openid` (none: an unidentified caller). */
  call<T = any>(name: string, event: Record<string, unknown>, openid?: string | null): Promise<T>;
  /** Open-API calls the local fakes recorded, optionally for one API. */
  openapiCalls(api?: string): Promise<{ api: string; params: any }[]>;
}

export async function startProjectCloud(options: Partial<LocalCloudOptions> = {}): Promise<ProjectCloud> {
  // Tests change rules and settings between cases: functions must not keep them.
  process.env.LEADPOOL_CONFIG_CACHE_MS = '0';
  const test = await startTestCloud({
    envId: 'leadpool-local',
    functionsDir: path.join(repoRoot, 'cloudfunctions'),
    schemaFile: path.join(repoRoot, 'cloudfunctions', 'database.schema.json'),
    httpRoutes: { '/admin-api': 'admin', '/wecom/callback': 'wecom' },
    ...options,
  });
  let db: any;
  try {
    useSdkEnv(test.cloud);
    const cloud = require('wx-server-sdk');
    cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
    db = cloud.database();
  } catch (error) {
    // The test file gets no handle to close: close here, or jest waits on the server forever.
    await test.close();
    throw error;
  }
  return {
    ...test,
    db,
    async call<T>(name: string, event: Record<string, unknown>, openid: string | null = 'openid-default') {
      const res = await fetch(`${test.cloud.url}/api/functions/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(openid ? { 'x-wx-openid': openid } : {}) },
        body: JSON.stringify(event),
      });
      return (await res.json()) as T;
    },
    async openapiCalls(api) {
      const query = api ? `?api=${encodeURIComponent(api)}` : '';
      const answer = (await (await fetch(`${test.cloud.url}/__local/openapi${query}`)).json()) as any;
      return answer.data.calls;
    },
  };
}

/** Empties every declared collection between tests. */
export async function clearAll(db: any): Promise<void> {
  const _ = db.command;
  const schemaFile = path.join(repoRoot, 'cloudfunctions', 'database.schema.json');
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as { collections: { name: string }[] };
  for (const { name } of schema.collections)
    await db
      .collection(name)
      .where({ _id: _.exists(true) })
      .remove();
}

export const DAY_MS = 86_400_000;

/** A published activity document as the admin function stores it. */
export function activityDoc(overrides: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    title: '周末咖啡品鉴会',
    description: '带你认识三种产地的咖啡豆',
    place: '静安门店',
    startAt: new Date(now + 3 * DAY_MS),
    endAt: new Date(now + 3 * DAY_MS + 7_200_000),
    deadline: new Date(now + 2 * DAY_MS),
    capacity: 30,
    remaining: 30,
    fields: ['name', 'phone'],
    status: 'published',
    createdAt: new Date(now),
    updatedAt: new Date(now),
    ...overrides,
  };
}

/** Reads a QR code out of a PNG (what a phone's camera would do). */
export function decodeQr(png: Buffer): string | null {
  const { PNG } = require('pngjs');
  const jsQR = require('jsqr');
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

/** A staff member as the admin function stores one (invite codes are upper case). */
export async function seedStaff(db: any, overrides: Record<string, unknown> = {}): Promise<string> {
  const { _id } = await db.collection('staff').add({
    data: {
      name: '王导购',
      store: 'store-jingan',
      role: 'sales',
      active: true,
      openid: null,
      inviteCode: `INV${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
      createdAt: new Date(),
      ...overrides,
    },
  });
  return _id;
}
