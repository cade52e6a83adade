import type { LibraryItem, LibraryItemInput, LibraryKind } from '../../typings/library';
import { sharePath } from '../core/share';
import type { Database } from '../runtime/cloud';
import { findById } from '../runtime/store';
import { activitiesByIds } from './activities';

/** The script and material library: a small collection, read whole and filtered here. */
export type LibraryDoc = LibraryItemInput & { _id: string; uses: number; createdAt: Date; updatedAt: Date };

const LIBRARY = 'library';
const MAX_ITEMS = 500;

export function libraryItemById(db: Database, id: string): Promise<LibraryDoc | null> {
  return findById<LibraryDoc>(db, LIBRARY, id);
}

export async function findLibraryItems(
  db: Database,
  query: { kind?: LibraryKind; q?: string },
): Promise<LibraryDoc[]> {
  const { data } = await db
    .collection(LIBRARY)
    .where(query.kind ? { kind: query.kind } : {})
    .limit(MAX_ITEMS)
    .get();
  const words = query.q?.toLowerCase();
  return (data as LibraryDoc[])
    .filter(
      (item) =>
        !words ||
        [item.title, item.group, item.kind === 'script' ? item.text : ''].some((field) =>
          field.toLowerCase().includes(words),
        ),
    )
    .sort(
      (a, b) =>
        a.group.localeCompare(b.group, 'zh-CN') || b.uses - a.uses || a.title.localeCompare(b.title, 'zh-CN'),
    );
}

/**
 * Items as people read them: images with a download URL, cards with their activity's title and
 * the path a share opens (carrying `ch`, the sharer's code, when a staff member shares).
 */
export async function libraryViews(
  db: Database,
  items: LibraryDoc[],
  urlOf: (fileId: string) => Promise<string>,
  shareCode: string | null,
): Promise<LibraryItem[]> {
  const activities = await activitiesByIds(db, [
    ...new Set(items.flatMap((item) => (item.kind === 'card' ? [item.activityId] : []))),
  ]);
  return Promise.all(
    items.map(async (item): Promise<LibraryItem> => {
      const { _id, createdAt: _created, updatedAt, ...rest } = item;
      const view = { ...rest, itemId: _id, uses: item.uses ?? 0, updatedAt: updatedAt.toISOString() };
      if (item.kind === 'image') return { ...view, imageUrl: await urlOf(item.fileId).catch(() => '') };
      if (item.kind === 'card') {
        const activity = activities.get(item.activityId);
        return {
          ...view,
          activityTitle: activity?.title ?? '活动已删除',
          sharePath: shareCode
            ? sharePath(item.activityId, { ch: shareCode })
            : `pages/activity/index?id=${item.activityId}`,
        };
      }
      return view;
    }),
  );
}

/** Counts one use (a copy, a share, a save) of an item; false when there is no such item. */
export async function countLibraryUse(db: Database, id: string, now: Date): Promise<boolean> {
  const res = await db
    .collection(LIBRARY)
    .where({ _id: id })
    .update({ data: { uses: db.command.inc(1), lastUsedAt: now } });
  return res.stats.updated === 1;
}
