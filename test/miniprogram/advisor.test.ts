// 添加专属顾问企业微信 after a lead, after a sign-up and on 我的: WeCom's 「联系我」 plugin with the
// advisor's contact way, the QR image as the fallback, and "already a contact" (-3006) said so.
import type { LeadForm } from '../../typings/customer';
import { calls, flush, Hands, platform, render, texts } from './support';

const form: LeadForm = {
  activityId: null,
  fields: [
    { key: 'company', label: '公司', kind: 'text', maxLength: 30, required: true },
  ] as LeadForm['fields'],
  known: [
    { key: 'name', label: '姓名', display: '小林' },
    { key: 'phone', label: '手机号', display: '138****8000' },
  ],
  consentRequired: false,
  policy: { version: '2026-11-01', purpose: 'p', retention: 'r', recipients: 'x' },
};
const contact = {
  configId: 'cw-plugin-1',
  qrCode: 'https://wework.qpic.cn/wwpic/qr-1.png',
  advisorName: '张顾问',
  state: 'lpAbCdEfGh12',
};
let advisorAnswer: unknown;

beforeEach(() => {
  calls.length = 0;
  advisorAnswer = { ok: true, data: contact };
  platform.answer.mockReset();
  platform.answer.mockImplementation((_name: string, data: any) => {
    if (data.action === 'leadForm') return { ok: true, data: form };
    if (data.action === 'submitLead')
      return { ok: true, data: { leadId: 'l1', customerId: 'k1', duplicate: false } };
    if (data.action === 'advisorContact') return advisorAnswer;
    return { ok: false, error: { code: 'UNKNOWN_ACTION', message: '?' } };
  });
});

const settle = async () => {
  for (let i = 0; i < 4; i += 1) await flush();
};
const advisorCalls = () => calls.filter((c) => c.data.action === 'advisorContact').map((c) => c.data);

async function leadDone(options: Record<string, string> = {}) {
  const page = render('lead');
  page.instance.onLoad(options);
  await settle();
  const hands = new Hands();
  await hands.type(page.querySelector('.lead-form-host').querySelector('.input-company'), '林氏茶行');
  await hands.tap(page.querySelector('.lead-form-host').querySelector('.submit'));
  await settle();
  return page.querySelector('.advisor-host');
}

test('after a lead the customer is offered their advisor through the plugin, with the lead activity', async () => {
  const advisor = await leadDone({ activityId: 'a1' });
  expect(advisorCalls()).toEqual([{ action: 'advisorContact', activityId: 'a1' }]);
  expect(texts(advisor, '.advisor-title')).toEqual(['添加专属顾问企业微信']);
  expect(texts(advisor, '.advisor-name')).toEqual(['你的顾问：张顾问']);
  expect(texts(advisor.querySelector('.advisor-cell'), '.contact-plugin-cell')).toEqual(['cw-plugin-1']);
  // The QR only when asked for or when the plugin fails.
  expect(advisor.querySelector('.advisor-qr')).toBeUndefined();
  await new Hands().tap(advisor.querySelector('.advisor-qr-link'));
  expect(advisor.querySelector('.advisor-qr-image')).toBeDefined();
  expect(texts(advisor, '.advisor-qr-tip')).toEqual(['长按识别二维码，添加顾问企业微信']);
});

test.each([
  [0, '已添加，顾问会在企业微信里联系你'],
  [-3006, '你已是该顾问的企业微信联系人'],
])('the plugin answering %s is shown as such', async (errcode, shown) => {
  const advisor = await leadDone();
  advisor.querySelector('.advisor-cell').dispatchEvent('completemessage', { detail: { errcode } });
  await settle();
  expect(texts(advisor, '.advisor-outcome')).toEqual([shown]);
  expect(advisor.querySelector('.advisor-cell')).toBeUndefined();
});

test('a plugin failure falls back to the QR image for long-press', async () => {
  const advisor = await leadDone();
  advisor.querySelector('.advisor-cell').dispatchEvent('completemessage', { detail: { errcode: -3002 } });
  await settle();
  expect(texts(advisor, '.advisor-qr-tip')).toEqual(['长按识别二维码，添加顾问企业微信']);
});

test('without WeCom set up the entry is hidden and the lead page is otherwise unchanged', async () => {
  advisorAnswer = {
    ok: false,
    error: { code: 'NOT_CONFIGURED', message: '企业微信尚未配置，暂时无法添加顾问' },
  };
  const advisor = await leadDone();
  expect(advisor.querySelector('.advisor')).toBeUndefined();
  expect(texts(advisor, '.advisor-title')).toEqual([]);
});
