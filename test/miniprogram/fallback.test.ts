// The lead form's fallbacks against a real local cloud: typing the phone when the one-tap button
// is declined, and server-side refusals shown next to their field.
import { count, useLocalCloud } from './local-cloud';
import { Hands, platform, render, texts, until } from './support';

useLocalCloud();

test('a declined phone button falls back to typing it; the server errors show next to the field', async () => {
  platform.openid = 'journey-typist';
  const page = render('lead');
  page.instance.onLoad({});
  await until(() => page.querySelector('.lead-form-host')?.querySelector('.submit-phone') !== undefined);
  const form = page.querySelector('.lead-form-host');
  const hands = new Hands();
  await hands.type(form.querySelector('.input-name'), '老王');
  await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  await hands.tap(form.querySelector('.submit-phone'), 'getphonenumber', {
    errMsg: 'getPhoneNumber:fail user deny',
  });
  await until(() => form.querySelector('.input-phone') !== undefined);
  expect(texts(form, '.notice')).toEqual(['没有授权也没关系，可以手动填写手机号']);
  await hands.type(form.querySelector('.input-phone'), '1380013');
  await hands.tap(form.querySelector('.submit'));
  expect(texts(form, '.error-phone')).toEqual(['手机号格式不正确']);
  await hands.type(form.querySelector('.input-phone'), '139 0013 9000');
  await hands.type(form.querySelector('.input-note'), '这里有违禁词');
  await hands.tap(form.querySelector('.submit'));
  await until(() => texts(form, '.error-note').length > 0);
  expect(texts(form, '.error-note')).toEqual(['内容包含不宜发布的信息，请修改后再提交']);
  expect(await count('leads')).toBe(0);
  await hands.type(form.querySelector('.input-note'), '想了解会员');
  await hands.tap(form.querySelector('.submit'));
  await until(() => texts(page, '.done-text').length > 0);
  expect(await count('leads')).toBe(1);
}, 60_000);

test('a phone code the server cannot exchange turns into typing the number, with the reason beside it', async () => {
  platform.openid = 'journey-expired-code';
  const page = render('lead');
  page.instance.onLoad({});
  await until(() => page.querySelector('.lead-form-host')?.querySelector('.submit-phone') !== undefined);
  const form = page.querySelector('.lead-form-host');
  const hands = new Hands();
  await hands.chooseNickname(form.querySelector('.input-name'), '小吴');
  await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  // What DevTools gives against the local cloud: a real code the local fake does not know.
  await hands.tap(form.querySelector('.submit-phone'), 'getphonenumber', {
    code: 'expired-or-devtools-code',
  });
  await until(() => form.querySelector('.input-phone') !== undefined);
  expect(texts(form, '.error-phone')).toHaveLength(1);
  await hands.type(form.querySelector('.input-phone'), '13600136000');
  expect(texts(form, '.error-phone')).toEqual([]);
  await hands.tap(form.querySelector('.submit'));
  await until(() => texts(page, '.done-text').length > 0);
}, 60_000);
