import { tagChanges } from '../core/wecomContact';
import {
  addedContactsAfter,
  contactWaysCreatedBefore,
  leadTagsOf,
  removeDoneEvents,
  storeEvent,
  unknownRelations,
} from '../repositories/wecom';
import { wecomCall } from '../runtime/wecomApi';
import { retireContactWay, syncTags, type WorkContext, workEvent } from './work';

/**
 * The nightly repair (WECOM.md: callbacks get lost when an endpoint was slow or down): every
 * contact of every staff member with a WeCom account, as `batch/get_by_user` lists them, that we
 * hold no live relation for is worked as the add event WeCom would have sent (same key, so an
 * event that did arrive is not doubled; no welcome code: that moment has passed). Then every live
 * relation's corp tags follow its lead's tags as the rules now have them, and contact ways left
 * unused and events worked a month ago are deleted.
 */
const USERS_PER_CALL = 100;
const PAGE = 100;

interface FollowPage {
  external_contact_list?: {
    external_contact: { external_userid: string };
    follow_info: { userid: string; createtime: number; state?: string };
  }[];
  next_cursor?: string;
}

export async function reconcile(ctx: WorkContext) {
  const repaired = await repairAdds(ctx);
  return {
    ...repaired,
    retagged: await syncAllTags(ctx),
    waysRemoved: await removeUnusedWays(ctx),
    eventsRemoved: await removeDoneEvents(ctx.db, new Date(ctx.now.getTime() - DONE_EVENT_DAYS * 86_400_000)),
  };
}

/** How long a worked event is kept (to see what happened), after which it goes. */
const DONE_EVENT_DAYS = 30;

/** A contact way nobody used in this long is deleted (a later ask makes a new one). */
const UNUSED_WAY_DAYS = 30;
/** At most this many a night: two WeCom calls each. */
const WAYS_PER_NIGHT = 500;

async function removeUnusedWays(ctx: WorkContext): Promise<number> {
  const before = new Date(ctx.now.getTime() - UNUSED_WAY_DAYS * 86_400_000);
  let removed = 0;
  while (removed < WAYS_PER_NIGHT) {
    const ways = await contactWaysCreatedBefore(ctx.db, before, Math.min(PAGE, WAYS_PER_NIGHT - removed));
    if (ways.length === 0) break;
    for (const way of ways) await retireContactWay(ctx, way);
    removed += ways.length;
  }
  return removed;
}

async function repairAdds(ctx: WorkContext): Promise<{ checked: number; repaired: number }> {
  const { data } = await ctx.db.collection('staff').where({ active: true }).limit(1000).get();
  const userIds = [...new Set((data as { wecomUserId?: string | null }[]).map((s) => s.wecomUserId))].filter(
    (id): id is string => !!id,
  );
  let checked = 0;
  let repaired = 0;
  const app = { corpId: ctx.settings.corpId, secret: ctx.settings.secret };
  for (let i = 0; i < userIds.length; i += USERS_PER_CALL) {
    let cursor = '';
    do {
      const page: FollowPage = await wecomCall(app, '/cgi-bin/externalcontact/batch/get_by_user', {
        body: { userid_list: userIds.slice(i, i + USERS_PER_CALL), cursor, limit: PAGE },
      });
      const follows = (page.external_contact_list ?? []).map((item) => ({
        corpId: ctx.settings.corpId,
        changeType: 'add_external_contact' as const,
        createTime: item.follow_info.createtime,
        userId: item.follow_info.userid,
        externalUserId: item.external_contact.external_userid,
        state: item.follow_info.state || null,
        welcomeCode: null,
        source: null,
      }));
      checked += follows.length;
      for (const event of await unknownRelations(ctx.db, follows)) {
        const stored = await storeEvent(ctx.db, event, ctx.now);
        if (stored.status !== 'pending') continue;
        await workEvent(ctx, stored._id);
        repaired += 1;
      }
      cursor = page.next_cursor ?? '';
    } while (cursor);
  }
  return { checked, repaired };
}

/** Corp tags of every live relation with a lead, page by page; one that fails waits for the next night. */
async function syncAllTags(ctx: WorkContext): Promise<number> {
  let retagged = 0;
  let after = '';
  for (;;) {
    const contacts = await addedContactsAfter(ctx.db, after, PAGE);
    if (contacts.length === 0) return retagged;
    after = contacts[contacts.length - 1]._id;
    const tags = await leadTagsOf(
      ctx.db,
      contacts.map((c) => c.leadId).filter((id): id is string => !!id),
    );
    for (const contact of contacts) {
      const want = contact.leadId ? tags.get(contact.leadId) : undefined;
      if (!want) continue;
      const { add, remove } = tagChanges(contact.taggedWith ?? [], want);
      if (add.length === 0 && remove.length === 0) continue;
      try {
        await syncTags(ctx, contact, want);
        retagged += 1;
      } catch (error) {
        console.warn(`[wecom] tags of ${contact._id}: ${(error as Error).message}`);
      }
    }
  }
}
