// Entry capture: one touch per entry into the mini program (not per show), with the code's scene
// decoded; a failed touch is sent again; a page opened from a code resolves it itself.
import { calls, flush, loadApp, platform } from './support';

let app: any;

function launchApp() {
  jest.resetModules();
  app = loadApp();
  return require('../../miniprogram/services/entry') as typeof import('../../miniprogram/services/entry');
}

const touches = () => calls.filter((call) => call.data.action === 'touch').map((call) => call.data.entry);

beforeEach(() => {
  calls.length = 0;
  platform.answer.mockReset();
  platform.answer.mockReturnValue({ ok: true, data: { touchId: 't1', activityId: 'a1' } });
});

test('launch and show of one code scan send one touch, with the scene decoded', async () => {
  platform.enterOptions = { scene: 1047, path: 'pages/activity/index', query: { scene: 'poster%3A01' } };
  const entry = launchApp();
  app.onLaunch();
  app.onShow();
  await flush();
  expect(touches()).toEqual([{ scene: 1047, path: 'pages/activity/index', query: { scene: 'poster:01' } }]);
  await expect(entry.currentEntry()).resolves.toEqual({ activityId: 'a1', error: null });
});

test('one touch per entry: unlocking or coming back from the share sheet shows the same entry again', async () => {
  platform.enterOptions = {
    scene: 1007,
    path: 'pages/activity/index',
    query: { id: 'a1', ref: 'k9', ch: 'Ab3xYz9k2Q' },
  };
  launchApp();
  app.onLaunch();
  app.onShow();
  // Lock the screen, unlock; open the share sheet, come back: WeChat shows the app with the same options.
  expect(app.onHide).toBeUndefined();
  app.onShow();
  app.onShow();
  await flush();
  expect(touches()).toHaveLength(1);
  // A different entry (from the recent list) is a new touch, once.
  platform.enterOptions = { scene: 1089, path: 'pages/home/index', query: {} };
  app.onShow();
  app.onShow();
  await flush();
  expect(touches()).toEqual([
    { scene: 1007, path: 'pages/activity/index', query: { id: 'a1', ref: 'k9', ch: 'Ab3xYz9k2Q' } },
    { scene: 1089, path: 'pages/home/index', query: {} },
  ]);
});

test('a failed touch names no activity, says why, and the next show of the same entry sends it again', async () => {
  platform.answer.mockReturnValue({ ok: false, error: { code: 'INVALID_INPUT', message: '参数过长' } });
  platform.enterOptions = { scene: 1047, path: 'pages/home/index', query: { scene: 'x%ZZ' } };
  const entry = launchApp();
  app.onShow();
  await expect(entry.currentEntry()).resolves.toEqual({
    activityId: null,
    error: { code: 'INVALID_INPUT', message: '参数过长' },
  });
  // A malformed escape is sent as it came rather than dropped.
  expect(touches()).toEqual([{ scene: 1047, path: 'pages/home/index', query: { scene: 'x%ZZ' } }]);
  platform.answer.mockReturnValue({ ok: true, data: { touchId: 't2', activityId: null } });
  app.onShow();
  await expect(entry.currentEntry()).resolves.toEqual({ activityId: null, error: null });
  app.onShow();
  await flush();
  expect(touches()).toHaveLength(2);
});

test('a page opened from a code: the entry answers it, a failed one is retried, an unseen code is sent', async () => {
  platform.answer.mockReturnValue({
    ok: false,
    error: { code: 'INTERNAL', message: '网络不可用，请稍后重试' },
  });
  platform.enterOptions = { scene: 1047, path: 'pages/activity/index', query: { scene: 'poster0001' } };
  const entry = launchApp();
  app.onShow();
  await expect(entry.activityForCode('poster0001', 1047, 'pages/activity/index')).resolves.toMatchObject({
    activityId: null,
    error: { message: '网络不可用，请稍后重试' },
  });
  expect(touches()).toHaveLength(2);
  platform.answer.mockReturnValue({ ok: true, data: { touchId: 't1', activityId: 'a7' } });
  await expect(entry.activityForCode('poster0001', 1047, 'pages/activity/index')).resolves.toEqual({
    activityId: 'a7',
    error: null,
  });
  // Recorded now: asking again sends nothing.
  await entry.activityForCode('poster0001', 1047, 'pages/activity/index');
  expect(touches()).toHaveLength(3);
  // A code the app's entry did not carry (opened from inside) is recorded by the page.
  await entry.activityForCode('poster0002', 1047, 'pages/activity/index');
  expect(touches()[3]).toEqual({ scene: 1047, path: 'pages/activity/index', query: { scene: 'poster0002' } });
});
