import { type ActivityDoc, recountSeats, upcomingActivities } from '../repositories/activities';
import { customerById } from '../repositories/customers';
import { leadById, storedLeadIds } from '../repositories/leads';
import { type RegistrationDoc, registrationsPage } from '../repositories/registrations';
import type { Database } from '../runtime/cloud';
import {
  captureLead,
  currentAttribution,
  type PreparedSubmission,
  type SavedSubmitter,
  withLead,
} from './submission';

/**
 * A join is one unit: a seat, a registration and a lead. They cannot be written together (a
 * transaction over the activity would make every join of a burst conflict), so whatever a crash
 * or a failed call leaves half done is completed afterwards: a retried join whose lead is missing
 * creates it, and the dispatcher, once an activity's seats have been quiet for longer than any
 * join can run, creates the lead of every registration that lacks one and recounts the seats
 * left from the live registrations.
 */
const QUIET_MS = 2 * 60_000;
/** Leads created per dispatcher run: the rest wait for the next minute. */
const REPAIRS_PER_RUN = 50;

interface Clock {
  db: Database;
  now: Date;
}

/**
 * Creates a registration's missing lead from what was stored with the registration (its answers,
 * and what it taught us about the person). False when there was nothing to create.
 */
export async function completeJoinLead(
  ctx: Clock,
  registration: RegistrationDoc,
  activity: ActivityDoc,
): Promise<boolean> {
  const { leadId } = registration;
  if (!leadId || registration.status === 'cancelled') return false;
  if (await leadById(ctx.db, leadId)) return false;
  const stored = await customerById(ctx.db, registration.customerId);
  const learned = registration.learned ?? null;
  const consent = learned?.consent ?? stored?.consent;
  if (!stored || !consent) return false;
  const customer = learned ? { ...stored, ...learned, updatedAt: ctx.now } : stored;
  await captureJoinLead(
    ctx,
    {
      customer: withLead(customer, ctx.now, true),
      learned: learned ? { ...learned, updatedAt: ctx.now } : {},
      repeat: stored.lastLeadAt !== null,
      possibleDuplicateOf: null,
      attribution: await currentAttribution(ctx, stored),
    },
    { profile: customer.profile, phone: customer.phone, consent, answers: registration.answers },
    activity,
    leadId,
  );
  return true;
}

/** A join's lead: an activity lead that also counts the sign-up. */
export function captureJoinLead(
  ctx: Clock,
  saved: SavedSubmitter,
  prepared: PreparedSubmission,
  activity: ActivityDoc,
  leadId: string,
) {
  return captureLead(
    ctx,
    saved,
    prepared,
    {
      leadId,
      requestKey: leadId,
      activityId: activity._id,
      activityTitle: activity.title,
      source: 'activity',
    },
    { signups: 1 },
  );
}

/** The dispatcher's part: leads created for registrations without one, and activities recounted. */
export async function repairJoins(ctx: Clock): Promise<{ leadsCreated: number; seatsRecounted: number }> {
  const quietSince = ctx.now.getTime() - QUIET_MS;
  const due = (await upcomingActivities(ctx.db, ctx.now, 100)).filter(
    (a) =>
      a.seatsMovedAt &&
      new Date(a.seatsMovedAt).getTime() <= quietSince &&
      (!a.seatsCheckedAt || new Date(a.seatsCheckedAt).getTime() < new Date(a.seatsMovedAt).getTime()),
  );
  let leadsCreated = 0;
  let seatsRecounted = 0;
  for (const activity of due) {
    // One activity's trouble does not hold up the others (or the rest of the dispatcher's run).
    try {
      let live = 0;
      let complete = true;
      for (let after = ''; ; ) {
        const page = await registrationsPage(ctx.db, activity._id, after);
        const joined = page.filter((r) => r.status !== 'cancelled');
        live += joined.length;
        const stored = await storedLeadIds(
          ctx.db,
          joined.flatMap((r) => (r.leadId ? [r.leadId] : [])),
        );
        for (const registration of joined.filter((r) => r.leadId && !stored.has(r.leadId))) {
          if (leadsCreated >= REPAIRS_PER_RUN) complete = false;
          else if (await completeJoinLead(ctx, registration, activity)) leadsCreated += 1;
        }
        if (page.length < 500) break;
        after = page[page.length - 1].customerId;
      }
      if (complete && (await recountSeats(ctx.db, activity, live, ctx.now))) seatsRecounted += 1;
    } catch (error) {
      console.error(`joins of activity ${activity._id} not repaired; next run retries`, error);
    }
  }
  return { leadsCreated, seatsRecounted };
}
