// What capture costs in database requests (each one a network hop and a billed operation in
// CloudBase), counted by the local cloud per call; the store a customer picks; and the funnel
// counts that capture leaves for the dispatcher.
import { activityDoc, type ProjectCloud, startProjectCloud } from './project-cloud';

let cloud: ProjectCloud;
let db: any;
let activityId: string;
const POLICY = { version: '2026-11-01', accepted: true };
const STORES = ['徐汇店', '静安旗舰店'];
const salesOf: Record<string, string[]> = {};

beforeAll(async () => {
  cloud = await startProjectCloud();
  db = cloud.db;
  // As deployed: an instance keeps rules, settings, sales and stores for a while (the project's
  // test default of 0 reads them on every call). Set before the first call starts the worker.
  process.env.LEADPOOL_CONFIG_CACHE_MS = '600000';
  for (const [i, store] of STORES.entries()) {
    await db.collection('stores').add({
      data: {
        name: store,
        city: '上海',
        region: '华东',
        active: true,
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    salesOf[store] = [];
    for (const k of [1, 2]) {
      const { _id } = await db.collection('staff').add({
        data: {
          name: `销售${i}${k}`,
          store,
          role: 'sales',
          active: true,
          openid: null,
          inviteCode: `REQ${i}${k}`,
          sales: { weight: 1, dailyCap: 40 },
          createdAt: new Date(),
        },
      });
      salesOf[store].push(_id);
    }
  }
  activityId = (
    await db.collection('activities').add({ data: activityDoc({ fields: ['name', 'phone', 'store'] }) })
  )._id;
  // The first call of the worker loads that configuration.
  await call('warm-up', { action: 'leadForm' });
});
afterAll(async () => {
  process.env.LEADPOOL_CONFIG_CACHE_MS = '0';
  await cloud.close();
});

/** One call as the mini program makes it: its answer and the database requests it made. */
async function call(openid: string, event: Record<string, unknown>) {
  const res = await fetch(`${cloud.cloud.url}/api/functions/customer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
    body: JSON.stringify(event),
  });
  return { answer: (await res.json()) as any, requests: Number(res.headers.get('x-local-db-requests')) };
}

const entry = { scene: 1001, path: 'pages/home/index', query: {} };
const tick = () => cloud.call('dispatch', { action: 'tick' }, null);

test('database requests per call stay at their ceilings', async () => {
  const costs: Record<string, number> = {};
  const measure = async (name: string, openid: string, event: Record<string, unknown>) => {
    const { answer, requests } = await call(openid, event);
    expect({ name, answer: answer.ok ? 'ok' : answer.error }).toEqual({ name, answer: 'ok' });
    costs[name] = requests;
  };
  await measure('touch (new customer)', 'req-a', { action: 'touch', entry });
  await measure('touch (same cell again today)', 'req-a', { action: 'touch', entry });
  await measure('session', 'req-a', { action: 'session' });
  await call('req-d', { action: 'touch', entry });
  await measure('leadForm', 'req-a', { action: 'leadForm' });
  await measure('getActivity', 'req-a', { action: 'getActivity', activityId });
  // The day's first lead of a rotation and of each seller creates their counters: measured after.
  const lead = (openid: string, phone: string) => ({
    action: 'submitLead',
    requestId: `${openid}-lead`,
    fields: { name: '甲', phone },
    consent: POLICY,
  });
  for (const [i, openid] of ['req-w1', 'req-w2', 'req-w3', 'req-w4'].entries())
    expect((await call(openid, lead(openid, `1380000000${i}`))).answer.ok).toBe(true);
  const warmJoin = await call('req-w5', {
    action: 'joinActivity',
    requestId: 'req-w5-join',
    activityId,
    fields: { name: '戊', phone: '13800000005', store: '徐汇店' },
    consent: POLICY,
  });
  expect(warmJoin.answer.ok).toBe(true);
  await measure('submitLead (typed phone)', 'req-a', {
    action: 'submitLead',
    requestId: 'req-a-lead',
    fields: { name: '甲', phone: '13900000001' },
    consent: POLICY,
  });
  await measure('submitLead (one-tap phone, after an entry)', 'req-d', {
    action: 'submitLead',
    requestId: 'req-d-lead',
    fields: { name: '丁', phoneCode: 'test:13900000004' },
    consent: POLICY,
  });
  await call('req-b', { action: 'touch', entry });
  await measure('joinActivity (typed phone, after an entry)', 'req-b', {
    action: 'joinActivity',
    requestId: 'req-b-join',
    activityId,
    fields: { name: '乙', phone: '13900000002', store: '徐汇店' },
    consent: POLICY,
  });
  // Issue 14's targets: submitLead and joinActivity ≤ 6, touch ≤ 3, getActivity ≤ 3 (met for
  // someone not signed up), session 2. What is left above them (README, 性能): a one-tap number's
  // claim and its saving before anything can refuse; a join's seat, registration and the
  // duplicate-phone read beside the owner's turn, daily cap, lead and customer.
  const ceilings = {
    'touch (new customer)': 3,
    'touch (same cell again today)': 3,
    session: 2,
    leadForm: 2,
    getActivity: 3,
    'submitLead (typed phone)': 6,
    'submitLead (one-tap phone, after an entry)': 7,
    'joinActivity (typed phone, after an entry)': 9,
  };
  const over = Object.entries(costs).filter(([name, n]) => n > ceilings[name as keyof typeof ceilings]);
  expect({ over, costs }).toEqual({ over: [], costs: expect.any(Object) });
});

test('the store field offers the open stores, refuses any other, and routes to the picked store', async () => {
  const form = (await call('req-c', { action: 'getActivity', activityId })).answer.data.form;
  expect(form.fields.find((field: any) => field.key === 'store')).toMatchObject({
    kind: 'choice',
    options: STORES.slice().sort(),
  });
  const join = (requestId: string, store: string) =>
    call('req-c', {
      action: 'joinActivity',
      requestId,
      activityId,
      fields: { name: '丙', phone: '13900000003', store },
      consent: POLICY,
    });
  const registrations = () =>
    db
      .collection('registrations')
      .count()
      .then((r: { total: number }) => r.total);
  const before = await registrations();
  const typo = (await join('req-c-typo', '徐汇')).answer;
  expect(typo.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'fields.store' }] });
  expect(await registrations()).toBe(before);
  const joined = (await join('req-c-join', '静安旗舰店')).answer;
  expect(joined.ok).toBe(true);
  const { data } = await db.collection('leads').where({ 'answers.store': '静安旗舰店' }).get();
  expect(data).toHaveLength(1);
  expect(salesOf['静安旗舰店']).toContain(data[0].ownerId);
});

test('capture leaves its funnel counts to the dispatcher, and two runs at once count each event once', async () => {
  const before = await tick();
  expect(before.ok).toBe(true);
  const openids = Array.from({ length: 30 }, (_, i) => `req-crowd-${i}`);
  await Promise.all(openids.map((openid) => call(openid, { action: 'touch', entry })));
  const pending = await db
    .collection('touches')
    .where({ 'pendingCount.claimUntil': db.command.exists(true) })
    .count();
  expect(pending.total).toBe(30);
  const runs = await Promise.all([tick(), tick(), tick()]);
  expect(runs.reduce((sum, run) => sum + run.data.counted, 0)).toBe(30);
  const recount = await cloud.call('dispatch', { action: 'recount' }, null);
  expect(recount.data.differences).toEqual([]);
});
