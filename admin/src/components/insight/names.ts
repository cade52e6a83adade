import type { SegmentCount } from '../../../../typings/insight';
import { formatNumber } from '../../format';
import { lookups } from '../../lookups';

/** The names behind the ids a customer row carries; an unknown id shows as itself. */
export const staffName = (id: string | null): string =>
  id ? (lookups.staff.find((s) => s.staffId === id)?.name ?? id) : '—';

export const channelName = (id: string | null): string =>
  id ? (lookups.channels.find((c) => c.channelId === id)?.name ?? id) : '—';

/** A segment's size: a count that stopped at its cap reads 1,000+. */
export const segmentSize = (c: SegmentCount): string => `${formatNumber(c.count)}${c.atLeast ? '+' : ''}`;

/** A persona value; null is a customer who did not say. */
export const valueLabel = (key: string | null): string => key ?? '未填写';

/** A segment's filter in words, for its row: 城市 杭州 · 报名 ≥ 2 次. */
export function filterLabel(filter: Record<string, unknown>): string {
  const parts: string[] = [];
  const text = (key: string, label: string, show: (v: string) => string = (v) => v) => {
    if (typeof filter[key] === 'string' && filter[key]) parts.push(`${label} ${show(filter[key] as string)}`);
  };
  text('city', '城市');
  text('industry', '行业');
  text('tag', '标签');
  text('channel', '来源', channelName);
  text('store', '门店');
  text('owner', '销售', staffName);
  if (filter.hasPhone !== undefined) parts.push(String(filter.hasPhone) === 'true' ? '有手机号' : '无手机号');
  if (typeof filter.minJoins === 'number') parts.push(`报名 ≥ ${filter.minJoins} 次`);
  if (typeof filter.leadWithinDays === 'number') parts.push(`${filter.leadWithinDays} 天内留资`);
  if (typeof filter.minScore === 'number') parts.push(`分数 ≥ ${filter.minScore}`);
  if (filter.notContacted) parts.push('未联系');
  return parts.length ? parts.join(' · ') : '全部客户';
}
