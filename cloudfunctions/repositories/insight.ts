import { PERSONA_DIMENSIONS, type PersonaCount, type PersonaCounterKind } from '../../typings/insight';
import { dayOf } from '../core/funnel';
import { type CounterDelta, personaDeltas, personaMark, type SpendPeriod, sumDeltas } from '../core/persona';
import type { CustomerCriteria } from '../core/segments';
import type { Database } from '../runtime/cloud';
import { findById, stableId, upsertById } from '../runtime/store';
import type { CustomerDoc } from './customers';
import { createdPage, type LeadCursor, type LeadRange } from './leadQueries';

/**
 * What the admin reads about customers: list pages, the persona counters and the summary of each
 * customer's leads that tags, score and contact filters read. The insight job keeps the counters
 * and summaries from what changed since its watermarks, so no page view walks every customer.
 */

/** A summary of the customer's leads, kept on the customer by the insight job. */
export interface CustomerInsight {
  tags: string[];
  /** The best score among its leads. */
  score: number;
  /** Some lead of the customer got past 新线索. */
  contacted: boolean;
  /** The China-time days it left leads on (the persona counts its returns from them). */
  leadDays: string[];
}

export type InsightCustomer = CustomerDoc & {
  insight?: CustomerInsight;
  /** What the persona counters count the customer as (core/persona). */
  personaMark?: string | null;
  /** Set while the person's data is being deleted: no longer counted. */
  deletingAt?: Date | null;
};

const CUSTOMERS = 'customers';
const COUNTERS = 'personaCounters';
const STATE = 'insightState';
const WATERMARKS = 'watermarks';

/** The live customers the criteria select; a sales account sees only those whose latest lead it owns. */
export function customerWhere(
  db: Database,
  criteria: CustomerCriteria,
  ownerScope: string | null | undefined,
): Record<string, unknown> {
  const _ = db.command;
  const where: Record<string, unknown> = { mergedInto: null, ...criteria.equal };
  for (const [field, bound] of Object.entries(criteria.atLeast)) where[field] = _.gte(bound);
  if (criteria.hasPhone !== undefined) where.phone = criteria.hasPhone ? _.neq(null) : null;
  if (criteria.notContacted) where['insight.contacted'] = false;
  if (ownerScope !== undefined) where.salesOwnerId = ownerScope ?? '(no staff record)';
  return where;
}

export function customerPage(
  db: Database,
  where: Record<string, unknown>,
  range: LeadRange,
  cursor: LeadCursor | null,
  limit: number,
): Promise<{ items: InsightCustomer[]; next: LeadCursor | null }> {
  return createdPage<InsightCustomer>(db, CUSTOMERS, where, range, cursor, limit);
}

/**
 * A segment's size, counted up to `cap` matches (at most a page of 1,000): a broad segment of a
 * million customers would otherwise walk every match on each edit. One read of ids stops at the
 * cap, so the work is bounded by it (an aggregate's $limit is not: the local engine and a count
 * still walk every match); `atLeast` says the segment is that big or bigger.
 */
export async function countCustomersUpTo(
  db: Database,
  where: Record<string, unknown>,
  cap: number,
): Promise<{ count: number; atLeast: boolean }> {
  const { data } = await db.collection(CUSTOMERS).where(where).field({ _id: true }).limit(cap).get();
  return { count: data.length, atLeast: data.length >= cap };
}

/** The customer's latest leads, newest first. */
export async function leadsOfCustomer(db: Database, customerId: string, limit = 50) {
  const { data } = await db
    .collection('leads')
    .where({ customerId })
    .orderBy('createdAt', 'desc')
    .field({ _id: true, createdAt: true, activityId: true, status: true, channel: true, ownerId: true })
    .limit(limit)
    .get();
  return data as {
    _id: string;
    createdAt: Date;
    activityId: string | null;
    status: string;
    channel: string;
    ownerId: string | null;
  }[];
}

// The insight job.

/** Where a walk by (updatedAt, _id) stopped: the last document it took. */
interface Watermark {
  at: Date;
  id: string;
}

interface Watermarks {
  /** Leads updated after this are summarized onto their customers again. */
  leads: Watermark;
  /** Customers updated after this are counted again (an unchanged one counts once). */
  customers: Watermark;
  /** What the persona counted when the walks began (PERSONA_VERSION). */
  version?: number;
}

/**
 * Raised when the persona starts counting something new (2: role, tags and returns): the job then
 * walks every lead and customer again from the start, once, and each customer's counts move from
 * its old mark to its new one.
 */
const PERSONA_VERSION = 2;

const START: Watermark = { at: new Date(0), id: '' };

const PAGE = 200;

/**
 * Summarizes a customer's leads onto it, marking it updated so the customer walk counts what the
 * summary changed (its tags and returns) in the same run. A deleted customer's leads name nobody.
 */
async function summarize(db: Database, customerId: string, now: Date): Promise<void> {
  const { data } = await db
    .collection('leads')
    .where({ customerId })
    .field({ tags: true, score: true, status: true, createdAt: true })
    .limit(1000)
    .get();
  const leads = data as { tags?: string[]; score?: number; status: string; createdAt: Date }[];
  const insight: CustomerInsight = {
    tags: [...new Set(leads.flatMap((l) => l.tags ?? []))].sort(),
    score: Math.max(0, ...leads.map((l) => l.score ?? 0)),
    contacted: leads.some((l) => l.status !== 'new'),
    leadDays: [...new Set(leads.map((l) => dayOf(new Date(l.createdAt))))].sort(),
  };
  await db
    .collection(CUSTOMERS)
    .where({ _id: customerId })
    .update({ data: { insight: db.command.set(insight), updatedAt: now } });
}

async function applyDeltas(db: Database, deltas: CounterDelta[]): Promise<void> {
  const _ = db.command;
  const summed = sumDeltas(deltas);
  for (let i = 0; i < summed.length; i += 20)
    await Promise.all(
      summed
        .slice(i, i + 20)
        .map((d) =>
          upsertById(
            db,
            COUNTERS,
            stableId(d.day, d.dimension, d.value === null ? '-' : `=${d.value}`),
            { count: _.inc(d.by) },
            { day: d.day, dimension: d.dimension, value: d.value, count: d.by },
          ),
        ),
    );
}

/**
 * Claims the move of a customer's persona count to what it is now, answering the counter changes
 * to make. The mark is claimed only from the value read, so two runs over the same customer move
 * its count once.
 */
async function recount(db: Database, customer: InsightCustomer): Promise<CounterDelta[]> {
  const before = customer.personaMark ?? null;
  const after = personaMark(customer);
  if (before === after) return [];
  const claimed = await db
    .collection(CUSTOMERS)
    .where({ _id: customer._id, personaMark: before })
    .update({ data: { personaMark: after } });
  return claimed.stats.updated === 1 ? personaDeltas(before, after) : [];
}

/**
 * One page of the documents changed after `mark`, by (updatedAt, _id): those of the mark's instant
 * first, so a bulk change writing one instant on more documents than a page still moves on.
 */
async function changedSince<T>(db: Database, collection: string, mark: Watermark, fields: string[]) {
  const _ = db.command;
  const projection = Object.fromEntries(['_id', 'updatedAt', ...fields].map((f) => [f, true]));
  type Changed = T & { _id: string; updatedAt: Date };
  const page = async (where: Record<string, unknown>, limit: number): Promise<Changed[]> => {
    const { data } = await db
      .collection(collection)
      .where(where)
      .orderBy('updatedAt', 'asc')
      .orderBy('_id', 'asc')
      .field(projection)
      .limit(limit)
      .get();
    return data as Changed[];
  };
  const same = await page({ updatedAt: mark.at, _id: _.gt(mark.id) }, PAGE);
  if (same.length === PAGE) return same;
  return [...same, ...(await page({ updatedAt: _.gt(mark.at) }, PAGE - same.length))];
}

const markOf = (docs: { _id: string; updatedAt: Date }[], mark: Watermark): Watermark => {
  const last = docs[docs.length - 1];
  return last ? { at: new Date(last.updatedAt), id: last._id } : mark;
};

/**
 * One run of the insight job: summarizes the leads changed since the last run onto their customers,
 * then counts the customers changed since. Bounded by `budgetMs` (at least one page of each);
 * a later run carries on from the watermarks.
 */
export async function refreshInsight(
  db: Database,
  now: Date,
  budgetMs: number,
): Promise<{ summarized: number; counted: number }> {
  const started = Date.now();
  const stored = await findById<Watermarks>(db, STATE, WATERMARKS);
  const current = stored?.version === PERSONA_VERSION;
  const marks: Watermarks = {
    leads: (current && stored?.leads) || START,
    customers: (current && stored?.customers) || START,
    version: PERSONA_VERSION,
  };
  let summarized = 0;
  let counted = 0;
  for (;;) {
    const leads = await changedSince<{ customerId: string }>(db, 'leads', marks.leads, ['customerId']);
    const ids = [...new Set(leads.map((l) => l.customerId))];
    for (let i = 0; i < ids.length; i += 20)
      await Promise.all(ids.slice(i, i + 20).map((id) => summarize(db, id, now)));
    summarized += ids.length;
    marks.leads = markOf(leads, marks.leads);
    if (leads.length < PAGE || Date.now() - started > budgetMs) break;
  }
  for (;;) {
    const customers = await changedSince<InsightCustomer>(db, CUSTOMERS, marks.customers, [
      'profile',
      'storeId',
      'firstTouch',
      'createdAt',
      'mergedInto',
      'deletingAt',
      'insight',
      'personaMark',
    ]);
    const deltas: CounterDelta[] = [];
    for (let i = 0; i < customers.length; i += 20) {
      const moved = await Promise.all(customers.slice(i, i + 20).map((c) => recount(db, c)));
      counted += moved.filter((m) => m.length > 0).length;
      deltas.push(...moved.flat());
    }
    // The page's customers write each counter once (a crash before this undercounts; never twice).
    await applyDeltas(db, deltas);
    marks.customers = markOf(customers, marks.customers);
    if (customers.length < PAGE || Date.now() - started > budgetMs) break;
  }
  await upsertById(
    db,
    STATE,
    WATERMARKS,
    {
      leads: db.command.set(marks.leads),
      customers: db.command.set(marks.customers),
      version: PERSONA_VERSION,
    },
    { ...marks },
  );
  return { summarized, counted };
}

/**
 * Takes a customer being deleted (and any merged into it) out of the persona before its document
 * goes: each is marked as being deleted, claimed from the mark it was counted as, so a job run at
 * the same moment moves its count once.
 */
export async function forgetPersona(db: Database, customerId: string, now: Date): Promise<void> {
  const read = async (where: Record<string, unknown>) =>
    (await db.collection(CUSTOMERS).where(where).field({ _id: true, personaMark: true }).limit(100).get())
      .data as { _id: string; personaMark?: string | null }[];
  const customers = [...(await read({ _id: customerId })), ...(await read({ mergedInto: customerId }))];
  const deltas: CounterDelta[] = [];
  for (const customer of customers) {
    let before = customer.personaMark ?? null;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const claimed = await db
        .collection(CUSTOMERS)
        .where({ _id: customer._id, personaMark: before })
        .update({ data: { personaMark: null, deletingAt: now } });
      if (claimed.stats.updated === 1) {
        deltas.push(...personaDeltas(before, null));
        break;
      }
      // The job moved it meanwhile: take back what it counts as now.
      const [moved] = await read({ _id: customer._id });
      if (!moved) break;
      before = moved.personaMark ?? null;
    }
  }
  await applyDeltas(db, deltas);
}

const COUNTED_BY_VALUE = [...PERSONA_DIMENSIONS, 'tag'] as const;
export type PersonaSums = Record<(typeof COUNTED_BY_VALUE)[number], PersonaCount[]> & { returning: number };

/**
 * The persona counters of a period (China-time days, inclusive): each dimension and the tags summed
 * per value, and the customers who came back (their return in the period, last seen before it).
 */
export async function personaSums(db: Database, from: string, to: string): Promise<PersonaSums> {
  const _ = db.command;
  const $ = _.aggregate;
  const byValue = async (kind: PersonaCounterKind, extra: Record<string, unknown> = {}) => {
    const res = await db
      .collection(COUNTERS)
      .aggregate()
      .match(_.and([{ dimension: kind }, { day: _.gte(from) }, { day: _.lte(to) }, extra]))
      .group({ _id: '$value', count: $.sum('$count') })
      .limit(10_000)
      .end();
    const rows = (res.list ?? res.data ?? []) as { _id: string | null; count: number }[];
    return rows.map((r) => ({ key: r._id ?? null, count: Number(r.count) }));
  };
  const [returned, ...sums] = await Promise.all([
    // A return's value is the day its customer was last seen before it.
    byValue('return', { value: _.lt(from) }),
    ...COUNTED_BY_VALUE.map((kind) => byValue(kind)),
  ]);
  return {
    ...(Object.fromEntries(COUNTED_BY_VALUE.map((kind, i) => [kind, sums[i]])) as Record<
      (typeof COUNTED_BY_VALUE)[number],
      PersonaCount[]
    >),
    returning: returned.reduce((sum, row) => sum + row.count, 0),
  };
}

// Segments.

export interface SegmentDoc {
  _id: string;
  name: string;
  filter: Record<string, unknown>;
  count: number;
  /** The count stopped at the cap: the segment is at least that big. */
  countAtLeast?: boolean;
  createdBy: string;
  createdAt: Date;
}

const SEGMENTS = 'segments';

export async function segmentById(db: Database, id: string): Promise<SegmentDoc | null> {
  return findById<SegmentDoc>(db, SEGMENTS, id);
}

export async function listSegments(db: Database): Promise<SegmentDoc[]> {
  const { data } = await db.collection(SEGMENTS).orderBy('createdAt', 'desc').limit(200).get();
  return data as SegmentDoc[];
}

export async function saveSegment(db: Database, segment: SegmentDoc): Promise<void> {
  await db.collection(SEGMENTS).add({ data: segment });
}

export async function removeSegment(db: Database, id: string): Promise<boolean> {
  const res = await db.collection(SEGMENTS).where({ _id: id }).remove();
  return res.stats.removed === 1;
}

// Channel spend.

export interface SpendDoc extends SpendPeriod {
  _id: string;
  channelId: string;
  createdBy: string;
  createdAt: Date;
}

const SPEND = 'channelSpend';

export async function saveSpend(db: Database, spend: SpendDoc): Promise<void> {
  await db.collection(SPEND).add({ data: spend });
}

export async function removeSpend(db: Database, id: string): Promise<boolean> {
  const res = await db.collection(SPEND).where({ _id: id }).remove();
  return res.stats.removed === 1;
}

/** The spend entries sharing at least a day with the range (days inclusive). */
export async function spendOverlapping(db: Database, from: string, to: string): Promise<SpendDoc[]> {
  const _ = db.command;
  const { data } = await db
    .collection(SPEND)
    .where({ to: _.gte(from), from: _.lte(to) })
    .limit(1000)
    .get();
  return data as SpendDoc[];
}

/** Leads per channel over a range, from the dashboard's per-day channel totals. */
export async function leadsByChannel(db: Database, from: string, to: string): Promise<Map<string, number>> {
  const _ = db.command;
  const res = await db
    .collection('funnelRollups')
    .aggregate()
    .match(_.and([{ dim: 'channel' }, { day: _.gte(from) }, { day: _.lte(to) }]))
    .group({ _id: '$value', leads: _.aggregate.sum('$leads') })
    .limit(10_000)
    .end();
  const rows = (res.list ?? res.data ?? []) as { _id: string; leads: number }[];
  return new Map(rows.map((r) => [String(r._id), Number(r.leads)]));
}
