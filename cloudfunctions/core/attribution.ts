import { dayOf } from './funnel';

/**
 * Touches and attribution (PRODUCT.md): every entry with a source is a touch; a customer keeps
 * the first touch and its owning staff (protected for a while); a lead is attributed to the last
 * non-organic touch within a window and also keeps the first touch. Pure: lookups of codes and
 * share tokens happen before, in the handler.
 */
export type ChannelType = 'store' | 'staff' | 'official_account' | 'ad' | 'poster' | 'referral' | 'organic';

export type TouchKind = 'code_scan' | 'staff_card' | 'customer_card' | 'menu_link' | 'organic';

/** What a code resolves to on the server at the time of the entry. */
export interface ResolvedCode {
  codeId: string;
  channelId: string;
  channelType: Exclude<ChannelType, 'referral' | 'organic'>;
  staffId: string | null;
  /** A deactivated staff member's codes credit their store instead. */
  staffActive: boolean;
  storeId: string | null;
  activityId: string | null;
  disabled: boolean;
  /** The environment the code was issued in; a code of another environment is not ours. */
  envId: string;
}

/** The customer whose share card was opened (looked up by their share token). */
export interface Referrer {
  customerId: string;
  ownerStaffId: string | null;
  storeId: string | null;
}

export interface EntryFacts {
  wxScene: number;
  query: Record<string, string>;
}

export interface TouchFacts {
  kind: TouchKind;
  channelId: string;
  channelType: ChannelType;
  codeId: string | null;
  staffId: string | null;
  storeId: string | null;
  activityId: string | null;
  referrerCustomerId: string | null;
  wxScene: number;
  at: Date;
  /** A code or share token that was present but unknown, disabled, forged or foreign: counted, not credited. */
  rejected: { value: string; reason: 'unknown' | 'disabled' | 'foreign_env' | 'self_referral' } | null;
}

export const ORGANIC_CHANNEL = 'organic';
export const REFERRAL_CHANNEL = 'referral';
export const ATTRIBUTION_WINDOW_DAYS = 30;
export const OWNER_PROTECTION_DAYS = 90;
const DAY_MS = 86_400_000;

const CARD_SCENES = new Set([1007, 1008, 1044, 1096]);
const CODE_SCENES = new Set([1011, 1012, 1013, 1047, 1048, 1049]);

/** The code a query carries: `scene` from a mini program code, `ch` from a card or menu link. */
export function codeValueOf(query: Record<string, string>): string | null {
  const raw = query.scene ?? query.ch;
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export interface TouchLookups {
  /** The code named by the entry's query, or null if none was found under that value. */
  code: ResolvedCode | null;
  referrer: Referrer | null;
  /** The environment this function runs in. */
  envId: string;
  /** The customer entering (a customer's own share card does not refer them). */
  customerId: string;
}

function organic(entry: EntryFacts, at: Date, rejected: TouchFacts['rejected']): TouchFacts {
  return {
    kind: 'organic',
    channelId: ORGANIC_CHANNEL,
    channelType: 'organic',
    codeId: null,
    staffId: null,
    storeId: null,
    activityId: null,
    referrerCustomerId: null,
    wxScene: entry.wxScene,
    at,
    rejected,
  };
}

function kindOfCodeEntry(code: ResolvedCode, wxScene: number): TouchKind {
  if (CODE_SCENES.has(wxScene)) return 'code_scan';
  if (CARD_SCENES.has(wxScene) && code.channelType === 'staff') return 'staff_card';
  return 'menu_link';
}

/** Turns an entry plus what the server found for its code or share token into one touch. */
export function resolveTouch(entry: EntryFacts, lookups: TouchLookups, at: Date): TouchFacts {
  const codeValue = codeValueOf(entry.query);
  if (codeValue !== null) {
    const { code } = lookups;
    if (!code) return organic(entry, at, { value: codeValue, reason: 'unknown' });
    if (code.envId !== lookups.envId) return organic(entry, at, { value: codeValue, reason: 'foreign_env' });
    if (code.disabled) return organic(entry, at, { value: codeValue, reason: 'disabled' });
    const staffCredited = code.staffId !== null && code.staffActive;
    return {
      kind: kindOfCodeEntry(code, entry.wxScene),
      channelId: code.channelId,
      channelType: staffCredited || code.channelType !== 'staff' ? code.channelType : 'store',
      codeId: code.codeId,
      staffId: staffCredited ? code.staffId : null,
      storeId: code.storeId,
      activityId: code.activityId,
      referrerCustomerId: null,
      wxScene: entry.wxScene,
      at,
      rejected: null,
    };
  }
  const refValue = entry.query.ref;
  if (refValue) {
    const { referrer } = lookups;
    if (!referrer) return organic(entry, at, { value: refValue, reason: 'unknown' });
    if (referrer.customerId === lookups.customerId)
      return organic(entry, at, { value: refValue, reason: 'self_referral' });
    return {
      kind: 'customer_card',
      channelId: REFERRAL_CHANNEL,
      channelType: 'referral',
      codeId: null,
      staffId: referrer.ownerStaffId,
      storeId: referrer.storeId,
      activityId: null,
      referrerCustomerId: referrer.customerId,
      wxScene: entry.wxScene,
      at,
      rejected: null,
    };
  }
  return organic(entry, at, null);
}

export interface LeadAttribution {
  /** The touch the lead is credited to: the last non-organic one in the window, else organic. */
  last: TouchFacts;
  first: TouchFacts | null;
}

/**
 * What a customer keeps of their touches, enough to attribute a lead without reading them: the
 * most recent credited (non-organic) touch, and the scene and time of the most recent entry.
 */
export interface AttributionMemory {
  lastCredited: TouchFacts | null;
  /** `cell` (see `entryCell`) tells a repeat of the day's entry without trying to store it as the first. */
  lastEntry: { wxScene: number; at: Date; cell?: string } | null;
}

/** What makes two entries of one day the same in the funnel: channel, code, staff and activity. */
export function entryCell(
  touch: Pick<TouchFacts, 'channelId' | 'codeId' | 'staffId' | 'activityId'>,
): string {
  return [touch.channelId, touch.codeId ?? '', touch.staffId ?? '', touch.activityId ?? ''].join('|');
}

export const EMPTY_MEMORY: AttributionMemory = { lastCredited: null, lastEntry: null };

function newer<T extends { at: Date }>(a: T | null, b: T | null): T | null {
  if (!a || !b) return a ?? b;
  return b.at.getTime() >= a.at.getTime() ? b : a;
}

/** The memory after one more touch; touches may be remembered out of order, the more recent wins. */
export function rememberTouch(memory: AttributionMemory, touch: TouchFacts): AttributionMemory {
  return {
    lastCredited: touch.kind === 'organic' ? memory.lastCredited : newer(memory.lastCredited, touch),
    lastEntry: newer(memory.lastEntry, { wxScene: touch.wxScene, at: touch.at, cell: entryCell(touch) }),
  };
}

/** Whether the memory's latest entry was this touch's cell on the same China-time day (a repeat). */
export function enteredToday(memory: AttributionMemory, touch: TouchFacts): boolean {
  const last = memory.lastEntry;
  return last !== null && last.cell === entryCell(touch) && dayOf(last.at) === dayOf(touch.at);
}

/** One person's memory from two customers' (a merge): the more recent of each part. */
export function mergeMemories(a: AttributionMemory, b: AttributionMemory): AttributionMemory {
  return { lastCredited: newer(a.lastCredited, b.lastCredited), lastEntry: newer(a.lastEntry, b.lastEntry) };
}

/**
 * Picks the lead's touch: the most recent non-organic touch within the window wins; organic
 * entries never displace it. With none in the window the lead is organic, keeping the scene of
 * the most recent entry.
 */
export function attributeFromMemory(
  memory: AttributionMemory,
  firstTouch: TouchFacts | null,
  now: Date,
  windowDays = ATTRIBUTION_WINDOW_DAYS,
): LeadAttribution {
  const since = now.getTime() - windowDays * DAY_MS;
  const inWindow = <T extends { at: Date }>(t: T | null) =>
    t && t.at.getTime() >= since && t.at.getTime() <= now.getTime() ? t : null;
  const latest = inWindow(memory.lastEntry);
  return {
    last: inWindow(memory.lastCredited) ?? organic({ wxScene: latest?.wxScene ?? 0, query: {} }, now, null),
    first: firstTouch,
  };
}

/** The same choice from a list of touches (customers from before the memory was kept). */
export function attributeLead(
  touches: readonly TouchFacts[],
  firstTouch: TouchFacts | null,
  now: Date,
  windowDays = ATTRIBUTION_WINDOW_DAYS,
): LeadAttribution {
  return attributeFromMemory(memoryOf(touches, now), firstTouch, now, windowDays);
}

/** The memory a list of touches leaves, ignoring any after `now`. */
export function memoryOf(touches: readonly TouchFacts[], now: Date): AttributionMemory {
  return touches.filter((t) => t.at.getTime() <= now.getTime()).reduce(rememberTouch, EMPTY_MEMORY);
}

export interface Ownership {
  firstTouch: TouchFacts | null;
  ownerStaffId: string | null;
  ownerSince: Date | null;
  referrerCustomerId: string | null;
}

/**
 * How a new touch changes who owns the customer. The first attributed touch sets the owner and
 * the referrer; a later staff touch takes over only once the owner's protection period is over.
 * Returns null when nothing changes.
 */
export function nextOwnership(
  current: Ownership,
  touch: TouchFacts,
  protectionDays = OWNER_PROTECTION_DAYS,
): Ownership | null {
  if (touch.kind === 'organic') {
    if (current.firstTouch) return null;
    const { ownerStaffId, ownerSince, referrerCustomerId } = current;
    return { firstTouch: touch, ownerStaffId, ownerSince, referrerCustomerId };
  }
  const firstTouch = current.firstTouch && current.firstTouch.kind !== 'organic' ? current.firstTouch : touch;
  const referrerCustomerId = current.referrerCustomerId ?? touch.referrerCustomerId;
  let { ownerStaffId, ownerSince } = current;
  if (touch.staffId && touch.staffId !== ownerStaffId) {
    const protectedUntil = ownerSince ? ownerSince.getTime() + protectionDays * DAY_MS : 0;
    if (!ownerStaffId || touch.at.getTime() > protectedUntil) {
      ownerStaffId = touch.staffId;
      ownerSince = touch.at;
    }
  }
  const changed =
    firstTouch !== current.firstTouch ||
    referrerCustomerId !== current.referrerCustomerId ||
    ownerStaffId !== current.ownerStaffId;
  return changed ? { firstTouch, ownerStaffId, ownerSince, referrerCustomerId } : null;
}
