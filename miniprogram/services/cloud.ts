import type { ApiResult } from '../../typings/api';
import { config } from '../config';
import { copy } from '../copy';

type EnvVersion = 'develop' | 'trial' | 'release';

function envVersion(): EnvVersion {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion ?? 'release';
  } catch {
    return 'release';
  }
}

/**
 * The local cloud is reached only from a development build: a trial or release build that still
 * has `localCloud.enabled` would call 127.0.0.1 on the customer's own phone. There it is refused
 * and the build talks to `cloudEnv` like any other. (Review runs the develop build: the release
 * steps in the README check the switch is off before uploading.)
 */
export function localCloudAllowed(enabled: boolean, version: EnvVersion): boolean {
  return enabled && version === 'develop';
}

export function usesLocalCloud(): boolean {
  const allowed = localCloudAllowed(config.localCloud.enabled, envVersion());
  if (config.localCloud.enabled && !allowed)
    console.warn('localCloud.enabled is ignored outside the develop version; using cloudEnv');
  return allowed;
}

/**
 * What a failed call means for the person: only a call that never left the phone says the network
 * is unavailable; a wrong environment, a timeout or a function that failed says so instead.
 * `offline` is what `wx.getNetworkType` answered (`none`). Error codes from the cloud SDK's table.
 */
export function failureMessage(errMsg: string, offline: boolean): string {
  const text = errMsg ?? '';
  if (offline) return copy.errors.network;
  if (/Environment (not found|invalid)|INVALID_ENV|-501005|-501000/i.test(text))
    return copy.errors.environment;
  if (/timeout|timed out|-501002|-504003|-604102/i.test(text)) return copy.errors.timeout;
  if (/-501003|-501004|EXCEED_RATELIMIT/i.test(text)) return copy.errors.busy;
  if (/-504002|-404011|execute fail|execution error/i.test(text)) return copy.errors.functionFailed;
  if (/request:fail|network|ERR_(INTERNET|NAME|CONNECTION)|interrupted/i.test(text))
    return copy.errors.network;
  return copy.errors.unexpected;
}

function isOffline(): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      wx.getNetworkType({
        success: (res) => resolve(res.networkType === 'none'),
        fail: () => resolve(false),
      });
    } catch {
      resolve(false);
    }
  });
}

/**
 * The one way pages call cloud functions: wx.cloud in production, the local cloud over HTTP in
 * development. Always resolves to the `{ok, data} | {ok:false, error}` union.
 */
export function callFunction<T>(name: string, data: Record<string, unknown>): Promise<ApiResult<T>> {
  const { localCloud } = config;
  return new Promise((resolve) => {
    const failed = (error: { errMsg?: string; errCode?: number } | undefined) => {
      const errMsg = `${error?.errMsg ?? ''} ${error?.errCode ?? ''}`;
      isOffline().then((offline) =>
        resolve({ ok: false, error: { code: 'INTERNAL', message: failureMessage(errMsg, offline) } }),
      );
    };
    const answer = (result: unknown) =>
      resolve(
        isApiResult<T>(result)
          ? result
          : { ok: false, error: { code: 'INTERNAL', message: copy.errors.unexpected } },
      );
    if (usesLocalCloud()) {
      wx.request({
        url: `${localCloud.baseUrl}/api/functions/${name}`,
        method: 'POST',
        header: { 'content-type': 'application/json', 'x-wx-openid': localCloud.openid },
        data,
        success: (res) => answer(res.data),
        fail: failed,
      });
      return;
    }
    wx.cloud.callFunction({ name, data, success: (res) => answer(res.result), fail: failed });
  });
}

function isApiResult<T>(value: unknown): value is ApiResult<T> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}
