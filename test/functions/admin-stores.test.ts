// Stores as a managed list through the local cloud: unique names, picked never typed (staff, codes
// and robots must name an active store), a rename carried to everything that names the store.
import { adminCloudPerFile } from './admin-cloud';

const env = adminCloudPerFile();

const ROBOT = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef0123456789';
const addStore = async (name: string, extra: Record<string, unknown> = {}) =>
  (await env.cloud.api('POST', '/stores', { name, city: '上海', region: '华东', ...extra }, env.admin)).body;
const stores = async (token = env.admin) =>
  (await env.cloud.api('GET', '/stores', undefined, token)).body.data.items;

test('stores are listed with city, region and staff count; names are unique; only managers write', async () => {
  expect((await addStore('静安店')).ok).toBe(true);
  const twin = await addStore(' 静安店 ');
  expect(twin.error).toMatchObject({
    code: 'INVALID_INPUT',
    fields: [{ path: 'name', message: '已有名为「静安店」的门店' }],
  });
  const empty = await addStore('');
  expect(empty.error.fields[0]).toMatchObject({ path: 'name', message: '请填写门店名称' });

  await env.cloud.api('POST', '/staff', { name: '王导购', store: '静安店', role: 'sales' }, env.admin);
  const viewer = await env.cloud.login('vivian', 'viewer');
  expect(await stores(viewer)).toEqual([
    expect.objectContaining({ name: '静安店', city: '上海', region: '华东', active: true, staffCount: 1 }),
  ]);
  expect((await env.cloud.api('POST', '/stores', { name: '徐汇店' }, viewer)).status).toBe(403);
  const sales = await env.cloud.login('sally', 'sales');
  expect((await env.cloud.api('GET', '/stores', undefined, sales)).status).toBe(403);
  // Every signed-in role gets the active stores for its pickers.
  expect((await env.cloud.api('GET', '/lookups', undefined, sales)).body.data.stores).toEqual([
    { storeId: expect.any(String), name: '静安店', city: '上海', region: '华东' },
  ]);
});

test('staff, codes and robots must name an active store of the list', async () => {
  await addStore('静安店');
  const typo = await env.cloud.api(
    'POST',
    '/staff',
    { name: '王导购', store: '静安 店', role: 'sales' },
    env.admin,
  );
  expect(typo.body.error.fields).toEqual([
    { path: 'store', message: expect.stringContaining('请从门店列表中选择') },
  ]);
  expect((await env.db.collection('staff').get()).data).toHaveLength(0);

  const ok = await env.cloud.api(
    'POST',
    '/staff',
    { name: '王导购', store: '静安店', role: 'sales' },
    env.admin,
  );
  const staffId = ok.body.data.staffId;
  const moved = await env.cloud.api('PATCH', `/staff/${staffId}`, { store: '不存在店' }, env.admin);
  expect(moved.body.error.fields[0].path).toBe('store');

  const code = await env.cloud.api(
    'POST',
    '/codes',
    { channelType: 'store', name: '门口海报', storeId: '静安' },
    env.admin,
  );
  expect(code.body.error.fields[0].path).toBe('storeId');
  expect(
    (
      await env.cloud.api(
        'POST',
        '/codes',
        { channelType: 'store', name: '门口海报', storeId: '静安店' },
        env.admin,
      )
    ).body.ok,
  ).toBe(true);

  const robot = await env.cloud.api(
    'PUT',
    '/settings',
    { robots: [{ id: 'east', url: ROBOT, store: '静安' }] },
    env.admin,
  );
  expect(robot.body.error.fields).toEqual([{ path: 'robots.0.store', message: expect.any(String) }]);
  const saved = await env.cloud.api(
    'PUT',
    '/settings',
    { robots: [{ id: 'east', url: ROBOT, store: '静安店' }] },
    env.admin,
  );
  expect(saved.body.ok).toBe(true);

  // A closed store is no longer offered: new references to it are refused.
  await addStore('徐汇店');
  const [, xuhui] = await stores();
  await env.cloud.api('PATCH', `/stores/${xuhui.storeId}`, { active: false }, env.admin);
  const closed = await env.cloud.api(
    'POST',
    '/staff',
    { name: '李导购', store: '徐汇店', role: 'staff' },
    env.admin,
  );
  expect(closed.body.error.fields[0].path).toBe('store');
  expect(
    (await env.cloud.api('GET', '/lookups', undefined, env.admin)).body.data.stores.map((s: any) => s.name),
  ).toEqual(['静安店']);
});

test('a rename carries over to staff, codes and robots; a store with active staff is not closed', async () => {
  await addStore('静安店');
  await addStore('徐汇店');
  const { staffId } = (
    await env.cloud.api('POST', '/staff', { name: '王导购', store: '静安店', role: 'sales' }, env.admin)
  ).body.data;
  const { codeId } = (
    await env.cloud.api(
      'POST',
      '/codes',
      { channelType: 'store', name: '门口海报', storeId: '静安店' },
      env.admin,
    )
  ).body.data;
  await env.cloud.api(
    'PUT',
    '/settings',
    {
      robots: [
        { id: 'east', url: ROBOT, store: '静安店' },
        { id: 'west', url: `${ROBOT}x`, store: '徐汇店' },
      ],
    },
    env.admin,
  );
  const jingan = (await stores()).find((s: any) => s.name === '静安店');
  expect(
    (await env.cloud.api('PATCH', `/stores/${jingan.storeId}`, { name: '徐汇店' }, env.admin)).body.error
      .fields[0],
  ).toMatchObject({ path: 'name' });

  const renamed = await env.cloud.api(
    'PATCH',
    `/stores/${jingan.storeId}`,
    { name: '静安嘉里店' },
    env.admin,
  );
  expect(renamed.body.data).toMatchObject({ name: '静安嘉里店', staffCount: 1 });
  expect((await env.db.collection('staff').doc(staffId).get()).data.store).toBe('静安嘉里店');
  expect((await env.db.collection('codes').doc(codeId).get()).data.storeId).toBe('静安嘉里店');
  const settings = (await env.db.collection('rules').doc('settings').get()).data;
  expect(settings.robots.map((r: any) => [r.id, r.store, r.url])).toEqual([
    ['east', '静安嘉里店', ROBOT],
    ['west', '徐汇店', `${ROBOT}x`],
  ]);
  const [entry] = (await env.db.collection('audit').where({ action: 'store.rename' }).get()).data;
  expect(entry.detail).toMatchObject({
    from: '静安店',
    name: '静安嘉里店',
    moved: { staff: 1, codes: 1, robots: 1 },
  });

  const close = await env.cloud.api('PATCH', `/stores/${jingan.storeId}`, { active: false }, env.admin);
  expect(close.body.error.fields[0]).toMatchObject({
    path: 'active',
    message: expect.stringContaining('1 名在职员工'),
  });
  await env.cloud.api('PATCH', `/staff/${staffId}`, { active: false }, env.admin);
  expect(
    (await env.cloud.api('PATCH', `/stores/${jingan.storeId}`, { active: false }, env.admin)).body.ok,
  ).toBe(true);
});

test('adopting creates the stores staff, codes and robots already name, once', async () => {
  const now = new Date();
  await env.db.collection('staff').add({
    data: {
      _id: 's1',
      name: '王',
      store: '老店',
      role: 'sales',
      active: true,
      inviteCode: 'AAAA2222',
      createdAt: now,
    },
  });
  await env.db.collection('rules').add({
    data: { _id: 'settings', kind: 'settings', robots: [{ id: 'r', url: ROBOT, store: '新店' }] },
  });
  await addStore('新店');
  const adopted = await env.cloud.api('POST', '/stores/adopt', {}, env.admin);
  expect(adopted.body.data.created).toEqual(['老店']);
  expect((await stores()).map((s: any) => s.name).sort()).toEqual(['新店', '老店']);
  expect((await env.cloud.api('POST', '/stores/adopt', {}, env.admin)).body.data.created).toEqual([]);
});
