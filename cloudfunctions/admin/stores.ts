import { type StoreView, adminRequestSchemas as schemas } from '../../typings/admin';
import { loadSettings, SETTINGS_ID } from '../repositories/pipeline';
import { AppError, fieldError } from '../runtime/errors';
import { findById, insertOnce, randomId } from '../runtime/store';
import { type AdminContext, record } from './context';
import { handle } from './http';
import { assertUnique } from './unique';
import { iso } from './views';

/**
 * The chain's stores as a managed list. Staff, codes and robots keep naming a store by its name
 * (the data already stored does), so every admin write that names one is checked against the
 * active stores here, and a rename carries the new name to all of them.
 */
export interface StoreDoc {
  _id: string;
  name: string;
  city: string;
  region: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

async function allStores(ctx: AdminContext): Promise<StoreDoc[]> {
  const { data } = await ctx.db.collection('stores').limit(1000).get();
  return (data as StoreDoc[]).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

/** The names of the active stores, for checking a batch of names with one read. */
export async function activeStoreNames(ctx: AdminContext): Promise<Set<string>> {
  const { data } = await ctx.db
    .collection('stores')
    .where({ active: true })
    .field({ name: true })
    .limit(1000)
    .get();
  return new Set((data as StoreDoc[]).map((s) => s.name));
}

export const STORE_NOT_LISTED = '请从门店列表中选择门店（新门店请先在「门店」页添加）';

/** Refuses a store name that is not an active store of the list (a field error on `path`). */
export async function assertActiveStore(ctx: AdminContext, path: string, name: string | null | undefined) {
  if (!name) return;
  const { data } = await ctx.db.collection('stores').where({ name, active: true }).limit(1).get();
  if (data.length === 0) throw fieldError(path, STORE_NOT_LISTED);
}

function storeView(store: StoreDoc, staffCounts: Map<string, number>): StoreView {
  return {
    storeId: store._id,
    name: store.name,
    city: store.city ?? '',
    region: store.region ?? '',
    active: store.active,
    staffCount: staffCounts.get(store.name) ?? 0,
    createdAt: iso(store.createdAt)!,
    updatedAt: iso(store.updatedAt)!,
  };
}

async function staffCounts(ctx: AdminContext): Promise<Map<string, number>> {
  const { data } = await ctx.db.collection('staff').field({ store: true }).limit(1000).get();
  const counts = new Map<string, number>();
  for (const s of data as { store: string }[]) counts.set(s.store, (counts.get(s.store) ?? 0) + 1);
  return counts;
}

/**
 * Carries a store's new name to everything that names it: staff, codes and the robots of the
 * delivery settings. Done before the store itself is renamed, so a rename that fails halfway is
 * finished by trying it again.
 */
async function renameReferences(ctx: AdminContext, from: string, to: string) {
  const _ = ctx.db.command;
  const [staff, codes] = await Promise.all([
    ctx.db
      .collection('staff')
      .where({ store: from })
      .update({ data: { store: to, updatedAt: ctx.now } }),
    ctx.db
      .collection('codes')
      .where({ storeId: from })
      .update({ data: { storeId: to, updatedAt: ctx.now } }),
  ]);
  const settings = await loadSettings(ctx.db);
  const robots = settings.robots.filter((r) => r.store === from).length;
  if (robots > 0)
    await ctx.db
      .collection('rules')
      .doc(SETTINGS_ID)
      .update({
        data: {
          robots: _.set(settings.robots.map((r) => (r.store === from ? { ...r, store: to } : r))),
          updatedAt: ctx.now,
        },
      });
  return { staff: staff.stats.updated, codes: codes.stats.updated, robots };
}

const newStore = (ctx: AdminContext, fields: Pick<StoreDoc, 'name' | 'city' | 'region'>): StoreDoc => ({
  _id: `store-${randomId(6)}`,
  ...fields,
  active: true,
  createdAt: ctx.now,
  updatedAt: ctx.now,
});

export const storeHandlers = {
  'GET /stores': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const [stores, counts] = await Promise.all([allStores(ctx), staffCounts(ctx)]);
    return { items: stores.map((s) => storeView(s, counts)) };
  }),

  'POST /stores': handle(schemas.store, async (input, ctx: AdminContext) => {
    await assertUnique(
      ctx,
      { collection: 'stores', field: 'name' },
      input.name,
      `已有名为「${input.name}」的门店`,
    );
    const store = newStore(ctx, input);
    // The unique name index decides a race between two people adding the same store.
    if (!(await insertOnce(ctx.db, 'stores', store)))
      throw fieldError('name', `已有名为「${input.name}」的门店`);
    await record(ctx, 'store.create', store._id, { name: store.name });
    return { storeId: store._id };
  }),

  'PATCH /stores/:id': handle(schemas.storeEdit, async (input, ctx: AdminContext, { id }) => {
    const store = await findById<StoreDoc>(ctx.db, 'stores', id);
    if (!store) throw new AppError('NOT_FOUND', '没有这个门店');
    const renamed = input.name !== undefined && input.name !== store.name;
    if (renamed)
      await assertUnique(
        ctx,
        { collection: 'stores', field: 'name', ownId: id },
        input.name,
        `已有名为「${input.name}」的门店`,
      );
    if (input.active === false && store.active) {
      const { total } = await ctx.db.collection('staff').where({ store: store.name, active: true }).count();
      if (total > 0)
        throw fieldError('active', `「${store.name}」还有 ${total} 名在职员工，请先调整他们的门店或停用他们`);
    }
    const moved = renamed ? await renameReferences(ctx, store.name, input.name!) : null;
    await ctx.db
      .collection('stores')
      .doc(id)
      .update({ data: { ...input, updatedAt: ctx.now } });
    await record(ctx, renamed ? 'store.rename' : 'store.update', id, {
      name: input.name ?? store.name,
      ...(renamed ? { from: store.name, moved } : {}),
      fields: Object.keys(input),
    });
    const counts = await staffCounts(ctx);
    return storeView((await findById<StoreDoc>(ctx.db, 'stores', id))!, counts);
  }),

  'POST /stores/adopt': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const [stores, staff, codes, settings] = await Promise.all([
      allStores(ctx),
      ctx.db.collection('staff').field({ store: true }).limit(1000).get(),
      ctx.db.collection('codes').field({ storeId: true }).limit(1000).get(),
      loadSettings(ctx.db),
    ]);
    const known = new Set(stores.map((s) => s.name));
    const named = [
      ...(staff.data as { store?: string }[]).map((s) => s.store),
      ...(codes.data as { storeId?: string | null }[]).map((c) => c.storeId),
      ...settings.robots.map((r) => r.store),
    ];
    const missing = [...new Set(named)].filter((name): name is string => !!name && !known.has(name));
    for (const name of missing)
      await insertOnce(ctx.db, 'stores', newStore(ctx, { name, city: '', region: '' }));
    if (missing.length > 0) await record(ctx, 'store.adopt', `${missing.length} stores`, { names: missing });
    return { created: missing };
  }),
};
