// The me page's privacy controls against a real local cloud: a customer who left an inquiry sees
// what is held, withdraws consent, then deletes their data; the lead stays counted, anonymous.
import { admin, count, useLocalCloud } from './local-cloud';
import { Hands, platform, postJson, render, texts, until } from './support';

useLocalCloud();

const session = async () =>
  (
    (await postJson(
      `${platform.cloudUrl}/api/functions/customer`,
      { action: 'session' },
      {
        'x-wx-openid': platform.openid,
      },
    )) as any
  ).data;

test('see my data, withdraw consent, delete my data', async () => {
  platform.openid = 'privacy-person';
  const lead = render('lead');
  lead.instance.onLoad({});
  await until(() => lead.querySelector('.lead-form-host')?.querySelector('.submit-phone') !== undefined);
  const form = lead.querySelector('.lead-form-host');
  const hands = new Hands();
  await hands.chooseNickname(form.querySelector('.input-name'), '小周');
  await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  await hands.tap(form.querySelector('.submit-phone'), 'getphonenumber', { code: 'test:13700137000' });
  await until(() => texts(lead, '.done-text').length > 0);

  const me = render('me');
  me.instance.onShow();
  await until(() => texts(me, '.name').length > 0);
  expect(texts(me, '.name')).toEqual(['小周']);
  expect(texts(me, '.phone')).toEqual(['手机号：137****7000']);
  expect(texts(me, '.empty')).toEqual(['还没有报名活动']);

  await hands.tap(me.querySelector('.my-data'));
  await until(() => texts(me, '.data-summary').length > 0);
  expect(texts(me, '.data-summary')[0]).toContain('姓名：小周');
  expect(texts(me, '.data-summary')[0]).toContain('手机号：13700137000');
  expect(texts(me, '.data-summary')[0]).toContain('留资记录 1 条');

  await hands.tap(me.querySelector('.withdraw'));
  const toasted = (title: string) => () =>
    (global as any).wx.showToast.mock.calls.some(([options]: any[]) => options.title === title);
  await until(toasted('已撤回同意'));
  expect((await session()).consent.accepted).toBe(false);

  await hands.tap(me.querySelector('.delete'));
  await until(toasted('数据已删除'));
  await until(() => texts(me, '.data-summary').length === 0 && texts(me, '.name').length > 0);
  const leads = await admin({
    action: 'database.getDocument',
    collectionName: 'leads',
    query: '{}',
    queryType: 'WHERE',
  });
  expect(await count('leads')).toBe(1);
  expect(JSON.parse(leads.data.list[0])).toMatchObject({ name: null, phone: null });
  expect((await session()).hasPhone).toBe(false);
}, 60_000);
