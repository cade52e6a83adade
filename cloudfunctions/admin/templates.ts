import { type ActivityTemplateView, adminRequestSchemas as schemas } from '../../typings/admin';
import type { CustomField } from '../../typings/customFields';
import type { FieldKey } from '../../typings/fields';
import { activityById } from '../repositories/activities';
import { AppError } from '../runtime/errors';
import { findById, insertOnce, randomId } from '../runtime/store';
import { createActivity } from './activities';
import { type AdminContext, actorOf, record } from './context';
import { handle } from './http';
import { assertUnique } from './unique';
import { iso } from './views';

/**
 * Activity templates: an activity saved without its dates, store and sign-ups, for the next one
 * like it. The admin page fills a new activity's form from one (then POST /activities); an API
 * caller makes one from it with its start and what differs.
 */
export interface ActivityTemplateDoc {
  _id: string;
  name: string;
  title: string;
  description: string;
  place: string;
  coverUrl: string | null;
  capacity: number;
  durationMinutes: number;
  deadlineMinutesBefore: number;
  fields: FieldKey[];
  customFields: CustomField[];
  createdBy: string;
  createdAt: Date;
}

const TEMPLATES = 'activityTemplates';
const MINUTE = 60_000;

function templateView(t: ActivityTemplateDoc): ActivityTemplateView {
  return {
    templateId: t._id,
    name: t.name,
    title: t.title,
    description: t.description,
    place: t.place,
    coverUrl: t.coverUrl,
    capacity: t.capacity,
    durationMinutes: t.durationMinutes,
    deadlineMinutesBefore: t.deadlineMinutesBefore,
    fields: t.fields,
    customFields: t.customFields,
    createdAt: iso(t.createdAt)!,
  };
}

export const templateHandlers = {
  'GET /activity-templates': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const { data } = await ctx.db.collection(TEMPLATES).limit(200).get();
    return {
      items: (data as ActivityTemplateDoc[])
        .sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime())
        .map(templateView),
    };
  }),

  'POST /activity-templates': handle(schemas.activityTemplate, async (input, ctx: AdminContext) => {
    const activity = await activityById(ctx.db, input.activityId);
    if (!activity) throw new AppError('NOT_FOUND', '没有这个活动');
    await assertUnique(
      ctx,
      { collection: TEMPLATES, field: 'name' },
      input.name,
      `已有名为「${input.name}」的模板，请换个名称`,
    );
    const startAt = new Date(activity.startAt).getTime();
    const template: ActivityTemplateDoc = {
      _id: `tpl-${randomId(9)}`,
      name: input.name,
      title: activity.title,
      description: activity.description ?? '',
      place: activity.place ?? '',
      coverUrl: activity.coverUrl ?? null,
      capacity: activity.capacity,
      durationMinutes: Math.round((new Date(activity.endAt).getTime() - startAt) / MINUTE),
      deadlineMinutesBefore: Math.max(
        0,
        Math.round((startAt - new Date(activity.deadline ?? activity.startAt).getTime()) / MINUTE),
      ),
      fields: activity.fields,
      customFields: activity.customFields ?? [],
      createdBy: actorOf(ctx),
      createdAt: ctx.now,
    };
    await insertOnce(ctx.db, TEMPLATES, template);
    await record(ctx, 'activityTemplate.create', template._id, { name: template.name, from: activity._id });
    return templateView(template);
  }),

  'POST /activity-templates/:id/activities': handle(
    schemas.activityFromTemplate,
    async (input, ctx: AdminContext, { id }) => {
      const template = await findById<ActivityTemplateDoc>(ctx.db, TEMPLATES, id);
      if (!template) throw new AppError('NOT_FOUND', '没有这个模板');
      const startAt = new Date(input.startAt);
      const at = (minutes: number) => new Date(startAt.getTime() + minutes * MINUTE);
      const activity = await createActivity(ctx, {
        title: input.title ?? template.title,
        description: template.description,
        place: input.place ?? template.place,
        startAt,
        endAt: at(template.durationMinutes),
        deadline: at(-template.deadlineMinutesBefore),
        capacity: input.capacity ?? template.capacity,
        fields: template.fields,
        customFields: template.customFields,
        ...(template.coverUrl ? { coverUrl: template.coverUrl } : {}),
        status: input.status,
        store: input.store ?? null,
      });
      return { activityId: activity._id };
    },
  ),

  'DELETE /activity-templates/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    const template = await findById<ActivityTemplateDoc>(ctx.db, TEMPLATES, id);
    if (!template) throw new AppError('NOT_FOUND', '没有这个模板');
    await ctx.db.collection(TEMPLATES).doc(id).remove();
    await record(ctx, 'activityTemplate.delete', id, { name: template.name });
    return { templateId: id };
  }),
};
