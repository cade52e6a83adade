import { fieldError } from '../runtime/errors';
import type { AdminContext } from './context';

/**
 * Refuses `value` when another record of `collection` already holds it in `field` (an index on
 * `field` serves the look-up); the refusal names `path`, the form field the value came from.
 * Admin writes are few and made by people, so a check before the write is enough.
 */
export async function assertUnique(
  ctx: AdminContext,
  target: { collection: string; field: string; path?: string; ownId?: string },
  value: string | null | undefined,
  message: string,
): Promise<void> {
  if (value === undefined || value === null || value === '') return;
  const { data } = await ctx.db
    .collection(target.collection)
    .where({ [target.field]: value })
    .field({ _id: true })
    .limit(2)
    .get();
  if ((data as { _id: string }[]).some((doc) => doc._id !== target.ownId))
    throw fieldError(target.path ?? target.field, message);
}
