// The lead page and its form with the customer function stubbed: progressive profiling, consent,
// field validation, server errors beside their field, and one request id per attempt.
import type { LeadForm } from '../../typings/customer';
import { calls, flush, Hands, platform, render, texts } from './support';

const policy = {
  version: '2026-11-01',
  purpose: '用于活动报名、到场签到和门店顾问与您联系',
  retention: '保存至您撤回同意或删除数据，最长 24 个月',
  recipients: '本品牌及为您服务的门店顾问，不向其他第三方提供',
};
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
    field('note', '留言', 'longtext', { required: false, maxLength: 500 }),
  ] as LeadForm['fields'],
  known: [],
  consentRequired: true,
  policy,
};

let submitAnswers: unknown[] = [];
function answerLeadForm(form: LeadForm) {
  platform.answer.mockImplementation((_name: string, data: any) => {
    if (data.action === 'leadForm') return { ok: true, data: form };
    if (data.action === 'submitLead') return submitAnswers.shift();
    return { ok: false, error: { code: 'UNKNOWN_ACTION', message: '?' } };
  });
}
const submits = () => calls.filter((call) => call.data.action === 'submitLead').map((call) => call.data);
/** The fields the form asks, by the inputs it shows (the phone is a button until declined). */
const asked = (form: any): string[] =>
  ['name', 'phone', 'company', 'industry', 'role', 'city', 'store', 'note'].filter(
    (key) => form.querySelector(`.input-${key}`) !== undefined,
  );
const settle = async () => {
  for (let i = 0; i < 4; i += 1) await flush();
};

async function open(form: LeadForm, options: Record<string, string> = {}) {
  answerLeadForm(form);
  const page = render('lead');
  page.instance.onLoad(options);
  await settle();
  return { page, form: page.querySelector('.lead-form-host') };
}

beforeEach(() => {
  calls.length = 0;
  submitAnswers = [];
  platform.answer.mockReset();
});

test('a new customer sees every missing field, the consent terms, and submit disabled until ticked', async () => {
  const { form } = await open(newCustomer, { activityId: 'a1' });
  expect(calls[0].data).toEqual({ action: 'leadForm', activityId: 'a1' });
  expect(asked(form)).toEqual(['name', 'company', 'note']);
  // `<input type="nickname">`: the simulator does not reflect attributes, the field's kind decides it.
  expect(form.instance.data.fields[0]).toMatchObject({ key: 'name', kind: 'nickname' });
  expect(texts(form, '.policy-purpose, .policy-retention, .policy-recipients')).toEqual([
    `用途：${policy.purpose}`,
    `保存期限：${policy.retention}`,
    `接收方：${policy.recipients}`,
  ]);
  const phoneButton = form.querySelector('.submit-phone');
  expect(form.instance.data.canSubmit).toBe(false);
  expect(form.instance.data.consent).toBe(false);
  // Tapping the disabled phone button does nothing.
  await new Hands().tap(phoneButton, 'getphonenumber', { code: 'test:13800138000' });
  expect(submits()).toEqual([]);
  await new Hands().tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  expect(form.instance.data.canSubmit).toBe(true);
  await new Hands().tap(form.querySelector('.policy-link'));
  expect(texts(form, '.policy-version')).toEqual(['版本：2026-11-01']);
});

test('a returning customer is asked only what is missing, sees the rest, and needs no consent again', async () => {
  const { form } = await open({
    ...newCustomer,
    fields: [newCustomer.fields[2]],
    known: [
      { key: 'name', label: '姓名', display: '小林' },
      { key: 'phone', label: '手机号', display: '138****8000' },
    ],
    consentRequired: false,
  });
  expect(texts(form, '.known-item')).toEqual(['姓名：小林', '手机号：138****8000']);
  expect(asked(form)).toEqual(['company']);
  expect(form.querySelector('.submit-phone')).toBeUndefined();
  expect(form.querySelector('.consent')).toBeUndefined();
  submitAnswers = [{ ok: true, data: { leadId: 'l1', customerId: 'k1', duplicate: false } }];
  const hands = new Hands();
  await hands.tap(form.querySelector('.submit'));
  expect(texts(form, '.error-company')).toEqual(['请填写公司']);
  expect(submits()).toEqual([]);
  await hands.type(form.querySelector('.input-company'), '  林氏茶行 ');
  await hands.tap(form.querySelector('.submit'));
  await settle();
  expect(submits()).toEqual([
    {
      action: 'submitLead',
      requestId: expect.stringMatching(/^[A-Za-z0-9_-]{8,64}$/),
      fields: { company: '林氏茶行' },
    },
  ]);
});

test('the one-tap phone button submits the code; a refusal falls back to a checked manual number', async () => {
  const { page, form } = await open(newCustomer);
  const hands = new Hands();
  await hands.chooseNickname(form.querySelector('.input-name'), '小林');
  await hands.type(form.querySelector('.input-company'), '林氏茶行');
  await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  await hands.tap(form.querySelector('.submit-phone'), 'getphonenumber', {
    errMsg: 'getPhoneNumber:fail user deny',
  });
  expect(submits()).toEqual([]);
  expect(texts(form, '.notice')).toEqual(['没有授权也没关系，可以手动填写手机号']);
  await hands.tap(form.querySelector('.submit'));
  expect(texts(form, '.error-phone')).toEqual(['请填写手机号']);
  await hands.type(form.querySelector('.input-phone'), '12345678901');
  await hands.tap(form.querySelector('.submit'));
  expect(texts(form, '.error-phone')).toEqual(['手机号格式不正确']);
  await hands.type(form.querySelector('.input-phone'), '+86 139-0013-9000');
  submitAnswers = [{ ok: true, data: { leadId: 'l1', customerId: 'k1', duplicate: false } }];
  await hands.tap(form.querySelector('.submit'));
  await settle();
  expect(texts(form, '.error-phone')).toEqual([]);
  expect(submits()[0]).toMatchObject({
    fields: { name: '小林', company: '林氏茶行', phone: '+86 139-0013-9000' },
    consent: { version: '2026-11-01', accepted: true },
  });
  expect(texts(page, '.done-text')).toEqual(['提交成功，顾问会尽快联系你']);
});

test('server errors show beside their field; a network failure is retried with the same request id', async () => {
  const { page, form } = await open(newCustomer);
  const hands = new Hands();
  await hands.chooseNickname(form.querySelector('.input-name'), '小林');
  await hands.type(form.querySelector('.input-company'), '林氏茶行');
  await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  submitAnswers = [
    {
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: '填写的信息有误，请检查后重试',
        fields: [
          { path: 'fields.phoneCode', message: '该微信绑定的手机号无法使用，请手动填写' },
          { path: 'company', message: '公司不能超过 60 个字' },
        ],
      },
    },
    { ok: false, error: { code: 'INTERNAL', message: '网络不可用，请稍后重试' } },
    { ok: true, data: { leadId: 'l1', customerId: 'k1', duplicate: true } },
  ];
  await hands.tap(form.querySelector('.submit-phone'), 'getphonenumber', { code: 'test:13800138000' });
  await settle();
  expect(texts(page, '.notice')).toEqual(['填写的信息有误，请检查后重试']);
  expect(form.instance.data.canSubmit).toBe(true);
  // The unusable WeChat number turns into a typed one, its error beside it.
  expect(texts(form, '.error-phone')).toEqual(['该微信绑定的手机号无法使用，请手动填写']);
  expect(form.querySelector('.submit-phone')).toBeUndefined();
  expect(texts(form, '.error-company')).toEqual(['公司不能超过 60 个字']);
  // The customer fixes both; the first attempt was refused, so this is a new attempt.
  await hands.type(form.querySelector('.input-company'), '林氏');
  await hands.type(form.querySelector('.input-phone'), '13900139000');
  expect(texts(form, '.error-company, .error-phone')).toEqual([]);
  await hands.tap(form.querySelector('.submit'));
  await settle();
  expect(texts(page, '.notice')).toEqual(['网络不可用，请稍后重试']);
  await hands.tap(form.querySelector('.submit'));
  await settle();
  const [refused, lost, retried] = submits().map((s) => s.requestId);
  expect(lost).not.toBe(refused);
  expect(retried).toBe(lost);
  expect(texts(page, '.done-text')).toHaveLength(1);
});

test('the form cannot load: the error and a retry that works', async () => {
  platform.answer.mockReturnValueOnce({
    ok: false,
    error: { code: 'RATE_LIMITED', message: '操作太频繁，请稍后再试' },
  });
  const page = render('lead');
  page.instance.onLoad({});
  await settle();
  expect(texts(page, '.error-message')).toEqual(['操作太频繁，请稍后再试']);
  answerLeadForm(newCustomer);
  await new Hands().tap(page.querySelector('.retry'));
  await settle();
  expect(page.querySelector('.lead-form-host')).toBeDefined();
});
