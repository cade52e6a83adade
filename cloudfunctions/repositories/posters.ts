import type { PosterTemplateInput } from '../../typings/posters';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce } from '../runtime/store';

export const POSTER_TEMPLATES = 'posterTemplates';
const RENDERED = 'renderedImages';

export interface PosterTemplateDoc extends PosterTemplateInput {
  _id: string;
  version: number;
  /** The background's size in pixels, read from the uploaded image. */
  width: number;
  height: number;
  createdAt: Date;
  updatedAt: Date;
}

export function posterTemplateById(db: Database, id: string): Promise<PosterTemplateDoc | null> {
  return findById<PosterTemplateDoc>(db, POSTER_TEMPLATES, id);
}

/** Every template (a chain keeps a few dozen), newest first. */
export async function posterTemplates(db: Database, onlyEnabled: boolean): Promise<PosterTemplateDoc[]> {
  const { data } = await db
    .collection(POSTER_TEMPLATES)
    .where(onlyEnabled ? { enabled: true } : {})
    .limit(200)
    .get();
  return (data as PosterTemplateDoc[]).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
}

/**
 * An image drawn once and kept in cloud storage, found again by a key that names everything it
 * was drawn from (so a change of any of them draws a new one): the key's id holds its file id.
 */
export async function renderedImage(
  db: Database,
  key: string,
  draw: () => Promise<string>,
  now: Date,
): Promise<string> {
  const kept = await findById<{ fileId: string }>(db, RENDERED, key);
  if (kept) return kept.fileId;
  const fileId = await draw();
  // Two staff drawing the same key at once store the same path: either record is right.
  await insertOnce(db, RENDERED, { _id: key, fileId, createdAt: now } as { _id: string });
  return fileId;
}
