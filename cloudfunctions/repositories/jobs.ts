import type { Database } from '../runtime/cloud';
import { numberFromEnv } from '../runtime/env';
import { findById, insertOnce } from '../runtime/store';

/**
 * Long work in steps: a job keeps its cursor and progress in the `jobs` collection, and whoever
 * advances it holds a short lease, so two invocations never work on the same job at once.
 */
export interface JobDoc<P = unknown> {
  _id: string;
  kind: string;
  status: 'running' | 'done' | 'failed' | 'expired';
  actor: string;
  params: P;
  cursor: string | null;
  processed: number;
  total: number;
  /** Partial results written so far (e.g. the file parts of an export). */
  parts: string[];
  fileId: string | null;
  fileName: string | null;
  error: string | null;
  /** When the job's file is deleted (exports hold personal data): null once it is. */
  expiresAt?: Date | null;
  leaseUntil: Date;
  createdAt: Date;
  updatedAt: Date;
}

const JOBS = 'jobs';

export function insertJob(db: Database, job: JobDoc): Promise<boolean> {
  return insertOnce(db, JOBS, job as { _id: string });
}

export function jobById<P>(db: Database, id: string): Promise<JobDoc<P> | null> {
  return findById<JobDoc<P>>(db, JOBS, id);
}

/** Takes the job for `ms` if it is running and nobody holds it: true when this caller got it. */
export async function leaseJob(db: Database, id: string, now: Date, ms: number): Promise<boolean> {
  const _ = db.command;
  const res = await db
    .collection(JOBS)
    .where({ _id: id, status: 'running', leaseUntil: _.lte(now) })
    .update({ data: { leaseUntil: new Date(now.getTime() + ms) } });
  return res.stats.updated === 1;
}

export async function saveJob(db: Database, id: string, changes: Partial<JobDoc>): Promise<void> {
  await db.collection(JOBS).doc(id).update({ data: changes });
}

/** How long a finished export's file is kept: `LEADPOOL_EXPORT_TTL_DAYS`, 7 days by default. */
export function exportExpiry(now: Date): Date {
  const days = numberFromEnv('LEADPOOL_EXPORT_TTL_DAYS', 7);
  return new Date(now.getTime() + (Number.isFinite(days) && days > 0 ? days : 7) * 86_400_000);
}

/**
 * Deletes the files of jobs past their expiry (the joined file and any parts) and marks the jobs
 * expired; answers how many. A batch per call: the dispatch timer comes back for the rest.
 */
export async function expireJobFiles(
  db: Database,
  now: Date,
  deleteFiles: (fileIds: string[]) => Promise<void>,
): Promise<number> {
  const { data } = await db
    .collection(JOBS)
    .where({ expiresAt: db.command.lte(now) })
    .limit(20)
    .get();
  for (const job of data as JobDoc[]) {
    const files = [...new Set([...(job.parts ?? []), ...(job.fileId ? [job.fileId] : [])])];
    if (files.length > 0) await deleteFiles(files);
    await db
      .collection(JOBS)
      .doc(job._id)
      .update({
        data: { status: 'expired', fileId: null, parts: db.command.set([]), expiresAt: null, updatedAt: now },
      });
  }
  return data.length;
}
