import {
  type ActivityView,
  type RegistrationView,
  adminRequestSchemas as schemas,
} from '../../typings/admin';
import { maskPhone } from '../core/phone';
import { type ActivityDoc, activityById } from '../repositories/activities';
import { AppError, fieldError } from '../runtime/errors';
import { insertOnce, randomId } from '../runtime/store';
import { type AdminContext, record } from './context';
import { handle } from './http';
import { timePage } from './paging';
import { assertUnique } from './unique';
import { iso } from './views';

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

const titleTaken = (title: string) => `已有名为「${title}」的活动，请在名称里加上日期或地点以便区分`;

export const activityHandlers = {
  'GET /activities': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const { data } = await ctx.db.collection('activities').limit(1000).get();
    return {
      items: (data as ActivityDoc[])
        .sort((a, b) => new Date(b.startAt).getTime() - new Date(a.startAt).getTime())
        .map(activityView),
    };
  }),

  'POST /activities': handle(schemas.activity, async (input, ctx: AdminContext) => {
    await assertUnique(
      ctx,
      { collection: 'activities', field: 'title' },
      input.title,
      titleTaken(input.title),
    );
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
    await assertUnique(
      ctx,
      { collection: 'activities', field: 'title', ownId: id },
      input.title,
      titleTaken(input.title ?? ''),
    );
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
};
