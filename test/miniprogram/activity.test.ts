// The activity page with the customer function stubbed: detail, closed and full states, errors,
// the join tap with its optional reminder subscription, and seats running out meanwhile.
import type { ActivityDetail } from '../../typings/customer';
import { calls, flush, Hands, openFromCode, platform, render, texts } from './support';

const detail = (over: Partial<ActivityDetail> = {}): ActivityDetail => ({
  activityId: 'a1',
  title: '春季新品品鉴会',
  description: '现场体验新品',
  place: '静安门店',
  startAt: new Date(2026, 2, 8, 14, 30).toISOString(),
  endAt: new Date(2026, 2, 8, 16, 30).toISOString(),
  deadline: new Date(2026, 2, 7, 20, 0).toISOString(),
  capacity: 30,
  remaining: 12,
  status: 'published',
  closed: false,
  myRegistration: null,
  form: {
    activityId: 'a1',
    fields: [],
    known: [{ key: 'name', label: '姓名', display: '小林' }],
    consentRequired: false,
    policy: { version: '2026-11-01', purpose: '报名', retention: '24 个月', recipients: '本品牌' },
  },
  ...over,
});

let activities: ActivityDetail[] = [];
let joinAnswer: unknown;
beforeEach(() => {
  calls.length = 0;
  platform.answer.mockReset();
  (global as any).wx.requestSubscribeMessage.mockReset();
  (global as any).wx.showToast.mockReset();
  platform.answer.mockImplementation((_name: string, data: any) => {
    switch (data.action) {
      case 'getActivity':
        return activities.length > 1
          ? { ok: true, data: activities.shift() }
          : { ok: true, data: activities[0] };
      case 'myShare':
        return { ok: true, data: { sharePath: 'pages/activity/index?id=a1&ref=k1' } };
      case 'joinActivity':
        return joinAnswer;
    }
    return { ok: false, error: { code: 'UNKNOWN_ACTION', message: '?' } };
  });
});

const settle = async () => {
  for (let i = 0; i < 6; i += 1) await flush();
};
async function open(...states: ActivityDetail[]) {
  activities = states;
  const page = render('activity');
  page.instance.onLoad({ id: 'a1' });
  expect(page.instance.data.state).toBe('loading');
  await settle();
  return page;
}
const joins = () => calls.filter((call) => call.data.action === 'joinActivity').map((call) => call.data);

test('shows the activity with its time, place, deadline and seats; shares with the customer’s own card', async () => {
  const page = await open(detail());
  expect(texts(page, '.title')).toEqual(['春季新品品鉴会']);
  expect(texts(page, '.meta')).toEqual(['时间：3月8日 14:30', '地点：静安门店', '报名截止：3月7日 20:00']);
  expect(texts(page, '.seats')).toEqual(['剩余 12 / 30 席']);
  expect(page.querySelector('.lead-form-host')).toBeDefined();
  expect(page.instance.onShareAppMessage()).toEqual({
    title: '春季新品品鉴会',
    path: '/pages/activity/index?id=a1&ref=k1',
  });
});

test('a full or closed activity shows why instead of the form', async () => {
  const full = await open(detail({ remaining: 0 }));
  expect(texts(full, '.closed')).toEqual(['名额已满']);
  expect(full.querySelector('.lead-form-host')).toBeUndefined();
  const closed = await open(detail({ closed: true }));
  expect(texts(closed, '.closed')).toEqual(['报名已截止']);
});

test('an unknown activity explains itself and can be retried', async () => {
  activities = [];
  platform.answer.mockReturnValueOnce({
    ok: false,
    error: { code: 'NOT_FOUND', message: '内容不存在或已下线' },
  });
  const page = render('activity');
  page.instance.onLoad({ id: 'gone' });
  await settle();
  expect(texts(page, '.error-message')).toEqual(['内容不存在或已下线']);
  activities = [detail()];
  await new Hands().tap(page.querySelector('.retry'));
  await settle();
  expect(texts(page, '.title')).toEqual(['春季新品品鉴会']);
});

test('the join tap asks for the reminder and passes the template only when accepted', async () => {
  const joined = detail({
    remaining: 11,
    myRegistration: {
      registrationId: 'r1',
      activityId: 'a1',
      title: '春季新品品鉴会',
      startAt: detail().startAt,
      place: '静安门店',
      status: 'joined',
      checkinCode: 'c1',
      reminderSet: true,
      createdAt: new Date().toISOString(),
    },
  });
  const page = await open(detail(), joined);
  const { config } = require('../../miniprogram/config');
  config.reminderTemplateId = 'tmpl-reminder';
  (global as any).wx.requestSubscribeMessage.mockImplementation(({ success }: any) =>
    success({ errMsg: 'requestSubscribeMessage:ok', 'tmpl-reminder': 'accept' }),
  );
  joinAnswer = { ok: true, data: { registrationId: 'r1', checkinCode: 'c1', duplicate: false } };
  await new Hands().tap(page.querySelector('.lead-form-host').querySelector('.submit'));
  await settle();
  expect((global as any).wx.requestSubscribeMessage).toHaveBeenCalledWith(
    expect.objectContaining({ tmplIds: ['tmpl-reminder'] }),
  );
  expect(joins()).toEqual([
    {
      action: 'joinActivity',
      requestId: expect.any(String),
      activityId: 'a1',
      fields: {},
      reminderTemplateId: 'tmpl-reminder',
    },
  ]);
  expect(texts(page, '.joined')[0]).toContain('你已报名，到场时出示签到码');
  expect(page.querySelector('.lead-form-host')).toBeUndefined();
  expect(page.querySelector('.remind')).toBeUndefined();
  await new Hands().tap(page.querySelector('.view-checkin'));
  expect((global as any).wx.switchTab).toHaveBeenCalledWith({ url: '/pages/me/index' });

  // Refused (or no template configured): the join goes ahead without a reminder.
  const again = await open(detail());
  require('../../miniprogram/config').config.reminderTemplateId = 'tmpl-reminder';
  (global as any).wx.requestSubscribeMessage.mockImplementation(({ success }: any) =>
    success({ 'tmpl-reminder': 'reject' }),
  );
  await new Hands().tap(again.querySelector('.lead-form-host').querySelector('.submit'));
  await settle();
  expect(joins()[1]).not.toHaveProperty('reminderTemplateId');
});

test('a sign-up made without the reminder (the phone button cannot ask) offers it on a later tap', async () => {
  const registration = {
    registrationId: 'r9',
    activityId: 'a1',
    title: '春季新品品鉴会',
    startAt: detail().startAt,
    place: '静安门店',
    status: 'joined' as const,
    checkinCode: 'c9',
    createdAt: new Date().toISOString(),
  };
  const page = await open(
    detail({ myRegistration: { ...registration, reminderSet: false } }),
    detail({ myRegistration: { ...registration, reminderSet: false } }),
    detail({ myRegistration: { ...registration, reminderSet: true } }),
  );
  // No template configured: nothing to offer.
  expect(page.querySelector('.remind')).toBeUndefined();
  require('../../miniprogram/config').config.reminderTemplateId = 'tmpl-reminder';
  page.instance.load();
  await settle();
  const base = platform.answer.getMockImplementation()!;
  platform.answer.mockImplementation((name: string, data: any) =>
    data.action === 'subscribeReminder'
      ? { ok: true, data: { registrationId: data.registrationId, reminderSet: true } }
      : base(name, data),
  );
  (global as any).wx.requestSubscribeMessage.mockImplementation(({ success }: any) =>
    success({ 'tmpl-reminder': 'accept' }),
  );
  await new Hands().tap(page.querySelector('.remind'));
  await settle();
  expect(calls.filter((c) => c.data.action === 'subscribeReminder').map((c) => c.data)).toEqual([
    { action: 'subscribeReminder', registrationId: 'r9', reminderTemplateId: 'tmpl-reminder' },
  ]);
  expect((global as any).wx.showToast).toHaveBeenLastCalledWith({ title: '已开启提醒', icon: 'success' });
  expect(page.querySelector('.remind')).toBeUndefined();
});

test('seats running out while the form was open: the message, then the activity as it is now', async () => {
  const page = await open(detail({ remaining: 1 }), detail({ remaining: 0 }));
  joinAnswer = { ok: false, error: { code: 'ACTIVITY_FULL', message: '活动名额已满' } };
  await new Hands().tap(page.querySelector('.lead-form-host').querySelector('.submit'));
  await settle();
  expect(texts(page, '.closed')).toEqual(['名额已满']);
  expect(texts(page, '.seats')).toEqual(['剩余 0 / 30 席']);
});

describe('opened from a mini program code (only `scene`)', () => {
  test('the page resolves the code itself; a failed resolution says why and its retry really retries', async () => {
    let touchAnswers: unknown[] = [
      { ok: false, error: { code: 'INTERNAL', message: '网络不可用，请稍后重试' } },
      { ok: false, error: { code: 'INTERNAL', message: '网络不可用，请稍后重试' } },
      { ok: true, data: { touchId: 't1', activityId: 'a1' } },
    ];
    const base = platform.answer.getMockImplementation()!;
    platform.answer.mockImplementation((name: string, data: any) =>
      data.action === 'touch' ? touchAnswers.shift() : base(name, data),
    );
    activities = [detail()];
    const page = openFromCode('activity', 'poster%3A01');
    await settle();
    // The app's touch failed, and so did the page's own attempt: the reason, not "not found".
    expect(texts(page, '.error-message')).toEqual(['网络不可用，请稍后重试']);
    await new Hands().tap(page.querySelector('.retry'));
    await settle();
    expect(texts(page, '.title')).toEqual(['春季新品品鉴会']);
    const touches = calls.filter((call) => call.data.action === 'touch').map((call) => call.data.entry);
    expect(touches).toHaveLength(3);
    expect(new Set(touches.map((t) => JSON.stringify(t)))).toEqual(
      new Set([JSON.stringify({ scene: 1047, path: 'pages/activity/index', query: { scene: 'poster:01' } })]),
    );
    expect(calls.find((call) => call.data.action === 'getActivity')?.data.activityId).toBe('a1');
    touchAnswers = [];
  });

  test('a code that points to no activity offers the list instead of a retry', async () => {
    const base = platform.answer.getMockImplementation()!;
    platform.answer.mockImplementation((name: string, data: any) =>
      data.action === 'touch' ? { ok: true, data: { touchId: 't1', activityId: null } } : base(name, data),
    );
    platform.enterOptions = { scene: 1047, path: 'pages/activity/index', query: { scene: 'store0001' } };
    const page = render('activity');
    page.instance.onLoad({ scene: 'store0001' });
    await settle();
    expect(texts(page, '.error-message')).toEqual(['这个活动码暂时没有指向活动']);
    expect(page.querySelector('.retry')).toBeUndefined();
    await new Hands().tap(page.querySelector('.browse'));
    expect((global as any).wx.switchTab).toHaveBeenCalledWith({ url: '/pages/home/index' });
  });
});

test('the reminder is asked only from a tap: the phone button’s callback joins without asking', async () => {
  const newForm = {
    ...detail().form,
    fields: [{ key: 'phone', label: '手机号', kind: 'phone', maxLength: 20, required: true }],
    known: [],
  } as ActivityDetail['form'];
  const page = await open(detail({ form: newForm }));
  require('../../miniprogram/config').config.reminderTemplateId = 'tmpl-reminder';
  joinAnswer = { ok: true, data: { registrationId: 'r1', checkinCode: 'c1', duplicate: false } };
  await new Hands().phoneButton(page.querySelector('.lead-form-host').querySelector('.submit-phone'), {
    code: 'test:13800138000',
  });
  await settle();
  expect((global as any).wx.requestSubscribeMessage).not.toHaveBeenCalled();
  expect(joins()).toEqual([expect.objectContaining({ fields: { phoneCode: 'test:13800138000' } })]);
  expect(joins()[0]).not.toHaveProperty('reminderTemplateId');
  require('../../miniprogram/config').config.reminderTemplateId = '';
});

test('refused after a phone code: the form is asked again, so a number the server kept is not paid for twice', async () => {
  const newForm = {
    ...detail().form,
    fields: [
      { key: 'phone', label: '手机号', kind: 'phone', maxLength: 20, required: true },
      { key: 'note', label: '留言', kind: 'longtext', maxLength: 500, required: false },
    ],
    known: [],
  } as ActivityDetail['form'];
  const phoneKept = {
    ...newForm,
    fields: [newForm.fields[1]],
    known: [{ key: 'phone', label: '手机号', display: '138****8000' }],
  } as ActivityDetail['form'];
  const page = await open(detail({ form: newForm }), detail({ form: phoneKept }));
  joinAnswer = {
    ok: false,
    error: {
      code: 'INVALID_INPUT',
      message: '填写的信息有误，请检查后重试',
      fields: [{ path: 'fields.note', message: '内容包含不宜发布的信息，请修改后再提交' }],
    },
  };
  const form = page.querySelector('.lead-form-host');
  const hands = new Hands();
  await hands.type(form.querySelector('.input-note'), '违禁词');
  await hands.phoneButton(form.querySelector('.submit-phone'), { code: 'test:13800138000' });
  await settle();
  expect(texts(form, '.error-note')).toEqual(['内容包含不宜发布的信息，请修改后再提交']);
  expect(texts(form, '.known-item')).toEqual(['手机号：138****8000']);
  expect(form.querySelector('.submit-phone')).toBeUndefined();
  // What was typed is kept for the correction.
  expect(form.instance.data.values.note).toBe('违禁词');
});
