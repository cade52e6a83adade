import type { Database } from '../runtime/cloud';

/**
 * Everything held about one customer, for "my data" and for deletion. Deletion keeps the
 * anonymous shape of leads, registrations and touches (channel, staff, activity, day, status)
 * so funnels stay true, and removes every personal field and the link to the person.
 */
const PER_COLLECTION_LIMIT = 1000;

export async function recordsOf(db: Database, customerId: string) {
  const read = async (collection: string) =>
    (await db.collection(collection).where({ customerId }).limit(PER_COLLECTION_LIMIT).get()).data as Record<
      string,
      unknown
    >[];
  const [touches, leads, registrations] = await Promise.all([
    read('touches'),
    read('leads'),
    read('registrations'),
  ]);
  return { touches, leads, registrations };
}

export async function anonymizeRecords(db: Database, customerId: string, anonymousId: string, now: Date) {
  const stripped = { customerId: anonymousId, anonymizedAt: now };
  const leads = await db
    .collection('leads')
    .where({ customerId })
    .update({
      data: { ...stripped, name: null, phone: null, phoneTail: null, answers: {}, referrerCustomerId: null },
    });
  const registrations = await db
    .collection('registrations')
    .where({ customerId })
    .update({ data: { ...stripped, answers: {}, reminder: null } });
  const touches = await db
    .collection('touches')
    .where({ customerId })
    .update({ data: { ...stripped, path: '', referrerCustomerId: null } });
  // Others' records that name this person as their referrer lose that link too.
  for (const collection of ['customers', 'leads']) {
    await db
      .collection(collection)
      .where({ referrerCustomerId: customerId })
      .update({ data: { referrerCustomerId: null } });
  }
  return {
    leads: leads.stats.updated as number,
    registrations: registrations.stats.updated as number,
    touches: touches.stats.updated as number,
  };
}
