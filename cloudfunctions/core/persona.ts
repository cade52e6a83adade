import {
  PERSONA_DIMENSIONS,
  type PersonaCount,
  type PersonaCounterKind,
  type PersonaDimension,
} from '../../typings/insight';
import { dayOf } from './funnel';

/**
 * The persona (用户画像) as per-day counters. Each live customer is counted on the China-time day
 * it was first seen, once under each dimension (city, industry, role, first-touch channel, store)
 * and once under each tag it carries. Its returns are counted too: each China-time day it left a
 * lead after the day it was first seen counts as a return on that day, with the day it was last
 * seen before (its creation or its previous lead) as the counter's value. A customer came back in
 * a period exactly when one of its returns falls inside the period and was last seen before the
 * period starts, so the returning customers of any period are a sum of counters.
 *
 * What a customer was counted as is kept on it (its mark), so a later change moves its counts
 * instead of adding more.
 */
export interface PersonaSubject {
  profile: { city?: string; industry?: string; role?: string };
  storeId: string | null;
  firstTouch: { channelId: string } | null;
  createdAt: Date;
  mergedInto: string | null;
  /** Set while the person's data is being deleted (deleteMyData): counted nowhere from then on. */
  deletingAt?: Date | null;
  /** The insight job's summary of the customer's leads: their tags and China-time days. */
  insight?: { tags?: string[]; leadDays?: string[] };
}

export type PersonaValues = Record<PersonaDimension, string | null>;

export function personaValues(customer: PersonaSubject): PersonaValues {
  return {
    city: customer.profile.city ?? null,
    industry: customer.profile.industry ?? null,
    role: customer.profile.role ?? null,
    channel: customer.firstTouch?.channelId ?? null,
    store: customer.storeId ?? null,
  };
}

/** One counter a customer counts in: the day, what it counts and the value. */
type PersonaCell = [day: string, kind: PersonaCounterKind, value: string | null];

function cellsOf(customer: PersonaSubject): PersonaCell[] {
  const firstSeen = dayOf(customer.createdAt);
  const values = personaValues(customer);
  const cells: PersonaCell[] = PERSONA_DIMENSIONS.map((d) => [firstSeen, d, values[d]]);
  for (const tag of [...new Set(customer.insight?.tags ?? [])].sort()) cells.push([firstSeen, 'tag', tag]);
  let lastSeen = firstSeen;
  for (const day of [...new Set(customer.insight?.leadDays ?? [])].sort()) {
    if (day <= lastSeen) continue;
    cells.push([day, 'return', lastSeen]);
    lastSeen = day;
  }
  return cells;
}

/** What the customer counts as now: null once merged into another (the survivor counts) or while deleted. */
export function personaMark(customer: PersonaSubject): string | null {
  if (customer.mergedInto || customer.deletingAt) return null;
  return JSON.stringify(cellsOf(customer));
}

/** The dimensions of marks written before role, tags and returns were counted, in their order. */
const FIRST_MARK_DIMENSIONS = ['city', 'industry', 'channel', 'store'] as const;

function cellsOfMark(mark: string | null): PersonaCell[] {
  if (mark === null) return [];
  const parsed = JSON.parse(mark) as PersonaCell[] | [string, ...(string | null)[]];
  if (typeof parsed[0] !== 'string') return parsed as PersonaCell[];
  // A first mark: `[day, city, industry, channel, store]`.
  const [day, ...values] = parsed as [string, ...(string | null)[]];
  return FIRST_MARK_DIMENSIONS.map((d, i) => [day, d, values[i] ?? null]);
}

export interface CounterDelta {
  day: string;
  dimension: PersonaCounterKind;
  value: string | null;
  by: number;
}

/** The counter changes that move a customer from one mark to another (a counter it stays in keeps its count). */
export function personaDeltas(before: string | null, after: string | null): CounterDelta[] {
  if (before === after) return [];
  const key = (c: PersonaCell) => JSON.stringify(c);
  const taken = cellsOfMark(before);
  const given = cellsOfMark(after);
  const had = new Set(taken.map(key));
  const has = new Set(given.map(key));
  const delta = ([day, dimension, value]: PersonaCell, by: number) => ({ day, dimension, value, by });
  return [
    ...taken.filter((c) => !has.has(key(c))).map((c) => delta(c, -1)),
    ...given.filter((c) => !had.has(key(c))).map((c) => delta(c, 1)),
  ];
}

/** Deltas of many customers as one per counter (those that cancel out left out): a page of customers writes each counter once. */
export function sumDeltas(deltas: CounterDelta[]): CounterDelta[] {
  const sums = new Map<string, CounterDelta>();
  for (const d of deltas) {
    const key = JSON.stringify([d.day, d.dimension, d.value]);
    const sum = sums.get(key) ?? { ...d, by: 0 };
    sum.by += d.by;
    sums.set(key, sum);
  }
  return [...sums.values()].filter((d) => d.by !== 0);
}

const DAY_MS = 86_400_000;
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The period of the same number of days ending the day before `from` (days as `YYYY-MM-DD`). */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const start = Date.parse(from);
  const days = (Date.parse(to) - start) / DAY_MS + 1;
  return { from: dayText(start - days * DAY_MS), to: dayText(start - DAY_MS) };
}

/** Counts summed per value, largest first (ties by key); values summing to nothing are left out. */
export function distribution(rows: { key: string | null; count: number }[]): PersonaCount[] {
  const sums = new Map<string | null, number>();
  for (const row of rows) sums.set(row.key, (sums.get(row.key) ?? 0) + row.count);
  return [...sums]
    .filter(([, count]) => count > 0)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || String(a.key ?? '').localeCompare(String(b.key ?? '')));
}

// Channel economics.

/** Money spent on a channel over a run of China-time days (inclusive), as entered: a month or a campaign's dates. */
export interface SpendPeriod {
  from: string;
  to: string;
  amount: number;
}

const daysOf = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;

/**
 * The part of each spend that falls inside the range, spread evenly over the spend's days: cost
 * per lead for any range divides this, never a lifetime spend, by the range's leads.
 */
export function spendInside(spends: SpendPeriod[], from: string, to: string): number {
  let total = 0;
  for (const spend of spends) {
    const start = spend.from > from ? spend.from : from;
    const end = spend.to < to ? spend.to : to;
    if (start > end) continue;
    total += (spend.amount * daysOf(start, end)) / daysOf(spend.from, spend.to);
  }
  return Math.round(total * 100) / 100;
}
