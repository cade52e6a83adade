// Who a caller is never follows from what they type: only a number verified by WeChat claims a
// phone identity or merges two customers; a typed match is flagged for a person to review.
import { type AdminCloud, startAdminCloud } from './admin-cloud';
import { activityDoc, clearAll } from './project-cloud';

let cloud: AdminCloud;
let db: any;
let admin: string;
const POLICY = { version: '2026-11-01', accepted: true };
let seq = 0;
const requestId = () => {
  seq += 1;
  return `trust-${Date.now()}-${seq}`;
};
const lead = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  action: 'submitLead',
  requestId: requestId(),
  fields,
  consent: POLICY,
  ...extra,
});
const VICTIM_PHONE = '13800138000';

beforeAll(async () => {
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  admin = await cloud.login('admin', 'admin');
});

const customerOf = async (id: string) => (await db.collection('customers').doc(id).get()).data;
const leadOf = async (id: string) => (await db.collection('leads').doc(id).get()).data;

async function victimWithSignup() {
  const activityId = (await db.collection('activities').add({ data: activityDoc() }))._id;
  const victim = await cloud.call(
    'customer',
    lead({ name: '王真', phoneCode: `test:${VICTIM_PHONE}`, company: '真公司' }),
    'victim',
  );
  const joined = await cloud.call(
    'customer',
    { action: 'joinActivity', requestId: requestId(), activityId, consent: POLICY },
    'victim',
  );
  expect(joined.ok).toBe(true);
  return {
    customerId: victim.data.customerId as string,
    registrationId: joined.data.registrationId as string,
  };
}

describe('a typed phone number never changes who the caller is', () => {
  test("typing a verified customer's number does not reach their data", async () => {
    const victim = await victimWithSignup();
    const attack = await cloud.call('customer', lead({ name: '冒充', phone: VICTIM_PHONE }), 'attacker');
    expect(attack.ok).toBe(true);
    expect(attack.data.customerId).not.toBe(victim.customerId);

    const mine = await cloud.call('customer', { action: 'myData' }, 'attacker');
    expect(JSON.stringify(mine.data)).not.toContain('真公司');
    expect(mine.data.registrations).toHaveLength(0);
    const cancel = await cloud.call(
      'customer',
      { action: 'cancelRegistration', registrationId: victim.registrationId },
      'attacker',
    );
    expect(cancel.error).toMatchObject({ code: 'NOT_FOUND' });
    await cloud.call('customer', { action: 'deleteMyData' }, 'attacker');

    const held = await customerOf(victim.customerId);
    expect(held).toMatchObject({ phone: VICTIM_PHONE, phoneVerified: true, openids: ['victim'] });
    expect((await db.collection('identities').doc(`phone:${VICTIM_PHONE}`).get()).data.customerId).toBe(
      victim.customerId,
    );
    const session = await cloud.call('customer', { action: 'session' }, 'victim');
    expect(session.data).toMatchObject({ customerId: victim.customerId, hasPhone: true });
  });

  test('the typed number is kept on the caller, unverified, and its lead is flagged', async () => {
    const victim = await victimWithSignup();
    const attack = await cloud.call('customer', lead({ name: '冒充', phone: VICTIM_PHONE }), 'attacker');
    const stored = await leadOf(attack.data.leadId);
    expect(stored).toMatchObject({
      customerId: attack.data.customerId,
      phone: VICTIM_PHONE,
      phoneVerified: false,
      possibleDuplicate: true,
      possibleDuplicateOf: victim.customerId,
    });
    expect(await customerOf(attack.data.customerId)).toMatchObject({
      phone: VICTIM_PHONE,
      phoneVerified: false,
    });
  });

  test("a number typed first does not capture its real owner's later verified sign-up", async () => {
    const attack = await cloud.call('customer', lead({ name: '抢注', phone: VICTIM_PHONE }), 'attacker');
    expect((await leadOf(attack.data.leadId)).possibleDuplicate).toBe(false);
    const owner = await cloud.call(
      'customer',
      lead({ name: '王真', phoneCode: `test:${VICTIM_PHONE}` }),
      'victim',
    );
    expect(owner.data.customerId).not.toBe(attack.data.customerId);
    expect(await customerOf(owner.data.customerId)).toMatchObject({
      openids: ['victim'],
      phoneVerified: true,
      mergedInto: null,
    });
    expect(await customerOf(attack.data.customerId)).toMatchObject({
      openids: ['attacker'],
      mergedInto: null,
    });
    const ownerData = await cloud.call('customer', { action: 'myData' }, 'victim');
    expect(ownerData.data.leads).toHaveLength(1);
  });

  test('a verified number takes over a claim left by an unverified holder', async () => {
    // A claim made before typed numbers stopped claiming: it names a customer who only typed it.
    const attack = await cloud.call('customer', lead({ name: '抢注', phone: VICTIM_PHONE }), 'attacker');
    await db.collection('identities').add({
      data: { _id: `phone:${VICTIM_PHONE}`, customerId: attack.data.customerId, createdAt: new Date() },
    });
    const owner = await cloud.call(
      'customer',
      lead({ name: '王真', phoneCode: `test:${VICTIM_PHONE}` }),
      'victim',
    );
    expect(owner.data.customerId).not.toBe(attack.data.customerId);
    expect((await db.collection('identities').doc(`phone:${VICTIM_PHONE}`).get()).data.customerId).toBe(
      owner.data.customerId,
    );
    expect((await customerOf(attack.data.customerId)).openids).toEqual(['attacker']);
  });

  test('a typed number is replaced when the same person later verifies theirs', async () => {
    const typed = await cloud.call('customer', lead({ name: '张三', phone: '13900139000' }), 'person');
    await cloud.call('customer', lead({ name: '张三', phoneCode: 'test:13700137000' }), 'person');
    expect(await customerOf(typed.data.customerId)).toMatchObject({
      phone: '13700137000',
      phoneVerified: true,
    });
  });

  test('deleting the data of a typed holder leaves the verified claim alone', async () => {
    const victim = await victimWithSignup();
    await cloud.call('customer', lead({ name: '冒充', phone: VICTIM_PHONE }), 'attacker');
    await cloud.call('customer', { action: 'deleteMyData' }, 'attacker');
    expect((await db.collection('identities').doc(`phone:${VICTIM_PHONE}`).get()).data.customerId).toBe(
      victim.customerId,
    );
  });
});

describe('possible duplicates are reviewed by a person', () => {
  async function flaggedLead() {
    const victim = await victimWithSignup();
    const typed = await cloud.call('customer', lead({ name: '王真', phone: VICTIM_PHONE }), 'second-phone');
    return { victim, leadId: typed.data.leadId as string, customerId: typed.data.customerId as string };
  }

  test('the lead list filters them and the detail names the other customer', async () => {
    const { victim, leadId } = await flaggedLead();
    const list = await cloud.api('GET', '/leads?possibleDuplicate=true', undefined, admin);
    expect(list.body.data.items.map((i: { leadId: string }) => i.leadId)).toEqual([leadId]);
    expect(list.body.data.items[0].possibleDuplicate).toBe(true);
    const detail = await cloud.api('GET', `/leads/${leadId}`, undefined, admin);
    expect(detail.body.data.possibleDuplicateOf).toMatchObject({
      customerId: victim.customerId,
      name: '王真',
      phoneMasked: '138****8000',
      phoneVerified: true,
    });
  });

  test('a merge is deliberate, audited and settles the flag once', async () => {
    const { victim, leadId, customerId } = await flaggedLead();
    const merged = await cloud.api('POST', `/leads/${leadId}/duplicate`, { decision: 'merge' }, admin);
    expect(merged.body).toMatchObject({
      ok: true,
      data: { decision: 'merge', customerId: victim.customerId },
    });
    expect(await leadOf(leadId)).toMatchObject({ customerId: victim.customerId, possibleDuplicate: false });
    expect(await customerOf(customerId)).toMatchObject({ mergedInto: victim.customerId });
    expect((await customerOf(victim.customerId)).openids).toEqual(['victim', 'second-phone']);
    const { data: audits } = await db.collection('audit').where({ action: 'customer.merge' }).get();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ subject: customerId, detail: { leadId, into: victim.customerId } });

    const again = await cloud.api('POST', `/leads/${leadId}/duplicate`, { decision: 'merge' }, admin);
    expect(again.body.error).toMatchObject({ code: 'INVALID_INPUT' });
  });

  test('dismissing keeps the two customers apart', async () => {
    const { victim, leadId, customerId } = await flaggedLead();
    const dismissed = await cloud.api('POST', `/leads/${leadId}/duplicate`, { decision: 'dismiss' }, admin);
    expect(dismissed.body.ok).toBe(true);
    expect(await customerOf(customerId)).toMatchObject({ mergedInto: null, openids: ['second-phone'] });
    expect((await customerOf(victim.customerId)).openids).toEqual(['victim']);
    const list = await cloud.api('GET', '/leads?possibleDuplicate=true', undefined, admin);
    expect(list.body.data.items).toHaveLength(0);
  });

  test('two reviewers deciding at once merge once', async () => {
    const { victim, leadId } = await flaggedLead();
    const answers = await Promise.all(
      ['merge', 'merge', 'dismiss'].map((decision) =>
        cloud.api('POST', `/leads/${leadId}/duplicate`, { decision }, admin),
      ),
    );
    expect(answers.filter((a) => a.body.ok)).toHaveLength(1);
    const { data: audits } = await db
      .collection('audit')
      .where({ action: cloud.db.command.in(['customer.merge', 'customer.notDuplicate']) })
      .get();
    expect(audits).toHaveLength(1);
    expect((await customerOf(victim.customerId)).mergedInto).toBeNull();
  });

  test('viewers and sales may not merge, and bad input changes nothing', async () => {
    const { leadId, customerId } = await flaggedLead();
    const viewer = await cloud.login('viewer', 'viewer');
    const refused = await cloud.api('POST', `/leads/${leadId}/duplicate`, { decision: 'merge' }, viewer);
    expect(refused.status).toBe(403);
    const bad = await cloud.api('POST', `/leads/${leadId}/duplicate`, { decision: 'yes' }, admin);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'decision' }] });
    expect(await customerOf(customerId)).toMatchObject({ mergedInto: null });
    expect((await leadOf(leadId)).possibleDuplicate).toBe(true);
  });
});

describe('a paid one-tap phone code is never thrown away', () => {
  const exchanged = async () =>
    (await cloud.openapiCalls('phonenumber.getPhoneNumber')).map(
      (c: { params: { code: string } }) => c.params.code,
    );

  test('a join refused because the activity is full keeps the verified number', async () => {
    const activityId = (
      await db.collection('activities').add({ data: activityDoc({ capacity: 1, remaining: 0 }) })
    )._id;
    const code = 'test:13711112222';
    const full = await cloud.call(
      'customer',
      {
        action: 'joinActivity',
        requestId: requestId(),
        activityId,
        fields: { name: '满员', phoneCode: code },
        consent: POLICY,
      },
      'late-joiner',
    );
    expect(full.error).toMatchObject({ code: 'ACTIVITY_FULL' });
    const session = await cloud.call('customer', { action: 'session' }, 'late-joiner');
    expect(session.data).toMatchObject({ hasPhone: true, phoneMasked: '137****2222' });
    const form = await cloud.call('customer', { action: 'leadForm' }, 'late-joiner');
    expect(form.data.fields.map((f: { key: string }) => f.key)).not.toContain('phone');
    // The next lead needs no second code: the number was kept, verified.
    const later = await cloud.call('customer', lead({ name: '满员' }), 'late-joiner');
    expect(later.ok).toBe(true);
    expect((await leadOf(later.data.leadId)).phoneVerified).toBe(true);
    expect((await exchanged()).filter((c: string) => c === code)).toHaveLength(1);
  });

  test('a lead refused by the content check keeps the verified number; without consent nothing is kept', async () => {
    const refused = await cloud.call(
      'customer',
      lead({ name: '留言', phoneCode: 'test:13733334444', note: '这里有违禁词' }),
      'writer',
    );
    expect(refused.ok).toBe(false);
    expect((await cloud.call('customer', { action: 'session' }, 'writer')).data.phoneMasked).toBe(
      '137****4444',
    );

    const noConsent = await cloud.call(
      'customer',
      {
        action: 'submitLead',
        requestId: requestId(),
        fields: { name: '无同意', phoneCode: 'test:13755556666' },
      },
      'no-consent',
    );
    expect(noConsent.error).toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect((await cloud.call('customer', { action: 'session' }, 'no-consent')).data.hasPhone).toBe(false);
    expect(await exchanged()).not.toContain('test:13755556666');
  });
});

describe('one verified number, many WeChat accounts at once', () => {
  test('a verified claim holds even before its customer record shows the number', async () => {
    // The moment between a first claimant's claim and the write of its customer's phone.
    const first = (await cloud.call('customer', { action: 'session' }, 'first-claimant')).data.customerId;
    await db
      .collection('identities')
      .add({ data: { _id: 'phone:13788880000', customerId: first, verified: true, createdAt: new Date() } });
    const second = await cloud.call(
      'customer',
      lead({ name: '同一人', phoneCode: 'test:13788880000' }),
      'second',
    );
    expect(second.data.customerId).toBe(first);
    expect((await db.collection('identities').doc('phone:13788880000').get()).data.customerId).toBe(first);
    expect((await customerOf(first)).openids).toEqual(['first-claimant', 'second']);
  });

  test('concurrent verifications of one number end as one customer holding every openid', async () => {
    const openids = Array.from({ length: 20 }, (_, i) => `same-person-${i}`);
    const answers = await Promise.all(
      openids.map((openid) =>
        cloud.call('customer', lead({ name: '同一人', phoneCode: 'test:13799990000' }), openid),
      ),
    );
    expect(answers.every((a) => a.ok)).toBe(true);
    const { data: holders } = await db
      .collection('customers')
      .where({ phone: '13799990000', mergedInto: null })
      .get();
    expect(holders).toHaveLength(1);
    expect([...holders[0].openids].sort()).toEqual([...openids].sort());
    const claim = (await db.collection('identities').doc('phone:13799990000').get()).data;
    expect(claim.customerId).toBe(holders[0]._id);
    for (const openid of openids) {
      const session = await cloud.call('customer', { action: 'session' }, openid);
      expect(session.data.customerId).toBe(holders[0]._id);
    }
  });
});
