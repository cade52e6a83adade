import { reactive } from 'vue';
import type { Lookups } from '../../../../typings/admin';
import { api } from '../../api';

/**
 * The names behind ids (channels, staff, activities, tags) for filters and tables. Loaded when a
 * page opens and shared by the pages of this session; a page that opens again refreshes them.
 */
export const lookups = reactive({ data: null as Lookups | null, error: '' });
let pending: Promise<void> | null = null;

export function loadLookups(): Promise<void> {
  pending ??= api<Lookups>('GET', '/lookups').then((result) => {
    pending = null;
    if (result.ok) {
      lookups.data = result.data;
      lookups.error = '';
    } else lookups.error = result.error.message;
  });
  return pending;
}

export function channelName(id: string | null | undefined): string {
  if (!id) return '—';
  return lookups.data?.channels.find((c) => c.channelId === id)?.name ?? id;
}

export function staffName(id: string | null | undefined): string {
  if (!id) return '—';
  return lookups.data?.staff.find((s) => s.staffId === id)?.name ?? id;
}

export function activityTitle(id: string | null | undefined): string {
  if (!id) return '—';
  return lookups.data?.activities.find((a) => a.activityId === id)?.title ?? id;
}

/** Select options, with the store beside each staff member (names repeat across stores). */
export const channelOptions = () =>
  (lookups.data?.channels ?? []).map((c) => ({ label: c.name, value: c.channelId }));
export const staffOptions = (filter: (s: Lookups['staff'][number]) => boolean = () => true) =>
  (lookups.data?.staff ?? [])
    .filter(filter)
    .map((s) => ({ label: `${s.name}（${s.store}）`, value: s.staffId }));
export const activityOptions = () =>
  (lookups.data?.activities ?? []).map((a) => ({ label: a.title, value: a.activityId }));
export const tagOptions = () => (lookups.data?.tags ?? []).map((t) => ({ label: t, value: t }));
