import type { ActivityStatus } from '../../typings/customer';
import type { FieldKey } from '../../typings/fields';
import type { Database } from '../runtime/cloud';
import { findById } from '../runtime/store';

export interface ActivityDoc {
  _id: string;
  title: string;
  description: string;
  place: string;
  coverUrl?: string;
  startAt: Date;
  endAt: Date;
  /** Sign-up deadline. */
  deadline: Date;
  capacity: number;
  /** Seats left: taken and given back only by conditional atomic updates, never recounted. */
  remaining: number;
  fields: FieldKey[];
  status: ActivityStatus;
  createdAt: Date;
  updatedAt: Date;
}

const ACTIVITIES = 'activities';

export function activityById(db: Database, id: string): Promise<ActivityDoc | null> {
  return findById<ActivityDoc>(db, ACTIVITIES, id);
}

/** Published activities that have not ended, soonest first (served by the status_start index). */
export async function upcomingActivities(db: Database, now: Date, limit = 50): Promise<ActivityDoc[]> {
  const _ = db.command;
  const { data } = await db
    .collection(ACTIVITIES)
    .where({ status: 'published', endAt: _.gte(now) })
    .orderBy('startAt', 'asc')
    .limit(limit)
    .get();
  return data as ActivityDoc[];
}

export async function activitiesByIds(db: Database, ids: string[]): Promise<Map<string, ActivityDoc>> {
  if (ids.length === 0) return new Map();
  const _ = db.command;
  const { data } = await db
    .collection(ACTIVITIES)
    .where({ _id: _.in(ids) })
    .limit(ids.length)
    .get();
  return new Map((data as ActivityDoc[]).map((a) => [a._id, a]));
}

/** Takes one seat if one is left, atomically: under a burst of joins capacity is never exceeded. */
export async function takeSeat(db: Database, id: string): Promise<boolean> {
  const _ = db.command;
  const res = await db
    .collection(ACTIVITIES)
    .where({ _id: id, status: 'published', remaining: _.gt(0) })
    .update({ data: { remaining: _.inc(-1) } });
  return res.stats.updated === 1;
}

export async function giveSeatBack(db: Database, id: string): Promise<void> {
  const _ = db.command;
  await db
    .collection(ACTIVITIES)
    .doc(id)
    .update({ data: { remaining: _.inc(1) } });
}
