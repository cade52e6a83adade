// The lead list's work through the local cloud: 成交 counts the leads won now, 已流失 needs a
// reason, a reassignment moves the customer's next lead too, bulk actions over every lead a filter
// selects, and a total under every filter (exact where the indexes count, else estimated).
import { adminCloudPerFile, leadDoc, seedLeadDocs } from './admin-cloud';
import { seedStaff } from './project-cloud';

const env = adminCloudPerFile();

const DAY = 86_400_000;
const api = async (method: string, path: string, body?: unknown) =>
  (await env.cloud.api(method, path, body, env.admin)).body;
const wonOnDashboard = async () =>
  (await api('GET', '/dashboard?from=2026-09-01&to=2026-12-31')).data.funnel.won as number;

test('成交 counts the leads won now: won → new → lost takes it back, won again counts again', async () => {
  await seedLeadDocs(env.cloud, [leadDoc({ _id: 'l1' })]);
  const move = (status: string, note?: string) => api('PATCH', '/leads/l1/status', { status, note });
  expect((await move('won')).ok).toBe(true);
  expect(await wonOnDashboard()).toBe(1);
  await move('new');
  expect(await wonOnDashboard()).toBe(0);
  const noReason = await move('lost');
  expect(noReason.error.fields).toEqual([{ path: 'note', message: '改为已流失时请填写流失原因' }]);
  expect((await move('lost', '已在别家购买')).ok).toBe(true);
  expect(await wonOnDashboard()).toBe(0);
  await move('won');
  expect(await wonOnDashboard()).toBe(1);
  await move('lost', '改主意了');
  // The dispatcher's recount from the leads agrees: a lead won once and lost since is not 成交.
  const recount = await env.cloud.call('dispatch', { action: 'recount' }, null);
  expect(recount.data.differences.filter((d: { counter: string }) => d.counter === 'won')).toEqual([]);
  expect(await wonOnDashboard()).toBe(0);
});

test("a reassignment moves the customer's next lead to the new owner", async () => {
  const seller = await seedStaff(env.db, { name: '新销售', store: 'S1', role: 'sales' });
  await env.db
    .collection('customers')
    .add({ data: { _id: 'cust-x', salesOwnerId: null, createdAt: new Date() } });
  await seedLeadDocs(env.cloud, [leadDoc({ _id: 'l2', customerId: 'cust-x' })]);
  expect((await api('POST', '/leads/assign', { leadIds: ['l2'], ownerId: seller })).data).toEqual({
    updated: 1,
  });
  expect((await env.db.collection('customers').doc('cust-x').get()).data.salesOwnerId).toBe(seller);
  await api('POST', '/leads/assign', { leadIds: ['l2'], ownerId: null });
  expect((await env.db.collection('customers').doc('cust-x').get()).data.salesOwnerId).toBeNull();
});

test('bulk actions reach every lead a filter selects, across pages', async () => {
  const seller = await seedStaff(env.db, { name: '销售甲', store: 'S1', role: 'sales' });
  await seedLeadDocs(env.cloud, [
    ...Array.from({ length: 130 }, () => leadDoc({ channel: 'poster-1' })),
    ...Array.from({ length: 5 }, () => leadDoc({ channel: 'ad-9' })),
  ]);
  const assigned = await api('POST', '/leads/assign', { filter: { channel: 'poster-1' }, ownerId: seller });
  expect(assigned.data).toEqual({ updated: 130 });
  expect((await env.db.collection('leads').where({ ownerId: seller }).count()).total).toBe(130);
  const tagged = await api('POST', '/leads/tag', { filter: { channel: 'ad-9' }, add: ['意向:高'] });
  expect(tagged.data).toEqual({ updated: 5 });
  // Picked leads or a filter, never both or neither.
  expect((await api('POST', '/leads/tag', { add: ['x'] })).error.fields[0].path).toBe('leadIds');
});

test('a total under every filter: exact where the indexes count, else estimated', async () => {
  const now = Date.now();
  // 3,600 leads over 36 days, nine in ten tagged: more matches than the estimate walks.
  const docs = Array.from({ length: 3600 }, (_, i) =>
    leadDoc({ createdAt: new Date(now - (i + 1) * (DAY / 100)), tags: i % 10 !== 0 ? ['意向:高'] : [] }),
  );
  await seedLeadDocs(env.cloud, docs);
  expect((await api('GET', '/leads/count')).data).toEqual({ total: 3600, exact: true });
  const tagged = (await api('GET', `/leads/count?tag=${encodeURIComponent('意向:高')}`)).data;
  expect(tagged.exact).toBe(false);
  expect(Math.abs(tagged.total - 3240)).toBeLessThan(324);
  const narrow = (
    await api(
      'GET',
      `/leads/count?tag=${encodeURIComponent('意向:高')}&from=2026-01-01&to=${new Date(now - 30 * DAY).toISOString().slice(0, 10)}`,
    )
  ).data;
  expect(narrow.exact).toBe(true);
});
