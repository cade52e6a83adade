// The staff function: what a bound store staff member does in the staff pages. Only an active,
// bound staff member may call anything but `bind`; identity comes only from the WeChat context.
// The project's other functions may ask it for what needs WeChat's open API (server.ts).
import crypto from 'node:crypto';
import { checkinProblem } from '../../typings/checkin';
import { type StaffProfile, staffRequestSchemas as schemas } from '../../typings/staff';
import { generateCode } from '../core/codes';
import { dayOf, mondayOf } from '../core/funnel';
import { maskOpenid } from '../core/openid';
import { maskPhone } from '../core/phone';
import { codePage, sharePath } from '../core/share';
import { activitiesByIds, activityById } from '../repositories/activities';
import {
  bindStaff,
  type CodeDoc,
  codeById,
  insertCode,
  type StaffDoc,
  setCodeImage,
  staffById,
  staffByInvite,
  staffByOpenid,
} from '../repositories/codes';
import { audit, countFunnel, withinRateLimit } from '../repositories/counters';
import type { LeadDoc } from '../repositories/leads';
import { countLibraryUse, findLibraryItems, libraryViews } from '../repositories/library';
import { posterTemplateById } from '../repositories/posters';
import { moveRegistration, type RegistrationDoc } from '../repositories/registrations';
import { closeTask, openTasksOf } from '../repositories/sop';
import { type Caller, callerContext, type Database, database } from '../runtime/cloud';
import { AppError } from '../runtime/errors';
import { fileUrl, miniProgramCode, storeFile } from '../runtime/openapi';
import { action, createRouter } from '../runtime/router';
import { findById, randomId, stableId } from '../runtime/store';
import { codeCaption, codeCardFile, staffPosterFile, staffPosterTemplates } from './posters';
import { isFunctionCall, type StaffServerAnswers, staffServerRequestSchemas } from './server';

/** A task is overdue once its due time is this far behind. */
const TASK_GRACE_MS = 60 * 60_000;

interface StaffContext {
  db: Database;
  caller: Caller & { openid: string };
  now: Date;
  /** The caller's staff record; null only for `bind`. */
  staff: StaffDoc | null;
}

const PAGE_SIZE = 50;
/** Bind attempts per WeChat per minute: an invite code cannot be guessed by trying. */
const BINDS_PER_MINUTE = 10;
const NOT_STAFF = '仅限已绑定的在职员工使用';

async function establishStaff(actionName: string): Promise<StaffContext> {
  const caller = callerContext();
  if (!caller.openid) throw new AppError('UNAUTHENTICATED');
  const db = database();
  const staff = await staffByOpenid(db, caller.openid);
  if (actionName !== 'bind' && staff?.active !== true) throw new AppError('FORBIDDEN', NOT_STAFF);
  return { db, caller: { ...caller, openid: caller.openid }, now: new Date(), staff };
}

/** The code's image in cloud storage, made and kept on the code the first time it is asked for. */
async function codeImageFile(db: Database, code: CodeDoc, now: Date): Promise<string> {
  if (code.imageFileId) return code.imageFileId;
  const image = await miniProgramCode(code.scene, codePage(code.activityId));
  const fileId = await storeFile(`codes/${code._id}.png`, image);
  await setCodeImage(db, code._id, fileId, now);
  return fileId;
}

const profileOf = (staff: StaffDoc): StaffProfile => ({
  staffId: staff._id,
  name: staff.name,
  store: staff.store,
  role: staff.role,
});

/** The staff member's own code for an activity (or for the home page), created once. */
async function staffCode(ctx: StaffContext, staff: StaffDoc, activityId: string | null): Promise<CodeDoc> {
  const codeId = stableId('staff-code', staff._id, activityId ?? '-');
  const existing = await codeById(ctx.db, codeId);
  if (existing) return existing;
  const randomUint32 = () => crypto.randomBytes(4).readUInt32BE();
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const code: CodeDoc = {
      _id: codeId,
      scene: generateCode(randomUint32),
      channelId: `staff:${staff._id}`,
      channelType: 'staff',
      name: `${staff.name}的活码`,
      staffId: staff._id,
      storeId: staff.store,
      activityId,
      disabled: false,
      envId: ctx.caller.envId,
      imageFileId: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    if (await insertCode(ctx.db, code)) return code;
    // Either a concurrent call created this code, or the random scene collided: look, then retry.
    const created = await codeById(ctx.db, codeId);
    if (created) return created;
  }
  throw new Error(`could not create a code for staff ${staff._id}`);
}

const actions = {
  bind: action(schemas.bind, async ({ inviteCode }, ctx: StaffContext) => {
    const { openid } = ctx.caller;
    if (!(await withinRateLimit(ctx.db, 'staff.bind', openid, randomId(9), BINDS_PER_MINUTE, ctx.now)))
      throw new AppError('RATE_LIMITED', '尝试次数过多，请一分钟后再试');
    const invited = await staffByInvite(ctx.db, inviteCode.toUpperCase());
    if (!invited) throw new AppError('NOT_FOUND', '邀请码无效，请向管理员确认');
    if (!invited.active) throw new AppError('FORBIDDEN', '该员工账号已停用');
    if (ctx.staff && ctx.staff._id !== invited._id)
      throw new AppError('FORBIDDEN', `该微信已绑定员工「${ctx.staff.name}」`);
    if (invited.openid === openid) return profileOf(invited);
    // Who binds a WeChat as a staff member (and who tried a code already taken) is kept for review.
    const entry = (action: string) =>
      audit(
        ctx.db,
        {
          actor: `wechat:${maskOpenid(openid)}`,
          action,
          subject: invited._id,
          detail: { openid, name: invited.name },
        },
        ctx.now,
      );
    if (invited.openid || !(await bindStaff(ctx.db, invited._id, openid, ctx.now))) {
      const now = await staffById(ctx.db, invited._id);
      if (now?.openid !== openid) {
        await entry('staff.bind.refused');
        throw new AppError('FORBIDDEN', '该邀请码已被其他微信绑定');
      }
      return profileOf(invited);
    }
    await entry('staff.bind');
    return profileOf(invited);
  }),

  me: action(schemas.me, async (_input, ctx: StaffContext) => profileOf(ctx.staff as StaffDoc)),

  myCode: action(schemas.myCode, async ({ activityId }, ctx: StaffContext) => {
    const staff = ctx.staff as StaffDoc;
    if (activityId) {
      const activity = await activityById(ctx.db, activityId);
      if (!activity || activity.status === 'draft') throw new AppError('NOT_FOUND', '活动不存在或未发布');
    }
    const code = await staffCode(ctx, staff, activityId ?? null);
    const imageFileId = await codeImageFile(ctx.db, code, ctx.now);
    return {
      codeId: code._id,
      scene: code.scene,
      sharePath: sharePath(code.activityId, { ch: code.scene }),
      imageUrl: await fileUrl(imageFileId),
      // The page downloads by file id (wx.cloud.downloadFile): no download domain to register.
      fileId: imageFileId,
    };
  }),

  posters: action(schemas.posters, async (_input, ctx: StaffContext) => ({
    items: await staffPosterTemplates(ctx.db),
  })),

  myPoster: action(schemas.myPoster, async ({ templateId }, ctx: StaffContext) => {
    const staff = ctx.staff as StaffDoc;
    const template = await posterTemplateById(ctx.db, templateId);
    if (!template?.enabled) throw new AppError('NOT_FOUND', '这张海报模板已停用，请刷新列表');
    if (template.activityId) {
      const activity = await activityById(ctx.db, template.activityId);
      if (!activity || activity.status === 'draft')
        throw new AppError('NOT_FOUND', '海报的活动不存在或未发布');
    }
    const code = await staffCode(ctx, staff, template.activityId);
    const codeFileId = await codeImageFile(ctx.db, code, ctx.now);
    const fileId = await staffPosterFile(ctx.db, template, staff, codeFileId, ctx.now);
    return { templateId, fileId, imageUrl: await fileUrl(fileId) };
  }),

  myReferrals: action(schemas.myReferrals, async ({ before }, ctx: StaffContext) => {
    const staff = ctx.staff as StaffDoc;
    const _ = ctx.db.command;
    const page = (field: string) =>
      ctx.db
        .collection(field === 'ownerStaffId' ? 'customers' : 'leads')
        .where({ [field]: staff._id, ...(before ? { createdAt: _.lt(new Date(before)) } : {}) })
        .orderBy('createdAt', 'desc')
        .limit(PAGE_SIZE)
        .get();
    const [customers, leads] = await Promise.all([page('ownerStaffId'), page('staffId')]);
    const last = [...customers.data, ...leads.data]
      .map((doc: { createdAt: Date }) => doc.createdAt.getTime())
      .sort((a, b) => a - b)[0];
    const full = customers.data.length === PAGE_SIZE || leads.data.length === PAGE_SIZE;
    return {
      customers: customers.data.map((c: any) => ({
        customerId: c._id,
        name: c.profile?.name ?? null,
        phoneMasked: maskPhone(c.phone),
        createdAt: c.createdAt.toISOString(),
      })),
      leads: leads.data.map((l: any) => ({
        leadId: l._id,
        name: l.name,
        phoneMasked: maskPhone(l.phone),
        activityId: l.activityId,
        status: l.status,
        createdAt: l.createdAt.toISOString(),
      })),
      nextBefore: full && last !== undefined ? new Date(last).toISOString() : null,
    };
  }),

  myStats: action(schemas.myStats, async (_input, ctx: StaffContext) => {
    const staff = ctx.staff as StaffDoc;
    const _ = ctx.db.command;
    const from = mondayOf(ctx.now);
    const totals = { entries: 0, leads: 0, signups: 0, checkins: 0 };
    // A week of cells of one staff member: at most 7 days × their channels × activities.
    const { data } = await ctx.db
      .collection('funnelCounters')
      .where({ day: _.gte(from), staffId: staff._id })
      .limit(1000)
      .get();
    for (const cell of data as Record<string, number>[])
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += cell[key] ?? 0;
    return { from, to: dayOf(ctx.now), ...totals };
  }),

  myTasks: action(schemas.myTasks, async (_input, ctx: StaffContext) => {
    const staff = ctx.staff as StaffDoc;
    const tasks = await openTasksOf(ctx.db, staff._id);
    const _ = ctx.db.command;
    const leadIds = [...new Set(tasks.map((task) => task.leadId))];
    const { data } = leadIds.length
      ? await ctx.db
          .collection('leads')
          .where({ _id: _.in(leadIds) })
          .field({ name: true, phone: true, tags: true, activityId: true })
          .limit(leadIds.length)
          .get()
      : { data: [] };
    const leads = new Map((data as LeadDoc[]).map((lead) => [lead._id, lead]));
    const activities = await activitiesByIds(ctx.db, [
      ...new Set([...leads.values()].flatMap((lead) => (lead.activityId ? [lead.activityId] : []))),
    ]);
    return {
      items: tasks.map((task) => {
        const lead = leads.get(task.leadId);
        return {
          taskId: task._id,
          leadId: task.leadId,
          customerName: lead?.name ?? null,
          phoneMasked: maskPhone(lead?.phone ?? null),
          tags: lead?.tags ?? [],
          activityTitle: lead?.activityId ? (activities.get(lead.activityId)?.title ?? null) : null,
          text: task.text ?? '',
          dueAt: task.dueAt.toISOString(),
          overdue: task.dueAt.getTime() < ctx.now.getTime() - TASK_GRACE_MS,
          status: task.status,
        };
      }),
    };
  }),

  completeTask: action(schemas.completeTask, async ({ taskId, skipReason }, ctx: StaffContext) => {
    const staff = ctx.staff as StaffDoc;
    const outcome = skipReason
      ? { status: 'skipped' as const, reason: skipReason }
      : { status: 'done' as const };
    const status = await closeTask(ctx.db, taskId, staff._id, outcome, ctx.now);
    if (!status) throw new AppError('NOT_FOUND', '没有找到这条待办');
    return { taskId, status };
  }),

  library: action(schemas.library, async (query, ctx: StaffContext) => {
    const staff = ctx.staff as StaffDoc;
    const items = await findLibraryItems(ctx.db, query);
    // A card shared by staff carries their general code, so the visit credits them.
    const code = items.some((item) => item.kind === 'card') ? await staffCode(ctx, staff, null) : null;
    return { items: await libraryViews(ctx.db, items, fileUrl, code?.scene ?? null) };
  }),

  useLibraryItem: action(schemas.useLibraryItem, async ({ itemId }, ctx: StaffContext) => {
    if (!(await countLibraryUse(ctx.db, itemId, ctx.now)))
      throw new AppError('NOT_FOUND', '这条素材已被删除');
    return { itemId };
  }),

  checkIn: action(schemas.checkIn, async ({ checkinCode }, ctx: StaffContext) => {
    const { data } = await ctx.db.collection('registrations').where({ checkinCode }).limit(1).get();
    const registration = data[0] as RegistrationDoc | undefined;
    if (!registration) throw new AppError('NOT_FOUND', '签到码无效，请让顾客刷新后重试');
    if (registration.status === 'cancelled') throw new AppError('ACTIVITY_CLOSED', '该报名已取消，不能签到');
    const [activity, customer] = await Promise.all([
      activityById(ctx.db, registration.activityId),
      findById<{ profile?: { name?: string } }>(ctx.db, 'customers', registration.customerId),
    ]);
    const problem = activity && checkinProblem(activity, ctx.now, (ctx.staff as StaffDoc).store);
    if (problem)
      throw new AppError(problem.reason === 'store' ? 'FORBIDDEN' : 'ACTIVITY_CLOSED', problem.message);
    // Only the scan that moves the registration counts it; concurrent scans see it checked in.
    const moved = await moveRegistration(ctx.db, registration._id, 'joined', {
      status: 'checked_in',
      checkedInAt: ctx.now,
      checkedInBy: (ctx.staff as StaffDoc)._id,
      updatedAt: ctx.now,
    });
    if (moved) {
      await countFunnel(
        ctx.db,
        ctx.now,
        {
          channelId: registration.channel,
          staffId: registration.staffId,
          activityId: registration.activityId,
        },
        { checkins: 1 },
      );
    }
    const checkedInAt = moved
      ? ctx.now
      : ((await findById<RegistrationDoc>(ctx.db, 'registrations', registration._id))?.checkedInAt ??
        ctx.now);
    return {
      registrationId: registration._id,
      activityTitle: activity?.title ?? '',
      customerName: customer?.profile?.name ?? null,
      alreadyCheckedIn: !moved,
      checkedInAt: new Date(checkedInAt).toISOString(),
    };
  }),
};

interface ServerContext {
  db: Database;
  now: Date;
}

const serverActions = {
  codeImage: action(
    staffServerRequestSchemas.codeImage,
    async ({ codeId }, ctx: ServerContext): Promise<StaffServerAnswers['codeImage']> => {
      const code = await codeById(ctx.db, codeId);
      if (!code) throw new AppError('NOT_FOUND', '没有这个活码');
      return { fileId: await codeImageFile(ctx.db, code, ctx.now) };
    },
  ),

  codeCards: action(
    staffServerRequestSchemas.codeCards,
    async ({ codeIds }, ctx: ServerContext): Promise<StaffServerAnswers['codeCards']> => {
      const _ = ctx.db.command;
      const { data } = await ctx.db
        .collection('codes')
        .where({ _id: _.in(codeIds) })
        .limit(codeIds.length)
        .get();
      const codes = new Map((data as CodeDoc[]).map((code) => [code._id, code]));
      const staffIds = [...new Set([...codes.values()].flatMap((c) => (c.staffId ? [c.staffId] : [])))];
      const { data: staff } = staffIds.length
        ? await ctx.db
            .collection('staff')
            .where({ _id: _.in(staffIds) })
            .field({ name: true })
            .limit(staffIds.length)
            .get()
        : { data: [] };
      const names = new Map((staff as StaffDoc[]).map((s) => [s._id, s.name]));
      const items: StaffServerAnswers['codeCards']['items'] = [];
      // One at a time: each card holds two images in memory while it is drawn.
      for (const codeId of codeIds) {
        const code = codes.get(codeId);
        if (!code) continue;
        const caption = codeCaption(code, code.staffId ? (names.get(code.staffId) ?? null) : null);
        const imageFileId = await codeImageFile(ctx.db, code, ctx.now);
        items.push({ codeId, fileId: await codeCardFile(ctx.db, code, caption, imageFileId, ctx.now) });
      }
      return { items };
    },
  ),
};

async function establishServer(): Promise<ServerContext> {
  if (!isFunctionCall(callerContext())) throw new AppError('FORBIDDEN', '仅限本环境的云函数调用');
  return { db: database(), now: new Date() };
}

const staffRouter = createRouter<StaffContext>(actions, establishStaff);
const serverRouter = createRouter<ServerContext>(serverActions, establishServer);

export async function main(event: unknown) {
  const name = (event as { action?: unknown } | null)?.action;
  return typeof name === 'string' && Object.hasOwn(serverActions, name)
    ? serverRouter(event)
    : staffRouter(event);
}
