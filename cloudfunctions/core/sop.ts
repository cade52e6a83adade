import type { SopFilters, SopRule, SopStep, SopTriggerType } from '../../typings/sop';

/**
 * The journey SOP's decisions, without the database: which rules a lead starts, when each step is
 * due, what a task says, and what stops a journey.
 */

const MINUTE_MS = 60_000;
const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** What a rule's filters and a task's text read of a lead. */
export interface SopLead {
  name: string | null;
  tags: string[];
  channelType: string;
  store: string | null;
  activityId: string | null;
  activityTitle: string | null;
  score: number;
  source: 'form' | 'activity';
}

export function matchesFilters(filters: SopFilters, lead: SopLead): boolean {
  return (
    filters.tags.every((tag) => lead.tags.includes(tag)) &&
    (filters.channelTypes.length === 0 || filters.channelTypes.includes(lead.channelType)) &&
    (filters.stores.length === 0 || (lead.store !== null && filters.stores.includes(lead.store))) &&
    (filters.activityIds.length === 0 ||
      (lead.activityId !== null && filters.activityIds.includes(lead.activityId))) &&
    (filters.minScore === undefined || lead.score >= filters.minScore)
  );
}

/**
 * Whether a captured lead starts a rule of this trigger (`before_activity` starts from the
 * activity, `wecom_added` from the customer adding their advisor in WeCom).
 */
export function leadStarts(trigger: SopTriggerType, lead: SopLead): boolean {
  if (trigger === 'lead_captured') return true;
  if (trigger === 'activity_joined') return lead.source === 'activity';
  return false;
}

/**
 * When a step is due. After a trigger: the offset later, then, with `at`, the first such China
 * time of day at or after it. Before an activity: the offset before it starts.
 */
export function dueAtOf(trigger: SopTriggerType, anchor: Date, step: SopStep): Date {
  if (trigger === 'before_activity') return new Date(anchor.getTime() - step.offsetMinutes * MINUTE_MS);
  const earliest = anchor.getTime() + step.offsetMinutes * MINUTE_MS;
  if (!step.at) return new Date(earliest);
  const [hours, minutes] = step.at.split(':').map(Number);
  const localMidnight = Math.floor((earliest + CST_OFFSET_MS) / DAY_MS) * DAY_MS - CST_OFFSET_MS;
  const sameDay = localMidnight + (hours * 60 + minutes) * MINUTE_MS;
  return new Date(sameDay >= earliest ? sameDay : sameDay + DAY_MS);
}

/** A task's text with {姓名} {活动} {门店} filled in (an unknown value reads as a neutral word). */
export function renderTaskText(
  text: string,
  lead: Pick<SopLead, 'name' | 'activityTitle' | 'store'>,
): string {
  const values: Record<string, string> = {
    '{姓名}': lead.name ?? '客户',
    '{活动}': lead.activityTitle ?? '活动',
    '{门店}': lead.store ?? '门店',
  };
  return text.replace(/\{姓名\}|\{活动\}|\{门店\}/g, (variable) => values[variable]);
}

/** The advisor's WeCom message for a new task: what to do, by when (China time), and where. */
export function taskNoticeText(task: { text: string; dueAt: Date }): string {
  const due = new Date(task.dueAt.getTime() + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ');
  return `新的跟进任务：${task.text}\n到期：${due}\n请在小程序「员工工作台 · 今日待办」中完成`;
}

export type SopStopReason =
  | 'won'
  | 'lost'
  | 'consent_withdrawn'
  | 'customer_deleted'
  | 'contact_deleted'
  | 'rule_off';

/** Why the rest of a journey must not run, or null while it may. */
export function stopReason(
  rule: Pick<SopRule, 'enabled' | 'steps'> | null,
  stepIndex: number,
  lead: { status: string; customerId: string; wecom?: { status: string } | null } | null,
  customer: { consent: { accepted: boolean } | null } | null,
): SopStopReason | null {
  if (!rule?.enabled || stepIndex >= rule.steps.length) return 'rule_off';
  if (!lead || !customer || lead.customerId.startsWith('deleted:')) return 'customer_deleted';
  if (lead.status === 'won') return 'won';
  if (lead.status === 'lost') return 'lost';
  if (customer.consent && !customer.consent.accepted) return 'consent_withdrawn';
  if (lead.wecom?.status === 'lost') return 'contact_deleted';
  return null;
}

/** What an activity reminder's template fields may show. */
export type ReminderValue = 'title' | 'start' | 'place';

/**
 * The reminder template's fields, from `thing1=title,time2=start,thing3=place` (the field names
 * are those of the template chosen in the mini program's console). A `thing` holds 20 characters.
 */
export function reminderData(
  spec: string,
  activity: { title: string; startAt: Date; place: string },
): Record<string, string> {
  const start = new Date(activity.startAt.getTime() + CST_OFFSET_MS).toISOString();
  const values: Record<ReminderValue, string> = {
    title: activity.title,
    start: `${start.slice(0, 10)} ${start.slice(11, 16)}`,
    place: activity.place,
  };
  const data: Record<string, string> = {};
  for (const pair of spec.split(',')) {
    const [field, value] = pair.split('=').map((part) => part.trim());
    if (!field || !(value in values)) continue;
    const text = values[value as ReminderValue];
    data[field] = field.startsWith('thing') && text.length > 20 ? `${text.slice(0, 19)}…` : text;
  }
  return data;
}

export const DEFAULT_REMINDER_FIELDS = 'thing1=title,time2=start,thing3=place';
