import { zipSync } from 'fflate';
import type { JobView } from '../../typings/admin';
import type { CodeDoc } from '../repositories/codes';
import { insertJob, type JobDoc, jobById, leaseJob, saveJob } from '../repositories/jobs';
import { numberFromEnv } from '../runtime/env';
import { AppError } from '../runtime/errors';
import { CODE_CARDS_PER_CALL } from '../staff/server';
import { readStoredFile, storeFile } from './cloudbase';
import { type AdminContext, actorOf, record } from './context';
import { jobAnswer, newFileJob } from './exports';
import { codeCardFileIds } from './openapi';

/**
 * Codes for print as one ZIP of captioned cards, as a job the page polls (as exports are): each
 * poll asks the staff function for the next cards for a few seconds, the last one zips them.
 * The cards are kept by the staff function as a cache, so a job only lists their files.
 */
const STEP_MS = numberFromEnv('LEADPOOL_EXPORT_STEP_MS', 8_000);
const LEASE_MS = 30_000;
const KIND = 'codeZip';

interface CodeZipParams {
  /** The codes in order, each with its file name inside the ZIP. */
  files: { codeId: string; fileName: string }[];
}

type CodeZipJob = JobDoc<CodeZipParams> & { cards: string[] };

/** A name every system can unpack: no path or reserved characters, not too long. */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\\/:*?"<>|\p{Cc}]/gu, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 60);
  return cleaned || '活码';
}

/** One file per code, named by the code's name and its (unique) scene. */
export function zipEntries(codes: Pick<CodeDoc, '_id' | 'name' | 'scene'>[]): CodeZipParams['files'] {
  return codes.map((code) => ({
    codeId: code._id,
    fileName: `${safeFileName(code.name)}-${code.scene}.png`,
  }));
}

async function advance(ctx: AdminContext, job: CodeZipJob): Promise<CodeZipJob> {
  if (job.status !== 'running' || !(await leaseJob(ctx.db, job._id, new Date(), LEASE_MS))) return job;
  const started = Date.now();
  const { files } = job.params;
  const cards = [...job.cards];
  try {
    while (cards.length < files.length && Date.now() - started < STEP_MS) {
      const batch = files.slice(cards.length, cards.length + CODE_CARDS_PER_CALL);
      const drawn = new Map(
        (await codeCardFileIds(batch.map((f) => f.codeId))).map((c) => [c.codeId, c.fileId]),
      );
      // A code deleted since the job started has no card: its place stays empty.
      for (const file of batch) cards.push(drawn.get(file.codeId) ?? '');
    }
    const changes: Partial<CodeZipJob> = {
      cards,
      processed: cards.length,
      leaseUntil: new Date(0),
      updatedAt: new Date(),
    };
    if (cards.length === files.length) {
      const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
      const contents = await Promise.all(cards.map((fileId) => (fileId ? readStoredFile(fileId) : null)));
      // PNGs are compressed already: stored as they are.
      files.forEach((file, i) => {
        const content = contents[i];
        if (content) entries[file.fileName] = [content, { level: 0 }];
      });
      const fileId = await storeFile(`code-zips/${job._id}/${job.fileName}`, Buffer.from(zipSync(entries)));
      Object.assign(changes, { status: 'done', fileId });
    }
    await saveJob(ctx.db, job._id, {
      ...changes,
      cards: ctx.db.command.set(cards),
    } as unknown as Partial<JobDoc>);
    return { ...job, ...changes } as CodeZipJob;
  } catch (error) {
    await saveJob(ctx.db, job._id, {
      status: 'failed',
      error: String((error as Error).message ?? error),
      leaseUntil: new Date(0),
    });
    throw error;
  }
}

/** Starts a ZIP of these codes and works on it for one step. */
export async function startCodeZip(ctx: AdminContext, codes: CodeDoc[]): Promise<JobView> {
  // The ZIP is deleted after a while like an export's file (the cards stay as the cache).
  const job: CodeZipJob = {
    ...newFileJob(ctx, {
      kind: KIND,
      params: { files: zipEntries(codes) },
      total: codes.length,
      fileName: (stamp) => `codes-${stamp}.zip`,
    }),
    cards: [],
  };
  await insertJob(ctx.db, job);
  await record(ctx, 'codes.zip', job._id, { codes: codes.length });
  return jobAnswer(await advance(ctx, job));
}

/** The job as it stands after one more step (only its starter sees it). */
export async function pollCodeZip(ctx: AdminContext, id: string): Promise<JobView> {
  const job = (await jobById<CodeZipParams>(ctx.db, id)) as CodeZipJob | null;
  if (job?.kind !== KIND || job.actor !== actorOf(ctx)) throw new AppError('NOT_FOUND', '没有这个下载任务');
  if (job.status === 'expired') throw new AppError('NOT_FOUND', '压缩包已过期删除，请重新下载');
  return jobAnswer(await advance(ctx, job));
}
