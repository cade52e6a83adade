import type { StaffPosterTemplate } from '../../typings/posters';
import { activitiesByIds } from '../repositories/activities';
import type { CodeDoc, StaffDoc } from '../repositories/codes';
import { type PosterTemplateDoc, posterTemplates, renderedImage } from '../repositories/posters';
import type { Database } from '../runtime/cloud';
import { fileUrl, readStoredFile, storeFile } from '../runtime/openapi';
import { renderCodeCard, renderPoster } from '../runtime/poster';
import { stableId } from '../runtime/store';

/** The enabled templates a staff member may use: general ones, and those of activities not in draft. */
export async function staffPosterTemplates(db: Database): Promise<StaffPosterTemplate[]> {
  const templates = await posterTemplates(db, true);
  const activities = await activitiesByIds(db, [
    ...new Set(templates.flatMap((t) => (t.activityId ? [t.activityId] : []))),
  ]);
  const usable = templates.filter((t) => {
    const activity = t.activityId ? activities.get(t.activityId) : null;
    return t.activityId === null || (activity && activity.status !== 'draft');
  });
  return Promise.all(
    usable.map(async (t) => ({
      templateId: t._id,
      name: t.name,
      activityId: t.activityId,
      activityTitle: t.activityId ? (activities.get(t.activityId)?.title ?? null) : null,
      backgroundUrl: await fileUrl(t.backgroundFileId),
      width: t.width,
      height: t.height,
    })),
  );
}

/**
 * The staff member's poster of a template, drawn once per template version × staff member (and
 * their name) × activity: an edited template, or a renamed member, gets a new one.
 */
export function staffPosterFile(
  db: Database,
  template: PosterTemplateDoc,
  staff: StaffDoc,
  codeImageFileId: string,
  now: Date,
): Promise<string> {
  const key = stableId(
    'poster',
    template._id,
    String(template.version),
    staff._id,
    template.activityId ?? '-',
    staff.name,
  );
  return renderedImage(
    db,
    key,
    async () => {
      const [background, code] = await Promise.all([
        readStoredFile(template.backgroundFileId),
        readStoredFile(codeImageFileId),
      ]);
      return storeFile(`posters/${key}.png`, await renderPoster(background, code, staff.name, template));
    },
    now,
  );
}

/** What is printed under a code: its name, its staff member and its store. */
export function codeCaption(code: CodeDoc, staffName: string | null): string[] {
  return [
    code.name,
    ...(staffName ? [`导购：${staffName}`] : []),
    ...(code.storeId ? [`门店：${code.storeId}`] : []),
  ];
}

/** A code's captioned card for print, drawn again only when its caption changes. */
export function codeCardFile(
  db: Database,
  code: CodeDoc,
  caption: string[],
  codeImageFileId: string,
  now: Date,
): Promise<string> {
  const key = stableId('code-card', code._id, code.scene, ...caption);
  return renderedImage(
    db,
    key,
    async () =>
      storeFile(
        `code-cards/${key}.png`,
        await renderCodeCard(await readStoredFile(codeImageFileId), caption),
      ),
    now,
  );
}
