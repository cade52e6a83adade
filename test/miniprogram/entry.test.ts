// Entry capture: one touch per entry into the mini program, with the code's scene decoded.
import { calls, flush, platform } from './support';

let app: any;

function launchApp() {
  jest.resetModules();
  (global as any).App = (definition: any) => {
    app = definition;
  };
  require('../../miniprogram/app');
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
  await expect(entry.currentEntry()).resolves.toEqual({ activityId: 'a1' });
});

test('a share card carries ref and ch; coming back from the background is a new entry', async () => {
  platform.enterOptions = {
    scene: 1007,
    path: 'pages/activity/index',
    query: { id: 'a1', ref: 'k9', ch: 'Ab3xYz9k2Q' },
  };
  launchApp();
  app.onLaunch();
  app.onShow();
  app.onHide();
  platform.enterOptions = { scene: 1089, path: 'pages/home/index', query: {} };
  app.onShow();
  app.onShow();
  await flush();
  expect(touches()).toEqual([
    { scene: 1007, path: 'pages/activity/index', query: { id: 'a1', ref: 'k9', ch: 'Ab3xYz9k2Q' } },
    { scene: 1089, path: 'pages/home/index', query: {} },
  ]);
});

test('a failed touch does not block the page: the entry simply names no activity', async () => {
  platform.answer.mockReturnValue({ ok: false, error: { code: 'INVALID_INPUT', message: '参数过长' } });
  platform.enterOptions = { scene: 1047, path: 'pages/home/index', query: { scene: 'x%ZZ' } };
  const entry = launchApp();
  app.onShow();
  await expect(entry.currentEntry()).resolves.toEqual({ activityId: null });
  // A malformed escape is sent as it came rather than dropped.
  expect(touches()).toEqual([{ scene: 1047, path: 'pages/home/index', query: { scene: 'x%ZZ' } }]);
});
