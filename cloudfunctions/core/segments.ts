import type { CustomerFilter, SegmentFilter } from '../../typings/insight';

/**
 * What a customer filter or a segment asks of the customer documents, as plain criteria the
 * repository turns into one query: equalities on indexed fields, lower bounds and presence.
 * Behaviour is read from fields kept on the customer (leadCount, joinCount, lastLeadAt, and the
 * insight job's summary of its leads), so a segment counts and pages like any customer list.
 */
export interface CustomerCriteria {
  equal: Record<string, string>;
  atLeast: Record<string, number | Date>;
  /** true: a phone is held; false: none. */
  hasPhone?: boolean;
  /** Only customers who left leads, none of them contacted yet. */
  notContacted?: boolean;
}

const DAY_MS = 86_400_000;

/** The stored field each equality of a filter reads. */
const EQUAL_FIELDS = {
  owner: 'salesOwnerId',
  store: 'storeId',
  city: 'profile.city',
  industry: 'profile.industry',
  tag: 'insight.tags',
  channel: 'firstTouch.channelId',
} as const satisfies Partial<Record<keyof CustomerFilter, string>>;

export function customerCriteria(
  filter: Omit<CustomerFilter, 'from' | 'to'> & Partial<SegmentFilter>,
  now: Date,
): CustomerCriteria {
  const equal: Record<string, string> = {};
  for (const [key, field] of Object.entries(EQUAL_FIELDS)) {
    const value = filter[key as keyof typeof EQUAL_FIELDS];
    if (value) equal[field] = value;
  }
  const atLeast: Record<string, number | Date> = {};
  if (filter.minJoins) atLeast.joinCount = filter.minJoins;
  if (filter.minScore) atLeast['insight.score'] = filter.minScore;
  if (filter.leadWithinDays !== undefined)
    atLeast.lastLeadAt = new Date(now.getTime() - filter.leadWithinDays * DAY_MS);
  return {
    equal,
    atLeast,
    ...(filter.hasPhone !== undefined ? { hasPhone: filter.hasPhone } : {}),
    ...(filter.notContacted ? { notContacted: true } : {}),
  };
}
