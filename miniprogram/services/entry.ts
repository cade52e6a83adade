import { callFunction } from './cloud';

/**
 * Records where the customer came from, once per entry into the mini program. The app calls it
 * on every show; the same options seen again (launch and show of one entry) are not sent twice.
 * Pages opened from a code with only `scene` wait for `currentEntry()` to learn the activity.
 */
export interface EntryOptions {
  scene: number;
  path: string;
  query: Record<string, string>;
}

let lastKey = '';
let current: Promise<{ activityId: string | null }> = Promise.resolve({ activityId: null });

function decodeQuery(query: Record<string, string> = {}): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    try {
      decoded[key] = decodeURIComponent(value);
    } catch {
      decoded[key] = value;
    }
  }
  return decoded;
}

export function recordEntry(options: EntryOptions): Promise<{ activityId: string | null }> {
  const entry = { scene: options.scene, path: options.path ?? '', query: decodeQuery(options.query) };
  const key = JSON.stringify(entry);
  if (key === lastKey) return current;
  lastKey = key;
  current = callFunction<{ touchId: string; activityId: string | null }>('customer', {
    action: 'touch',
    entry,
  }).then((result) => ({ activityId: result.ok ? result.data.activityId : null }));
  return current;
}

export function currentEntry(): Promise<{ activityId: string | null }> {
  return current;
}

/** Forgets the last entry (a new show of the app is a new entry). */
export function endEntry(): void {
  lastKey = '';
}
