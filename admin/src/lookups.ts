import { reactive } from 'vue';
import type { Lookups } from '../../typings/admin';
import { api } from './api';
import { toastError } from './request';

type Channel = Lookups['channels'][number];
type Staff = Lookups['staff'][number];
type Activity = Lookups['activities'][number];

/**
 * The names behind ids (channels, staff, activities, tags) for filters, tables and forms, shared
 * by every page of this session. `error` says why the last load failed ('' once one succeeds).
 */
export const lookups = reactive<Lookups & { error: string }>({
  stores: [],
  channels: [],
  staff: [],
  activities: [],
  answerLabels: {},
  tags: [],
  error: '',
});
let loaded = false;
let pending: Promise<void> | null = null;
/** Bumped by each load: only the newest one's answer is kept. */
let latest = 0;

/**
 * Loads the lookups once a session (a failed load is tried again by the next call). `force` loads
 * them again: for a page that refreshes them when it opens, or after a change to the names. A
 * forced load's failure is a toast too, unless `quiet` (for a page that shows `lookups.error`).
 */
export function loadLookups(force = false, { quiet = !force } = {}): Promise<void> {
  if (!force && pending) return pending;
  if (!force && loaded) return Promise.resolve();
  const mine = ++latest;
  pending = api<Lookups>('GET', '/lookups').then((result) => {
    if (mine !== latest) return;
    pending = null;
    loaded = result.ok;
    if (result.ok) {
      Object.assign(lookups, result.data);
      lookups.error = '';
    } else {
      lookups.error = result.error.message;
      if (!quiet) toastError(result.error);
    }
  });
  return pending;
}

export function channelName(id: string | null | undefined): string {
  if (!id) return '—';
  return lookups.channels.find((c) => c.channelId === id)?.name ?? id;
}

/** A staff member's name, with their store when `withStore` (names repeat across stores). */
export function staffName(id: string | null | undefined, { withStore = false } = {}): string {
  if (!id) return '—';
  const member = lookups.staff.find((s) => s.staffId === id);
  if (!member) return id;
  return withStore ? staffLabel(member) : member.name;
}

export function activityTitle(id: string | null | undefined): string {
  if (!id) return '—';
  return lookups.activities.find((a) => a.activityId === id)?.title ?? id;
}

const staffLabel = (s: Staff) => `${s.name}（${s.store}）`;
const all = () => true;

/** Select options; each takes a filter of which to offer (all by default). */
export const channelOptions = (filter: (c: Channel) => boolean = all) =>
  lookups.channels.filter(filter).map((c) => ({ label: c.name, value: c.channelId }));

/** With the store beside each staff member (names repeat across stores). */
export const staffOptions = (filter: (s: Staff) => boolean = all) =>
  lookups.staff.filter(filter).map((s) => ({ label: staffLabel(s), value: s.staffId }));

const STATUS_MARKS: Record<string, string> = { draft: '（草稿）', closed: '（已关闭）' };
export const notClosed = (a: Activity) => a.status !== 'closed';

/** With `markStatus`, a draft or closed activity says so after its title. */
export const activityOptions = (filter: (a: Activity) => boolean = all, { markStatus = false } = {}) =>
  lookups.activities.filter(filter).map((a) => ({
    label: markStatus ? `${a.title}${STATUS_MARKS[a.status] ?? ''}` : a.title,
    value: a.activityId,
  }));

export const tagOptions = () => lookups.tags.map((t) => ({ label: t, value: t }));
