import { formatTime } from '../../format';

/**
 * The date-time pickers show and take China wall time (`2026-11-23 09:05`) whatever the
 * browser's zone; the API takes ISO instants with their offset.
 */
export const PICKER_FORMAT = 'YYYY-MM-DD HH:mm';

export function wallToIso(wall: string | null | undefined): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(?::\d{2})?$/.exec((wall ?? '').trim());
  return match ? `${match[1]}T${match[2]}:00+08:00` : undefined;
}

export function isoToWall(iso: string | null | undefined): string {
  return iso ? formatTime(iso) : '';
}
