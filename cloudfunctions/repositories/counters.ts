import { CodeTally, codeCountsOf } from '../core/codeStats';
import {
  dayOf,
  type FunnelCell,
  type FunnelCounter,
  FunnelTally,
  funnelKey,
  type PendingCount,
  rollupsOf,
} from '../core/funnel';
import type { Database } from '../runtime/cloud';
import { insertOnce, stableId, updateAndReturn, upsertById } from '../runtime/store';
import { addToCodeDay } from './codeCounters';

/** Adds to the funnel cell of a day × channel × staff × activity, and to that day's totals of its channel, staff and activity. */
export async function countFunnel(
  db: Database,
  at: Date,
  cell: Omit<FunnelCell, 'day'>,
  counters: Partial<Record<FunnelCounter, number>>,
): Promise<void> {
  await addToCell(db, { day: dayOf(at), ...cell }, counters);
}

async function addToCell(
  db: Database,
  full: FunnelCell,
  counters: Partial<Record<FunnelCounter, number>>,
): Promise<void> {
  const key = funnelKey(full);
  const _ = db.command;
  const inc = Object.fromEntries(Object.entries(counters).map(([name, by]) => [name, _.inc(by)]));
  await Promise.all([
    upsertById(db, 'funnelCounters', stableId('funnel', key), inc, { key, ...full, ...counters }),
    ...rollupsOf(full).map((rollup) =>
      upsertById(db, 'funnelRollups', stableId('rollup', rollup.key), inc, { ...rollup, ...counters }),
    ),
  ]);
}

/** The collections whose documents may carry a `pendingCount` (indexed on `pendingCount.claimUntil`). */
const PENDING_COUNT_COLLECTIONS = ['touches', 'leads', 'rateLimits', 'wecomContacts'] as const;
/** Longer than a dispatcher run: a claim older than this was left by a run that died. */
const CLAIM_MS = 5 * 60_000;

/** The mark a captured event carries until the dispatcher has counted it. */
export function pendingCount(count: PendingCount): PendingCount & { claimUntil: Date } {
  return { ...count, claimUntil: count.at };
}

/**
 * The dispatcher's part of the funnel: adds the counts that captured events left pending, a page
 * per collection, summed per cell. A run claims a page (overlapping runs never count an event
 * twice), reads back what it got, unmarks it, then adds the sums: a run that dies before adding
 * leaves those counts short (as a capture dying before its count did), and `recount` shows it.
 * Answers how many events were counted.
 */
export async function countPending(db: Database, now: Date, pageSize = 500): Promise<number> {
  const _ = db.command;
  const runId = stableId('count', now.toISOString(), String(Math.random()));
  const tally = new FunnelTally();
  const codes = new CodeTally();
  let events = 0;
  for (const collection of PENDING_COUNT_COLLECTIONS) {
    const due = { 'pendingCount.claimUntil': _.lte(now) };
    const { data } = await db.collection(collection).where(due).field({ _id: true }).limit(pageSize).get();
    const ids = (data as { _id: string }[]).map((doc) => doc._id);
    if (ids.length === 0) continue;
    await db
      .collection(collection)
      .where({ _id: _.in(ids), ...due })
      .update({
        data: { 'pendingCount.claimUntil': new Date(now.getTime() + CLAIM_MS), 'pendingCount.runId': runId },
      });
    const { data: claimed } = await db
      .collection(collection)
      .where({ _id: _.in(ids) })
      .field({ pendingCount: true, codeId: true })
      .limit(pageSize)
      .get();
    const mine = (
      claimed as { _id: string; codeId?: string | null; pendingCount?: PendingCount & { runId?: string } }[]
    ).filter((doc) => doc.pendingCount?.runId === runId);
    if (mine.length === 0) continue;
    await db
      .collection(collection)
      .where({ _id: _.in(mine.map((doc) => doc._id)) })
      .update({ data: { pendingCount: _.remove() } });
    for (const doc of mine) {
      const count = doc.pendingCount as PendingCount;
      if (Object.keys(count.counters).length > 0) tally.pending(count);
      if (doc.codeId) codes.add(doc.codeId, count.at, codeCountsOf(collection === 'touches', count.counters));
    }
    events += mine.length;
  }
  for (const row of tally.result().values()) await addToCell(db, row, row.counters);
  await Promise.all(codes.result().map((row) => addToCodeDay(db, row)));
  return events;
}

/**
 * A fixed one-minute window per caller and purpose: true while `requestId` is among the first
 * `limit` distinct requests of the minute. A retried request keeps its place, so sending the same
 * request many times at once is not punished.
 */
export async function withinRateLimit(
  db: Database,
  purpose: string,
  who: string,
  requestId: string,
  limit: number,
  now: Date,
): Promise<boolean> {
  const minute = Math.floor(now.getTime() / 60_000);
  const key = `${purpose}:${who}:${minute}`;
  const id = stableId('rate', key);
  const expireAt = new Date((minute + 2) * 60_000);
  // The minute's first request creates the window (one request); later ones add themselves and
  // read their place in the same request.
  const created = await insertOnce(db, 'rateLimits', { _id: id, key, expireAt, requests: [requestId] } as {
    _id: string;
  });
  const requests = created
    ? [requestId]
    : ((
        await updateAndReturn<{ requests: string[] }>(db, 'rateLimits', id, {
          requests: db.command.addToSet(requestId),
        })
      )?.requests ?? []);
  const place = requests.indexOf(requestId);
  return place >= 0 && place < limit;
}

/**
 * True for the first call of a China-time day with these parts (a marker the database keeps
 * once); the marker carries what the call adds to the funnel, for the dispatcher to count.
 */
export async function firstToday(
  db: Database,
  parts: string[],
  now: Date,
  count?: PendingCount,
): Promise<boolean> {
  const id = stableId('once', dayOf(now), ...parts);
  return insertOnce(db, 'rateLimits', {
    _id: id,
    key: `once:${id}`,
    expireAt: new Date(now.getTime() + 2 * 86_400_000),
    ...(count ? { pendingCount: pendingCount(count) } : {}),
  } as { _id: string });
}

/** Who did what to whom, kept for privacy reviews. */
export async function audit(
  db: Database,
  entry: { actor: string; action: string; subject: string; detail?: Record<string, unknown> },
  at: Date,
): Promise<void> {
  await db.collection('audit').add({ data: { ...entry, detail: entry.detail ?? {}, at } });
}
