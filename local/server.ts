import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { LocalClock } from './clock';
import type { DatabaseEngine } from './db/engine';
import type { DocumentStore } from './db/store';
import { CloudError } from './errors';
import type { CallerContext, FunctionCall, FunctionHost, ProtocolRequestKind } from './functions/host';
import { OPEN_DATA_API, type OpenApiFakes } from './openapi/fakes';
import { decodeOpenApiRequest, decodeOpenDataRequest, encodeOpenApiResponse } from './openapi/protobuf';
import type { FaultMode, SalesAnswer, SalesFakes } from './sales';
import {
  checkAuthorizationHeader,
  jsonParams,
  type LocalCredentials,
  paramKey,
  type SignedParams,
  signatureMatches,
  signedHeaderValue,
} from './signature';
import type { LocalStorage } from './storage';
import { type WecomFake, wecomRoute } from './wecom';

/** The cloud refuses request bodies over 100 KB (PLATFORM.md); so does the local cloud. */
export const BODY_LIMIT = 100 * 1024;
const UPLOAD_LIMIT = 50 * 1024 * 1024;

export interface ServerParts {
  envId: string;
  appId: string;
  /** The address the server listens on (a name besides the loopback ones that may reach it). */
  host: string;
  /** The key the SDK's requests must be signed with (the function host gives it to its workers). */
  credentials: LocalCredentials;
  store: DocumentStore;
  engine: DatabaseEngine;
  functions: FunctionHost;
  storage: LocalStorage;
  openapi: OpenApiFakes;
  sales: SalesFakes;
  wecom: WecomFake;
  clock: LocalClock;
  adminDir?: string;
  /** URL prefixes reached the way CloudBase's HTTP access service reaches a function. */
  httpRoutes: Record<string, string>;
  log: (line: string) => void;
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  res.writeHead(status, {
    'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json; charset=utf-8',
    'content-length': String(payload.length),
    ...headers,
  });
  res.end(payload);
}

function failure(code: string, message: string) {
  return { ok: false, error: { code, message } };
}

let requestCounter = 0;
const requestId = () => `local-${Date.now().toString(36)}-${(requestCounter++).toString(36)}`;

export function createServer(parts: ServerParts): http.Server {
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const route = url.pathname;
    const httpRoute = Object.keys(parts.httpRoutes).find(
      (prefix) => route === prefix || route.startsWith(`${prefix}/`),
    );
    const refusal = browserRefusal(parts, req, route, Boolean(httpRoute));
    if (refusal) {
      parts.log(`[local cloud] refused ${req.method} ${route}: ${refusal}`);
      req.resume();
      const protocol = req.method === 'POST' && route === '/admin';
      return send(
        res,
        403,
        protocol
          ? { requestId: requestId(), code: 'FORBIDDEN', message: refusal }
          : failure('FORBIDDEN', refusal),
      );
    }
    if (req.method === 'POST' && route === '/admin') return handleProtocol(parts, req, res, url);
    if (req.method === 'POST' && route.startsWith('/api/functions/'))
      return handleFunctionCall(parts, req, res, route.slice('/api/functions/'.length));
    if (httpRoute) return handleHttpAccess(parts, req, res, url, parts.httpRoutes[httpRoute]);
    if (route.startsWith('/__local/')) return handleLocal(parts, req, res, url);
    if (route === '/') return send(res, 302, '', { location: '/admin/' });
    if (route === '/admin' || route.startsWith('/admin/')) return serveAdmin(parts, res, route);
    return send(res, 404, failure('NOT_FOUND', `没有这个地址: ${route}`));
  };
  return http.createServer((req, res) => {
    handler(req, res).catch((error: Error) => {
      parts.log(`[local cloud] ${error.stack ?? error.message}`);
      if (!res.headersSent) send(res, 500, failure('INTERNAL', '本地云内部错误'));
    });
  });
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a request that a web page in the developer's browser could have sent is refused, or null.
 * The Host must be a name no other site can point here (loopback, an IP, the bound host: this
 * defeats DNS rebinding); then anything that writes or runs code refuses another Origin and
 * cross-site fetches. The mini program runtime (WeChat DevTools, PC WeChat) sends no Origin and
 * `Sec-Fetch-Site: cross-site` with a `https://servicewechat.com/…` referer: `/api/functions/*`
 * accepts exactly that, which no web page can forge (browsers send Origin with every POST).
 */
function browserRefusal(
  parts: ServerParts,
  req: http.IncomingMessage,
  route: string,
  httpRoute: boolean,
): string | null {
  const host = headerValue(req.headers.host).toLowerCase();
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return `Host 请求头无效: ${host}`;
  }
  const ip = net.isIP(hostname.replace(/^\[|\]$/g, '')) !== 0;
  if (!LOOPBACK_NAMES.has(hostname) && !ip && hostname !== parts.host.toLowerCase())
    return `本地云只接受以 127.0.0.1、localhost 或 IP 访问的请求（Host: ${host}）`;
  const readOnly = (req.method === 'GET' || req.method === 'HEAD') && !httpRoute;
  if (readOnly) return null;
  const origin = req.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`)
    return `本地云拒绝来自其他网站的请求（Origin: ${origin}）`;
  const site = headerValue(req.headers['sec-fetch-site']);
  if (site !== 'cross-site' && site !== 'same-site') return null;
  const miniProgram =
    route.startsWith('/api/functions/') &&
    origin === undefined &&
    headerValue(req.headers.referer).startsWith('https://servicewechat.com/');
  return miniProgram ? null : `本地云拒绝跨站请求（Sec-Fetch-Site: ${site}）`;
}

/** The CloudBase admin protocol the SDKs speak (LOCAL-CLOUD.md), signed with the local key. */
async function handleProtocol(
  parts: ServerParts,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const id = requestId();
  const unsigned = (message: string) =>
    send(res, 401, { requestId: id, code: 'SIGN_PARAM_INVALID', message });
  // Functions sign with the local cloud's clock (moved or not), the caller's own process with
  // real time: either is current.
  const checkAt = (ms: number) =>
    checkAuthorizationHeader(
      headerValue(req.headers.authorization),
      headerValue(req.headers['x-timestamp']),
      parts.credentials,
      Math.floor(ms / 1000),
    );
  const onClock = checkAt(parts.clock.now());
  const checked = 'refusal' in onClock && parts.clock.offsetMs !== 0 ? checkAt(Date.now()) : onClock;
  if ('refusal' in checked) {
    req.resume();
    return unsigned(checked.refusal);
  }
  const contentType = req.headers['content-type'] ?? '';
  let body: Buffer;
  try {
    body = await readBody(req, contentType.startsWith('multipart/') ? UPLOAD_LIMIT : BODY_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLarge)
      return send(res, 200, { requestId: id, code: 'INVALID_PARAM', message: '请求体超过 100 KB 的上限' });
    throw error;
  }
  const multipart = contentType.startsWith('multipart/form-data');
  const fields = multipart ? parseMultipartParts(body, contentType) : [];
  let request: Record<string, unknown> | null = null;
  if (!multipart) {
    try {
      const parsed = JSON.parse(body.toString('utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) request = parsed;
    } catch {}
  }
  // The signer hashes an object's fields one by one, anything else as the raw body.
  const params: SignedParams = multipart
    ? fields.map((field) => [
        paramKey(field.name),
        field.binary ? field.value : field.value.toString('utf8').trim(),
      ])
    : request
      ? jsonParams(request)
      : body.toString('utf8');
  const signedHeaders: [string, string][] = checked.auth.signedHeaders.map((name) => [
    name,
    signedHeaderValue(name, headerValue(req.headers[name])),
  ]);
  const signed = signatureMatches(
    checked.auth,
    {
      method: (req.method ?? 'POST').toLowerCase(),
      host: headerValue(req.headers.host),
      path: url.pathname,
      query: url.search.slice(1),
      headers: signedHeaders,
      params,
      timestamp: checked.timestamp,
    },
    parts.credentials.secretKey,
  );
  if (!signed) return unsigned('签名不正确：请求未用本地云的密钥签名，或签名后被改动');
  if (multipart) {
    const byName = Object.fromEntries(fields.map((field) => [field.name, field.value]));
    const token = byName.wxCloudApiToken?.toString('utf8');
    parts.functions.countRequest(
      token,
      byName.action?.toString('utf8') === 'wx.openApi' ? 'openApi' : 'other',
    );
    return handleOpenApi(parts, byName, res, id);
  }
  if (!request || typeof request.action !== 'string') {
    return send(res, 200, {
      requestId: id,
      code: 'INVALID_PARAM',
      message: '请求不是合法的 JSON 或缺少 action',
    });
  }
  const action = request.action;
  parts.functions.countRequest(String(request.wxCloudApiToken ?? ''), requestKind(action));
  try {
    let answer: Record<string, unknown>;
    if (action.startsWith('database.')) answer = await parts.engine.handle(action, request);
    else if (action === 'functions.invokeFunction') answer = { data: await invokeNested(parts, request) };
    else if (action.startsWith('storage.')) answer = { data: storageAction(parts, action, request) };
    else throw new CloudError('INVALID_PARAM', `不支持的操作: ${action}`);
    send(res, 200, { requestId: id, ...answer });
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    send(res, 200, { requestId: id, code: error.code, message: error.message });
  }
}

async function invokeNested(
  parts: ServerParts,
  request: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const name = String(request.function_name ?? '');
  let event: unknown = {};
  try {
    event =
      typeof request.request_data === 'string' && request.request_data
        ? JSON.parse(request.request_data)
        : {};
  } catch {
    throw new CloudError('INVALID_PARAM', 'request_data 不是合法的 JSON');
  }
  // A call from inside a function keeps the user's identity, as in the cloud.
  const parent = parts.functions.callerOf(String(request.wxCloudApiToken ?? ''));
  const caller: CallerContext = parent
    ? { ...parent.caller, SOURCE: 'wx_server' }
    : { SOURCE: 'wx_server', APPID: parts.appId };
  const result = await parts.functions.invoke(name, event, caller, { parentId: parent?.call.id });
  return { response_data: JSON.stringify(result) };
}

function requestKind(action: string): ProtocolRequestKind {
  if (action.startsWith('database.')) return 'db';
  return action === 'wx.openApi' ? 'openApi' : 'other';
}

function storageAction(
  parts: ServerParts,
  action: string,
  request: Record<string, unknown>,
): Record<string, unknown> {
  switch (action) {
    case 'storage.getUploadMetadata':
      return parts.storage.uploadMetadata(String(request.path ?? ''));
    case 'storage.batchGetDownloadUrl':
      return { download_list: parts.storage.downloadList(request.file_list) };
    case 'storage.batchDeleteFile':
      return { delete_list: parts.storage.deleteList(request.fileid_list) };
    default:
      throw new CloudError('INVALID_PARAM', `不支持的操作: ${action}`);
  }
}

/** `cloud.openapi.*` arrives as multipart with a protobuf request and expects protobuf back. */
async function handleOpenApi(
  parts: ServerParts,
  fields: Record<string, Buffer>,
  res: http.ServerResponse,
  id: string,
): Promise<void> {
  const apiName = fields.apiName?.toString('utf8');
  if (fields.action?.toString('utf8') !== 'wx.openApi' || !apiName) {
    return send(res, 200, { requestId: id, code: 'INVALID_PARAM', message: '不支持的 multipart 请求' });
  }
  let params: Record<string, unknown>;
  try {
    const requestData = fields.requestData ?? Buffer.alloc(0);
    params =
      apiName === OPEN_DATA_API
        ? { list: decodeOpenDataRequest(requestData) }
        : decodeOpenApiRequest(requestData);
  } catch {
    return send(res, 200, {
      requestId: id,
      code: 'INVALID_PARAM',
      message: 'requestData 不是合法的 protobuf',
    });
  }
  const parent = parts.functions.callerOf(fields.wxCloudApiToken?.toString('utf8'));
  const answer = await parts.openapi.answer(apiName, params, {
    functionName: parent?.functionName,
    openid: parent?.caller.OPENID,
  });
  send(res, 200, encodeOpenApiResponse(answer.body, answer.contentType, answer.svrkitErrorCode));
}

interface MultipartField {
  name: string;
  value: Buffer;
  /** A part with its own Content-Type (a Buffer on the sender's side): signed as bytes, not as trimmed text. */
  binary: boolean;
}

function parseMultipartParts(body: Buffer, contentType: string): MultipartField[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const fields: MultipartField[] = [];
  if (!boundary) return fields;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const head = part.subarray(0, headerEnd).toString('utf8');
      const name = /name="([^"]+)"/.exec(head)?.[1];
      if (name)
        fields.push({ name, value: part.subarray(headerEnd + 4), binary: /^content-type:/im.test(head) });
    }
    start = next;
  }
  return fields;
}

/** `POST /api/functions/<name>`: the mini program's `wx.cloud.callFunction`, identity from `x-wx-openid`. */
async function handleFunctionCall(
  parts: ServerParts,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  name: string,
): Promise<void> {
  // Only JSON: a browser cannot send it to another site without a CORS preflight, which is refused.
  const mediaType = headerValue(req.headers['content-type']).split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json') {
    req.resume();
    return send(res, 415, failure('INVALID_INPUT', '请求体必须是 JSON（content-type: application/json）'));
  }
  let event: unknown;
  try {
    const body = await readBody(req, BODY_LIMIT);
    event = body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch (error) {
    if (error instanceof BodyTooLarge)
      return send(res, 413, failure('INVALID_INPUT', '请求内容超过 100 KB，请精简后再提交'));
    return send(res, 400, failure('INVALID_INPUT', '请求体不是合法的 JSON'));
  }
  const openid = headerValue(req.headers['x-wx-openid']);
  const caller: CallerContext = {
    OPENID: openid,
    APPID: parts.appId,
    UNIONID: headerValue(req.headers['x-wx-unionid']),
    CLIENTIP: req.socket.remoteAddress ?? '',
    SOURCE: 'wx_client',
  };
  await answerInvocation(parts, res, name, event, caller);
}

async function answerInvocation(
  parts: ServerParts,
  res: http.ServerResponse,
  name: string,
  event: unknown,
  caller: CallerContext,
  raw = false,
) {
  const { call, result, error } = await parts.functions.run(name, event, caller);
  const headers = call ? callHeaders(call) : {};
  if (!error) {
    if (raw) return sendIntegrationResponse(res, result, headers);
    return send(res, 200, result ?? null, headers);
  }
  const missing = error.code === 'FUNCTIONS_REQUEST_FAIL';
  send(
    res,
    missing ? 404 : 500,
    failure(missing ? 'NOT_FOUND' : 'INTERNAL', missing ? error.message : '服务暂时不可用，请稍后重试'),
    headers,
  );
}

/** What the call cost in protocol requests, for a test or a developer watching the network panel. */
function callHeaders(call: FunctionCall): Record<string, string> {
  return {
    'x-local-call-id': String(call.id),
    'x-local-db-requests': String(call.dbRequests),
    'x-local-openapi-requests': String(call.openApiRequests),
    'x-local-other-requests': String(call.otherRequests),
  };
}

/** CloudBase's HTTP access service: the request becomes an integration event; the answer may be an integration response. */
async function handleHttpAccess(
  parts: ServerParts,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  functionName: string,
) {
  let body: Buffer;
  try {
    body = await readBody(req, BODY_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLarge)
      return send(res, 413, failure('INVALID_INPUT', '请求内容超过 100 KB，请精简后再提交'));
    throw error;
  }
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(req.headers).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.join(',') : (value ?? ''),
    ]),
  );
  // The gateway in front of HTTP access tells the function who called: it sets x-real-ip to the
  // peer it accepted the connection from and appends that peer to x-forwarded-for.
  const peer = req.socket.remoteAddress ?? '';
  headers['x-real-ip'] = peer;
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${peer}` : peer;
  const event = {
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    queryStringParameters: Object.fromEntries(url.searchParams),
    body: body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: { requestId: requestId(), envId: parts.envId, appId: parts.appId },
  };
  await answerInvocation(
    parts,
    res,
    functionName,
    event,
    { SOURCE: 'http', CLIENTIP: req.socket.remoteAddress ?? '' },
    true,
  );
}

function sendIntegrationResponse(
  res: http.ServerResponse,
  result: any,
  headers: Record<string, string>,
): void {
  if (result && typeof result === 'object' && typeof result.statusCode === 'number') {
    const payload = result.isBase64Encoded
      ? Buffer.from(String(result.body ?? ''), 'base64')
      : Buffer.from(String(result.body ?? ''));
    res.writeHead(result.statusCode, {
      'content-length': String(payload.length),
      ...headers,
      ...(result.headers ?? {}),
    });
    res.end(payload);
    return;
  }
  send(res, 200, result ?? null, headers);
}

async function handleLocal(
  parts: ServerParts,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const route = url.pathname;
  if (req.method === 'GET' && route === '/__local/health') {
    const collections = parts.store
      .names()
      .map((name) => ({ name, count: parts.store.count(parts.store.main, name, {}) }));
    return send(res, 200, {
      ok: true,
      data: { envId: parts.envId, functions: parts.functions.list().map((fn) => fn.name), collections },
    });
  }
  if (route === '/__local/calls') {
    if (req.method === 'DELETE') parts.functions.calls.length = 0;
    const name = url.searchParams.get('function');
    const action = url.searchParams.get('action');
    return send(res, 200, {
      ok: true,
      data: {
        calls: parts.functions.calls.filter(
          (call) => (!name || call.function === name) && (!action || call.action === action),
        ),
      },
    });
  }
  if (route === '/__local/clock') {
    if (req.method === 'PUT') {
      const text = (await readBody(req, BODY_LIMIT)).toString('utf8');
      let at = Number.NaN;
      try {
        at = Date.parse(String(JSON.parse(text).now));
      } catch {}
      if (!Number.isFinite(at))
        return send(res, 400, failure('INVALID_INPUT', '请以 {"now": "<ISO 时间>"} 设置本地云的时钟'));
      parts.clock.set(new Date(at));
    } else if (req.method === 'DELETE') parts.clock.reset();
    return send(res, 200, {
      ok: true,
      data: { now: new Date(parts.clock.now()).toISOString(), offsetMs: parts.clock.offsetMs },
    });
  }
  if (route === '/__local/openapi') {
    if (req.method === 'DELETE') parts.openapi.calls.length = 0;
    const api = url.searchParams.get('api');
    return send(res, 200, {
      ok: true,
      data: { calls: parts.openapi.calls.filter((call) => !api || call.api === api) },
    });
  }
  const salesTarget = /^\/__local\/(wecom\/send|webhook\/([A-Za-z0-9_-]+))$/.exec(route);
  if (req.method === 'POST' && salesTarget) {
    const text = (await readBody(req, BODY_LIMIT)).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
    );
    const answer: SalesAnswer = salesTarget[2]
      ? parts.sales.webhook(salesTarget[2], headers, body)
      : parts.sales.robot(url.searchParams.get('key') ?? '', headers, body);
    if (answer.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (!res.destroyed) send(res, answer.status, answer.body);
    return;
  }
  if (route.startsWith('/__local/wecom/')) {
    const answer = await wecomRoute(
      parts.wecom,
      req.method ?? 'GET',
      route.slice('/__local/wecom'.length),
      Object.fromEntries(url.searchParams),
      (await readBody(req, BODY_LIMIT)).toString('utf8'),
    );
    if (answer) {
      const type: Record<string, string> = answer.contentType ? { 'content-type': answer.contentType } : {};
      return send(res, answer.status, answer.body, type);
    }
  }
  if (route === '/__local/sales') {
    if (req.method === 'DELETE') parts.sales.clear();
    const target = url.searchParams.get('target');
    return send(res, 200, {
      ok: true,
      data: { received: parts.sales.received.filter((m) => !target || m.target === target) },
    });
  }
  if (req.method === 'PUT' && route === '/__local/sales/faults') {
    const order = JSON.parse((await readBody(req, BODY_LIMIT)).toString('utf8') || '{}');
    const modes = ['http500', 'errcode45009', 'timeout', 'ok'];
    if (typeof order.target !== 'string' || !modes.includes(order.mode)) {
      return send(
        res,
        400,
        failure('INVALID_INPUT', 'target 为 robot:<key> 或 webhook:<name>，mode 为 ' + modes.join('/')),
      );
    }
    parts.sales.setFault(order.target, order.mode as FaultMode | 'ok', order.count ?? undefined);
    return send(res, 200, { ok: true, data: order });
  }
  if (req.method === 'PUT' && route === '/__local/sales/robot-limit') {
    const order = JSON.parse((await readBody(req, BODY_LIMIT)).toString('utf8') || '{}');
    parts.sales.robotLimitPerMinute = typeof order.perMinute === 'number' ? order.perMinute : null;
    return send(res, 200, { ok: true, data: { perMinute: parts.sales.robotLimitPerMinute } });
  }
  if (req.method === 'PUT' && route === '/__local/openapi/blocked-words') {
    const words = JSON.parse((await readBody(req, BODY_LIMIT)).toString('utf8') || '[]');
    if (!Array.isArray(words) || !words.every((word) => typeof word === 'string')) {
      return send(res, 400, failure('INVALID_INPUT', '屏蔽词必须是字符串数组'));
    }
    parts.openapi.blockedWords = words;
    return send(res, 200, { ok: true, data: { words } });
  }
  if ((req.method === 'PUT' || req.method === 'POST') && route === '/__local/storage/upload') {
    return handleUpload(parts, req, res, url);
  }
  if (req.method === 'GET' && route.startsWith('/__local/storage/files/')) {
    const cloudPath = decodeURI(route.slice('/__local/storage/files/'.length));
    let content: Buffer | null = null;
    try {
      content = parts.storage.read(cloudPath);
    } catch {
      content = null;
    }
    if (!content) return send(res, 404, failure('NOT_FOUND', '文件不存在'));
    return send(res, 200, content, { 'content-type': contentTypeOf(cloudPath) });
  }
  send(res, 404, failure('NOT_FOUND', `没有这个地址: ${route}`));
}

/**
 * The upload URL, answered as COS answers: an empty body, or an XML `<Error>`. node-sdk 3.x PUTs
 * the bytes (token in the `x-cos-security-token` header); node-sdk 2.x POSTs a multipart form
 * (fields `key`, `x-cos-security-token`, …, then `file`).
 */
async function handleUpload(
  parts: ServerParts,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const xml = { 'content-type': 'application/xml' };
  let body: Buffer;
  try {
    body = await readBody(req, UPLOAD_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLarge)
      return send(res, 413, cosError('EntityTooLarge', 'file exceeds 50 MB'), xml);
    throw error;
  }
  const cloudPath = url.searchParams.get('path') ?? '';
  let token = headerValue(req.headers['x-cos-security-token']);
  let content = body;
  const contentType = headerValue(req.headers['content-type']);
  if (req.method === 'POST') {
    if (!contentType.startsWith('multipart/form-data'))
      return send(res, 400, cosError('InvalidArgument', 'POST upload must be multipart/form-data'), xml);
    const fields = parseMultipartParts(body, contentType);
    const field = (name: string) => fields.find((f) => f.name.toLowerCase() === name)?.value;
    token = field('x-cos-security-token')?.toString('utf8') ?? '';
    const file = field('file');
    if (!file) return send(res, 400, cosError('InvalidArgument', 'the form has no file field'), xml);
    content = file;
  }
  try {
    parts.storage.upload(cloudPath, token, content);
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    const denied = error.code === 'AccessDenied';
    return send(
      res,
      denied ? 403 : 400,
      cosError(denied ? 'AccessDenied' : 'InvalidArgument', error.message),
      xml,
    );
  }
  return send(res, 200, '', xml);
}

function cosError(code: string, message: string): string {
  return `<?xml version='1.0' encoding='utf-8' ?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>local</RequestId><TraceId>local</TraceId></Error>`;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function serveAdmin(parts: ServerParts, res: http.ServerResponse, route: string): void {
  const root = parts.adminDir;
  if (!root || !fs.existsSync(path.join(root, 'index.html'))) {
    send(res, 503, '<!doctype html><meta charset="utf-8"><p>管理后台尚未构建：请先运行 npm run build</p>', {
      'content-type': 'text/html; charset=utf-8',
    });
    return;
  }
  const relative = decodeURIComponent(route.replace(/^\/admin\/?/, ''));
  const file = path.resolve(root, relative);
  const inside = file.startsWith(path.resolve(root) + path.sep);
  // Unknown paths fall back to index.html so the page's own router can answer them.
  const target =
    inside && fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(root, 'index.html');
  const cache = target.includes(`${path.sep}assets${path.sep}`)
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
  // The page can change local data: no other site may frame it and trick a click.
  send(res, 200, fs.readFileSync(target), {
    'content-type': contentTypeOf(target),
    'cache-control': cache,
    'x-frame-options': 'DENY',
    'content-security-policy': "frame-ancestors 'none'",
  });
}

function headerValue(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}
