import type { LeadFilter } from '../../typings/admin';
import { leadCursorSchema, readCursor } from '../../typings/cursor';
import type { Database } from '../runtime/cloud';
import type { LeadDoc } from './leads';

/**
 * The lead list at any depth: newest first by `createdAt`, ties broken by `_id`, paged with a
 * compound cursor (createdAt + _id) instead of `skip`. Every query is an equality on at most the
 * declared indexed fields plus a range on `createdAt`, sorted by `createdAt` alone, so one of the
 * `<field>_created` indexes serves it; the `_id` order inside a millisecond is settled in memory
 * over the few leads sharing that millisecond.
 */
export interface LeadCursor {
  /** createdAt of the last lead shown, epoch ms. */
  at: number;
  /** Its _id. */
  id: string;
  /** Leads sharing `at` continue on the next page (some are not shown yet). */
  tie: boolean;
}

export function encodeCursor(cursor: LeadCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id, cursor.tie ? 1 : 0])).toString('base64url');
}

/** The cursor `text` carries, by the same schema the admin API checks a `cursor` parameter with. */
export function decodeCursor(text: string): LeadCursor | null {
  const cursor = readCursor(leadCursorSchema, text);
  return cursor ? { at: cursor[0], id: cursor[1], tie: cursor[2] === 1 } : null;
}

const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** A `from` bound: a China-time day's start, or an instant. */
function lowerBound(value: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(Date.parse(`${value}T00:00:00Z`) - CST_OFFSET_MS)
    : new Date(value);
}

/** A `to` bound, exclusive: the start of the day after a China-time day, or just after an instant. */
function upperBound(value: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(Date.parse(`${value}T00:00:00Z`) - CST_OFFSET_MS + DAY_MS)
    : new Date(Date.parse(value) + 1);
}

/** A search by a phone number's last digits (4 to 11), not by a name. */
export const isPhoneSearch = (q: string) => /^\d{4,11}$/.test(q);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The leads a filter selects, as equality conditions (besides the createdAt range). */
export function leadConditions(
  db: Database,
  filter: LeadFilter,
  ownerScope: string | null | undefined,
): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filter.channel) where.channel = filter.channel;
  if (filter.staff) where.staffId = filter.staff;
  if (filter.activity) where.activityId = filter.activity;
  if (filter.status) where.status = filter.status;
  if (filter.tag) where.tags = filter.tag;
  if (filter.mql !== undefined) where.mql = filter.mql;
  if (filter.possibleDuplicate) where.possibleDuplicate = true;
  if (filter.owner) where.ownerId = filter.owner === 'none' ? null : filter.owner;
  // A sales account sees only its own leads, whatever the filter says.
  if (ownerScope !== undefined) where.ownerId = ownerScope ?? '(no staff record)';
  if (filter.q && isPhoneSearch(filter.q)) {
    // The indexed last four digits narrow the search; the whole ending is checked on those few.
    where.phoneTail = filter.q.slice(-4);
    if (filter.q.length > 4) where.phone = db.RegExp({ regexp: `${filter.q}$`, options: '' });
  } else if (filter.q) {
    where.name = db.RegExp({ regexp: `^${escapeRegExp(filter.q)}`, options: '' });
  }
  return where;
}

export interface LeadRange {
  from: Date | null;
  /** Exclusive. */
  to: Date | null;
}

/** The createdAt range of a filter's `from` and `to`. */
export function leadRange(filter: Pick<LeadFilter, 'from' | 'to'>): LeadRange {
  return { from: filter.from ? lowerBound(filter.from) : null, to: filter.to ? upperBound(filter.to) : null };
}

function query(
  db: Database,
  collection: string,
  where: Record<string, unknown>,
  range: LeadRange,
  fields?: Record<string, true>,
) {
  const _ = db.command;
  const parts: Record<string, unknown>[] = [where];
  if (range.from) parts.push({ createdAt: _.gte(range.from) });
  if (range.to) parts.push({ createdAt: _.lt(range.to) });
  let q = db.collection(collection).where(parts.length === 1 ? where : _.and(parts));
  if (fields) q = q.field(fields);
  return q;
}

/** How many leads match (every one is walked: keep it off the paths that must answer fast). */
export async function countLeadsWhere(
  db: Database,
  where: Record<string, unknown>,
  range: LeadRange,
): Promise<number> {
  return (await query(db, 'leads', where, range).count()).total;
}

const MAX_GET = 1000;

/** What a list paged by creation holds: leads, customers. */
interface Created {
  _id: string;
  createdAt: Date;
}

const newestFirst = (a: Created, b: Created) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);

/** Documents of one millisecond, by `_id` descending (few: served by the same index). */
async function sameInstant<T extends Created>(
  db: Database,
  collection: string,
  where: Record<string, unknown>,
  at: number,
  fields?: Record<string, true>,
): Promise<T[]> {
  let q = db.collection(collection).where({ ...where, createdAt: new Date(at) });
  if (fields) q = q.field(fields);
  const { data } = await q.limit(1000).get();
  return (data as T[]).sort(newestFirst);
}

/** One page of leads after `cursor`; `next` is null at the end. */
export function leadPage(
  db: Database,
  where: Record<string, unknown>,
  range: LeadRange,
  cursor: LeadCursor | null,
  limit: number,
  fields?: Record<string, true>,
): Promise<{ items: LeadDoc[]; next: LeadCursor | null }> {
  return createdPage<LeadDoc>(db, 'leads', where, range, cursor, limit, fields);
}

/** One page of a collection newest first by `createdAt` after `cursor` (the lead list's paging, for any list). */
export async function createdPage<T extends Created>(
  db: Database,
  collection: string,
  where: Record<string, unknown>,
  range: LeadRange,
  cursor: LeadCursor | null,
  limit: number,
  fields?: Record<string, true>,
): Promise<{ items: T[]; next: LeadCursor | null }> {
  const items: T[] = [];
  let more = false;
  let tie = false;
  if (cursor?.tie) {
    const rest = (await sameInstant<T>(db, collection, where, cursor.at, fields)).filter(
      (doc) => doc._id < cursor.id,
    );
    items.push(...rest.slice(0, limit));
    more = rest.length >= limit;
    tie = rest.length > limit;
  }
  if (items.length < limit) {
    // One extra row tells whether more follow; a get answers at most 1000 rows.
    const need = Math.min(limit - items.length, MAX_GET - 1);
    const to = cursor && (!range.to || cursor.at < range.to.getTime()) ? new Date(cursor.at) : range.to;
    const { data } = await query(db, collection, where, { from: range.from, to }, fields)
      .orderBy('createdAt', 'desc')
      .limit(need + 1)
      .get();
    const page = data as T[];
    more = page.length > need;
    let taken = page.slice(0, need).sort(newestFirst);
    const last = taken[taken.length - 1];
    // The page ends inside a millisecond shared with leads not shown: settle that millisecond's order.
    tie = more && !!last && page[need].createdAt.getTime() === last.createdAt.getTime();
    if (tie) {
      const at = last.createdAt.getTime();
      const before = taken.filter((doc) => doc.createdAt.getTime() !== at);
      const ties = await sameInstant<T>(db, collection, where, at, fields);
      taken = [...before, ...ties.slice(0, need - before.length)];
    }
    items.push(...taken);
  }
  const last = items[items.length - 1];
  if (!more || !last) return { items, next: null };
  return { items, next: { at: last.createdAt.getTime(), id: last._id, tie } };
}
