import { storeEvent, unknownRelations } from '../repositories/wecom';
import { wecomCall } from '../runtime/wecomApi';
import { type WorkContext, workEvent } from './work';

/**
 * The nightly repair (WECOM.md: callbacks get lost when an endpoint was slow or down): every
 * contact of every staff member with a WeCom account, as `batch/get_by_user` lists them, that we
 * hold no live relation for is worked as the add event WeCom would have sent (same key, so an
 * event that did arrive is not doubled; no welcome code: that moment has passed).
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

export async function reconcile(ctx: WorkContext): Promise<{ checked: number; repaired: number }> {
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
