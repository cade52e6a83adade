import { MOBILE_PATTERN } from '../../typings/fields';

/**
 * Mainland mobile numbers in one form, so the same person typed two ways is one customer:
 * drops spaces, dashes, dots and brackets, a leading +86 / 0086 / 86 country prefix.
 * Returns null when what is left is not a mobile number.
 */
export function normalizePhone(raw: string): string | null {
  let digits = raw
    .replace(/[\s\-.()（）\u00a0]/g, '')
    .replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10));
  if (digits.startsWith('+')) digits = digits.slice(1);
  if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  return MOBILE_PATTERN.test(digits) ? digits : null;
}

/** The last four digits: stored beside the number so a search by a phone's ending is served by an index. */
export function phoneTail(phone: string | null | undefined): string | null {
  return phone && phone.length >= 4 ? phone.slice(-4) : null;
}

/** 138****8000: enough for a person to recognise, not enough to call. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}
