// The lead form's decisions where a device behaves in ways jsdom cannot show: WeChat's paid phone
// button (enabled only when nothing local can still refuse; quota exhausted; typing up front), the
// nickname reviewed by WeChat, and the platform privacy flow; custom fields with their own controls
// (radio, checkbox, date picker, number) sent by field id.
import type { LeadForm } from '../../typings/customer';
import { calls, flush, Hands, loadApp, platform, render, texts } from './support';

const policy = { version: '2026-11-01', purpose: '报名', retention: '24 个月', recipients: '本品牌' };
const field = (key: string, label: string, kind: string, extra: Record<string, unknown> = {}) => ({
  key,
  label,
  kind,
  maxLength: 30,
  required: true,
  ...extra,
});
const newCustomer: LeadForm = {
  activityId: null,
  fields: [
    field('name', '姓名', 'nickname'),
    field('phone', '手机号', 'phone', { pattern: '^1[3-9]\\d{9}$' }),
    field('company', '公司', 'text'),
    field('industry', '行业', 'choice', { options: ['零售', '餐饮'] }),
  ] as LeadForm['fields'],
  known: [],
  consentRequired: true,
  policy,
};

const settle = async () => {
  for (let i = 0; i < 4; i += 1) await flush();
};
const submits = () => calls.filter((call) => call.data.action === 'submitLead').map((call) => call.data);

async function open(form: LeadForm = newCustomer) {
  platform.answer.mockImplementation((_name: string, data: any) =>
    data.action === 'leadForm'
      ? { ok: true, data: form }
      : { ok: true, data: { leadId: 'l1', customerId: 'k1', duplicate: false } },
  );
  const page = render('lead');
  page.instance.onLoad({});
  await settle();
  return { page, form: page.querySelector('.lead-form-host') };
}

beforeEach(() => {
  calls.length = 0;
  platform.answer.mockReset();
  platform.storage.clear();
  platform.privacyAgreed = true;
  platform.privacyListener = null;
});

describe('rules', () => {
  const { formState, localErrors, fieldLabel } = require('../../miniprogram/components/lead-form/rules');
  const state = (values: Record<string, string>, consent = true, extra = {}) =>
    formState({ form: newCustomer, values, consent, busy: false, manualPhone: false, ...extra });

  test.each([
    [{}, true, false, '填写微信昵称、公司、行业后即可使用微信手机号'],
    [{ name: '小林', company: '林氏' }, true, false, '填写行业后即可使用微信手机号'],
    [{ name: '小林', company: '林氏', industry: '零售' }, false, false, '勾选同意后即可使用微信手机号'],
    [{ name: '小林', company: '   ', industry: '零售' }, true, false, '填写公司后即可使用微信手机号'],
    [{ name: '小林', company: '林氏', industry: '零售' }, true, true, ''],
  ])('values %j, consent %s: phone button usable %s', (values, consent, usable, hint) => {
    expect(state(values, consent)).toMatchObject({ phoneButton: true, canUsePhone: usable, phoneHint: hint });
  });

  test('busy, typing the number, or a known phone: no paid button', () => {
    const all = { name: '小林', company: '林氏', industry: '零售' };
    expect(state(all, true, { busy: true })).toMatchObject({ canUsePhone: false, canSubmit: false });
    expect(state(all, true, { manualPhone: true })).toMatchObject({ phoneButton: false, canUsePhone: false });
    const known = formState({
      form: { ...newCustomer, fields: newCustomer.fields.filter((f) => f.key !== 'phone') },
      values: all,
      consent: true,
      busy: false,
      manualPhone: false,
    });
    expect(known).toMatchObject({ phoneButton: false, canUsePhone: false, canSubmit: true });
  });

  test('a typed phone is checked; a nickname field is labelled as one', () => {
    expect(localErrors(newCustomer, { phone: '1380013' }, false).phone).toBe('手机号格式不正确');
    expect(localErrors(newCustomer, { phone: '+86 139-0013-9000' }, false).phone).toBeUndefined();
    expect(localErrors(newCustomer, {}, true).phone).toBeUndefined();
    expect(localErrors(newCustomer, {}, true).name).toBe('请填写微信昵称');
    expect(fieldLabel({ kind: 'nickname', label: '姓名' })).toBe('微信昵称');
    expect(fieldLabel({ kind: 'text', label: '姓名' })).toBe('姓名');
  });

  test('the phone event: a code, an exhausted quota, a refusal, anything else; the quota is remembered 12 hours', () => {
    const phone = require('../../miniprogram/services/phone');
    expect(phone.readPhoneEvent({ code: 'c' })).toEqual({ kind: 'code', code: 'c' });
    expect(phone.readPhoneEvent({ errno: 1400001, errMsg: 'getPhoneNumber:fail no quota' })).toEqual({
      kind: 'quota',
    });
    expect(phone.readPhoneEvent({ errMsg: 'getPhoneNumber:fail user deny' })).toEqual({ kind: 'declined' });
    expect(phone.readPhoneEvent({ errno: 104, errMsg: 'privacy permission is not authorized' })).toEqual({
      kind: 'failed',
    });
    const hour = 3_600_000;
    expect(phone.quotaRecentlyExhausted(null, 10 * hour)).toBe(false);
    expect(phone.quotaRecentlyExhausted(0, 11 * hour)).toBe(true);
    expect(phone.quotaRecentlyExhausted(0, 12 * hour)).toBe(false);
  });
});

test('the phone button stays disabled until everything else is valid; then one code is sent, once', async () => {
  const { form } = await open();
  const hands = new Hands();
  expect(form.instance.data.canUsePhone).toBe(false);
  expect(texts(form, '.phone-hint')).toEqual(['填写微信昵称、公司、行业并勾选同意后即可使用微信手机号']);
  // Labelled for what it is: a WeChat nickname, not a verified name.
  expect(form.instance.data.fields[0]).toMatchObject({ key: 'name', displayLabel: '微信昵称' });
  await hands.chooseNickname(form.querySelector('.input-name'), '小林');
  await hands.type(form.querySelector('.input-company'), '林氏茶行');
  await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  expect(form.instance.data.canUsePhone).toBe(false);
  await hands.phoneButton(form.querySelector('.submit-phone'), { code: 'test:13800138000' });
  expect(submits()).toEqual([]);
  await hands.tap(form.querySelector('.input-industry'), 'change', { value: 1 });
  expect(form.instance.data.canUsePhone).toBe(true);
  expect(texts(form, '.phone-hint')).toEqual([]);
  await hands.phoneButton(form.querySelector('.submit-phone'), { code: 'test:13800138000' });
  await settle();
  expect(submits()).toEqual([
    expect.objectContaining({
      fields: { phoneCode: 'test:13800138000', name: '小林', company: '林氏茶行', industry: '餐饮' },
    }),
  ]);
});

test('typing the number is offered up front, before any tap on the phone button', async () => {
  const { form } = await open();
  expect(texts(form, '.manual-phone-link')).toEqual(['手动填写手机号']);
  await new Hands().tap(form.querySelector('.manual-phone-link'));
  expect(form.querySelector('.submit-phone')).toBeUndefined();
  expect(form.querySelector('.input-phone')).toBeDefined();
  expect(form.querySelector('.submit')).toBeDefined();
});

test('an exhausted quota (errno 1400001) turns to typing, and the next form remembers it', async () => {
  const ready = async () => {
    const { form } = await open();
    const hands = new Hands();
    await hands.chooseNickname(form.querySelector('.input-name'), '小林');
    await hands.type(form.querySelector('.input-company'), '林氏茶行');
    await hands.tap(form.querySelector('.input-industry'), 'change', { value: 0 });
    await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
    return { form, hands };
  };
  const { form, hands } = await ready();
  await hands.phoneButton(form.querySelector('.submit-phone'), {
    errno: 1400001,
    errMsg: 'getPhoneNumber:fail no permission',
  });
  expect(texts(form, '.notice')).toEqual(['微信手机号快捷填写暂不可用，请手动填写']);
  expect(form.querySelector('.input-phone')).toBeDefined();
  expect(submits()).toEqual([]);
  const again = await open();
  expect(again.form.querySelector('.submit-phone')).toBeUndefined();
  expect(again.form.querySelector('.input-phone')).toBeDefined();
  expect(texts(again.form, '.notice')).toEqual(['微信手机号快捷填写暂不可用，请手动填写']);
});

test('a nickname WeChat refuses on review is cleared, with the reason; the value is read on blur', async () => {
  const { form } = await open();
  const hands = new Hands();
  await hands.chooseNickname(form.querySelector('.input-name'), '违规昵称', { pass: false, timeout: false });
  expect(form.instance.data.values.name).toBe('');
  expect(texts(form, '.error-name')).toEqual(['这个昵称无法使用，请换一个']);
  // A review that timed out leaves the nickname as it is (the server checks it again).
  await hands.chooseNickname(form.querySelector('.input-name'), '小林', { pass: false, timeout: true });
  expect(form.instance.data.values.name).toBe('小林');
  expect(texts(form, '.error-name')).toEqual([]);
  form.querySelector('.input-name').dispatchEvent('blur', { detail: { value: '小林2' } });
  await flush();
  expect(form.instance.data.values.name).toBe('小林2');
});

describe('the platform privacy flow', () => {
  function withApp() {
    const app = loadApp();
    app.onLaunch();
    return app;
  }

  test('a customer who has not agreed sees the prompt; agreeing lets WeChat offer the nickname', async () => {
    platform.privacyAgreed = false;
    const { page, form } = await open();
    withApp();
    await settle();
    expect(texts(form, '.privacy-title')).toEqual(['使用微信昵称和手机号前，请阅读并同意']);
    await new Hands().tap(form.querySelector('.privacy-guide'));
    expect((global as any).wx.openPrivacyContract).toHaveBeenCalled();
    const hands = new Hands();
    await expect(hands.chooseNickname(form.querySelector('.input-name'), '小林')).rejects.toThrow();
    await hands.agreePrivacy(form.querySelector('.privacy-agree'));
    expect(form.querySelector('.privacy-prompt')).toBeUndefined();
    await hands.chooseNickname(form.querySelector('.input-name'), '小林');
    expect(page.instance).toBeDefined();
  });

  test('the phone button before agreement waits for the prompt; agreeing lets it deliver its code', async () => {
    platform.privacyAgreed = false;
    const { form } = await open({
      ...newCustomer,
      fields: newCustomer.fields.filter((f) => f.key === 'phone'),
    });
    withApp();
    // The prompt was dismissed for now ("暂不" would turn the form to typing): simulate it closed.
    form.setData({ privacyNeeded: false });
    form.instance.refresh();
    await new Hands().tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
    const hands = new Hands();
    await hands.phoneButton(form.querySelector('.submit-phone'), { code: 'test:13800138000' });
    // WeChat holds the button's call until the customer answers the prompt the listener opened.
    expect(texts(form, '.privacy-title')).toHaveLength(1);
    expect(submits()).toEqual([]);
    await hands.agreePrivacy(form.querySelector('.privacy-agree'));
    await settle();
    expect(submits()).toEqual([expect.objectContaining({ fields: { phoneCode: 'test:13800138000' } })]);
  });

  test('declining the prompt turns the form to typing; a page without a prompt fails the call at once', async () => {
    platform.privacyAgreed = false;
    const { form } = await open();
    withApp();
    await settle();
    await new Hands().tap(form.querySelector('.privacy-decline'));
    expect(texts(form, '.notice')).toEqual(['未同意隐私保护指引：可以手动填写昵称和手机号']);
    expect(form.querySelector('.input-phone')).toBeDefined();
    // A page with no prompt on screen (fresh modules: nothing registered): the call fails at once.
    jest.resetModules();
    require('../../miniprogram/services/privacy').listenForPrivacyRequests();
    const answers: string[] = [];
    platform.privacyListener?.((answer) => answers.push(answer.event), {
      referrer: 'saveImageToPhotosAlbum',
    });
    expect(answers).toEqual(['disagree']);
  });
});

describe('custom fields', () => {
  const custom = (key: string, label: string, kind: string, extra: Record<string, unknown> = {}) =>
    ({
      ...field(key, label, kind, { custom: true, maxLength: 100 }),
      ...extra,
    }) as LeadForm['fields'][number];
  const withCustom: LeadForm = {
    ...newCustomer,
    consentRequired: false,
    fields: [
      custom('c_budget', '预算', 'number'),
      custom('c_kinds', '关注品类', 'multichoice', { options: ['咖啡', '茶', '甜点'] }),
      custom('c_way', '到店方式', 'choice', { options: ['自驾', '地铁'], required: false }),
      custom('c_day', '期望日期', 'date'),
      custom('c_store', '就近门店', 'choice', {
        options: ['一店', '二店', '三店', '四店', '五店', '六店', '七店'],
        required: false,
      }),
      custom('c_more', '想了解什么', 'longtext', { required: false }),
    ],
  };

  test('each type has its control; required ones say what is missing; answers are sent by field id', async () => {
    const { form } = await open(withCustom);
    const hands = new Hands();
    const tag = (key: string) => form.querySelector(`.input-${key}`).dom.tagName.toLowerCase();
    // Few options: a radio group; many: a picker.
    expect(['c_budget', 'c_kinds', 'c_way', 'c_day', 'c_store', 'c_more'].map(tag)).toEqual([
      'wx-input',
      'wx-checkbox-group',
      'wx-radio-group',
      'wx-picker',
      'wx-picker',
      'wx-textarea',
    ]);
    expect(texts(form, '.input-c_day')).toEqual(['请选择期望日期']);

    await hands.tap(form.querySelector('.submit'));
    expect(texts(form, '.field-error')).toEqual(['请填写预算', '请选择关注品类', '请选择期望日期']);
    expect(submits()).toEqual([]);

    await hands.type(form.querySelector('.input-c_budget'), '3000');
    await hands.tap(form.querySelector('.input-c_kinds'), 'change', { value: ['咖啡', '甜点'] });
    await hands.tap(form.querySelector('.input-c_way'), 'change', { value: '地铁' });
    await hands.tap(form.querySelector('.input-c_day'), 'change', { value: '2026-12-24' });
    await hands.tap(form.querySelector('.input-c_store'), 'change', { value: 2 });
    expect(texts(form, '.input-c_day')).toEqual(['2026-12-24']);
    expect(form.instance.data.fields.find((f: any) => f.key === 'c_kinds').choices).toEqual([
      { option: '咖啡', checked: true },
      { option: '茶', checked: false },
      { option: '甜点', checked: true },
    ]);
    await hands.tap(form.querySelector('.submit'));
    await settle();
    expect(submits()).toEqual([
      expect.objectContaining({
        fields: {
          c_budget: '3000',
          c_kinds: ['咖啡', '甜点'],
          c_way: '地铁',
          c_day: '2026-12-24',
          c_store: '三店',
        },
      }),
    ]);
  });

  test("the server's error on a custom field shows under it", async () => {
    const { page, form } = await open(withCustom);
    platform.answer.mockImplementation(() => ({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: '预算应为数字',
        fields: [{ path: 'fields.c_budget', message: '预算应为数字' }],
      },
    }));
    const hands = new Hands();
    await hands.type(form.querySelector('.input-c_budget'), '1e9');
    await hands.tap(form.querySelector('.input-c_kinds'), 'change', { value: ['茶'] });
    await hands.tap(form.querySelector('.input-c_day'), 'change', { value: '2026-12-24' });
    await hands.tap(form.querySelector('.submit'));
    await settle();
    expect(texts(form, '.error-c_budget')).toEqual(['预算应为数字']);
    expect(page.instance).toBeDefined();
  });
});
