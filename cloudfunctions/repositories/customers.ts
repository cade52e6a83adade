import type { ProfileFields } from '../../typings/customer';
import type { TouchFacts } from '../core/attribution';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce, randomId, stableId } from '../runtime/store';

export interface ConsentRecord {
  version: string;
  accepted: boolean;
  at: Date;
}

export interface CustomerDoc {
  _id: string;
  openid: string;
  /** Every openid known to be this person (a phone match merges a second one in). */
  openids: string[];
  unionid: string | null;
  phone: string | null;
  phoneVerified: boolean;
  profile: ProfileFields;
  consent: ConsentRecord | null;
  firstTouch: TouchFacts | null;
  ownerStaffId: string | null;
  ownerSince: Date | null;
  referrerCustomerId: string | null;
  storeId: string | null;
  /** Carried by the customer's share card: random, so nobody can refer in someone else's name. */
  shareToken: string;
  mergedInto: string | null;
  /** When the person last left a lead: a later lead of theirs is a repeat, not a new person. */
  lastLeadAt: Date | null;
  /** Behaviour the tag rules read: leads left and activities joined so far. */
  leadCount: number;
  joinCount: number;
  createdAt: Date;
  updatedAt: Date;
}

const CUSTOMERS = 'customers';

/** The customer for an openid, created on first sight; merged customers resolve to the survivor. */
export async function customerForOpenid(
  db: Database,
  openid: string,
  unionid: string | null,
  now: Date,
): Promise<CustomerDoc> {
  const id = stableId('customer', openid);
  let customer = await findById<CustomerDoc>(db, CUSTOMERS, id);
  if (!customer) {
    const fresh: CustomerDoc = {
      _id: id,
      openid,
      openids: [openid],
      unionid,
      phone: null,
      phoneVerified: false,
      profile: {},
      consent: null,
      firstTouch: null,
      ownerStaffId: null,
      ownerSince: null,
      referrerCustomerId: null,
      storeId: null,
      shareToken: randomId(9),
      mergedInto: null,
      lastLeadAt: null,
      leadCount: 0,
      joinCount: 0,
      createdAt: now,
      updatedAt: now,
    };
    // A concurrent first call may win the insert: then read what it created.
    customer = (await insertOnce(db, CUSTOMERS, fresh))
      ? fresh
      : await findById<CustomerDoc>(db, CUSTOMERS, id);
  }
  if (customer?.mergedInto) customer = await findById<CustomerDoc>(db, CUSTOMERS, customer.mergedInto);
  if (!customer) throw new Error(`customer of ${id} vanished`);
  return customer;
}

export async function customerByShareToken(db: Database, shareToken: string): Promise<CustomerDoc | null> {
  const { data } = await db.collection(CUSTOMERS).where({ shareToken, mergedInto: null }).limit(1).get();
  return (data[0] as CustomerDoc | undefined) ?? null;
}

export async function updateCustomer(db: Database, id: string, changes: Partial<CustomerDoc>): Promise<void> {
  await db.collection(CUSTOMERS).doc(id).update({ data: changes });
}

/**
 * Claims a phone number for a customer. Returns the customer that holds it: the caller itself,
 * or the earlier customer with that number (then the caller is the same person, merged in).
 */
export async function claimPhone(
  db: Database,
  phone: string,
  customerId: string,
  now: Date,
): Promise<string> {
  const claimId = `phone:${phone}`;
  if (await insertOnce(db, 'identities', { _id: claimId, customerId, createdAt: now } as { _id: string }))
    return customerId;
  const claim = await findById<{ customerId: string }>(db, 'identities', claimId);
  return claim?.customerId ?? customerId;
}

/** Folds a second openid's customer into the one already holding the phone. */
export async function mergeCustomer(
  db: Database,
  from: CustomerDoc,
  into: CustomerDoc,
  now: Date,
): Promise<void> {
  const _ = db.command;
  for (const openid of from.openids) {
    await db
      .collection(CUSTOMERS)
      .doc(into._id)
      .update({ data: { openids: _.addToSet(openid), updatedAt: now } });
  }
  for (const collection of ['touches', 'leads', 'registrations']) {
    await db
      .collection(collection)
      .where({ customerId: from._id })
      .update({ data: { customerId: into._id } });
  }
  await db
    .collection(CUSTOMERS)
    .doc(from._id)
    .update({ data: { mergedInto: into._id, updatedAt: now } });
}

export async function releasePhone(db: Database, phone: string): Promise<void> {
  await db
    .collection('identities')
    .where({ _id: `phone:${phone}` })
    .remove();
}

export async function removeCustomer(db: Database, id: string): Promise<void> {
  await db.collection(CUSTOMERS).where({ _id: id }).remove();
  await db.collection(CUSTOMERS).where({ mergedInto: id }).remove();
}
