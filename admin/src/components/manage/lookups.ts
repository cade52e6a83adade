import { reactive } from 'vue';
import type { Lookups } from '../../../../typings/admin';
import { request } from './request';

/** Names for the ids the management pages show (staff, activities, channels), loaded once. */
export const lookups = reactive<Lookups>({ channels: [], staff: [], activities: [], tags: [] });
let loaded: Promise<void> | null = null;

export function loadLookups(force = false): Promise<void> {
  if (!loaded || force)
    loaded = request<Lookups>('GET', '/lookups', undefined, { quiet: !force }).then((data) => {
      if (data) Object.assign(lookups, data);
      else loaded = null;
    });
  return loaded;
}

export function staffName(staffId: string | null | undefined): string {
  if (!staffId) return '—';
  const member = lookups.staff.find((s) => s.staffId === staffId);
  return member ? `${member.name}（${member.store}）` : staffId;
}

export function activityTitle(activityId: string | null | undefined): string {
  if (!activityId) return '—';
  return lookups.activities.find((a) => a.activityId === activityId)?.title ?? activityId;
}

export function staffOptions(filter: (s: Lookups['staff'][number]) => boolean = (s) => s.active) {
  return lookups.staff.filter(filter).map((s) => ({ label: `${s.name} · ${s.store}`, value: s.staffId }));
}

export function activityOptions() {
  return lookups.activities
    .filter((a) => a.status !== 'closed')
    .map((a) => ({ label: a.status === 'draft' ? `${a.title}（草稿）` : a.title, value: a.activityId }));
}
