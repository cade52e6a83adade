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
  await until(() => texts(me, '.data-line').length > 0);
  const summary = texts(me, '.data-line');
  expect(summary).toEqual([
    '姓名：小周',
    '手机号：13700137000（微信验证）',
    expect.stringMatching(/^授权：已同意（\S+ 版，\d+月\d+日 \d\d:\d\d）$/),
    '留资记录 1 条，报名 0 条，访问记录 0 条',
  ]);
  // The lead itself, as we hold it.
  expect(texts(me, '.held-lead .held-line')).toEqual(['姓名：小周', '手机号：13700137000']);

  await hands.tap(me.querySelector('.withdraw'));
  const toasted = (title: string) => () =>
    (global as any).wx.showToast.mock.calls.some(([options]: any[]) => options.title === title);
  await until(toasted('已撤回同意'));
  expect((await session()).consent.accepted).toBe(false);
  // The data on screen says so too.
  await until(() => texts(me, '.data-line')[2]?.startsWith('授权：已撤回'));

  await hands.tap(me.querySelector('.delete'));
  await until(toasted('数据已删除'));
  await until(() => texts(me, '.data-line').length === 0 && texts(me, '.name').length > 0);
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
