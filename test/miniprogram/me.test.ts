// The me page with the customer function stubbed: profile, sign-ups with their check-in QR code,
// cancelling, and the privacy controls (see my data, withdraw consent, delete with confirmation).
import type { RegistrationSummary, SessionData } from '../../typings/customer';
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
  checkinQr: 'data:image/png;base64,iVBORw0KGgo=',
  createdAt: new Date().toISOString(),
  ...over,
});

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
    registration({ registrationId: 'r2', title: '会员沙龙', status: 'checked_in', checkinQr: undefined }),
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
        return {
          ok: true,
          data: {
            counts: { leads: 1, registrations: 2, touches: 73 },
            customer: { customerId: 'k1', phone: '13800138000', profile: session.profile },
            leads: [{}],
            registrations: [{}, {}],
            touches: [{}, {}, {}],
          },
        };
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
  expect(texts(page, '.data-summary')[0].split('\n')).toEqual([
    '姓名：小林',
    '公司：林氏茶行',
    '手机号：13800138000',
    '留资记录 1 条，报名 2 条，访问记录 73 条',
  ]);
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
  expect(texts(page, '.data-summary')).toEqual([]);
});
