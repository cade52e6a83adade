// The staff page (subpackage) in miniprogram-simulate, with the functions answered by stubs.
import { flush, Hands, platform, render, texts } from './support';

const code = {
  codeId: 'c1',
  scene: 'Ab3xYz9k2Q',
  sharePath: 'pages/home/index?ch=Ab3xYz9k2Q',
  imageUrl: 'http://x/c.png',
};
const stats = { from: '2026-11-23', to: '2026-11-25', entries: 12, leads: 5, signups: 3, checkins: 2 };

const tasks = [
  {
    taskId: 't1',
    leadId: 'l1',
    customerName: '张三',
    phoneMasked: '138****8000',
    tags: ['意向:加盟'],
    activityTitle: '品鉴会',
    text: '您好张三，我是静安店的顾问',
    dueAt: '2026-12-02T01:30:00.000Z',
    overdue: true,
    status: 'open',
  },
  {
    taskId: 't2',
    leadId: 'l2',
    customerName: null,
    phoneMasked: null,
    tags: [],
    activityTitle: null,
    text: '回访顾客',
    dueAt: '2026-12-03T02:00:00.000Z',
    overdue: false,
    status: 'open',
  },
];
/** Tasks closed through completeTask, with how (done, or the skip reason). */
const closed = new Map<string, string>();

function answers(bound: { value: boolean }, checkIn: () => unknown) {
  platform.answer.mockImplementation((name: string, data: any) => {
    if (name === 'customer') return { ok: true, data: { items: [{ activityId: 'a1', title: '品鉴会' }] } };
    switch (data.action) {
      case 'me':
        return bound.value
          ? { ok: true, data: { staffId: 's1', name: '王导购', store: '静安店', role: 'staff' } }
          : { ok: false, error: { code: 'FORBIDDEN', message: '仅限已绑定的在职员工使用' } };
      case 'bind':
        if (data.inviteCode !== 'ABC12345')
          return { ok: false, error: { code: 'NOT_FOUND', message: '邀请码无效，请向管理员确认' } };
        bound.value = true;
        return { ok: true, data: { staffId: 's1' } };
      case 'myCode':
        return { ok: true, data: code };
      case 'myStats':
        return { ok: true, data: stats };
      case 'myReferrals':
        return {
          ok: true,
          data: {
            customers: [{ customerId: 'k1', name: '张三', phoneMasked: '138****8000' }],
            leads: [],
            nextBefore: null,
          },
        };
      case 'checkIn':
        return checkIn();
      case 'myTasks':
        return { ok: true, data: { items: tasks.filter((task) => !closed.has(task.taskId)) } };
      case 'completeTask':
        closed.set(data.taskId, data.skipReason ?? 'done');
        return { ok: true, data: { taskId: data.taskId, status: data.skipReason ? 'skipped' : 'done' } };
    }
    return { ok: false, error: { code: 'UNKNOWN_ACTION', message: '?' } };
  });
}

const settle = async () => {
  for (let i = 0; i < 5; i += 1) await flush();
};

test('an unbound WeChat sees the bind form; a wrong invite is explained; the right one opens the desk', async () => {
  const bound = { value: false };
  answers(bound, () => null);
  const page = render('staff/pages/home');
  page.instance.onLoad();
  await settle();
  expect(texts(page, '.section-title')).toEqual(['绑定员工身份']);
  const hands = new Hands();
  await hands.type(page.querySelector('.invite'), 'WRONG999');
  await hands.tap(page.querySelector('.bind-button'));
  await settle();
  expect(texts(page, '.bind-error')).toEqual(['邀请码无效，请向管理员确认']);
  await hands.type(page.querySelector('.invite'), 'ABC12345');
  await hands.tap(page.querySelector('.bind-button'));
  await settle();
  expect(texts(page, '.profile')).toEqual(['王导购 · 静安店']);
  expect(page.querySelector('.code-image')).toBeDefined();
  expect(page.instance.data.code.imageUrl).toBe('http://x/c.png');
  expect(texts(page, '.stat-value')).toEqual(['12', '5', '3', '2']);
  expect(texts(page, '.referral-phone')).toEqual(['138****8000']);
  expect(page.instance.onShareAppMessage()).toEqual({
    title: '王导购邀请你参加活动',
    path: '/pages/home/index?ch=Ab3xYz9k2Q',
  });
});

test('scanning a check-in code marks the customer present, a second scan says so', async () => {
  let scans = 0;
  answers({ value: true }, () => {
    scans += 1;
    return {
      ok: true,
      data: {
        registrationId: 'r1',
        activityTitle: '品鉴会',
        customerName: '张三',
        alreadyCheckedIn: scans > 1,
        checkedInAt: '',
      },
    };
  });
  (global as any).wx.scanCode.mockImplementation(({ success }: any) => success({ result: 'checkin-code-1' }));
  const page = render('staff/pages/home');
  page.instance.onLoad();
  await settle();
  await new Hands().tap(page.querySelector('.scan'));
  await settle();
  expect(texts(page, '.checkin-message')).toEqual(['签到成功：张三（品鉴会）']);
  await new Hands().tap(page.querySelector('.scan'));
  await settle();
  expect(texts(page, '.checkin-message')).toEqual(['张三 已经签到过了']);
  expect(platform.answer).toHaveBeenCalledWith('staff', { action: 'checkIn', checkinCode: 'checkin-code-1' });
});

describe('saving my code to the album', () => {
  const wx = (global as any).wx;
  async function desk(fileId?: string) {
    answers({ value: true }, () => null);
    const withFile = platform.answer.getMockImplementation()!;
    platform.answer.mockImplementation((name: string, data: any) =>
      data.action === 'myCode'
        ? { ok: true, data: { ...code, ...(fileId ? { fileId } : {}) } }
        : withFile(name, data),
    );
    const page = render('staff/pages/home');
    page.instance.onLoad();
    await settle();
    return page;
  }
  beforeEach(() => {
    platform.authSetting = {};
    platform.authSettingAfterSetting = {};
    wx.cloud.downloadFile.mockReset();
    wx.downloadFile.mockReset();
    wx.saveImageToPhotosAlbum.mockReset();
    wx.showToast.mockClear();
    wx.openSetting.mockClear();
  });

  test('downloads through wx.cloud by fileID (no download domain needed) and saves', async () => {
    const page = await desk('cloud://env/codes/c1.png');
    wx.cloud.downloadFile.mockImplementation(({ success }: any) =>
      success({ tempFilePath: '/tmp/c1.png', statusCode: 200 }),
    );
    wx.saveImageToPhotosAlbum.mockImplementation(({ success }: any) => success({}));
    await new Hands().tap(page.querySelector('.save'));
    await settle();
    expect(wx.cloud.downloadFile).toHaveBeenCalledWith(
      expect.objectContaining({ fileID: 'cloud://env/codes/c1.png' }),
    );
    expect(wx.downloadFile).not.toHaveBeenCalled();
    expect(wx.saveImageToPhotosAlbum).toHaveBeenCalledWith(
      expect.objectContaining({ filePath: '/tmp/c1.png' }),
    );
    expect(wx.showToast).toHaveBeenCalledWith({ title: '已保存到相册', icon: 'success' });
  });

  test('a refused album permission is explained and the settings page opens from a tap; granted there, it saves', async () => {
    const page = await desk('cloud://env/codes/c1.png');
    platform.authSetting = { 'scope.writePhotosAlbum': false };
    await new Hands().tap(page.querySelector('.save'));
    await settle();
    expect(wx.cloud.downloadFile).not.toHaveBeenCalled();
    expect(texts(page, '.save-message')).toEqual(['保存图片需要相册权限：请在设置里允许“保存到相册”']);
    expect(wx.openSetting).not.toHaveBeenCalled();
    platform.authSettingAfterSetting = { 'scope.writePhotosAlbum': true };
    wx.cloud.downloadFile.mockImplementation(({ success }: any) =>
      success({ tempFilePath: '/tmp/c1.png', statusCode: 200 }),
    );
    wx.saveImageToPhotosAlbum.mockImplementation(({ success }: any) => success({}));
    await new Hands().tap(page.querySelector('.open-setting'));
    await settle();
    expect(wx.openSetting).toHaveBeenCalledTimes(1);
    expect(wx.showToast).toHaveBeenCalledWith({ title: '已保存到相册', icon: 'success' });
    expect(page.querySelector('.open-setting')).toBeUndefined();
  });

  test('refusing the first ask, a failed download and a failed save each say what failed', async () => {
    const page = await desk('cloud://env/codes/c1.png');
    wx.cloud.downloadFile.mockImplementation(({ success }: any) =>
      success({ tempFilePath: '/tmp/c1.png', statusCode: 200 }),
    );
    wx.saveImageToPhotosAlbum.mockImplementation(({ fail }: any) =>
      fail({ errMsg: 'saveImageToPhotosAlbum:fail auth deny' }),
    );
    await new Hands().tap(page.querySelector('.save'));
    await settle();
    expect(page.querySelector('.open-setting')).toBeDefined();
    wx.cloud.downloadFile.mockImplementation(({ fail }: any) =>
      fail({ errMsg: 'downloadFile:fail -503003' }),
    );
    await new Hands().tap(page.querySelector('.save'));
    await settle();
    expect(texts(page, '.save-message')).toEqual(['活码图片下载失败，请稍后重试']);
    wx.cloud.downloadFile.mockImplementation(({ success }: any) =>
      success({ tempFilePath: '/tmp/c1.png', statusCode: 200 }),
    );
    wx.saveImageToPhotosAlbum.mockImplementation(({ fail }: any) =>
      fail({ errMsg: 'saveImageToPhotosAlbum:fail cancel' }),
    );
    await new Hands().tap(page.querySelector('.save'));
    await settle();
    expect(texts(page, '.save-message')).toEqual([]);
    wx.saveImageToPhotosAlbum.mockImplementation(({ fail }: any) =>
      fail({ errMsg: 'saveImageToPhotosAlbum:fail disk full' }),
    );
    await new Hands().tap(page.querySelector('.save'));
    await settle();
    expect(texts(page, '.save-message')).toEqual(['保存到相册失败，请稍后重试']);
  });

  test('without a fileID (or against the local cloud) the image URL is downloaded', async () => {
    const page = await desk();
    wx.downloadFile.mockImplementation(({ success }: any) =>
      success({ tempFilePath: '/tmp/c.png', statusCode: 200 }),
    );
    wx.saveImageToPhotosAlbum.mockImplementation(({ success }: any) => success({}));
    await new Hands().tap(page.querySelector('.save'));
    await settle();
    expect(wx.downloadFile).toHaveBeenCalledWith(expect.objectContaining({ url: 'http://x/c.png' }));
    expect(wx.cloud.downloadFile).not.toHaveBeenCalled();
  });
});

test('the sitemap keeps the staff desk and 我的 out of WeChat search', () => {
  const sitemap = require('../../miniprogram/sitemap.json');
  const rule = (page: string) => sitemap.rules.find((r: any) => r.page === page || r.page === '*');
  expect(rule('staff/pages/home/index')).toMatchObject({ action: 'disallow' });
  expect(rule('pages/me/index')).toMatchObject({ action: 'disallow' });
  expect(rule('pages/activity/index')).toMatchObject({ action: 'allow' });
});

test("today's tasks: the script to copy, overdue ones marked, done and skipped with a reason", async () => {
  closed.clear();
  answers({ value: true }, () => null);
  const wx = (global as any).wx;
  wx.setClipboardData = jest.fn(({ success }: any) => success({}));
  const page = render('staff/pages/home');
  page.instance.onLoad();
  await settle();
  expect(texts(page, '.section-title')[0]).toBe('今日待办1 条已逾期');
  expect(texts(page, '.task-text')).toEqual(['您好张三，我是静安店的顾问', '回访顾客']);
  expect(texts(page, '.task-due')).toEqual(['已逾期 · 12-02 09:30', '12-03 10:00']);
  expect(texts(page, '.task-meta')).toEqual(['品鉴会 · 意向:加盟']);
  expect(page.querySelectorAll('.task-overdue')).toHaveLength(1);
  const hands = new Hands();
  await hands.tap(page.querySelectorAll('.task-copy')[0]);
  expect(wx.setClipboardData).toHaveBeenCalledWith(
    expect.objectContaining({ data: '您好张三，我是静安店的顾问' }),
  );
  await hands.tap(page.querySelectorAll('.task-done')[0]);
  await settle();
  expect(closed.get('t1')).toBe('done');
  expect(texts(page, '.task-text')).toEqual(['回访顾客']);
  // Skipping asks why; an empty reason skips nothing.
  const showModal = wx.showModal;
  wx.showModal = ({ success }: any) => success({ confirm: true, content: '  ' });
  await hands.tap(page.querySelector('.task-skip'));
  await settle();
  expect(closed.has('t2')).toBe(false);
  wx.showModal = ({ success }: any) => success({ confirm: true, content: '客户已到店' });
  await hands.tap(page.querySelector('.task-skip'));
  await settle();
  wx.showModal = showModal;
  expect(closed.get('t2')).toBe('客户已到店');
  expect(texts(page, '.tasks-empty')).toEqual(['暂无待办，新线索的跟进任务会出现在这里']);
});
