import type { ActivityStatus } from '../../typings/customer';
import type { CustomField } from '../../typings/customFields';
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
  /**
   * Seats left: taken and given back by conditional atomic updates; recounted from the live
   * registrations by the dispatcher once the seats have been quiet (customer/joins.ts), so a
   * join that died between its seat and its registration does not lose the seat for good.
   */
  remaining: number;
  /** When a seat was last taken or given back (the start of that call). */
  seatsMovedAt?: Date;
  /** When the seats were last recounted. */
  seatsCheckedAt?: Date;
  fields: FieldKey[];
  /** The activity's own questions, asked after the catalogue fields, in this order. */
  customFields?: CustomField[];
  /** Custom fields removed from the form: their answers keep these labels. */
  retiredFields?: CustomField[];
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
export async function takeSeat(db: Database, id: string, now: Date): Promise<boolean> {
  const _ = db.command;
  const res = await db
    .collection(ACTIVITIES)
    .where({ _id: id, status: 'published', remaining: _.gt(0) })
    .update({ data: { remaining: _.inc(-1), seatsMovedAt: now } });
  return res.stats.updated === 1;
}

export async function giveSeatBack(db: Database, id: string, now: Date): Promise<void> {
  const _ = db.command;
  await db
    .collection(ACTIVITIES)
    .doc(id)
    .update({ data: { remaining: _.inc(1), seatsMovedAt: now } });
}

/**
 * Sets the seats left to what the live registrations leave, only if no seat moved and the capacity
 * did not change since `activity` was read: false when something did (recount later).
 */
export async function recountSeats(
  db: Database,
  activity: ActivityDoc,
  live: number,
  now: Date,
): Promise<boolean> {
  const res = await db
    .collection(ACTIVITIES)
    .where({
      _id: activity._id,
      capacity: activity.capacity,
      remaining: activity.remaining,
      seatsMovedAt: activity.seatsMovedAt,
    })
    .update({ data: { remaining: Math.max(0, activity.capacity - live), seatsCheckedAt: now } });
  return res.stats.updated === 1;
}
