// The home page in miniprogram-simulate: loading, list, empty and error states, through the
// real services/cloud wrapper with wx.cloud.callFunction stubbed at the platform edge.
import path from 'node:path';

const callFunction = jest.fn();
const request = jest.fn();
const device = { networkType: 'wifi', envVersion: 'develop' };
(global as any).wx = {
  cloud: { callFunction, init: jest.fn() },
  request,
  getNetworkType: ({ success }: any) => success({ networkType: device.networkType }),
  getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: device.envVersion } }),
};
const simulate = require('miniprogram-simulate');

const HOME = path.join(__dirname, '../../miniprogram/pages/home/index');
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function answerWith(result: unknown) {
  callFunction.mockImplementation(({ success }: any) => success({ result }));
}

function render() {
  jest.resetModules();
  const page = simulate.render(simulate.load(HOME));
  page.attach(document.createElement('parent-wrapper'));
  return page;
}

const text = (page: any, selector: string) =>
  page.querySelectorAll(selector).map((node: any) => node.dom.textContent.trim());

beforeEach(() => {
  callFunction.mockReset();
  request.mockReset();
});

test('shows loading, then the published activities with seats left', async () => {
  let finish!: (value: unknown) => void;
  callFunction.mockImplementation(({ success }: any) => {
    finish = (result) => success({ result });
  });
  const page = render();
  page.instance.onLoad();
  expect(text(page, '.loading')).toEqual(['正在加载活动…']);
  finish({
    ok: true,
    data: {
      items: [
        {
          activityId: 'a1',
          title: '春季新品品鉴会',
          startAt: new Date(2026, 2, 8, 14, 30).toISOString(),
          capacity: 50,
          remaining: 12,
          status: 'published',
        },
        {
          activityId: 'a2',
          title: '会员沙龙',
          startAt: new Date(2026, 2, 9, 9, 0).toISOString(),
          capacity: 20,
          remaining: 0,
          status: 'published',
        },
      ],
    },
  });
  await flush();
  expect(callFunction).toHaveBeenCalledWith(
    expect.objectContaining({ name: 'customer', data: { action: 'listActivities' } }),
  );
  expect(text(page, '.activity-title')).toEqual(['春季新品品鉴会', '会员沙龙']);
  expect(text(page, '.seats')).toEqual(['剩余 12 席', '已满']);
  expect(text(page, '.start')).toEqual(['3月8日 14:30', '3月9日 09:00']);
  expect(page.querySelectorAll('.loading')).toHaveLength(0);
});

test('shows the empty state when nothing is published', async () => {
  answerWith({ ok: true, data: { items: [] } });
  const page = render();
  page.instance.onLoad();
  await flush();
  expect(text(page, '.empty')).toEqual(['暂无进行中的活动']);
});

test('shows the error message and retries on tap', async () => {
  answerWith({ ok: false, error: { code: 'RATE_LIMITED', message: '操作太频繁，请稍后再试' } });
  const page = render();
  page.instance.onLoad();
  await flush();
  expect(text(page, '.error-message')).toEqual(['操作太频繁，请稍后再试']);
  answerWith({ ok: true, data: { items: [] } });
  page.querySelector('.retry').dispatchEvent('tap');
  await flush();
  expect(callFunction).toHaveBeenCalledTimes(2);
  expect(text(page, '.empty')).toEqual(['暂无进行中的活动']);
});

test('only a phone without a network is told the network is unavailable; other failures say what happened', async () => {
  const failWith = async (errMsg: string, networkType = 'wifi') => {
    device.networkType = networkType;
    callFunction.mockImplementation(({ fail }: any) => fail({ errMsg }));
    const page = render();
    page.instance.onLoad();
    await flush();
    await flush();
    return text(page, '.error-message')[0];
  };
  expect(await failWith('cloud.callFunction:fail request:fail', 'none')).toBe('网络不可用，请稍后重试');
  expect(await failWith('cloud.callFunction:fail request:fail timeout')).toBe('服务响应超时，请稍后重试');
  expect(
    await failWith(
      'cloud.callFunction:fail Error: errCode: -404011 cloud function execution error | errMsg: cloud function service error code -501005, error message Environment not found',
    ),
  ).toBe('服务配置有误（云环境不可用），请联系商家');
  expect(
    await failWith(
      'cloud.callFunction:fail Error: errCode: -404011 cloud function execution error | errMsg: cloud function service error code -504002, error message functions execute fail',
    ),
  ).toBe('服务出错了，请稍后重试');
  expect(await failWith('cloud.callFunction:fail errCode: -501004')).toBe('访问人数较多，请稍后重试');
  expect(await failWith('cloud.callFunction:fail something new')).toBe('服务暂时不可用，请稍后重试');
  device.networkType = 'wifi';
});

describe('services/cloud in local-cloud mode', () => {
  test('posts to /api/functions/<name> with the simulated openid', async () => {
    jest.resetModules();
    const { config } = require('../../miniprogram/config');
    config.localCloud.enabled = true;
    const { callFunction: call } = require('../../miniprogram/services/cloud');
    request.mockImplementation(({ success }: any) =>
      success({ statusCode: 200, data: { ok: true, data: { items: [] } } }),
    );
    await expect(call('customer', { action: 'listActivities' })).resolves.toEqual({
      ok: true,
      data: { items: [] },
    });
    expect(request).toHaveBeenCalledWith(
      expect.objectContaining({
        url: 'http://127.0.0.1:3000/api/functions/customer',
        method: 'POST',
        header: expect.objectContaining({ 'x-wx-openid': 'dev-openid' }),
        data: { action: 'listActivities' },
      }),
    );
    expect(callFunction).not.toHaveBeenCalled();
    config.localCloud.enabled = false;
  });

  test('is refused outside the develop version: a trial or release build calls the cloud', async () => {
    jest.resetModules();
    const { config } = require('../../miniprogram/config');
    const cloud = require('../../miniprogram/services/cloud');
    expect(cloud.localCloudAllowed(true, 'develop')).toBe(true);
    expect(cloud.localCloudAllowed(true, 'trial')).toBe(false);
    expect(cloud.localCloudAllowed(true, 'release')).toBe(false);
    expect(cloud.localCloudAllowed(false, 'develop')).toBe(false);
    config.localCloud.enabled = true;
    device.envVersion = 'trial';
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    answerWith({ ok: true, data: { items: [] } });
    await expect(cloud.callFunction('customer', { action: 'listActivities' })).resolves.toEqual({
      ok: true,
      data: { items: [] },
    });
    expect(request).not.toHaveBeenCalled();
    expect(callFunction).toHaveBeenCalled();
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
    device.envVersion = 'develop';
    config.localCloud.enabled = false;
  });

  test('the committed configuration does not point at the local cloud (review runs the develop build)', () => {
    jest.resetModules();
    expect(require('../../miniprogram/config').config.localCloud.enabled).toBe(false);
  });
});
