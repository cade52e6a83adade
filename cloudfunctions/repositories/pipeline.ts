import {
  type DeliverySettings,
  deliverySettingsSchema,
  ruleSchema,
  type SalesSettings,
  salesSettingsSchema,
} from '../../typings/pipeline';
import { type Assignment, assignLead, candidatesFor, type SalesMember } from '../core/assignment';
import { dayOf } from '../core/funnel';
import { type CompiledRules, compileRules, type StoredRule } from '../core/rules';
import type { Database } from '../runtime/cloud';
import { numberFromEnv } from '../runtime/env';
import { findById, insertOnce, stableId, updateAndReturn } from '../runtime/store';
import type { StaffDoc } from './codes';

/**
 * Rules, settings and the sales roster change rarely and are read on every lead: each function
 * instance keeps them for a short while (30 s; LEADPOOL_CONFIG_CACHE_MS) instead of reading them
 * per request, so an edit in the admin page reaches every instance within that time.
 */
const CACHE_MS = numberFromEnv('LEADPOOL_CONFIG_CACHE_MS', 30_000);
let cached: {
  at: number;
  rules: CompiledRules;
  settings: DeliverySettings;
  roster: RosterMember[];
  /** Names of the open stores (the admin page's managed list), in name order. */
  stores: string[];
} | null = null;

export interface RosterMember extends SalesMember {
  name: string;
  mobile: string | null;
  /** Mentioned by robot messages as `<@userid>`. */
  wecomUserId: string | null;
}

export const SETTINGS_ID = 'settings';

export async function loadSettings(db: Database): Promise<DeliverySettings> {
  const doc = await findById<Record<string, unknown>>(db, 'rules', SETTINGS_ID);
  return deliverySettingsSchema.parse(doc ?? {});
}

export async function loadRules(db: Database): Promise<StoredRule[]> {
  const _ = db.command;
  const { data } = await db
    .collection('rules')
    .where({ kind: _.in(['tag', 'score']) })
    .limit(1000)
    .get();
  return (data as Record<string, unknown>[]).flatMap((doc) => {
    const parsed = ruleSchema.safeParse(doc);
    return parsed.success ? [{ ...parsed.data, ruleId: String(doc._id) }] : [];
  });
}

export function rosterMember(
  staff: StaffDoc & { sales?: Partial<SalesSettings>; mobile?: string; wecomUserId?: string | null },
): RosterMember {
  return {
    staffId: staff._id,
    name: staff.name,
    store: staff.store,
    role: staff.role,
    active: staff.active,
    mobile: staff.mobile ?? null,
    wecomUserId: staff.wecomUserId ?? null,
    settings: salesSettingsSchema.parse(staff.sales ?? {}),
  };
}

export async function loadRoster(db: Database): Promise<RosterMember[]> {
  const { data } = await db.collection('staff').where({ active: true }).limit(1000).get();
  return (data as StaffDoc[]).map(rosterMember);
}

export async function loadStoreNames(db: Database): Promise<string[]> {
  const { data } = await db
    .collection('stores')
    .where({ active: true })
    .orderBy('name', 'asc')
    .limit(1000)
    .get();
  return (data as { name: string }[]).map((store) => store.name);
}

export async function pipelineConfig(db: Database, now: Date) {
  if (!cached || now.getTime() - cached.at > CACHE_MS) {
    const [rules, settings, roster, stores] = await Promise.all([
      loadRules(db),
      loadSettings(db),
      loadRoster(db),
      loadStoreNames(db),
    ]);
    cached = {
      at: now.getTime(),
      rules: compileRules(rules, settings.mqlThreshold),
      settings,
      roster,
      stores,
    };
  }
  return cached;
}

/** Forgets cached rules (after an edit in the same instance). */
export function forgetPipelineConfig(): void {
  cached = null;
}

const ASSIGNMENTS = 'assignments';

/**
 * The next turn of a rotation (a store's, a region's, or everyone's): one atomic increment that
 * answers the new count (`updateAndReturn`; a plain update with `_.inc` answers no value), so any
 * number of concurrent leads each get their own turn and none of them retries.
 */
export async function nextTurn(db: Database, group: string): Promise<number> {
  const id = stableId('turns', group);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const doc = await updateAndReturn<{ turns: number }>(db, ASSIGNMENTS, id, { turns: db.command.inc(1) });
    if (doc) return Number(doc.turns);
    // The rotation's first lead creates it; losing that race means the counter now exists.
    if (await insertOnce(db, ASSIGNMENTS, { _id: id, group, turns: 1 } as { _id: string })) return 1;
  }
  throw new Error(`rotation ${group} could not be counted`);
}

/**
 * Places under the daily caps of `members` on the China-time day of `now`: a counter per member
 * and day, taken by a conditional atomic increment that never passes the cap, and skipped (never
 * retried) when full. The counters are read only when a first take fails, to tell a full member
 * from a day not started yet. `giveBack` returns what was taken, for a lead not stored after all.
 */
export function dailyPlaces(db: Database, members: readonly SalesMember[], now: Date) {
  const _ = db.command;
  const day = dayOf(now);
  const idOf = (staffId: string) => stableId('dailyCap', day, staffId);
  const taken: string[] = [];
  let counts: Map<string, number> | null = null;
  const increment = async (member: SalesMember) => {
    const res = await db
      .collection(ASSIGNMENTS)
      .where({ _id: idOf(member.staffId), taken: _.lt(member.settings.dailyCap) })
      .update({ data: { taken: _.inc(1) } });
    return res.stats.updated === 1;
  };
  const readCounts = async () => {
    const capped = members.filter((m) => m.settings.dailyCap > 0).map((m) => idOf(m.staffId));
    const { data } = await db
      .collection(ASSIGNMENTS)
      .where({ _id: _.in(capped) })
      .field({ staffId: true, taken: true })
      .limit(1000)
      .get();
    return new Map((data as { staffId: string; taken: number }[]).map((d) => [d.staffId, d.taken]));
  };
  const take = async (member: SalesMember): Promise<boolean> => {
    if (!counts) {
      if (await increment(member)) return true;
      counts = await readCounts();
    }
    const count = counts.get(member.staffId);
    if (count === undefined)
      return (
        (await insertOnce(db, ASSIGNMENTS, {
          _id: idOf(member.staffId),
          staffId: member.staffId,
          day,
          taken: 1,
        } as { _id: string })) || increment(member)
      );
    return count < member.settings.dailyCap && increment(member);
  };
  return {
    async take(member: SalesMember): Promise<boolean> {
      const ok = await take(member);
      if (ok) taken.push(idOf(member.staffId));
      return ok;
    },
    async giveBack(): Promise<void> {
      for (const id of taken.splice(0))
        await db
          .collection(ASSIGNMENTS)
          .where({ _id: id, taken: _.gt(0) })
          .update({ data: { taken: _.inc(-1) } });
    },
  };
}

/**
 * Chooses a lead's owner (core/assignment.ts) against the rotation of its store (or everyone's,
 * without a store) and today's caps. The database never fails the choice: without a turn the
 * lead is placed by its id, and a cap that cannot be read counts as full.
 */
export async function chooseOwner(
  db: Database,
  lead: {
    leadKey: string;
    store: string | null;
    attributed: SalesMember | null;
    customerOwner: SalesMember | null;
  },
  roster: readonly SalesMember[],
  now: Date,
): Promise<{ assignment: Assignment; giveBack(): Promise<void> }> {
  const candidates = candidatesFor(lead.store, roster);
  const places = dailyPlaces(db, candidates, now);
  const assignment = await assignLead(
    { ...lead, candidates, now },
    {
      nextTurn: () =>
        nextTurn(db, lead.store ?? 'all').catch((error) => {
          console.error('no turn from the rotation; the lead is placed by its id', error);
          return null;
        }),
      takePlace: (member) =>
        places.take(member).catch((error) => {
          console.error(`daily cap of ${member.staffId} unreadable; skipped`, error);
          return false;
        }),
    },
  );
  return { assignment, giveBack: places.giveBack };
}
