// Knowing the customers through the local cloud: the customer list (filters, cursor pages, owner
// scope, masked phones), the persona from counters the dispatcher's job keeps (dimensions, tags,
// new and returning customers; a customer who deletes their data counts nowhere), saved segments
// with capped counts, and a funnel that never grows after MQL.
import { countCustomersUpTo } from '../../cloudfunctions/repositories/insight';
import { stableId } from '../../cloudfunctions/runtime/store';
import { type AdminCloud, leadDoc, seedLeadDocs, startAdminCloud } from './admin-cloud';
import { clearAll, DAY_MS } from './project-cloud';

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

/** 2026-11-10 00:00 China time. */
const DAY0 = Date.parse('2026-11-09T16:00:00Z');
const at = (day: number, hour = 10) => new Date(DAY0 + day * DAY_MS + hour * 3_600_000);

async function seedCustomer(id: string, overrides: Record<string, any> = {}) {
  const createdAt = overrides.createdAt ?? at(0);
  await db.collection('customers').add({
    data: {
      _id: id,
      openid: `openid-${id}`,
      openids: [`openid-${id}`],
      unionid: null,
      phone: null,
      phoneVerified: false,
      profile: {},
      consent: null,
      firstTouch: { channelId: 'poster-1', channelType: 'poster', at: createdAt },
      ownerStaffId: null,
      storeId: null,
      shareToken: `share-${id}`,
      mergedInto: null,
      lastLeadAt: null,
      leadCount: 0,
      joinCount: 0,
      salesOwnerId: null,
      createdAt,
      updatedAt: createdAt,
      ...overrides,
    },
  });
}

async function seedLead(id: string, customerId: string, overrides: Record<string, any> = {}) {
  const createdAt = overrides.createdAt ?? at(1);
  await db.collection('leads').add({
    data: {
      _id: id,
      requestKey: `request-${id}`,
      customerId,
      channel: 'poster-1',
      channelType: 'poster',
      status: 'new',
      tags: [],
      score: 0,
      ownerId: null,
      activityId: null,
      createdAt,
      updatedAt: createdAt,
      ...overrides,
    },
  });
}

const tickAt = (now: Date) => cloud.call('dispatch', { action: 'tick', now: now.toISOString() }, null);
const tick = () => tickAt(at(40));
const get = async (path: string, token = admin) => (await cloud.api('GET', path, undefined, token)).body;

test('the customer list pages newest first by cursor, filters, masks phones and skips merged customers', async () => {
  await seedCustomer('c1', {
    createdAt: at(1),
    phone: '13800001111',
    profile: { name: '李雷', city: '上海', industry: '零售' },
    salesOwnerId: 'staff-a',
    storeId: '静安店',
    leadCount: 2,
  });
  await seedCustomer('c2', {
    createdAt: at(2),
    profile: { name: '韩梅梅', city: '北京' },
    salesOwnerId: 'staff-b',
  });
  await seedCustomer('c3', { createdAt: at(3), profile: { city: '上海' }, salesOwnerId: 'staff-a' });
  // Two customers of the same millisecond: the cursor must not lose either.
  await seedCustomer('c4', { createdAt: at(4), profile: { city: '上海' } });
  await seedCustomer('c5', { createdAt: at(4), profile: { city: '上海' } });
  await seedCustomer('gone', { createdAt: at(5), mergedInto: 'c1' });

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : '';
    const page: any = await get(`/customers?limit=2${query}`);
    expect(page.ok).toBe(true);
    expect(page.data.items.length).toBeLessThanOrEqual(2);
    seen.push(...page.data.items.map((c: any) => c.customerId));
    cursor = page.data.nextCursor;
  } while (cursor);
  expect(seen).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);

  const shanghai = await get(`/customers?city=${encodeURIComponent('上海')}&from=2026-11-11&to=2026-11-13`);
  expect(shanghai.data.items.map((c: any) => c.customerId)).toEqual(['c3', 'c1']);
  expect(shanghai.data.items[1]).toEqual({
    customerId: 'c1',
    name: '李雷',
    phoneMasked: '138****1111',
    city: '上海',
    industry: '零售',
    tags: [],
    ownerId: 'staff-a',
    store: '静安店',
    leadCount: 2,
    joinCount: 0,
    channel: 'poster-1',
    createdAt: at(1).toISOString(),
  });
  expect((await get('/customers?hasPhone=true')).data.items.map((c: any) => c.customerId)).toEqual(['c1']);
  expect((await get(`/customers?store=${encodeURIComponent('静安店')}`)).data.items).toHaveLength(1);
  expect((await get('/customers?channel=other')).data.items).toHaveLength(0);

  // A sales account sees only the customers whose latest lead it owns, whatever it asks for.
  const sales = await cloud.login('sally', 'sales', 'staff-a');
  for (const query of ['', '?owner=staff-b'])
    expect((await get(`/customers${query}`, sales)).data.items.map((c: any) => c.customerId)).toEqual([
      'c3',
      'c1',
    ]);
  expect((await cloud.api('GET', '/customers/c2', undefined, sales)).status).toBe(403);
  expect((await cloud.api('GET', '/customers/gone', undefined, admin)).status).toBe(404);
});

test('the customer drawer lists their leads; tags, score and contact come from the insight job', async () => {
  await seedCustomer('c1', { profile: { name: '李雷' }, salesOwnerId: 'staff-a', joinCount: 2 });
  await seedCustomer('c2', { createdAt: at(1) });
  await seedLead('l1', 'c1', { createdAt: at(1), tags: ['高意向'], score: 30, ownerId: 'staff-a' });
  await seedLead('l2', 'c1', { createdAt: at(2), tags: ['装修'], status: 'contacted', ownerId: 'staff-b' });
  await seedLead('l3', 'c2', { createdAt: at(2), tags: ['装修'] });

  expect((await get(`/customers?tag=${encodeURIComponent('装修')}`)).data.items).toHaveLength(0);
  await tick();
  const tagged = await get(`/customers?tag=${encodeURIComponent('装修')}`);
  expect(tagged.data.items.map((c: any) => c.customerId)).toEqual(['c2', 'c1']);
  expect(tagged.data.items[1].tags).toEqual(['装修', '高意向'].sort());

  const detail = await get('/customers/c1');
  expect(detail.data.leads.map((l: any) => l.leadId)).toEqual(['l2', 'l1']);
  // A sales account sees its own leads of a customer it follows, not a colleague's.
  const sales = await cloud.login('sally', 'sales', 'staff-a');
  expect((await get('/customers/c1', sales)).data.leads.map((l: any) => l.leadId)).toEqual(['l1']);
});

test('every filter is validated with a Chinese message on its field', async () => {
  const bad = await cloud.api('GET', '/customers?limit=0&from=2026-02-30&cursor=nope', undefined, admin);
  expect(bad.status).toBe(400);
  const paths = bad.body.error.fields.map((f: any) => f.path).sort();
  expect(paths).toEqual(['cursor', 'from', 'limit']);
  expect(bad.body.error.fields.find((f: any) => f.path === 'limit').message).toMatch(/每页/);
  expect((await cloud.api('GET', '/customers', undefined, null)).status).toBe(401);
});

test('the persona sums per-day counters the job keeps, against the previous period, and moves a changed customer', async () => {
  await seedCustomer('a', {
    createdAt: at(10),
    profile: { city: '上海', industry: '零售' },
    storeId: '静安店',
  });
  await seedCustomer('b', { createdAt: at(11), profile: { city: '上海' } });
  await seedCustomer('c', { createdAt: at(12), profile: { city: '北京' }, firstTouch: null });
  // The previous period (Nov 17 to 19 before Nov 20 to 22).
  await seedCustomer('d', { createdAt: at(8), profile: { city: '杭州' } });
  await seedCustomer('merged', { createdAt: at(11), profile: { city: '上海' }, mergedInto: 'a' });

  expect((await get('/persona?from=2026-11-20&to=2026-11-22')).data.total).toBe(0);
  await tick();
  const persona = (await get('/persona?from=2026-11-20&to=2026-11-22')).data;
  expect(persona).toMatchObject({
    from: '2026-11-20',
    to: '2026-11-22',
    total: 3,
    byCity: [
      { key: '上海', count: 2 },
      { key: '北京', count: 1 },
    ],
    byIndustry: [
      { key: null, count: 2 },
      { key: '零售', count: 1 },
    ],
    byChannel: [
      { key: 'poster-1', count: 2 },
      { key: null, count: 1 },
    ],
    byStore: [
      { key: null, count: 2 },
      { key: '静安店', count: 1 },
    ],
    previous: { from: '2026-11-17', to: '2026-11-19', total: 1, byCity: [{ key: '杭州', count: 1 }] },
  });

  // A second run changes nothing; a customer whose city changed moves its count, once.
  await tick();
  await db
    .collection('customers')
    .doc('b')
    .update({ data: { profile: { city: '北京' }, updatedAt: at(30) } });
  await tick();
  await tick();
  const moved = (await get('/persona?from=2026-11-20&to=2026-11-22')).data;
  expect(moved.total).toBe(3);
  expect(moved.byCity).toEqual([
    { key: '北京', count: 2 },
    { key: '上海', count: 1 },
  ]);

  const sales = await cloud.login('sally', 'sales', 'staff-a');
  expect((await cloud.api('GET', '/persona?from=2026-11-20&to=2026-11-22', undefined, sales)).status).toBe(
    403,
  );
  const reversed = await cloud.api('GET', '/persona?from=2026-11-22&to=2026-11-20', undefined, admin);
  expect(reversed.body.error.fields).toEqual([{ path: 'to', message: '结束日期不能早于开始日期' }]);
});

test('a segment is saved with its count, lists its members by cursor and is deleted; only managers write', async () => {
  await seedCustomer('c1', { createdAt: at(1), joinCount: 2, lastLeadAt: at(38), profile: { city: '上海' } });
  await seedCustomer('c2', { createdAt: at(2), joinCount: 1, lastLeadAt: at(20), profile: { city: '上海' } });
  await seedCustomer('c3', { createdAt: at(3), joinCount: 3, lastLeadAt: at(39), profile: { city: '北京' } });
  await seedCustomer('c4', { createdAt: at(4), joinCount: 5, lastLeadAt: at(39), profile: { city: '上海' } });
  await seedLead('l4', 'c4', { status: 'contacted', score: 80 });
  await seedLead('l1', 'c1', { score: 50 });
  await tick();

  const filter = { city: '上海', minJoins: 2 };
  expect((await cloud.api('POST', '/segments/count', { filter }, admin)).body.data.count).toBe(2);
  expect(
    (await cloud.api('POST', '/segments/count', { filter: { ...filter, notContacted: true } }, admin)).body
      .data,
  ).toEqual({ count: 1, atLeast: false });
  expect(
    (await cloud.api('POST', '/segments/count', { filter: { minScore: 60 } }, admin)).body.data.count,
  ).toBe(1);

  const saved = await cloud.api('POST', '/segments', { name: '上海活跃客户', filter }, admin);
  expect(saved.body.data).toEqual({ segmentId: expect.any(String), count: 2, atLeast: false });
  const id = saved.body.data.segmentId;
  const first = (await get(`/segments/${id}/members?limit=1`)).data;
  const second = (await get(`/segments/${id}/members?limit=1&cursor=${first.nextCursor}`)).data;
  expect([...first.items, ...second.items].map((c: any) => c.customerId)).toEqual(['c4', 'c1']);
  expect(second.nextCursor).toBeNull();

  const viewer = await cloud.login('vivian', 'viewer');
  expect((await get('/segments', viewer)).data.items).toEqual([
    expect.objectContaining({ segmentId: id, name: '上海活跃客户', count: 2, filter }),
  ]);
  expect((await cloud.api('POST', '/segments', { name: 'x', filter }, viewer)).status).toBe(403);
  expect((await cloud.api('DELETE', `/segments/${id}`, undefined, viewer)).status).toBe(403);

  const unnamed = await cloud.api('POST', '/segments', { name: ' ', filter: { minJoins: -1 } }, admin);
  expect(unnamed.body.error.fields).toEqual(
    expect.arrayContaining([
      { path: 'name', message: '请填写人群名称' },
      { path: 'filter.minJoins', message: expect.stringContaining('报名活动数不能小于 0') },
    ]),
  );

  expect((await cloud.api('DELETE', `/segments/${id}`, undefined, admin)).body.ok).toBe(true);
  expect((await cloud.api('DELETE', `/segments/${id}`, undefined, admin)).status).toBe(404);
  const audit = (await db.collection('audit').where({ subject: id }).get()).data.map((a: any) => a.action);
  expect(audit.sort()).toEqual(['segment.create', 'segment.delete']);
});

test('cost per lead of any range divides only the spend inside it (hand computed)', async () => {
  await db
    .collection('channels')
    .add({ data: { _id: 'ad-1', type: 'ad', name: '朋友圈广告', cost: 0, createdAt: new Date() } });
  const leadsOn = async (day: string, leads: number) =>
    db.collection('funnelRollups').add({
      data: { _id: `rollup-${day}`, key: `channel|ad-1|${day}`, dim: 'channel', value: 'ad-1', day, leads },
    });
  await leadsOn('2026-11-25', 3);
  await leadsOn('2026-12-05', 1);
  await leadsOn('2026-12-20', 6);
  const post = (body: unknown) => cloud.api('POST', '/spend', body, admin);
  expect(
    (await post({ channelId: 'ad-1', from: '2026-11-01', to: '2026-11-30', amount: 3000 })).body.ok,
  ).toBe(true);
  expect(
    (await post({ channelId: 'ad-1', from: '2026-12-01', to: '2026-12-31', amount: 3100 })).body.ok,
  ).toBe(true);

  // Nov 21 to Dec 10: 10 of November's 30 days (¥1000) and 10 of December's 31 (¥1000); 4 leads.
  const range = (await get('/spend?from=2026-11-21&to=2026-12-10')).data;
  expect(range.channels).toEqual([{ channelId: 'ad-1', spend: 2000, leads: 4, costPerLead: 500 }]);
  expect(range.entries.map((e: any) => e.amount)).toEqual([3000, 3100]);
  // One day: ¥100 of spend for no lead has no cost per lead, never the whole month's spend.
  expect((await get('/spend?from=2026-11-02&to=2026-11-02')).data.channels).toEqual([
    { channelId: 'ad-1', spend: 100, leads: 0, costPerLead: null },
  ]);
  expect((await get('/spend?from=2026-12-01&to=2026-12-31')).data.channels[0]).toEqual({
    channelId: 'ad-1',
    spend: 3100,
    leads: 7,
    costPerLead: 442.86,
  });

  const unknown = await post({ channelId: 'nope', from: '2026-11-01', to: '2026-11-30', amount: 1 });
  expect(unknown.body.error.fields).toEqual([{ path: 'channelId', message: '没有这个渠道' }]);
  const reversed = await post({ channelId: 'ad-1', from: '2026-11-30', to: '2026-11-01', amount: -1 });
  expect(reversed.body.error.fields).toEqual(
    expect.arrayContaining([{ path: 'amount', message: '投入金额不能小于 0' }]),
  );
  const viewer = await cloud.login('vivian', 'viewer');
  expect(
    (
      await cloud.api(
        'POST',
        '/spend',
        { channelId: 'ad-1', from: '2026-11-01', to: '2026-11-01', amount: 1 },
        viewer,
      )
    ).status,
  ).toBe(403);
  expect((await get('/spend?from=2026-11-21&to=2026-12-10', viewer)).data.channels[0].costPerLead).toBe(500);
  const id = range.entries[0].spendId;
  expect((await cloud.api('DELETE', `/spend/${id}`, undefined, admin)).body.ok).toBe(true);
  expect((await get('/spend?from=2026-11-21&to=2026-12-10')).data.channels[0].spend).toBe(1000);
});

test('the job walks past a bulk change that wrote one instant on more documents than a page', async () => {
  const instant = at(5);
  const ids = Array.from({ length: 230 }, (_v, i) => `bulk-${String(i).padStart(3, '0')}`);
  await db.collection('customers').add({
    data: ids.map((id) => ({
      _id: id,
      openid: `openid-${id}`,
      shareToken: `share-${id}`,
      profile: { city: '上海' },
      firstTouch: null,
      storeId: null,
      mergedInto: null,
      createdAt: instant,
      updatedAt: instant,
    })),
  });
  await db.collection('leads').add({
    data: ids.map((id) => ({
      _id: `lead-${id}`,
      requestKey: `request-${id}`,
      customerId: id,
      status: 'new',
      tags: ['批量'],
      createdAt: instant,
      updatedAt: instant,
    })),
  });
  await tick();
  expect((await db.collection('customers').where({ 'insight.tags': '批量' }).count()).total).toBe(230);
  expect((await get('/persona?from=2026-11-15&to=2026-11-15')).data.byCity).toEqual([
    { key: '上海', count: 230 },
  ]);
  // A second run finds nothing new.
  const again = await tick();
  expect(again.data.insight).toEqual({ summarized: 0, counted: 0 });
});

test('a won lead that was never an MQL stays inside the funnel; corrected back to 新线索 it takes both counts back', async () => {
  await seedLeadDocs(cloud, [leadDoc({ _id: 'l1', mql: false })]);
  const funnel = async () => (await get('/dashboard?from=2026-09-01&to=2026-12-31')).data.funnel;
  const move = (status: string) => cloud.api('PATCH', '/leads/l1/status', { status }, admin);

  await move('won');
  expect(await funnel()).toMatchObject({ contacted: 1, won: 1, mql: 0 });
  await move('new');
  expect(await funnel()).toMatchObject({ contacted: 0, won: 0 });
  await move('contacted');
  await move('won');
  expect(await funnel()).toMatchObject({ contacted: 1, won: 1 });

  // The dispatcher's recount from the leads as they stand agrees with the counts kept move by move.
  const recount = await cloud.call('dispatch', { action: 'recount' }, null);
  expect(
    recount.data.differences.filter((d: { counter: string }) => ['contacted', 'won'].includes(d.counter)),
  ).toEqual([]);
});

test('the persona counts role and tags of new customers, and the customers who came back, against the period before', async () => {
  // First seen in the period (Nov 20 to 22): one left a lead the same day, one none.
  await seedCustomer('new-lead', { createdAt: at(10), profile: { role: '采购' } });
  await seedCustomer('new-quiet', { createdAt: at(11) });
  // Seen before and back with a lead in the period, one of them also in the period before.
  await seedCustomer('back', { createdAt: at(0), profile: { role: '店长' } });
  await seedCustomer('back-twice', { createdAt: at(0) });
  await seedCustomer('back-each', { createdAt: at(0) });
  await seedLead('n1', 'new-lead', { createdAt: at(10), tags: ['意向:高', '行业:零售'] });
  await seedLead('b1', 'back', { createdAt: at(11), tags: ['意向:高'] });
  // Two leads in the period: one returning customer, not two.
  await seedLead('t1', 'back-twice', { createdAt: at(10) });
  await seedLead('t2', 'back-twice', { createdAt: at(12) });
  await seedLead('e1', 'back-each', { createdAt: at(8) });
  await seedLead('e2', 'back-each', { createdAt: at(11) });
  await tick();

  const persona = (await get('/persona?from=2026-11-20&to=2026-11-22')).data;
  expect(persona).toMatchObject({
    total: 2,
    returning: 3,
    byRole: [
      { key: null, count: 1 },
      { key: '采购', count: 1 },
    ],
    // Only the new customers' tags: the returning ones were first seen before.
    byTag: [
      { key: '意向:高', count: 1 },
      { key: '行业:零售', count: 1 },
    ],
    previous: { from: '2026-11-17', to: '2026-11-19', total: 0, returning: 1 },
  });
  expect((await get('/persona?from=2026-11-10&to=2026-11-10')).data).toMatchObject({
    total: 3,
    returning: 0,
    byRole: [
      { key: null, count: 2 },
      { key: '店长', count: 1 },
    ],
    byTag: [{ key: '意向:高', count: 1 }],
  });

  // A later lead moves a return; a run with nothing new changes nothing.
  await seedLead('q1', 'new-quiet', { createdAt: at(13), updatedAt: at(41), tags: ['意向:低'] });
  await tickAt(at(41));
  await tickAt(at(42));
  const later = (await get('/persona?from=2026-11-23&to=2026-11-23')).data;
  expect(later).toMatchObject({ total: 0, returning: 1 });
  const again = (await get('/persona?from=2026-11-20&to=2026-11-22')).data;
  expect(again).toMatchObject({
    total: 2,
    returning: 3,
    byTag: [
      { key: '意向:低', count: 1 },
      { key: '意向:高', count: 1 },
      { key: '行业:零售', count: 1 },
    ],
  });
});

test('a customer who deletes their data leaves the persona, the customer list and segment counts', async () => {
  const openid = 'leaving-person';
  const touched = await cloud.call(
    'customer',
    { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: {} } },
    openid,
  );
  expect(touched.ok).toBe(true);
  const session = await cloud.call('customer', { action: 'session' }, openid);
  await db
    .collection('customers')
    .doc(session.data.customerId)
    .update({ data: { profile: { city: '苏州' }, updatedAt: new Date() } });
  await tickAt(new Date());
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const persona = async () => (await get(`/persona?from=${today}&to=${today}`)).data;
  const listed = async () => (await get('/customers')).data.items.length;
  const segmentCount = async () =>
    (await cloud.api('POST', '/segments/count', { filter: { city: '苏州' } }, admin)).body.data.count;
  expect(await persona()).toMatchObject({ total: 1, byCity: [{ key: '苏州', count: 1 }] });
  expect(await listed()).toBe(1);
  expect(await segmentCount()).toBe(1);

  expect((await cloud.call('customer', { action: 'deleteMyData' }, openid)).data).toEqual({
    deleted: true,
  });
  expect(await persona()).toMatchObject({ total: 0, byCity: [] });
  await tickAt(new Date());
  expect(await persona()).toMatchObject({ total: 0, byCity: [], byChannel: [] });
  expect(await listed()).toBe(0);
  expect(await segmentCount()).toBe(0);
});

test('a segment count stops at its cap and says the segment is at least that big', async () => {
  for (const id of ['a', 'b', 'c', 'd', 'e']) await seedCustomer(id, { profile: { city: '上海' } });
  await seedCustomer('f', { profile: { city: '北京' } });
  const where = { mergedInto: null, 'profile.city': '上海' };
  expect(await countCustomersUpTo(db, where, 3)).toEqual({ count: 3, atLeast: true });
  expect(await countCustomersUpTo(db, where, 5)).toEqual({ count: 5, atLeast: true });
  expect(await countCustomersUpTo(db, where, 6)).toEqual({ count: 5, atLeast: false });
  expect(await countCustomersUpTo(db, { mergedInto: null, 'profile.city': '杭州' }, 3)).toEqual({
    count: 0,
    atLeast: false,
  });
});

test('customers counted before roles, tags and returns were counted are walked again once and move by what is new', async () => {
  // As the first job left them: a mark of the four first dimensions, its counters, watermarks past it.
  const firstMark = ['2026-11-20', '上海', null, 'poster-1', null];
  await seedCustomer('old', {
    createdAt: at(10),
    profile: { city: '上海', role: '店长' },
    personaMark: JSON.stringify(firstMark),
  });
  await seedLead('old-lead', 'old', { createdAt: at(12), tags: ['意向:高'] });
  const dimensions = ['city', 'industry', 'channel', 'store'];
  await db.collection('personaCounters').add({
    data: dimensions.map((dimension, i) => {
      const value = firstMark[i + 1];
      return {
        _id: stableId('2026-11-20', dimension, value === null ? '-' : `=${value}`),
        day: '2026-11-20',
        dimension,
        value,
        count: 1,
      };
    }),
  });
  const past = { at: at(30), id: '' };
  await db.collection('insightState').add({ data: { _id: 'watermarks', leads: past, customers: past } });

  await tick();
  expect((await get('/persona?from=2026-11-20&to=2026-11-22')).data).toMatchObject({
    total: 1,
    // Back on Nov 22, but first seen inside the period: new, not returning.
    returning: 0,
    byCity: [{ key: '上海', count: 1 }],
    byRole: [{ key: '店长', count: 1 }],
    byTag: [{ key: '意向:高', count: 1 }],
  });
  expect((await get('/persona?from=2026-11-22&to=2026-11-22')).data).toMatchObject({
    total: 0,
    returning: 1,
  });
  // Walked once: the next run finds nothing.
  expect((await tick()).data.insight).toEqual({ summarized: 0, counted: 0 });
});
