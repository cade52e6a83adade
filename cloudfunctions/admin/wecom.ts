import { z } from 'zod';
import { adminRequestSchemas as schemas } from '../../typings/admin';
import type { FieldError } from '../../typings/api';
import type {
  WecomEventView,
  WecomLostView,
  WecomSettings,
  WecomSettingsUpdate,
  WecomSettingsView,
} from '../../typings/wecom';
import { loadSettings } from '../repositories/pipeline';
import { eventsWithStatus, lostContacts, requeueEvent } from '../repositories/wecom';
import { AppError } from '../runtime/errors';
import { WecomApiError, wecomCall } from '../runtime/wecomApi';
import { type AdminContext, ownerScope, record } from './context';
import { handle } from './http';

/**
 * WeCom in the admin API: its settings inside `PUT /settings` (secret, Token and EncodingAESKey
 * write-only: read back as set, an empty one keeps what is stored) and a connection test.
 */
export const wecomSettingsView = (wecom: WecomSettings | null): WecomSettingsView | null =>
  wecom && {
    corpId: wecom.corpId,
    agentId: wecom.agentId,
    secretSet: wecom.secret.length > 0,
    tokenSet: wecom.token.length > 0,
    encodingAesKeySet: wecom.encodingAesKey.length > 0,
  };

const WRITE_ONLY = ['secret', 'token', 'encodingAesKey'] as const;
const MISSING: Record<(typeof WRITE_ONLY)[number], string> = {
  secret: '请填写应用 Secret',
  token: '请填写回调 Token',
  encodingAesKey: '请填写回调 EncodingAESKey',
};

/** The WeCom settings to store from a save: absent keeps them, null removes them. */
export function mergeWecomSecrets(
  update: WecomSettingsUpdate | null | undefined,
  stored: WecomSettings | null,
): { wecom: WecomSettings | null; fields: FieldError[] } {
  if (update === undefined) return { wecom: stored, fields: [] };
  if (update === null) return { wecom: null, fields: [] };
  const fields: FieldError[] = [];
  const merged = { ...update } as WecomSettings;
  for (const key of WRITE_ONLY) {
    merged[key] = update[key] || stored?.[key] || '';
    if (!merged[key]) fields.push({ path: `wecom.${key}`, message: MISSING[key] });
  }
  return { wecom: merged, fields };
}

/** Which WeCom secrets a save replaced (named, never shown). */
export const replacedWecomSecrets = (before: WecomSettings | null, after: WecomSettings | null) =>
  WRITE_ONLY.filter((key) => (before?.[key] ?? '') !== (after?.[key] ?? '')).map((key) => `wecom:${key}`);

const LIST_LIMIT = 50;

const eventView = (e: Awaited<ReturnType<typeof eventsWithStatus>>[number]): WecomEventView => ({
  eventId: e._id,
  changeType: e.changeType,
  userId: e.userId,
  externalUserId: e.externalUserId,
  status: e.status === 'failed' ? 'failed' : 'pending',
  attempts: e.attempts,
  steps: e.steps,
  lastError: e.lastError,
  receivedAt: new Date(e.receivedAt).toISOString(),
  nextAttemptAt: new Date(e.nextAttemptAt).toISOString(),
});

export const wecomHandlers = {
  /** Callback events not done: waiting for the timer's retry, or given up after repeated failures. */
  'GET /wecom/events': handle(
    z.object({
      status: z.enum(['pending', 'failed'], { error: '状态应为 pending 或 failed' }).default('failed'),
    }),
    async (input, ctx: AdminContext) => ({
      items: (await eventsWithStatus(ctx.db, input.status, LIST_LIMIT)).map(eventView),
    }),
  ),

  'POST /wecom/events/retry': handle(
    z.object({ eventId: z.string({ error: '请指定事件' }).regex(/^[A-Za-z0-9]{1,64}$/, '事件编号无效') }),
    async (input, ctx: AdminContext) => {
      if (!(await requeueEvent(ctx.db, input.eventId, ctx.now)))
        throw new AppError('NOT_FOUND', '没有这个待处理的事件（可能已完成）');
      await record(ctx, 'wecom.event.retry', input.eventId);
      return { eventId: input.eventId, status: 'pending' };
    },
  ),

  /** Customers who deleted their advisor or were deleted (流失), newest first; sales see their own. */
  'GET /wecom/lost': handle(z.object({}), async (_input, ctx: AdminContext) => {
    const scope = ownerScope(ctx);
    // A sales account not linked to a staff member has no contacts of its own.
    if (scope === null) return { items: [] };
    return {
      items: (await lostContacts(ctx.db, scope, LIST_LIMIT)).map(
        (c): WecomLostView => ({
          externalUserId: c.externalUserId,
          userId: c.userId,
          staffId: c.staffId,
          customerId: c.customerId,
          leadId: c.leadId,
          name: c.name,
          lostAt: new Date(c.lostAt ?? c.updatedAt).toISOString(),
          lostBy: c.lostBy,
        }),
      ),
    };
  }),

  /**
   * Gets a token with the stored corp id and secret, then lists the members allowed to use
   * customer contact (客户联系): a staff member's WeCom userid not among them cannot get codes.
   */
  'POST /settings/wecom/test': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const { wecom } = await loadSettings(ctx.db);
    if (!wecom) throw new AppError('NOT_CONFIGURED', '请先保存企业微信设置');
    let followUsers: string[];
    try {
      const answer = await wecomCall<{ follow_user?: string[] }>(
        { corpId: wecom.corpId, secret: wecom.secret },
        '/cgi-bin/externalcontact/get_follow_user_list',
      );
      followUsers = answer.follow_user ?? [];
    } catch (error) {
      if (!(error instanceof WecomApiError)) throw error;
      return { ok: false, errcode: error.errcode, message: connectionProblem(error) };
    }
    const { data } = await ctx.db.collection('staff').where({ active: true }).limit(1000).get();
    const staff = data as { name: string; wecomUserId?: string | null }[];
    return {
      ok: true,
      followUsers: followUsers.length,
      staffWithoutWecom: staff.filter((s) => !s.wecomUserId).map((s) => s.name),
      staffNotFollowing: staff
        .filter((s) => s.wecomUserId && !followUsers.includes(s.wecomUserId))
        .map((s) => s.name),
    };
  }),
};

function connectionProblem(error: WecomApiError): string {
  if (error.errcode === -1) return '连不上企业微信，请稍后再试';
  if (error.errcode === 40013) return '企业 ID 不正确';
  if (error.errcode === 40001) return '应用 Secret 不正确';
  if (error.errcode === 60020) return '服务器出口 IP 不在应用的企业可信 IP 中';
  if (error.errcode === 48002 || error.errcode === 48001)
    return '该应用没有客户联系权限（客户联系 → 可调用应用）';
  return `企业微信拒绝了请求（${error.errcode}）`;
}
