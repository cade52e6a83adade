/**
 * Funnel counters per day × channel × staff × activity, incremented at write time so the
 * dashboard never scans raw events. Days are counted in China Standard Time (UTC+8).
 *
 * From 留资 on, the stages count the leads of the cell as they stand now, each stage among the
 * one before: assigned (has an owner), contacted (past 新线索), won (已成交, so contacted too).
 */
export const FUNNEL_STAGES = ['entries', 'formViews', 'leads', 'assigned', 'contacted', 'won'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/**
 * Counted in the same cells besides the funnel: MQL (a side rate of the leads: a lead may be won
 * without ever being an MQL, so it is no stage), sign-ups, check-ins, customers who added their
 * advisor in WeCom (加企微, in the day of the add and the cell of their lead) and codes that
 * credited nobody.
 */
export const FUNNEL_COUNTERS = [
  ...FUNNEL_STAGES,
  'mql',
  'signups',
  'checkins',
  'wecomAdded',
  'rejectedCodes',
] as const;
export type FunnelCounter = (typeof FUNNEL_COUNTERS)[number];

export interface FunnelCell {
  day: string;
  channelId: string;
  staffId: string | null;
  activityId: string | null;
}

const CST_OFFSET_MS = 8 * 3_600_000;

/** `2026-11-22` for an instant, in China Standard Time. */
export function dayOf(at: Date): string {
  return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** One stable key per cell: the counter document is found and created by it. */
export function funnelKey(cell: FunnelCell): string {
  return [cell.day, cell.channelId, cell.staffId ?? '-', cell.activityId ?? '-'].join('|');
}

/**
 * Each cell also counts in a per-day total of its channel, its staff member and its activity, so
 * the unfiltered dashboard sums a few thousand totals instead of every cell of the range. No
 * grand total per day: that one document would take every write of the day.
 */
export const ROLLUP_DIMENSIONS = ['channel', 'staff', 'activity'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

export interface RollupCell {
  key: string;
  day: string;
  dim: RollupDimension;
  value: string;
}

export function rollupsOf(cell: FunnelCell): RollupCell[] {
  const values: [RollupDimension, string | null][] = [
    ['channel', cell.channelId],
    ['staff', cell.staffId],
    ['activity', cell.activityId],
  ];
  return values
    .filter((entry): entry is [RollupDimension, string] => entry[1] !== null)
    .map(([dim, value]) => ({ key: [cell.day, dim, value].join('|'), day: cell.day, dim, value }));
}

/** The per-day totals that a set of cells adds up to (what the write-time rollups must equal). */
export function rollUp(
  cells: Iterable<FunnelCell & Partial<Record<FunnelCounter, number>>>,
): Map<string, RollupCell & Partial<Record<FunnelCounter, number>>> {
  const totals = new Map<string, RollupCell & Partial<Record<FunnelCounter, number>>>();
  for (const cell of cells) {
    for (const rollup of rollupsOf(cell)) {
      const total = totals.get(rollup.key) ?? { ...rollup };
      for (const name of FUNNEL_COUNTERS) {
        if (typeof cell[name] === 'number') total[name] = (total[name] ?? 0) + (cell[name] as number);
      }
      totals.set(rollup.key, total);
    }
  }
  return totals;
}

/** The Monday (China time) of the week an instant falls in, as a day string. */
export function mondayOf(at: Date): string {
  const local = new Date(at.getTime() + CST_OFFSET_MS);
  const sinceMonday = (local.getUTCDay() + 6) % 7;
  return new Date(local.getTime() - sinceMonday * 86_400_000).toISOString().slice(0, 10);
}

export type LeadStatusName = 'new' | 'contacted' | 'qualified' | 'won' | 'lost';

/**
 * The funnel counters a status change adds, in the lead's own cell. Both stages count the leads
 * as they are now: `contacted` those past 新线索, `won` those 已成交. So a status corrected back
 * (won → new) takes both counts back, and one moved on again counts again. The recount below
 * applies the same rule.
 */
export function countersForStatusChange(
  current: LeadStatusName,
  next: LeadStatusName,
): Partial<Record<FunnelCounter, number>> {
  const entering = (status: LeadStatusName) => (next === status ? 1 : 0) - (current === status ? 1 : 0);
  const contacted = -entering('new');
  const won = entering('won');
  return { ...(contacted ? { contacted } : {}), ...(won ? { won } : {}) };
}

/**
 * What a stored event (a touch, a lead, a form view) adds to the funnel, kept on the event until
 * the dispatcher adds it to its cell: capture then spends no request on counters, and a burst's
 * events of one cell become one increment.
 */
export interface PendingCount {
  at: Date;
  cell: Omit<FunnelCell, 'day'>;
  counters: Partial<Record<FunnelCounter, number>>;
}

export interface FunnelRow extends FunnelCell {
  counters: Partial<Record<FunnelCounter, number>>;
}

/**
 * Counts the funnel again from raw events (touches, leads, registrations), to check the counters
 * kept at write time. Form views leave no raw event, so they are not recounted.
 */
/** An entry counts once per customer, cell and day; a rejected code is counted every time it is tried. */
export function entryCounters(first: boolean, rejected: boolean): Partial<Record<FunnelCounter, number>> {
  return { ...(first ? { entries: 1 } : {}), ...(rejected ? { rejectedCodes: 1 } : {}) };
}

export class FunnelTally {
  private readonly rows = new Map<string, FunnelRow>();

  private add(at: Date, cell: Omit<FunnelCell, 'day'>, counters: Partial<Record<FunnelCounter, number>>) {
    const full = { day: dayOf(at), ...cell };
    const key = funnelKey(full);
    const row = this.rows.get(key) ?? { ...full, counters: {} };
    for (const [name, by] of Object.entries(counters) as [FunnelCounter, number][])
      row.counters[name] = (row.counters[name] ?? 0) + by;
    this.rows.set(key, row);
  }

  pending(p: PendingCount) {
    this.add(p.at, p.cell, p.counters);
  }

  touch(t: {
    at: Date;
    channelId: string;
    staffId: string | null;
    activityId: string | null;
    rejected: unknown;
    repeat?: boolean;
  }) {
    const cell = { channelId: t.channelId, staffId: t.staffId, activityId: t.activityId };
    this.add(t.at, cell, entryCounters(t.repeat !== true, Boolean(t.rejected)));
  }

  lead(l: {
    createdAt: Date;
    channel: string;
    staffId: string | null;
    activityId: string | null;
    ownerId: string | null;
    mql: boolean;
    source: string;
    status: LeadStatusName;
  }) {
    this.add(
      l.createdAt,
      { channelId: l.channel, staffId: l.staffId, activityId: l.activityId },
      {
        leads: 1,
        ...(l.ownerId ? { assigned: 1 } : {}),
        ...(l.mql ? { mql: 1 } : {}),
        ...(l.source === 'activity' ? { signups: 1 } : {}),
        ...(l.status !== 'new' ? { contacted: 1 } : {}),
        ...(l.status === 'won' ? { won: 1 } : {}),
      },
    );
  }

  registration(r: { checkedInAt: Date | null; channel: string; staffId: string | null; activityId: string }) {
    if (r.checkedInAt)
      this.add(
        r.checkedInAt,
        { channelId: r.channel, staffId: r.staffId, activityId: r.activityId },
        { checkins: 1 },
      );
  }

  result(): Map<string, FunnelRow> {
    return this.rows;
  }
}
