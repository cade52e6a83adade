import { PERSONA_DIMENSIONS, type PersonaCount, type PersonaDimension } from '../../typings/insight';
import { dayOf } from './funnel';

/**
 * The persona (用户画像): each live customer is counted once, on the China-time day it was first
 * seen, under its city, industry, first-touch channel and store. What a customer was counted as is
 * kept on it (its mark), so a later change moves its count instead of adding a second one.
 */
export interface PersonaSubject {
  profile: { city?: string; industry?: string };
  storeId: string | null;
  firstTouch: { channelId: string } | null;
  createdAt: Date;
  mergedInto: string | null;
}

export type PersonaValues = Record<PersonaDimension, string | null>;

export function personaValues(customer: PersonaSubject): PersonaValues {
  return {
    city: customer.profile.city ?? null,
    industry: customer.profile.industry ?? null,
    channel: customer.firstTouch?.channelId ?? null,
    store: customer.storeId ?? null,
  };
}

/** What the customer counts as now: null once merged into another (the survivor counts). */
export function personaMark(customer: PersonaSubject): string | null {
  if (customer.mergedInto) return null;
  const values = personaValues(customer);
  return JSON.stringify([dayOf(customer.createdAt), ...PERSONA_DIMENSIONS.map((d) => values[d])]);
}

export interface CounterDelta {
  day: string;
  dimension: PersonaDimension;
  value: string | null;
  by: number;
}

function cells(mark: string | null, by: number): CounterDelta[] {
  if (mark === null) return [];
  const [day, ...values] = JSON.parse(mark) as [string, ...(string | null)[]];
  return PERSONA_DIMENSIONS.map((dimension, i) => ({ day, dimension, value: values[i], by }));
}

/** The counter changes that move a customer from one mark to another (none when they are equal). */
export function personaDeltas(before: string | null, after: string | null): CounterDelta[] {
  if (before === after) return [];
  const taken = cells(before, -1);
  const given = cells(after, 1);
  // A dimension whose value did not change keeps its count.
  return [
    ...taken.filter((t, i) => t.day !== given[i]?.day || t.value !== given[i]?.value),
    ...given.filter((g, i) => g.day !== taken[i]?.day || g.value !== taken[i]?.value),
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
