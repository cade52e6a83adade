// The customer journey in miniprogram-simulate against a real local cloud: from scanning a code
// to a stored sign-up, counting taps and keystrokes as on a phone: with WeChat's privacy flow for a
// customer who never agreed to the mini program's privacy guide, and the taps WeChat's own sheets
// ask for (the nickname offered above the keyboard, 允许 on the phone-number sheet).
import { activity, admin, count, insert, useLocalCloud } from './local-cloud';
import { Hands, openFromCode, platform, render, texts, until } from './support';

useLocalCloud();

test('a new customer scans a code and signs up in 6 taps and 0 keystrokes; a returning one in 1 tap', async () => {
  const firstActivity = await insert('activities', activity('春季新品品鉴会'));
  await insert('codes', {
    scene: 'poster0001',
    channelId: 'ch-poster-spring',
    channelType: 'poster',
    name: '门店海报',
    staffId: null,
    storeId: 'store-jingan',
    activityId: firstActivity,
    disabled: false,
    envId: 'leadpool-local',
    imageFileId: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });

  // Scanning the code opens the activity page with only `scene`; the app records the entry.
  platform.openid = 'journey-new';
  platform.privacyAgreed = false;
  const page = openFromCode('activity', 'poster0001');
  await until(() => texts(page, '.title').length > 0);
  expect(texts(page, '.title')).toEqual(['春季新品品鉴会']);

  const hands = new Hands();
  const form = page.querySelector('.lead-form-host');
  // WeChat's privacy guide first (1 tap): until then the nickname input offers no nickname.
  await until(() => form.querySelector('.privacy-agree') !== undefined);
  await hands.agreePrivacy(form.querySelector('.privacy-agree'));
  // Tap into the field, tap the nickname WeChat offers (2 taps).
  await hands.chooseNickname(form.querySelector('.input-name'), '小林');
  await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  // WeChat's phone button and 允许 on its sheet (2 taps): the number is verified and the form submits.
  await hands.phoneButton(form.querySelector('.submit-phone'), { code: 'test:13800138000' });
  await until(() => texts(page, '.joined').length > 0);
  expect(hands).toMatchObject({ taps: 6, keystrokes: 0 });
  expect(await count('registrations')).toBe(1);
  expect(await count('leads')).toBe(1);
  const leads = await admin({
    action: 'database.getDocument',
    collectionName: 'leads',
    query: '{}',
    queryType: 'WHERE',
  });
  const lead = JSON.parse(leads.data.list[0]);
  expect(lead).toMatchObject({
    name: '小林',
    phone: '13800138000',
    phoneVerified: true,
    channel: 'ch-poster-spring',
  });

  // Back another day for another activity: everything is known, one tap joins.
  const secondActivity = await insert('activities', activity('会员沙龙'));
  const again = render('activity');
  again.instance.onLoad({ id: secondActivity });
  await until(() => texts(again, '.title').length > 0);
  const returning = new Hands();
  const knownForm = again.querySelector('.lead-form-host');
  expect(texts(knownForm, '.known-item')).toEqual(['姓名：小林', '手机号：138****8000']);
  expect(knownForm.querySelector('.consent')).toBeUndefined();
  await returning.tap(knownForm.querySelector('.submit'));
  await until(() => texts(again, '.joined').length > 0);
  expect(returning).toMatchObject({ taps: 1, keystrokes: 0 });
  expect(await count('registrations')).toBe(2);
}, 60_000);
