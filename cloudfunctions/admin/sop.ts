import { z } from 'zod';
import { type SopRuleView, type SopTaskStats, sopRuleSchema } from '../../typings/sop';
import type { SopRuleDoc } from '../repositories/sop';
import { AppError } from '../runtime/errors';
import { findById, insertOnce, randomId } from '../runtime/store';
import { type AdminContext, record } from './context';
import { handle } from './http';
import { assertUnique } from './unique';
import { iso } from './views';

/**
 * Journey SOP rules (旅程 SOP) and how their tasks go. A rule edited or switched off changes only
 * the steps that have not run yet: the dispatcher reads the rule when a step comes due.
 */
const RULES = 'sopRules';
/** A task is overdue once it has waited this long past its due time (as the staff desk says). */
const OVERDUE_MS = 60 * 60_000;
const empty = z.object({});
const enabledOnly = z.object({ enabled: z.boolean({ error: '请选择启用或停用' }) });
const nameTaken = (name: string) => `已有名为“${name}”的旅程规则`;

function ruleView(rule: SopRuleDoc): SopRuleView {
  const parsed = sopRuleSchema.parse(rule);
  return { ruleId: rule._id, ...parsed, createdAt: iso(rule.createdAt)!, updatedAt: iso(rule.updatedAt)! };
}

async function ruleOrNotFound(ctx: AdminContext, id: string): Promise<SopRuleDoc> {
  const rule = await findById<SopRuleDoc>(ctx.db, RULES, id);
  if (!rule) throw new AppError('NOT_FOUND', '没有这条旅程规则');
  return rule;
}

/** Counts of task steps per `key` (advisor or rule) and status, and of the open ones overdue. */
async function taskCounts(ctx: AdminContext, key: 'assigneeId' | 'ruleId', now: Date) {
  const _ = ctx.db.command;
  const $ = _.aggregate;
  const grouped = async (match: unknown, by: unknown) => {
    const res = await ctx.db
      .collection('sopSteps')
      .aggregate()
      .match(match)
      .group({ _id: by, count: $.sum(1) })
      .limit(10_000)
      .end();
    return (res.list ?? res.data ?? []) as { _id: any; count: number }[];
  };
  const tasks = { text: _.exists(true) };
  const [byStatus, overdue] = await Promise.all([
    grouped(tasks, { key: `$${key}`, status: '$status' }),
    grouped({ ...tasks, status: 'open', dueAt: _.lt(new Date(now.getTime() - OVERDUE_MS)) }, `$${key}`),
  ]);
  const rows = new Map<string, SopTaskStats>();
  const row = (id: string | null) => {
    const k = id ?? '';
    if (!rows.has(k)) rows.set(k, { key: k, open: 0, done: 0, skipped: 0, cancelled: 0, overdue: 0 });
    return rows.get(k) as SopTaskStats;
  };
  for (const { _id, count } of byStatus) {
    const status = _id.status as keyof SopTaskStats;
    if (status in row(_id.key) && status !== 'key') (row(_id.key)[status] as number) += count;
  }
  for (const { _id, count } of overdue) row(_id).overdue += count;
  return [...rows.values()];
}

export const sopHandlers = {
  'GET /sop-rules': handle(empty, async (_input, ctx: AdminContext) => {
    const { data } = await ctx.db.collection(RULES).limit(200).get();
    const rules = (data as SopRuleDoc[]).filter((rule) => sopRuleSchema.safeParse(rule).success);
    return { items: rules.map(ruleView).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')) };
  }),

  'POST /sop-rules': handle(sopRuleSchema, async (rule, ctx: AdminContext) => {
    await assertUnique(ctx, { collection: RULES, field: 'name' }, rule.name, nameTaken(rule.name));
    const ruleId = `sop-${randomId(6)}`;
    await insertOnce(ctx.db, RULES, { _id: ruleId, ...rule, createdAt: ctx.now, updatedAt: ctx.now } as {
      _id: string;
    });
    await record(ctx, 'sop.create', ruleId, { name: rule.name, trigger: rule.trigger.type });
    return { ruleId };
  }),

  'PUT /sop-rules/:id': handle(sopRuleSchema, async (rule, ctx: AdminContext, params) => {
    await ruleOrNotFound(ctx, params.id);
    await assertUnique(
      ctx,
      { collection: RULES, field: 'name', ownId: params.id },
      rule.name,
      nameTaken(rule.name),
    );
    const _ = ctx.db.command;
    await ctx.db
      .collection(RULES)
      .doc(params.id)
      .update({
        data: {
          ...rule,
          filters: _.set(rule.filters),
          steps: _.set(rule.steps),
          trigger: _.set(rule.trigger),
          updatedAt: ctx.now,
        },
      });
    await record(ctx, 'sop.update', params.id, { name: rule.name });
    return { ruleId: params.id };
  }),

  'PATCH /sop-rules/:id': handle(enabledOnly, async ({ enabled }, ctx: AdminContext, params) => {
    await ruleOrNotFound(ctx, params.id);
    await ctx.db
      .collection(RULES)
      .doc(params.id)
      .update({ data: { enabled, updatedAt: ctx.now } });
    await record(ctx, enabled ? 'sop.enable' : 'sop.disable', params.id);
    return { ruleId: params.id, enabled };
  }),

  'DELETE /sop-rules/:id': handle(empty, async (_input, ctx: AdminContext, params) => {
    await ruleOrNotFound(ctx, params.id);
    await ctx.db.collection(RULES).doc(params.id).remove();
    await record(ctx, 'sop.delete', params.id);
    return { ruleId: params.id, deleted: true };
  }),

  'GET /sop-tasks/stats': handle(empty, async (_input, ctx: AdminContext) => {
    const [byAdvisor, byRule] = await Promise.all([
      taskCounts(ctx, 'assigneeId', ctx.now),
      taskCounts(ctx, 'ruleId', ctx.now),
    ]);
    return { byAdvisor, byRule };
  }),
};
