// Insight that reads true, through the admin API: the funnel's stages never grow after MQL (a side
// rate) and a status corrected back takes its counts back; the persona's role, tag and
// new-vs-returning counts from the job's counters; a customer who deletes their data counts nowhere.
import { countCustomersUpTo } from '../../cloudfunctions/repositories/insight';
import { adminCloudPerFile, leadDoc, seedLeadDocs } from './admin-cloud';
import { DAY_MS } from './project-cloud';

const env = adminCloudPerFile();
const api = async (method: string, path: string, body?: unknown) =>
  (await env.cloud.api(method, path, body, env.admin)).body;

/** 2026-11-10 00:00 China time. */
const DAY0 = Date.parse('2026-11-09T16:00:00Z');
const at = (day: number, hour = 10) => new Date(DAY0 + day * DAY_MS + hour * 3_600_000);
const tick = (now?: Date) =>
  env.cloud.call('dispatch', { action: 'tick', ...(now ? { now: now.toISOString() } : {}) }, null);

async function seedCustomer(id: string, createdAt: Date, profile: Record<string, string> = {}) {
  await env.db.collection('customers').add({
    data: {
      _id: id,
      openid: `openid-${id}`,
      openids: [`openid-${id}`],
      unionid: null,
      phone: null,
      phoneVerified: false,
      profile,
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
    },
  });
}

test('a won lead that was never an MQL stays inside the funnel; corrected back to 新线索 it takes both counts back', async () => {
  await seedLeadDocs(env.cloud, [leadDoc({ _id: 'l1', mql: false })]);
  const funnel = async () => (await api('GET', '/dashboard?from=2026-09-01&to=2026-12-31')).data.funnel;
  const move = (status: string) => api('PATCH', '/leads/l1/status', { status });

  await move('won');
  expect(await funnel()).toMatchObject({ contacted: 1, won: 1, mql: 0 });
  await move('new');
  expect(await funnel()).toMatchObject({ contacted: 0, won: 0 });
  await move('contacted');
  await move('won');
  expect(await funnel()).toMatchObject({ contacted: 1, won: 1 });

  // The dispatcher's recount from the leads as they stand agrees with the counts kept move by move.
  const recount = await env.cloud.call('dispatch', { action: 'recount' }, null);
  expect(
    recount.data.differences.filter((d: { counter: string }) => ['contacted', 'won'].includes(d.counter)),
  ).toEqual([]);
});

test('the persona counts role and tags of new customers, and the customers who came back, against the period before', async () => {
  // First seen in the period (Nov 20 to 22): one left a lead the same day, one none.
  await seedCustomer('new-lead', at(10), { role: '采购' });
  await seedCustomer('new-quiet', at(11));
  // Seen before and back with a lead in the period, one of them also in the period before.
  await seedCustomer('back', at(0), { role: '店长' });
  await seedCustomer('back-twice', at(0));
  await seedCustomer('back-each', at(0));
  await seedLeadDocs(env.cloud, [
    leadDoc({ customerId: 'new-lead', createdAt: at(10), updatedAt: at(10), tags: ['意向:高', '行业:零售'] }),
    leadDoc({ customerId: 'back', createdAt: at(11), updatedAt: at(11), tags: ['意向:高'] }),
    // Two leads in the period: one returning customer, not two.
    leadDoc({ customerId: 'back-twice', createdAt: at(10), updatedAt: at(10) }),
    leadDoc({ customerId: 'back-twice', createdAt: at(12), updatedAt: at(12) }),
    leadDoc({ customerId: 'back-each', createdAt: at(8), updatedAt: at(8) }),
    leadDoc({ customerId: 'back-each', createdAt: at(11), updatedAt: at(11) }),
  ]);
  await tick(at(40));

  const persona = (await api('GET', '/persona?from=2026-11-20&to=2026-11-22')).data;
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
  expect((await api('GET', '/persona?from=2026-11-10&to=2026-11-10')).data).toMatchObject({
    total: 3,
    returning: 0,
    byRole: [
      { key: null, count: 2 },
      { key: '店长', count: 1 },
    ],
    byTag: [{ key: '意向:高', count: 1 }],
  });

  // A later lead moves a return; a run with nothing new changes nothing.
  await seedLeadDocs(env.cloud, [
    leadDoc({ customerId: 'new-quiet', createdAt: at(13), updatedAt: at(41), tags: ['意向:低'] }),
  ]);
  await tick(at(41));
  await tick(at(42));
  const later = (await api('GET', '/persona?from=2026-11-23&to=2026-11-23')).data;
  expect(later).toMatchObject({ total: 0, returning: 1 });
  const again = (await api('GET', '/persona?from=2026-11-20&to=2026-11-22')).data;
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
  const touched = await env.cloud.call(
    'customer',
    { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: {} } },
    openid,
  );
  expect(touched.ok).toBe(true);
  const session = await env.cloud.call('customer', { action: 'session' }, openid);
  await env.db
    .collection('customers')
    .doc(session.data.customerId)
    .update({ data: { profile: { city: '苏州' }, updatedAt: new Date() } });
  await tick();
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const persona = async () => (await api('GET', `/persona?from=${today}&to=${today}`)).data;
  const listed = async () => (await api('GET', '/customers')).data.items.length;
  const segmentCount = async () =>
    (await api('POST', '/segments/count', { filter: { city: '苏州' } })).data.count;
  expect(await persona()).toMatchObject({ total: 1, byCity: [{ key: '苏州', count: 1 }] });
  expect(await listed()).toBe(1);
  expect(await segmentCount()).toBe(1);

  expect((await env.cloud.call('customer', { action: 'deleteMyData' }, openid)).data).toEqual({
    deleted: true,
  });
  expect(await persona()).toMatchObject({ total: 0, byCity: [] });
  await tick();
  expect(await persona()).toMatchObject({ total: 0, byCity: [], byChannel: [] });
  expect(await listed()).toBe(0);
  expect(await segmentCount()).toBe(0);
});

test('a segment count stops at its cap and says the segment is at least that big', async () => {
  for (const id of ['a', 'b', 'c', 'd', 'e']) await seedCustomer(id, at(1), { city: '上海' });
  await seedCustomer('f', at(1), { city: '北京' });
  const where = { mergedInto: null, 'profile.city': '上海' };
  expect(await countCustomersUpTo(env.db, where, 3)).toEqual({ count: 3, atLeast: true });
  expect(await countCustomersUpTo(env.db, where, 5)).toEqual({ count: 5, atLeast: true });
  expect(await countCustomersUpTo(env.db, where, 6)).toEqual({ count: 5, atLeast: false });
  expect(await countCustomersUpTo(env.db, { mergedInto: null, 'profile.city': '杭州' }, 3)).toEqual({
    count: 0,
    atLeast: false,
  });
});
