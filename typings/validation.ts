import type { z } from 'zod';

/**
 * The one mapping from a zod issue to the Chinese sentence a person reads beside the field: it
 * names the field (and the line of a list) and the limit. Every function's entry point parses with
 * it (`safeParse(input, { error: issueMessage })`); a message a schema writes itself still wins.
 */

/** Field names by their key in a request, as the pages and the mini program call them. */
export const FIELD_NAMES: Record<string, string> = {
  // Activities and forms.
  title: '活动名称',
  description: '活动介绍',
  place: '地点',
  startAt: '开始时间',
  endAt: '结束时间',
  deadline: '报名截止时间',
  capacity: '名额',
  fields: '表单字段',
  answers: '表单回答',
  // The form's own fields (typings/fields.ts).
  phone: '手机号',
  company: '公司',
  industry: '行业',
  city: '城市',
  store: '门店',
  note: '备注',
  // Stores, staff, codes, channels.
  name: '名称',
  storeId: '门店',
  region: '区域',
  mobile: '手机号',
  wecomUserId: '企业微信账号',
  role: '角色',
  active: '状态',
  channelType: '渠道类型',
  channelId: '渠道',
  staffId: '员工',
  activityId: '活动',
  cost: '渠道花费',
  disabled: '停用',
  // Rules and settings.
  group: '标签组',
  tag: '标签',
  points: '分值',
  kind: '规则类型',
  synonyms: '关键词',
  values: '取值',
  atLeast: '次数',
  mqlThreshold: 'MQL 阈值',
  slaHours: '跟进时限（小时）',
  url: '地址',
  secret: '签名密钥',
  adminUrl: '后台地址',
  weight: '分配权重',
  dailyCap: '每日上限',
  days: '工作日',
  start: '上班时间',
  end: '下班时间',
  absentUntil: '请假截止时间',
  // Leads and accounts.
  status: '状态',
  text: '内容',
  leadIds: '线索',
  ownerId: '负责人',
  add: '要添加的标签',
  remove: '要移除的标签',
  username: '用户名',
  password: '密码',
  limit: '每页条数',
  cursor: '翻页位置',
  from: '开始日期',
  to: '结束日期',
  q: '搜索内容',
  requestId: '请求编号',
  consent: '隐私授权',
  version: '版本',
  inviteCode: '邀请码',
  reason: '原因',
  messageIds: '投递记录',
};

/** What one element of a list is called (`items.3` is 第 4 行). */
const LIST_ITEMS: Record<string, (n: number) => string> = {
  items: (n) => `第 ${n} 行`,
  robots: (n) => `第 ${n} 个机器人`,
  webhooks: (n) => `第 ${n} 个 Webhook`,
  when: (n) => `第 ${n} 个条件`,
  synonyms: (n) => `第 ${n} 组关键词`,
};

/**
 * Where an issue is, in words: the line of a list it sits on (`items.3.name` is on 第 4 行, a
 * robot's `robots.1.url` on 第 2 个机器人) and the field's own name. An unknown key is shown as it is.
 */
export function fieldPlace(path: readonly PropertyKey[]): { line: string; field: string } {
  const keys = path.map((p) => (typeof p === 'symbol' ? '' : p));
  const last = keys.length - 1;
  const own =
    typeof keys[last] === 'string' ? (FIELD_NAMES[keys[last] as string] ?? (keys[last] as string)) : '';
  for (let i = last; i > 0; i -= 1) {
    if (typeof keys[i] !== 'number') continue;
    const list = keys[i - 1] as string;
    const n = (keys[i] as number) + 1;
    const line = LIST_ITEMS[list]?.(n) ?? `${FIELD_NAMES[list] ?? list}第 ${n} 项`;
    return i === last ? { line: '', field: line } : { line, field: own || '内容' };
  }
  return { line: '', field: own || '内容' };
}

type Issue = z.core.$ZodRawIssue;
type Sized = { origin?: string; minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean };

const UNITS: Record<string, string> = { string: '个字', array: '项', set: '项', file: '字节' };

function tooSmall(field: string, issue: Sized, input: unknown): string {
  const min = Number(issue.minimum);
  if (issue.origin === 'string') {
    if (min <= 1 || (typeof input === 'string' && input.trim() === '')) return `请填写${field}`;
    return `${field}至少 ${min} 个字`;
  }
  if (issue.origin === 'array' || issue.origin === 'set')
    return min <= 1 ? `请至少选择一项${field}` : `${field}至少 ${min} 项`;
  return issue.inclusive === false ? `${field}必须大于 ${min}` : `${field}不能小于 ${min}`;
}

function tooBig(field: string, issue: Sized): string {
  const max = Number(issue.maximum);
  const unit = UNITS[issue.origin ?? ''];
  if (unit) return `${field}不能超过 ${max} ${unit}`;
  return issue.inclusive === false ? `${field}必须小于 ${max}` : `${field}不能大于 ${max}`;
}

const FORMATS: Record<string, string> = {
  datetime: '应为带时区的时间，如 2026-12-01T10:00:00+08:00',
  date: '应为日期，如 2026-12-01',
  url: '应为网址',
  email: '应为邮箱地址',
};

const TYPES: Record<string, string> = {
  number: '数字',
  int: '整数',
  string: '文字',
  boolean: '是或否',
  array: '列表',
  object: '一组内容',
};

/** The Chinese sentence for one issue, led by the line of a list it is on. */
export function issueMessage(issue: Issue): string {
  const { line, field } = fieldPlace(issue.path ?? []);
  const message = sentence(issue, field);
  return line ? `${line}：${message}` : message;
}

function sentence(issue: Issue, field: string): string {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined || input === null || input === '') return `请填写${field}`;
      if (issue.expected === 'int') return `${field}必须是整数`;
      return `${field}应为${TYPES[issue.expected] ?? '正确的格式'}`;
    case 'too_small':
      return tooSmall(field, issue as Sized, input);
    case 'too_big':
      return tooBig(field, issue as Sized);
    case 'invalid_format':
      return `${field}${FORMATS[(issue as { format?: string }).format ?? ''] ?? '格式不正确'}`;
    case 'not_multiple_of':
      return `${field}应为 ${(issue as { divisor?: number }).divisor} 的整数倍`;
    case 'invalid_value':
      return `${field}无效，请从选项中选择`;
    case 'unrecognized_keys':
      return `不支持的字段：${((issue as { keys?: string[] }).keys ?? []).join('、')}`;
    default:
      return `${field}不正确`;
  }
}
