import type { ApiResult } from '../../typings/api';

/** One fetch wrapper for the admin page: always the `{ok, data} | {ok:false, error}` union. */
export async function getJson<T>(url: string): Promise<ApiResult<T>> {
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    const body = (await res.json()) as ApiResult<T>;
    if (typeof body?.ok === 'boolean') return body;
  } catch {
    return { ok: false, error: { code: 'INTERNAL', message: '网络不可用，请稍后重试' } };
  }
  return { ok: false, error: { code: 'INTERNAL', message: '服务返回了无法识别的内容' } };
}
