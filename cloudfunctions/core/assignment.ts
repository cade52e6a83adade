import crypto from 'node:crypto';
import type { SalesSettings } from '../../typings/pipeline';

/**
 * Who owns a new lead: the attributed staff member if they sell; else the sales member who
 * already owns the customer, while active; else the next working sales member of the lead's
 * store (or region) in turns by weight, skipping those absent or at their daily cap; else nobody
 * (the shared pool).
 *
 * Turns come from a counter that is only ever incremented (one atomic step per lead, see
 * repositories/pipeline.ts), never from a shared state read and written back: any number of
 * concurrent leads each get their own turn and none waits for or retries on another.
 */
export interface SalesMember {
  staffId: string;
  store: string;
  role: 'staff' | 'sales' | 'manager';
  active: boolean;
  settings: SalesSettings;
}

export type AssignmentReason = 'attributed' | 'returning' | 'round_robin' | 'pool';

export interface Assignment {
  ownerId: string | null;
  reason: AssignmentReason;
}

export interface LeadToAssign {
  /** The staff member the lead is attributed to (their code or share card). */
  attributed: SalesMember | null;
  /** The sales member who owns the customer through an earlier lead. */
  customerOwner: SalesMember | null;
  /** The sales members the lead may go to in turns (`candidatesFor`). */
  candidates: readonly SalesMember[];
  /** The lead's id: places the lead when no turn can be had. */
  leadKey: string;
  now: Date;
}

/** The two things assignment asks the database, supplied by the caller. */
export interface AssignmentPorts {
  /** The next turn of the rotation (1, 2, 3, ... one per lead), or null when none can be had. */
  nextTurn(): Promise<number | null>;
  /** Takes one of today's places under a capped member's daily cap; false when they are full. */
  takePlace(member: SalesMember): Promise<boolean>;
}

const CST_OFFSET_MS = 8 * 3_600_000;
const POOL: Assignment = { ownerId: null, reason: 'pool' };
/** 1/φ: successive turns land on the wheel as evenly spread as a sequence can be (a Weyl sequence). */
const GOLDEN = (Math.sqrt(5) - 1) / 2;

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

const sells = (member: SalesMember | null): member is SalesMember =>
  member !== null && member.role === 'sales' && member.active;

/** Where turn `turn` lands on the wheel [0, 1). */
export function pointOfTurn(turn: number): number {
  return (turn * GOLDEN) % 1;
}

/** Where a lead lands on the wheel by its id alone: uniform, and the same for the same lead. */
export function pointOfKey(key: string): number {
  return crypto.createHash('sha256').update(key).digest().readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The order in which members are offered the lead landing at `point`: the wheel is cut into arcs
 * as long as the members' weights (in staff id order) and the member whose arc holds the point
 * comes first. Where the point sits inside that arc places it again on a wheel of the others, so a
 * full member's leads spread over the rest by their weights.
 */
export function* offerOrder(members: readonly SalesMember[], point: number): Generator<SalesMember> {
  const left = [...members].sort((a, b) => (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0));
  let at = point;
  while (left.length > 0) {
    const total = left.reduce((sum, m) => sum + m.settings.weight, 0);
    let before = 0;
    let index = left.findIndex((m) => {
      if (at * total < before + m.settings.weight) return true;
      before += m.settings.weight;
      return false;
    });
    if (index < 0) {
      index = left.length - 1;
      before = total - left[index].settings.weight;
    }
    yield left[index];
    at = Math.min(Math.max((at * total - before) / left[index].settings.weight, 0), 1 - Number.EPSILON);
    left.splice(index, 1);
  }
}

export async function assignLead(lead: LeadToAssign, ports: AssignmentPorts): Promise<Assignment> {
  // A member's own customers reach them whatever the hour and do not use their daily cap: the
  // cap limits the leads handed out in turns.
  if (sells(lead.attributed)) return { ownerId: lead.attributed.staffId, reason: 'attributed' };
  if (sells(lead.customerOwner)) return { ownerId: lead.customerOwner.staffId, reason: 'returning' };
  const working = lead.candidates.filter((m) => sells(m) && isWorking(m.settings, lead.now));
  if (working.length === 0) return POOL;
  const turn = await ports.nextTurn();
  const point = turn === null ? pointOfKey(lead.leadKey) : pointOfTurn(turn);
  for (const member of offerOrder(working, point)) {
    if (member.settings.dailyCap === 0 || (await ports.takePlace(member)))
      return { ownerId: member.staffId, reason: 'round_robin' };
  }
  return POOL;
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
