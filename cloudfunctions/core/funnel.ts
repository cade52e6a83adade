/**
 * Funnel counters per day × channel × staff × activity, incremented at write time so the
 * dashboard never scans raw events. Days are counted in China Standard Time (UTC+8).
 */
export const FUNNEL_STAGES = [
  'entries',
  'formViews',
  'leads',
  'assigned',
  'contacted',
  'mql',
  'won',
] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/** Counted in the same cells besides the funnel: staff numbers and codes that credited nobody. */
export const FUNNEL_COUNTERS = [...FUNNEL_STAGES, 'signups', 'checkins', 'rejectedCodes'] as const;
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

/** The Monday (China time) of the week an instant falls in, as a day string. */
export function mondayOf(at: Date): string {
  const local = new Date(at.getTime() + CST_OFFSET_MS);
  const sinceMonday = (local.getUTCDay() + 6) % 7;
  return new Date(local.getTime() - sinceMonday * 86_400_000).toISOString().slice(0, 10);
}
