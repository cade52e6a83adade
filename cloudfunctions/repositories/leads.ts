import type { TouchFacts } from '../core/attribution';
import type { PendingCount } from '../core/funnel';
import type { TagSources } from '../core/rules';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce, isDuplicateKey } from '../runtime/store';
import type { ConsentRecord } from './customers';

export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'won' | 'lost';

export interface LeadDoc {
  _id: string;
  /** The caller's openid + request id, hashed: the same submission twice is one lead. */
  requestKey: string;
  customerId: string;
  activityId: string | null;
  source: 'form' | 'activity';
  name: string | null;
  phone: string | null;
  /** `phoneTail(phone)`, indexed for the admin page's search by a phone's ending. */
  phoneTail: string | null;
  phoneVerified: boolean;
  answers: Record<string, string>;
  consent: ConsentRecord;
  /** The customer withdrew consent after this lead: its phone is no longer revealed or exported. */
  consentWithdrawnAt?: Date | null;
  channel: string;
  channelType: TouchFacts['channelType'];
  codeId: string | null;
  staffId: string | null;
  storeId: string | null;
  /** The store the lead was routed in (the customer's pick, else the code's or the owner's). */
  routedStore?: string | null;
  referrerCustomerId: string | null;
  wxScene: number;
  firstTouch: TouchFacts | null;
  lastTouch: TouchFacts;
  /** Whether the person was already known as a lead when this one came in. */
  duplicate: boolean;
  /** The number was typed, and another customer holds it: flagged for a person to merge or dismiss. */
  possibleDuplicate: boolean;
  /** That other customer (null once reviewed, or when there is none). */
  possibleDuplicateOf: string | null;
  tags: string[];
  score: number;
  mql: boolean;
  ownerId: string | null;
  assignedBy: 'attributed' | 'returning' | 'round_robin' | 'pool' | 'manual' | null;
  /** When the lead was escalated for missing its contact SLA (once). */
  escalatedAt: Date | null;
  status: LeadStatus;
  statusHistory: { status: LeadStatus; at: Date; by: string }[];
  createdAt: Date;
  updatedAt: Date;
  /** What the lead adds to the funnel, until the dispatcher has counted it. */
  pendingCount?: PendingCount;
}

const LEADS = 'leads';

export function leadById(db: Database, id: string): Promise<LeadDoc | null> {
  return findById<LeadDoc>(db, LEADS, id);
}

/** Which of these lead ids are stored. */
export async function storedLeadIds(db: Database, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { data } = await db
    .collection(LEADS)
    .where({ _id: db.command.in(ids) })
    .field({ _id: true })
    .limit(ids.length)
    .get();
  return new Set((data as { _id: string }[]).map((lead) => lead._id));
}

/**
 * Stores a lead once, with its outbox messages in the same transaction so that no lead is
 * acknowledged without its push to sales. False when the lead (the same request) already exists.
 */
export async function insertLead(db: Database, lead: LeadDoc, messages: { _id: string }[]): Promise<boolean> {
  if (messages.length === 0) return insertOnce(db, LEADS, lead);
  try {
    return await db.runTransaction(async (tx: Database) => {
      if (await existsInTransaction(tx, LEADS, lead._id)) return false;
      const { _id, ...body } = lead;
      await tx.collection(LEADS).doc(_id).set({ data: body });
      for (const { _id: messageId, ...message } of messages)
        await tx.collection('outbox').doc(messageId).set({ data: message });
      return true;
    });
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** In a transaction only single documents can be read, and a missing one throws. */
async function existsInTransaction(tx: Database, collection: string, id: string): Promise<boolean> {
  try {
    await tx.collection(collection).doc(id).get();
    return true;
  } catch (error) {
    if (/does not exist/.test(String((error as Error).message))) return false;
    throw error;
  }
}

/** A lead's tags and where they came from (rules, people), as the fields of one update. */
export function tagSourcesUpdate(db: Database, next: TagSources): Record<string, unknown> {
  const _ = db.command;
  return {
    tags: _.set(next.tags),
    manualTags: _.set(next.manualTags ?? []),
    removedTags: _.set(next.removedTags ?? []),
    ...(next.ruleTags ? { ruleTags: _.set(next.ruleTags) } : {}),
  };
}
