import type { Role } from '../../typings/admin';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce } from '../runtime/store';

/** An admin page login. `tokenVersion` revokes every token issued before it changed. */
export interface AccountDoc {
  _id: string;
  username: string;
  passwordHash: string;
  role: Role;
  /** The staff record a sales account acts as (the leads it owns). */
  staffId: string | null;
  active: boolean;
  tokenVersion: number;
  failedLogins: number;
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const ACCOUNTS = 'accounts';

export function accountById(db: Database, id: string): Promise<AccountDoc | null> {
  return findById<AccountDoc>(db, ACCOUNTS, id);
}

export async function accountByUsername(db: Database, username: string): Promise<AccountDoc | null> {
  const { data } = await db.collection(ACCOUNTS).where({ username }).limit(1).get();
  return (data[0] as AccountDoc | undefined) ?? null;
}

/** False when the username is taken (unique index). */
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

/**
 * Counts a failed login atomically; the failure that reaches `max` locks the account until
 * `lockedUntil` and starts the count again. Answers whether this failure locked it.
 */
export async function recordFailedLogin(
  db: Database,
  id: string,
  max: number,
  lockedUntil: Date,
  now: Date,
): Promise<boolean> {
  const _ = db.command;
  await db
    .collection(ACCOUNTS)
    .doc(id)
    .update({ data: { failedLogins: _.inc(1), updatedAt: now } });
  const res = await db
    .collection(ACCOUNTS)
    .where({ _id: id, failedLogins: _.gte(max) })
    .update({ data: { failedLogins: 0, lockedUntil, updatedAt: now } });
  return res.stats.updated === 1;
}

/** Logout and credential changes: tokens of the old version stop working. */
export async function bumpTokenVersion(db: Database, id: string, now: Date): Promise<void> {
  await db
    .collection(ACCOUNTS)
    .doc(id)
    .update({ data: { tokenVersion: db.command.inc(1), updatedAt: now } });
}
