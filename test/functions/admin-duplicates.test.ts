// Duplicates refused with a field error, on the line they concern: code, channel, activity and
// rule names; a code named like an existing channel of its kind counts under it instead of a twin.
import { adminCloudPerFile } from './admin-cloud';

const env = adminCloudPerFile();

const post = async (path: string, body: unknown) => (await env.cloud.api('POST', path, body, env.admin)).body;

test('a code name is used once; a bulk request names every repeated line', async () => {
  expect((await post('/codes', { channelType: 'poster', name: '地铁海报' })).ok).toBe(true);
  const again = await post('/codes', { channelType: 'poster', name: '地铁海报' });
  expect(again.error.fields).toEqual([{ path: 'name', message: '已有名为「地铁海报」的活码，请换个名称' }]);

  const bulk = await post('/codes/bulk', {
    channelType: 'poster',
    items: [{ name: '静安寺站' }, { name: '地铁海报' }, { name: '人民广场站' }, { name: '静安寺站' }],
  });
  expect(bulk.error.fields).toEqual([
    { path: 'items.1.name', message: '第 2 行：已有名为「地铁海报」的活码，请换个名称' },
    { path: 'items.3.name', message: '第 4 行：与第 1 行重名' },
  ]);
  // Nothing of a refused request is stored.
  expect((await env.db.collection('codes').get()).data).toHaveLength(1);

  // A line the server refuses later (an unknown staff member) is named too.
  const unknown = await post('/codes/bulk', {
    channelType: 'poster',
    items: [{ name: '甲' }, { name: '乙', staffId: 'staff-nobody' }],
  });
  expect(unknown.error.fields).toEqual([{ path: 'items.1.staffId', message: '第 2 行：没有这名员工' }]);
});

test('a code named like a channel of its kind counts under it; of another kind it is refused', async () => {
  const channel = await post('/channels', { type: 'ad', name: '朋友圈广告', cost: 100 });
  const twin = await post('/channels', { type: 'poster', name: '朋友圈广告' });
  expect(twin.error.fields[0]).toMatchObject({ path: 'name', message: '已有名为「朋友圈广告」的渠道' });

  const code = await post('/codes', { channelType: 'ad', name: '朋友圈广告' });
  const stored = (await env.db.collection('codes').doc(code.data.codeId).get()).data;
  expect(stored.channelId).toBe(channel.data.channelId);
  expect((await env.db.collection('channels').get()).data).toHaveLength(1);

  const other = await post('/codes', { channelType: 'poster', name: '朋友圈广告' });
  expect(other.error.fields[0].path).toBe('name');
});

test('activity titles and rule names are used once (saving one under its own name is fine)', async () => {
  const start = Date.now() + 86_400_000;
  const activity = {
    title: '周末品鉴会',
    startAt: new Date(start).toISOString(),
    endAt: new Date(start + 3_600_000).toISOString(),
    capacity: 10,
    fields: ['name', 'phone'],
  };
  const { activityId } = (await post('/activities', activity)).data;
  expect((await post('/activities', activity)).error.fields[0]).toMatchObject({
    path: 'title',
    message: expect.stringContaining('已有名为「周末品鉴会」的活动'),
  });
  expect(
    (await env.cloud.api('PATCH', `/activities/${activityId}`, { title: '周末品鉴会' }, env.admin)).body.ok,
  ).toBe(true);

  const rule = {
    name: '加盟意向',
    kind: 'tag',
    group: '意向',
    tag: '加盟',
    when: [{ type: 'phoneVerified' }],
  };
  const { ruleId } = (await post('/rules', rule)).data;
  expect((await post('/rules', rule)).error.fields).toEqual([
    { path: 'name', message: '已有名为「加盟意向」的规则' },
  ]);
  expect(
    (await env.cloud.api('PATCH', `/rules/${ruleId}`, { name: '加盟意向', enabled: false }, env.admin)).body
      .ok,
  ).toBe(true);
});
