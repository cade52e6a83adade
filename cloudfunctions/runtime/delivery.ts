import type { DeliverySettings } from '../../typings/pipeline';
import {
  backoffMs,
  digestMarkdowns,
  escalationMarkdown,
  type LeadSummary,
  MAX_ATTEMPTS,
  ROBOT_MESSAGES_PER_MINUTE,
  robotMarkdown,
  taskOverdueMarkdown,
  webhookRequest,
} from '../core/delivery';
import type { Database } from './cloud';
import { claimMinuteSlot, insertOnce, stableId } from './store';

/**
 * The outbox's delivery side, shared by the capturing function (which tries at once) and the
 * `dispatch` timer (which retries). A message is leased before it is sent, so two deliverers
 * never send the same message; a robot's minute budget is claimed slot by slot, so the robot's
 * 20-per-minute limit is never hit; what does not fit is folded into digests.
 */
export interface OutboxDoc {
  _id: string;
  messageId: string;
  /** `robot:<id>` or `webhook:<id>`. */
  channel: string;
  kind: 'robot' | 'webhook' | 'escalation' | 'taskOverdue';
  leadIds: string[];
  leads: LeadSummary[];
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date;
  lastError: string | null;
  /** A digest that carried this message's lead, when it was folded. */
  deliveredIn: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

const LEASE_MS = 60_000;
const SEND_TIMEOUT_MS = 5_000;
const BATCH = 500;

export function outboxMessage(
  channel: string,
  kind: OutboxDoc['kind'],
  leads: LeadSummary[],
  now: Date,
): OutboxDoc {
  // A lead's tasks are escalated one by one: each its own message.
  const parts = leads.map((l) => (l.task ? `${l.leadId}:${l.task.dueAt}` : l.leadId));
  const messageId = stableId('message', kind, channel, ...parts);
  return {
    _id: messageId,
    messageId,
    channel,
    kind,
    leadIds: leads.map((l) => l.leadId),
    leads,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: new Date(0),
    lastError: null,
    deliveredIn: null,
    deliveredAt: null,
    createdAt: now,
  };
}

async function lease(db: Database, message: OutboxDoc, now: Date): Promise<boolean> {
  const _ = db.command;
  const res = await db
    .collection('outbox')
    .where({ _id: message._id, status: 'pending', leaseUntil: _.lte(now) })
    .update({ data: { leaseUntil: new Date(now.getTime() + LEASE_MS) } });
  return res.stats.updated === 1;
}

/** One of the robot's 20 messages of this minute, or false when they are all taken. */
const claimRobotSlot = (db: Database, robotId: string, now: Date) =>
  claimMinuteSlot(db, `robot:${robotId}`, ROBOT_MESSAGES_PER_MINUTE, now);

type SendResult = { ok: true } | { ok: false; error: string; throttled: boolean };

async function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
}

async function sendRobot(url: string, content: string): Promise<SendResult> {
  try {
    const res = await post(url, JSON.stringify({ msgtype: 'markdown', markdown: { content } }), {
      'content-type': 'application/json',
    });
    if (!res.ok) return { ok: false, error: `HTTP ${res.status}`, throttled: false };
    const answer = (await res.json()) as { errcode?: number; errmsg?: string };
    if (answer.errcode === 0) return { ok: true };
    return {
      ok: false,
      error: `errcode ${answer.errcode}: ${answer.errmsg ?? ''}`,
      throttled: answer.errcode === 45009,
    };
  } catch (error) {
    return { ok: false, error: String((error as Error).message ?? error), throttled: false };
  }
}

async function sendWebhook(url: string, secret: string, message: OutboxDoc, now: Date): Promise<SendResult> {
  const { body, headers } = webhookRequest(message.messageId, message.leads, secret, now);
  try {
    const res = await post(url, body, headers);
    await res.body?.cancel();
    return res.ok ? { ok: true } : { ok: false, error: `HTTP ${res.status}`, throttled: false };
  } catch (error) {
    return { ok: false, error: String((error as Error).message ?? error), throttled: false };
  }
}

async function markDelivered(
  db: Database,
  ids: string[],
  now: Date,
  deliveredIn: string | null,
): Promise<void> {
  const _ = db.command;
  await db
    .collection('outbox')
    .where({ _id: _.in(ids) })
    .update({ data: { status: 'delivered', deliveredAt: now, deliveredIn, lastError: null } });
}

async function markFailedAttempt(
  db: Database,
  messages: OutboxDoc[],
  error: string,
  now: Date,
): Promise<void> {
  for (const message of messages) {
    const attempts = message.attempts + 1;
    await db
      .collection('outbox')
      .doc(message._id)
      .update({
        data: {
          attempts,
          lastError: error,
          status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
          nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)),
          leaseUntil: new Date(0),
        },
      });
  }
}

/** Gives leased messages back untouched (the robot's minute is full): tried again next minute. */
async function release(db: Database, messages: OutboxDoc[], now: Date): Promise<void> {
  const _ = db.command;
  if (messages.length === 0) return;
  const nextMinute = new Date((Math.floor(now.getTime() / 60_000) + 1) * 60_000);
  await db
    .collection('outbox')
    .where({ _id: _.in(messages.map((m) => m._id)) })
    .update({ data: { leaseUntil: new Date(0), nextAttemptAt: nextMinute } });
}

export interface DeliveryReport {
  delivered: number;
  folded: number;
  retrying: number;
  deferred: number;
}

/**
 * The robots a lead of `store` goes to: that store's robots, or, when it has none (or the lead has
 * no store), the robots set up without a store.
 */
export function robotsFor<R extends { store: string }>(robots: readonly R[], store: string | null): R[] {
  const own = store ? robots.filter((robot) => robot.store === store) : [];
  return own.length > 0 ? own : robots.filter((robot) => !robot.store);
}

async function deliverToRobot(
  db: Database,
  robot: { id: string; url: string },
  messages: OutboxDoc[],
  settings: DeliverySettings,
  now: Date,
  report: DeliveryReport,
): Promise<void> {
  const slotsWanted = messages.length;
  const single = async (message: OutboxDoc) => {
    const lead = message.leads[0];
    const content =
      message.kind === 'escalation'
        ? escalationMarkdown(lead, settings.slaHours)
        : message.kind === 'taskOverdue'
          ? taskOverdueMarkdown(lead, settings.slaHours)
          : robotMarkdown(lead);
    return sendRobot(robot.url, content);
  };
  // Probe the budget: enough slots for one message each, else everything goes into digests.
  const granted: number[] = [];
  for (let i = 0; i < slotsWanted; i += 1) {
    if (!(await claimRobotSlot(db, robot.id, now))) break;
    granted.push(i);
  }
  if (granted.length === slotsWanted) {
    for (const message of messages) {
      const result = await single(message);
      if (result.ok) {
        await markDelivered(db, [message._id], now, null);
        report.delivered += 1;
      } else if (result.throttled) {
        await release(db, [message], now);
        report.deferred += 1;
      } else {
        await markFailedAttempt(db, [message], result.error, now);
        report.retrying += 1;
      }
    }
    return;
  }
  // Not enough room this minute: fold into digests, one slot each, in arrival order.
  // Escalations fold into digests of their own, titled as such.
  const digestKinds = { robot: 'lead', escalation: 'escalation', taskOverdue: 'taskOverdue' } as const;
  const digests = (['robot', 'escalation', 'taskOverdue'] as const).flatMap((kind) =>
    digestMarkdowns(
      messages.filter((m) => m.kind === kind).flatMap((m) => m.leads),
      digestKinds[kind],
    ).map((digest) => ({ ...digest, kind })),
  );
  let used = 0;
  for (const digest of digests) {
    // A lead may be in a new-lead and an escalation message at once: each digest is its own kind's.
    const members = messages.filter(
      (m) => m.kind === digest.kind && m.leadIds.some((id) => digest.leadIds.includes(id)),
    );
    if (used >= granted.length) {
      await release(db, members, now);
      report.deferred += members.length;
      continue;
    }
    used += 1;
    const result = await sendRobot(robot.url, digest.content);
    if (result.ok) {
      const digestDoc = outboxMessage(
        `robot:${robot.id}`,
        'robot',
        members.flatMap((m) => m.leads),
        now,
      );
      const delivered: OutboxDoc = { ...digestDoc, status: 'delivered', deliveredAt: now, attempts: 1 };
      await insertOnce(db, 'outbox', delivered);
      await markDelivered(
        db,
        members.map((m) => m._id),
        now,
        digestDoc.messageId,
      );
      report.folded += members.length;
    } else if (result.throttled) {
      await release(db, members, now);
      report.deferred += members.length;
    } else {
      await markFailedAttempt(db, members, result.error, now);
      report.retrying += members.length;
    }
  }
}

/**
 * Delivers due pending messages (or just `only`). Safe to run concurrently: leases keep each
 * message with one deliverer.
 */
export async function deliverDue(
  db: Database,
  settings: DeliverySettings,
  now: Date,
  only?: string[],
): Promise<DeliveryReport> {
  const _ = db.command;
  const report: DeliveryReport = { delivered: 0, folded: 0, retrying: 0, deferred: 0 };
  const query = only
    ? db.collection('outbox').where({ _id: _.in(only), status: 'pending' })
    : db
        .collection('outbox')
        .where({ status: 'pending', nextAttemptAt: _.lte(now) })
        .orderBy('nextAttemptAt', 'asc');
  const { data } = await query.limit(BATCH).get();
  const leased: OutboxDoc[] = [];
  for (const message of data as OutboxDoc[]) if (await lease(db, message, now)) leased.push(message);
  const byChannel = new Map<string, OutboxDoc[]>();
  for (const message of leased.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    byChannel.set(message.channel, [...(byChannel.get(message.channel) ?? []), message]);
  }
  for (const [channel, messages] of byChannel) {
    const [type, id] = channel.split(':');
    if (type === 'robot') {
      const robot = settings.robots.find((r) => r.id === id);
      if (!robot) await markFailedAttempt(db, messages, `robot ${id} is not configured`, now);
      else await deliverToRobot(db, robot, messages, settings, now, report);
      continue;
    }
    const webhook = settings.webhooks.find((w) => w.id === id);
    for (const message of messages) {
      const result = webhook
        ? await sendWebhook(webhook.url, webhook.secret, message, now)
        : ({ ok: false, error: `webhook ${id} is not configured`, throttled: false } as const);
      if (result.ok) {
        await markDelivered(db, [message._id], now, null);
        report.delivered += 1;
      } else {
        await markFailedAttempt(db, [message], result.error, now);
        report.retrying += 1;
      }
    }
  }
  return report;
}
