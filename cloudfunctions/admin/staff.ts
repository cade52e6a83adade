import crypto from 'node:crypto';
import { can, type StaffView, adminRequestSchemas as schemas } from '../../typings/admin';
import { salesSettingsSchema } from '../../typings/pipeline';
import { maskOpenid } from '../core/openid';
import { type StaffDoc, staffById } from '../repositories/codes';
import { AppError } from '../runtime/errors';
import { insertOnce, randomId } from '../runtime/store';
import { type AdminContext, record, signedIn } from './context';
import { handle } from './http';
import { assertActiveStore } from './stores';
import { assertUnique } from './unique';
import { iso } from './views';

const randomUint32 = () => crypto.randomBytes(4).readUInt32BE();

type StoredStaff = StaffDoc & {
  mobile?: string | null;
  wecomUserId?: string | null;
  sales?: unknown;
  boundAt?: Date | null;
};

/**
 * A staff member as the caller may see them: the invite code (which binds a WeChat as this member)
 * and the mobile only for roles that manage staff; the bound WeChat masked.
 */
function staffView(s: StoredStaff, ctx: AdminContext): StaffView {
  const manages = can(signedIn(ctx).role, 'staff.write');
  return {
    staffId: s._id,
    name: s.name,
    store: s.store,
    role: s.role,
    active: s.active,
    bound: Boolean(s.openid),
    boundOpenid: maskOpenid(s.openid),
    boundAt: s.openid ? iso(s.boundAt) : null,
    inviteCode: manages ? s.inviteCode : null,
    mobile: manages ? (s.mobile ?? null) : null,
    wecomUserId: s.wecomUserId ?? null,
    sales: salesSettingsSchema.parse(s.sales ?? {}),
    createdAt: iso(s.createdAt)!,
  };
}

/** Invite codes: 8 characters, upper case, without look-alikes (0/O, 1/I). */
const INVITE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
function inviteCode(): string {
  let code = '';
  for (let i = 0; i < 8; i += 1) code += INVITE_ALPHABET[randomUint32() % INVITE_ALPHABET.length];
  return code;
}

/**
 * Draws a new invite code for a member (the old one stops working at once) and releases their
 * WeChat binding; audited under `action` with the WeChat that was released.
 */
async function reissueInvite(ctx: AdminContext, id: string, action: 'staff.invite' | 'staff.unbind') {
  const staff = (await staffById(ctx.db, id)) as StoredStaff | null;
  if (!staff) throw new AppError('NOT_FOUND', '没有这名员工');
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const code = inviteCode();
    try {
      await ctx.db
        .collection('staff')
        .doc(id)
        .update({ data: { inviteCode: code, openid: null, boundAt: null, updatedAt: ctx.now } });
      await record(ctx, action, id, {
        name: staff.name,
        ...(staff.openid ? { unboundOpenid: staff.openid, boundAt: iso(staff.boundAt) } : {}),
      });
      return { staffId: id, inviteCode: code, bound: false };
    } catch (error) {
      if (!/duplicate key|E11000/i.test(String((error as Error).message))) throw error;
    }
  }
  throw new Error('could not draw a free invite code');
}

/** One person, one record: a mobile or WeCom account another member holds is refused. */
async function assertOnePerson(
  ctx: AdminContext,
  input: { mobile?: string | null; wecomUserId?: string | null },
  ownId?: string,
) {
  await assertUnique(
    ctx,
    { collection: 'staff', field: 'mobile', ownId },
    input.mobile,
    '该手机号已属于另一名员工，请勿重复添加',
  );
  await assertUnique(
    ctx,
    { collection: 'staff', field: 'wecomUserId', ownId },
    input.wecomUserId,
    '该企业微信账号已关联另一名员工',
  );
}

export const staffHandlers = {
  'GET /staff': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const { data } = await ctx.db.collection('staff').limit(1000).get();
    return {
      items: (data as StaffDoc[])
        .sort((a, b) => a.store.localeCompare(b.store) || a.name.localeCompare(b.name))
        .map((s) => staffView(s, ctx)),
    };
  }),

  'POST /staff': handle(schemas.staff, async (input, ctx: AdminContext) => {
    await assertOnePerson(ctx, input);
    await assertActiveStore(ctx, 'store', input.store);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const staff = {
        _id: `staff-${randomId(9)}`,
        name: input.name,
        store: input.store,
        role: input.role,
        active: true,
        openid: null,
        boundAt: null,
        inviteCode: inviteCode(),
        mobile: input.mobile ?? null,
        wecomUserId: input.wecomUserId ?? null,
        createdAt: ctx.now,
      };
      // The unique invite index decides: a collision draws another code.
      if (await insertOnce(ctx.db, 'staff', staff)) {
        await record(ctx, 'staff.create', staff._id, {
          name: staff.name,
          store: staff.store,
          role: staff.role,
        });
        return { staffId: staff._id, inviteCode: staff.inviteCode };
      }
    }
    throw new Error('could not draw a free invite code');
  }),

  'PATCH /staff/:id': handle(schemas.staffEdit, async (input, ctx: AdminContext, { id }) => {
    const staff = await staffById(ctx.db, id);
    if (!staff) throw new AppError('NOT_FOUND', '没有这名员工');
    await assertOnePerson(ctx, input, id);
    // A member's store as stored stays acceptable: only a change must pick a listed store.
    if (input.store !== staff.store) await assertActiveStore(ctx, 'store', input.store);
    const { sales, ...rest } = input;
    const changes: Record<string, unknown> = { ...rest, updatedAt: ctx.now };
    if (sales) {
      const current = salesSettingsSchema.parse((staff as { sales?: unknown }).sales ?? {});
      changes.sales = ctx.db.command.set({ ...current, ...sales });
    }
    await ctx.db.collection('staff').doc(id).update({ data: changes });
    await record(ctx, 'staff.update', id, { fields: Object.keys(input) });
    return staffView({ ...(await staffById(ctx.db, id))! }, ctx);
  }),

  // A new invite also releases the old binding: the member binds again with the new code.
  'POST /staff/:id/invite': handle(schemas.empty, (_input, ctx: AdminContext, { id }) =>
    reissueInvite(ctx, id, 'staff.invite'),
  ),

  'POST /staff/:id/unbind': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    const staff = await staffById(ctx.db, id);
    if (!staff) throw new AppError('NOT_FOUND', '没有这名员工');
    // Nothing bound (already released, or a second click): nothing to do.
    if (!staff.openid) return { staffId: id, inviteCode: staff.inviteCode, bound: false };
    return reissueInvite(ctx, id, 'staff.unbind');
  }),
};
