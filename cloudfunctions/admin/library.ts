import { z } from 'zod';
import { libraryItemSchema, libraryQuerySchema } from '../../typings/library';
import { activityById } from '../repositories/activities';
import { findLibraryItems, type LibraryDoc, libraryItemById, libraryViews } from '../repositories/library';
import { AppError, fieldError } from '../runtime/errors';
import { insertOnce, randomId } from '../runtime/store';
import { fileUrl, storeFile } from './cloudbase';
import { type AdminContext, record } from './context';
import { handle } from './http';

/** Marketing's script and material library (话术库 / 素材库), browsed by staff in the staff desk. */
const LIBRARY = 'library';
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const empty = z.object({});
const imageUpload = z.object({
  /** The picked file's name, kept in the audit log only. */
  name: z.string().trim().max(80, '文件名过长').default(''),
  /** The image as base64 (the HTTP access service carries JSON). */
  content: z
    .string()
    .min(1, '请选择图片')
    .max(Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 4, '图片不能超过 2 MB'),
});

/** PNG, JPEG or GIF by their first bytes, whatever the name says. */
function imageType(bytes: Buffer): 'png' | 'jpg' | 'gif' | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  return null;
}

async function assertCardActivity(ctx: AdminContext, item: z.infer<typeof libraryItemSchema>) {
  if (item.kind !== 'card') return;
  const activity = await activityById(ctx.db, item.activityId);
  if (!activity || activity.status === 'draft') throw fieldError('activityId', '请选择一个已发布的活动');
}

async function itemOrNotFound(ctx: AdminContext, id: string): Promise<LibraryDoc> {
  const item = await libraryItemById(ctx.db, id);
  if (!item) throw new AppError('NOT_FOUND', '这条素材已被删除');
  return item;
}

export const libraryHandlers = {
  'GET /library': handle(libraryQuerySchema, async (query, ctx: AdminContext) => ({
    items: await libraryViews(ctx.db, await findLibraryItems(ctx.db, query), fileUrl, null),
  })),

  'POST /library': handle(libraryItemSchema, async (item, ctx: AdminContext) => {
    await assertCardActivity(ctx, item);
    const itemId = `lib-${randomId(6)}`;
    const doc: LibraryDoc = { _id: itemId, ...item, uses: 0, createdAt: ctx.now, updatedAt: ctx.now };
    await insertOnce(ctx.db, LIBRARY, doc);
    await record(ctx, 'library.create', itemId, { kind: item.kind, title: item.title });
    return { itemId };
  }),

  'PUT /library/:id': handle(libraryItemSchema, async (item, ctx: AdminContext, params) => {
    const stored = await itemOrNotFound(ctx, params.id);
    await assertCardActivity(ctx, item);
    // A kind's own fields replace the old ones (an image turned into a link keeps no fileId).
    await ctx.db
      .collection(LIBRARY)
      .doc(params.id)
      .set({ data: { ...item, uses: stored.uses ?? 0, createdAt: stored.createdAt, updatedAt: ctx.now } });
    await record(ctx, 'library.update', params.id, { kind: item.kind, title: item.title });
    return { itemId: params.id };
  }),

  'DELETE /library/:id': handle(empty, async (_input, ctx: AdminContext, params) => {
    await itemOrNotFound(ctx, params.id);
    await ctx.db.collection(LIBRARY).doc(params.id).remove();
    await record(ctx, 'library.delete', params.id);
    return { itemId: params.id, deleted: true };
  }),

  'POST /library/images': handle(imageUpload, async ({ name, content }, ctx: AdminContext) => {
    const bytes = Buffer.from(content, 'base64');
    if (bytes.length > MAX_IMAGE_BYTES) throw fieldError('content', '图片不能超过 2 MB');
    const type = imageType(bytes);
    if (!type) throw fieldError('content', '只支持 PNG、JPG 或 GIF 图片');
    const fileId = await storeFile(`library/${randomId(9)}.${type}`, bytes);
    await record(ctx, 'library.upload', fileId, { name, bytes: bytes.length });
    return { fileId, imageUrl: await fileUrl(fileId) };
  }),
};
