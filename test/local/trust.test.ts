// What a web page open in the developer's browser can no longer do to the local cloud, and what
// the SDKs (signed with the data dir's key) and the mini program in WeChat DevTools still do.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { protocolRequest } from '../../local/protocol-client';
import { authorization, jsonParams, type LocalCredentials, localCredentials } from '../../local/signature';
import { startTestCloud, type TestCloud, useSdkEnv } from './harness';

const EVIL = 'https://evil.example';
let test_: TestCloud;
let base: string;
let adminDir: string;

beforeAll(async () => {
  adminDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-trust-admin-'));
  fs.writeFileSync(path.join(adminDir, 'index.html'), '<!doctype html><title>admin</title>');
  test_ = await startTestCloud({ adminDir });
  base = test_.cloud.url;
  useSdkEnv(test_.cloud);
});

afterAll(async () => {
  await test_?.close();
  fs.rmSync(adminDir, { recursive: true, force: true });
});

const count = (collection: string) => test_.cloud.store.count(test_.cloud.store.main, collection, {});
const ranFunctions = () => test_.cloud.functions.calls.map((call) => call.function);

beforeEach(() => {
  test_.cloud.functions.calls.length = 0;
});

/** The ticker fixture stores one document per call: a stored tick means the function ran. */
const callTicker = (headers: Record<string, string>, body = '{}') =>
  fetch(`${base}/api/functions/ticker`, { method: 'POST', headers, body });

const insertOwner = { action: 'database.insertDocument', collectionName: 'owners', data: ['{"name":"x"}'] };

/** A protocol request signed by hand, to send it changed, late or from a page. */
function signedFetch(
  body: Record<string, unknown>,
  options: {
    credentials?: LocalCredentials;
    sendBody?: Record<string, unknown>;
    timestamp?: number;
    headers?: Record<string, string>;
    /** Changes the Authorization header after signing (its SignedParams list is not itself signed). */
    editAuth?: (auth: string) => string;
  } = {},
) {
  const url = new URL('/admin', base);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000) - 1;
  const signed: [string, string][] = [
    ['content-type', 'application/json'],
    ['host', url.host],
  ];
  const auth = authorization(
    {
      method: 'post',
      host: url.host,
      path: '/admin',
      query: '',
      headers: signed,
      params: jsonParams(body),
      timestamp,
    },
    options.credentials ?? test_.cloud.credentials,
  );
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: options.editAuth ? options.editAuth(auth) : auth,
      'x-timestamp': String(timestamp),
      ...options.headers,
    },
    body: JSON.stringify(options.sendBody ?? body),
  });
}

describe('POST /api/functions/<name>', () => {
  test('another site’s Origin is refused with 403 and the function does not run; without Origin it runs', async () => {
    const before = count('ticks');
    const refused = await callTicker({ 'content-type': 'application/json', origin: EVIL });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringContaining(EVIL) },
    });
    expect(count('ticks')).toBe(before);
    expect(ranFunctions()).toEqual([]);

    expect((await callTicker({ 'content-type': 'application/json' })).status).toBe(200);
    expect(count('ticks')).toBe(before + 1);
  });

  test('a cross-site or same-site fetch without Origin is refused unless it comes from the mini program runtime', async () => {
    const before = count('ticks');
    for (const site of ['cross-site', 'same-site']) {
      const res = await callTicker({ 'content-type': 'application/json', 'sec-fetch-site': site });
      expect(res.status).toBe(403);
    }
    const fakeReferer = await callTicker({
      'content-type': 'application/json',
      'sec-fetch-site': 'cross-site',
      referer: 'https://servicewechat.com.evil.example/page-frame.html',
    });
    expect(fakeReferer.status).toBe(403);
    const pageWithReferer = await callTicker({
      'content-type': 'application/json',
      origin: EVIL,
      'sec-fetch-site': 'cross-site',
      referer: 'https://servicewechat.com/wx0000000000local/devtools/page-frame.html',
    });
    expect(pageWithReferer.status).toBe(403);
    expect(count('ticks')).toBe(before);

    // What WeChat DevTools' wx.request sends: no Origin, a cross-site fetch from servicewechat.com.
    const devtools = await callTicker({
      'content-type': 'application/json',
      'x-wx-openid': 'dev-openid',
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'cors',
      'sec-fetch-dest': 'empty',
      referer: 'https://servicewechat.com/wx0000000000local/devtools/page-frame.html',
      'user-agent': 'Mozilla/5.0 wechatdevtools/1.06.2504010 MicroMessenger/8.0.5 webview/',
    });
    expect(devtools.status).toBe(200);
    expect(count('ticks')).toBe(before + 1);
  });

  test('a body that is not application/json (a simple text/plain or form POST) is refused with 415', async () => {
    const before = count('ticks');
    for (const headers of [
      { 'content-type': 'text/plain;charset=UTF-8' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      {} as Record<string, string>,
    ]) {
      const res = await callTicker(headers, '{"action":"x"}');
      expect(res.status).toBe(415);
      expect(((await res.json()) as any).error.code).toBe('INVALID_INPUT');
    }
    expect(count('ticks')).toBe(before);
    expect(ranFunctions()).toEqual([]);
  });

  test('the server’s own origin (the admin page) still calls functions', async () => {
    const res = await callTicker({
      'content-type': 'application/json',
      origin: base,
      'sec-fetch-site': 'same-origin',
    });
    expect(res.status).toBe(200);
    expect(ranFunctions()).toEqual(['ticker']);
  });
});

describe('POST /admin (the SDKs’ protocol endpoint)', () => {
  test('an unsigned request answers 401 with a code and a message and stores nothing', async () => {
    const before = count('owners');
    for (const contentType of ['application/json', 'text/plain']) {
      const res = await fetch(`${base}/admin`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: JSON.stringify(insertOwner),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        requestId: expect.any(String),
        code: 'SIGN_PARAM_INVALID',
        message: expect.stringContaining('签名'),
      });
    }
    expect(count('owners')).toBe(before);
  });

  test('a read without the key reveals nothing (the old way to read password hashes)', async () => {
    test_.cloud.store.insert(test_.cloud.store.main, 'owners', [
      { name: 'admin', passwordHash: 'scrypt$secret-hash' } as never,
    ]);
    const res = await fetch(`${base}/admin`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ action: 'database.getDocument', collectionName: 'owners', query: '{}' }),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('secret-hash');
  });

  test('another key, the old fixed key, a changed body or an expired signature answer 401 and store nothing', async () => {
    const before = count('owners');
    const { secretId } = test_.cloud.credentials;
    const refusals = [
      await signedFetch(insertOwner, { credentials: { secretId, secretKey: 'guessed-key' } }),
      await signedFetch(insertOwner, {
        credentials: { secretId: 'local-secret-id', secretKey: 'local-secret-key' },
      }),
      await signedFetch(insertOwner, { sendBody: { ...insertOwner, data: ['{"name":"changed"}'] } }),
      await signedFetch(insertOwner, { sendBody: { ...insertOwner, extra: 'added after signing' } }),
      await signedFetch(insertOwner, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).code).toBe('SIGN_PARAM_INVALID');
    }
    expect(count('owners')).toBe(before);
    // The same request, correctly signed, is stored: the refusals above are about the signature.
    expect((await signedFetch(insertOwner)).status).toBe(200);
    expect(count('owners')).toBe(before + 1);
  });

  test('a correctly signed request from a page on another site is still refused with 403', async () => {
    const before = count('owners');
    const res = await signedFetch(insertOwner, { headers: { origin: EVIL } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect(count('owners')).toBe(before);
  });

  test('the real wx-server-sdk and @cloudbase/node-sdk sign with the local key and work; with another key they fail', async () => {
    const before = count('owners');
    const cloud = require('wx-server-sdk');
    cloud.init({ env: test_.cloud.envId });
    await cloud
      .database()
      .collection('owners')
      .add({ data: { name: 'via wx-server-sdk' } });
    const tcb = require('@cloudbase/node-sdk');
    await tcb.init({ env: test_.cloud.envId }).database().collection('owners').add({ name: 'via node-sdk' });
    expect(count('owners')).toBe(before + 2);

    const stranger = tcb.init({ env: test_.cloud.envId, secretId: 'AKIDstranger', secretKey: 'not-the-key' });
    await expect(stranger.database().collection('owners').add({ name: 'stranger' })).rejects.toBeTruthy();
    expect(count('owners')).toBe(before + 2);
  });

  test('wx-server-sdk 2.x and @cloudbase/node-sdk 2.x (signer 1.x) sign with the local key too; another key fails', async () => {
    const before = count('owners');
    const cloud = require('wx-server-sdk-2');
    cloud.init({ env: test_.cloud.envId });
    await cloud
      .database()
      .collection('owners')
      .add({ data: { name: 'via wx-server-sdk 2' } });
    const tcb = require('cloudbase-node-sdk-2');
    await tcb
      .init({ env: test_.cloud.envId })
      .database()
      .collection('owners')
      .add({ name: 'via node-sdk 2' });
    expect(count('owners')).toBe(before + 2);
    const stranger = tcb.init({ env: test_.cloud.envId, secretId: 'AKIDstranger', secretKey: 'not-the-key' });
    await expect(stranger.database().collection('owners').add({ name: 'stranger' })).rejects.toBeTruthy();
    expect(count('owners')).toBe(before + 2);
  });

  test('a parameter the 1.x signer named while empty cannot be filled in after signing', async () => {
    const before = count('owners');
    const body = { ...insertOwner, wxCloudApiToken: '' };
    // The 1.x signer lists the empty parameters it skipped while hashing.
    const editAuth = (auth: string) =>
      auth.replace(/SignedParams=([^,]*),/, 'SignedParams=$1;wxcloudapitoken,');
    expect((await signedFetch(body, { editAuth })).status).toBe(200);
    const filled = await signedFetch(body, { editAuth, sendBody: { ...body, wxCloudApiToken: 'forged' } });
    expect(filled.status).toBe(401);
    expect(count('owners')).toBe(before + 1);
  });

  test('the upload URL takes only the token its signed getUploadMetadata gave, for that path, once', async () => {
    const meta = await protocolRequest(base, test_.cloud.credentials, {
      action: 'storage.getUploadMetadata',
      path: 'uploads/a.txt',
    });
    const put = (url: string, token: string) =>
      fetch(url, { method: 'PUT', headers: { 'x-cos-security-token': token }, body: 'hello' });
    const otherPath = meta.data.url.replace('a.txt', 'b.txt');
    for (const res of [await put(meta.data.url, 'guessed'), await put(otherPath, meta.data.token)]) {
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('<Code>AccessDenied</Code>');
    }
    expect((await put(meta.data.url, meta.data.token)).status).toBe(200);
    expect((await put(meta.data.url, meta.data.token)).status).toBe(403);
  });

  test('protocolRequest signs for tools and tests that speak the protocol without the SDK', async () => {
    const answer = await protocolRequest(base, test_.cloud.credentials, {
      action: 'database.calculateDocument',
      collectionName: 'owners',
      query: '{}',
    });
    expect(answer).toEqual({ requestId: expect.any(String), data: { total: count('owners') } });
  });
});

describe('other routes', () => {
  test('/__local routes that change state refuse other origins and cross-site fetches', async () => {
    test_.cloud.openapi.blockedWords = ['赌博'];
    const evil = await fetch(`${base}/__local/openapi/blocked-words`, {
      method: 'PUT',
      headers: { origin: EVIL },
      body: '[]',
    });
    expect(evil.status).toBe(403);
    const crossSite = await fetch(`${base}/__local/openapi/blocked-words`, {
      method: 'PUT',
      headers: { 'sec-fetch-site': 'cross-site' },
      body: '[]',
    });
    expect(crossSite.status).toBe(403);
    expect(test_.cloud.openapi.blockedWords).toEqual(['赌博']);
    const own = await fetch(`${base}/__local/openapi/blocked-words`, {
      method: 'PUT',
      headers: { origin: base },
      body: '[]',
    });
    expect(own.status).toBe(200);
    expect(test_.cloud.openapi.blockedWords).toEqual([]);
  });

  test('the HTTP access service (e.g. /admin-api) refuses other origins and cross-site reads', async () => {
    const post = await fetch(`${base}/web-api/leads`, {
      method: 'POST',
      headers: { origin: EVIL },
      body: '{}',
    });
    expect(post.status).toBe(403);
    const read = await fetch(`${base}/web-api/plain`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(read.status).toBe(403);
    expect(ranFunctions()).toEqual([]);
    const own = await fetch(`${base}/web-api/plain`, { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(200);
  });

  test('a host name another site could point at 127.0.0.1 (DNS rebinding) is refused; loopback names are not', async () => {
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(`${base}/__local/openapi`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
    const { port } = test_.cloud;
    expect(await get(`evil.example:${port}`)).toBe(403);
    expect(await get(`localhost:${port}`)).toBe(200);
    expect(await get(`127.0.0.1:${port}`)).toBe(200);
  });

  test('the admin page may not be framed by another site', async () => {
    const res = await fetch(`${base}/admin/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
  });
});

describe('the local key', () => {
  test('is made once per data dir, readable by its owner only, and reaches the SDK through sdkEnv()', async () => {
    const file = path.join(test_.dataDir, 'local-secret.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(localCredentials(test_.dataDir)).toEqual(test_.cloud.credentials);
    expect(test_.cloud.sdkEnv()).toMatchObject({
      TENCENTCLOUD_SECRETID: test_.cloud.credentials.secretId,
      TENCENTCLOUD_SECRETKEY: test_.cloud.credentials.secretKey,
    });
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-trust-key-'));
    try {
      expect(localCredentials(other).secretKey).not.toBe(test_.cloud.credentials.secretKey);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
