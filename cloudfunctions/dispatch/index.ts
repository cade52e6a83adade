// The dispatch function: the minute timer that retries the outbox, folds what exceeds a robot's
// limit into digests, escalates leads past their SLA and advances long jobs. Callable by other
// functions and the platform only: a call carrying a customer's openid is refused.
import { z } from 'zod';
import { assignLead, candidatesFor, slaDeadline } from '../core/assignment';
import { summarizeLead } from '../core/delivery';
import { FunnelTally, funnelKey, rollUp } from '../core/funnel';
import { compileRules, judgeLead } from '../core/rules';
import { countFunnel } from '../repositories/counters';
import type { LeadDoc } from '../repositories/leads';
import {
  forgetPipelineConfig,
  loadRoster,
  loadRules,
  loadSettings,
  withAssignmentState,
} from '../repositories/pipeline';
import { callerContext, type Database, database } from '../runtime/cloud';
import { deliverDue, outboxMessage } from '../runtime/delivery';
import { AppError } from '../runtime/errors';
import { action, createRouter } from '../runtime/router';
import { insertOnce, randomId } from '../runtime/store';

interface DispatchContext {
  db: Database;
  now: Date;
}

/** Tests and tools may run the clock forward (`now`); the platform's timer never does. */
const clock = z.object({ now: z.iso.datetime().optional() });
const at = (input: { now?: string }) => (input.now ? new Date(input.now) : new Date());
const PAGE = 500;
/** Work per invocation stays well inside the function's 60 s timeout; jobs resume on the next call. */
const JOB_BUDGET_MS = 20_000;

async function establishDispatch(): Promise<DispatchContext> {
  if (callerContext().openid) throw new AppError('FORBIDDEN', '该功能仅供系统调用');
  return { db: database(), now: new Date() };
}

/** Leads past their contact SLA are escalated once, to the robots of their store (or all robots). */
async function escalateOverdue(db: Database, now: Date): Promise<number> {
  const _ = db.command;
  const [settings, roster] = await Promise.all([loadSettings(db), loadRoster(db)]);
  if (settings.robots.length === 0) return 0;
  const earliest = new Date(now.getTime() - settings.slaHours * 3_600_000);
  const { data } = await db
    .collection('leads')
    .where({ status: 'new', escalatedAt: null, createdAt: _.lte(earliest) })
    .limit(200)
    .get();
  let escalated = 0;
  for (const lead of data as LeadDoc[]) {
    if (slaDeadline(lead.createdAt, settings.slaHours).getTime() > now.getTime()) continue;
    const claimed = await db
      .collection('leads')
      .where({ _id: lead._id, escalatedAt: null })
      .update({ data: { escalatedAt: now } });
    if (claimed.stats.updated !== 1) continue;
    const owner = roster.find((m) => m.staffId === lead.ownerId);
    const summary = summarizeLead(lead, {
      staffName: roster.find((m) => m.staffId === lead.staffId)?.name ?? null,
      ownerName: owner?.name ?? null,
      ownerMobile: owner?.mobile ?? null,
      activityTitle: null,
      adminUrl: settings.adminUrl,
    });
    const ownStore = settings.robots.filter((r) => r.store && r.store === lead.storeId);
    for (const robot of ownStore.length > 0 ? ownStore : settings.robots.filter((r) => !r.store))
      await insertOnce(db, 'outbox', outboxMessage(`robot:${robot.id}`, 'escalation', [summary], now));
    escalated += 1;
  }
  return escalated;
}

interface JobDoc {
  _id: string;
  kind: 'retag';
  status: 'running' | 'done';
  cursor: string;
  processed: number;
  changed: number;
  total: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Re-applies the current rules to existing leads, resumably: the job keeps its cursor. */
async function advanceRetag(db: Database, job: JobDoc, now: Date): Promise<JobDoc> {
  const _ = db.command;
  const [rules, settings] = await Promise.all([loadRules(db), loadSettings(db)]);
  const compiled = compileRules(rules, settings.mqlThreshold);
  const started = Date.now();
  let { cursor, processed, changed } = job;
  while (Date.now() - started < JOB_BUDGET_MS) {
    const { data } = await db
      .collection('leads')
      .where({ _id: _.gt(cursor) })
      .orderBy('_id', 'asc')
      .limit(PAGE)
      .get();
    if (data.length === 0) {
      job = { ...job, cursor, processed, changed, status: 'done', updatedAt: now };
      break;
    }
    for (const lead of data as LeadDoc[]) {
      const judged = judgeLead(compiled, {
        channelType: lead.channelType,
        channelId: lead.channel,
        activityId: lead.activityId,
        answers: lead.answers,
        phoneVerified: lead.phoneVerified,
        activitiesJoined: 0,
        submissions: 0,
      });
      const same =
        judged.score === lead.score &&
        judged.mql === lead.mql &&
        judged.tags.join('|') === lead.tags.join('|');
      if (!same) {
        await db
          .collection('leads')
          .doc(lead._id)
          .update({
            data: { tags: _.set(judged.tags), score: judged.score, mql: judged.mql, updatedAt: now },
          });
        if (judged.mql !== lead.mql)
          await countFunnel(
            db,
            lead.createdAt,
            { channelId: lead.channel, staffId: lead.staffId, activityId: lead.activityId },
            { mql: judged.mql ? 1 : -1 },
          );
        changed += 1;
      }
      processed += 1;
      cursor = lead._id;
    }
    job = { ...job, cursor, processed, changed, updatedAt: now };
  }
  const { _id, ...body } = job;
  await db.collection('jobs').doc(_id).set({ data: body });
  return job;
}

async function scanAll(db: Database, collection: string, visit: (doc: any) => void): Promise<void> {
  const _ = db.command;
  let cursor = '';
  for (;;) {
    const { data } = await db
      .collection(collection)
      .where({ _id: _.gt(cursor) })
      .orderBy('_id', 'asc')
      .limit(1000)
      .get();
    if (data.length === 0) return;
    for (const doc of data) visit(doc);
    cursor = data[data.length - 1]._id;
  }
}

const actions = {
  tick: action(clock, async (input, ctx: DispatchContext) => {
    const now = at(input);
    forgetPipelineConfig();
    const settings = await loadSettings(ctx.db);
    const escalated = await escalateOverdue(ctx.db, now);
    const delivery = await deliverDue(ctx.db, settings, now);
    const { data: running } = await ctx.db.collection('jobs').where({ status: 'running' }).limit(5).get();
    for (const job of running as JobDoc[]) if (job.kind === 'retag') await advanceRetag(ctx.db, job, now);
    return { ...delivery, escalated, jobs: running.length };
  }),

  deliver: action(
    clock.extend({ messageIds: z.array(z.string().min(1)).min(1).max(500) }),
    async (input, ctx: DispatchContext) => {
      const settings = await loadSettings(ctx.db);
      return deliverDue(ctx.db, settings, at(input), input.messageIds);
    },
  ),

  retry: action(
    z.object({ messageIds: z.array(z.string().min(1)).min(1).max(500) }),
    async (input, ctx: DispatchContext) => {
      const _ = ctx.db.command;
      const res = await ctx.db
        .collection('outbox')
        .where({ _id: _.in(input.messageIds), status: 'failed' })
        .update({
          data: { status: 'pending', attempts: 0, nextAttemptAt: ctx.now, leaseUntil: new Date(0) },
        });
      return { retried: res.stats.updated as number };
    },
  ),

  retag: action(z.object({ jobId: z.string().optional() }), async (input, ctx: DispatchContext) => {
    const existing = input.jobId
      ? ((await ctx.db.collection('jobs').where({ _id: input.jobId }).limit(1).get()).data[0] as
          | JobDoc
          | undefined)
      : undefined;
    if (input.jobId && !existing) throw new AppError('NOT_FOUND', '任务不存在');
    const job: JobDoc = existing ?? {
      _id: `retag-${randomId(6)}`,
      kind: 'retag',
      status: 'running',
      cursor: '',
      processed: 0,
      changed: 0,
      total: (await ctx.db.collection('leads').count()).total,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    if (job.status === 'done') return job;
    return advanceRetag(ctx.db, job, ctx.now);
  }),

  reassign: action(z.object({ staffId: z.string().min(1) }), async ({ staffId }, ctx: DispatchContext) => {
    const _ = ctx.db.command;
    const roster = (await loadRoster(ctx.db)).filter((m) => m.staffId !== staffId);
    const { data } = await ctx.db
      .collection('leads')
      .where({ ownerId: staffId, status: _.in(['new', 'contacted', 'qualified']) })
      .limit(1000)
      .get();
    let moved = 0;
    for (const lead of data as LeadDoc[]) {
      const store = lead.storeId ?? null;
      const candidates = candidatesFor(store, roster);
      const decision = await withAssignmentState(ctx.db, store ?? 'all', (state) =>
        assignLead(null, candidates, state, ctx.now),
      );
      await ctx.db
        .collection('leads')
        .doc(lead._id)
        .update({
          data: {
            ownerId: decision.ownerId,
            assignedBy: decision.ownerId ? 'round_robin' : 'pool',
            updatedAt: ctx.now,
          },
        });
      moved += 1;
    }
    return { moved };
  }),

  recount: action(z.object({}), async (_input, ctx: DispatchContext) => {
    const tally = new FunnelTally();
    await scanAll(ctx.db, 'touches', (t) => tally.touch(t));
    await scanAll(ctx.db, 'leads', (l) => tally.lead(l));
    await scanAll(ctx.db, 'registrations', (r) => tally.registration(r));
    const recounted = tally.result();
    const stored = new Map<string, Record<string, number>>();
    await scanAll(ctx.db, 'funnelCounters', (c) => stored.set(funnelKey(c), c));
    // The per-day totals must add up to the cells they total, as recounted.
    const totals = rollUp([...recounted.values()].map((row) => ({ ...row, ...row.counters })));
    const storedTotals = new Map<string, Record<string, number>>();
    await scanAll(ctx.db, 'funnelRollups', (r) => storedTotals.set(r.key, r));
    const names = [
      'entries',
      'leads',
      'assigned',
      'contacted',
      'mql',
      'won',
      'signups',
      'checkins',
      'rejectedCodes',
    ];
    const differences: { key: string; counter: string; stored: number; recounted: number }[] = [];
    const compare = (
      keys: Iterable<string>,
      storedOf: (key: string) => Record<string, number> | undefined,
      recountedOf: (key: string) => Record<string, number> | undefined,
    ) => {
      for (const key of keys) {
        for (const counter of names) {
          const a = storedOf(key)?.[counter] ?? 0;
          const b = recountedOf(key)?.[counter] ?? 0;
          if (a !== b) differences.push({ key, counter, stored: a, recounted: b });
        }
      }
    };
    compare(
      new Set([...recounted.keys(), ...stored.keys()]),
      (key) => stored.get(key),
      (key) => recounted.get(key)?.counters as Record<string, number> | undefined,
    );
    compare(
      new Set([...totals.keys(), ...storedTotals.keys()]),
      (key) => storedTotals.get(key),
      (key) => totals.get(key) as Record<string, number> | undefined,
    );
    return { cells: recounted.size, differences };
  }),
};

const route = createRouter<DispatchContext>(actions, establishDispatch);

/** Timer triggers send `{Type: 'Timer', ...}` without an action: that is a tick. */
export const main = (event: Record<string, unknown>) =>
  route(event?.Type === 'Timer' || event?.TriggerName ? { action: 'tick' } : event);
