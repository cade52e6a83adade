import { z } from 'zod';
import { ADMIN_ROUTES, type AdminRoute, can, type Role } from '../../typings/admin';
import type { ErrorCode } from '../../typings/api';
import { AppError, fieldError } from '../runtime/errors';
import { parseInput, zodFields } from '../runtime/router';

/**
 * CloudBase's HTTP access service hands the function an integration event and sends back the
 * integration response it returns. This is the admin API's router over such events: method +
 * path → a row of {schema, handler}; the caller is authenticated and authorized from the route's
 * permission before the input is even read; every answer is the `{ok}` union as JSON.
 */
export interface HttpEvent {
  path?: string;
  httpMethod?: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { envId?: string; requestId?: string };
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

export interface Caller {
  accountId: string;
  username: string;
  role: Role;
  staffId: string | null;
}

export interface Handler<Ctx, S extends z.ZodType = z.ZodType> {
  schema: S;
  handler: (input: z.infer<S>, ctx: Ctx, params: Record<string, string>) => Promise<unknown>;
}

export function handle<Ctx, S extends z.ZodType>(
  schema: S,
  handler: (input: z.infer<S>, ctx: Ctx, params: Record<string, string>) => Promise<unknown>,
): Handler<Ctx, S> {
  return { schema, handler };
}

const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  CONSENT_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_ACTION: 404,
  NOT_CONFIGURED: 409,
  ACTIVITY_FULL: 409,
  ACTIVITY_CLOSED: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

interface CompiledRoute {
  key: AdminRoute;
  method: string;
  pattern: RegExp;
  names: string[];
}

function compile(key: AdminRoute): CompiledRoute {
  const [method, path] = key.split(' ');
  const names: string[] = [];
  const source = path.replace(/:([a-zA-Z]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { key, method, pattern: new RegExp(`^${source}/?$`), names };
}

const ROUTES = (Object.keys(ADMIN_ROUTES) as AdminRoute[]).map(compile);

/** The path below `/admin-api`, wherever the HTTP access service mounted the function. */
function routePath(path: string): string {
  const at = path.indexOf('/admin-api');
  const rest = at >= 0 ? path.slice(at + '/admin-api'.length) : path;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** A path parameter (`:id`), percent-decoded: ids are generated from these characters only. */
const pathParam = z.string().regex(/^[A-Za-z0-9_.:@-]{1,64}$/);

function decodeParam(name: string, raw: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw fieldError(name, '编号无效');
  }
  if (!pathParam.safeParse(value).success) throw fieldError(name, '编号无效');
  return value;
}

function match(method: string, path: string) {
  let pathMatched = false;
  for (const route of ROUTES) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params = Object.fromEntries(route.names.map((name, i) => [name, decodeParam(name, found[i + 1])]));
    return { route, params };
  }
  throw pathMatched
    ? new AppError('UNKNOWN_ACTION', `该接口不支持 ${method} 请求`)
    : new AppError('NOT_FOUND', '没有这个接口');
}

function header(event: HttpEvent, name: string): string {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? String(headers[key] ?? '') : '';
}

/**
 * The caller's address as CloudBase's HTTP access gateway saw it: `x-real-ip`, which the gateway
 * sets, else the last hop it appended to `x-forwarded-for` (earlier hops are whatever the client
 * sent, so never trusted).
 */
export function clientAddress(event: HttpEvent): string {
  const forwarded = header(event, 'x-forwarded-for')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  const address = header(event, 'x-real-ip').trim() || forwarded[forwarded.length - 1] || '';
  return address.replace(/^::ffff:/i, '').slice(0, 64) || 'unknown';
}

function readInput(event: HttpEvent, method: string): unknown {
  if (method === 'GET' || method === 'DELETE') {
    // An empty query value means "not filtered", as a form with an empty field sends it.
    return Object.fromEntries(
      Object.entries(event.queryStringParameters ?? {}).filter(([, value]) => value !== ''),
    );
  }
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('INVALID_INPUT', '请求体不是合法的 JSON', [
      { path: '(body)', message: '不是合法的 JSON' },
    ]);
  }
}

export function createHttpRouter<Ctx>(options: {
  handlers: { [K in AdminRoute]: Handler<Ctx, any> };
  /** Who holds the bearer token (throws UNAUTHENTICATED). */
  authenticate: (token: string, event: HttpEvent) => Promise<Caller>;
  context: (caller: Caller | null, event: HttpEvent) => Ctx;
  corsOrigin?: string;
  log?: (message: string, error: unknown) => void;
}) {
  const log = options.log ?? ((message, error) => console.error(message, error));
  const cors: Record<string, string> = options.corsOrigin
    ? {
        'access-control-allow-origin': options.corsOrigin,
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-allow-methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS',
        vary: 'origin',
      }
    : {};
  const answer = (statusCode: number, body: unknown): HttpResponse => ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...cors },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  });

  return async function serve(event: HttpEvent): Promise<HttpResponse> {
    const method = (event.httpMethod ?? 'GET').toUpperCase();
    if (method === 'OPTIONS') return { statusCode: 204, headers: cors, body: '', isBase64Encoded: false };
    try {
      const { route, params } = match(method, routePath(event.path ?? '/'));
      const permission = ADMIN_ROUTES[route.key];
      let caller: Caller | null = null;
      if (permission) {
        const token = /^Bearer\s+(.+)$/i.exec(header(event, 'authorization'))?.[1]?.trim();
        if (!token) throw new AppError('UNAUTHENTICATED', '请先登录');
        caller = await options.authenticate(token, event);
        if (!can(caller.role, permission)) throw new AppError('FORBIDDEN', '当前角色没有权限执行此操作');
      }
      const row = options.handlers[route.key];
      const parsed = parseInput(row.schema, readInput(event, method));
      if (!parsed.success) {
        const fields = zodFields(parsed.error);
        throw new AppError('INVALID_INPUT', fields[0]?.message ?? undefined, fields);
      }
      const data = await row.handler(parsed.data, options.context(caller, event), params);
      return answer(200, { ok: true, data });
    } catch (error) {
      if (error instanceof AppError)
        return answer(STATUS[error.code], { ok: false, error: error.toApiError() });
      log('admin: unexpected failure', error);
      return answer(500, { ok: false, error: new AppError('INTERNAL').toApiError() });
    }
  };
}
