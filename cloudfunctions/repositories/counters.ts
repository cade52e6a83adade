import { dayOf, type FunnelCell, type FunnelCounter, funnelKey } from '../core/funnel';
import type { Database } from '../runtime/cloud';
import { bumpCounters, findById, stableId } from '../runtime/store';

/** Adds to the funnel cell of a day × channel × staff × activity. */
export async function countFunnel(
  db: Database,
  at: Date,
  cell: Omit<FunnelCell, 'day'>,
  counters: Partial<Record<FunnelCounter, number>>,
): Promise<void> {
  const full: FunnelCell = { day: dayOf(at), ...cell };
  const key = funnelKey(full);
  await bumpCounters(
    db,
    'funnelCounters',
    stableId('funnel', key),
    { key, ...full },
    counters as Record<string, number>,
  );
}

/**
 * A fixed one-minute window per caller and purpose: true while the caller is within `limit`.
 * Each call counts, so retries of a rejected request do not reset the window.
 */
export async function withinRateLimit(
  db: Database,
  purpose: string,
  who: string,
  limit: number,
  now: Date,
): Promise<boolean> {
  const minute = Math.floor(now.getTime() / 60_000);
  const key = `${purpose}:${who}:${minute}`;
  const id = stableId('rate', key);
  await bumpCounters(db, 'rateLimits', id, { key, expireAt: new Date((minute + 2) * 60_000) }, { count: 1 });
  const doc = await findById<{ count: number }>(db, 'rateLimits', id);
  return (doc?.count ?? 0) <= limit;
}

/** Who did what to whom, kept for privacy reviews. */
export async function audit(
  db: Database,
  entry: { actor: string; action: string; subject: string; detail?: Record<string, unknown> },
  at: Date,
): Promise<void> {
  await db.collection('audit').add({ data: { ...entry, detail: entry.detail ?? {}, at } });
}
