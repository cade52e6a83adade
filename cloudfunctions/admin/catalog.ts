import crypto from 'node:crypto';
import {
  type ActivityView,
  type CodeView,
  can,
  type RegistrationView,
  type StaffView,
  adminRequestSchemas as schemas,
} from '../../typings/admin';
import { salesSettingsSchema } from '../../typings/pipeline';
import { generateCode } from '../core/codes';
import { maskOpenid } from '../core/openid';
import { maskPhone } from '../core/phone';
import { codePage, sharePath } from '../core/share';
import { type ActivityDoc, activityById } from '../repositories/activities';
import {
  type CodeDoc,
  codeById,
  insertCode,
  type StaffDoc,
  setCodeImage,
  staffById,
} from '../repositories/codes';
import { AppError, fieldError } from '../runtime/errors';
import { findById, insertOnce, randomId } from '../runtime/store';
import { fileUrl, storeFile } from './cloudbase';
import { type AdminContext, record, signedIn } from './context';
import { handle } from './http';
import { miniProgramCode } from './openapi';
import { timePage } from './paging';

const randomUint32 = () => crypto.randomBytes(4).readUInt32BE();
const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
/** Sign-ups per page of an activity's list (its customers are read 100 at a time). */
const REGISTRATION_PAGE = 200;

function activityView(a: ActivityDoc): ActivityView {
  return {
    activityId: a._id,
    title: a.title,
    description: a.description ?? '',
    place: a.place ?? '',
    startAt: iso(a.startAt)!,
    endAt: iso(a.endAt)!,
    deadline: iso(a.deadline ?? a.startAt)!,
    capacity: a.capacity,
    remaining: a.remaining,
    fields: a.fields,
    status: a.status,
    createdAt: iso(a.createdAt)!,
  };
}

async function existingActivity(ctx: AdminContext, id: string): Promise<ActivityDoc> {
  const activity = await activityById(ctx.db, id);
  if (!activity) throw new AppError('NOT_FOUND', '没有这个活动');
  return activity;
}

async function moveActivity(ctx: AdminContext, id: string, status: 'published' | 'closed') {
  const activity = await existingActivity(ctx, id);
  if (status === 'published' && activity.status === 'closed')
    throw new AppError('ACTIVITY_CLOSED', '已结束的活动不能再发布');
  await ctx.db
    .collection('activities')
    .doc(id)
    .update({ data: { status, updatedAt: ctx.now } });
  await record(ctx, status === 'published' ? 'activity.publish' : 'activity.close', id, {
    title: activity.title,
  });
  return { activityId: id, status };
}

function codeView(c: CodeDoc): CodeView {
  return {
    codeId: c._id,
    scene: c.scene,
    name: c.name,
    channelId: c.channelId,
    channelType: c.channelType,
    staffId: c.staffId,
    storeId: c.storeId,
    activityId: c.activityId,
    disabled: c.disabled,
    sharePath: sharePath(c.activityId, { ch: c.scene }),
    createdAt: iso(c.createdAt)!,
  };
}

async function assertRefs(ctx: AdminContext, refs: { staffId?: string | null; activityId?: string | null }) {
  const [staff, activity] = await Promise.all([
    refs.staffId ? staffById(ctx.db, refs.staffId) : null,
    refs.activityId ? activityById(ctx.db, refs.activityId) : null,
  ]);
  if (refs.staffId && !staff) throw fieldError('staffId', '没有这名员工');
  if (refs.activityId && !activity) throw fieldError('activityId', '没有这个活动');
  return { staff, activity };
}

/** The channel a new code counts under: the one named, the staff member's own, or a new one. */
async function channelFor(
  ctx: AdminContext,
  input: { channelType: CodeDoc['channelType']; channelId?: string; name: string },
  staff: StaffDoc | null,
): Promise<string> {
  if (input.channelId) {
    if (!(await findById(ctx.db, 'channels', input.channelId))) throw fieldError('channelId', '没有这个渠道');
    return input.channelId;
  }
  if (input.channelType === 'staff' && staff) return `staff:${staff._id}`;
  const channelId = `${input.channelType}-${randomId(6)}`;
  await insertOnce(ctx.db, 'channels', {
    _id: channelId,
    type: input.channelType,
    name: input.name,
    cost: 0,
    createdAt: ctx.now,
  } as { _id: string });
  return channelId;
}

async function createCode(
  ctx: AdminContext,
  input: {
    channelType: CodeDoc['channelType'];
    name: string;
    staffId?: string;
    activityId?: string;
    channelId?: string;
    storeId?: string;
  },
): Promise<CodeDoc> {
  if (input.channelType === 'staff' && !input.staffId) throw fieldError('staffId', '导购活码需要选择员工');
  const { staff } = await assertRefs(ctx, input);
  const channelId = await channelFor(ctx, input, staff);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const code: CodeDoc = {
      _id: `code-${randomId(9)}`,
      scene: generateCode(randomUint32),
      channelId,
      channelType: input.channelType,
      name: input.name,
      staffId: input.staffId ?? null,
      storeId: input.storeId ?? staff?.store ?? null,
      activityId: input.activityId ?? null,
      disabled: false,
      envId: ctx.envId,
      imageFileId: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    // A random scene that collides with an existing one is simply drawn again.
    if (await insertCode(ctx.db, code)) return code;
  }
  throw new Error('could not draw a free scene');
}

type StoredStaff = StaffDoc & { mobile?: string | null; sales?: unknown; boundAt?: Date | null };

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
    sales: salesSettingsSchema.parse(s.sales ?? {}),
    createdAt: iso(s.createdAt)!,
  };
}

/** Invite codes: 8 characters, upper case, without look-alikes (0/O, 1/I). */
const INVITE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function inviteCode(): string {
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

export const catalogHandlers = {
  'GET /activities': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const { data } = await ctx.db.collection('activities').limit(1000).get();
    return {
      items: (data as ActivityDoc[])
        .sort((a, b) => new Date(b.startAt).getTime() - new Date(a.startAt).getTime())
        .map(activityView),
    };
  }),

  'POST /activities': handle(schemas.activity, async (input, ctx: AdminContext) => {
    const activity: ActivityDoc = {
      _id: `act-${randomId(9)}`,
      title: input.title,
      description: input.description,
      place: input.place,
      startAt: new Date(input.startAt),
      endAt: new Date(input.endAt),
      deadline: new Date(input.deadline ?? input.startAt),
      capacity: input.capacity,
      remaining: input.capacity,
      fields: [...new Set(input.fields)],
      status: input.status,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    await insertOnce(ctx.db, 'activities', activity);
    await record(ctx, 'activity.create', activity._id, { title: activity.title, status: activity.status });
    return { activityId: activity._id };
  }),

  'PATCH /activities/:id': handle(schemas.activityEdit, async (input, ctx: AdminContext, { id }) => {
    const activity = await existingActivity(ctx, id);
    const startAt = input.startAt ? new Date(input.startAt) : new Date(activity.startAt);
    const endAt = input.endAt ? new Date(input.endAt) : new Date(activity.endAt);
    if (endAt <= startAt) throw fieldError('endAt', '结束时间必须晚于开始时间');
    const changes: Record<string, unknown> = { updatedAt: ctx.now };
    for (const key of ['title', 'description', 'place'] as const)
      if (input[key] !== undefined) changes[key] = input[key];
    if (input.startAt) changes.startAt = startAt;
    if (input.endAt) changes.endAt = endAt;
    if (input.deadline) changes.deadline = new Date(input.deadline);
    if (input.fields) changes.fields = ctx.db.command.set([...new Set(input.fields)]);
    const _ = ctx.db.command;
    if (input.capacity !== undefined && input.capacity !== activity.capacity) {
      const delta = input.capacity - activity.capacity;
      // Seats already taken stay taken: the change applies only if enough seats are free.
      const res = await ctx.db
        .collection('activities')
        .where({ _id: id, capacity: activity.capacity, remaining: _.gte(Math.max(0, -delta)) })
        .update({ data: { capacity: input.capacity, remaining: _.inc(delta) } });
      if (res.stats.updated !== 1) throw fieldError('capacity', '名额不能少于已报名人数');
    }
    await ctx.db.collection('activities').doc(id).update({ data: changes });
    await record(ctx, 'activity.update', id, { fields: Object.keys(input) });
    return activityView({ ...(await existingActivity(ctx, id)) });
  }),

  'POST /activities/:id/publish': handle(schemas.empty, (_input, ctx: AdminContext, { id }) =>
    moveActivity(ctx, id, 'published'),
  ),
  'POST /activities/:id/close': handle(schemas.empty, (_input, ctx: AdminContext, { id }) =>
    moveActivity(ctx, id, 'closed'),
  ),

  'GET /activities/:id/registrations': handle(
    schemas.registrations,
    async (input, ctx: AdminContext, { id }) => {
      await existingActivity(ctx, id);
      const where = { activityId: id, ...(input.status ? { status: input.status } : {}) };
      const countOf = async (status: RegistrationView['status']) =>
        (await ctx.db.collection('registrations').where({ activityId: id, status }).count()).total as number;
      const [page, joined, checkedIn, cancelled] = await Promise.all([
        timePage<any>(ctx.db, 'registrations', where, 'createdAt', input.cursor, REGISTRATION_PAGE),
        countOf('joined'),
        countOf('checked_in'),
        countOf('cancelled'),
      ]);
      const data = page.items;
      const customerIds = [...new Set((data as any[]).map((r) => r.customerId))];
      const customers = new Map<string, any>();
      for (let i = 0; i < customerIds.length; i += 100) {
        const { data: found } = await ctx.db
          .collection('customers')
          .where({ _id: ctx.db.command.in(customerIds.slice(i, i + 100)) })
          .field({ _id: true, profile: true, phone: true })
          .limit(100)
          .get();
        for (const c of found) customers.set(c._id, c);
      }
      const items: RegistrationView[] = (data as any[]).map((r) => ({
        registrationId: r._id,
        customerId: r.customerId,
        name: customers.get(r.customerId)?.profile?.name ?? r.answers?.name ?? null,
        phoneMasked: maskPhone(customers.get(r.customerId)?.phone),
        status: r.status,
        createdAt: iso(r.createdAt)!,
        checkedInAt: iso(r.checkedInAt),
      }));
      // `joined` counts everyone holding a seat, checked in or not.
      return {
        items,
        nextCursor: page.nextCursor,
        counts: { joined: joined + checkedIn, checkedIn, cancelled },
      };
    },
  ),

  'GET /channels': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const { data } = await ctx.db.collection('channels').limit(1000).get();
    return {
      items: (data as any[]).map((c) => ({
        channelId: c._id,
        type: c.type,
        name: c.name,
        cost: c.cost ?? 0,
        createdAt: iso(c.createdAt),
      })),
    };
  }),

  'POST /channels': handle(schemas.channel, async (input, ctx: AdminContext) => {
    const channelId = `${input.type}-${randomId(6)}`;
    await insertOnce(ctx.db, 'channels', { _id: channelId, ...input, createdAt: ctx.now } as { _id: string });
    await record(ctx, 'channel.create', channelId, { name: input.name });
    return { channelId };
  }),

  'PATCH /channels/:id': handle(schemas.channelEdit, async (input, ctx: AdminContext, { id }) => {
    if (!(await findById(ctx.db, 'channels', id))) throw new AppError('NOT_FOUND', '没有这个渠道');
    await ctx.db
      .collection('channels')
      .doc(id)
      .update({ data: { ...input, updatedAt: ctx.now } });
    await record(ctx, 'channel.update', id, input);
    return { channelId: id };
  }),

  'GET /codes': handle(schemas.codeList, async (input, ctx: AdminContext) => {
    const where: Record<string, unknown> = {};
    if (input.staffId) where.staffId = input.staffId;
    if (input.channelType) where.channelType = input.channelType;
    const { data } = await ctx.db.collection('codes').where(where).limit(1000).get();
    return {
      items: (data as CodeDoc[])
        .sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime())
        .map(codeView),
    };
  }),

  'POST /codes': handle(schemas.code, async (input, ctx: AdminContext) => {
    const code = await createCode(ctx, input);
    await record(ctx, 'code.create', code._id, { name: code.name, channelId: code.channelId });
    return { codeId: code._id, scene: code.scene };
  }),

  'POST /codes/bulk': handle(schemas.codeBulk, async (input, ctx: AdminContext) => {
    const items: { codeId: string; scene: string; name: string }[] = [];
    for (const item of input.items) {
      const code = await createCode(ctx, {
        channelType: input.channelType,
        activityId: input.activityId,
        channelId: input.channelId,
        ...item,
      });
      items.push({ codeId: code._id, scene: code.scene, name: code.name });
    }
    await record(ctx, 'code.bulkCreate', `${items.length} codes`, { channelType: input.channelType });
    return { items };
  }),

  'PATCH /codes/:id': handle(schemas.codeEdit, async (input, ctx: AdminContext, { id }) => {
    const code = await codeById(ctx.db, id);
    if (!code) throw new AppError('NOT_FOUND', '没有这个活码');
    const { staff } = await assertRefs(ctx, input);
    const changes: Record<string, unknown> = { updatedAt: ctx.now };
    if (input.staffId !== undefined) {
      changes.staffId = input.staffId;
      if (staff) changes.storeId = staff.store;
    }
    if (input.activityId !== undefined) changes.activityId = input.activityId;
    if (input.disabled !== undefined) changes.disabled = input.disabled;
    if (input.name) changes.name = input.name;
    await ctx.db.collection('codes').doc(id).update({ data: changes });
    await record(ctx, input.disabled ? 'code.disable' : 'code.repoint', id, {
      staffId: input.staffId,
      activityId: input.activityId,
      disabled: input.disabled,
    });
    return { codeId: id, scene: code.scene };
  }),

  'GET /codes/:id/image': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    const code = await codeById(ctx.db, id);
    if (!code) throw new AppError('NOT_FOUND', '没有这个活码');
    let { imageFileId } = code;
    if (!imageFileId) {
      const image = await miniProgramCode(code.scene, codePage(code.activityId));
      imageFileId = await storeFile(`codes/${code._id}.png`, image);
      await setCodeImage(ctx.db, code._id, imageFileId, ctx.now);
    }
    return { codeId: id, imageUrl: await fileUrl(imageFileId) };
  }),

  'GET /staff': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const { data } = await ctx.db.collection('staff').limit(1000).get();
    return {
      items: (data as StaffDoc[])
        .sort((a, b) => a.store.localeCompare(b.store) || a.name.localeCompare(b.name))
        .map((s) => staffView(s, ctx)),
    };
  }),

  'POST /staff': handle(schemas.staff, async (input, ctx: AdminContext) => {
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
