import crypto from 'node:crypto';
import type { Database } from './cloud';

/**
 * Small helpers every repository uses. Writes that must happen once are keyed by a deterministic
 * `_id` so that the database, not a read-then-write, decides who came first.
 */
export function isDuplicateKey(error: unknown): boolean {
  const message = String(
    (error as { errMsg?: unknown; message?: unknown })?.errMsg ?? (error as Error)?.message,
  );
  return /duplicate key|E11000/i.test(message);
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Letters and digits only: an id never starts with `-`, `+`, `=` or `@`, so a spreadsheet never
 * reads it as a formula and an export never has to escape (change) it.
 */
function alphanumeric(bytes: Buffer, length: number): string {
  const base = BigInt(ALPHABET.length);
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let id = '';
  for (let i = 0; i < length; i += 1) {
    id += ALPHABET[Number(n % base)];
    n /= base;
  }
  return id;
}

/** A stable id from parts (e.g. openid + requestId): the same parts always name the same record. */
export function stableId(...parts: string[]): string {
  return alphanumeric(crypto.createHash('sha256').update(parts.join('\u0000')).digest(), 24);
}

/** A random id carrying `bytes` of randomness. */
export function randomId(bytes = 12): string {
  return alphanumeric(crypto.randomBytes(bytes), Math.ceil((bytes * 8) / Math.log2(62)));
}

export async function findById<T>(db: Database, collection: string, id: string): Promise<T | null> {
  const { data } = await db.collection(collection).where({ _id: id }).limit(1).get();
  return (data[0] as T | undefined) ?? null;
}

/** Inserts a document with a given `_id`; false when one already exists under that id or a unique key. */
export async function insertOnce(db: Database, collection: string, doc: { _id: string }): Promise<boolean> {
  try {
    await db.collection(collection).add({ data: doc });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/**
 * Applies `update` to the document `id`, or creates it as `created` (the state after the update)
 * when it does not exist yet. Safe under concurrency: a lost creation race turns into an update.
 */
export async function upsertById(
  db: Database,
  collection: string,
  id: string,
  update: Record<string, unknown>,
  created: Record<string, unknown>,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const res = await db.collection(collection).where({ _id: id }).update({ data: update });
    if (res.stats.updated > 0) return;
    if (await insertOnce(db, collection, { _id: id, ...created })) return;
  }
  throw new Error(`${collection}/${id} could not be written`);
}

/**
 * Updates the document `id` and answers it as updated (null when there is none), in one request:
 * the protocol's modifyAndReturnDoc, which the node SDK calls `updateAndReturn`. wx-server-sdk
 * (pinned at 4.0.2) wraps that SDK's query as `_query` without forwarding it; the admin
 * function's dialect over the node SDK has it as is.
 */
export async function updateAndReturn<T>(
  db: Database,
  collection: string,
  id: string,
  update: Record<string, unknown>,
): Promise<T | null> {
  const query: any = db.collection(collection).where({ _id: id });
  const target = typeof query.updateAndReturn === 'function' ? query : query._query;
  const { doc } = (await target.updateAndReturn(update)) as { doc?: T };
  return doc ?? null;
}

/**
 * One of `limit` uses of `key` in this minute (a counter in rateLimits, expiring after it), or false
 * when they are all taken: for platforms that refuse or silently drop what goes over a per-minute
 * limit, so the limit is kept before sending.
 */
export async function claimMinuteSlot(db: Database, key: string, limit: number, now: Date): Promise<boolean> {
  const _ = db.command;
  const minute = Math.floor(now.getTime() / 60_000);
  const slotKey = `${key}:${minute}`;
  const id = stableId('rate', slotKey);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const res = await db
      .collection('rateLimits')
      .where({ _id: id, sent: _.lt(limit) })
      .update({ data: { sent: _.inc(1) } });
    if (res.stats.updated === 1) return true;
    const counter = { _id: id, key: slotKey, sent: 1, expireAt: new Date((minute + 2) * 60_000) };
    if (await insertOnce(db, 'rateLimits', counter)) return true;
  }
  return false;
}
