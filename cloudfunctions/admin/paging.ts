import { BAD_CURSOR, pageCursorSchema, readCursor } from '../../typings/cursor';
import type { Database } from '../runtime/cloud';
import { fieldError } from '../runtime/errors';

/**
 * A cursor for lists ordered by one time field (audit, deliveries): the time of the last item
 * shown and how many items of that same time were shown already. The next page reads from that
 * time on (a range the index serves) and skips only those few.
 */
export interface PageCursor {
  at: number;
  skip: number;
}

function decodePageCursor(text: string): PageCursor | null {
  const cursor = readCursor(pageCursorSchema, text);
  return cursor && { at: cursor[0], skip: cursor[1] };
}

function nextPageCursor<T>(items: T[], atOf: (item: T) => number, previous: PageCursor | null): string {
  const at = atOf(items[items.length - 1]);
  const same = items.filter((item) => atOf(item) === at).length;
  const skip = previous && previous.at === at ? previous.skip + same : same;
  return Buffer.from(JSON.stringify([at, skip])).toString('base64url');
}

/**
 * One page of a collection newest first by `timeField` (an index on the equality fields of `where`
 * and `timeField` serves it), after `cursor`; `nextCursor` is null at the end.
 */
export async function timePage<T>(
  db: Database,
  collection: string,
  where: Record<string, unknown>,
  timeField: string,
  cursorText: string | undefined,
  size: number,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const cursor = cursorText ? decodePageCursor(cursorText) : null;
  if (cursorText && !cursor) throw fieldError('cursor', BAD_CURSOR);
  const range = cursor ? { [timeField]: db.command.lte(new Date(cursor.at)) } : {};
  const { data } = await db
    .collection(collection)
    // A `where` that bounds the time itself (a from/to filter) keeps its bound beside the cursor's.
    .where(cursor && timeField in where ? db.command.and([where, range]) : { ...where, ...range })
    .orderBy(timeField, 'desc')
    .limit(size + 1 + (cursor?.skip ?? 0))
    .get();
  const rows = (data as T[]).slice(cursor?.skip ?? 0);
  const items = rows.slice(0, size);
  const at = (item: T) => new Date((item as Record<string, any>)[timeField]).getTime();
  return { items, nextCursor: rows.length > size ? nextPageCursor(items, at, cursor) : null };
}
