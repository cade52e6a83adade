// The admin function through the local cloud's /admin-api (CloudBase HTTP access): login and
// tokens, the permission matrix, bad input, the minimal contract, leads at any depth, exports.
import { issueToken } from '../../cloudfunctions/admin/auth';
import { countFunnel } from '../../cloudfunctions/repositories/counters';
import { ADMIN_ROUTES, type AdminRoute, can, ROLES, type Role } from '../../typings/admin';
import {
  type AdminCloud,
  ensureAccount,
  leadDoc,
  PASSWORD,
  seedLeadDocs,
  seedStores,
  startAdminCloud,
  TEST_SECRET,
} from './admin-cloud';
import { clearAll } from './project-cloud';

let cloud: AdminCloud;
let db: any;
let admin: string;

beforeAll(async () => {
  // One page per export step, so a small export already runs in several steps and parts.
  process.env.LEADPOOL_EXPORT_STEP_MS = '0';
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  admin = await cloud.login('boss', 'admin');
});

const DAY = 86_400_000;
const seedLeads = (docs: Record<string, unknown>[]) => seedLeadDocs(cloud, docs);

const count = async (collection: string) => (await db.collection(collection).count()).total as number;

describe('login', () => {
  test('bad input is INVALID_INPUT with fields; a wrong password is 401 without saying which part', async () => {
    const empty = await cloud.api('POST', '/login', {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('INVALID_INPUT');
    expect(empty.body.error.fields.map((f: any) => f.path).sort()).toEqual(['password', 'username']);
    const notJson = await cloud.api('POST', '/login', '{oops');
    expect(notJson.status).toBe(400);
    for (const attempt of [
      { username: 'boss', password: 'wrong' },
      { username: 'nobody', password: PASSWORD },
    ]) {
      const res = await cloud.api('POST', '/login', attempt);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: expect.stringContaining('用户名或密码错误'),
      });
    }
  });

  test('a good login answers a token, the role and its expiry', async () => {
    const res = await cloud.api('POST', '/login', { username: 'boss', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ role: 'admin', token: expect.any(String), username: 'boss' });
    expect(Date.parse(res.body.data.expiresAt)).toBeGreaterThan(Date.now() + 3_600_000);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  // Lockout, throttling, case-insensitive names and the password policy: admin-login.test.ts.

  test('expired, forged and logged-out tokens are refused', async () => {
    const { data } = await db.collection('accounts').where({ username: 'boss' }).get();
    const claims = { sub: data[0]._id, role: 'admin' as Role, ver: data[0].tokenVersion };
    const expired = issueToken({ ...claims, exp: Date.now() - 1000 }, TEST_SECRET);
    const forged = issueToken({ ...claims, exp: Date.now() + 60_000 }, 'another-secret-0123456789');
    const valid = issueToken({ ...claims, exp: Date.now() + 60_000 }, TEST_SECRET);
    expect((await cloud.api('GET', '/me', undefined, expired)).status).toBe(401);
    expect((await cloud.api('GET', '/me', undefined, forged)).status).toBe(401);
    expect((await cloud.api('GET', '/me', undefined, `${admin}x`)).status).toBe(401);
    expect((await cloud.api('GET', '/me')).status).toBe(401);
    expect((await cloud.api('GET', '/me', undefined, valid)).status).toBe(200);
    expect((await cloud.api('POST', '/logout', {}, admin)).status).toBe(200);
    expect((await cloud.api('GET', '/me', undefined, admin)).status).toBe(401);
    expect((await cloud.api('GET', '/me', undefined, valid)).status).toBe(401);
  });
});

describe('permission matrix: every route × role', () => {
  const routes = (Object.keys(ADMIN_ROUTES) as AdminRoute[]).filter((r) => ADMIN_ROUTES[r] !== null);
  test.each(ROLES)('%s', async (role) => {
    const staffId = role === 'sales' ? 'staff-matrix' : null;
    const token = await cloud.login(`user-${role}`, role, staffId);
    const outcomes: string[] = [];
    // Logout last: it ends the session the other calls use.
    for (const route of [...routes.filter((r) => r !== 'POST /logout'), 'POST /logout' as AdminRoute]) {
      const [method, path] = route.split(' ');
      const res = await cloud.api(
        method,
        path.replace(':id', 'no-such-id'),
        method === 'GET' || method === 'DELETE' ? undefined : {},
        token,
      );
      const allowed = can(role, ADMIN_ROUTES[route]!);
      const refused = res.status === 403 && res.body.error.code === 'FORBIDDEN';
      if (allowed === refused || res.status === 401 || res.status >= 500)
        outcomes.push(`${route}: ${res.status} ${JSON.stringify(res.body.error ?? {})}`);
    }
    expect(outcomes).toEqual([]);
  });
});

describe('bad input stores nothing', () => {
  test('activities, staff, codes and accounts', async () => {
    const cases: [string, unknown, string[]][] = [
      [
        '/activities',
        {
          title: '',
          startAt: '2026-12-02T10:00:00+08:00',
          endAt: '2026-12-01T10:00:00+08:00',
          capacity: 0,
          fields: ['name', 'shoe-size'],
        },
        ['title', 'capacity', 'fields.1'],
      ],
      ['/staff', { name: '王', store: '', role: 'boss' }, ['store', 'role']],
      ['/codes', { channelType: 'billboard', name: '' }, ['channelType', 'name']],
      ['/accounts', { username: 'a', password: 'short', role: 'root' }, ['username', 'password', 'role']],
    ];
    for (const [path, body, paths] of cases) {
      const res = await cloud.api('POST', path, body, admin);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_INPUT');
      const got = res.body.error.fields.map((f: any) => f.path);
      for (const p of paths) expect(got).toContain(p);
      for (const f of res.body.error.fields) expect(f.message).toMatch(/[\u4e00-\u9fa5]/);
    }
    const endBeforeStart = await cloud.api(
      'POST',
      '/activities',
      {
        title: '品鉴会',
        startAt: '2026-12-02T10:00:00+08:00',
        endAt: '2026-12-01T10:00:00+08:00',
        capacity: 10,
        fields: ['name'],
      },
      admin,
    );
    expect(endBeforeStart.body.error.fields).toEqual([
      { path: 'endAt', message: '结束时间必须晚于开始时间' },
    ]);
    for (const collection of ['activities', 'staff', 'codes', 'channels'])
      expect(await count(collection)).toBe(0);
    expect(await count('accounts')).toBe(1);
  });

  test('unknown routes and methods', async () => {
    expect((await cloud.api('GET', '/nothing', undefined, admin)).status).toBe(404);
    const wrongMethod = await cloud.api('DELETE', '/leads', undefined, admin);
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.body.error.code).toBe('UNKNOWN_ACTION');
  });
});

describe('the minimal contract', () => {
  test('activities, staff with an upper-case invite, live codes re-pointed and disabled', async () => {
    const activity = await cloud.api(
      'POST',
      '/activities',
      {
        title: '周末品鉴会',
        startAt: new Date(Date.now() + 3 * DAY).toISOString(),
        endAt: new Date(Date.now() + 3 * DAY + 7_200_000).toISOString(),
        capacity: 30,
        fields: ['name', 'phone'],
        status: 'published',
      },
      admin,
    );
    expect(activity.body.data.activityId).toEqual(expect.any(String));
    const listed = await cloud.call('customer', { action: 'listActivities' }, 'customer-a');
    expect(listed.data.items.map((a: any) => a.title)).toEqual(['周末品鉴会']);

    await seedStores(db, '静安店');
    const wang = await cloud.api('POST', '/staff', { name: '王导购', store: '静安店', role: 'sales' }, admin);
    const li = await cloud.api('POST', '/staff', { name: '李导购', store: '静安店', role: 'staff' }, admin);
    expect(wang.body.data.inviteCode).toMatch(/^[A-Z0-9]{8}$/);
    expect(
      (await cloud.call('staff', { action: 'bind', inviteCode: wang.body.data.inviteCode }, 'wx-wang')).ok,
    ).toBe(true);

    const code = await cloud.api(
      'POST',
      '/codes',
      { channelType: 'poster', name: '地铁海报', staffId: wang.body.data.staffId },
      admin,
    );
    const { codeId, scene } = code.body.data;
    expect(scene.length).toBeLessThanOrEqual(32);
    const stored = (await db.collection('codes').doc(codeId).get()).data;
    expect(stored).toMatchObject({ envId: cloud.cloud.envId, imageFileId: null, disabled: false });
    const touch = (openid: string) =>
      cloud.call(
        'customer',
        { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: { scene } } },
        openid,
      );
    await touch('c-1');
    const repointed = await cloud.api(
      'PATCH',
      `/codes/${codeId}`,
      { staffId: li.body.data.staffId, activityId: activity.body.data.activityId },
      admin,
    );
    expect(repointed.body.data).toEqual({ codeId, scene });
    expect((await touch('c-2')).data.activityId).toBe(activity.body.data.activityId);
    await cloud.api('PATCH', `/codes/${codeId}`, { disabled: true }, admin);
    await touch('c-3');
    const { data: touches } = await db.collection('touches').where({}).limit(10).get();
    const staffOf = touches.map((t: any) => [t.staffId, t.channelType]).sort();
    expect(staffOf).toEqual(
      [
        [wang.body.data.staffId, 'poster'],
        [li.body.data.staffId, 'poster'],
        [null, 'organic'],
      ].sort(),
    );
    const image = await cloud.api('GET', `/codes/${codeId}/image`, undefined, admin);
    const png = Buffer.from(await (await fetch(image.body.data.imageUrl)).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('leads', () => {
  test('cursor pagination visits every lead once, newest first, ties included', async () => {
    // 61 leads, with runs of several sharing one millisecond (a burst).
    const docs = Array.from({ length: 61 }, (_v, i) =>
      leadDoc({ createdAt: new Date(Date.UTC(2026, 9, 1) + Math.floor(i / 5) * 1000) }),
    );
    await seedLeads(docs);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/leads?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await cloud.api('GET', query, undefined, admin);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.items.map((l: any) => l.leadId));
      cursor = res.body.data.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    const expected = [...docs]
      .sort((a: any, b: any) => b.createdAt - a.createdAt || (a._id < b._id ? 1 : -1))
      .map((d) => d._id);
    expect(seen).toEqual(expected);
    expect(
      (await cloud.api('GET', '/leads?cursor=garbage', undefined, admin)).body.error.fields[0].path,
    ).toBe('cursor');
  });

  test('filters, search by name or phone suffix, masked phones', async () => {
    await seedLeads([
      leadDoc({ name: '张三', phone: '13912345678', channel: 'staff:s1', staffId: 's1', status: 'won' }),
      leadDoc({ name: '张小花', phone: '13800001111', channel: 'ad-1', tags: ['行业:零售'], mql: true }),
      leadDoc({
        name: '李四',
        phone: '13700005678',
        channel: 'ad-1',
        createdAt: new Date(Date.UTC(2026, 8, 1)),
      }),
    ]);
    const names = async (query: string) =>
      (await cloud.api('GET', `/leads?${query}`, undefined, admin)).body.data.items.map((l: any) => l.name);
    expect(await names('channel=ad-1')).toEqual(['张小花', '李四']);
    expect(await names('staff=s1&status=won')).toEqual(['张三']);
    expect(await names('q=张')).toEqual(['张小花', '张三']);
    expect(await names('q=5678')).toEqual(['张三', '李四']);
    expect(await names('tag=行业:零售')).toEqual(['张小花']);
    expect(await names('mql=true')).toEqual(['张小花']);
    expect(await names('from=2026-09-01&to=2026-09-01')).toEqual(['李四']);
    expect(await names('channel=&status=')).toHaveLength(3);
    const totalOf = async (query: string) =>
      (await cloud.api('GET', `/leads/count?${query}`, undefined, admin)).body.data.total;
    // Counted by the indexes where they can; a search walks the few matches (admin-leads.test.ts
    // has the estimate of a filter matching many).
    expect(await totalOf('')).toBe(3);
    expect(await totalOf('channel=ad-1')).toBe(2);
    expect(await totalOf('from=2026-09-01&to=2026-09-01')).toBe(1);
    expect(await totalOf('q=张')).toBe(2);
    expect((await cloud.api('GET', '/leads/count?status=nope', undefined, admin)).status).toBe(400);
    const page = (await cloud.api('GET', '/leads', undefined, admin)).body.data.items;
    expect(page[0]).toMatchObject({ phoneMasked: '138****1111', referrerCustomerId: null });
    expect(JSON.stringify(page)).not.toContain('13800001111');
    expect((await cloud.api('GET', '/leads?status=maybe', undefined, admin)).status).toBe(400);
  });

  test('sales see and change only their own leads; status changes count in the funnel', async () => {
    await seedLeads([
      leadDoc({ _id: 'mine', ownerId: 'staff-s', channel: 'ad-1' }),
      leadDoc({ _id: 'theirs', ownerId: 'staff-t', channel: 'ad-1' }),
    ]);
    const sales = await cloud.login('sally', 'sales', 'staff-s');
    const list = await cloud.api('GET', '/leads?owner=staff-t', undefined, sales);
    expect(list.body.data.items.map((l: any) => l.leadId)).toEqual(['mine']);
    expect((await cloud.api('GET', '/leads/theirs', undefined, sales)).status).toBe(403);
    expect((await cloud.api('PATCH', '/leads/theirs/status', { status: 'contacted' }, sales)).status).toBe(
      403,
    );
    const moved = await cloud.api(
      'PATCH',
      '/leads/mine/status',
      { status: 'contacted', note: '已电话沟通' },
      sales,
    );
    expect(moved.body.data).toEqual({ leadId: 'mine', status: 'contacted' });
    await cloud.api('PATCH', '/leads/mine/status', { status: 'won' }, sales);
    const detail = (await cloud.api('GET', '/leads/mine', undefined, sales)).body.data;
    expect(detail.statusHistory.map((h: any) => h.status)).toEqual(['new', 'contacted', 'won']);
    expect(detail.notes[0]).toMatchObject({ text: '已电话沟通', by: 'account:sally' });
    const { data: cells } = await db.collection('funnelCounters').where({ channelId: 'ad-1' }).get();
    expect(cells).toHaveLength(1);
    expect(cells[0]).toMatchObject({ contacted: 1, won: 1 });
    const reveal = await cloud.api('POST', '/leads/mine/reveal', {}, sales);
    expect(reveal.body.data.phone).toMatch(/^138/);
    expect(await count('audit')).toBeGreaterThan(0);
    const { data: reveals } = await db.collection('audit').where({ action: 'lead.reveal' }).get();
    expect(reveals).toEqual([expect.objectContaining({ actor: 'account:sally', subject: 'mine' })]);
    const viewer = await cloud.login('vivian', 'viewer');
    expect((await cloud.api('POST', '/leads/mine/reveal', {}, viewer)).status).toBe(403);
  });

  test('bulk assign and bulk tag', async () => {
    await seedStores(db, '徐汇店');
    const staff = await cloud.api(
      'POST',
      '/staff',
      { name: '赵销售', store: '徐汇店', role: 'sales' },
      admin,
    );
    await seedLeads([leadDoc({ _id: 'a1', tags: ['x'] }), leadDoc({ _id: 'a2' })]);
    const assigned = await cloud.api(
      'POST',
      '/leads/assign',
      { leadIds: ['a1', 'a2'], ownerId: staff.body.data.staffId },
      admin,
    );
    expect(assigned.body.data.updated).toBe(2);
    const tagged = await cloud.api(
      'POST',
      '/leads/tag',
      { leadIds: ['a1', 'a2'], add: ['意向:高'], remove: ['x'] },
      admin,
    );
    expect(tagged.body.data.updated).toBe(2);
    const { data } = await db.collection('leads').where({ ownerId: staff.body.data.staffId }).get();
    expect(data.map((l: any) => l.tags)).toEqual([['意向:高'], ['意向:高']]);
    const { data: cells } = await db.collection('funnelCounters').get();
    expect(cells[0].assigned).toBe(2);
  });
});

describe('export', () => {
  test('the filter as CSV: BOM, escaped formulas, in parts joined, audited', async () => {
    const tricky = [
      leadDoc({ name: '=1+2', answers: { note: '+SUM(A1)', company: '-10', city: '@cmd' } }),
      leadDoc({ name: '\tTab', answers: { note: '\rCR', company: 'a,"b"' } }),
    ];
    const plain = Array.from({ length: 2100 }, () => leadDoc({ channel: 'ad-1' }));
    await seedLeads([...tricky, ...plain, leadDoc({ channel: 'other' })]);
    const started = await cloud.api('POST', '/exports', { filter: { channel: 'ad-1' } }, admin);
    expect(started.status).toBe(200);
    let job = started.body.data;
    expect(job.total).toBe(2102);
    for (let i = 0; i < 20 && job.status === 'running'; i += 1)
      job = (await cloud.api('GET', `/jobs/${job.jobId}`, undefined, admin)).body.data;
    expect(job).toMatchObject({ status: 'done', processed: 2102 });
    const bytes = Buffer.from(await (await fetch(job.downloadUrl)).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(2103);
    expect(lines[0]).toContain('线索编号,提交时间');
    expect(text).toContain(",'=1+2,");
    expect(text).toContain("'+SUM(A1)");
    expect(text).toContain("'-10");
    expect(text).toContain("'@cmd");
    expect(text).toContain("'\tTab");
    expect(text).toContain('"\'\rCR"');
    expect(text).toContain('"a,""b"""');
    expect(text).toContain('138****');
    expect(text).not.toMatch(/,138\d{8},/);
    const { data: audits } = await db.collection('audit').where({ subject: job.jobId }).get();
    expect(audits.map((a: any) => a.action).sort()).toEqual(['leads.export', 'leads.export.done']);
    const viewer = await cloud.login('vivian', 'viewer');
    expect((await cloud.api('POST', '/exports', {}, viewer)).status).toBe(403);
    const marketing = await cloud.login('mia', 'marketing');
    expect((await cloud.api('GET', `/jobs/${job.jobId}`, undefined, marketing)).status).toBe(404);
  });
});

describe('dashboard', () => {
  test('reads the funnel counters: totals, trend, channel ranking with cost per lead, staff', async () => {
    await db
      .collection('channels')
      .add({ data: { _id: 'ad-1', type: 'ad', name: '朋友圈广告', cost: 1000 } });
    await db.collection('staff').add({
      data: {
        _id: 's1',
        name: '王导购',
        store: '静安店',
        role: 'sales',
        active: true,
        inviteCode: 'AAAA1111',
      },
    });
    // Counted as the functions count: each cell and its channel's, staff's and activity's day totals.
    const cell = (day: string, channelId: string, staffId: string | null, counters: Record<string, number>) =>
      countFunnel(db, new Date(`${day}T12:00:00+08:00`), { channelId, staffId, activityId: null }, counters);
    await cell('2026-10-01', 'ad-1', null, { entries: 100, leads: 10, mql: 2, won: 1 });
    await cell('2026-10-02', 'ad-1', null, { entries: 50, leads: 10 });
    await cell('2026-10-02', 'staff:s1', 's1', { entries: 20, leads: 8, won: 3 });
    await cell('2026-11-02', 'staff:s1', 's1', { entries: 999, leads: 999 });
    const res = await cloud.api('GET', '/dashboard?from=2026-10-01&to=2026-10-03', undefined, admin);
    const data = res.body.data;
    expect(data.funnel).toMatchObject({ entries: 170, leads: 28, mql: 2, won: 4 });
    expect(data.trend.map((d: any) => [d.day, d.leads])).toEqual([
      ['2026-10-01', 10],
      ['2026-10-02', 18],
      ['2026-10-03', 0],
    ]);
    expect(data.channels[0]).toMatchObject({
      channelId: 'ad-1',
      name: '朋友圈广告',
      leads: 20,
      costPerLead: 50,
    });
    expect(data.channels[1]).toMatchObject({ channelId: 'staff:s1', name: '导购·王导购', costPerLead: null });
    expect(data.staff).toEqual([
      expect.objectContaining({ staffId: 's1', name: '王导购', leads: 8, won: 3 }),
    ]);
    const filtered = await cloud.api(
      'GET',
      '/dashboard?from=2026-10-01&to=2026-10-03&staff=s1',
      undefined,
      admin,
    );
    expect(filtered.body.data.funnel.leads).toBe(8);
    // The cells of one channel give what its day totals gave unfiltered.
    const byChannel = (
      await cloud.api('GET', '/dashboard?from=2026-10-01&to=2026-10-03&channel=ad-1', undefined, admin)
    ).body.data;
    expect(byChannel.funnel).toMatchObject({ entries: 150, leads: 20, mql: 2, won: 1 });
    expect(byChannel.channels).toEqual([
      expect.objectContaining({ channelId: 'ad-1', leads: data.channels[0].leads }),
    ]);
    expect(
      (await cloud.api('GET', '/dashboard?from=2026-10-05&to=2026-10-01', undefined, admin)).status,
    ).toBe(400);
  });
});

describe('activities and accounts', () => {
  test('publish, close, capacity, sign-up list with check-in status', async () => {
    const created = await cloud.api(
      'POST',
      '/activities',
      {
        title: '拉花课',
        startAt: new Date(Date.now() + DAY).toISOString(),
        endAt: new Date(Date.now() + DAY + 3_600_000).toISOString(),
        capacity: 2,
        fields: ['name', 'phone'],
      },
      admin,
    );
    const id = created.body.data.activityId;
    expect((await cloud.call('customer', { action: 'listActivities' }, 'c')).data.items).toHaveLength(0);
    await cloud.api('POST', `/activities/${id}/publish`, {}, admin);
    const join = await cloud.call(
      'customer',
      {
        action: 'joinActivity',
        requestId: 'join-0000001',
        activityId: id,
        fields: { name: '顾客甲', phone: '13811112222' },
        consent: { version: '2026-11-01', accepted: true },
      },
      'c-join',
    );
    expect(join.ok).toBe(true);
    const shrink = await cloud.api('PATCH', `/activities/${id}`, { capacity: 1 }, admin);
    expect(shrink.body.data).toMatchObject({ capacity: 1, remaining: 0 });
    expect((await cloud.api('PATCH', `/activities/${id}`, { capacity: 0 }, admin)).status).toBe(400);
    const signups = (await cloud.api('GET', `/activities/${id}/registrations`, undefined, admin)).body.data;
    expect(signups.items).toEqual([
      expect.objectContaining({
        name: '顾客甲',
        phoneMasked: '138****2222',
        status: 'joined',
        checkedInAt: null,
      }),
    ]);
    await cloud.api('POST', `/activities/${id}/close`, {}, admin);
    expect((await cloud.api('POST', `/activities/${id}/publish`, {}, admin)).status).toBe(409);
  });

  test('a long sign-up list comes in pages, by status, with counts of the whole list', async () => {
    const at = Date.UTC(2026, 10, 1);
    const statuses = ['joined', 'checked_in', 'cancelled'] as const;
    const docs = Array.from({ length: 450 }, (_v, i) => ({
      _id: `reg-${String(i).padStart(3, '0')}`,
      requestKey: `big-${i}`,
      checkinCode: `BIG${i}`,
      activityId: 'act-big',
      customerId: `cust-${i}`,
      status: statuses[i % 3],
      answers: { name: `顾客${i}` },
      // Every fifth sign-up shares its second with the one before: pages must not lose ties.
      createdAt: new Date(at + Math.floor(i - (i % 5 === 4 ? 1 : 0)) * 1000),
      checkedInAt: i % 3 === 1 ? new Date(at + i * 1000 + 60_000) : null,
    }));
    await db
      .collection('activities')
      .add({ data: { _id: 'act-big', title: '大型发布会', capacity: 1000, remaining: 700 } });
    const tcb = require('@cloudbase/node-sdk');
    const registrations = tcb.init({ env: cloud.cloud.envId }).database().collection('registrations');
    for (let i = 0; i < docs.length; i += 50) await registrations.add(docs.slice(i, i + 50));
    const walk = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let counts: unknown;
      do {
        const url: string = `/activities/act-big/registrations?${query}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await cloud.api('GET', url, undefined, admin)).body.data;
        seen.push(...page.items.map((r: any) => r.registrationId));
        counts = page.counts;
        cursor = page.nextCursor;
      } while (cursor);
      return { seen, counts };
    };
    const all = await walk('');
    expect(all.seen).toHaveLength(450);
    expect(new Set(all.seen).size).toBe(450);
    expect(all.counts).toEqual({ joined: 300, checkedIn: 150, cancelled: 150 });
    const checkedIn = await walk('status=checked_in');
    expect(checkedIn.seen.sort()).toEqual(
      docs
        .filter((d) => d.status === 'checked_in')
        .map((d) => d._id)
        .sort(),
    );
    const bad = await cloud.api('GET', '/activities/act-big/registrations?cursor=nope', undefined, admin);
    expect(bad.body.error).toMatchObject({
      code: 'INVALID_INPUT',
      fields: [expect.objectContaining({ path: 'cursor' })],
    });
  });

  test('admin manages accounts; a role change ends the sessions; others may not', async () => {
    const created = await cloud.api(
      'POST',
      '/accounts',
      { username: 'mia', password: 'longenough1', role: 'marketing' },
      admin,
    );
    expect(created.status).toBe(200);
    expect(
      (
        await cloud.api(
          'POST',
          '/accounts',
          { username: 'mia', password: 'longenough1', role: 'viewer' },
          admin,
        )
      ).body.error.fields[0].path,
    ).toBe('username');
    const login = await cloud.api('POST', '/login', { username: 'mia', password: 'longenough1' });
    const token = login.body.data.token;
    expect((await cloud.api('GET', '/accounts', undefined, token)).status).toBe(403);
    await cloud.api('PATCH', `/accounts/${created.body.data.accountId}`, { role: 'viewer' }, admin);
    expect((await cloud.api('GET', '/me', undefined, token)).status).toBe(401);
    const again = await cloud.api('POST', '/login', { username: 'mia', password: 'longenough1' });
    expect(again.body.data.role).toBe('viewer');
    const toSales = await cloud.api(
      'PATCH',
      `/accounts/${created.body.data.accountId}`,
      { role: 'sales' },
      admin,
    );
    expect(toSales.body.error.fields).toEqual([{ path: 'staffId', message: '销售账号需要关联一名员工' }]);
    await ensureAccount(db, 'boss', 'admin');
  });
});

describe('rules', () => {
  test('a dry run on a sample; re-tagging answers a job whose progress can be read', async () => {
    const rule = {
      name: '加盟意向',
      kind: 'tag',
      group: '意向',
      tag: '加盟',
      when: [{ type: 'keywords', synonyms: [['加盟', '代理']] }],
    };
    const test = (text: string) =>
      cloud.api('POST', '/rules/test', { rule, sample: { text, channelType: 'ad' } }, admin);
    expect((await test('想了解代理政策')).body.data).toEqual({
      matched: true,
      tags: ['意向:加盟'],
      score: 0,
    });
    expect((await test('随便看看')).body.data).toEqual({ matched: false, tags: [], score: 0 });

    expect((await cloud.api('POST', '/rules', rule, admin)).status).toBe(200);
    await seedLeads([leadDoc({ answers: { note: '我想加盟' } }), leadDoc()]);
    const started = await cloud.api('POST', '/rules/retag', {}, admin);
    expect(started.body.data).toEqual({
      jobId: expect.any(String),
      status: 'done',
      processed: 2,
      total: 2,
      changed: 1,
    });
    const read = await cloud.api('GET', `/rules/retag/${started.body.data.jobId}`, undefined, admin);
    expect(read.body.data).toEqual(started.body.data);
    expect((await cloud.api('GET', '/rules/retag/no-such-job', undefined, admin)).status).toBe(404);
    const viewer = await cloud.login('vera', 'viewer');
    expect(
      (await cloud.api('GET', `/rules/retag/${started.body.data.jobId}`, undefined, viewer)).status,
    ).toBe(403);
  });
});
