import type { WecomSettings } from '../../typings/wecom';
import {
  type AddedCustomer,
  advisorNotice,
  corpTagKey,
  corpTagNames,
  isOwnState,
  tagChanges,
  welcomeText,
} from '../core/wecomContact';
import { activityById } from '../repositories/activities';
import { staffById } from '../repositories/codes';
import { leadById } from '../repositories/leads';
import {
  type ContactWayDoc,
  claimMessageSlot,
  contactWayByState,
  corpTagsByKey,
  type EventStep,
  eventById,
  finishEvent,
  forgetCorpTags,
  latestLeadOf,
  leaseEvent,
  markContactLost,
  removeContactWay,
  retryEvent,
  saveAddedContact,
  saveCorpTag,
  setTaggedWith,
  showWecomStatus,
  stepDone,
  type WecomContactDoc,
  type WecomEventDoc,
  wecomContactById,
  wecomContactId,
  wecomStatusOf,
} from '../repositories/wecom';
import type { Database } from '../runtime/cloud';
import { WecomApiError, type WecomApp, wecomCall } from '../runtime/wecomApi';

/**
 * The work after an event is stored, step by step (link, corp tags, welcome message, the
 * advisor's notice); each finished step is recorded, so a retry (WeCom's, or the timer's) does
 * only what is left and nothing twice.
 */
export interface WorkContext {
  db: Database;
  settings: WecomSettings;
  now: Date;
}

export const app = (settings: WecomSettings): WecomApp => ({
  corpId: settings.corpId,
  secret: settings.secret,
});

/** A welcome code is good for 20 s after the event (WECOM.md); leave room for the call itself. */
const WELCOME_WINDOW_MS = 18_000;
const INVALID_TAG = 40068;
const WELCOME_CODE_GONE = 41051;

interface StaffRow {
  _id: string;
  name: string;
  wecomUserId?: string | null;
}

async function staffByWecomUserId(db: Database, wecomUserId: string): Promise<StaffRow | null> {
  const { data } = await db.collection('staff').where({ wecomUserId }).limit(1).get();
  return (data[0] as StaffRow | undefined) ?? null;
}

const staffName = async (db: Database, staffId: string | null) =>
  staffId ? ((await staffById(db, staffId))?.name ?? null) : null;

async function customerIdByUnionid(db: Database, unionid: string): Promise<string | null> {
  const { data } = await db.collection('customers').where({ unionid }).limit(1).get();
  const customer = data[0] as { _id: string; mergedInto?: string | null } | undefined;
  return customer ? (customer.mergedInto ?? customer._id) : null;
}

/** Who the add was: our contact way's state first, else the customer's unionid, else unknown (kept, unlinked). */
async function link(ctx: WorkContext, event: WecomEventDoc): Promise<WecomContactDoc> {
  const id = wecomContactId(event.corpId, event.userId, event.externalUserId);
  const existing = await wecomContactById(ctx.db, id);
  // add_half then add, or a retry: the relation is already linked.
  if (existing?.status === 'added' && existing.state === event.state) return existing;
  const follower = await staffByWecomUserId(ctx.db, event.userId);
  const way = isOwnState(event.state) ? await contactWayByState(ctx.db, event.state) : null;
  let customerId = way?.customerId ?? null;
  let leadId = way?.leadId ?? null;
  let name: string | null = null;
  let linkedBy: WecomContactDoc['linkedBy'] = way ? 'state' : null;
  if (!way) {
    const answer = await wecomCall<{ external_contact?: { name?: string; unionid?: string } }>(
      app(ctx.settings),
      '/cgi-bin/externalcontact/get',
      { query: { external_userid: event.externalUserId } },
    );
    name = answer.external_contact?.name ?? null;
    const unionid = answer.external_contact?.unionid;
    customerId = unionid ? await customerIdByUnionid(ctx.db, unionid) : null;
    if (customerId) {
      linkedBy = 'unionid';
      leadId = (await latestLeadOf(ctx.db, customerId))?._id ?? null;
    }
  }
  const lead = leadId ? await leadById(ctx.db, leadId) : null;
  const contact: WecomContactDoc = {
    _id: id,
    corpId: event.corpId,
    externalUserId: event.externalUserId,
    userId: event.userId,
    staffId: follower?._id ?? null,
    customerId,
    leadId,
    channelId: way?.channelId ?? lead?.channel ?? null,
    codeId: way?.codeId ?? lead?.codeId ?? null,
    activityId: way?.activityId ?? lead?.activityId ?? null,
    expectedStaffId: way?.staffId ?? lead?.ownerId ?? null,
    funnelCell: lead ? { channelId: lead.channel, staffId: lead.staffId, activityId: lead.activityId } : null,
    linkedBy,
    state: event.state,
    name: lead?.name ?? name,
    status: 'added',
    addedAt: new Date(event.createTime * 1000),
    lostAt: null,
    lostBy: null,
    // A new relation in WeCom carries none of our tags yet (a re-add starts over).
    taggedWith: [],
    updatedAt: ctx.now,
  };
  await saveAddedContact(ctx.db, contact);
  await showWecomStatus(ctx.db, contact, wecomStatusOf(contact, follower?.name ?? null));
  if (way) await retireContactWay(ctx, way);
  return contact;
}

/**
 * A way that did its job (or waited too long): deleted in WeCom, where codes made by the API count
 * against a quota and can be managed only by their config_id, and here.
 */
export async function retireContactWay(ctx: WorkContext, way: ContactWayDoc) {
  for (const configId of [way.pluginConfigId, way.qrConfigId]) {
    try {
      await wecomCall(app(ctx.settings), '/cgi-bin/externalcontact/del_contact_way', {
        body: { config_id: configId },
      });
    } catch (error) {
      console.warn(`[wecom] del_contact_way ${configId}: ${(error as Error).message}`);
    }
  }
  await removeContactWay(ctx.db, way._id);
}

interface TagGroupAnswer {
  tag_group?: { group_id: string; group_name: string; tag: { id: string; name: string }[] }[];
}

/** Our tags as corp tags: the ones not yet mirrored are found in WeCom by name or created there. */
async function corpTagIds(ctx: WorkContext, tags: string[]): Promise<string[]> {
  const names = corpTagNames(tags);
  const keys = names.map(corpTagKey);
  const known = await corpTagsByKey(ctx.db, keys);
  const missing = names.filter((n) => !known.has(corpTagKey(n)));
  if (missing.length === 0) return keys.map((k) => known.get(k)!.tagId);
  const ids = new Map([...known].map(([k, t]) => [k, t.tagId]));
  const list = await wecomCall<TagGroupAnswer>(
    app(ctx.settings),
    '/cgi-bin/externalcontact/get_corp_tag_list',
    {
      body: {},
    },
  );
  for (const group of list.tag_group ?? [])
    for (const tag of group.tag) {
      const key = corpTagKey({ group: group.group_name, name: tag.name });
      if (!keys.includes(key) || ids.has(key)) continue;
      ids.set(key, tag.id);
      await saveCorpTag(ctx.db, key, tag.id, group.group_id);
    }
  const toCreate = missing.filter((n) => !ids.has(corpTagKey(n)));
  for (const group of new Set(toCreate.map((n) => n.group))) {
    const answer = await wecomCall<{ tag_group: { group_id: string; tag: { id: string; name: string }[] } }>(
      app(ctx.settings),
      '/cgi-bin/externalcontact/add_corp_tag',
      {
        body: {
          group_name: group,
          tag: toCreate.filter((n) => n.group === group).map((n) => ({ name: n.name })),
        },
      },
    );
    for (const tag of answer.tag_group.tag) {
      const key = corpTagKey({ group, name: tag.name });
      ids.set(key, tag.id);
      await saveCorpTag(ctx.db, key, tag.id, answer.tag_group.group_id);
    }
  }
  return keys.map((k) => ids.get(k)).filter((id): id is string => !!id);
}

/**
 * Brings the contact's corp tags in WeCom to the lead's tags: what is new is mirrored and added,
 * what the rules took away is removed; what was set is remembered for the next sync.
 */
export async function syncTags(ctx: WorkContext, contact: WecomContactDoc, tags: string[]) {
  const { add, remove } = tagChanges(contact.taggedWith ?? [], tags);
  if (add.length === 0 && remove.length === 0) return;
  const addTag = add.length > 0 ? await corpTagIds(ctx, add) : [];
  const known = await corpTagsByKey(ctx.db, corpTagNames(remove).map(corpTagKey));
  const removeTag = [...known.values()].map((t) => t.tagId);
  if (addTag.length > 0 || removeTag.length > 0) {
    try {
      await wecomCall(app(ctx.settings), '/cgi-bin/externalcontact/mark_tag', {
        body: {
          userid: contact.userId,
          external_userid: contact.externalUserId,
          ...(addTag.length > 0 ? { add_tag: addTag } : {}),
          ...(removeTag.length > 0 ? { remove_tag: removeTag } : {}),
        },
      });
    } catch (error) {
      // A mirrored tag was deleted in WeCom's console: mirror again on the retry.
      if (error instanceof WecomApiError && error.errcode === INVALID_TAG) await forgetCorpTags(ctx.db);
      throw error;
    }
  }
  await setTaggedWith(ctx.db, contact._id, tags);
}

async function welcome(
  ctx: WorkContext,
  event: WecomEventDoc,
  advisor: string | null,
  activity: string | null,
) {
  if (!event.welcomeCode || !advisor) return;
  if (ctx.now.getTime() - event.createTime * 1000 > WELCOME_WINDOW_MS) return;
  try {
    await wecomCall(app(ctx.settings), '/cgi-bin/externalcontact/send_welcome_msg', {
      body: { welcome_code: event.welcomeCode, text: { content: welcomeText(advisor, activity) } },
    });
  } catch (error) {
    // Another app took the code, or it expired meanwhile: the customer simply gets no welcome.
    if (!(error instanceof WecomApiError) || error.errcode !== WELCOME_CODE_GONE) throw error;
  }
}

class Throttled extends Error {}

async function notifyAdvisor(ctx: WorkContext, contact: WecomContactDoc, customer: AddedCustomer) {
  if (!(await claimMessageSlot(ctx.db, contact.userId, ctx.now))) throw new Throttled();
  await wecomCall(app(ctx.settings), '/cgi-bin/message/send', {
    body: {
      touser: contact.userId,
      msgtype: 'text',
      agentid: ctx.settings.agentId,
      text: { content: advisorNotice(customer) },
    },
  });
}

async function workAdd(ctx: WorkContext, event: WecomEventDoc) {
  const done = new Set(event.steps);
  const step = async (name: EventStep, run: () => Promise<void>) => {
    if (done.has(name)) return;
    await run();
    await stepDone(ctx.db, event._id, name);
  };
  const contact = await link(ctx, event);
  await stepDone(ctx.db, event._id, 'linked', contact._id);
  const lead = contact.leadId ? await leadById(ctx.db, contact.leadId) : null;
  const [advisor, owner, activity] = await Promise.all([
    staffName(ctx.db, contact.staffId),
    contact.expectedStaffId && contact.expectedStaffId !== contact.staffId
      ? staffName(ctx.db, contact.expectedStaffId)
      : null,
    contact.activityId ? activityById(ctx.db, contact.activityId) : null,
  ]);
  await step('tagged', () => syncTags(ctx, contact, lead?.tags ?? []));
  await step('welcomed', () => welcome(ctx, event, advisor, activity?.title ?? null));
  await step('noticed', () =>
    notifyAdvisor(ctx, contact, {
      name: lead?.name ?? contact.name,
      source: lead?.channel ?? (contact.linkedBy ? null : '未关联的添加'),
      activityTitle: activity?.title ?? null,
      tags: lead?.tags ?? [],
      ownerName: owner,
    }),
  );
}

async function workLoss(ctx: WorkContext, event: WecomEventDoc) {
  const lostBy = event.changeType === 'del_follow_user' ? 'customer' : 'staff';
  const id = wecomContactId(event.corpId, event.userId, event.externalUserId);
  const lost = await markContactLost(ctx.db, id, lostBy, new Date(event.createTime * 1000));
  if (lost) await showWecomStatus(ctx.db, lost, wecomStatusOf(lost, await staffName(ctx.db, lost.staffId)));
}

/** Works one stored event if no one else is; failures wait and are tried again by the timer. */
export async function workEvent(ctx: WorkContext, eventId: string): Promise<void> {
  if (!(await leaseEvent(ctx.db, eventId, ctx.now))) return;
  const event = await eventById(ctx.db, eventId);
  if (!event) return;
  try {
    if (event.changeType === 'add_external_contact') await workAdd(ctx, event);
    else if (event.changeType === 'del_external_contact' || event.changeType === 'del_follow_user')
      await workLoss(ctx, event);
    // add_half (the add follows), edit: recorded, nothing to do.
    await finishEvent(ctx.db, eventId, ctx.now);
  } catch (error) {
    const nextMinute = (Math.floor(ctx.now.getTime() / 60_000) + 1) * 60_000;
    if (error instanceof Throttled)
      await retryEvent(ctx.db, event, ctx.now, 'advisor message budget', new Date(nextMinute));
    else {
      console.warn(`[wecom] event ${eventId}: ${(error as Error).message}`);
      await retryEvent(ctx.db, event, ctx.now, (error as Error).message);
    }
  }
}
