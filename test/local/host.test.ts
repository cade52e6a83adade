// The function host, HTTP entry points, storage and open-API fakes, driven from outside and from
// inside fixture functions that use the real wx-server-sdk.
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { parseCron } from '../../local/functions/cron';
import { protocolRequest } from '../../local/protocol-client';
import { startTestCloud, type TestCloud, useSdkEnv } from './harness';

let test_: TestCloud;
let base: string;

beforeAll(async () => {
  test_ = await startTestCloud();
  base = test_.cloud.url;
  useSdkEnv(test_.cloud);
});

afterAll(() => test_?.close());

async function call(name: string, event: unknown, openid = 'o-test', headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/functions/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid, ...headers },
    body: typeof event === 'string' ? event : JSON.stringify(event),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const protocol = (body: Record<string, unknown> | string) =>
  protocolRequest(base, test_.cloud.credentials, body);

describe('function host', () => {
  test('each concurrent call sees only its own WeChat context', async () => {
    const openids = Array.from({ length: 40 }, (_v, i) => `openid-${i}`);
    const answers = await Promise.all(
      openids.map((openid, i) => call('probe', { action: 'context', delayMs: (i * 7) % 30 }, openid)),
    );
    answers.forEach(({ status, body }, i) => {
      expect(status).toBe(200);
      expect(body.before).toMatchObject({
        OPENID: openids[i],
        APPID: 'wx0000000000local',
        ENV: test_.cloud.envId,
        SOURCE: 'wx_client',
      });
      expect(body.after.OPENID).toBe(openids[i]);
    });
  });

  test('a nested cloud.callFunction keeps the caller identity', async () => {
    const { body } = await call('probe', { action: 'nested' }, 'o-nested');
    expect(body.before).toMatchObject({ OPENID: 'o-nested', SOURCE: 'wx_server' });
  });

  test('functions do not share module state', async () => {
    await fetch(`${base}/web-api/plain`);
    const { body } = await call('probe', { action: 'globals' });
    expect(body).toEqual({ probe: true, web: false });
  });

  test('a function that throws answers INTERNAL; an unknown one NOT_FOUND', async () => {
    expect(await call('probe', { action: 'throw' })).toEqual({
      status: 500,
      body: { ok: false, error: { code: 'INTERNAL', message: expect.any(String) } },
    });
    expect(await call('missing', {})).toMatchObject({
      status: 404,
      body: { ok: false, error: { code: 'NOT_FOUND' } },
    });
  });

  test('bad JSON and oversize bodies are refused before the function runs', async () => {
    expect(await call('probe', '{not json')).toMatchObject({
      status: 400,
      body: { ok: false, error: { code: 'INVALID_INPUT' } },
    });
    const big = JSON.stringify({ action: 'context', pad: 'x'.repeat(101 * 1024) });
    expect(await call('probe', big)).toMatchObject({
      status: 413,
      body: { ok: false, error: { code: 'INVALID_INPUT' } },
    });
  });

  test('timer triggers fire from config.json with a timer event', async () => {
    expect(parseCron('0 */1 * * * * *').matches(new Date(2026, 0, 1, 10, 5, 0))).toBe(true);
    expect(parseCron('0 */1 * * * * *').matches(new Date(2026, 0, 1, 10, 5, 1))).toBe(false);
    expect(() => parseCron('* * * *')).toThrow(/7 cron fields/);
    await Promise.all(test_.cloud.functions.fireTimers(new Date(), 'wx0000000000local'));
    const cloud = require('wx-server-sdk');
    cloud.init({ env: test_.cloud.envId });
    const { data } = await cloud.database().collection('ticks').get();
    expect(data).toEqual([
      expect.objectContaining({ trigger: 'everySecond', type: 'Timer', source: 'wx_timer' }),
    ]);
  });
});

describe('HTTP access service', () => {
  test('an integration response sets status, headers and body', async () => {
    const res = await fetch(`${base}/web-api/leads?limit=5`, { method: 'POST', body: '{"a":1}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(await res.json()).toEqual({
      path: '/web-api/leads',
      method: 'POST',
      query: { limit: '5' },
      body: '{"a":1}',
      openid: '',
    });
  });

  test('a plain return value is sent as JSON', async () => {
    const res = await fetch(`${base}/web-api/plain`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ path: '/web-api/plain', method: 'GET' });
  });
});

describe('protocol bad input changes nothing', () => {
  test.each([
    ['malformed JSON', '{"action":', 'INVALID_PARAM'],
    ['unknown action', { action: 'database.dropEverything', collectionName: 'things' }, 'INVALID_PARAM'],
    [
      'bad EJSON',
      { action: 'database.insertDocument', collectionName: 'things', data: ['{"a":{"$date":'] },
      'INVALID_PARAM',
    ],
    [
      'bad query',
      { action: 'database.getDocument', collectionName: 'things', query: '{"a":{"$bogus":1}}' },
      'DATABASE_REQUEST_FAILED',
    ],
    [
      'missing collection',
      { action: 'database.insertDocument', collectionName: 'ghosts', data: ['{"a":1}'] },
      'DATABASE_COLLECTION_NOT_EXIST',
    ],
    [
      'oversize body',
      {
        action: 'database.insertDocument',
        collectionName: 'things',
        data: [JSON.stringify({ pad: 'x'.repeat(101 * 1024) })],
      },
      'INVALID_PARAM',
    ],
  ])('%s', async (_name, body, code) => {
    const before = test_.cloud.store.count(test_.cloud.store.main, 'things', {});
    const answer = await protocol(body);
    expect(answer).toEqual({ requestId: expect.any(String), code, message: expect.any(String) });
    expect(test_.cloud.store.count(test_.cloud.store.main, 'things', {})).toBe(before);
    expect(test_.cloud.store.has('ghosts')).toBe(false);
  });
});

describe('storage', () => {
  test('upload, temp URL, download and delete', async () => {
    const { body } = await call('probe', {
      action: 'storage',
      path: 'exports/报表.csv',
      content: 'a,b\n1,2',
    });
    expect(body.fileID).toBe(`cloud://${test_.cloud.envId}.${test_.cloud.envId}-local/exports/报表.csv`);
    expect(body.content).toBe('a,b\n1,2');
    expect(body.removed).toEqual([expect.objectContaining({ fileID: body.fileID, status: 0 })]);
    expect(body.after[0].status).not.toBe(0);
  });

  test('a temp URL serves the file', async () => {
    const cloud = require('wx-server-sdk');
    cloud.init({ env: test_.cloud.envId });
    const { fileID } = await cloud.uploadFile({
      cloudPath: 'codes/x.txt',
      fileContent: Buffer.from('hello'),
    });
    const { fileList } = await cloud.getTempFileURL({ fileList: [fileID] });
    const res = await fetch(fileList[0].tempFileURL);
    expect(await res.text()).toBe('hello');
  });
});

describe('open API fakes', () => {
  beforeEach(() => fetch(`${base}/__local/openapi`, { method: 'DELETE' }));

  test('phonenumber.getPhoneNumber resolves test codes and rejects others with 40029', async () => {
    const { body } = await call('probe', { action: 'phone', code: 'test:13800138000' });
    expect(body.phoneInfo).toMatchObject({ purePhoneNumber: '13800138000', countryCode: '86' });
    expect(await call('probe', { action: 'phone', code: 'real-code' })).toMatchObject({ status: 500 });
    const recorded: any = await (
      await fetch(`${base}/__local/openapi?api=phonenumber.getPhoneNumber`)
    ).json();
    expect(recorded.data.calls.map((c: any) => c.errcode)).toEqual([0, 40029]);
  });

  test('wxacode.getUnlimited returns a real QR PNG of page + scene', async () => {
    const { body } = await call('probe', { action: 'wxacode', scene: 'c=Ab3_x-9', page: 'pages/home/index' });
    expect(body.contentType).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(body.base64, 'base64'));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(`pages/home/index?scene=${encodeURIComponent('c=Ab3_x-9')}`);
  });

  test('wxacode.getUnlimited enforces the scene rules', async () => {
    expect(
      await call('probe', { action: 'wxacode', scene: 'x'.repeat(33), page: 'pages/home/index' }),
    ).toMatchObject({ status: 500 });
    expect(await call('probe', { action: 'wxacode', scene: '中文', page: 'pages/home/index' })).toMatchObject(
      { status: 500 },
    );
    const recorded: any = await (await fetch(`${base}/__local/openapi?api=wxacode.getUnlimited`)).json();
    expect(recorded.data.calls.map((c: any) => c.errcode)).toEqual([40169, 40169]);
  });

  test('security.msgSecCheck follows a configurable block list', async () => {
    await fetch(`${base}/__local/openapi/blocked-words`, { method: 'PUT', body: JSON.stringify(['赌博']) });
    const risky = await call('probe', { action: 'msgSecCheck', content: '这里有赌博广告' });
    expect(risky.body.result).toEqual({ suggest: 'risky', label: 20001 });
    const fine = await call('probe', { action: 'msgSecCheck', content: '想了解门店活动' });
    expect(fine.body.result).toEqual({ suggest: 'pass', label: 100 });
  });

  test('subscribeMessage.send is recorded with its caller', async () => {
    await call('probe', { action: 'subscribe' }, 'o-sub');
    const recorded: any = await (await fetch(`${base}/__local/openapi?api=subscribeMessage.send`)).json();
    expect(recorded.data.calls).toEqual([
      expect.objectContaining({
        caller: { functionName: 'probe', openid: 'o-sub' },
        params: expect.objectContaining({ touser: 'o-sub', template_id: 'tmpl-1' }),
      }),
    ]);
  });
});

describe('the clock', () => {
  const clock = async (method: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${base}/__local/clock`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return ((await res.json()) as any).data;
  };
  afterEach(() => clock('DELETE'));

  test('moved, functions, their signed requests and serverDate() all read it; reset, real time again', async () => {
    const moved = new Date(Date.now() + 3 * 86_400_000);
    expect((await clock('PUT', { now: moved.toISOString() })).offsetMs).toBeGreaterThan(
      3 * 86_400_000 - 5_000,
    );
    const { body } = await call('probe', { action: 'clock' });
    for (const seen of [body.now, Date.parse(body.date), Date.parse(body.stored)])
      expect(Math.abs(seen - moved.getTime())).toBeLessThan(10_000);
    expect(Math.abs(Date.parse((await clock('GET')).now) - moved.getTime())).toBeLessThan(10_000);
    // This process signs with real time and is still let in.
    expect(
      (
        await protocol({
          action: 'database.getDocument',
          collectionName: 'things',
          query: '{}',
          queryType: 'WHERE',
        })
      ).code,
    ).toBeUndefined();
    await clock('DELETE');
    const after = (await call('probe', { action: 'clock' })).body;
    expect(Math.abs(after.now - Date.now())).toBeLessThan(10_000);
  });

  test('a time that is not one is refused', async () => {
    const res = await fetch(`${base}/__local/clock`, {
      method: 'PUT',
      body: JSON.stringify({ now: 'soon' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toContain('ISO');
  });
});
