import { type SopRule, type SopStepStatus, sopRuleSchema } from '../../typings/sop';
import { slaDeadline } from '../core/assignment';
import { countersForStatusChange } from '../core/funnel';
import { editTags } from '../core/rules';
import {
  DEFAULT_REMINDER_FIELDS,
  dueAtOf,
  leadStarts,
  matchesFilters,
  reminderData,
  renderTaskText,
  type SopLead,
  stopReason,
} from '../core/sop';
import type { Database } from '../runtime/cloud';
import { sendSubscribeMessage } from '../runtime/openapi';
import { findById, insertOnce, stableId } from '../runtime/store';
import { type ActivityDoc, activitiesByIds } from './activities';
import { countFunnel } from './counters';
import type { CustomerDoc } from './customers';
import { type LeadDoc, tagSourcesUpdate } from './leads';
import type { RegistrationDoc } from './registrations';

/**
 * The journey SOP's storage and runner. A rule's steps for one lead are documents of `sopSteps`
 * keyed by rule, step and lead, so starting a journey twice (overlapping timers, a rescan) makes
 * nothing twice. A step reads its rule when it runs: an edited or disabled rule changes what has
 * not run yet. A task step, once run, stays `open` for its advisor until done or skipped.
 */
export interface SopRuleDoc extends SopRule {
  _id: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SopStepDoc {
  _id: string;
  ruleId: string;
  stepIndex: number;
  leadId: string;
  customerId: string;
  activityId: string | null;
  dueAt: Date;
  status: SopStepStatus;
  /** While `running`: when another run may take the step over (a run that died). */
  leaseUntil?: Date;
  /** A task: the advisor it is for (the lead's owner when it ran) and its text, variables filled. */
  assigneeId?: string | null;
  text?: string;
  reason?: string;
  doneAt?: Date;
  /** A task left undone past the SLA is escalated once: when it was (null while open and not). */
  escalatedAt?: Date | null;
  /**
   * The advisor's WeCom message about a new task (sent by the wecom function's timer): pending,
   * being sent (until `noticeLeaseUntil`), sent, not sent (no WeCom user, or too late), failed.
   */
  notice?: 'pending' | 'sending' | 'sent' | 'none' | 'failed';
  noticeLeaseUntil?: Date;
  updatedAt: Date;
}

const RULES = 'sopRules';
const STEPS = 'sopSteps';
const CURSOR_ID = 'sop-cursor';
const WECOM_CURSOR_ID = 'sop-wecom-cursor';
/** Leads may be stored a little out of order: each scan looks back this far again. */
const LOOK_BACK_MS = 2 * 60_000;
const LEASE_MS = 2 * 60_000;

export async function loadSopRules(db: Database): Promise<SopRuleDoc[]> {
  const { data } = await db.collection(RULES).where({ enabled: true }).limit(200).get();
  return (data as Record<string, unknown>[]).flatMap((doc) => {
    const parsed = sopRuleSchema.safeParse(doc);
    return parsed.success ? [{ ...(doc as unknown as SopRuleDoc), ...parsed.data }] : [];
  });
}

const activityTitleOf = (activities: Map<string, ActivityDoc>, id: string | null) =>
  id ? (activities.get(id)?.title ?? null) : null;

export function sopLeadOf(lead: LeadDoc, activityTitle: string | null): SopLead {
  return {
    name: lead.name,
    tags: lead.tags ?? [],
    channelType: lead.channelType,
    store: lead.routedStore ?? lead.storeId ?? null,
    activityId: lead.activityId,
    activityTitle,
    score: lead.score ?? 0,
    source: lead.source,
  };
}

const stepId = (ruleId: string, stepIndex: number, leadId: string) =>
  stableId('sop', ruleId, String(stepIndex), leadId);

/** A journey to start: a rule for a lead, its steps timed from `anchor`. */
interface JourneyStart {
  rule: SopRuleDoc;
  lead: LeadDoc;
  anchor: Date;
}

/**
 * Writes the steps of journeys not yet started. Scans look back and an activity's sign-ups are
 * seen every run until it starts, so most starts were made before: a journey whose last step is
 * stored (steps are written in order) is skipped after one read per hundred, not tried again.
 */
async function startJourneys(db: Database, starts: JourneyStart[], now: Date): Promise<number> {
  const _ = db.command;
  const lastStepId = ({ rule, lead }: JourneyStart) => stepId(rule._id, rule.steps.length - 1, lead._id);
  const done = new Set<string>();
  for (let i = 0; i < starts.length; i += 100) {
    const ids = starts.slice(i, i + 100).map(lastStepId);
    const { data } = await db
      .collection(STEPS)
      .where({ _id: _.in(ids) })
      .field({ _id: true })
      .limit(ids.length)
      .get();
    for (const doc of data as { _id: string }[]) done.add(doc._id);
  }
  let scheduled = 0;
  for (const start of starts.filter((s) => !done.has(lastStepId(s)))) {
    const { rule, lead, anchor } = start;
    for (const [stepIndex, step] of rule.steps.entries()) {
      const doc: SopStepDoc = {
        _id: stepId(rule._id, stepIndex, lead._id),
        ruleId: rule._id,
        stepIndex,
        leadId: lead._id,
        customerId: lead.customerId,
        activityId: lead.activityId,
        dueAt: dueAtOf(rule.trigger.type, anchor, step),
        status: 'scheduled',
        updatedAt: now,
      };
      if (await insertOnce(db, STEPS, doc)) scheduled += 1;
    }
  }
  return scheduled;
}

/**
 * Where a scan starts: a little before where the last one ended (stores may commit out of order),
 * or, the first time, where the oldest rule began.
 */
async function scanStart(db: Database, cursorId: string, rules: SopRuleDoc[]): Promise<Date> {
  const cursor = await findById<{ since: Date }>(db, 'rules', cursorId);
  if (cursor) return new Date(cursor.since.getTime() - LOOK_BACK_MS);
  const made = rules.map((rule) => new Date(rule.createdAt).getTime()).filter(Number.isFinite);
  return new Date(made.length ? Math.min(...made) : Date.now() - LOOK_BACK_MS);
}

/** A rule starts for what happens after it was made, not for the leads it found already there. */
const startsAfter = (rule: SopRuleDoc, at: Date) => at.getTime() >= new Date(rule.createdAt).getTime();

/** Starts the journeys of leads captured since the last scan (a page a run). */
async function startFromLeads(db: Database, rules: SopRuleDoc[], now: Date): Promise<number> {
  const _ = db.command;
  const since = await scanStart(db, CURSOR_ID, rules);
  const { data } = await db
    .collection('leads')
    .where({ createdAt: _.and(_.gte(since), _.lte(now)) })
    .orderBy('createdAt', 'asc')
    .limit(200)
    .get();
  const leads = data as LeadDoc[];
  const starting = rules.filter(
    (rule) => rule.trigger.type === 'lead_captured' || rule.trigger.type === 'activity_joined',
  );
  const starts: JourneyStart[] = [];
  if (starting.length > 0 && leads.length > 0) {
    const activities = await activitiesByIds(db, [
      ...new Set(leads.flatMap((lead) => (lead.activityId ? [lead.activityId] : []))),
    ]);
    for (const lead of leads) {
      const facts = sopLeadOf(lead, activityTitleOf(activities, lead.activityId));
      for (const rule of starting)
        if (
          startsAfter(rule, lead.createdAt) &&
          leadStarts(rule.trigger.type, facts) &&
          matchesFilters(rule.filters, facts)
        )
          starts.push({ rule, lead, anchor: lead.createdAt });
    }
  }
  const scheduled = await startJourneys(db, starts, now);
  // A full page leaves the rest for the next run, from the last lead read.
  const next = leads.length === 200 ? leads[leads.length - 1].createdAt : now;
  await db
    .collection('rules')
    .doc(CURSOR_ID)
    .set({ data: { kind: 'sop-cursor', since: next } });
  return scheduled;
}

/** Starts `before_activity` journeys for the sign-ups of activities starting within their offsets. */
async function startBeforeActivities(db: Database, rules: SopRuleDoc[], now: Date): Promise<number> {
  const before = rules.filter((rule) => rule.trigger.type === 'before_activity');
  if (before.length === 0) return 0;
  const _ = db.command;
  const horizon = Math.max(...before.flatMap((rule) => rule.steps.map((step) => step.offsetMinutes)));
  const { data } = await db
    .collection('activities')
    .where({
      status: 'published',
      startAt: _.and(_.gt(now), _.lte(new Date(now.getTime() + horizon * 60_000))),
    })
    .limit(50)
    .get();
  const starts: JourneyStart[] = [];
  for (const activity of data as ActivityDoc[]) {
    const { data: joined } = await db
      .collection('registrations')
      .where({ activityId: activity._id, status: 'joined' })
      .limit(1000)
      .get();
    const leadIds = (joined as RegistrationDoc[]).flatMap((r) => (r.leadId ? [r.leadId] : []));
    for (let i = 0; i < leadIds.length; i += 100) {
      const { data: leads } = await db
        .collection('leads')
        .where({ _id: _.in(leadIds.slice(i, i + 100)) })
        .limit(100)
        .get();
      for (const lead of leads as LeadDoc[]) {
        const facts = sopLeadOf(lead, activity.title);
        for (const rule of before)
          if (matchesFilters(rule.filters, facts)) starts.push({ rule, lead, anchor: activity.startAt });
      }
    }
  }
  return startJourneys(db, starts, now);
}

/** Starts `wecom_added` journeys for the leads whose customer added their advisor since the last scan. */
async function startFromWecomAdds(db: Database, rules: SopRuleDoc[], now: Date): Promise<number> {
  const starting = rules.filter((rule) => rule.trigger.type === 'wecom_added');
  if (starting.length === 0) return 0;
  const _ = db.command;
  const since = await scanStart(db, WECOM_CURSOR_ID, starting);
  const { data } = await db
    .collection('wecomContacts')
    .where({ addedAt: _.and(_.gte(since), _.lte(now)), status: 'added' })
    .orderBy('addedAt', 'asc')
    .limit(200)
    .get();
  const adds = data as { leadId: string | null; addedAt: Date }[];
  const leadIds = [...new Set(adds.flatMap((add) => (add.leadId ? [add.leadId] : [])))];
  const starts: JourneyStart[] = [];
  if (leadIds.length > 0) {
    const { data: leads } = await db
      .collection('leads')
      .where({ _id: _.in(leadIds) })
      .limit(leadIds.length)
      .get();
    const byId = new Map((leads as LeadDoc[]).map((lead) => [lead._id, lead]));
    const activities = await activitiesByIds(db, [
      ...new Set((leads as LeadDoc[]).flatMap((lead) => (lead.activityId ? [lead.activityId] : []))),
    ]);
    for (const add of adds) {
      const lead = add.leadId ? byId.get(add.leadId) : undefined;
      if (!lead) continue;
      const facts = sopLeadOf(lead, activityTitleOf(activities, lead.activityId));
      for (const rule of starting)
        if (startsAfter(rule, add.addedAt) && matchesFilters(rule.filters, facts))
          starts.push({ rule, lead, anchor: add.addedAt });
    }
  }
  const scheduled = await startJourneys(db, starts, now);
  const next = adds.length === 200 ? adds[adds.length - 1].addedAt : now;
  await db
    .collection('rules')
    .doc(WECOM_CURSOR_ID)
    .set({ data: { kind: 'sop-cursor', since: next } });
  return scheduled;
}

/** The dispatcher's part: new journeys started, due steps run. */
/**
 * Starts journeys and runs due steps. `announceTasks`: WeCom is set up, so a new task waits for
 * the wecom function to tell its advisor (else nothing would send it).
 */
export async function runSop(
  db: Database,
  now: Date,
  announceTasks: boolean,
): Promise<{ scheduled: number; ran: number; stopped: number }> {
  const rules = await loadSopRules(db);
  const scheduled = rules.length
    ? (await startFromLeads(db, rules, now)) +
      (await startBeforeActivities(db, rules, now)) +
      (await startFromWecomAdds(db, rules, now))
    : 0;
  const { ran, stopped } = await runDueSteps(db, rules, now, announceTasks);
  return { scheduled, ran, stopped };
}

/** Takes a due step for this run: a scheduled one, or one whose run died (lease over). */
async function claimStep(db: Database, step: SopStepDoc, now: Date): Promise<boolean> {
  const _ = db.command;
  const claimable =
    step.status === 'scheduled'
      ? { _id: step._id, status: 'scheduled' }
      : { _id: step._id, status: 'running', leaseUntil: _.lte(now) };
  const res = await db
    .collection(STEPS)
    .where(claimable)
    .update({ data: { status: 'running', leaseUntil: new Date(now.getTime() + LEASE_MS), updatedAt: now } });
  return res.stats.updated === 1;
}

/**
 * Open tasks still undone the SLA's working hours after they fell due, each claimed once (so
 * overlapping runs escalate it once), oldest first: the dispatcher tells the robots.
 */
export async function claimOverdueTasks(
  db: Database,
  slaHours: number,
  now: Date,
  limit = 100,
): Promise<SopStepDoc[]> {
  const _ = db.command;
  const { data } = await db
    .collection(STEPS)
    .where({
      status: 'open',
      escalatedAt: null,
      dueAt: _.lte(new Date(now.getTime() - slaHours * 3_600_000)),
    })
    .orderBy('dueAt', 'asc')
    .limit(limit)
    .get();
  const claimed: SopStepDoc[] = [];
  for (const task of data as SopStepDoc[]) {
    // Deadlines follow due times: the first one not passed yet ends the run.
    if (slaDeadline(new Date(task.dueAt), slaHours).getTime() > now.getTime()) break;
    const res = await db
      .collection(STEPS)
      .where({ _id: task._id, status: 'open', escalatedAt: null })
      .update({ data: { escalatedAt: now } });
    if (res.stats.updated === 1) claimed.push(task);
  }
  return claimed;
}

/** A notice is worth sending for a day; a task older than that (WeCom set up later) is not announced. */
const NOTICE_WITHIN_MS = 24 * 3_600_000;

/**
 * Tasks whose advisor is still to be told in WeCom, oldest first: pending ones, and ones a run that
 * died was sending. Each is claimed by `claimTaskNotice` before it is sent.
 */
export async function dueTaskNotices(db: Database, now: Date, limit: number): Promise<SopStepDoc[]> {
  const _ = db.command;
  const { data } = await db
    .collection(STEPS)
    .where(_.or([{ notice: 'pending' }, { notice: 'sending', noticeLeaseUntil: _.lte(now) }]))
    .orderBy('dueAt', 'asc')
    .limit(limit)
    .get();
  return data as SopStepDoc[];
}

/**
 * Takes an open task's notice for sending (a two-minute lease), once; false when another run has
 * it. A task done meanwhile, or fallen due more than a day ago, is not announced any more.
 */
export async function claimTaskNotice(db: Database, task: SopStepDoc, now: Date): Promise<boolean> {
  if (task.status !== 'open' || now.getTime() - new Date(task.dueAt).getTime() > NOTICE_WITHIN_MS) {
    await settleTaskNotice(db, task._id, 'none', now);
    return false;
  }
  const _ = db.command;
  const free =
    task.notice === 'pending' ? { notice: 'pending' } : { notice: 'sending', noticeLeaseUntil: _.lte(now) };
  const res = await db
    .collection(STEPS)
    .where({ _id: task._id, status: 'open', ...free })
    .update({
      data: { notice: 'sending', noticeLeaseUntil: new Date(now.getTime() + LEASE_MS), updatedAt: now },
    });
  return res.stats.updated === 1;
}

export async function settleTaskNotice(
  db: Database,
  id: string,
  notice: NonNullable<SopStepDoc['notice']>,
  now: Date,
): Promise<void> {
  await finishStep(db, id, { notice }, now);
}

async function finishStep(db: Database, id: string, changes: Partial<SopStepDoc>, now: Date) {
  await db
    .collection(STEPS)
    .doc(id)
    .update({ data: { ...changes, updatedAt: now } });
}

/**
 * Runs due steps by the rules as this run loaded them (the enabled ones): a step whose rule is not
 * among them was switched off or deleted.
 */
async function runDueSteps(
  db: Database,
  rules: SopRuleDoc[],
  now: Date,
  announce: boolean,
  limit = 100,
): Promise<{ ran: number; stopped: number }> {
  const enabled = new Map(rules.map((rule) => [rule._id, rule]));
  const _ = db.command;
  const { data } = await db
    .collection(STEPS)
    .where({ status: _.in(['scheduled', 'running']), dueAt: _.lte(now) })
    .orderBy('dueAt', 'asc')
    .limit(limit)
    .get();
  let ran = 0;
  let stopped = 0;
  for (const step of data as SopStepDoc[]) {
    if (step.status === 'running' && step.leaseUntil && step.leaseUntil > now) continue;
    if (!(await claimStep(db, step, now))) continue;
    const lead = await findById<LeadDoc>(db, 'leads', step.leadId);
    const customer = lead ? await findById<CustomerDoc>(db, 'customers', lead.customerId) : null;
    const current = enabled.get(step.ruleId) ?? null;
    const stop = stopReason(current, step.stepIndex, lead, customer);
    if (stop || !current || !lead || !customer) {
      await finishStep(db, step._id, { status: 'cancelled', reason: stop ?? 'rule_off' }, now);
      stopped += 1;
      continue;
    }
    const { action } = current.steps[step.stepIndex];
    if (action.type === 'task') {
      const activityTitle = lead.activityId
        ? ((await activitiesByIds(db, [lead.activityId])).get(lead.activityId)?.title ?? null)
        : null;
      const text = renderTaskText(action.text, sopLeadOf(lead, activityTitle));
      await finishStep(
        db,
        step._id,
        {
          status: 'open',
          text,
          assigneeId: lead.ownerId,
          escalatedAt: null,
          ...(announce && lead.ownerId ? { notice: 'pending' as const } : {}),
        },
        now,
      );
    } else if (action.type === 'tag') {
      // As a person's tags: kept apart from the rules' tags, so a re-tag keeps them.
      const next = editTags({ ...lead, tags: lead.tags ?? [] }, action.add, action.remove);
      await db
        .collection('leads')
        .doc(lead._id)
        .update({
          data: { ...tagSourcesUpdate(db, next), updatedAt: now },
        });
      await finishStep(db, step._id, { status: 'done', doneAt: now }, now);
    } else {
      const outcome = await sendActivityReminder(db, lead, customer, now);
      await finishStep(
        db,
        step._id,
        outcome === 'sent' ? { status: 'done', doneAt: now } : { status: 'skipped', reason: outcome },
        now,
      );
    }
    ran += 1;
  }
  return { ran, stopped };
}

/**
 * The reminder the customer accepted when joining, sent once per sign-up: claimed first, so a
 * repeated run never sends twice; a send WeChat refuses (say the subscription was used up) is
 * recorded on the step, not tried again.
 */
async function sendActivityReminder(
  db: Database,
  lead: LeadDoc,
  customer: CustomerDoc,
  now: Date,
): Promise<'sent' | 'no_subscription' | 'send_failed'> {
  if (!lead.activityId) return 'no_subscription';
  const registrationId = stableId('registration', lead.activityId, customer._id);
  const registration = await findById<RegistrationDoc>(db, 'registrations', registrationId);
  if (registration?.status !== 'joined' || !registration.reminder || registration.reminder.sentAt)
    return 'no_subscription';
  const activity = (await activitiesByIds(db, [lead.activityId])).get(lead.activityId);
  if (!activity) return 'no_subscription';
  const claimed = await db
    .collection('registrations')
    .where({ _id: registrationId, 'reminder.sentAt': null })
    .update({ data: { 'reminder.sentAt': now } });
  if (claimed.stats.updated !== 1) return 'no_subscription';
  const fields = process.env.LEADPOOL_REMINDER_FIELDS?.trim() || DEFAULT_REMINDER_FIELDS;
  try {
    await sendSubscribeMessage(
      customer.openid,
      registration.reminder.templateId,
      `pages/activity/index?id=${activity._id}`,
      reminderData(fields, activity),
    );
    return 'sent';
  } catch (error) {
    console.error('activity reminder refused', registrationId, error);
    return 'send_failed';
  }
}

/** An advisor's open tasks, earliest due first. */
export async function openTasksOf(db: Database, staffId: string, limit = 100): Promise<SopStepDoc[]> {
  const { data } = await db
    .collection(STEPS)
    .where({ assigneeId: staffId, status: 'open' })
    .orderBy('dueAt', 'asc')
    .limit(limit)
    .get();
  return data as SopStepDoc[];
}

/**
 * Closes an advisor's open task, done or skipped. The first task done on a new lead marks it
 * contacted (and counts it so in the funnel). Answers the task's status afterwards, or null when
 * it is not this advisor's.
 */
export async function closeTask(
  db: Database,
  taskId: string,
  staffId: string,
  outcome: { status: 'done' } | { status: 'skipped'; reason: string },
  now: Date,
): Promise<SopStepStatus | null> {
  const res = await db
    .collection(STEPS)
    .where({ _id: taskId, assigneeId: staffId, status: 'open' })
    .update({ data: { ...outcome, doneAt: now, updatedAt: now } });
  const task = await findById<SopStepDoc>(db, STEPS, taskId);
  if (!task || task.assigneeId !== staffId) return null;
  if (res.stats.updated === 1 && outcome.status === 'done')
    await markContacted(db, task.leadId, staffId, now);
  return task.status;
}

async function markContacted(db: Database, leadId: string, staffId: string, now: Date): Promise<void> {
  const _ = db.command;
  const lead = await findById<LeadDoc>(db, 'leads', leadId);
  if (lead?.status !== 'new') return;
  const moved = await db
    .collection('leads')
    .where({ _id: leadId, status: 'new' })
    .update({
      data: {
        status: 'contacted',
        statusHistory: _.push([{ status: 'contacted', at: now, by: `staff:${staffId}` }]),
        updatedAt: now,
      },
    });
  if (moved.stats.updated === 1)
    await countFunnel(
      db,
      lead.createdAt,
      { channelId: lead.channel, staffId: lead.staffId, activityId: lead.activityId },
      countersForStatusChange(lead.status, 'contacted'),
    );
}

/** A departing advisor's open tasks follow their leads to the new owner. */
export async function moveOpenTasks(
  db: Database,
  leadId: string,
  from: string,
  to: string | null,
  now: Date,
) {
  await db
    .collection(STEPS)
    .where({ leadId, assigneeId: from, status: 'open' })
    .update({ data: { assigneeId: to, updatedAt: now } });
}
