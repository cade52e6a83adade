// The me page with the customer function stubbed: profile, sign-ups with their check-in QR code,
// cancelling, and the privacy controls (see my data, withdraw consent, delete with confirmation).
import type { MyData, RegistrationSummary, SessionData } from '../../typings/customer';
import { calls, flush, Hands, platform, render, texts } from './support';

const session: SessionData = {
  customerId: 'k1',
  hasPhone: true,
  phoneMasked: '138****8000',
  consent: { version: '2026-11-01', accepted: true, currentVersion: '2026-11-01' },
  policy: { version: '2026-11-01', purpose: '报名', retention: '24 个月', recipients: '本品牌' },
  isStaff: false,
  profile: { name: '小林', company: '林氏茶行' },
};
const registration = (over: Partial<RegistrationSummary>): RegistrationSummary => ({
  registrationId: 'r1',
  activityId: 'a1',
  title: '春季新品品鉴会',
  startAt: new Date(2026, 2, 8, 14, 30).toISOString(),
  place: '静安门店',
  status: 'joined',
  checkinCode: 'c1',
  reminderSet: false,
  checkinQr: 'data:image/png;base64,iVBORw0KGgo=',
  createdAt: new Date().toISOString(),
  ...over,
});

const at = (month: number, day: number, hour: number) =>
  new Date(2026, month - 1, day, hour, 0).toISOString();
/** Two leads (one for an activity signed up for) and two sign-ups, of 52 leads held. */
const myData: MyData = {
  counts: { leads: 52, registrations: 2, touches: 73 },
  customer: {
    customerId: 'k1',
    profile: session.profile,
    phone: '13800138000',
    phoneVerified: false,
    consent: { version: '2026-11-01', accepted: true, at: at(3, 1, 9) },
    createdAt: at(3, 1, 9),
  },
  leads: [
    {
      leadId: 'l2',
      createdAt: at(3, 2, 10),
      activityId: 'a1',
      name: '小林',
      phone: '13800138000',
      answers: { company: '林氏茶行', note: '想带同事', c_size01: '10 人以内、含外地' },
      tags: ['高意向'],
      consent: null,
      salesNotes: 2,
    },
    {
      leadId: 'l1',
      createdAt: at(3, 1, 9),
      activityId: null,
      name: null,
      phone: null,
      answers: {},
      tags: [],
      consent: null,
      salesNotes: 0,
    },
  ],
  registrations: [
    {
      registrationId: 'r2',
      activityId: 'a2',
      status: 'checked_in',
      answers: { note: '素食' },
      createdAt: at(3, 3, 11),
      checkedInAt: at(3, 8, 14),
    },
    {
      registrationId: 'r1',
      activityId: 'a1',
      status: 'joined',
      answers: {},
      createdAt: at(3, 2, 10),
      checkedInAt: null,
    },
  ],
  touches: [],
  answerLabels: { c_size01: '同行人数' },
};

let items: RegistrationSummary[] = [];
const actions = () => calls.map((call) => call.data.action);
const settle = async () => {
  for (let i = 0; i < 6; i += 1) await flush();
};

beforeEach(() => {
  calls.length = 0;
  platform.modalConfirms = true;
  platform.answer.mockReset();
  items = [
    registration({}),
    registration({
      registrationId: 'r2',
      activityId: 'a2',
      title: '会员沙龙',
      status: 'checked_in',
      checkinQr: undefined,
    }),
  ];
  platform.answer.mockImplementation((_name: string, data: any) => {
    switch (data.action) {
      case 'session':
        return { ok: true, data: session };
      case 'myRegistrations':
        return { ok: true, data: { items } };
      case 'cancelRegistration':
        items = items.map((r) =>
          r.registrationId === data.registrationId ? { ...r, status: 'cancelled' } : r,
        );
        return { ok: true, data: { registrationId: data.registrationId, status: 'cancelled' } };
      case 'myData':
        return { ok: true, data: myData };
      case 'withdrawConsent':
        return { ok: true, data: { withdrawn: true } };
      case 'deleteMyData':
        return { ok: true, data: { deleted: true } };
    }
    return { ok: false, error: { code: 'UNKNOWN_ACTION', message: '?' } };
  });
});

async function open() {
  const page = render('me');
  page.instance.onShow();
  await settle();
  return page;
}

test('shows the profile with a masked phone and each sign-up; a joined one carries its QR code', async () => {
  const page = await open();
  expect(texts(page, '.name')).toEqual(['小林']);
  expect(texts(page, '.phone')).toEqual(['手机号：138****8000']);
  expect(texts(page, '.registration-title')).toEqual(['春季新品品鉴会', '会员沙龙']);
  expect(texts(page, '.status')).toEqual(['已报名', '已签到']);
  expect(page.querySelectorAll('.checkin-qr')).toHaveLength(1);
  expect(page.instance.data.registrations[0].checkinQr).toMatch(/^data:image\/png;base64,/);
  expect(texts(page, '.staff-entry')).toEqual(['我是店员，去绑定']);
});

test('no sign-ups yet: the empty state; a failure: the message and a retry', async () => {
  items = [];
  const empty = await open();
  expect(texts(empty, '.empty')).toEqual(['还没有报名活动']);
  platform.answer.mockReturnValueOnce({
    ok: false,
    error: { code: 'INTERNAL', message: '网络不可用，请稍后重试' },
  });
  const failed = await open();
  expect(texts(failed, '.error-message')).toEqual(['网络不可用，请稍后重试']);
  await new Hands().tap(failed.querySelector('.retry'));
  await settle();
  expect(texts(failed, '.empty')).toEqual(['还没有报名活动']);
});

test('cancelling a sign-up asks first, then shows it cancelled', async () => {
  const page = await open();
  platform.modalConfirms = false;
  await new Hands().tap(page.querySelector('.cancel'));
  await settle();
  expect(actions()).not.toContain('cancelRegistration');
  platform.modalConfirms = true;
  await new Hands().tap(page.querySelector('.cancel'));
  await settle();
  expect(calls.find((call) => call.data.action === 'cancelRegistration')?.data).toEqual({
    action: 'cancelRegistration',
    registrationId: 'r1',
  });
  expect(texts(page, '.status')).toEqual(['已取消', '已签到']);
});

test('privacy: see what is held, withdraw consent, and delete only after confirming', async () => {
  const page = await open();
  await new Hands().tap(page.querySelector('.my-data'));
  await settle();
  expect(texts(page, '.data-line')).toEqual([
    '姓名：小林',
    '公司：林氏茶行',
    '手机号：13800138000（手动填写）',
    '授权：已同意（2026-11-01 版，3月1日 09:00）',
    '留资记录 52 条，报名 2 条，访问记录 73 条',
  ]);
  // Each lead with what we keep of it; sales notes counted, never quoted.
  expect(texts(page, '.held-lead .held-heading')).toEqual([
    '3月2日 10:00 · 春季新品品鉴会',
    '3月1日 09:00 · 咨询留资',
  ]);
  expect(texts(page, '.held-lead .held-line')).toEqual([
    '姓名：小林',
    '手机号：13800138000',
    '公司：林氏茶行',
    '留言：想带同事',
    '同行人数：10 人以内、含外地',
    '标签：高意向',
    '销售备注 2 条',
  ]);
  expect(texts(page, '.held-registration .held-heading')).toEqual([
    '3月3日 11:00 · 会员沙龙 · 已签到',
    '3月2日 10:00 · 春季新品品鉴会 · 已报名',
  ]);
  expect(texts(page, '.held-registration .held-line')).toEqual(['留言：素食', '签到：3月8日 14:00']);
  // 52 leads held, 2 listed: the page says the list is the newest ones.
  expect(texts(page, '.shown-note')).toEqual(['以上仅列出最近 2 条，条数以上方合计为准']);
  await new Hands().tap(page.querySelector('.withdraw'));
  await settle();
  expect(actions()).toContain('withdrawConsent');
  expect((global as any).wx.showToast).toHaveBeenLastCalledWith({ title: '已撤回同意', icon: 'success' });

  platform.modalConfirms = false;
  await new Hands().tap(page.querySelector('.delete'));
  await settle();
  expect(actions()).not.toContain('deleteMyData');
  platform.modalConfirms = true;
  await new Hands().tap(page.querySelector('.delete'));
  await settle();
  expect(actions()).toContain('deleteMyData');
  expect((global as any).wx.showToast).toHaveBeenLastCalledWith({
    title: '数据已删除',
    icon: 'success',
  });
  expect(texts(page, '.data-line')).toEqual([]);
});
