import { type WecomSettings, type WecomStatus, wecomSettingsSchema } from '../../typings/wecom';
import type { FunnelCell } from '../core/funnel';
import { type ContactEvent, eventKeyParts } from '../core/wecomEvents';
import type { Database } from '../runtime/cloud';
import { claimMinuteSlot, findById, insertOnce, stableId } from '../runtime/store';
import { pendingCount } from './counters';
import type { LeadDoc } from './leads';
import { SETTINGS_ID } from './pipeline';

/**
 * WeCom's side of a customer: the settings, the callback's events (the work queue: each event is
 * done step by step and retried until every step is), the contact ways offered to customers, the
 * relations (who added whom, when, lost when) and the corp tags mirrored from ours.
 *
 * For the 加企微 funnel stage, a relation holds what a counter needs: addedAt, leadId, channelId,
 * staffId (the follower), activityId and codeId.
 */
const EVENTS = 'wecomEvents';
const WAYS = 'wecomContactWays';
const CONTACTS = 'wecomContacts';
const TAGS = 'wecomTags';

/** The stored WeCom settings, or null while any part is missing. */
export async function loadWecomSettings(db: Database): Promise<WecomSettings | null> {
  const doc = await findById<{ wecom?: unknown }>(db, 'rules', SETTINGS_ID);
  const parsed = wecomSettingsSchema.safeParse(doc?.wecom);
  return parsed.success ? parsed.data : null;
}

/** The customer's newest lead (index leads.customer_created). */
export async function latestLeadOf(db: Database, customerId: string): Promise<LeadDoc | null> {
  const { data } = await db
    .collection('leads')
    .where({ customerId })
    .orderBy('createdAt', 'desc')
    .limit(1)
    .get();
  return (data[0] as LeadDoc | undefined) ?? null;
}

export type EventStep = 'linked' | 'tagged' | 'welcomed' | 'noticed';

export interface WecomEventDoc extends ContactEvent {
  _id: string;
  receivedAt: Date;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date;
  /** Steps already done: a retry does only the rest. */
  steps: EventStep[];
  contactId: string | null;
  lastError: string | null;
  doneAt: Date | null;
}

/** Stores an event once (WeCom retries it unchanged); false when it was already stored. */
export async function storeEvent(db: Database, event: ContactEvent, now: Date): Promise<WecomEventDoc> {
  const doc: WecomEventDoc = {
    ...event,
    _id: stableId('wecomEvent', ...eventKeyParts(event)),
    receivedAt: now,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: new Date(0),
    steps: [],
    contactId: null,
    lastError: null,
    doneAt: null,
  };
  if (await insertOnce(db, EVENTS, doc)) return doc;
  return (await findById<WecomEventDoc>(db, EVENTS, doc._id)) as WecomEventDoc;
}

const LEASE_MS = 30_000;

/** Takes the event for one worker for a while: a WeCom retry or the timer cannot work it at the same time. */
export async function leaseEvent(db: Database, id: string, now: Date): Promise<boolean> {
  const _ = db.command;
  const res = await db
    .collection(EVENTS)
    .where({ _id: id, status: 'pending', leaseUntil: _.lte(now), nextAttemptAt: _.lte(now) })
    .update({ data: { leaseUntil: new Date(now.getTime() + LEASE_MS) } });
  return res.stats.updated === 1;
}

export async function stepDone(db: Database, id: string, step: EventStep, contactId?: string) {
  const _ = db.command;
  await db
    .collection(EVENTS)
    .doc(id)
    .update({ data: { steps: _.addToSet(step), ...(contactId ? { contactId } : {}) } });
}

export async function finishEvent(db: Database, id: string, now: Date) {
  await db
    .collection(EVENTS)
    .doc(id)
    .update({ data: { status: 'done', doneAt: now, leaseUntil: new Date(0), lastError: null } });
}

const MAX_ATTEMPTS = 8;

/**
 * A failed try: again after a growing pause, given up after MAX_ATTEMPTS (then visible as failed).
 * `until`: a wait that is no failure (a full message budget), not counted as an attempt.
 */
export async function retryEvent(db: Database, event: WecomEventDoc, now: Date, error: string, until?: Date) {
  const attempts = until ? event.attempts : event.attempts + 1;
  const pause = Math.min(60_000 * 2 ** (attempts - 1), 3_600_000);
  await db
    .collection(EVENTS)
    .doc(event._id)
    .update({
      data: {
        attempts,
        status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
        nextAttemptAt: until ?? new Date(now.getTime() + pause),
        leaseUntil: new Date(0),
        lastError: error.slice(0, 500),
      },
    });
}

export async function eventById(db: Database, id: string): Promise<WecomEventDoc | null> {
  return findById<WecomEventDoc>(db, EVENTS, id);
}

/** Events whose turn has come (index status_next). */
export async function dueEvents(db: Database, now: Date, limit: number): Promise<WecomEventDoc[]> {
  const _ = db.command;
  const { data } = await db
    .collection(EVENTS)
    .where({ status: 'pending', nextAttemptAt: _.lte(now) })
    .orderBy('nextAttemptAt', 'asc')
    .limit(limit)
    .get();
  return data as WecomEventDoc[];
}

/**
 * Done events older than `before` go (index status_done): WeCom retries within minutes, and a
 * relation once linked is what keeps a late duplicate out.
 */
export async function removeDoneEvents(db: Database, before: Date): Promise<number> {
  const res = await db
    .collection(EVENTS)
    .where({ status: 'done', doneAt: db.command.lt(before) })
    .remove();
  return Number(res.stats.removed);
}

/** Events in `status`, the next to be tried first (index status_next). */
export async function eventsWithStatus(
  db: Database,
  status: 'pending' | 'failed',
  limit: number,
): Promise<WecomEventDoc[]> {
  const { data } = await db
    .collection(EVENTS)
    .where({ status })
    .orderBy('nextAttemptAt', 'asc')
    .limit(limit)
    .get();
  return data as WecomEventDoc[];
}

/** A person's "try again now": the event's attempts start over. False when it is done or unknown. */
export async function requeueEvent(db: Database, id: string, now: Date): Promise<boolean> {
  const res = await db
    .collection(EVENTS)
    .where({ _id: id, status: db.command.in(['pending', 'failed']) })
    .update({ data: { status: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: new Date(0) } });
  return res.stats.updated === 1;
}

export interface ContactWayDoc {
  _id: string;
  /** Ours: `lp` + a random token (core/wecomContact); comes back in the add event. */
  state: string;
  customerId: string;
  staffId: string;
  wecomUserId: string;
  leadId: string | null;
  codeId: string | null;
  channelId: string | null;
  activityId: string | null;
  /** The scene-1 way, for the mini program's 「联系我」 plugin. */
  pluginConfigId: string;
  /** The scene-2 way and its QR image, the long-press fallback. */
  qrConfigId: string;
  qrCode: string;
  createdAt: Date;
}

export const contactWayId = (customerId: string, staffId: string) =>
  stableId('wecomWay', customerId, staffId);

export const contactWayById = (db: Database, id: string) => findById<ContactWayDoc>(db, WAYS, id);

export async function contactWayByState(db: Database, state: string): Promise<ContactWayDoc | null> {
  const { data } = await db.collection(WAYS).where({ state }).limit(1).get();
  return (data[0] as ContactWayDoc | undefined) ?? null;
}

/** False when another call stored this customer's way with this advisor first. */
export const saveContactWay = (db: Database, way: ContactWayDoc) => insertOnce(db, WAYS, way);

/** Keeps a way pointing at the customer's latest lead and the activity they asked from. */
export async function repointContactWay(db: Database, way: ContactWayDoc) {
  await db
    .collection(WAYS)
    .doc(way._id)
    .update({
      data: { leadId: way.leadId, codeId: way.codeId, channelId: way.channelId, activityId: way.activityId },
    });
}

/** Ways made before `before`, oldest first (index wecomContactWays.created). */
export async function contactWaysCreatedBefore(
  db: Database,
  before: Date,
  limit: number,
): Promise<ContactWayDoc[]> {
  const { data } = await db
    .collection(WAYS)
    .where({ createdAt: db.command.lt(before) })
    .orderBy('createdAt', 'asc')
    .limit(limit)
    .get();
  return data as ContactWayDoc[];
}

export async function removeContactWay(db: Database, id: string) {
  await db.collection(WAYS).where({ _id: id }).remove();
}

export interface WecomContactDoc {
  _id: string;
  corpId: string;
  externalUserId: string;
  /** The follow user: the WeCom member the customer added. */
  userId: string;
  staffId: string | null;
  customerId: string | null;
  leadId: string | null;
  channelId: string | null;
  codeId: string | null;
  activityId: string | null;
  /** The advisor our contact way was for: differs from staffId when the customer added someone else. */
  expectedStaffId: string | null;
  linkedBy: 'state' | 'unionid' | null;
  state: string | null;
  name: string | null;
  status: 'added' | 'lost';
  addedAt: Date;
  lostAt: Date | null;
  /** del_follow_user: the customer deleted the advisor; del_external_contact: the advisor deleted them. */
  lostBy: 'customer' | 'staff' | null;
  /** The funnel cell of the linked lead, where the add counts as 加企微 (absent: no lead). */
  funnelCell?: Omit<FunnelCell, 'day'> | null;
  /** Our tags as last set on this contact in WeCom (absent: none yet). */
  taggedWith?: string[];
  updatedAt: Date;
}

export const wecomContactId = (corpId: string, userId: string, externalUserId: string) =>
  stableId('wecomContact', corpId, userId, externalUserId);

export const wecomContactById = (db: Database, id: string) => findById<WecomContactDoc>(db, CONTACTS, id);

/**
 * Of these adds (as WeCom lists them), the ones we hold no live relation for: never linked, or
 * lost before this add happened (a re-add).
 */
export async function unknownRelations<T extends ContactEvent>(db: Database, adds: T[]): Promise<T[]> {
  if (adds.length === 0) return [];
  const _ = db.command;
  const ids = adds.map((a) => wecomContactId(a.corpId, a.userId, a.externalUserId));
  const { data } = await db
    .collection(CONTACTS)
    .where({ _id: _.in(ids) })
    .limit(ids.length)
    .get();
  const held = new Map((data as WecomContactDoc[]).map((c) => [c._id, c]));
  return adds.filter((add, i) => {
    const contact = held.get(ids[i]);
    if (!contact) return true;
    return contact.status === 'lost' && (contact.lostAt?.getTime() ?? 0) < add.createTime * 1000;
  });
}

/** The relation as of an add: a re-add after a loss starts it again; a retried add changes nothing. */
export async function saveAddedContact(db: Database, contact: WecomContactDoc): Promise<void> {
  const { _id, ...fields } = contact;
  // The first add of a relation linked to a lead counts once in the funnel (the dispatcher adds it).
  const counted = contact.funnelCell
    ? {
        pendingCount: pendingCount({
          at: contact.addedAt,
          cell: contact.funnelCell,
          counters: { wecomAdded: 1 },
        }),
      }
    : {};
  if (await insertOnce(db, CONTACTS, { ...contact, ...counted })) return;
  await db.collection(CONTACTS).doc(_id).update({ data: fields });
}

export async function markContactLost(
  db: Database,
  id: string,
  lostBy: 'customer' | 'staff',
  at: Date,
): Promise<WecomContactDoc | null> {
  const contact = await wecomContactById(db, id);
  if (!contact || contact.status === 'lost') return contact;
  await db
    .collection(CONTACTS)
    .doc(id)
    .update({ data: { status: 'lost', lostAt: at, lostBy, updatedAt: at } });
  return { ...contact, status: 'lost', lostAt: at, lostBy };
}

/** What the lead and the customer show (kept on them so lists need no join). */
export function wecomStatusOf(contact: WecomContactDoc, staffName: string | null): WecomStatus {
  return contact.status === 'added'
    ? {
        status: 'added',
        userid: contact.userId,
        at: contact.addedAt.toISOString(),
        ...(staffName ? { staffName } : {}),
      }
    : {
        status: 'lost',
        userid: contact.userId,
        at: (contact.lostAt ?? contact.updatedAt).toISOString(),
        ...(staffName ? { staffName } : {}),
      };
}

/** Writes the relation's status onto its lead and customer (the only field of theirs this touches). */
export async function showWecomStatus(db: Database, contact: WecomContactDoc, status: WecomStatus) {
  const writes: Promise<unknown>[] = [];
  if (contact.leadId)
    writes.push(
      db
        .collection('leads')
        .where({ _id: contact.leadId })
        .update({ data: { wecom: status } }),
    );
  if (contact.customerId)
    writes.push(
      db
        .collection('customers')
        .where({ _id: contact.customerId })
        .update({ data: { wecom: status } }),
    );
  await Promise.all(writes);
}

/** The newest losses (index status_lost), optionally of one staff member's contacts. */
export async function lostContacts(db: Database, staffId: string | null | undefined, limit: number) {
  const { data } = await db
    .collection(CONTACTS)
    .where({ status: 'lost', ...(staffId !== undefined ? { staffId } : {}) })
    .orderBy('lostAt', 'desc')
    .limit(limit)
    .get();
  return data as WecomContactDoc[];
}

/**
 * A customer deleting their data: their WeCom relations keep only the anonymous shape (who
 * followed, when, which channel) for the funnel, without name or link; their contact ways go.
 */
export async function anonymizeWecomRecords(db: Database, customerId: string, anonymousId: string) {
  const contacts = await db
    .collection(CONTACTS)
    .where({ customerId })
    .update({ data: { customerId: anonymousId, name: null, state: null } });
  await db.collection(WAYS).where({ customerId }).remove();
  return contacts.stats.updated as number;
}

export async function setTaggedWith(db: Database, id: string, tags: string[]) {
  await db
    .collection(CONTACTS)
    .doc(id)
    .update({ data: { taggedWith: db.command.set(tags) } });
}

/** Live relations after `afterId`, in id order (index status_id): the nightly tag sync's pages. */
export async function addedContactsAfter(
  db: Database,
  afterId: string,
  limit: number,
): Promise<WecomContactDoc[]> {
  const _ = db.command;
  const { data } = await db
    .collection(CONTACTS)
    .where({ status: 'added', _id: _.gt(afterId) })
    .orderBy('_id', 'asc')
    .limit(limit)
    .get();
  return data as WecomContactDoc[];
}

/** The tags of these leads, by lead id. */
export async function leadTagsOf(db: Database, leadIds: string[]): Promise<Map<string, string[]>> {
  if (leadIds.length === 0) return new Map();
  const { data } = await db
    .collection('leads')
    .where({ _id: db.command.in(leadIds) })
    .field({ _id: true, tags: true })
    .limit(leadIds.length)
    .get();
  return new Map((data as { _id: string; tags?: string[] }[]).map((l) => [l._id, l.tags ?? []]));
}

interface CorpTagDoc {
  _id: string;
  /** `group:name`, as core/wecomContact's corpTagKey. */
  key: string;
  tagId: string;
  groupId: string;
}

export async function corpTagsByKey(db: Database, keys: string[]): Promise<Map<string, CorpTagDoc>> {
  if (keys.length === 0) return new Map();
  const _ = db.command;
  const { data } = await db
    .collection(TAGS)
    .where({ _id: _.in(keys.map((k) => stableId('wecomTag', k))) })
    .limit(1000)
    .get();
  return new Map((data as CorpTagDoc[]).map((t) => [t.key, t]));
}

export async function saveCorpTag(db: Database, key: string, tagId: string, groupId: string) {
  await insertOnce(db, TAGS, { _id: stableId('wecomTag', key), key, tagId, groupId } as CorpTagDoc);
}

/** Forgets a mirrored tag WeCom no longer knows (deleted in the console): it is created again. */
export async function forgetCorpTags(db: Database) {
  const _ = db.command;
  await db
    .collection(TAGS)
    .where({ _id: _.exists(true) })
    .remove();
}

/**
 * WeCom allows 30 application messages per person a minute and drops the excess silently; whether
 * its minute is a calendar minute or any 60 s is not documented. Half of it per calendar minute
 * keeps any 60 s (which touches at most two calendar minutes) within 30.
 */
const MESSAGES_PER_CALENDAR_MINUTE = 15;

/**
 * One of a person's application messages this minute (WeCom drops the excess silently, so we must
 * never send it), or false when they are all taken: every message to an advisor claims one.
 */
export const claimMessageSlot = (db: Database, userId: string, now: Date) =>
  claimMinuteSlot(db, `wecomMessage:${userId}`, MESSAGES_PER_CALENDAR_MINUTE, now);
