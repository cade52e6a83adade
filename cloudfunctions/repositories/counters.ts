import { dayOf, type FunnelCell, type FunnelCounter, funnelKey, rollupsOf } from '../core/funnel';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce, stableId, upsertById } from '../runtime/store';

/** Adds to the funnel cell of a day × channel × staff × activity, and to that day's totals of its channel, staff and activity. */
export async function countFunnel(
  db: Database,
  at: Date,
  cell: Omit<FunnelCell, 'day'>,
  counters: Partial<Record<FunnelCounter, number>>,
): Promise<void> {
  const full: FunnelCell = { day: dayOf(at), ...cell };
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
  await upsertById(
    db,
    'rateLimits',
    id,
    { requests: db.command.addToSet(requestId) },
    { key, expireAt, requests: [requestId] },
  );
  const requests = (await findById<{ requests: string[] }>(db, 'rateLimits', id))?.requests ?? [];
  const place = requests.indexOf(requestId);
  return place >= 0 && place < limit;
}

/** True for the first call of a China-time day with these parts (a marker the database keeps once). */
export async function firstToday(db: Database, parts: string[], now: Date): Promise<boolean> {
  const id = stableId('once', dayOf(now), ...parts);
  return insertOnce(db, 'rateLimits', {
    _id: id,
    key: `once:${id}`,
    expireAt: new Date(now.getTime() + 2 * 86_400_000),
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
