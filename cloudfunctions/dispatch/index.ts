// The dispatch function: the minute timer that retries the outbox, folds what exceeds a robot's
// limit into digests, escalates leads past their SLA and advances long jobs. Callable by other
// functions and the platform only: a call carrying a customer's openid is refused.
import { z } from 'zod';
import type { TagCount } from '../../typings/admin';
import type { DeliverySettings } from '../../typings/pipeline';
import { slaDeadline } from '../core/assignment';
import { type LeadSummary, summarizeLead } from '../core/delivery';
import { FunnelTally, funnelKey, rollUp } from '../core/funnel';
import { compileRules, judgeLead, rejudge, type TagSources } from '../core/rules';
import { repairJoins } from '../customer/joins';
import { countFunnel, countPending } from '../repositories/counters';
import type { CustomerDoc } from '../repositories/customers';
import { refreshInsight } from '../repositories/insight';
import { expireJobFiles, leaseJob } from '../repositories/jobs';
import { type LeadDoc, tagSourcesUpdate } from '../repositories/leads';
import {
  chooseOwner,
  forgetPipelineConfig,
  loadRoster,
  loadRules,
  loadSettings,
  type RosterMember,
  SETTINGS_ID,
} from '../repositories/pipeline';
import { claimOverdueTasks, moveOpenTasks, runSop } from '../repositories/sop';
import { loadWecomSettings } from '../repositories/wecom';
import { callerContext, type Database, database, wxCloud } from '../runtime/cloud';
import { deliverDue, outboxMessage, robotsFor } from '../runtime/delivery';
import { numberFromEnv } from '../runtime/env';
import { AppError } from '../runtime/errors';
import { action, createRouter } from '../runtime/router';
import { findById, insertOnce, randomId, stableId } from '../runtime/store';

interface DispatchContext {
  db: Database;
  now: Date;
}

/** Tests and tools may run the clock forward (`now`); the platform's timer never does. */
const clock = z.object({ now: z.iso.datetime().optional() });
const at = (input: { now?: string }) => (input.now ? new Date(input.now) : new Date());
const PAGE = 500;
/**
 * Work per invocation stays well inside the function's 60 s timeout; jobs resume on the next call.
 * At least one page is done whatever it is (tests set 0: one page a step).
 */
const JOB_BUDGET_MS = numberFromEnv('LEADPOOL_RETAG_STEP_MS', 20_000);
/** Longer than a step can take, so that a step that died frees its job for the next caller. */
const JOB_LEASE_MS = 60_000;

async function establishDispatch(): Promise<DispatchContext> {
  if (callerContext().openid) throw new AppError('FORBIDDEN', '该功能仅供系统调用');
  return { db: database(), now: new Date() };
}

/** The funnel counts captures left pending, page after page within the run's budget. */
async function countAllPending(db: Database, now: Date): Promise<number> {
  const started = Date.now();
  let counted = 0;
  for (;;) {
    const page = await countPending(db, now);
    counted += page;
    if (page === 0 || Date.now() - started > JOB_BUDGET_MS) return counted;
  }
}

const ESCALATION_STATE_ID = 'escalation';

/**
 * Escalation covers leads that came in after the robots and the SLA took their present form:
 * switching a robot on does not escalate every old lead. The moment is the settings' save time,
 * kept beside the robots and SLA it belongs to (settings saved before it was stored: every lead).
 */
async function escalationStart(db: Database, settings: DeliverySettings): Promise<Date> {
  const fingerprint = stableId(
    'escalation',
    String(settings.slaHours),
    ...settings.robots.map((r) => r.id).sort(),
  );
  const state = await findById<{ fingerprint: string; since: Date }>(db, 'rules', ESCALATION_STATE_ID);
  if (state?.fingerprint === fingerprint) return state.since;
  const saved = await findById<{ updatedAt?: Date }>(db, 'rules', SETTINGS_ID);
  const since = saved?.updatedAt ?? new Date(0);
  await db
    .collection('rules')
    .doc(ESCALATION_STATE_ID)
    .set({ data: { kind: 'escalation', fingerprint, since } });
  return since;
}

/** Leads past their contact SLA are escalated once, to the robots of their store (or the store-less ones). */
async function escalateOverdue(db: Database, now: Date): Promise<number> {
  const _ = db.command;
  const [settings, roster] = await Promise.all([loadSettings(db), loadRoster(db)]);
  if (settings.robots.length === 0) return 0;
  const earliest = new Date(now.getTime() - settings.slaHours * 3_600_000);
  const since = await escalationStart(db, settings);
  const { data } = await db
    .collection('leads')
    .where({ status: 'new', escalatedAt: null, createdAt: _.and(_.gte(since), _.lte(earliest)) })
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
    await tellRobots(db, { lead, kind: 'escalation', task: null }, roster, settings, now);
    escalated += 1;
  }
  return escalated;
}

/** Journey tasks left undone past the SLA after they fell due are escalated once, like leads. */
async function escalateOverdueTasks(db: Database, now: Date): Promise<number> {
  const [settings, roster] = await Promise.all([loadSettings(db), loadRoster(db)]);
  if (settings.robots.length === 0) return 0;
  const tasks = await claimOverdueTasks(db, settings.slaHours, now);
  for (const task of tasks) {
    const lead = await findById<LeadDoc>(db, 'leads', task.leadId);
    if (!lead) continue;
    const overdue = { text: task.text ?? '', dueAt: new Date(task.dueAt).toISOString() };
    await tellRobots(db, { lead, kind: 'taskOverdue', task: overdue }, roster, settings, now);
  }
  return tasks.length;
}

/** An escalation about a lead, queued for the robots of its store (or the store-less ones). */
async function tellRobots(
  db: Database,
  about: { lead: LeadDoc; kind: 'escalation' | 'taskOverdue'; task: LeadSummary['task'] },
  roster: RosterMember[],
  settings: DeliverySettings,
  now: Date,
): Promise<void> {
  const { lead } = about;
  const owner = roster.find((m) => m.staffId === lead.ownerId);
  const summary = summarizeLead(lead, {
    staffName: roster.find((m) => m.staffId === lead.staffId)?.name ?? null,
    ownerName: owner?.name ?? null,
    ownerMobile: owner?.mobile ?? null,
    ownerWecomUserId: owner?.wecomUserId ?? null,
    store: lead.routedStore ?? lead.storeId,
    activityTitle: null,
    adminUrl: settings.adminUrl,
  });
  const message = { ...summary, task: about.task };
  for (const robot of robotsFor(settings.robots, lead.routedStore ?? lead.storeId))
    await insertOnce(db, 'outbox', outboxMessage(`robot:${robot.id}`, about.kind, [message], now));
}

interface JobDoc {
  _id: string;
  kind: 'retag';
  status: 'running' | 'done';
  /** Counts what a re-tag would change and writes no lead; advanced only by whoever reads it. */
  dryRun?: boolean;
  cursor: string;
  processed: number;
  changed: number;
  total: number;
  /** Tags added and removed, with how many leads each (a list: a tag may hold a `.`, a key may not). */
  added?: TagCount[];
  removed?: TagCount[];
  /** Leads whose score or MQL changed. */
  rescored?: number;
  /** Leads judged for the first time since tag sources were kept. */
  unsourced?: number;
  leaseUntil?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** Behaviour the rules read, from each lead's customer (a merged one's survivor), as at capture. */
async function behaviourOf(
  db: Database,
  customerIds: string[],
): Promise<Map<string, { activitiesJoined: number; submissions: number }>> {
  const _ = db.command;
  const read = async (ids: string[]) =>
    ids.length === 0
      ? []
      : ((
          await db
            .collection('customers')
            .where({ _id: _.in(ids) })
            .field({ _id: true, mergedInto: true, joinCount: true, leadCount: true })
            .limit(ids.length)
            .get()
        ).data as CustomerDoc[]);
  const found = await read([...new Set(customerIds)]);
  const survivors = new Map(
    (await read([...new Set(found.flatMap((c) => (c.mergedInto ? [c.mergedInto] : [])))])).map((c) => [
      c._id,
      c,
    ]),
  );
  return new Map(
    found.map((c) => {
      const counted = (c.mergedInto && survivors.get(c.mergedInto)) || c;
      return [c._id, { activitiesJoined: counted.joinCount ?? 0, submissions: counted.leadCount ?? 0 }];
    }),
  );
}

function tally(counted: TagCount[] | undefined, tags: string[]): TagCount[] {
  const counts = new Map((counted ?? []).map(({ tag, leads }) => [tag, leads]));
  for (const tag of tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts].map(([tag, leads]) => ({ tag, leads }));
}

/**
 * Re-applies the current rules to existing leads, resumably: the job keeps its cursor, and a
 * lease keeps two callers (the timer, the page) from working on it at once. Only rule tags are
 * recomputed; tags people added stay (see `withRuleTags`). A dry run counts and writes no lead.
 */
async function advanceRetag(db: Database, job: JobDoc, now: Date): Promise<JobDoc> {
  const _ = db.command;
  // Jobs started before leases were kept have none: they are free.
  if (!job.leaseUntil)
    await db
      .collection('jobs')
      .where({ _id: job._id, leaseUntil: _.exists(false) })
      .update({ data: { leaseUntil: new Date(0) } });
  const leased = await leaseJob(db, job._id, new Date(), JOB_LEASE_MS);
  // Read again once leased: whoever held it before may have moved it on.
  job = (await findById<JobDoc>(db, 'jobs', job._id)) ?? job;
  if (!leased || job.status !== 'running') return job;
  const [rules, settings] = await Promise.all([loadRules(db), loadSettings(db)]);
  const compiled = compileRules(rules, settings.mqlThreshold);
  const started = Date.now();
  let page: LeadDoc[] = [];
  do {
    page = (
      await db
        .collection('leads')
        .where({ _id: _.gt(job.cursor) })
        .orderBy('_id', 'asc')
        .limit(PAGE)
        .get()
    ).data as LeadDoc[];
    const behaviour = await behaviourOf(
      db,
      page.map((lead) => lead.customerId),
    );
    const judged = page.map((stored) => {
      const lead = stored as LeadDoc & TagSources;
      const facts = {
        channelType: lead.channelType,
        channelId: lead.channel,
        activityId: lead.activityId ?? null,
        answers: lead.answers ?? {},
        phoneVerified: lead.phoneVerified === true,
        ...(behaviour.get(lead.customerId) ?? { activitiesJoined: 0, submissions: 0 }),
      };
      return { lead, next: rejudge({ ...lead, tags: lead.tags ?? [] }, judgeLead(compiled, facts)) };
    });
    if (!job.dryRun) {
      for (let i = 0; i < judged.length; i += 20)
        await Promise.all(
          judged.slice(i, i + 20).map(async ({ lead, next }) => {
            if (!next.stale) return;
            await db
              .collection('leads')
              .doc(lead._id)
              .update({
                data: {
                  ...tagSourcesUpdate(db, next),
                  score: next.score,
                  mql: next.mql,
                  ...(next.changed ? { updatedAt: now } : {}),
                },
              });
            if (next.mql !== (lead.mql === true))
              await countFunnel(
                db,
                lead.createdAt,
                { channelId: lead.channel, staffId: lead.staffId, activityId: lead.activityId },
                { mql: next.mql ? 1 : -1 },
              );
          }),
        );
    }
    job = {
      ...job,
      cursor: page.length > 0 ? page[page.length - 1]._id : job.cursor,
      processed: job.processed + page.length,
      changed: job.changed + judged.filter(({ next }) => next.changed).length,
      added: tally(
        job.added,
        judged.flatMap(({ next }) => next.added),
      ),
      removed: tally(
        job.removed,
        judged.flatMap(({ next }) => next.removed),
      ),
      rescored:
        (job.rescored ?? 0) +
        judged.filter(({ lead, next }) => lead.score !== next.score || (lead.mql === true) !== next.mql)
          .length,
      unsourced: (job.unsourced ?? 0) + judged.filter(({ lead }) => !lead.ruleTags).length,
      status: page.length < PAGE ? 'done' : 'running',
      updatedAt: now,
    };
    // Progress is kept page by page: a step cut short resumes where it stopped.
    await db
      .collection('jobs')
      .doc(job._id)
      .update({
        data: {
          cursor: job.cursor,
          processed: job.processed,
          changed: job.changed,
          added: _.set(job.added),
          removed: _.set(job.removed),
          rescored: job.rescored,
          unsourced: job.unsourced,
          status: job.status,
          updatedAt: now,
        },
      });
  } while (job.status === 'running' && Date.now() - started < JOB_BUDGET_MS);
  await db
    .collection('jobs')
    .doc(job._id)
    .update({ data: { leaseUntil: new Date(0) } });
  return { ...job, leaseUntil: new Date(0) };
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
    const counted = await countAllPending(ctx.db, now);
    const escalated = (await escalateOverdue(ctx.db, now)) + (await escalateOverdueTasks(ctx.db, now));
    const delivery = await deliverDue(ctx.db, settings, now);
    const joins = await repairJoins({ db: ctx.db, now });
    const sop = await runSop(ctx.db, now, (await loadWecomSettings(ctx.db)) !== null);
    const insight = await refreshInsight(ctx.db, now, JOB_BUDGET_MS);
    // Dry runs are left to whoever reads them: one nobody watches any more stops costing reads.
    const { data: running } = await ctx.db
      .collection('jobs')
      .where({ status: 'running', kind: 'retag', dryRun: ctx.db.command.neq(true) })
      .limit(5)
      .get();
    for (const job of running as JobDoc[]) await advanceRetag(ctx.db, job, now);
    const expired = await expireJobFiles(ctx.db, now, async (fileList) => {
      await wxCloud().deleteFile({ fileList });
    });
    return { counted, ...delivery, escalated, ...joins, sop, insight, jobs: running.length, expired };
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

  retag: action(
    z.object({ jobId: z.string().optional(), dryRun: z.boolean().default(false) }),
    async (input, ctx: DispatchContext) => {
      if (input.jobId) {
        const existing = await findById<JobDoc>(ctx.db, 'jobs', input.jobId);
        if (existing?.kind !== 'retag') throw new AppError('NOT_FOUND', '任务不存在');
        return existing.status === 'done' ? existing : advanceRetag(ctx.db, existing, ctx.now);
      }
      const job: JobDoc = {
        _id: `retag-${randomId(6)}`,
        kind: 'retag',
        status: 'running',
        dryRun: input.dryRun,
        cursor: '',
        processed: 0,
        changed: 0,
        total: (await ctx.db.collection('leads').count()).total,
        added: [],
        removed: [],
        rescored: 0,
        unsourced: 0,
        leaseUntil: new Date(0),
        createdAt: ctx.now,
        updatedAt: ctx.now,
      };
      await insertOnce(ctx.db, 'jobs', job);
      return advanceRetag(ctx.db, job, ctx.now);
    },
  ),

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
      const { assignment: decision } = await chooseOwner(
        ctx.db,
        { leadKey: lead._id, store: lead.storeId ?? null, attributed: null, customerOwner: null },
        roster,
        ctx.now,
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
      await moveOpenTasks(ctx.db, lead._id, staffId, decision.ownerId, ctx.now);
      // The customer's next lead follows the lead to its new owner.
      if (lead.customerId)
        await ctx.db
          .collection('customers')
          .where({ _id: lead.customerId, salesOwnerId: staffId })
          .update({ data: { salesOwnerId: decision.ownerId, updatedAt: ctx.now } });
      moved += 1;
    }
    return { moved };
  }),

  recount: action(z.object({}), async (_input, ctx: DispatchContext) => {
    // Counts still pending are not differences: add them first.
    await countAllPending(ctx.db, ctx.now);
    const tally = new FunnelTally();
    await scanAll(ctx.db, 'touches', (t) => tally.touch(t));
    await scanAll(ctx.db, 'leads', (l) => tally.lead(l));
    await scanAll(ctx.db, 'registrations', (r) => tally.registration(r));
    await scanAll(ctx.db, 'wecomContacts', (c) => {
      if (c.funnelCell) tally.pending({ at: c.addedAt, cell: c.funnelCell, counters: { wecomAdded: 1 } });
    });
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
