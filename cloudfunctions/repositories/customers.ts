import type { ProfileFields } from '../../typings/customer';
import { type AttributionMemory, EMPTY_MEMORY, mergeMemories, type TouchFacts } from '../core/attribution';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce, randomId, stableId, updateAndReturn } from '../runtime/store';

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
  /** Absent on customers from before it was kept: their touches are read instead. */
  attribution?: AttributionMemory;
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
  /**
   * Activities the person signed up for (cancelled ones stay listed): an activity page reads the
   * registration only for these. Absent on customers from before: the registration is read.
   */
  joinedActivityIds?: string[];
  /** The sales member who owns the person's latest lead: their next lead goes to them while active. */
  salesOwnerId?: string | null;
  /**
   * The latest submissions (`minute:requestId`, oldest first), noted by the read that starts one:
   * the rate limit and replays read them. Absent on customers from before.
   */
  recentSubmissions?: string[];
  createdAt: Date;
  updatedAt: Date;
}

const CUSTOMERS = 'customers';
const IDENTITIES = 'identities';

/** A customer as first seen, not stored yet. */
export function newCustomer(openid: string, unionid: string | null, now: Date): CustomerDoc {
  return {
    _id: stableId('customer', openid),
    openid,
    openids: [openid],
    unionid,
    phone: null,
    phoneVerified: false,
    profile: {},
    consent: null,
    firstTouch: null,
    attribution: EMPTY_MEMORY,
    ownerStaffId: null,
    ownerSince: null,
    referrerCustomerId: null,
    storeId: null,
    shareToken: randomId(9),
    mergedInto: null,
    lastLeadAt: null,
    leadCount: 0,
    joinCount: 0,
    joinedActivityIds: [],
    recentSubmissions: [],
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Stores a customer seen for the first time. A concurrent first call may have won the insert, and
 * a customer stored under an earlier id scheme holds the openid (unique) under another id: then
 * that record is answered, as it is, for the caller to apply its changes to.
 */
export async function createCustomer(db: Database, fresh: CustomerDoc): Promise<CustomerDoc | null> {
  if (await insertOnce(db, CUSTOMERS, fresh)) return null;
  const stored =
    (await findById<CustomerDoc>(db, CUSTOMERS, fresh._id)) ?? (await customerByOpenid(db, fresh.openid));
  if (!stored) throw new Error(`customer of ${fresh._id} vanished`);
  return stored;
}

/** A merged customer lives on in its survivor. */
async function survivorOf(db: Database, customer: CustomerDoc): Promise<CustomerDoc> {
  if (!customer.mergedInto) return customer;
  const survivor = await findById<CustomerDoc>(db, CUSTOMERS, customer.mergedInto);
  if (!survivor) throw new Error(`customer ${customer._id} merged into a missing ${customer.mergedInto}`);
  return survivor;
}

/** The stored customer of an openid (the survivor of a merge), or null before the first sight. */
export async function storedCustomer(db: Database, openid: string): Promise<CustomerDoc | null> {
  const own = await findById<CustomerDoc>(db, CUSTOMERS, stableId('customer', openid));
  return own && survivorOf(db, own);
}

/** The customer for an openid, created on first sight; merged customers resolve to the survivor. */
export async function customerForOpenid(
  db: Database,
  openid: string,
  unionid: string | null,
  now: Date,
): Promise<CustomerDoc> {
  const stored = await storedCustomer(db, openid);
  if (stored) return stored;
  const fresh = newCustomer(openid, unionid, now);
  const earlier = await createCustomer(db, fresh);
  return earlier ? survivorOf(db, earlier) : fresh;
}

/** Submissions remembered on a customer: more than a minute's allowance, so the limit holds. */
export const RECENT_SUBMISSIONS = 30;

/**
 * The customer for an openid, with `note` (a submission) appended to the openid's own record in
 * the same request: the rate limit and replay detection read `recent` (oldest first, ending with
 * `note`) instead of making requests of their own.
 */
export async function customerForSubmission(
  db: Database,
  openid: string,
  unionid: string | null,
  now: Date,
  note: string,
): Promise<{ customer: CustomerDoc; recent: string[] }> {
  const noting = { recentSubmissions: db.command.push({ each: [note], slice: -RECENT_SUBMISSIONS }) };
  let own = await updateAndReturn<CustomerDoc>(db, CUSTOMERS, stableId('customer', openid), noting);
  if (!own) {
    const fresh = { ...newCustomer(openid, unionid, now), recentSubmissions: [note] };
    const earlier = await createCustomer(db, fresh);
    own = earlier
      ? ((await updateAndReturn<CustomerDoc>(db, CUSTOMERS, earlier._id, noting)) ?? earlier)
      : fresh;
  }
  return { customer: await survivorOf(db, own), recent: own.recentSubmissions ?? [note] };
}

/** A customer by id; one merged into another resolves to the survivor. */
export async function customerById(db: Database, id: string): Promise<CustomerDoc | null> {
  const customer = await findById<CustomerDoc>(db, CUSTOMERS, id);
  return customer?.mergedInto ? findById<CustomerDoc>(db, CUSTOMERS, customer.mergedInto) : customer;
}

async function customerByOpenid(db: Database, openid: string): Promise<CustomerDoc | null> {
  const { data } = await db.collection(CUSTOMERS).where({ openid }).limit(1).get();
  return (data[0] as CustomerDoc | undefined) ?? null;
}

export async function customerByShareToken(db: Database, shareToken: string): Promise<CustomerDoc | null> {
  const { data } = await db.collection(CUSTOMERS).where({ shareToken, mergedInto: null }).limit(1).get();
  return (data[0] as CustomerDoc | undefined) ?? null;
}

export async function updateCustomer(db: Database, id: string, changes: Partial<CustomerDoc>): Promise<void> {
  await db.collection(CUSTOMERS).doc(id).update({ data: changes });
}

/**
 * Counts a stored lead on its customer, with what its submission taught us about the person:
 * written only once the lead is, so a call that fails leaves the customer as it was.
 */
export async function countLead(
  db: Database,
  id: string,
  learned: Partial<CustomerDoc>,
  lead: { at: Date; joinedActivityId: string | null; ownerId: string | null },
): Promise<void> {
  const _ = db.command;
  await db
    .collection(CUSTOMERS)
    .doc(id)
    .update({
      data: {
        ...learned,
        lastLeadAt: lead.at,
        leadCount: _.inc(1),
        ...(lead.joinedActivityId
          ? { joinCount: _.inc(1), joinedActivityIds: _.addToSet(lead.joinedActivityId) }
          : {}),
        ...(lead.ownerId ? { salesOwnerId: lead.ownerId } : {}),
        updatedAt: lead.at,
      },
    });
}

/**
 * Claims a phone number verified by WeChat for a customer. Returns the customer that holds it: the
 * caller itself (null), or an earlier customer who verified the same number (the same person under
 * a second openid, to be merged in). Claims are marked verified when made, so a claimant whose
 * customer record is not written yet still holds the number against a concurrent one. A claim made
 * before typed numbers stopped claiming (unmarked) is taken over unless its holder verified the
 * number: a verified number always wins.
 */
export async function claimVerifiedPhone(
  db: Database,
  phone: string,
  customerId: string,
  now: Date,
): Promise<CustomerDoc | null> {
  const claimId = `phone:${phone}`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const claimed = { _id: claimId, customerId, verified: true, createdAt: now };
    if (await insertOnce(db, IDENTITIES, claimed)) return null;
    const claim = await findById<{ customerId: string; verified?: boolean }>(db, IDENTITIES, claimId);
    if (!claim) continue;
    let holder = await findById<CustomerDoc>(db, CUSTOMERS, claim.customerId);
    // A holder merged since (by a person, or as a second openid) lives on in its survivor.
    if (holder?.mergedInto) holder = await findById<CustomerDoc>(db, CUSTOMERS, holder.mergedInto);
    if (holder?._id === customerId) return null;
    const verified = claim.verified === true || (holder?.phoneVerified === true && holder.phone === phone);
    if (holder && verified) return holder;
    // Only the claim as read is replaced: two verified claimants racing are decided by this update.
    const res = await db
      .collection(IDENTITIES)
      .where({ _id: claimId, customerId: claim.customerId })
      .update({ data: { customerId, verified: true, createdAt: now } });
    if (res.stats.updated === 1) return null;
  }
  throw new Error(`phone claim ${claimId} kept changing`);
}

/**
 * Another live customer holding this number (typed or verified): a typed number that matches one
 * makes the lead a possible duplicate for a person to review, never a merge.
 */
export async function otherHolderOf(db: Database, phone: string, customerId: string): Promise<string | null> {
  const { data } = await db
    .collection(CUSTOMERS)
    .where({ phone, mergedInto: null })
    .field({ _id: true, phoneVerified: true })
    .limit(5)
    .get();
  const others = (data as { _id: string; phoneVerified: boolean }[]).filter((c) => c._id !== customerId);
  // A verified holder is the likelier real owner of the number.
  return (others.find((c) => c.phoneVerified) ?? others[0])?._id ?? null;
}

/** Folds a second openid's customer into the one already holding the phone. */
export async function mergeCustomer(
  db: Database,
  from: CustomerDoc,
  into: CustomerDoc,
  now: Date,
): Promise<void> {
  const _ = db.command;
  // Either side without its memory or activity list: the survivor reads touches and registrations
  // (moved below) instead.
  const attribution =
    from.attribution && into.attribution ? mergeMemories(from.attribution, into.attribution) : _.remove();
  const joinedActivityIds =
    from.joinedActivityIds && into.joinedActivityIds
      ? _.addToSet({ $each: from.joinedActivityIds })
      : _.remove();
  await db
    .collection(CUSTOMERS)
    .doc(into._id)
    .update({
      data: { openids: _.addToSet({ $each: from.openids }), attribution, joinedActivityIds, updatedAt: now },
    });
  // Everything that names the person moves, so the survivor's deletion reaches it too.
  for (const collection of [
    'touches',
    'leads',
    'registrations',
    'wecomContacts',
    'wecomContactWays',
    'sopSteps',
  ]) {
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

/** Drops the customer's phone claim (only its own: a typed number names someone else's). */
export async function releasePhone(db: Database, phone: string, customerId: string): Promise<void> {
  await db
    .collection(IDENTITIES)
    .where({ _id: `phone:${phone}`, customerId })
    .remove();
}

export async function removeCustomer(db: Database, id: string): Promise<void> {
  await db.collection(CUSTOMERS).where({ _id: id }).remove();
  await db.collection(CUSTOMERS).where({ mergedInto: id }).remove();
}
