import crypto from 'node:crypto';
import type { Role } from '../../typings/admin';

/**
 * The admin page's own login (HTTP-access calls carry no WeChat identity): scrypt password
 * hashes with a per-account salt, and HMAC-SHA256 signed tokens that expire. A token names the
 * account and its token version; bumping the version (logout, password or role change) revokes
 * every token issued before. Pure: the secret and the clock are passed in.
 */
export const TOKEN_TTL_MS = 12 * 3_600_000;
/** Passwords evaluated per username and client address in any `LOCKOUT_MS`; then that pair is locked. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** Sign-in attempts per client address per minute, across all usernames (successful ones are given back). */
export const LOGINS_PER_ADDRESS_PER_MINUTE = 20;

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

export function hashPassword(password: string, salt = crypto.randomBytes(16)): string {
  const hash = crypto.scryptSync(password.normalize('NFKC'), salt, SCRYPT.keylen, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
  });
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = crypto.scryptSync(
    password.normalize('NFKC'),
    Buffer.from(salt, 'base64url'),
    expected.length,
    {
      N: Number(n),
      r: Number(r),
      p: Number(p),
    },
  );
  return crypto.timingSafeEqual(actual, expected);
}

/** Spends the same time as a real check, so an unknown username is not told apart by timing. */
export const DUMMY_HASH = hashPassword('not-a-password', Buffer.alloc(16));

export interface TokenClaims {
  /** Account id. */
  sub: string;
  role: Role;
  /** The account's token version when the token was issued. */
  ver: number;
  /** Expiry, epoch ms. */
  exp: number;
}

const sign = (payload: string, secret: string) =>
  crypto.createHmac('sha256', secret).update(payload).digest('base64url');

export function issueToken(claims: TokenClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The claims of a genuine, unexpired token; null otherwise. */
export function readToken(token: string, secret: string, now: number): TokenClaims | null {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || typeof claims.ver !== 'number')
      return null;
    return claims.exp > now ? claims : null;
  } catch {
    return null;
  }
}

/** The signing secret: from the environment only; a function without one refuses to sign anything. */
export function tokenSecret(): string {
  const secret = process.env.LEADPOOL_TOKEN_SECRET ?? '';
  if (secret.length < 16) throw new Error('LEADPOOL_TOKEN_SECRET is not set (at least 16 characters)');
  return secret;
}
