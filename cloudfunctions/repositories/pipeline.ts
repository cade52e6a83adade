import {
  type DeliverySettings,
  deliverySettingsSchema,
  ruleSchema,
  type SalesSettings,
  salesSettingsSchema,
} from '../../typings/pipeline';
import { type AssignmentState, emptyState, type SalesMember } from '../core/assignment';
import { type CompiledRules, compileRules, type StoredRule } from '../core/rules';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce } from '../runtime/store';
import type { StaffDoc } from './codes';

/**
 * Rules, settings and the sales roster change rarely and are read on every lead: each function
 * instance keeps them for a short while (30 s; LEADPOOL_CONFIG_CACHE_MS) instead of reading them
 * per request, so an edit in the admin page reaches every instance within that time.
 */
const CACHE_MS = Number(process.env.LEADPOOL_CONFIG_CACHE_MS ?? 30_000);
let cached: { at: number; rules: CompiledRules; settings: DeliverySettings; roster: RosterMember[] } | null =
  null;

export interface RosterMember extends SalesMember {
  name: string;
  mobile: string | null;
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
  staff: StaffDoc & { sales?: Partial<SalesSettings>; mobile?: string },
): RosterMember {
  return {
    staffId: staff._id,
    name: staff.name,
    store: staff.store,
    role: staff.role,
    active: staff.active,
    mobile: staff.mobile ?? null,
    settings: salesSettingsSchema.parse(staff.sales ?? {}),
  };
}

export async function loadRoster(db: Database): Promise<RosterMember[]> {
  const { data } = await db.collection('staff').where({ active: true }).limit(1000).get();
  return (data as StaffDoc[]).map(rosterMember);
}

export async function pipelineConfig(db: Database, now: Date) {
  if (!cached || now.getTime() - cached.at > CACHE_MS) {
    const [rules, settings, roster] = await Promise.all([loadRules(db), loadSettings(db), loadRoster(db)]);
    cached = { at: now.getTime(), rules: compileRules(rules, settings.mqlThreshold), settings, roster };
  }
  return cached;
}

/** Forgets cached rules (after an edit in the same instance). */
export function forgetPipelineConfig(): void {
  cached = null;
}

interface StateDoc extends AssignmentState {
  _id: string;
  version: number;
}

/**
 * Runs one assignment against the stored round-robin state with optimistic concurrency: the
 * state is written only if nobody changed it since it was read, else read again and redo.
 */
export async function withAssignmentState<T extends { state: AssignmentState }>(
  db: Database,
  group: string,
  decide: (state: AssignmentState) => T,
): Promise<T> {
  const id = `rr:${group}`;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const doc = await findById<StateDoc>(db, 'assignments', id);
    const decision = decide(
      doc ? { day: doc.day, current: doc.current, assigned: doc.assigned } : emptyState(),
    );
    const { day, current, assigned } = decision.state;
    if (!doc) {
      if (await insertOnce(db, 'assignments', { _id: id, day, current, assigned, version: 1 } as StateDoc))
        return decision;
      continue;
    }
    // Replaces the maps whole: a merge would keep keys the decision dropped.
    const res = await db
      .collection('assignments')
      .where({ _id: id, version: doc.version })
      .update({
        data: {
          day,
          current: db.command.set(current),
          assigned: db.command.set(assigned),
          version: doc.version + 1,
        },
      });
    if (res.stats.updated === 1) return decision;
  }
  throw new Error(`assignment state ${id} is too contended`);
}
