/** An openid as lists show it (`oAbc…xyz9`): enough to tell two WeChats apart, not to act as one. */
export function maskOpenid(openid: string | null | undefined): string | null {
  if (!openid) return null;
  return openid.length > 10 ? `${openid.slice(0, 4)}…${openid.slice(-4)}` : `${openid.slice(0, 2)}…`;
}
