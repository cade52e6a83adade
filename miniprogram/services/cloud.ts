import type { ApiResult } from '../../typings/api';
import { config } from '../config';
import { copy } from '../copy';

/**
 * The one way pages call cloud functions: wx.cloud in production, the local cloud over HTTP in
 * development. Always resolves to the `{ok, data} | {ok:false, error}` union.
 */
export function callFunction<T>(name: string, data: Record<string, unknown>): Promise<ApiResult<T>> {
  const { localCloud } = config;
  return new Promise((resolve) => {
    const unreachable = () =>
      resolve({ ok: false, error: { code: 'INTERNAL', message: copy.errors.network } });
    const answer = (result: unknown) =>
      resolve(
        isApiResult<T>(result)
          ? result
          : { ok: false, error: { code: 'INTERNAL', message: copy.errors.unexpected } },
      );
    if (localCloud.enabled) {
      wx.request({
        url: `${localCloud.baseUrl}/api/functions/${name}`,
        method: 'POST',
        header: { 'content-type': 'application/json', 'x-wx-openid': localCloud.openid },
        data,
        success: (res) => answer(res.data),
        fail: unreachable,
      });
      return;
    }
    wx.cloud.callFunction({ name, data, success: (res) => answer(res.result), fail: unreachable });
  });
}

function isApiResult<T>(value: unknown): value is ApiResult<T> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}
