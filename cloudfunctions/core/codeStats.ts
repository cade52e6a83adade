import { CODE_COUNTERS, type CodeCounter, type CodeCounts } from '../../typings/codes';
import { dayOf, type FunnelCounter } from './funnel';

/**
 * Per-code statistics (which poster works): counted per code × China-time day by the dispatcher
 * from the same pending counts it adds to the funnel (funnel cells have no code), so the codes
 * page sums a few day documents per code and never reads touches.
 */
export const emptyCodeCounts = (): CodeCounts => ({
  scans: 0,
  visitors: 0,
  leads: 0,
  signups: 0,
  wecomAdded: 0,
});

/**
 * What one counted event adds to its code: every entry through the code is a scan, the first of a
 * customer's day in its cell (the funnel's entry) a visitor; a lead, a sign-up and a WeCom add
 * count as the funnel counts them.
 */
export function codeCountsOf(
  isEntry: boolean,
  counters: Partial<Record<FunnelCounter, number>>,
): Partial<CodeCounts> {
  const counts: Partial<CodeCounts> = isEntry
    ? { scans: 1, visitors: counters.entries ?? 0 }
    : { leads: counters.leads ?? 0, signups: counters.signups ?? 0, wecomAdded: counters.wecomAdded ?? 0 };
  return Object.fromEntries(Object.entries(counts).filter(([, by]) => by !== 0));
}

export interface CodeDayRow {
  codeId: string;
  day: string;
  counts: Partial<CodeCounts>;
}

/** Sums events per code × day (a burst of scans of one code becomes one increment). */
export class CodeTally {
  private readonly rows = new Map<string, CodeDayRow>();

  add(codeId: string, at: Date, counts: Partial<CodeCounts>) {
    if (Object.keys(counts).length === 0) return;
    const day = dayOf(at);
    const key = `${codeId}|${day}`;
    const row = this.rows.get(key) ?? { codeId, day, counts: {} };
    for (const [name, by] of Object.entries(counts) as [CodeCounter, number][])
      row.counts[name] = (row.counts[name] ?? 0) + by;
    this.rows.set(key, row);
  }

  result(): CodeDayRow[] {
    return [...this.rows.values()];
  }
}

/** Totals of day documents grouped by a key (per code for the table, per day for a trend). */
export function sumCodeCounts(
  days: CodeDayRow[],
  keyOf: (row: CodeDayRow) => string,
): Map<string, CodeCounts> {
  const totals = new Map<string, CodeCounts>();
  for (const row of days) {
    const key = keyOf(row);
    const total = totals.get(key) ?? emptyCodeCounts();
    for (const name of CODE_COUNTERS) total[name] += row.counts[name] ?? 0;
    totals.set(key, total);
  }
  return totals;
}

/** Every day from `from` to `to` (inclusive, `YYYY-MM-DD`), for a trend's x axis. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += 86_400_000)
    out.push(new Date(at).toISOString().slice(0, 10));
  return out;
}
