import type { Role } from '../../typings/admin';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce, stableId } from '../runtime/store';

/** An admin page login. `tokenVersion` revokes every token issued before it changed. */
export interface AccountDoc {
  _id: string;
  /** As it was typed when the account was made (shown in lists and the audit log). */
  username: string;
  /** `usernameKey(username)`: unique, so `Admin` cannot be made beside `admin`; sign-in looks it up. */
  usernameKey: string;
  passwordHash: string;
  role: Role;
  /** The staff record a sales account acts as (the leads it owns). */
  staffId: string | null;
  active: boolean;
  tokenVersion: number;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const ACCOUNTS = 'accounts';
const LOGIN_ATTEMPTS = 'loginAttempts';
const RATE_LIMITS = 'rateLimits';

/** Usernames are case-insensitive: `Admin`, `ADMIN` and `admin` are one account. */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

export function accountById(db: Database, id: string): Promise<AccountDoc | null> {
  return findById<AccountDoc>(db, ACCOUNTS, id);
}

/** The account a username names, in any case. */
export async function accountByUsername(db: Database, username: string): Promise<AccountDoc | null> {
  const { data } = await db
    .collection(ACCOUNTS)
    .where({ usernameKey: usernameKey(username) })
    .limit(1)
    .get();
  return (data[0] as AccountDoc | undefined) ?? null;
}

/** False when the username is taken in any case (unique index on `usernameKey`). */
export function insertAccount(db: Database, account: AccountDoc): Promise<boolean> {
  return insertOnce(db, ACCOUNTS, account);
}

export async function listAccounts(db: Database): Promise<AccountDoc[]> {
  const { data } = await db.collection(ACCOUNTS).limit(1000).get();
  return (data as AccountDoc[]).sort((a, b) => a.username.localeCompare(b.username));
}

export async function updateAccount(
  db: Database,
  id: string,
  changes: Record<string, unknown>,
): Promise<void> {
  await db.collection(ACCOUNTS).doc(id).update({ data: changes });
}

/** Logout and credential changes: tokens of the old version stop working. */
export async function bumpTokenVersion(db: Database, id: string, now: Date): Promise<void> {
  await db
    .collection(ACCOUNTS)
    .doc(id)
    .update({ data: { tokenVersion: db.command.inc(1), updatedAt: now } });
}

/**
 * The sign-in attempts of one username from one address: `attempts` within a window that ends
 * `windowMs` after the latest of them. The username need not name an account, so an unknown name
 * is refused exactly like a known one.
 */
export interface LoginAttemptsDoc {
  _id: string;
  /** `usernameKey` of the name tried. */
  account: string;
  address: string;
  attempts: number;
  until: Date;
  updatedAt: Date;
}

const attemptsId = (account: string, address: string) => stableId('login', account, address);

/**
 * Counts one sign-in attempt before its password is looked at, atomically: true while fewer than
 * `max` attempts of this username from this address fall in the current window, false when they
 * are used up (locked until the window ends). Every counted attempt moves the window's end to
 * `windowMs` from now, so at most `max` passwords are ever evaluated in any `windowMs`, however
 * many requests arrive at once. `_.inc` answers no value: the conditional update's count decides.
 */
export async function claimLoginAttempt(
  db: Database,
  account: string,
  address: string,
  max: number,
  windowMs: number,
  now: Date,
): Promise<boolean> {
  const _ = db.command;
  const id = attemptsId(account, address);
  const until = new Date(now.getTime() + windowMs);
  const attempts = db.collection(LOGIN_ATTEMPTS);
  for (let round = 0; round < 3; round += 1) {
    const counted = await attempts
      .where({ _id: id, attempts: _.lt(max), until: _.gt(now) })
      .update({ data: { attempts: _.inc(1), until, updatedAt: now } });
    if (counted.stats.updated === 1) return true;
    // The last window is over: this attempt opens a new one (only one of concurrent openers wins).
    const reopened = await attempts
      .where({ _id: id, until: _.lte(now) })
      .update({ data: { attempts: 1, until, updatedAt: now } });
    if (reopened.stats.updated === 1) return true;
    if (
      await insertOnce(db, LOGIN_ATTEMPTS, {
        _id: id,
        account,
        address,
        attempts: 1,
        until,
        updatedAt: now,
      } as LoginAttemptsDoc)
    )
      return true;
    // The document exists: either it is locked, or a concurrent attempt created it; ask again.
    const current = await findById<LoginAttemptsDoc>(db, LOGIN_ATTEMPTS, id);
    if (current && current.attempts >= max && new Date(current.until).getTime() > now.getTime()) return false;
  }
  return false;
}

/** A successful sign-in forgets the failures of that username from that address. */
export async function forgetLoginAttempts(db: Database, account: string, address: string): Promise<void> {
  await db
    .collection(LOGIN_ATTEMPTS)
    .where({ _id: attemptsId(account, address) })
    .remove();
}

/** A new password set by an admin lifts every lock on the account, from every address. */
export async function clearLoginLocks(db: Database, account: string): Promise<void> {
  await db.collection(LOGIN_ATTEMPTS).where({ account }).remove();
}

/** Usernames locked from at least one address now → when the last of those locks ends. */
export async function loginLocks(db: Database, max: number, now: Date): Promise<Map<string, Date>> {
  const _ = db.command;
  const { data } = await db
    .collection(LOGIN_ATTEMPTS)
    .where({ until: _.gt(now), attempts: _.gte(max) })
    .limit(1000)
    .get();
  const locks = new Map<string, Date>();
  for (const doc of data as LoginAttemptsDoc[]) {
    const until = new Date(doc.until);
    const known = locks.get(doc.account);
    if (!known || known < until) locks.set(doc.account, until);
  }
  return locks;
}

/**
 * One of an address's `limit` sign-in attempts of this minute, across all usernames, or null when
 * they are used up. Taken before anything else; a successful sign-in gives it back
 * (`returnLoginSlot`), so the limit bounds failures, not an office of people signing in.
 */
export async function claimLoginSlot(
  db: Database,
  address: string,
  limit: number,
  now: Date,
): Promise<string | null> {
  const _ = db.command;
  const minute = Math.floor(now.getTime() / 60_000);
  const key = `login:${address}:${minute}`;
  const id = stableId('rate', key);
  for (let round = 0; round < 2; round += 1) {
    const res = await db
      .collection(RATE_LIMITS)
      .where({ _id: id, attempts: _.lt(limit) })
      .update({ data: { attempts: _.inc(1) } });
    if (res.stats.updated === 1) return id;
    if (
      await insertOnce(db, RATE_LIMITS, {
        _id: id,
        key,
        attempts: 1,
        expireAt: new Date((minute + 2) * 60_000),
      } as { _id: string })
    )
      return id;
  }
  return null;
}

export async function returnLoginSlot(db: Database, slot: string): Promise<void> {
  const _ = db.command;
  await db
    .collection(RATE_LIMITS)
    .where({ _id: slot, attempts: _.gt(0) })
    .update({ data: { attempts: _.inc(-1) } });
}
