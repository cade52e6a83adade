import type { LocationQuery } from 'vue-router';
import type { LeadFilter } from '../../../../typings/admin';
import { channelTypeLabel } from '../../format';

/** Words for what the lead pages show besides statuses and channel types (those live in format.ts). */
export const TOUCH_KIND_LABELS: Record<string, string> = {
  code_scan: '扫码进入',
  staff_card: '导购分享卡片',
  customer_card: '顾客分享卡片',
  menu_link: '菜单或链接',
  organic: '自然进入',
};

/** The WeChat scene values a touch is likely to carry. */
const SCENE_LABELS: Record<number, string> = {
  1001: '发现栏',
  1007: '单聊分享卡片',
  1008: '群聊分享卡片',
  1011: '扫描二维码',
  1012: '长按识别二维码',
  1013: '相册选取二维码',
  1035: '公众号菜单',
  1043: '公众号模板消息',
  1044: '带 shareTicket 的分享卡片',
  1047: '扫描小程序码',
  1048: '长按识别小程序码',
  1049: '相册选取小程序码',
  1058: '公众号文章',
  1089: '我的小程序',
  1096: '聊天顶部置顶',
};

export const sceneLabel = (scene: number): string => `${SCENE_LABELS[scene] ?? '场景'}（${scene}）`;
export const touchKindLabel = (kind: string): string => TOUCH_KIND_LABELS[kind] ?? channelTypeLabel(kind);

export const SOURCE_LABELS: Record<string, string> = { form: '留资表单', activity: '活动报名' };
export const sourceLabel = (source: string): string => SOURCE_LABELS[source] ?? source;

const ASSIGNED_BY_LABELS: Record<string, string> = {
  attributed: '归属导购',
  returning: '老客户原销售',
  round_robin: '轮询分配',
  manual: '手动分配',
  pool: '公共池',
};
export const assignedByLabel = (how: string | null): string => (how ? (ASSIGNED_BY_LABELS[how] ?? how) : '—');

/** `account:mia` → `mia`; the customer's own submission says so. */
export function actorLabel(by: string): string {
  if (by === 'customer') return '顾客';
  if (by === 'system') return '系统';
  return by.replace(/^account:/, '');
}

export const DELIVERY_STATUS: Record<string, { label: string; theme: 'success' | 'warning' | 'danger' }> = {
  delivered: { label: '已送达', theme: 'success' },
  pending: { label: '待发送', theme: 'warning' },
  failed: { label: '失败', theme: 'danger' },
};

/** The lead filter as it sits in the URL, so a link reproduces the view. */
export const FILTER_KEYS = [
  'channel',
  'staff',
  'activity',
  'tag',
  'status',
  'owner',
  'mql',
  'possibleDuplicate',
  'from',
  'to',
  'q',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type FilterQuery = Partial<Record<FilterKey, string>>;

export function filterFromQuery(query: LocationQuery): FilterQuery {
  const filter: FilterQuery = {};
  for (const key of FILTER_KEYS) {
    const value = query[key];
    if (typeof value === 'string' && value.trim()) filter[key] = value.trim();
  }
  return filter;
}

/** The same filter as the API takes it in a body (flags as booleans). */
export function filterForApi(filter: FilterQuery): LeadFilter {
  const { mql, status, possibleDuplicate, ...rest } = filter;
  return {
    ...rest,
    ...(status ? { status: status as LeadFilter['status'] } : {}),
    ...(mql ? { mql: mql === 'true' } : {}),
    ...(possibleDuplicate ? { possibleDuplicate: possibleDuplicate === 'true' } : {}),
  };
}

/** What a bulk action applies to: the leads picked, or every lead the filter selects. */
export type BulkTarget = { leadIds: string[] } | { filter: FilterQuery };
