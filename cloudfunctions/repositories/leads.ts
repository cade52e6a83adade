import type { TouchFacts } from '../core/attribution';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce } from '../runtime/store';
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
  phoneVerified: boolean;
  answers: Record<string, string>;
  consent: ConsentRecord;
  channel: string;
  channelType: TouchFacts['channelType'];
  codeId: string | null;
  staffId: string | null;
  storeId: string | null;
  referrerCustomerId: string | null;
  wxScene: number;
  firstTouch: TouchFacts | null;
  lastTouch: TouchFacts;
  /** Whether the person was already known as a lead when this one came in. */
  duplicate: boolean;
  tags: string[];
  score: number;
  mql: boolean;
  ownerId: string | null;
  status: LeadStatus;
  statusHistory: { status: LeadStatus; at: Date; by: string }[];
  createdAt: Date;
  updatedAt: Date;
}

const LEADS = 'leads';

export function leadById(db: Database, id: string): Promise<LeadDoc | null> {
  return findById<LeadDoc>(db, LEADS, id);
}

/** Stores a lead once; false when a lead with that id (the same request) already exists. */
export function insertLead(db: Database, lead: LeadDoc): Promise<boolean> {
  return insertOnce(db, LEADS, lead);
}
