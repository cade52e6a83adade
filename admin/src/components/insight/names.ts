import { lookups } from '../../lookups';

/** The names behind the ids a customer row carries; an unknown id shows as itself. */
export const staffName = (id: string | null): string =>
  id ? (lookups.staff.find((s) => s.staffId === id)?.name ?? id) : '—';

export const channelName = (id: string | null): string =>
  id ? (lookups.channels.find((c) => c.channelId === id)?.name ?? id) : '—';

/** A persona value; null is a customer who did not say. */
export const valueLabel = (key: string | null): string => key ?? '未填写';
