import { hashPassword } from '../../cloudfunctions/admin/auth';
import { phoneTail } from '../../cloudfunctions/core/phone';
import type { LocalCloudOptions } from '../../local';
import type { Role } from '../../typings/admin';
import { clearAll, type ProjectCloud, startProjectCloud } from './project-cloud';

/** The admin API through the local cloud's HTTP access route, with accounts made directly. */
export const TEST_SECRET = 'test-secret-0123456789abcdef';
export const PASSWORD = 'correct horse battery';

export interface AdminCloud extends ProjectCloud {
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** Creates an account (the given role) and answers a token for it. */
  login(username: string, role: Role, staffId?: string | null): Promise<string>;
}

export async function startAdminCloud(options: Partial<LocalCloudOptions> = {}): Promise<AdminCloud> {
  process.env.LEADPOOL_TOKEN_SECRET = TEST_SECRET;
  const cloud = await startProjectCloud(options);
  const api: AdminCloud['api'] = async (method, path, body, token) => {
    const res = await fetch(`${cloud.cloud.url}/admin-api${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };
  return {
    ...cloud,
    api,
    async login(username, role, staffId = null) {
      await ensureAccount(cloud.db, username, role, staffId);
      const res = await api('POST', '/login', { username, password: PASSWORD });
      if (!res.body.ok) throw new Error(`login ${username}: ${JSON.stringify(res.body)}`);
      return res.body.data.token as string;
    },
  };
}

const hashed = hashPassword(PASSWORD);

export async function ensureAccount(db: any, username: string, role: Role, staffId: string | null = null) {
  const usernameKey = username.toLowerCase();
  const { data } = await db.collection('accounts').where({ usernameKey }).limit(1).get();
  const now = new Date();
  if (data[0]) {
    await db
      .collection('accounts')
      .doc(data[0]._id)
      .update({ data: { role, staffId, active: true, passwordHash: hashed } });
    await db.collection('loginAttempts').where({ account: usernameKey }).remove();
    return data[0]._id as string;
  }
  const { _id } = await db.collection('accounts').add({
    data: {
      username,
      usernameKey,
      passwordHash: hashed,
      role,
      staffId,
      active: true,
      tokenVersion: 1,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    },
  });
  return _id as string;
}

/** Active stores of the managed list under these names (staff, codes and robots must name one). */
export async function seedStores(db: any, ...names: string[]): Promise<void> {
  const now = new Date();
  for (const name of names)
    await db.collection('stores').add({
      data: {
        _id: `store-${name}`,
        name,
        city: '上海',
        region: '',
        active: true,
        createdAt: now,
        updatedAt: now,
      },
    });
}

/** Stored leads as capture writes them, one a minute from October 2026 (ids lead-00001…). */
let seq = 0;

export function leadDoc(overrides: Record<string, unknown> = {}) {
  seq += 1;
  const createdAt = new Date(Date.UTC(2026, 9, 1) + seq * 60_000);
  const touch = {
    kind: 'code_scan',
    channelId: 'ad-1',
    channelType: 'ad',
    codeId: null,
    staffId: null,
    storeId: null,
    activityId: null,
    referrerCustomerId: null,
    wxScene: 1047,
    at: createdAt,
    rejected: null,
  };
  return {
    _id: `lead-${String(seq).padStart(5, '0')}`,
    requestKey: `req-${seq}-${Math.random()}`,
    customerId: `cust-${seq}`,
    activityId: null,
    source: 'form',
    name: `顾客${seq}`,
    phone: `138${String(seq).padStart(8, '0')}`,
    phoneVerified: true,
    answers: {},
    consent: { version: '2026-11-01', accepted: true, at: createdAt },
    channel: 'ad-1',
    channelType: 'ad',
    codeId: null,
    staffId: null,
    storeId: null,
    referrerCustomerId: null,
    wxScene: 1047,
    firstTouch: touch,
    lastTouch: touch,
    duplicate: false,
    tags: [],
    score: 0,
    mql: false,
    ownerId: null,
    assignedBy: null,
    escalatedAt: null,
    status: 'new',
    statusHistory: [{ status: 'new', at: createdAt, by: 'customer' }],
    createdAt,
    updatedAt: createdAt,
    ...overrides,
    phoneTail: phoneTail(
      (overrides.phone as string | null | undefined) ?? `138${String(seq).padStart(8, '0')}`,
    ),
  };
}

/** Batch inserts go through the admin SDK (wx-server-sdk adds one document at a time). */
export async function seedLeadDocs(cloud: ProjectCloud, docs: Record<string, unknown>[]) {
  const tcb = require('@cloudbase/node-sdk');
  const leads = tcb.init({ env: cloud.cloud.envId }).database().collection('leads');
  for (let i = 0; i < docs.length; i += 40) await leads.add(docs.slice(i, i + 40));
}

/**
 * The admin cloud of one test file: started once, emptied and signed in as `boss` (an admin) before
 * each test; `setUp` adds what every test of the file needs (stores…).
 */
export function adminCloudPerFile(setUp: (db: any) => Promise<void> = async () => {}) {
  const env = {} as { cloud: AdminCloud; db: any; admin: string };
  beforeAll(async () => {
    env.cloud = await startAdminCloud();
    env.db = env.cloud.db;
  });
  afterAll(() => env.cloud.close());
  beforeEach(async () => {
    await clearAll(env.db);
    env.admin = await env.cloud.login('boss', 'admin');
    await setUp(env.db);
  });
  return env;
}
