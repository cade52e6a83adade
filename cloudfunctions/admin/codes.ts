import crypto from 'node:crypto';
import { type CodeView, adminRequestSchemas as schemas } from '../../typings/admin';
import {
  CODE_STATS_MAX_DAYS,
  CODE_ZIP_MAX,
  type CodeStatsView,
  codeStatsQuerySchema,
  codeZipSchema,
} from '../../typings/codes';
import { CHANNEL_TYPE_LABELS } from '../../typings/pipeline';
import { daysBetween, emptyCodeCounts, sumCodeCounts } from '../core/codeStats';
import { generateCode } from '../core/codes';
import { dayOf } from '../core/funnel';
import { sharePath } from '../core/share';
import { activityById } from '../repositories/activities';
import { codeDaysBetween } from '../repositories/codeCounters';
import { type CodeDoc, codeById, insertCode, type StaffDoc, staffById } from '../repositories/codes';
import { AppError, fieldError } from '../runtime/errors';
import { findById, insertOnce, randomId } from '../runtime/store';
import { fileUrl } from './cloudbase';
import { pollCodeZip, startCodeZip } from './codeZip';
import { type AdminContext, record } from './context';
import { handle } from './http';
import { codeImageFileId } from './openapi';
import { assertActiveStore } from './stores';
import { assertUnique } from './unique';
import { iso } from './views';

const randomUint32 = () => crypto.randomBytes(4).readUInt32BE();

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
  // A channel of that name already counts such codes: a second one of the same name would split it.
  const { data } = await ctx.db.collection('channels').where({ name: input.name }).limit(1).get();
  const same = data[0] as { _id: string; type: string } | undefined;
  if (same?.type === input.channelType) return same._id;
  if (same)
    throw fieldError(
      'name',
      `已有名为「${input.name}」的${CHANNEL_TYPE_LABELS[same.type] ?? ''}渠道，请换个活码名称，或在「计入渠道」中选择渠道`,
    );
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

export async function createCode(
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
  await assertUnique(ctx, { collection: 'codes', field: 'name' }, input.name, codeNameTaken(input.name));
  await assertActiveStore(ctx, 'storeId', input.storeId);
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

/** The codes page's filter as a query. */
function codeFilter(filter: { staffId?: string; channelType?: string }): Record<string, unknown> {
  return {
    ...(filter.staffId ? { staffId: filter.staffId } : {}),
    ...(filter.channelType ? { channelType: filter.channelType } : {}),
  };
}

/** The codes a ZIP is asked for: those ticked (all must exist) or all under the filter. */
async function codesToZip(
  ctx: AdminContext,
  input: { codeIds?: string[]; filter?: { staffId?: string; channelType?: string } },
): Promise<CodeDoc[]> {
  const where = input.codeIds ? { _id: ctx.db.command.in(input.codeIds) } : codeFilter(input.filter ?? {});
  const { data } = await ctx.db
    .collection('codes')
    .where(where)
    .limit(CODE_ZIP_MAX + 1)
    .get();
  const codes = data as CodeDoc[];
  if (input.codeIds) {
    const found = new Set(codes.map((c) => c._id));
    const missing = input.codeIds.findIndex((id) => !found.has(id));
    if (missing >= 0) throw fieldError(`codeIds.${missing}`, '有活码已被删除，请刷新后重选');
    const order = new Map(input.codeIds.map((id, i) => [id, i]));
    return codes.sort((a, b) => (order.get(a._id) ?? 0) - (order.get(b._id) ?? 0));
  }
  if (codes.length === 0) throw fieldError('filter', '筛选条件下没有活码');
  if (codes.length > CODE_ZIP_MAX)
    throw fieldError('filter', `筛选条件下超过 ${CODE_ZIP_MAX} 个活码，请缩小范围`);
  return codes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const codeNameTaken = (name: string) => `已有名为「${name}」的活码，请换个名称`;
const channelNameTaken = (name: string) => `已有名为「${name}」的渠道`;

/** A bulk line's refusal says which line: `items.3.name` and 第 4 行 before the message. */
function onLine(error: unknown, index: number): unknown {
  if (!(error instanceof AppError) || error.code !== 'INVALID_INPUT') return error;
  const fields = (error.fields ?? []).map((f) => ({
    path: `items.${index}.${f.path}`,
    message: `第 ${index + 1} 行：${f.message}`,
  }));
  return new AppError('INVALID_INPUT', fields[0]?.message ?? error.message, fields);
}

/** Names a bulk request repeats, or that codes already have: every such line, refused at once. */
async function assertNewNames(ctx: AdminContext, names: string[]) {
  const { data } = await ctx.db
    .collection('codes')
    .where({ name: ctx.db.command.in([...new Set(names)]) })
    .field({ name: true })
    .limit(names.length)
    .get();
  const taken = new Set((data as { name: string }[]).map((c) => c.name));
  const fields = names.flatMap((name, i) => {
    const message = taken.has(name)
      ? codeNameTaken(name)
      : names.indexOf(name) !== i
        ? `与第 ${names.indexOf(name) + 1} 行重名`
        : null;
    return message ? [{ path: `items.${i}.name`, message: `第 ${i + 1} 行：${message}` }] : [];
  });
  if (fields.length > 0) throw new AppError('INVALID_INPUT', fields[0].message, fields);
}

export const codeHandlers = {
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
    await assertUnique(
      ctx,
      { collection: 'channels', field: 'name' },
      input.name,
      channelNameTaken(input.name),
    );
    const channelId = `${input.type}-${randomId(6)}`;
    await insertOnce(ctx.db, 'channels', { _id: channelId, ...input, createdAt: ctx.now } as { _id: string });
    await record(ctx, 'channel.create', channelId, { name: input.name });
    return { channelId };
  }),

  'PATCH /channels/:id': handle(schemas.channelEdit, async (input, ctx: AdminContext, { id }) => {
    if (!(await findById(ctx.db, 'channels', id))) throw new AppError('NOT_FOUND', '没有这个渠道');
    await assertUnique(
      ctx,
      { collection: 'channels', field: 'name', ownId: id },
      input.name,
      channelNameTaken(input.name ?? ''),
    );
    await ctx.db
      .collection('channels')
      .doc(id)
      .update({ data: { ...input, updatedAt: ctx.now } });
    await record(ctx, 'channel.update', id, input);
    return { channelId: id };
  }),

  'GET /codes': handle(schemas.codeList, async (input, ctx: AdminContext) => {
    const { data } = await ctx.db.collection('codes').where(codeFilter(input)).limit(1000).get();
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
    await assertNewNames(
      ctx,
      input.items.map((item) => item.name),
    );
    const items: { codeId: string; scene: string; name: string }[] = [];
    for (const [index, item] of input.items.entries()) {
      const code = await createCode(ctx, {
        channelType: input.channelType,
        activityId: input.activityId,
        channelId: input.channelId,
        storeId: input.storeId,
        ...item,
      }).catch((error) => {
        throw onLine(error, index);
      });
      items.push({ codeId: code._id, scene: code.scene, name: code.name });
    }
    await record(ctx, 'code.bulkCreate', `${items.length} codes`, { channelType: input.channelType });
    return { items };
  }),

  'PATCH /codes/:id': handle(schemas.codeEdit, async (input, ctx: AdminContext, { id }) => {
    const code = await codeById(ctx.db, id);
    if (!code) throw new AppError('NOT_FOUND', '没有这个活码');
    await assertUnique(
      ctx,
      { collection: 'codes', field: 'name', ownId: id },
      input.name,
      codeNameTaken(input.name ?? ''),
    );
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

  'GET /codes/stats': handle(codeStatsQuerySchema, async (input, ctx: AdminContext) => {
    const { codeId } = input;
    const to = input.to ?? dayOf(ctx.now);
    const from = input.from ?? dayOf(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000));
    // The later bound is the one to fix when only it was given (or both were).
    const bound = input.to ? 'to' : 'from';
    if (from > to) throw fieldError(bound, '结束日期不能早于开始日期');
    if (daysBetween(from, to).length > CODE_STATS_MAX_DAYS)
      throw fieldError(bound, `一次最多查看 ${CODE_STATS_MAX_DAYS} 天`);
    const days = await codeDaysBetween(ctx.db, from, to);
    const perDay = sumCodeCounts(
      days.filter((d) => !codeId || d.codeId === codeId),
      (d) => d.day,
    );
    const view: CodeStatsView = {
      from,
      to,
      items: [...sumCodeCounts(days, (d) => d.codeId)].map(([id, counts]) => ({ codeId: id, ...counts })),
      trend: daysBetween(from, to).map((day) => ({ day, ...(perDay.get(day) ?? emptyCodeCounts()) })),
    };
    return view;
  }),

  'POST /codes/zip': handle(codeZipSchema, async (input, ctx: AdminContext) =>
    startCodeZip(ctx, await codesToZip(ctx, input)),
  ),

  'GET /codes/zip/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) =>
    pollCodeZip(ctx, id),
  ),

  'GET /codes/:id/image': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    const code = await codeById(ctx.db, id);
    if (!code) throw new AppError('NOT_FOUND', '没有这个活码');
    const imageFileId = code.imageFileId ?? (await codeImageFileId(code._id));
    return { codeId: id, imageUrl: await fileUrl(imageFileId) };
  }),
};
