import type { SalesSettings } from '../../typings/pipeline';
import { dayOf } from './funnel';

/**
 * Who owns a new lead: the attributed staff member if they sell; else the next sales member of
 * the lead's store (or region) by smooth weighted round-robin, among those working now, present
 * and under their daily cap; else nobody (the shared pool). Deterministic: the same roster,
 * state and time always pick the same person, and over many leads the split equals the weights.
 */
export interface SalesMember {
  staffId: string;
  store: string;
  role: 'staff' | 'sales' | 'manager';
  active: boolean;
  settings: SalesSettings;
}

/** Round-robin position and today's counts of one store (or region); persisted between leads. */
export interface AssignmentState {
  day: string;
  current: Record<string, number>;
  assigned: Record<string, number>;
}

export interface Assignment {
  ownerId: string | null;
  reason: 'attributed' | 'round_robin' | 'pool';
  state: AssignmentState;
}

const CST_OFFSET_MS = 8 * 3_600_000;

export const emptyState = (): AssignmentState => ({ day: '', current: {}, assigned: {} });

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Whether a member takes leads at this instant: working day and hours (China time), not absent. */
export function isWorking(settings: SalesSettings, now: Date): boolean {
  if (settings.absentUntil && new Date(settings.absentUntil).getTime() > now.getTime()) return false;
  const local = new Date(now.getTime() + CST_OFFSET_MS);
  const weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
  if (!settings.days.includes(weekday)) return false;
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  return minute >= minutesOf(settings.start) && minute < minutesOf(settings.end);
}

function today(state: AssignmentState, now: Date): AssignmentState {
  const day = dayOf(now);
  return state.day === day ? state : { day, current: state.current, assigned: {} };
}

/**
 * The sales members a lead of this store may go to: the store's own; with none, those of the
 * store's region (known from any staff member of the store); with no store, every sales member.
 */
export function candidatesFor(store: string | null, roster: readonly SalesMember[]): SalesMember[] {
  const sales = roster.filter((m) => m.role === 'sales' && m.active);
  if (!store) return sales;
  const own = sales.filter((m) => m.store === store);
  if (own.length > 0) return own;
  const region = roster.find((m) => m.store === store && m.settings.region)?.settings.region;
  return region ? sales.filter((m) => m.settings.region === region) : [];
}

export function assignLead(
  attributed: SalesMember | null,
  candidates: readonly SalesMember[],
  previous: AssignmentState,
  now: Date,
): Assignment {
  const state = today(previous, now);
  const count = (id: string): AssignmentState => ({
    ...state,
    assigned: { ...state.assigned, [id]: (state.assigned[id] ?? 0) + 1 },
  });
  if (attributed && attributed.role === 'sales' && attributed.active)
    return { ownerId: attributed.staffId, reason: 'attributed', state: count(attributed.staffId) };
  const eligible = [...candidates]
    .filter((m) => isWorking(m.settings, now))
    .filter((m) => m.settings.dailyCap === 0 || (state.assigned[m.staffId] ?? 0) < m.settings.dailyCap)
    .sort((a, b) => (a.staffId < b.staffId ? -1 : 1));
  if (eligible.length === 0) return { ownerId: null, reason: 'pool', state };
  // Smooth weighted round-robin (as nginx does): raise everyone by their weight, pick the
  // highest, lower the pick by the total. Exact shares, no bursts to one person.
  const total = eligible.reduce((sum, m) => sum + m.settings.weight, 0);
  const current = { ...state.current };
  let chosen = eligible[0];
  for (const member of eligible) {
    current[member.staffId] = (current[member.staffId] ?? 0) + member.settings.weight;
    if (current[member.staffId] > current[chosen.staffId]) chosen = member;
  }
  current[chosen.staffId] -= total;
  const next = count(chosen.staffId);
  return { ownerId: chosen.staffId, reason: 'round_robin', state: { ...next, current } };
}

/** The instant a lead must be contacted by: `hours` of working time (Mon–Fri 09:00–18:00 China time). */
export function slaDeadline(createdAt: Date, hours: number): Date {
  const WORK_START = 9 * 60;
  const WORK_END = 18 * 60;
  let remaining = Math.round(hours * 60);
  let local = new Date(createdAt.getTime() + CST_OFFSET_MS);
  for (let guard = 0; guard < 60; guard += 1) {
    const weekday = local.getUTCDay();
    const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
    const workday = weekday >= 1 && weekday <= 5;
    if (workday && minute < WORK_END) {
      const from = Math.max(minute, WORK_START);
      const available = WORK_END - from;
      if (remaining <= available) {
        const dayStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
        return new Date(dayStart + (from + remaining) * 60_000 - CST_OFFSET_MS);
      }
      remaining -= available;
    }
    local = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1));
  }
  throw new Error('SLA deadline beyond 60 days');
}
