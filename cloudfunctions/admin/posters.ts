import { z } from 'zod';
import { type PosterTemplate, type PosterTemplateInput, posterTemplateSchema } from '../../typings/posters';
import { imageSize } from '../core/imageSize';
import { activitiesByIds, activityById } from '../repositories/activities';
import {
  POSTER_TEMPLATES,
  type PosterTemplateDoc,
  posterTemplateById,
  posterTemplates,
} from '../repositories/posters';
import { AppError, fieldError } from '../runtime/errors';
import { insertOnce, randomId } from '../runtime/store';
import { fileUrl, readStoredFile } from './cloudbase';
import { type AdminContext, record } from './context';
import { handle } from './http';
import { iso } from './views';

/**
 * Poster templates (导购海报): marketing uploads a background (as library images are uploaded)
 * and places the code and the name on it; staff get their own poster drawn by the staff function.
 */
const empty = z.object({});

/** The background's size, read from the stored file; refused unless it is a PNG or JPG. */
async function backgroundSize(fileId: string): Promise<{ width: number; height: number }> {
  const bytes = await readStoredFile(fileId).catch(() => {
    throw fieldError('backgroundFileId', '背景图读取失败，请重新上传');
  });
  const size = imageSize(bytes);
  if (!size) throw fieldError('backgroundFileId', '背景图只支持 PNG 或 JPG');
  return size;
}

/** The boxes must lie inside the background, or the code would be cut off. */
function assertInside(input: PosterTemplateInput, size: { width: number; height: number }) {
  const outside = `超出背景图（${size.width}×${size.height} 像素）`;
  const { codeBox, nameBox } = input;
  if (codeBox.x + codeBox.size > size.width) throw fieldError('codeBox.x', `活码右边${outside}`);
  if (codeBox.y + codeBox.size > size.height) throw fieldError('codeBox.y', `活码下边${outside}`);
  if (nameBox.x + nameBox.width > size.width) throw fieldError('nameBox.x', `姓名区域右边${outside}`);
  if (nameBox.y + nameBox.fontSize > size.height) throw fieldError('nameBox.y', `姓名下边${outside}`);
}

async function checkedTemplate(ctx: AdminContext, input: PosterTemplateInput) {
  if (input.activityId && !(await activityById(ctx.db, input.activityId)))
    throw fieldError('activityId', '没有这个活动');
  const size = await backgroundSize(input.backgroundFileId);
  assertInside(input, size);
  return size;
}

async function templateView(
  doc: PosterTemplateDoc,
  activityTitles: Map<string, string>,
): Promise<PosterTemplate> {
  const { _id, createdAt: _created, updatedAt, ...fields } = doc;
  return {
    ...fields,
    templateId: _id,
    backgroundUrl: await fileUrl(doc.backgroundFileId),
    activityTitle: doc.activityId ? (activityTitles.get(doc.activityId) ?? null) : null,
    updatedAt: iso(updatedAt)!,
  };
}

export const posterHandlers = {
  'GET /poster-templates': handle(empty, async (_input, ctx: AdminContext) => {
    const templates = await posterTemplates(ctx.db, false);
    const activities = await activitiesByIds(ctx.db, [
      ...new Set(templates.flatMap((t) => (t.activityId ? [t.activityId] : []))),
    ]);
    const titles = new Map([...activities].map(([id, a]) => [id, a.title]));
    return { items: await Promise.all(templates.map((t) => templateView(t, titles))) };
  }),

  'POST /poster-templates': handle(posterTemplateSchema, async (input, ctx: AdminContext) => {
    const size = await checkedTemplate(ctx, input);
    const templateId = `poster-${randomId(6)}`;
    const doc: PosterTemplateDoc = {
      _id: templateId,
      ...input,
      ...size,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    await insertOnce(ctx.db, POSTER_TEMPLATES, doc);
    await record(ctx, 'poster.create', templateId, { name: input.name });
    return { templateId, version: 1 };
  }),

  'PUT /poster-templates/:id': handle(posterTemplateSchema, async (input, ctx: AdminContext, { id }) => {
    const stored = await posterTemplateById(ctx.db, id);
    if (!stored) throw new AppError('NOT_FOUND', '这张海报模板已被删除');
    const size = await checkedTemplate(ctx, input);
    const version = stored.version + 1;
    await ctx.db
      .collection(POSTER_TEMPLATES)
      .doc(id)
      .set({ data: { ...input, ...size, version, createdAt: stored.createdAt, updatedAt: ctx.now } });
    await record(ctx, 'poster.update', id, { name: input.name, version });
    return { templateId: id, version };
  }),

  'DELETE /poster-templates/:id': handle(empty, async (_input, ctx: AdminContext, { id }) => {
    if (!(await posterTemplateById(ctx.db, id))) throw new AppError('NOT_FOUND', '这张海报模板已被删除');
    await ctx.db.collection(POSTER_TEMPLATES).doc(id).remove();
    await record(ctx, 'poster.delete', id);
    return { templateId: id, deleted: true };
  }),
};
