import { entryCell, type TouchFacts } from '../core/attribution';
import { dayOf, entryCounters } from '../core/funnel';
import type { Database } from '../runtime/cloud';
import { insertOnce, randomId, stableId } from '../runtime/store';
import { pendingCount } from './counters';

export interface TouchDoc extends TouchFacts {
  _id: string;
  customerId: string;
  path: string;
  /** Not the customer's first entry of the day in this funnel cell: not counted again. */
  repeat?: boolean;
}

const TOUCHES = 'touches';

/**
 * Records an entry. The first of a day for a customer and funnel cell is stored under an id made
 * from those, so the database decides which entry counts in the funnel; later ones are kept as
 * repeats (every touch stays for attribution), so one person cannot inflate a staff member's count.
 * What the entry adds to the funnel is left on it for the dispatcher to count. `knownRepeat`: the
 * customer's memory already holds this cell's entry of the day, so no first is tried.
 */
export async function recordTouch(
  db: Database,
  touch: Omit<TouchDoc, '_id'>,
  knownRepeat: boolean,
): Promise<{ touchId: string; first: boolean }> {
  const firstId = stableId('entry', touch.customerId, dayOf(touch.at), ...entryCell(touch).split('|'));
  const counted = (first: boolean) => {
    const counters = entryCounters(first, touch.rejected !== null);
    // Every entry through a code is a scan of it (core/codeStats), a repeat too.
    if (Object.keys(counters).length === 0 && !touch.codeId) return {};
    const funnelCell = { channelId: touch.channelId, staffId: touch.staffId, activityId: touch.activityId };
    return { pendingCount: pendingCount({ at: touch.at, cell: funnelCell, counters }) };
  };
  if (!knownRepeat && (await insertOnce(db, TOUCHES, { _id: firstId, ...touch, ...counted(true) })))
    return { touchId: firstId, first: true };
  const touchId = randomId();
  await db.collection(TOUCHES).add({ data: { _id: touchId, ...touch, repeat: true, ...counted(false) } });
  return { touchId, first: false };
}

/** The customer's touches since a time, newest first (served by the customer_at index). */
export async function touchesSince(
  db: Database,
  customerId: string,
  since: Date,
  limit = 100,
): Promise<TouchDoc[]> {
  const _ = db.command;
  const { data } = await db
    .collection(TOUCHES)
    .where({ customerId, at: _.gte(since) })
    .orderBy('at', 'desc')
    .limit(limit)
    .get();
  return data as TouchDoc[];
}
