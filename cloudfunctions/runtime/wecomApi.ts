import crypto from 'node:crypto';

/**
 * The WeCom server API (qyapi.weixin.qq.com, or `LEADPOOL_WECOM_API_BASE`: the local cloud's fake
 * WeCom). One access token per corp and secret, kept by this instance until it expires or WeCom
 * says it is invalid (40014) or expired (42001), then fetched again and the call retried once.
 */
const WECOM_API_BASE = (process.env.LEADPOOL_WECOM_API_BASE || 'https://qyapi.weixin.qq.com').replace(
  /\/+$/,
  '',
);

const CALL_TIMEOUT_MS = 5_000;
/** Refresh a little before WeCom's expiry so a token never dies between check and use. */
const EXPIRY_MARGIN_MS = 300_000;
const STALE_TOKEN = new Set([40014, 42001]);
/** errcode for a call that never got an answer (network, timeout, not JSON). */
const UNREACHABLE = -1;

export class WecomApiError extends Error {
  constructor(
    readonly path: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeCom ${path}: ${errcode} ${errmsg}`);
  }

  /** Worth trying again later: WeCom unreachable, busy (-1 from WeCom too) or "too frequent". */
  get transient(): boolean {
    return this.errcode === UNREACHABLE || this.errcode === 45009 || this.errcode === 45033;
  }
}

export interface WecomApp {
  corpId: string;
  secret: string;
}

const tokens = new Map<string, { token: string; expiresAt: number }>();
const tokenKey = (app: WecomApp) =>
  crypto.createHash('sha256').update(`${app.corpId}\u0000${app.secret}`).digest('hex');

async function request(path: string, init: RequestInit): Promise<Record<string, any>> {
  let answer: Record<string, any>;
  try {
    const res = await fetch(`${WECOM_API_BASE}${path}`, {
      ...init,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    answer = (await res.json()) as Record<string, any>;
  } catch (error) {
    throw new WecomApiError(path.split('?')[0], UNREACHABLE, (error as Error).message);
  }
  const errcode = Number(answer.errcode ?? 0);
  if (errcode !== 0) throw new WecomApiError(path.split('?')[0], errcode, String(answer.errmsg ?? ''));
  return answer;
}

async function accessToken(app: WecomApp, now: number): Promise<string> {
  const key = tokenKey(app);
  const kept = tokens.get(key);
  if (kept && kept.expiresAt > now) return kept.token;
  const query = new URLSearchParams({ corpid: app.corpId, corpsecret: app.secret });
  const answer = await request(`/cgi-bin/gettoken?${query}`, { method: 'GET' });
  const expiresIn = Number(answer.expires_in ?? 7200) * 1000;
  tokens.set(key, {
    token: String(answer.access_token),
    expiresAt: now + Math.max(0, expiresIn - EXPIRY_MARGIN_MS),
  });
  return String(answer.access_token);
}

/** Calls `path` (`/cgi-bin/...`) with the app's token: a GET with `query`, or a POST of `body`. */
export async function wecomCall<T = Record<string, any>>(
  app: WecomApp,
  path: string,
  options: { query?: Record<string, string>; body?: unknown } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const token = await accessToken(app, Date.now());
    const query = new URLSearchParams({ access_token: token, ...options.query });
    const init: RequestInit =
      options.body === undefined
        ? { method: 'GET' }
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(options.body),
          };
    try {
      return (await request(`${path}?${query}`, init)) as T;
    } catch (error) {
      if (!(error instanceof WecomApiError) || !STALE_TOKEN.has(error.errcode) || attempt > 0) throw error;
      tokens.delete(tokenKey(app));
    }
  }
}
