import { type RetagJobView, adminRequestSchemas as schemas } from '../../typings/admin';
import type { ApiResult } from '../../typings/api';
import { deliverySettingsSchema, type OutboxView } from '../../typings/pipeline';
import { compileRules, judgeLead } from '../core/rules';
import { loadRules, loadSettings, SETTINGS_ID } from '../repositories/pipeline';
import { AppError } from '../runtime/errors';
import { findById, insertOnce, randomId } from '../runtime/store';
import { callFunction } from './cloudbase';
import type { AdminContext } from './context';
import { record } from './context';
import { handle } from './http';
import { timePage } from './paging';

/**
 * The lead pipeline's data as the admin page edits it: tag and score rules (with a dry run on a
 * sample), the delivery settings, and the outbox of messages to sales. Re-tagging and retries are
 * the dispatch function's work; this function only asks for them.
 */
async function dispatch<T>(event: Record<string, unknown>): Promise<T> {
  const result = await callFunction<ApiResult<T>>('dispatch', event);
  if (!result?.ok) throw new AppError(result?.error?.code ?? 'INTERNAL', result?.error?.message);
  return result.data;
}

const PAGE = 50;

interface RetagJobDoc {
  _id: string;
  status: RetagJobView['status'];
  processed: number;
  total: number;
  changed?: number;
}

const retagJobView = (job: RetagJobDoc): RetagJobView => ({
  jobId: job._id,
  status: job.status,
  processed: job.processed,
  total: job.total,
  changed: job.changed ?? 0,
});

export const pipelineHandlers = {
  'GET /rules': handle(schemas.empty, async (_input, ctx: AdminContext) => ({
    items: await loadRules(ctx.db),
  })),

  'POST /rules': handle(schemas.rule, async (rule, ctx: AdminContext) => {
    const ruleId = `rule-${randomId(6)}`;
    await insertOnce(ctx.db, 'rules', { _id: ruleId, ...rule, createdAt: ctx.now, updatedAt: ctx.now } as {
      _id: string;
    });
    await record(ctx, 'rule.create', ruleId, { name: rule.name });
    return { ruleId };
  }),

  'PATCH /rules/:id': handle(schemas.ruleEdit, async (changes, ctx: AdminContext, { id }) => {
    const rule = await findById<Record<string, unknown>>(ctx.db, 'rules', id);
    if (!rule || id === SETTINGS_ID) throw new AppError('NOT_FOUND', '没有这条规则');
    const _ = ctx.db.command;
    const data: Record<string, unknown> = { ...changes, updatedAt: ctx.now };
    if (changes.when) data.when = _.set(changes.when);
    await ctx.db.collection('rules').doc(id).update({ data });
    await record(ctx, 'rule.update', id, { fields: Object.keys(changes) });
    return { ruleId: id };
  }),

  'DELETE /rules/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    if (id === SETTINGS_ID || !(await findById(ctx.db, 'rules', id)))
      throw new AppError('NOT_FOUND', '没有这条规则');
    await ctx.db.collection('rules').doc(id).remove();
    await record(ctx, 'rule.delete', id);
    return { ruleId: id, deleted: true };
  }),

  'POST /rules/test': handle(schemas.ruleTest, async ({ rule, sample }, ctx: AdminContext) => {
    const settings = await loadSettings(ctx.db);
    const compiled = compileRules([{ ...rule, enabled: true, ruleId: 'sample' }], settings.mqlThreshold);
    const judgement = judgeLead(compiled, {
      channelType: sample.channelType,
      channelId: sample.channelId,
      activityId: sample.activityId,
      answers: { ...sample.answers, ...(sample.text ? { note: sample.text } : {}) },
      phoneVerified: sample.phoneVerified,
      activitiesJoined: sample.activitiesJoined,
      submissions: sample.submissions,
    });
    return { matched: judgement.matched.length > 0, tags: judgement.tags, score: judgement.score };
  }),

  'POST /rules/retag': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const job = await dispatch<RetagJobDoc>({ action: 'retag' });
    await record(ctx, 'rules.retag', job._id);
    return retagJobView(job);
  }),

  'GET /rules/retag/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    const job = await findById<RetagJobDoc & { kind: string }>(ctx.db, 'jobs', id);
    if (job?.kind !== 'retag') throw new AppError('NOT_FOUND', '没有这个打标签任务');
    return retagJobView(job);
  }),

  'GET /settings': handle(schemas.empty, async (_input, ctx: AdminContext) => loadSettings(ctx.db)),

  'PUT /settings': handle(schemas.settings, async (settings, ctx: AdminContext) => {
    const parsed = deliverySettingsSchema.parse(settings);
    await ctx.db
      .collection('rules')
      .doc(SETTINGS_ID)
      .set({ data: { ...parsed, kind: 'settings', updatedAt: ctx.now } });
    await record(ctx, 'settings.update', SETTINGS_ID, {
      robots: parsed.robots.map((r) => r.id),
      webhooks: parsed.webhooks.map((w) => w.id),
    });
    return parsed;
  }),

  'GET /deliveries': handle(schemas.deliveryList, async (input, ctx: AdminContext) => {
    // With a status, the status_next index orders by next attempt; without, the created index.
    const timeField = input.status ? 'nextAttemptAt' : 'createdAt';
    const where: Record<string, unknown> = input.status ? { status: input.status } : {};
    const { items, nextCursor } = await timePage<any>(ctx.db, 'outbox', where, timeField, input.cursor, PAGE);
    return {
      items: items.map(
        (m): OutboxView => ({
          messageId: m.messageId,
          channel: m.channel,
          kind: m.kind,
          leadIds: m.leadIds,
          status: m.status,
          attempts: m.attempts,
          nextAttemptAt: new Date(m.nextAttemptAt).toISOString(),
          lastError: m.lastError ?? null,
          deliveredAt: m.deliveredAt ? new Date(m.deliveredAt).toISOString() : null,
        }),
      ),
      nextCursor,
    };
  }),

  'POST /deliveries/retry': handle(schemas.deliveryRetry, async ({ messageIds }, ctx: AdminContext) => {
    const result = await dispatch<{ retried: number }>({ action: 'retry', messageIds });
    await record(ctx, 'deliveries.retry', `${messageIds.length} messages`, { retried: result.retried });
    return result;
  }),
};
