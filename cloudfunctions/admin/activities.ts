import {
  type ActivityView,
  type RegistrationView,
  adminRequestSchemas as schemas,
} from '../../typings/admin';
import { checkinProblem } from '../../typings/checkin';
import { activityAnswerColumns, answerHeader, answerIn, type CustomField } from '../../typings/customFields';
import { FIELD_CATALOGUE, type FieldKey, NAME_FOR_SALES } from '../../typings/fields';
import { retiredAfter, withFieldIds } from '../core/customFields';
import { maskPhone } from '../core/phone';
import { type ActivityDoc, activityById } from '../repositories/activities';
import { countFunnel } from '../repositories/counters';
import { moveRegistration, type RegistrationDoc, registrationById } from '../repositories/registrations';
import { AppError, fieldError } from '../runtime/errors';
import { insertOnce, randomId } from '../runtime/store';
import { createCode } from './codes';
import { type AdminContext, actorOf, record } from './context';
import { BOM, chinaTime, csvRow } from './csv';
import { handle } from './http';
import { timePage } from './paging';
import { assertActiveStore } from './stores';
import { assertUnique } from './unique';
import { iso } from './views';

/** What admin writes on an activity beyond what the customer side reads. */
type StoredActivity = ActivityDoc & { store?: string | null; closedReason?: 'ended' | null };

/** Sign-ups per page of an activity's list (its customers are read 100 at a time). */
const REGISTRATION_PAGE = 200;
/** A sign-up list export answers in one call: the largest events stay far below this. */
const MAX_EXPORT_SIGNUPS = 5000;

function activityView(a: StoredActivity): ActivityView {
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
    customFields: a.customFields ?? [],
    retiredFields: a.retiredFields ?? [],
    coverUrl: a.coverUrl ?? null,
    status: a.status,
    closedReason: a.status === 'closed' ? (a.closedReason ?? null) : null,
    store: a.store ?? null,
    createdAt: iso(a.createdAt)!,
  };
}

async function existingActivity(ctx: AdminContext, id: string): Promise<StoredActivity> {
  const activity = await activityById(ctx.db, id);
  if (!activity) throw new AppError('NOT_FOUND', '没有这个活动');
  return activity;
}

/** Why an activity with these times may not be published now (null: it may). */
function publishProblem(times: { startAt: Date; endAt: Date; deadline: Date }, now: Date) {
  if (times.endAt <= now) return { path: 'endAt', message: '活动已经结束，不能发布' };
  if (times.deadline <= now) return { path: 'deadline', message: '报名截止时间已过，请先修改截止时间再发布' };
  return null;
}

async function moveActivity(ctx: AdminContext, id: string, status: 'published' | 'closed') {
  const activity = await existingActivity(ctx, id);
  if (status === 'published' && activity.status === 'closed')
    throw new AppError('ACTIVITY_CLOSED', '已关闭的活动不能再发布');
  const problem =
    status === 'published' &&
    publishProblem(
      {
        startAt: new Date(activity.startAt),
        endAt: new Date(activity.endAt),
        deadline: new Date(activity.deadline ?? activity.startAt),
      },
      ctx.now,
    );
  if (problem) throw fieldError(problem.path, problem.message);
  await ctx.db
    .collection('activities')
    .doc(id)
    .update({ data: { status, updatedAt: ctx.now } });
  await record(ctx, status === 'published' ? 'activity.publish' : 'activity.close', id, {
    title: activity.title,
  });
  return { activityId: id, status };
}

/**
 * Published activities whose end has passed are closed, saying so (closedReason `ended`): the
 * mini program stops offering them at their end, and the list should not call them 已发布.
 */
async function closeEnded(ctx: AdminContext) {
  const _ = ctx.db.command;
  await ctx.db
    .collection('activities')
    .where({ status: 'published', endAt: _.lt(ctx.now) })
    .update({ data: { status: 'closed', closedReason: 'ended', updatedAt: ctx.now } });
}

type CustomerFacts = { profile?: { name?: string }; phone?: string | null };

/** Sign-ups as the list shows them: the customer's name and masked phone, who checked them in. */
async function registrationViews(ctx: AdminContext, rows: RegistrationDoc[]): Promise<RegistrationView[]> {
  const _ = ctx.db.command;
  const customerIds = [...new Set(rows.map((r) => r.customerId))];
  const staffIds = [
    ...new Set(rows.map((r) => r.checkedInBy).filter((by): by is string => !!by && !by.includes(':'))),
  ];
  const customers = new Map<string, CustomerFacts>();
  for (let i = 0; i < customerIds.length; i += 100) {
    const { data: found } = await ctx.db
      .collection('customers')
      .where({ _id: _.in(customerIds.slice(i, i + 100)) })
      .field({ _id: true, profile: true, phone: true })
      .limit(100)
      .get();
    for (const c of found as ({ _id: string } & CustomerFacts)[]) customers.set(c._id, c);
  }
  const staffNames = new Map<string, string>();
  if (staffIds.length > 0) {
    const { data } = await ctx.db
      .collection('staff')
      .where({ _id: _.in(staffIds) })
      .field({ name: true })
      .limit(staffIds.length)
      .get();
    for (const s of data as { _id: string; name: string }[]) staffNames.set(s._id, s.name);
  }
  return rows.map((r) => ({
    registrationId: r._id,
    customerId: r.customerId,
    name: customers.get(r.customerId)?.profile?.name ?? r.answers?.name ?? null,
    phoneMasked: maskPhone(customers.get(r.customerId)?.phone),
    status: r.status,
    answers: r.answers ?? {},
    createdAt: iso(r.createdAt)!,
    checkedInAt: iso(r.checkedInAt),
    checkedInBy: r.checkedInBy
      ? r.checkedInBy.startsWith('account:')
        ? `后台 ${r.checkedInBy.slice('account:'.length)}`
        : (staffNames.get(r.checkedInBy) ?? r.checkedInBy)
      : null,
  }));
}

const REGISTRATION_STATUS_LABELS: Record<RegistrationView['status'], string> = {
  joined: '已报名',
  checked_in: '已签到',
  cancelled: '已取消',
};

const titleTaken = (title: string) => `已有名为「${title}」的活动，请在名称里加上日期或地点以便区分`;

/** A copy's title: the original's, then its store (cut to fit the 40 characters a title may have). */
function copyTitle(title: string, store: string): string {
  const suffix = `·${store}`;
  return `${title.slice(0, Math.max(1, 40 - suffix.length))}${suffix}`;
}

/** A copy of an activity for one store: the same form, text and cover; its length and deadline move with its start. */
function copyFor(
  source: StoredActivity,
  item: { store: string; capacity: number; startAt?: string },
  status: 'draft' | 'published',
): NewActivity {
  const from = new Date(source.startAt).getTime();
  const startAt = item.startAt ? new Date(item.startAt) : new Date(from);
  const shift = (at: Date) => new Date(startAt.getTime() + new Date(at).getTime() - from);
  return {
    title: copyTitle(source.title, item.store),
    description: source.description ?? '',
    place: source.place ?? '',
    startAt,
    endAt: shift(source.endAt),
    deadline: shift(source.deadline ?? source.startAt),
    capacity: item.capacity,
    fields: source.fields,
    // The same ids: the copies' answers share the export's columns.
    customFields: source.customFields ?? [],
    ...(source.coverUrl ? { coverUrl: source.coverUrl } : {}),
    status,
    store: item.store,
  };
}

/** A staff code for the activity for each active member of its store, named after both. */
async function staffCodesFor(ctx: AdminContext, activity: StoredActivity) {
  const { data } = await ctx.db
    .collection('staff')
    .where({ store: activity.store, active: true })
    .field({ _id: true, name: true })
    .limit(200)
    .get();
  const codes: { codeId: string; scene: string; name: string }[] = [];
  for (const member of data as { _id: string; name: string }[]) {
    const named = codes.filter((c) => c.name.startsWith(`${activity.title}·${member.name}`)).length;
    const code = await createCode(ctx, {
      channelType: 'staff',
      name: `${activity.title}·${member.name}${named > 0 ? `·${named + 1}` : ''}`,
      staffId: member._id,
      activityId: activity._id,
      storeId: activity.store ?? undefined,
    });
    codes.push({ codeId: code._id, scene: code.scene, name: code.name });
  }
  return codes;
}

/** A new custom field's id: lowercase, as typings/customFields' CUSTOM_FIELD_ID wants. */
const newFieldId = () => randomId(6).toLowerCase();

const catalogueLabel = (key: string) => FIELD_CATALOGUE[key as FieldKey]?.label ?? key;

/** What a new activity is made of (a form's or a copy's), checked as POST /activities checks it. */
interface NewActivity {
  title: string;
  description: string;
  place: string;
  startAt: Date;
  endAt: Date;
  deadline: Date;
  capacity: number;
  fields: FieldKey[];
  customFields: CustomField[];
  coverUrl?: string;
  status: 'draft' | 'published';
  store: string | null;
}

/** The checks every new activity passes; `at` is the refused field's path prefix. */
async function assertNewActivity(ctx: AdminContext, input: NewActivity, at = '') {
  await assertUnique(
    ctx,
    { collection: 'activities', field: 'title', path: `${at}title` },
    input.title,
    titleTaken(input.title),
  );
  if (input.startAt <= ctx.now) throw fieldError(`${at}startAt`, '开始时间已经过去，请选择将来的时间');
  const problem = input.status === 'published' && publishProblem(input, ctx.now);
  if (problem) throw fieldError(`${at}${problem.path}`, problem.message);
  await assertActiveStore(ctx, `${at}store`, input.store ?? undefined);
}

/** Checks and stores one new activity (a form's, a template's). */
export async function createActivity(ctx: AdminContext, input: NewActivity): Promise<StoredActivity> {
  await assertNewActivity(ctx, input);
  return storeActivity(ctx, input);
}

async function storeActivity(ctx: AdminContext, input: NewActivity): Promise<StoredActivity> {
  const activity: StoredActivity = {
    _id: `act-${randomId(9)}`,
    ...input,
    remaining: input.capacity,
    fields: [...new Set(input.fields)],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await insertOnce(ctx.db, 'activities', activity);
  await record(ctx, 'activity.create', activity._id, { title: activity.title, status: activity.status });
  return activity;
}

export const activityHandlers = {
  'GET /activities': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    await closeEnded(ctx);
    const { data } = await ctx.db.collection('activities').limit(1000).get();
    return {
      items: (data as ActivityDoc[])
        .sort((a, b) => new Date(b.startAt).getTime() - new Date(a.startAt).getTime())
        .map(activityView),
    };
  }),

  'POST /activities': handle(schemas.activity, async (input, ctx: AdminContext) => {
    const activity: NewActivity = {
      ...input,
      startAt: new Date(input.startAt),
      endAt: new Date(input.endAt),
      deadline: new Date(input.deadline ?? input.startAt),
      customFields: withFieldIds(input.customFields, newFieldId),
      store: input.store ?? null,
    };
    return { activityId: (await createActivity(ctx, activity))._id };
  }),

  'POST /activities/:id/copies': handle(schemas.activityCopies, async (input, ctx: AdminContext, { id }) => {
    const source = await existingActivity(ctx, id);
    const copies = input.items.map((item) => copyFor(source, item, input.status));
    // Every copy is checked before the first is stored: a refused line leaves nothing half made.
    for (const [index, copy] of copies.entries()) await assertNewActivity(ctx, copy, `items.${index}.`);
    const items = [];
    for (const copy of copies) {
      const activity = await storeActivity(ctx, copy);
      const codes = input.staffCodes ? await staffCodesFor(ctx, activity) : [];
      items.push({ activityId: activity._id, title: activity.title, store: copy.store, codes });
    }
    await record(ctx, 'activity.copy', id, {
      title: source.title,
      stores: copies.map((c) => c.store),
      staffCodes: input.staffCodes,
    });
    return { items };
  }),

  'GET /activities/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) =>
    activityView(await existingActivity(ctx, id)),
  ),

  'PATCH /activities/:id': handle(schemas.activityEdit, async (input, ctx: AdminContext, { id }) => {
    const activity = await existingActivity(ctx, id);
    await assertUnique(
      ctx,
      { collection: 'activities', field: 'title', ownId: id },
      input.title,
      titleTaken(input.title ?? ''),
    );
    const startAt = input.startAt ? new Date(input.startAt) : new Date(activity.startAt);
    const endAt = input.endAt ? new Date(input.endAt) : new Date(activity.endAt);
    if (endAt <= startAt) throw fieldError('endAt', '结束时间必须晚于开始时间');
    // A start moved into the past is a typo; one already past (a running event) may stay.
    if (input.startAt && startAt <= ctx.now && startAt.getTime() !== new Date(activity.startAt).getTime())
      throw fieldError('startAt', '开始时间已经过去，请选择将来的时间');
    if (input.store && input.store !== activity.store) await assertActiveStore(ctx, 'store', input.store);
    const changes: Record<string, unknown> = { updatedAt: ctx.now };
    for (const key of ['title', 'description', 'place', 'store', 'coverUrl'] as const)
      if (input[key] !== undefined) changes[key] = input[key];
    if (input.customFields) {
      const customFields = withFieldIds(input.customFields, newFieldId);
      const _ = ctx.db.command;
      changes.customFields = _.set(customFields);
      changes.retiredFields = _.set(
        retiredAfter(activity.customFields ?? [], activity.retiredFields ?? [], customFields),
      );
    }
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
        timePage<RegistrationDoc>(
          ctx.db,
          'registrations',
          where,
          'createdAt',
          input.cursor,
          REGISTRATION_PAGE,
        ),
        countOf('joined'),
        countOf('checked_in'),
        countOf('cancelled'),
      ]);
      const items = await registrationViews(ctx, page.items as RegistrationDoc[]);
      // `joined` counts everyone holding a seat, checked in or not.
      return {
        items,
        nextCursor: page.nextCursor,
        counts: { joined: joined + checkedIn, checkedIn, cancelled },
      };
    },
  ),

  'POST /activities/:id/registrations/:registrationId/checkin': handle(
    schemas.empty,
    async (_input, ctx: AdminContext, { id, registrationId }) => {
      const activity = await existingActivity(ctx, id);
      const registration = await registrationById(ctx.db, registrationId);
      if (registration?.activityId !== id) throw new AppError('NOT_FOUND', '没有这条报名');
      if (registration.status === 'cancelled')
        throw new AppError('ACTIVITY_CLOSED', '该报名已取消，不能签到');
      const problem = checkinProblem(activity, ctx.now);
      if (problem) throw new AppError('ACTIVITY_CLOSED', problem.message);
      // As at the door: only the check-in that moves the sign-up counts it.
      const moved = await moveRegistration(ctx.db, registrationId, 'joined', {
        status: 'checked_in',
        checkedInAt: ctx.now,
        checkedInBy: actorOf(ctx),
        updatedAt: ctx.now,
      });
      if (moved) {
        await countFunnel(
          ctx.db,
          ctx.now,
          { channelId: registration.channel, staffId: registration.staffId, activityId: id },
          { checkins: 1 },
        );
        await record(ctx, 'registration.checkin', registrationId, { activityId: id, title: activity.title });
      }
      const [view] = await registrationViews(ctx, [(await registrationById(ctx.db, registrationId))!]);
      return { ...view, alreadyCheckedIn: !moved };
    },
  ),

  'POST /activities/:id/registrations/export': handle(
    schemas.empty,
    async (_input, ctx: AdminContext, { id }) => {
      const activity = await existingActivity(ctx, id);
      const rows: RegistrationDoc[] = [];
      let cursor: string | undefined;
      do {
        const page = await timePage<RegistrationDoc>(
          ctx.db,
          'registrations',
          { activityId: id },
          'createdAt',
          cursor,
          1000,
        );
        rows.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && rows.length < MAX_EXPORT_SIGNUPS);
      const views = await registrationViews(ctx, rows);
      const columns = activityAnswerColumns(activity, catalogueLabel);
      const fixed = [NAME_FOR_SALES, '手机号（已打码）', '状态', '报名时间', '签到时间', '签到人'];
      const header = [...fixed, ...columns.map((c) => answerHeader(c, fixed))];
      const csv =
        BOM +
        csvRow(header) +
        views
          .map((v) =>
            csvRow([
              v.name,
              v.phoneMasked,
              REGISTRATION_STATUS_LABELS[v.status],
              chinaTime(v.createdAt),
              chinaTime(v.checkedInAt),
              v.checkedInBy,
              ...columns.map((c) => answerIn(v.answers, c)),
            ]),
          )
          .join('');
      await record(ctx, 'registrations.export', id, { title: activity.title, rows: views.length });
      return {
        fileName: `${activity.title}-报名名单-${chinaTime(ctx.now).slice(0, 10)}.csv`,
        csv,
        rows: views.length,
      };
    },
  ),
};
