import type { TouchFacts } from '../core/attribution';
import type { Database } from '../runtime/cloud';

export interface TouchDoc extends TouchFacts {
  _id: string;
  customerId: string;
  path: string;
}

const TOUCHES = 'touches';

export async function recordTouch(db: Database, touch: TouchDoc): Promise<void> {
  await db.collection(TOUCHES).add({ data: touch });
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
