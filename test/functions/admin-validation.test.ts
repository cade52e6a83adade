// The admin API refuses bad input: dates, cursors, settings URLs, and a generated sweep of
// malformed bodies, queries and ids over every route, each answering a 4xx {ok:false, error}
// (never 500) and storing nothing.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { adminHandlers } from '../../cloudfunctions/admin/handlers';
import { ADMIN_ROUTES, type AdminRoute } from '../../typings/admin';
import { repoRoot } from '../local/harness';
import { type AdminCloud, startAdminCloud } from './admin-cloud';
import { clearAll } from './project-cloud';

let cloud: AdminCloud;
let db: any;
let admin: string;

beforeAll(async () => {
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  admin = await cloud.login('boss', 'admin');
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const CHINESE = /[\u4e00-\u9fa5]/;

function expectRefused(res: { status: number; body: any }, path: string) {
  expect(res.status).toBe(400);
  expect(res.body.ok).toBe(false);
  expect(res.body.error.code).toBe('INVALID_INPUT');
  expect(res.body.error.message).toMatch(CHINESE);
  expect(res.body.error.fields.map((f: any) => f.path)).toContain(path);
}

describe('dates and cursors', () => {
  test('lead filters take only real calendar dates in a sane range', async () => {
    for (const from of ['2026-13-45', '2026-02-30', '2026-02-29', '1899-12-31', '9999-01-01', 'yesterday']) {
      expectRefused(await cloud.api('GET', `/leads?from=${from}`, undefined, admin), 'from');
      expectRefused(await cloud.api('GET', `/leads/count?to=${from}`, undefined, admin), 'to');
    }
    expectRefused(
      await cloud.api('POST', '/exports', { filter: { from: '2026-02-30T10:00:00+08:00' } }, admin),
      'filter.from',
    );
    for (const ok of ['2024-02-29', '2026-11-22T10:00:00%2B08:00', '2026-11-22T02:00:00Z'])
      expect((await cloud.api('GET', `/leads?from=${ok}`, undefined, admin)).status).toBe(200);
  });

  test('the dashboard takes only real calendar days', async () => {
    for (const query of [
      'from=2026-02-30&to=2026-03-02',
      'from=2026-01-01&to=2026-13-45',
      'from=1999-12-31&to=2000-01-01',
    ])
      expect((await cloud.api('GET', `/dashboard?${query}`, undefined, admin)).status).toBe(400);
    expect(
      (await cloud.api('GET', '/dashboard?from=2026-02-28&to=2026-03-01', undefined, admin)).status,
    ).toBe(200);
  });

  test('cursors are decoded and checked: a forged one is INVALID_INPUT on cursor, never a 500', async () => {
    const forged = [
      'garbage!',
      b64([1e300, 'lead-1', 0]),
      b64([-1, 'lead-1', 1]),
      b64([Date.UTC(2026, 0, 1), 'x'.repeat(100), 0]),
      b64([Date.UTC(2026, 0, 1), 42, 0]),
      b64({ at: Date.UTC(2026, 0, 1) }),
      b64([Date.UTC(2026, 0, 1), 'lead-1', 7]),
      Buffer.from('\xff\xfe').toString('base64url'),
    ];
    for (const cursor of forged)
      expectRefused(
        await cloud.api('GET', `/leads?cursor=${encodeURIComponent(cursor)}`, undefined, admin),
        'cursor',
      );
    await db
      .collection('activities')
      .add({ data: { _id: 'act-1', title: '沙龙', capacity: 5, remaining: 5 } });
    for (const cursor of [
      b64([1e300, 0]),
      b64([Date.UTC(2026, 0, 1), -3]),
      b64([Date.UTC(2026, 0, 1), 1.5]),
    ]) {
      for (const route of ['/audit', '/deliveries', '/activities/act-1/registrations'])
        expectRefused(await cloud.api('GET', `${route}?cursor=${cursor}`, undefined, admin), 'cursor');
    }
    const good = b64([Date.UTC(2026, 0, 1), 'lead-1', 1]);
    expect((await cloud.api('GET', `/leads?cursor=${good}`, undefined, admin)).status).toBe(200);
  });
});

describe('delivery settings', () => {
  const KEY = 'a1b2c3d4-0000-4000-8000-1234567890ab';
  const ROBOT = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`;
  const SECRET = 'crm-secret-0001';
  const stored = async () => (await db.collection('rules').doc('settings').get()).data;
  const save = (body: unknown, token = admin) => cloud.api('PUT', '/settings', body, token);

  test('robot keys and webhook secrets are write-only: masked to every role, kept unless replaced', async () => {
    const first = await save({
      mqlThreshold: 60,
      robots: [{ id: 'hq', url: ROBOT, store: '' }],
      webhooks: [{ id: 'crm', url: 'https://crm.example.com/leads', secret: SECRET }],
    });
    expect(first.status).toBe(200);
    const masked = {
      robots: [{ id: 'hq', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****90ab', store: '' }],
      webhooks: [{ id: 'crm', url: 'https://crm.example.com/leads', secretSet: true }],
    };
    expect(first.body.data).toMatchObject(masked);
    for (const role of ['admin', 'marketing', 'viewer'] as const) {
      const token = await cloud.login(`reader-${role}`, role);
      const read = await cloud.api('GET', '/settings', undefined, token);
      expect(read.body.data).toMatchObject(masked);
      expect(JSON.stringify(read.body)).not.toContain(KEY.slice(0, 8));
      expect(JSON.stringify(read.body)).not.toContain(SECRET);
      expect(read.body.data.webhooks[0]).not.toHaveProperty('secret');
    }

    // Sent back as read (masked URL, no secret), with another threshold: the key and secret stay.
    const read = (await cloud.api('GET', '/settings', undefined, admin)).body.data;
    const { secretSet: _set, ...hook } = read.webhooks[0];
    expect((await save({ ...read, webhooks: [hook], mqlThreshold: 70 })).status).toBe(200);
    expect(await stored()).toMatchObject({
      mqlThreshold: 70,
      robots: [{ id: 'hq', url: ROBOT }],
      webhooks: [{ id: 'crm', secret: SECRET }],
    });

    // Replaced when a new one is given; the audit names what was replaced, never the value.
    const newKey = 'ffffffff-1111-4111-8111-000000000001';
    const replaced = await save({
      ...read,
      robots: [
        { id: 'hq', url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${newKey}`, store: '' },
      ],
      webhooks: [{ ...hook, secret: 'another-secret-2' }],
    });
    expect(replaced.body.data.robots[0].url).toMatch(/key=\*{4}0001$/);
    expect(await stored()).toMatchObject({
      robots: [{ url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${newKey}` }],
      webhooks: [{ secret: 'another-secret-2' }],
    });
    const { data: audits } = await db.collection('audit').where({ action: 'settings.update' }).get();
    expect(audits.map((a: any) => a.detail.replaced)).toEqual([
      ['robot:hq', 'webhook:crm'],
      [],
      ['robot:hq', 'webhook:crm'],
    ]);
    expect(JSON.stringify(audits)).not.toMatch(/another-secret|ffffffff|a1b2c3d4|crm-secret/);

    // A masked URL that matches no stored robot, a new webhook without a secret: refused, nothing changes.
    const before = await stored();
    const now = (await cloud.api('GET', '/settings', undefined, admin)).body.data;
    const refused = await save({
      ...now,
      robots: [
        ...now.robots,
        { id: 'east', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****zzzz', store: '' },
      ],
      webhooks: [hook, { id: 'erp', url: 'https://erp.example.com/hook' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields.map((f: any) => f.path).sort()).toEqual([
      'robots.1.url',
      'webhooks.1.secret',
    ]);
    expect(await stored()).toEqual(before);
  });

  test('robots must be WeCom robot URLs, webhooks https to a public host; the local fakes stay usable', async () => {
    const local = cloud.cloud.url;
    const otherPort = `http://127.0.0.1:${cloud.cloud.port + 1}`;
    const badRobots = [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh',
      'https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=abcdefgh',
      'https://evil.example/cgi-bin/webhook/send?key=abcdefgh',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh&debug=1',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
      'https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh',
      `${otherPort}/__local/wecom/send?key=hq`,
      `${local}/admin-api/settings?key=hq`,
    ];
    const badHooks = [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://crm.example.com/leads',
      'https://localhost/hook',
      'https://api.localhost/hook',
      'https://127.0.0.1/hook',
      'https://2130706433/hook',
      'https://0x7f.1/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fe80::1]/hook',
      'https://10.1.2.3/hook',
      'https://172.16.5.4/hook',
      'https://192.168.1.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/hook',
      'https://0.0.0.0/hook',
      'https://intranet/hook',
      'https://user:pw@crm.example.com/hook',
      `${otherPort}/__local/webhook/crm`,
      `${local}/__local/sales`,
    ];
    for (const url of badRobots) {
      const res = await save({ robots: [{ id: 'hq', url }] });
      expectRefused(res, 'robots.0.url');
      expect(res.body.error.fields[0].message).toContain('机器人地址');
    }
    for (const url of badHooks) {
      const res = await save({ webhooks: [{ id: 'crm', url, secret: 'long-enough-1' }] });
      expectRefused(res, 'webhooks.0.url');
      expect(res.body.error.fields[0].message).toMatch(/Webhook 地址/);
    }
    expectRefused(await save({ adminUrl: 'javascript:alert(1)' }), 'adminUrl');
    expectRefused(
      await save({
        robots: [
          { id: 'hq', url: `${local}/__local/wecom/send?key=a` },
          { id: 'hq', url: `${local}/__local/wecom/send?key=b` },
        ],
      }),
      'robots.1.id',
    );
    expect(await db.collection('rules').count()).toEqual(expect.objectContaining({ total: 0 }));

    const accepted = await save({
      robots: [
        {
          id: 'hq',
          url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa',
        },
        { id: 'local', url: `${local}/__local/wecom/send?key=hq` },
      ],
      webhooks: [
        { id: 'crm', url: 'https://crm.example.com/leads', secret: 'long-enough-1' },
        { id: 'ip', url: 'https://8.8.8.8/hook', secret: 'long-enough-1' },
        { id: 'fake', url: `${local}/__local/webhook/crm`, secret: 'long-enough-1' },
      ],
      adminUrl: 'https://leadpool.example.com/admin/',
    });
    expect(accepted.status).toBe(200);
  });

  test('the stored key still reaches the robot after a save of the masked settings', async () => {
    const url = `${cloud.cloud.url}/__local/wecom/send?key=hq-local-robot`;
    await save({ robots: [{ id: 'hq', url, store: '' }], mqlThreshold: 50 });
    const read = (await cloud.api('GET', '/settings', undefined, admin)).body.data;
    expect(read.robots[0].url).toBe(`${cloud.cloud.url}/__local/wecom/send?key=****`);
    expect((await save({ ...read, slaHours: 4 })).status).toBe(200);
    await fetch(`${cloud.cloud.url}/__local/sales`, { method: 'DELETE' });
    const lead = await cloud.call('customer', {
      action: 'submitLead',
      requestId: 'settings-lead-0001',
      fields: { name: '张三', phone: '13800138000' },
      consent: { version: '2026-11-01', accepted: true },
    });
    expect(lead.ok).toBe(true);
    const got = (await (
      await fetch(`${cloud.cloud.url}/__local/sales?target=robot:hq-local-robot`)
    ).json()) as any;
    expect(got.data.received.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The generated sweep.

/** Every route's row, as the admin function assembles them. */
const HANDLERS: Record<string, { schema: z.ZodType }> = adminHandlers;

type Path = (string | number)[];
/** One malformed input: the values to set (the last one is the bad one) and the field it targets. */
interface Mutation {
  sets: [Path, unknown][];
  target: Path;
  why: string;
}

const def = (schema: z.ZodType): any => (schema as any)._zod.def;

/** Strips optional, default, nullable, pipes and the like down to the schema that checks the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i += 1) {
    const d = def(current);
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(d.type))
      current = d.innerType;
    else if (d.type === 'pipe') current = d.in;
    else return current;
  }
  return current;
}

const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
/** A field of some kind: takes a good value of that kind and refuses plain text. */
const takesOnly = (schema: z.ZodType, good: unknown) =>
  accepts(schema, good) && !accepts(schema, 'plain text');
const OVERLONG = 'x'.repeat(5000);
const BAD_INSTANTS = [
  '2026-13-45T10:00:00+08:00',
  '2026-02-30T10:00:00+08:00',
  '2026-11-22 10:00',
  'tomorrow',
];

/** Malformed JSON values for one field of a body, and for what is inside it. */
function bodyMutations(schema: z.ZodType, at: Path, context: [Path, unknown][] = []): Mutation[] {
  const s = unwrap(schema);
  const d = def(s);
  const bad = (value: unknown, why: string): Mutation => ({
    sets: [...context, [at, value]],
    target: at,
    why,
  });
  switch (d.type) {
    case 'object': {
      const inner = Object.entries(d.shape as Record<string, z.ZodType>).flatMap(([key, field]) =>
        bodyMutations(field, [...at, key], context),
      );
      return at.length > 0
        ? [bad('not-an-object', 'wrong type'), bad([1, 2], 'array for object'), ...inner]
        : inner;
    }
    case 'array':
      return [bad('not-an-array', 'wrong type'), ...bodyMutations(d.element, [...at, 0], context)];
    case 'record':
      return [bad('not-an-object', 'wrong type'), ...bodyMutations(d.valueType, [...at, 'k'], context)];
    case 'string': {
      const mutations = [bad(12345, 'number for text'), bad(OVERLONG, 'overlong text')];
      if (takesOnly(s, '2026-11-22T10:00:00+08:00'))
        mutations.push(...BAD_INSTANTS.map((v) => bad(v, `bad date ${v}`)));
      return mutations;
    }
    case 'number':
      return [bad('12', 'text for number'), bad(1e300, 'huge number'), bad(-1e300, 'huge negative number')];
    case 'boolean':
      return [bad('yes', 'text for boolean'), bad(1, 'number for boolean')];
    case 'enum':
    case 'literal':
      return [bad('no-such-value', 'unknown enum'), bad(7, 'number for enum')];
    case 'union': {
      const mutations = [bad({ unexpected: true }, 'matches no option')];
      // A discriminated union: each option's fields, with the discriminator set.
      if (d.discriminator)
        for (const option of d.options as z.ZodType[]) {
          const tag = def(unwrap(def(option).shape[d.discriminator])).values?.[0];
          mutations.push(
            ...bodyMutations(option, at, [...context, [[...at, d.discriminator], tag]]).filter(
              (m) => m.target.join('.') !== [...at, d.discriminator].join('.'),
            ),
          );
        }
      return mutations;
    }
    default:
      return [];
  }
}

const BAD_CURSORS = [
  'garbage!',
  OVERLONG,
  b64([1e300, 'lead-1', 0]),
  b64([1e300, 0]),
  b64([-5, 3]),
  b64({ at: 1 }),
  b64('text'),
];
const BAD_DAYS = ['2026-13-45', '2026-02-30', '1899-12-31', '9999-12-31', '2026-1-1', 'yesterday', '1e300'];

/** Malformed query parameters (always text) for each parameter a GET route reads. */
function queryMutations(schema: z.ZodType): Mutation[] {
  const s = unwrap(schema);
  if (def(s).type !== 'object') return [];
  return Object.entries(def(s).shape as Record<string, z.ZodType>).flatMap(([key, field]) => {
    const bad = (value: string, why: string): Mutation => ({ sets: [[[key], value]], target: [key], why });
    const mutations = [bad(OVERLONG, 'overlong')];
    const inner = unwrap(field);
    if (key === 'cursor') mutations.push(...BAD_CURSORS.map((v) => bad(v, `bad cursor ${v.slice(0, 30)}`)));
    if (takesOnly(field, '2026-11-22')) mutations.push(...BAD_DAYS.map((v) => bad(v, `bad date ${v}`)));
    if (takesOnly(field, '10'))
      mutations.push(...['1e300', '-1', 'abc', '1.5', 'Infinity'].map((v) => bad(v, `bad number ${v}`)));
    if (takesOnly(field, 'true')) mutations.push(bad('maybe', 'bad flag'));
    if (def(inner).type === 'enum') mutations.push(bad('no-such-value', 'unknown enum'));
    return mutations;
  });
}

function build(sets: [Path, unknown][]): Record<string, unknown> {
  const root: any = {};
  for (const [at, value] of sets) {
    let node = root;
    at.forEach((key, i) => {
      if (i === at.length - 1) node[key] = value;
      else {
        node[key] ??= typeof at[i + 1] === 'number' ? [] : {};
        node = node[key];
      }
    });
  }
  return root;
}

const collections: string[] = JSON.parse(
  fs.readFileSync(path.join(repoRoot, 'cloudfunctions', 'database.schema.json'), 'utf8'),
).collections.map((c: { name: string }) => c.name);

async function snapshot(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of collections) counts[name] = (await db.collection(name).count()).total;
  return counts;
}

describe('generated bad input over every admin route', () => {
  const routes = Object.keys(ADMIN_ROUTES) as AdminRoute[];

  test('every route has a row whose schema the sweep can read', () => {
    expect(routes.filter((route) => !HANDLERS[route])).toEqual([]);
  });

  test.each(routes)('%s', async (route) => {
    const [method, pattern] = route.split(' ');
    const query = method === 'GET' || method === 'DELETE';
    const schema = HANDLERS[route].schema;
    const token = ADMIN_ROUTES[route] === null ? null : admin;
    const withId = (id: string) => pattern.replace(':id', id);
    const send = (target: string, body?: unknown) => cloud.api(method, target, body, token);
    const problems: string[] = [];
    let sent = 0;
    const check = async (
      what: string,
      res: { status: number; body: any },
      expected: { codes: string[]; field?: string },
    ) => {
      sent += 1;
      const error = res.body?.error;
      const wellFormed =
        res.body?.ok === false &&
        typeof error?.code === 'string' &&
        /^[A-Z_]+$/.test(error.code) &&
        CHINESE.test(String(error.message));
      const fieldNamed =
        !expected.field ||
        error?.code !== 'INVALID_INPUT' ||
        (error.fields ?? []).some(
          (f: { path: string; message: string }) =>
            (f.path === expected.field || f.path.startsWith(`${expected.field}.`)) && CHINESE.test(f.message),
        );
      if (
        res.status < 400 ||
        res.status >= 500 ||
        !wellFormed ||
        !expected.codes.includes(error?.code) ||
        !fieldNamed
      )
        problems.push(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    };

    const before = await snapshot();
    const target = withId('no-such-id');
    if (query) {
      for (const m of queryMutations(schema)) {
        const params = new URLSearchParams(build(m.sets) as Record<string, string>);
        await check(`?${m.target.join('.')}=… (${m.why})`, await send(`${target}?${params}`), {
          codes: ['INVALID_INPUT'],
          field: m.target.join('.'),
        });
      }
    } else {
      for (const [body, why] of [
        ['{oops', 'not JSON'],
        ['[1,2]', 'an array'],
        ['"text"', 'a string'],
        ['null', 'null'],
        ['12', 'a number'],
      ])
        await check(`body ${why}`, await send(target, body), { codes: ['INVALID_INPUT'] });
      for (const m of bodyMutations(schema, []))
        await check(`${m.target.join('.')} (${m.why})`, await send(target, build(m.sets)), {
          codes: ['INVALID_INPUT'],
          field: m.target.join('.'),
        });
    }
    if (pattern.includes(':id')) {
      // Unknown, overlong and undecodable ids: not found or refused, never a failure.
      const empty = query ? undefined : {};
      for (const id of ['no-such-id', 'x'.repeat(300), '%E0%A4%A', '%00', '%20%09', '%2F..%2Fx'])
        await check(`id ${id.slice(0, 20)}`, await send(withId(id), empty), {
          codes: ['NOT_FOUND', 'INVALID_INPUT'],
        });
    } else if (query && queryMutations(schema).length === 0) {
      // A route that reads no parameter ignores unknown ones.
      const res = await send(`${pattern}?unknown=${OVERLONG}&cursor=garbage`);
      sent += 1;
      if (res.status !== 200 || res.body.ok !== true) problems.push(`unknown parameters: ${res.status}`);
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(0);
    const after = await snapshot();
    expect(after).toEqual(before);
  });
});
