import type { Database } from '../runtime/cloud';
import { findById, insertOnce } from '../runtime/store';

/**
 * Long work in steps: a job keeps its cursor and progress in the `jobs` collection, and whoever
 * advances it holds a short lease, so two invocations never work on the same job at once.
 */
export interface JobDoc<P = unknown> {
  _id: string;
  kind: string;
  status: 'running' | 'done' | 'failed';
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
