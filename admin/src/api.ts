import type { AdminRoute } from '../../typings/admin';
import type { ApiResult } from '../../typings/api';

/**
 * One fetch wrapper for the admin page: always the `{ok, data} | {ok:false, error}` union.
 * The admin API sits behind CloudBase's HTTP access service at `/admin-api` (same origin
 * locally; a deployed page names its HTTP access domain in VITE_ADMIN_API_BASE).
 */
export const API_BASE: string = import.meta.env.VITE_ADMIN_API_BASE || '/admin-api';

const TOKEN_KEY = 'leadpool.admin.token';

export function storedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Called when the API answers UNAUTHENTICATED (expired or revoked token): the page goes to login. */
let onSignedOut: () => void = () => {};
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

type Method = AdminRoute extends `${infer M} ${string}` ? M : never;
type Query = Record<string, string | number | boolean | null | undefined>;

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export async function getJson<T>(url: string, init: RequestInit = {}): Promise<ApiResult<T>> {
  try {
    const res = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers } });
    const body = (await res.json()) as ApiResult<T>;
    if (typeof body?.ok === 'boolean') return body;
  } catch {
    return { ok: false, error: { code: 'INTERNAL', message: '网络不可用，请稍后重试' } };
  }
  return { ok: false, error: { code: 'INTERNAL', message: '服务返回了无法识别的内容' } };
}

/** Calls `METHOD /admin-api<path>` with the signed-in token; GET bodies travel as the query. */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<ApiResult<T>> {
  const token = storedToken();
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const isQuery = method === 'GET' || method === 'DELETE';
  if (!isQuery && body !== undefined) headers['content-type'] = 'application/json';
  const url = `${API_BASE}${path}${isQuery ? queryString(body as Query) : ''}`;
  const result = await getJson<T>(url, {
    method,
    headers,
    body: isQuery || body === undefined ? undefined : JSON.stringify(body),
  });
  if (!result.ok && result.error.code === 'UNAUTHENTICATED' && token) {
    storeToken(null);
    onSignedOut();
  }
  return result;
}
