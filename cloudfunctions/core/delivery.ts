import crypto from 'node:crypto';
import { CHANNEL_TYPE_LABELS } from '../../typings/pipeline';
import { maskPhone } from './phone';

/**
 * What goes to sales and how it is retried: the WeCom robot markdown (one lead, or a digest of
 * several when the robot's 20-per-minute limit would be exceeded), the signed webhook body, and
 * the backoff between attempts.
 */
export const ROBOT_MESSAGES_PER_MINUTE = 20;
export const ROBOT_MARKDOWN_MAX_BYTES = 4096;
export const MAX_ATTEMPTS = 10;

export interface LeadSummary {
  leadId: string;
  name: string | null;
  phoneMasked: string | null;
  channel: string;
  staffName: string | null;
  activityTitle: string | null;
  tags: string[];
  score: number;
  mql: boolean;
  ownerName: string | null;
  /** For CRM webhooks; a robot's markdown can mention only a WeCom userid. */
  ownerMobile: string | null;
  /** Mentioned in the robot message (`<@userid>`) so WeCom notifies the owner. */
  ownerWecomUserId?: string | null;
  /** The store the lead is routed in. */
  store?: string | null;
  /** The first words of the customer's note. */
  notePreview?: string | null;
  /** A journey task on the lead that an escalation is about: its text and when it fell due. */
  task?: { text: string; dueAt: string } | null;
  createdAt: string;
  link: string;
}

const escapeMarkdown = (text: string) => text.replace(/[<>`*_[\]]/g, ' ');

/** A WeCom userid as markdown mentions it (letters, digits and `_-.@` only; anything else is dropped). */
const mentionOf = (lead: LeadSummary) =>
  lead.ownerWecomUserId && /^[A-Za-z0-9_.@-]{1,64}$/.test(lead.ownerWecomUserId)
    ? `<@${lead.ownerWecomUserId}>`
    : '';
function leadLines(lead: LeadSummary): string[] {
  return [
    `**${escapeMarkdown(lead.name ?? '未留名')}** ${lead.phoneMasked ?? ''}${lead.mql ? ' <font color="warning">MQL</font>' : ''}`,
    `> 来源：${escapeMarkdown(lead.channel)}${lead.staffName ? `（${escapeMarkdown(lead.staffName)}）` : ''}`,
    ...(lead.activityTitle ? [`> 活动：${escapeMarkdown(lead.activityTitle)}`] : []),
    ...(lead.store ? [`> 门店：${escapeMarkdown(lead.store)}`] : []),
    ...(lead.notePreview ? [`> 留言：${escapeMarkdown(lead.notePreview)}`] : []),
    `> 标签：${lead.tags.length ? lead.tags.map(escapeMarkdown).join('、') : '无'}　评分：${lead.score}`,
    `> 负责人：${escapeMarkdown(lead.ownerName ?? '公共池')} ${mentionOf(lead)}`.trimEnd(),
    ...(lead.link ? [`[查看线索](${lead.link})`] : []),
  ];
}

export function robotMarkdown(lead: LeadSummary): string {
  return ['### 新线索', ...leadLines(lead)].join('\n');
}

export function escalationMarkdown(lead: LeadSummary, hours: number): string {
  return [`### 线索超过 ${hours} 个工作小时未联系`, ...leadLines(lead)].join('\n');
}

/** A task's text and due time as a message shows it (China time). */
const taskLine = (task: NonNullable<LeadSummary['task']>) =>
  `任务：${task.text}（${chinaTime(task.dueAt)} 到期）`;

function chinaTime(iso: string): string {
  return new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ');
}

export function taskOverdueMarkdown(lead: LeadSummary, hours: number): string {
  return [
    `### 跟进任务超过 ${hours} 个工作小时未完成`,
    ...(lead.task ? [`> ${escapeMarkdown(taskLine(lead.task))}`] : []),
    ...leadLines(lead),
  ].join('\n');
}

/** What a robot message is about: new leads, leads past their SLA, or journey tasks left undone. */
export type RobotMessageKind = 'lead' | 'escalation' | 'taskOverdue';

const DIGEST_TITLES: Record<RobotMessageKind, string> = {
  lead: '新线索汇总',
  escalation: '超时未联系线索汇总',
  taskOverdue: '超时未完成任务汇总',
};

/**
 * Folds leads into as few digests as fit the robot's markdown size limit, in order. Each lead
 * appears in exactly one digest.
 */
export function digestMarkdowns(
  leads: readonly LeadSummary[],
  kind: RobotMessageKind = 'lead',
): { content: string; leadIds: string[] }[] {
  const digests: { content: string; leadIds: string[] }[] = [];
  let lines: string[] = [];
  let ids: string[] = [];
  const header = (n: number) => `### ${DIGEST_TITLES[kind]}（${n} 条）`;
  const flush = () => {
    if (ids.length === 0) return;
    digests.push({ content: [header(ids.length), ...lines].join('\n'), leadIds: ids });
    lines = [];
    ids = [];
  };
  for (const lead of leads) {
    const details = [
      lead.task ? taskLine(lead.task) : null,
      lead.activityTitle ? `活动：${lead.activityTitle}` : null,
      lead.store ? `门店：${lead.store}` : null,
      lead.notePreview ? `留言：${lead.notePreview}` : null,
    ].filter((part): part is string => part !== null);
    const entry = [
      `- **${escapeMarkdown(lead.name ?? '未留名')}** ${lead.phoneMasked ?? ''} ${escapeMarkdown(lead.channel)} 评分${lead.score}${lead.ownerName ? ` 负责人：${escapeMarkdown(lead.ownerName)}` : ''} ${mentionOf(lead)}`.trimEnd(),
      ...(details.length ? [`  ${escapeMarkdown(details.join('　'))}`] : []),
      ...(lead.link ? [`  [查看线索](${lead.link})`] : []),
    ].join('\n');
    const candidate = [header(ids.length + 1), ...lines, entry].join('\n');
    if (Buffer.byteLength(candidate) > ROBOT_MARKDOWN_MAX_BYTES) flush();
    lines.push(entry);
    ids.push(lead.leadId);
  }
  flush();
  return digests;
}

/** The signed JSON a CRM webhook receives; the message id lets it drop duplicates. */
export function webhookRequest(messageId: string, leads: readonly LeadSummary[], secret: string, at: Date) {
  const body = JSON.stringify({ messageId, type: 'lead.created', sentAt: at.toISOString(), leads });
  const signature = crypto.createHmac('sha256', secret).update(body).digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-leadpool-message-id': messageId,
      'x-leadpool-signature': `sha256=${signature}`,
    },
  };
}

/** Exponential backoff from 30 s, capped at 30 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 30 * 60_000);
}

/** The first 30 characters of a note, on one line. */
function notePreviewOf(note: string | undefined): string | null {
  const line = note?.replace(/\s+/g, ' ').trim();
  if (!line) return null;
  return line.length > 30 ? `${line.slice(0, 30)}…` : line;
}

/** The lead as a message shows it: masked phone, names instead of ids. */
export function summarizeLead(
  lead: {
    _id: string;
    name: string | null;
    phone: string | null;
    channelType: string;
    tags: string[];
    score: number;
    mql: boolean;
    createdAt: Date;
    answers?: Record<string, string>;
  },
  names: {
    staffName: string | null;
    ownerName: string | null;
    ownerMobile: string | null;
    ownerWecomUserId?: string | null;
    store?: string | null;
    activityTitle: string | null;
    adminUrl: string;
  },
): LeadSummary {
  return {
    leadId: lead._id,
    name: lead.name,
    phoneMasked: maskPhone(lead.phone),
    channel: CHANNEL_TYPE_LABELS[lead.channelType] ?? lead.channelType,
    staffName: names.staffName,
    activityTitle: names.activityTitle,
    tags: lead.tags,
    score: lead.score,
    mql: lead.mql,
    ownerName: names.ownerName,
    ownerMobile: names.ownerMobile,
    ownerWecomUserId: names.ownerWecomUserId ?? null,
    store: names.store ?? null,
    notePreview: notePreviewOf(lead.answers?.note),
    createdAt: lead.createdAt.toISOString(),
    link: names.adminUrl ? `${names.adminUrl.replace(/\/$/, '')}/#/leads/${lead._id}` : '',
  };
}
