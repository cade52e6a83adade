import { LEAD_STATUS_LABELS, type LeadStatus } from '../../typings/admin';
import { FIELD_CATALOGUE, type FieldKey } from '../../typings/fields';
import { CHANNEL_TYPE_LABELS } from '../../typings/pipeline';

/**
 * How the admin page writes times, numbers and labels. Times are shown in China time whatever
 * the browser's zone, because the funnel's days are China-time days.
 */
const ZONE = 'Asia/Shanghai';

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** `2026-11-23 09:05` */
export function formatTime(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const parts = Object.fromEntries(dateTime.formatToParts(new Date(value)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** The China-time day of an instant, `2026-11-23`. */
export function dayOf(value: string | Date): string {
  return formatTime(value).slice(0, 10);
}

/** `2026-11-23` for today (China time) moved by `offsetDays`. */
export function today(offsetDays = 0): string {
  return dayOf(new Date(Date.now() + offsetDays * 86_400_000));
}

export const formatNumber = (value: number): string => value.toLocaleString('zh-CN');

/** `12.5%`; a dash where the base is zero. */
export function formatRate(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '—';
}

/** `¥36,000.00`; a dash for no value. */
export const formatYuan = (value: number | null): string =>
  value === null
    ? '—'
    : `¥${value.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export const statusLabel = (status: string): string => LEAD_STATUS_LABELS[status as LeadStatus] ?? status;
export const channelTypeLabel = (type: string): string => CHANNEL_TYPE_LABELS[type] ?? type;
export const fieldLabel = (key: string): string => FIELD_CATALOGUE[key as FieldKey]?.label ?? key;

/** TDesign tag themes per lead status. */
export const STATUS_THEMES: Record<LeadStatus, 'default' | 'primary' | 'warning' | 'success' | 'danger'> = {
  new: 'primary',
  contacted: 'warning',
  qualified: 'warning',
  won: 'success',
  lost: 'default',
};
