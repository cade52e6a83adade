import type { ApiError } from '../../typings/api';
import { callFunction } from './cloud';

/**
 * Records where the customer came from, once per entry into the mini program. The app calls it on
 * every show, but a show is not an entry: unlocking the phone, coming back from the share sheet or
 * from scanning brings `onShow` back with the same options, and that is the same entry. So the
 * options are the entry's key, kept across hide and show; a touch that failed is sent again by the
 * next show (the server also counts an entry once per customer, code and day).
 */
export interface EntryOptions {
  scene: number;
  path: string;
  query: Record<string, string>;
}

export interface EntryResult {
  activityId: string | null;
  /** Why the touch could not be recorded (so a page opened from a code can say it and retry). */
  error: ApiError | null;
}

interface Entry {
  key: string;
  scene: number;
  path: string;
  query: Record<string, string>;
  result: Promise<EntryResult>;
}

let current: Entry | null = null;

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

function send(entry: Omit<Entry, 'result' | 'key'>): Promise<EntryResult> {
  return callFunction<{ touchId: string; activityId: string | null }>('customer', {
    action: 'touch',
    entry: { scene: entry.scene, path: entry.path, query: entry.query },
  }).then((result) =>
    result.ok
      ? { activityId: result.data.activityId, error: null }
      : { activityId: null, error: result.error },
  );
}

/** Sends the entry's touch unless this entry was already recorded (or is being recorded). */
export function recordEntry(options: EntryOptions): Promise<EntryResult> {
  const entry = { scene: options.scene, path: options.path ?? '', query: decodeQuery(options.query) };
  const key = JSON.stringify(entry);
  if (current && current.key === key) return retry(current);
  current = { ...entry, key, result: send(entry) };
  return current.result;
}

/** The same entry again: only a touch that failed is sent again. */
function retry(entry: Entry): Promise<EntryResult> {
  entry.result = entry.result.then((result) => (result.error ? send(entry) : result));
  return entry.result;
}

export function currentEntry(): Promise<EntryResult> {
  return current ? current.result : Promise.resolve({ activityId: null, error: null });
}

/**
 * The activity a mini program code (`options.scene` of the page it opened) points to. The app's
 * touch for this entry answers it; if that touch failed, or the page was opened with a code the
 * app did not see, the page's own touch is sent now, so a retry really retries.
 */
export function activityForCode(code: string, wxScene: number, path: string): Promise<EntryResult> {
  if (current && current.query.scene === code) return retry(current);
  return recordEntry({ scene: wxScene, path, query: { scene: code } });
}
