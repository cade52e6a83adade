import type { ProfileFields, RegistrationSummary } from '../../typings/customer';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce } from '../runtime/store';
import type { ConsentRecord } from './customers';

export interface RegistrationDoc {
  _id: string;
  requestKey: string;
  activityId: string;
  customerId: string;
  status: RegistrationSummary['status'];
  /** Shown as a QR code on the customer's phone; staff scan it to check in. Random, unique. */
  checkinCode: string;
  answers: Record<string, string>;
  reminder: { templateId: string; sentAt: Date | null } | null;
  staffId: string | null;
  channel: string;
  createdAt: Date;
  updatedAt: Date;
  checkedInAt: Date | null;
  checkedInBy: string | null;
  /** The lead this sign-up makes: a join stored without it is completed from here. */
  leadId?: string;
  /** What the sign-up taught us about the person, saved on the customer with its lead. */
  learned?: { profile: ProfileFields; phone: string | null; consent: ConsentRecord } | null;
}

const REGISTRATIONS = 'registrations';

export function registrationById(db: Database, id: string): Promise<RegistrationDoc | null> {
  return findById<RegistrationDoc>(db, REGISTRATIONS, id);
}

export async function registrationByRequest(
  db: Database,
  requestKey: string,
): Promise<RegistrationDoc | null> {
  const { data } = await db.collection(REGISTRATIONS).where({ requestKey }).limit(1).get();
  return (data[0] as RegistrationDoc | undefined) ?? null;
}

export function insertRegistration(db: Database, registration: RegistrationDoc): Promise<boolean> {
  return insertOnce(db, REGISTRATIONS, registration);
}

/** Moves a registration from one status to another only if it is still in the first: true if it moved. */
export async function moveRegistration(
  db: Database,
  id: string,
  from: RegistrationDoc['status'],
  changes: Partial<RegistrationDoc>,
): Promise<boolean> {
  const res = await db.collection(REGISTRATIONS).where({ _id: id, status: from }).update({ data: changes });
  return res.stats.updated === 1;
}

/** One page of an activity's registrations (any status), by customer id after `after`. */
export async function registrationsPage(
  db: Database,
  activityId: string,
  after: string,
  limit = 500,
): Promise<RegistrationDoc[]> {
  const { data } = await db
    .collection(REGISTRATIONS)
    .where({ activityId, customerId: db.command.gt(after) })
    .orderBy('customerId', 'asc')
    .limit(limit)
    .get();
  return data as RegistrationDoc[];
}

export async function registrationsOf(
  db: Database,
  customerId: string,
  limit = 50,
): Promise<RegistrationDoc[]> {
  const { data } = await db
    .collection(REGISTRATIONS)
    .where({ customerId })
    .orderBy('createdAt', 'desc')
    .limit(limit)
    .get();
  return data as RegistrationDoc[];
}
