/**
 * WeChat's one-tap phone button (手机号快速验证) is paid per success: the fee is charged when
 * `bindgetphonenumber` delivers a code, not when the server exchanges it. When the account's quota
 * is used up the button answers `errno` 1400001 and WeChat tells the customer nothing useful; the
 * form then asks for the number by hand and remembers it for a while on this phone, so the next
 * form does not offer a button that cannot work.
 */
export const QUOTA_EXHAUSTED = 1400001;
const STORAGE_KEY = 'leadpool.phoneQuotaExhaustedAt';
/** Long enough to spare customers a dead button, short enough to pick up a refilled quota. */
export const QUOTA_MEMORY_MS = 12 * 60 * 60 * 1000;

export type PhoneAnswer =
  | { kind: 'code'; code: string }
  | { kind: 'quota' }
  | { kind: 'declined' }
  | { kind: 'failed' };

/** What the button's event says: a code to exchange, an exhausted quota, a refusal, or a failure. */
export function readPhoneEvent(detail: { code?: string; errno?: number; errMsg?: string }): PhoneAnswer {
  if (detail.code) return { kind: 'code', code: detail.code };
  if (detail.errno === QUOTA_EXHAUSTED) return { kind: 'quota' };
  if (/deny|cancel/i.test(detail.errMsg ?? '')) return { kind: 'declined' };
  return { kind: 'failed' };
}

export function quotaRecentlyExhausted(exhaustedAt: number | null, now: number): boolean {
  return exhaustedAt !== null && now - exhaustedAt >= 0 && now - exhaustedAt < QUOTA_MEMORY_MS;
}

export function rememberQuotaExhausted(now = Date.now()): void {
  try {
    wx.setStorageSync(STORAGE_KEY, now);
  } catch {
    // Storage full or unavailable: the next form simply tries the button again.
  }
}

export function phoneButtonUsable(now = Date.now()): boolean {
  let stored: unknown = null;
  try {
    stored = wx.getStorageSync(STORAGE_KEY);
  } catch {
    stored = null;
  }
  return !quotaRecentlyExhausted(typeof stored === 'number' ? stored : null, now);
}
