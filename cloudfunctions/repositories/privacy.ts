import type { Database } from '../runtime/cloud';
import { forgetPersona } from './insight';
import { anonymizeWecomRecords } from './wecom';

/**
 * Everything held about one customer, for "my data" and for deletion. Deletion keeps the
 * anonymous shape of leads, registrations and touches (channel, staff, activity, day, status)
 * so funnels stay true, and removes every personal field and the link to the person.
 */
const PER_COLLECTION_LIMIT = 1000;
/** "My data" shows the newest records of each kind and counts them all. */
const SHOWN_PER_COLLECTION = 50;

export async function recordsOf(db: Database, customerId: string) {
  const newest = async (collection: string, time: string) =>
    (
      await db
        .collection(collection)
        .where({ customerId })
        .orderBy(time, 'desc')
        .limit(SHOWN_PER_COLLECTION)
        .get()
    ).data as Record<string, unknown>[];
  const count = async (collection: string) =>
    (await db.collection(collection).where({ customerId }).count()).total as number;
  const [touches, leads, registrations, touchCount, leadCount, registrationCount] = await Promise.all([
    newest('touches', 'at'),
    newest('leads', 'createdAt'),
    newest('registrations', 'createdAt'),
    count('touches'),
    count('leads'),
    count('registrations'),
  ]);
  return {
    touches,
    leads,
    registrations,
    counts: { touches: touchCount, leads: leadCount, registrations: registrationCount },
  };
}

export async function anonymizeRecords(db: Database, customerId: string, anonymousId: string, now: Date) {
  const _ = db.command;
  // The persona stops counting the person before anything of theirs goes.
  await forgetPersona(db, customerId, now);
  const stripped = { customerId: anonymousId, anonymizedAt: now };
  // The lead ids first: the messages to sales name leads, not customers.
  const { data: held } = await db
    .collection('leads')
    .where({ customerId })
    .field({ _id: true })
    .limit(PER_COLLECTION_LIMIT)
    .get();
  const leadIds = (held as { _id: string }[]).map((l) => l._id);
  // `_.set` replaces a whole value: a plain `{}` or `[]` in an update would merge into what is there.
  const leads = await db
    .collection('leads')
    .where({ customerId })
    .update({
      data: {
        ...stripped,
        name: null,
        phone: null,
        phoneTail: null,
        answers: _.set({}),
        // Sales notes may quote the person; their count is workflow, their text is not ours to keep.
        notes: _.set([]),
        referrerCustomerId: null,
        possibleDuplicate: false,
        possibleDuplicateOf: null,
      },
    });
  const registrations = await db
    .collection('registrations')
    .where({ customerId })
    .update({ data: { ...stripped, answers: _.set({}), reminder: null, learned: null } });
  const touches = await db
    .collection('touches')
    .where({ customerId })
    .update({ data: { ...stripped, path: '', referrerCustomerId: null } });
  // Journey steps: those still to come stop, and a task's text (which names the person) goes.
  await db
    .collection('sopSteps')
    .where({ customerId, status: _.in(['scheduled', 'running', 'open']) })
    .update({ data: { status: 'cancelled', reason: 'customer_deleted', updatedAt: now } });
  await db
    .collection('sopSteps')
    .where({ customerId })
    .update({ data: { customerId: anonymousId, text: null, updatedAt: now } });
  const messages = await redactMessages(db, leadIds);
  const wecomContacts = await anonymizeWecomRecords(db, customerId, anonymousId);
  // Others' records that name this person as their referrer, or as a possible duplicate, lose that link.
  for (const collection of ['customers', 'leads']) {
    await db
      .collection(collection)
      .where({ referrerCustomerId: customerId })
      .update({ data: { referrerCustomerId: null } });
  }
  await db
    .collection('leads')
    .where({ possibleDuplicate: true, possibleDuplicateOf: customerId })
    .update({ data: { possibleDuplicate: false, possibleDuplicateOf: null } });
  return {
    leads: leads.stats.updated as number,
    registrations: registrations.stats.updated as number,
    touches: touches.stats.updated as number,
    messages,
    wecomContacts,
  };
}

/** The lead summaries inside messages to sales (sent or not) lose the name and the masked phone. */
async function redactMessages(db: Database, leadIds: string[]): Promise<number> {
  let redacted = 0;
  for (let i = 0; i < leadIds.length; i += 100) {
    const ids = leadIds.slice(i, i + 100);
    const { data } = await db
      .collection('outbox')
      .where({ leadIds: db.command.in(ids) })
      .field({ _id: true, leads: true })
      .limit(1000)
      .get();
    for (const message of data as { _id: string; leads: { leadId: string }[] }[]) {
      const leads = message.leads.map((lead) =>
        ids.includes(lead.leadId)
          ? { ...lead, name: null, phoneMasked: null, notePreview: null, task: null }
          : lead,
      );
      await db
        .collection('outbox')
        .doc(message._id)
        .update({ data: { leads: db.command.set(leads) } });
      redacted += 1;
    }
  }
  return redacted;
}
