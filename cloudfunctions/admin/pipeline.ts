import {
  type RetagJobView,
  type RetagPreview,
  adminRequestSchemas as schemas,
  type TagCount,
} from '../../typings/admin';
import type { ApiResult, FieldError } from '../../typings/api';
import {
  type DeliverySettings,
  type DeliverySettingsView,
  deliverySettingsSchema,
  isMaskedRobotUrl,
  maskRobotUrl,
  type OutboxView,
  robotUrlProblem,
  settingsUpdateSchema,
} from '../../typings/pipeline';
import { webhookRequest } from '../core/delivery';
import { compileRules, judgeLead } from '../core/rules';
import { withinRateLimit } from '../repositories/counters';
import { loadRules, loadSettings, SETTINGS_ID } from '../repositories/pipeline';
import type { OutboxDoc } from '../runtime/delivery';
import { AppError, fieldError } from '../runtime/errors';
import { findById, insertOnce, randomId } from '../runtime/store';
import { callFunction } from './cloudbase';
import type { AdminContext } from './context';
import { record, signedIn } from './context';
import { handle } from './http';
import { timePage } from './paging';
import { activeStoreNames, STORE_NOT_LISTED } from './stores';
import { assertUnique } from './unique';
import { mergeWecomSecrets, replacedWecomSecrets, wecomSettingsView } from './wecom';

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

/**
 * The local cloud's own origin when this runs in it: only a local cloud points the SDK at a
 * loopback address (TCB_CONTEXT_CNFG); its robot and webhook fakes are valid destinations there.
 */
function localOrigin(): string | undefined {
  try {
    const url = new URL(JSON.parse(process.env.TCB_CONTEXT_CNFG ?? '{}').URL);
    return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** What any role that reads settings sees: robot keys masked, webhook secrets only as set or not. */
const settingsView = (settings: DeliverySettings): DeliverySettingsView => ({
  mqlThreshold: settings.mqlThreshold,
  slaHours: settings.slaHours,
  robots: settings.robots.map((r) => ({ id: r.id, url: maskRobotUrl(r.url), store: r.store })),
  webhooks: settings.webhooks.map((w) => ({ id: w.id, url: w.url, secretSet: w.secret.length > 0 })),
  adminUrl: settings.adminUrl,
  wecom: wecomSettingsView(settings.wecom),
});

type SettingsUpdate = ReturnType<ReturnType<typeof settingsUpdateSchema>['parse']>;

/**
 * The settings to store: a robot sent with its masked URL keeps its stored URL (the one of the
 * same name, else the only one masking the same way), a webhook sent without a secret keeps its
 * stored secret (same name, else same URL). What is kept must itself still be acceptable.
 */
function mergeSecrets(update: SettingsUpdate, stored: DeliverySettings, local: string | undefined) {
  const fields: FieldError[] = [];
  const robots = update.robots.map((robot, i) => {
    if (!isMaskedRobotUrl(robot.url)) return robot;
    const masked = stored.robots.filter((r) => maskRobotUrl(r.url) === robot.url);
    const kept = masked.find((r) => r.id === robot.id) ?? (masked.length === 1 ? masked[0] : undefined);
    const path = `robots.${i}.url`;
    if (!kept) fields.push({ path, message: '请填写完整的机器人地址（含 key）' });
    else if (robotUrlProblem(kept.url, local))
      fields.push({ path, message: '原机器人地址不符合要求，请更换为企业微信群机器人地址' });
    return { ...robot, url: kept?.url ?? robot.url };
  });
  const webhooks = update.webhooks.map((hook, i) => {
    if (hook.secret !== undefined) return { ...hook, secret: hook.secret };
    const kept =
      stored.webhooks.find((w) => w.id === hook.id) ?? stored.webhooks.find((w) => w.url === hook.url);
    if (!kept?.secret) fields.push({ path: `webhooks.${i}.secret`, message: '请填写签名密钥（至少 8 位）' });
    return { ...hook, secret: kept?.secret ?? '' };
  });
  const { wecom, fields: wecomFields } = mergeWecomSecrets(update.wecom, stored.wecom);
  fields.push(...wecomFields);
  if (fields.length > 0) throw new AppError('INVALID_INPUT', fields[0].message, fields);
  return { ...update, robots, webhooks, wecom };
}

/** Which robots and webhooks got a new URL or secret (named, never shown). */
function replacedSecrets(before: DeliverySettings, after: DeliverySettings): string[] {
  return [
    ...after.robots
      .filter((r) => before.robots.find((b) => b.id === r.id)?.url !== r.url)
      .map((r) => `robot:${r.id}`),
    ...after.webhooks
      .filter((w) => before.webhooks.find((b) => b.id === w.id)?.secret !== w.secret)
      .map((w) => `webhook:${w.id}`),
    ...replacedWecomSecrets(before.wecom, after.wecom),
  ];
}

/** A robot's store is one of the active stores; a robot keeping the store it has is left alone. */
async function assertRobotStores(ctx: AdminContext, update: SettingsUpdate, stored: DeliverySettings) {
  const changed = update.robots
    .map((robot, i) => ({ robot, i }))
    .filter(
      ({ robot }) => robot.store && stored.robots.find((r) => r.id === robot.id)?.store !== robot.store,
    );
  if (changed.length === 0) return;
  const active = await activeStoreNames(ctx);
  const fields: FieldError[] = changed
    .filter(({ robot }) => !active.has(robot.store))
    .map(({ i }) => ({ path: `robots.${i}.store`, message: STORE_NOT_LISTED }));
  if (fields.length > 0) throw new AppError('INVALID_INPUT', fields[0].message, fields);
}

/** `robot:east` as people know it: 群机器人 east（静安店）; a channel no longer in the settings as stored. */
function outboxChannelName(channel: string, settings: DeliverySettings): string {
  const [kind, id] = channel.split(':');
  if (kind === 'robot') {
    const robot = settings.robots.find((r) => r.id === id);
    return `群机器人 ${id}${robot ? `（${robot.store || '全部门店'}）` : '（已删除）'}`;
  }
  if (kind === 'webhook')
    return `Webhook ${id}${settings.webhooks.some((w) => w.id === id) ? '' : '（已删除）'}`;
  return channel;
}

const TESTS_PER_MINUTE = 3;

/**
 * Posts a test message and reads what the endpoint answers: ok when it took it (a WeCom robot
 * answers errcode 0), with its HTTP status and the start of its answer for the person to read.
 */
async function postTest(url: string, request: { body: string; headers: Record<string, string> }) {
  try {
    const res = await fetch(url, { method: 'POST', ...request, signal: AbortSignal.timeout(5_000) });
    const text = (await res.text()).slice(0, 500);
    let errcode: number | undefined;
    try {
      errcode = (JSON.parse(text) as { errcode?: number }).errcode;
    } catch {
      // Not JSON (a CRM may answer anything): the HTTP status decides.
    }
    return { ok: res.ok && (errcode === undefined || errcode === 0), status: res.status, answer: text };
  } catch (error) {
    return { ok: false, status: null, answer: `无法连接：${String((error as Error).message ?? error)}` };
  }
}

interface RetagJobDoc {
  _id: string;
  status: RetagJobView['status'];
  processed: number;
  total: number;
  changed?: number;
  dryRun?: boolean;
  added?: TagCount[];
  removed?: TagCount[];
  rescored?: number;
  unsourced?: number;
}

const retagJobView = (job: RetagJobDoc): RetagJobView => ({
  jobId: job._id,
  status: job.status,
  processed: job.processed,
  total: job.total,
  changed: job.changed ?? 0,
});

const mostLeads = (counts: TagCount[] = []) =>
  [...counts].sort((a, b) => b.leads - a.leads || a.tag.localeCompare(b.tag)).slice(0, 10);

const retagPreview = (job: RetagJobDoc): RetagPreview => ({
  ...retagJobView(job),
  dryRun: true,
  added: mostLeads(job.added),
  removed: mostLeads(job.removed),
  rescored: job.rescored ?? 0,
  unsourced: job.unsourced ?? 0,
});

const ruleNameTaken = (name: string) => `已有名为「${name}」的规则`;

export const pipelineHandlers = {
  'GET /rules': handle(schemas.empty, async (_input, ctx: AdminContext) => ({
    items: await loadRules(ctx.db),
  })),

  'POST /rules': handle(schemas.rule, async (rule, ctx: AdminContext) => {
    await assertUnique(ctx, { collection: 'rules', field: 'name' }, rule.name, ruleNameTaken(rule.name));
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
    await assertUnique(
      ctx,
      { collection: 'rules', field: 'name', ownId: id },
      changes.name,
      ruleNameTaken(changes.name ?? ''),
    );
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

  // A dry run is a job too (its count reads every lead): it answers at once when the leads are few.
  'POST /rules/retag': handle(schemas.retag, async ({ dryRun }, ctx: AdminContext) => {
    const job = await dispatch<RetagJobDoc>({ action: 'retag', dryRun });
    if (dryRun) return retagPreview(job);
    await record(ctx, 'rules.retag', job._id);
    return retagJobView(job);
  }),

  // The timer carries a re-tag on; a dry run goes on only while someone reads it.
  'GET /rules/retag/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    const job = await findById<RetagJobDoc & { kind: string }>(ctx.db, 'jobs', id);
    if (job?.kind !== 'retag') throw new AppError('NOT_FOUND', '没有这个打标签任务');
    if (!job.dryRun) return retagJobView(job);
    return retagPreview(
      job.status === 'running' ? await dispatch<RetagJobDoc>({ action: 'retag', jobId: id }) : job,
    );
  }),

  'GET /settings': handle(schemas.empty, async (_input, ctx: AdminContext) =>
    settingsView(await loadSettings(ctx.db)),
  ),

  'PUT /settings': handle(settingsUpdateSchema(localOrigin()), async (update, ctx: AdminContext) => {
    const stored = await loadSettings(ctx.db);
    await assertRobotStores(ctx, update, stored);
    const parsed = deliverySettingsSchema.parse(mergeSecrets(update, stored, localOrigin()));
    await ctx.db
      .collection('rules')
      .doc(SETTINGS_ID)
      .set({ data: { ...parsed, kind: 'settings', updatedAt: ctx.now } });
    await record(ctx, 'settings.update', SETTINGS_ID, {
      robots: parsed.robots.map((r) => r.id),
      webhooks: parsed.webhooks.map((w) => w.id),
      replaced: replacedSecrets(stored, parsed),
    });
    return settingsView(parsed);
  }),

  'POST /settings/test-message': handle(schemas.testMessage, async ({ channel }, ctx: AdminContext) => {
    const settings = await loadSettings(ctx.db);
    const [kind, id] = channel.split(':');
    const robot = kind === 'robot' ? settings.robots.find((r) => r.id === id) : undefined;
    const webhook = kind === 'webhook' ? settings.webhooks.find((w) => w.id === id) : undefined;
    const target = robot ?? webhook;
    if (!target) throw fieldError('channel', '没有这个已保存的机器人或 Webhook，请先保存投递设置');
    // A robot takes 20 messages a minute: tests may not use that up.
    if (!(await withinRateLimit(ctx.db, 'testMessage', channel, randomId(6), TESTS_PER_MINUTE, ctx.now)))
      throw new AppError(
        'RATE_LIMITED',
        `每个机器人或 Webhook 每分钟最多发送 ${TESTS_PER_MINUTE} 条测试消息`,
      );
    const by = signedIn(ctx).username;
    const answer = robot
      ? await postTest(robot.url, {
          body: JSON.stringify({
            msgtype: 'markdown',
            markdown: {
              content: `**LeadPool 测试消息**\n> 群机器人 ${id} 已连通（${robot.store || '全部门店'}）\n> 由 ${by} 在后台发送`,
            },
          }),
          headers: { 'content-type': 'application/json' },
        })
      : await postTest(webhook!.url, webhookRequest(`test-${randomId(6)}`, [], webhook!.secret, ctx.now));
    await record(ctx, 'robot.test', channel, { ok: answer.ok, status: answer.status });
    return { channel, ...answer };
  }),

  'GET /deliveries': handle(schemas.deliveryList, async (input, ctx: AdminContext) => {
    // With a status, the status_next index orders by next attempt; with a channel (or nothing),
    // the channel_created (or created) index by creation.
    const timeField = input.status && !input.channel ? 'nextAttemptAt' : 'createdAt';
    const where: Record<string, unknown> = {
      ...(input.status ? { status: input.status } : {}),
      ...(input.channel ? { channel: input.channel } : {}),
    };
    const [{ items, nextCursor }, settings] = await Promise.all([
      timePage<OutboxDoc>(ctx.db, 'outbox', where, timeField, input.cursor, PAGE),
      loadSettings(ctx.db),
    ]);
    return {
      items: items.map(
        (m): OutboxView => ({
          messageId: m.messageId,
          channel: m.channel,
          channelName: outboxChannelName(m.channel, settings),
          kind: m.kind,
          leadIds: m.leadIds,
          leads: (m.leads ?? []).map((l) => ({ leadId: l.leadId, name: l.name })),
          deliveredIn: m.deliveredIn ?? null,
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
