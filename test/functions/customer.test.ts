// The customer function through the local cloud, called as the mini program calls it.
import {
  activityDoc,
  clearAll,
  DAY_MS,
  decodeQr,
  type ProjectCloud,
  startProjectCloud,
} from './project-cloud';

let cloud: ProjectCloud;
let db: any;
const POLICY = { version: '2026-11-01', accepted: true };
let seq = 0;
const requestId = () => {
  seq += 1;
  return `req-${Date.now()}-${seq}`;
};

beforeAll(async () => {
  cloud = await startProjectCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(() => clearAll(db));

const count = async (collection: string, where: Record<string, unknown> = {}) =>
  (await db.collection(collection).where(where).count()).total;

async function seedActivity(overrides: Record<string, unknown> = {}): Promise<string> {
  return (await db.collection('activities').add({ data: activityDoc(overrides) }))._id;
}

async function seedStaffCode(options: { active?: boolean; disabled?: boolean; envId?: string } = {}) {
  const staffId = (
    await db.collection('staff').add({
      data: {
        name: '王导购',
        store: 'store-jingan',
        role: 'sales',
        active: options.active ?? true,
        openid: null,
        inviteCode: `inv-${seq++}`,
        createdAt: new Date(),
      },
    })
  )._id;
  const scene = `s${Date.now().toString(36)}${seq++}`;
  const codeId = (
    await db.collection('codes').add({
      data: {
        scene,
        channelId: 'ch-staff-wang',
        channelType: 'staff',
        name: '王导购的活码',
        staffId,
        storeId: 'store-jingan',
        activityId: null,
        disabled: options.disabled ?? false,
        envId: options.envId ?? cloud.cloud.envId,
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    })
  )._id;
  return { staffId, scene, codeId };
}

const lead = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  action: 'submitLead',
  requestId: requestId(),
  fields,
  consent: POLICY,
  ...extra,
});

describe('identity and routing', () => {
  test('a caller without an openid is refused and nothing is stored', async () => {
    const answer = await cloud.call('customer', lead({ name: '张三', phone: '13800138000' }), null);
    expect(answer).toEqual({ ok: false, error: expect.objectContaining({ code: 'UNAUTHENTICATED' }) });
    expect(await count('customers')).toBe(0);
  });

  test('an unknown action names itself in the error', async () => {
    const answer = await cloud.call('customer', { action: 'becomeAdmin' });
    expect(answer.error).toMatchObject({ code: 'UNKNOWN_ACTION', fields: [{ path: 'action' }] });
  });

  test('an openid in the body is ignored: the lead belongs to the caller', async () => {
    const answer = await cloud.call(
      'customer',
      { ...lead({ name: '张三', phone: '13800138000' }), openid: 'victim', customerId: 'victim' },
      'caller',
    );
    expect(answer.ok).toBe(true);
    const customer = (await db.collection('customers').doc(answer.data.customerId).get()).data;
    expect(customer.openid).toBe('caller');
    expect(await count('customers', { openid: 'victim' })).toBe(0);
  });
});

describe('session and profile', () => {
  test('a first-time caller is known silently, without phone or consent', async () => {
    const answer = await cloud.call('customer', { action: 'session' }, 'new-person');
    expect(answer.data).toMatchObject({
      hasPhone: false,
      phoneMasked: null,
      consent: { accepted: false, currentVersion: POLICY.version },
      isStaff: false,
    });
    const again = await cloud.call('customer', { action: 'session' }, 'new-person');
    expect(again.data.customerId).toBe(answer.data.customerId);
    expect(await count('customers')).toBe(1);
  });

  test('concurrent first calls of one openid create one customer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => cloud.call('customer', { action: 'session' }, 'racer')),
    );
    expect(new Set(answers.map((a) => a.data.customerId)).size).toBe(1);
    expect(await count('customers')).toBe(1);
  });

  test('a bound active staff member is flagged', async () => {
    await db.collection('staff').add({
      data: {
        name: '李店员',
        store: 's1',
        role: 'staff',
        active: true,
        openid: 'staff-openid',
        inviteCode: 'i1',
      },
    });
    expect((await cloud.call('customer', { action: 'session' }, 'staff-openid')).data.isStaff).toBe(true);
  });

  test('saveProfile needs consent, validates and stores the profile', async () => {
    const refused = await cloud.call(
      'customer',
      { action: 'saveProfile', profile: { company: '某公司' } },
      'p1',
    );
    expect(refused.error.code).toBe('CONSENT_REQUIRED');
    await cloud.call('customer', lead({ name: '赵六', phone: '13900139000' }), 'p1');
    const bad = await cloud.call('customer', { action: 'saveProfile', profile: { industry: '航天' } }, 'p1');
    expect(bad.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'profile.industry' }] });
    const saved = await cloud.call(
      'customer',
      { action: 'saveProfile', profile: { company: '某公司', industry: '零售' } },
      'p1',
    );
    expect(saved.data.profile).toEqual({ name: '赵六', company: '某公司', industry: '零售' });
  });
});

describe('submitLead', () => {
  test('bad input answers INVALID_INPUT with fields and stores nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { action: 'submitLead', fields: { name: '张三', phone: '13800138000' }, consent: POLICY },
        'requestId',
      ],
      [{ ...lead({ name: '张三', phone: '13800138000' }), requestId: 'short' }, 'requestId'],
      [lead({ name: '', phone: '13800138000' }), 'fields.name'],
      [lead({ name: '张'.repeat(31), phone: '13800138000' }), 'fields.name'],
      [lead({ name: '张三', phone: '12345' }), 'fields.phone'],
      [lead({ name: '张三' }), 'fields.phone'],
      [lead({ phone: '13800138000' }), 'fields.name'],
      [{ ...lead({ name: '张三', phone: '13800138000' }), fields: 'nope' }, 'fields'],
      [lead({ name: '张三', phone: '13800138000', note: '长'.repeat(501) }), 'fields.note'],
      [{ ...lead({ name: '张三', phone: '13800138000' }), activityId: 42 }, 'activityId'],
      [
        { ...lead({ name: '张三', phone: '13800138000' }), consent: { version: 1, accepted: 'yes' } },
        'consent.version',
      ],
    ];
    for (const [event, path] of cases) {
      const answer = await cloud.call('customer', event, 'bad-input');
      expect(answer.ok).toBe(false);
      expect(answer.error.code).toBe('INVALID_INPUT');
      expect(answer.error.message).toMatch(/[\u4e00-\u9fa5]/);
      expect(answer.error.fields.map((f: { path: string }) => f.path)).toContain(path);
    }
    expect(await count('leads')).toBe(0);
    expect(await count('identities')).toBe(0);
  });

  test('without consent nothing is stored', async () => {
    for (const consent of [
      undefined,
      { version: POLICY.version, accepted: false },
      { version: '2020-01-01', accepted: true },
    ]) {
      const answer = await cloud.call('customer', {
        ...lead({ name: '张三', phone: '13800138000' }),
        consent,
      });
      expect(answer.error.code).toBe('CONSENT_REQUIRED');
    }
    expect(await count('leads')).toBe(0);
    const customer = (await db.collection('customers').where({ openid: 'openid-default' }).get()).data[0];
    expect(customer?.phone ?? null).toBeNull();
  });

  test('a lead stores the answers, the consent and the normalized phone', async () => {
    const answer = await cloud.call(
      'customer',
      lead({ name: '张三', phone: '+86 138-0013 8000', company: '星巴克' }),
    );
    expect(answer).toMatchObject({ ok: true, data: { duplicate: false } });
    const stored = (await db.collection('leads').doc(answer.data.leadId).get()).data;
    expect(stored).toMatchObject({
      name: '张三',
      phone: '13800138000',
      phoneTail: '8000',
      phoneVerified: false,
      answers: { name: '张三', company: '星巴克' },
      consent: { version: POLICY.version, accepted: true },
      channel: 'organic',
      status: 'new',
    });
    expect(stored.consent.at).toBeInstanceOf(Date);
  });

  test('the same requestId twice, even concurrently, is one lead with one answer', async () => {
    const event = lead({ name: '张三', phone: '13800138000' });
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => cloud.call('customer', event)));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await count('leads')).toBe(1);
    const later = await cloud.call('customer', event);
    expect(later).toEqual(answers[0]);
  });

  test('the same phone verified by WeChat for two openids is one customer with two leads', async () => {
    const first = await cloud.call(
      'customer',
      lead({ name: '张三', phoneCode: 'test:13800138000' }),
      'wechat-a',
    );
    const second = await cloud.call(
      'customer',
      lead({ name: '张三', phoneCode: 'test:13800138000' }),
      'wechat-b',
    );
    expect(second.data).toMatchObject({ customerId: first.data.customerId, duplicate: true });
    expect(await count('leads', { customerId: first.data.customerId })).toBe(2);
    expect(await count('customers', { mergedInto: null })).toBe(1);
    const session = await cloud.call('customer', { action: 'session' }, 'wechat-b');
    expect(session.data).toMatchObject({ customerId: first.data.customerId, hasPhone: true });
  });

  test('a merge moves everything that names the second openid: WeCom relations, contact ways, journey steps', async () => {
    await cloud.call('customer', lead({ name: '张三', phoneCode: 'test:13800138002' }), 'wechat-c');
    await cloud.call('customer', { action: 'session' }, 'wechat-d');
    const second = (await db.collection('customers').where({ openid: 'wechat-d' }).get()).data[0];
    const named = { customerId: second._id, createdAt: new Date() };
    await db.collection('wecomContacts').add({ data: { ...named, name: '张三' } });
    await db.collection('wecomContactWays').add({ data: { ...named, state: 'merge-way' } });
    await db
      .collection('sopSteps')
      .add({ data: { ...named, leadId: 'lead-x', status: 'open', text: '回访张三' } });
    const merged = await cloud.call(
      'customer',
      lead({ name: '张三', phoneCode: 'test:13800138002' }),
      'wechat-d',
    );
    expect(merged.data.customerId).not.toBe(second._id);
    for (const collection of ['wecomContacts', 'wecomContactWays', 'sopSteps'])
      expect({ collection, left: await count(collection, { customerId: second._id }) }).toEqual({
        collection,
        left: 0,
      });
    expect(await count('sopSteps', { customerId: merged.data.customerId })).toBe(1);
  });

  test('a second submission adds a lead to the same customer and does not ask the phone again', async () => {
    const first = await cloud.call(
      'customer',
      lead({ name: '张三', phoneCode: 'test:13800138001' }),
      'tapper',
    );
    expect(first.ok).toBe(true);
    const form = await cloud.call('customer', { action: 'leadForm' }, 'tapper');
    expect(form.data.fields.map((f: { key: string }) => f.key)).toEqual(['note']);
    expect(form.data.known).toEqual([
      { key: 'name', label: '姓名', display: '张三' },
      { key: 'phone', label: '手机号', display: '138****8001' },
    ]);
    expect(form.data.consentRequired).toBe(false);
    const second = await cloud.call(
      'customer',
      {
        action: 'submitLead',
        requestId: requestId(),
        fields: { company: '某公司', phoneCode: 'test:13900000000' },
      },
      'tapper',
    );
    expect(second.data).toMatchObject({ customerId: first.data.customerId, duplicate: true });
    // The second code is never exchanged (each exchange is paid): only the first was.
    const exchanged = (await cloud.openapiCalls('phonenumber.getPhoneNumber')).map((c) => c.params.code);
    expect(exchanged).toContain('test:13800138001');
    expect(exchanged).not.toContain('test:13900000000');
    const leads = (await db.collection('leads').where({ customerId: first.data.customerId }).get()).data;
    expect(leads.map((l: { phone: string }) => l.phone)).toEqual(['13800138001', '13800138001']);
    expect(leads.every((l: { phoneVerified: boolean }) => l.phoneVerified)).toBe(true);
  });

  test('an expired phone code is reported on its field', async () => {
    const answer = await cloud.call('customer', lead({ name: '张三', phoneCode: 'expired-code' }));
    expect(answer.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'fields.phoneCode' }] });
    expect(await count('leads')).toBe(0);
  });

  test('free text that fails content security is refused on its field and not stored', async () => {
    const answer = await cloud.call(
      'customer',
      lead({ name: '张三', phone: '13800138000', note: '这里有违禁词' }),
    );
    expect(answer.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'fields.note' }] });
    expect(await count('leads')).toBe(0);
    expect((await cloud.openapiCalls('security.msgSecCheck')).length).toBeGreaterThan(0);
  });

  test('more than 10 submissions a minute are rate limited', async () => {
    const answers = [];
    for (let i = 0; i < 11; i += 1)
      answers.push(await cloud.call('customer', lead({ name: '张三', phone: '13800138000' }), 'busy'));
    expect(answers.slice(0, 10).every((a) => a.ok)).toBe(true);
    expect(answers[10].error.code).toBe('RATE_LIMITED');
    expect(await count('leads')).toBe(10);
  });

  test('an unknown or draft activity is NOT_FOUND', async () => {
    const draft = await seedActivity({ status: 'draft' });
    for (const activityId of ['no-such', draft]) {
      const answer = await cloud.call(
        'customer',
        lead({ name: '张三', phone: '13800138000' }, { activityId }),
      );
      expect(answer.error.code).toBe('NOT_FOUND');
    }
  });

  test('the activity configures which fields are required', async () => {
    const activityId = await seedActivity({ fields: ['name', 'phone', 'company', 'industry'] });
    const answer = await cloud.call('customer', lead({ name: '张三', phone: '13800138000' }, { activityId }));
    expect(answer.error.fields.map((f: { path: string }) => f.path)).toEqual([
      'fields.company',
      'fields.industry',
    ]);
  });
});

describe('attribution', () => {
  const touch = (query: Record<string, string>, scene = 1047, openid = 'visitor') =>
    cloud.call('customer', { action: 'touch', entry: { scene, path: 'pages/home/index', query } }, openid);

  test('a staff code scan credits the staff member; a later organic entry does not displace it', async () => {
    const { staffId, scene, codeId } = await seedStaffCode();
    expect((await touch({ scene: encodeURIComponent(scene) })).ok).toBe(true);
    await touch({}, 1001);
    const answer = await cloud.call('customer', lead({ name: '张三', phone: '13800138000' }), 'visitor');
    const stored = (await db.collection('leads').doc(answer.data.leadId).get()).data;
    expect(stored).toMatchObject({ staffId, codeId, channel: 'ch-staff-wang', wxScene: 1047 });
    expect(stored.firstTouch).toMatchObject({ kind: 'code_scan', staffId });
    const customer = (await db.collection('customers').doc(answer.data.customerId).get()).data;
    expect(customer).toMatchObject({ ownerStaffId: staffId, storeId: 'store-jingan' });
  });

  test('unknown, disabled and foreign codes fall back to organic and are counted', async () => {
    const disabled = await seedStaffCode({ disabled: true });
    const foreign = await seedStaffCode({ envId: 'someone-elses-env' });
    for (const scene of ['forged123', disabled.scene, foreign.scene]) await touch({ scene });
    const touches = (await db.collection('touches').get()).data;
    expect(touches.map((t: { kind: string }) => t.kind)).toEqual(['organic', 'organic', 'organic']);
    expect(touches.map((t: { rejected: { reason: string } }) => t.rejected.reason).sort()).toEqual([
      'disabled',
      'foreign_env',
      'unknown',
    ]);
    await cloud.call('dispatch', { action: 'tick' }, null);
    const counters = (await db.collection('funnelCounters').where({ channelId: 'organic' }).get()).data;
    expect(counters.reduce((sum: number, c: { rejectedCodes: number }) => sum + c.rejectedCodes, 0)).toBe(3);
  });

  test("a customer's share card refers the friend and inherits the sharer's owning staff", async () => {
    const { staffId, scene } = await seedStaffCode();
    await touch({ scene }, 1047, 'sharer');
    const share = await cloud.call('customer', { action: 'myShare' }, 'sharer');
    const query = Object.fromEntries(new URLSearchParams(share.data.sharePath.split('?')[1]));
    expect(share.data.sharePath).toMatch(/^pages\/home\/index\?ref=/);
    await touch(query, 1007, 'friend');
    const answer = await cloud.call('customer', lead({ name: '李四', phone: '13700137000' }), 'friend');
    const sharer = await cloud.call('customer', { action: 'session' }, 'sharer');
    const stored = (await db.collection('leads').doc(answer.data.leadId).get()).data;
    expect(stored).toMatchObject({
      channel: 'referral',
      staffId,
      referrerCustomerId: sharer.data.customerId,
      lastTouch: { kind: 'customer_card' },
    });
  });

  test('opening your own share card is not a referral', async () => {
    const share = await cloud.call('customer', { action: 'myShare' }, 'self');
    const query = Object.fromEntries(new URLSearchParams(share.data.sharePath.split('?')[1]));
    await touch(query, 1007, 'self');
    const [stored] = (await db.collection('touches').get()).data;
    expect(stored).toMatchObject({ kind: 'organic', rejected: { reason: 'self_referral' } });
  });

  test('a touch older than the 30-day window no longer credits a lead', async () => {
    const { scene } = await seedStaffCode();
    await touch({ scene });
    // 31 days pass for the touch and for what the customer remembers of it.
    const longAgo = new Date(Date.now() - 31 * DAY_MS);
    await db
      .collection('touches')
      .where({ kind: 'code_scan' })
      .update({ data: { at: longAgo } });
    await db
      .collection('customers')
      .where({ openid: 'visitor' })
      .update({ data: { 'attribution.lastCredited.at': longAgo, 'attribution.lastEntry.at': longAgo } });
    const answer = await cloud.call('customer', lead({ name: '张三', phone: '13800138000' }), 'visitor');
    const stored = (await db.collection('leads').doc(answer.data.leadId).get()).data;
    expect(stored).toMatchObject({ channel: 'organic', staffId: null });
    expect(stored.firstTouch).toMatchObject({ kind: 'code_scan' });
  });

  test('bad touch input is refused and stores nothing', async () => {
    const bad = await cloud.call('customer', { action: 'touch', entry: { scene: 'x', query: {} } });
    expect(bad.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'entry.scene' }] });
    expect(await count('touches')).toBe(0);
  });
});

describe('activities', () => {
  test('listActivities shows published, not yet ended activities with remaining seats', async () => {
    const open = await seedActivity({ capacity: 10, remaining: 4 });
    await seedActivity({ status: 'draft' });
    await seedActivity({ endAt: new Date(Date.now() - DAY_MS) });
    const answer = await cloud.call('customer', { action: 'listActivities' });
    expect(answer.data.items).toEqual([
      expect.objectContaining({
        activityId: open,
        capacity: 10,
        remaining: 4,
        status: 'published',
        closed: false,
      }),
    ]);
  });

  test('getActivity returns the form with only the missing fields', async () => {
    const activityId = await seedActivity({ fields: ['name', 'phone', 'city'] });
    const answer = await cloud.call('customer', { action: 'getActivity', activityId });
    expect(
      answer.data.form.fields.map((f: { key: string; required: boolean }) => [f.key, f.required]),
    ).toEqual([
      ['name', true],
      ['phone', true],
      ['city', true],
    ]);
    expect(answer.data.form.fields[1].pattern).toBe('^1[3-9]\\d{9}$');
    expect(answer.data.myRegistration).toBeNull();
    expect((await cloud.call('customer', { action: 'getActivity', activityId: 'nope' })).error.code).toBe(
      'NOT_FOUND',
    );
  });

  const join = (activityId: string, openid: string, extra: Record<string, unknown> = {}) =>
    cloud.call(
      'customer',
      {
        action: 'joinActivity',
        requestId: requestId(),
        activityId,
        fields: { name: '报名人', phone: `139${String(seq++).padStart(8, '0')}` },
        consent: POLICY,
        ...extra,
      },
      openid,
    );

  test('a burst of concurrent joins never exceeds capacity', async () => {
    const activityId = await seedActivity({ capacity: 5, remaining: 5 });
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => join(activityId, `burst-${i}`)));
    expect(answers.filter((a) => a.ok)).toHaveLength(5);
    expect(answers.filter((a) => !a.ok).every((a) => a.error.code === 'ACTIVITY_FULL')).toBe(true);
    expect(await count('registrations', { activityId, status: 'joined' })).toBe(5);
    expect((await db.collection('activities').doc(activityId).get()).data.remaining).toBe(0);
  });

  test('one customer joining twice concurrently holds one seat', async () => {
    const activityId = await seedActivity({ capacity: 5, remaining: 5 });
    const answers = await Promise.all([1, 2, 3, 4].map(() => join(activityId, 'eager')));
    expect(new Set(answers.map((a) => a.data.registrationId)).size).toBe(1);
    expect((await db.collection('activities').doc(activityId).get()).data.remaining).toBe(4);
  });

  test('the same requestId answers the same registration', async () => {
    const activityId = await seedActivity();
    const event = {
      action: 'joinActivity',
      requestId: requestId(),
      activityId,
      fields: { name: '王五', phone: '13600136000' },
      consent: POLICY,
    };
    const first = await cloud.call('customer', event, 'repeat');
    const again = await cloud.call('customer', event, 'repeat');
    expect(again.data).toMatchObject({
      registrationId: first.data.registrationId,
      checkinCode: first.data.checkinCode,
    });
    expect(await count('registrations')).toBe(1);
    expect(await count('leads', { activityId })).toBe(1);
  });

  test('a join with bad input or without consent is refused and takes no seat', async () => {
    const activityId = await seedActivity({ capacity: 3, remaining: 3 });
    const noConsent = await join(activityId, 'careless', { consent: undefined });
    expect(noConsent.error.code).toBe('CONSENT_REQUIRED');
    const noActivity = await join('', 'careless');
    expect(noActivity.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'activityId' }] });
    const missingName = await join(activityId, 'careless', { fields: { phone: '13800138000' } });
    expect(missingName.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'fields.name' }] });
    expect((await join('no-such-activity', 'careless')).error.code).toBe('NOT_FOUND');
    expect(await count('registrations')).toBe(0);
    expect((await db.collection('activities').doc(activityId).get()).data.remaining).toBe(3);
  });

  test('joining after the deadline is ACTIVITY_CLOSED; a full one ACTIVITY_FULL', async () => {
    const late = await seedActivity({ deadline: new Date(Date.now() - 1000) });
    expect((await join(late, 'late')).error.code).toBe('ACTIVITY_CLOSED');
    const full = await seedActivity({ capacity: 1, remaining: 0 });
    expect((await join(full, 'late')).error.code).toBe('ACTIVITY_FULL');
    expect(await count('registrations')).toBe(0);
  });

  test('cancel gives the seat back; rejoining takes it again; my registrations lists it', async () => {
    const activityId = await seedActivity({ capacity: 2, remaining: 2 });
    const joined = await join(activityId, 'canceller', { reminderTemplateId: 'tmpl-reminder' });
    const stranger = await cloud.call(
      'customer',
      { action: 'cancelRegistration', registrationId: joined.data.registrationId },
      'stranger',
    );
    expect(stranger.error.code).toBe('NOT_FOUND');
    const cancelled = await cloud.call(
      'customer',
      { action: 'cancelRegistration', registrationId: joined.data.registrationId },
      'canceller',
    );
    expect(cancelled.data.status).toBe('cancelled');
    expect((await db.collection('activities').doc(activityId).get()).data.remaining).toBe(2);
    const rejoined = await join(activityId, 'canceller');
    expect(rejoined.data.registrationId).toBe(joined.data.registrationId);
    expect((await db.collection('activities').doc(activityId).get()).data.remaining).toBe(1);
    const mine = await cloud.call('customer', { action: 'myRegistrations' }, 'canceller');
    expect(mine.data.items).toEqual([
      expect.objectContaining({
        activityId,
        status: 'joined',
        title: '周末咖啡品鉴会',
        checkinCode: rejoined.data.checkinCode,
      }),
    ]);
    const qr = Buffer.from(mine.data.items[0].checkinQr.split(',')[1], 'base64');
    expect(decodeQr(qr)).toBe(rejoined.data.checkinCode);
    const detail = await cloud.call('customer', { action: 'getActivity', activityId }, 'canceller');
    expect(detail.data.myRegistration.registrationId).toBe(joined.data.registrationId);
  });
});

describe('privacy', () => {
  test('myData returns what we hold; withdrawing consent asks for it again', async () => {
    await cloud.call('customer', lead({ name: '张三', phone: '13800138000' }), 'private');
    const data = await cloud.call('customer', { action: 'myData' }, 'private');
    expect(data.data.customer).toMatchObject({ phone: '13800138000', profile: { name: '张三' } });
    expect(data.data.leads).toHaveLength(1);
    expect((await cloud.call('customer', { action: 'withdrawConsent' }, 'private')).data).toEqual({
      withdrawn: true,
    });
    const session = await cloud.call('customer', { action: 'session' }, 'private');
    expect(session.data.consent.accepted).toBe(false);
    const refused = await cloud.call(
      'customer',
      { action: 'submitLead', requestId: requestId(), fields: { company: 'x' } },
      'private',
    );
    expect(refused.error.code).toBe('CONSENT_REQUIRED');
    expect(await count('audit', { action: 'consent.withdraw' })).toBe(1);
  });

  test('deleteMyData removes personal data, keeps anonymous counts and records the deletion', async () => {
    const activityId = await seedActivity();
    await cloud.call('customer', lead({ name: '张三', phone: '13800138000', note: '想了解会员' }), 'leaver');
    await cloud.call(
      'customer',
      { action: 'joinActivity', requestId: requestId(), activityId, fields: {}, consent: POLICY },
      'leaver',
    );
    const { customerId } = (await cloud.call('customer', { action: 'session' }, 'leaver')).data;
    const countersBefore = (await db.collection('funnelCounters').get()).data;
    expect((await cloud.call('customer', { action: 'deleteMyData' }, 'leaver')).data).toEqual({
      deleted: true,
    });
    expect(await count('customers', { _id: customerId })).toBe(0);
    expect(await count('identities')).toBe(0);
    const leads = (await db.collection('leads').get()).data;
    expect(leads).toHaveLength(2);
    for (const stored of leads) {
      expect(stored).toMatchObject({ name: null, phone: null, phoneTail: null, answers: {} });
      expect(stored.customerId).toMatch(/^deleted:/);
      expect(JSON.stringify(stored)).not.toContain('13800138000');
    }
    const registrations = (await db.collection('registrations').get()).data;
    expect(registrations[0]).toMatchObject({ answers: {}, status: 'joined' });
    expect(await count('touches', { customerId })).toBe(0);
    expect((await db.collection('funnelCounters').get()).data).toEqual(countersBefore);
    const [entry] = (await db.collection('audit').where({ action: 'customer.delete' }).get()).data;
    expect(entry.detail).toMatchObject({ leads: 2, registrations: 1 });
    const fresh = await cloud.call('customer', { action: 'session' }, 'leaver');
    expect(fresh.data).toMatchObject({ hasPhone: false, profile: {} });
  });
});

describe('subscribeReminder', () => {
  test('a sign-up made without the reminder takes it later, only by its own customer', async () => {
    const activityId = await seedActivity();
    const joined = await cloud.call(
      'customer',
      {
        action: 'joinActivity',
        requestId: requestId(),
        activityId,
        fields: { name: '张三', phone: '13800138000' },
        consent: POLICY,
      },
      'joiner',
    );
    const { registrationId } = joined.data;
    const before = await cloud.call('customer', { action: 'myRegistrations' }, 'joiner');
    expect(before.data.items[0]).toMatchObject({ registrationId, reminderSet: false });

    const stranger = await cloud.call(
      'customer',
      { action: 'subscribeReminder', registrationId, reminderTemplateId: 'tmpl-1' },
      'stranger',
    );
    expect(stranger.error).toMatchObject({ code: 'NOT_FOUND' });
    const bad = await cloud.call('customer', { action: 'subscribeReminder', registrationId }, 'joiner');
    expect(bad.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'reminderTemplateId' }] });
    expect((await db.collection('registrations').doc(registrationId).get()).data.reminder).toBeNull();

    const subscribed = await cloud.call(
      'customer',
      { action: 'subscribeReminder', registrationId, reminderTemplateId: 'tmpl-1' },
      'joiner',
    );
    expect(subscribed.data).toEqual({ registrationId, reminderSet: true });
    expect((await db.collection('registrations').doc(registrationId).get()).data.reminder).toEqual({
      templateId: 'tmpl-1',
      sentAt: null,
    });
    const after = await cloud.call('customer', { action: 'myRegistrations' }, 'joiner');
    expect(after.data.items[0]).toMatchObject({ reminderSet: true });
  });
});
