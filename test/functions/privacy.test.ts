// Privacy findings of the outside attack run, each through the local cloud: complete deletion,
// withdrawn consent, the phone-search oracle, what "my data" shows, funnel inflation by one
// openid, request ids reused across actions, and export files that expire.
import { type AdminCloud, startAdminCloud } from './admin-cloud';
import { activityDoc, clearAll, DAY_MS } from './project-cloud';

let cloud: AdminCloud;
let db: any;
let admin: string;
const POLICY = { version: '2026-11-01', accepted: true };
let seq = 0;
const requestId = () => {
  seq += 1;
  return `priv-${Date.now()}-${seq}`;
};
const PHONE = '13912345678';

beforeAll(async () => {
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  admin = await cloud.login('admin', 'admin');
});

const docOf = async (collection: string, id: string) => (await db.collection(collection).doc(id).get()).data;
const all = async (collection: string, where: Record<string, unknown> = {}) =>
  (await db.collection(collection).where(where).limit(1000).get()).data as any[];

async function robotConfigured() {
  await db.collection('rules').add({
    data: {
      _id: 'settings',
      kind: 'settings',
      mqlThreshold: 60,
      slaHours: 2,
      robots: [{ id: 'hq', url: `${cloud.cloud.url}/__local/wecom/send?key=hq`, store: '' }],
      webhooks: [],
      adminUrl: '',
    },
  });
}

/** A customer with a lead (free-text answers, a sales note quoting the phone) and a sign-up (a custom question answered). */
async function personWithHistory(openid = 'person') {
  const activityId = (
    await db.collection('activities').add({
      data: activityDoc({
        fields: ['name', 'phone', 'company', 'note'],
        customFields: [{ id: 'c_budget01', label: '预算', type: 'text', required: false }],
      }),
    })
  )._id;
  const submitted = await cloud.call(
    'customer',
    {
      action: 'submitLead',
      requestId: requestId(),
      fields: { name: '李秘密', phoneCode: `test:${PHONE}`, company: '秘密公司', note: '请打我手机' },
      consent: POLICY,
    },
    openid,
  );
  expect(submitted.ok).toBe(true);
  const joined = await cloud.call(
    'customer',
    {
      action: 'joinActivity',
      requestId: requestId(),
      activityId,
      fields: { note: '带两位同事', c_budget01: '秘密预算五万' },
      consent: POLICY,
    },
    openid,
  );
  expect(joined.ok).toBe(true);
  const note = await cloud.api(
    'POST',
    `/leads/${submitted.data.leadId}/notes`,
    { text: `已致电 ${PHONE}，李秘密说下周来` },
    admin,
  );
  expect(note.body.ok).toBe(true);
  return {
    activityId,
    leadId: submitted.data.leadId as string,
    customerId: submitted.data.customerId as string,
  };
}

describe('deleteMyData removes every copy of the person', () => {
  test('answers, notes, message summaries, the drawer, the sign-up list and exports hold nothing of them', async () => {
    await robotConfigured();
    const { activityId, leadId } = await personWithHistory();
    expect(JSON.stringify(await all('outbox'))).toContain('李秘密');
    expect(JSON.stringify(await all('registrations'))).toContain('秘密预算五万');

    const deleted = await cloud.call('customer', { action: 'deleteMyData' }, 'person');
    expect(deleted).toEqual({ ok: true, data: { deleted: true } });

    const traces = JSON.stringify({
      leads: await all('leads'),
      registrations: await all('registrations'),
      outbox: await all('outbox'),
      customers: await all('customers'),
      identities: await all('identities'),
    });
    for (const trace of [
      '李秘密',
      '秘密公司',
      '请打我手机',
      '带两位同事',
      '秘密预算五万',
      PHONE,
      '139****5678',
    ])
      expect(traces).not.toContain(trace);

    const drawer = await cloud.api('GET', `/leads/${leadId}`, undefined, admin);
    expect(JSON.stringify(drawer.body.data)).not.toMatch(/李秘密|秘密公司|13912345678|139\*\*\*\*5678/);
    expect(drawer.body.data.notes).toEqual([]);
    const signups = await cloud.api('GET', `/activities/${activityId}/registrations`, undefined, admin);
    expect(signups.body.data.items).toHaveLength(1);
    expect(signups.body.data.items[0]).toMatchObject({ name: null, phoneMasked: null });

    let job = (await cloud.api('POST', '/exports', { includePhone: true }, admin)).body.data;
    while (job.status === 'running')
      job = (await cloud.api('GET', `/jobs/${job.jobId}`, undefined, admin)).body.data;
    const csv = await (await fetch(job.downloadUrl)).text();
    expect(csv).not.toMatch(/李秘密|秘密公司|13912345678/);
  });
});

describe('withdrawn consent', () => {
  test('the admin shows it, and nobody can reveal or export that phone any more', async () => {
    const { leadId } = await personWithHistory();
    expect((await cloud.api('POST', `/leads/${leadId}/reveal`, {}, admin)).body.data.phone).toBe(PHONE);

    await cloud.call('customer', { action: 'withdrawConsent' }, 'person');
    const detail = await cloud.api('GET', `/leads/${leadId}`, undefined, admin);
    expect(detail.body.data.consentWithdrawnAt).toEqual(expect.any(String));
    const reveal = await cloud.api('POST', `/leads/${leadId}/reveal`, {}, admin);
    expect(reveal.status).toBe(403);
    expect(reveal.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('撤回') });

    let job = (await cloud.api('POST', '/exports', { includePhone: true }, admin)).body.data;
    while (job.status === 'running')
      job = (await cloud.api('GET', `/jobs/${job.jobId}`, undefined, admin)).body.data;
    const csv = await (await fetch(job.downloadUrl)).text();
    expect(csv).not.toContain(PHONE);
    expect(csv).toContain('139****5678');
  });
});

describe('searching by phone digits', () => {
  test('needs the reveal permission and is audited', async () => {
    await personWithHistory();
    const viewer = await cloud.login('viewer', 'viewer');
    for (const path of ['/leads?q=5678', '/leads/count?q=912345678']) {
      const refused = await cloud.api('GET', path, undefined, viewer);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', fields: [{ path: 'q' }] });
    }
    const byName = await cloud.api('GET', `/leads?q=${encodeURIComponent('李')}`, undefined, viewer);
    expect(byName.body.data.items).toHaveLength(2);
    expect(await all('audit', { action: 'leads.search.phone' })).toHaveLength(0);

    const found = await cloud.api('GET', '/leads?q=2345678', undefined, admin);
    expect(found.body.data.items.length).toBeGreaterThan(0);
    const audits = await all('audit', { action: 'leads.search.phone' });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor: 'account:admin', subject: '2345678' });
    expect((await cloud.api('POST', '/exports', { filter: { q: '5678' } }, viewer)).status).toBe(403);
  });
});

describe('my data', () => {
  test('shows what we hold, not our workflow', async () => {
    await personWithHistory();
    const mine = await cloud.call('customer', { action: 'myData' }, 'person');
    expect(mine.data.customer).toMatchObject({
      phone: PHONE,
      phoneVerified: true,
      profile: { name: '李秘密' },
    });
    expect(mine.data.leads).toHaveLength(2);
    expect(mine.data.counts).toEqual({ leads: 2, registrations: 1, touches: 0 });
    const withNote = mine.data.leads.find((l: any) => l.answers.note === '请打我手机');
    expect(withNote).toMatchObject({ salesNotes: 1, name: '李秘密' });
    // A custom answer is kept by its field id; the question comes with it, so the page can name it.
    expect(mine.data.registrations[0].answers.c_budget01).toBe('秘密预算五万');
    expect(mine.data.answerLabels).toEqual({ c_budget01: '预算' });
    const text = JSON.stringify(mine.data);
    for (const internal of [
      '已致电',
      'account:admin',
      'ownerId',
      'ownerStaffId',
      'statusHistory',
      'requestKey',
      'score',
      'openids',
    ])
      expect(text).not.toContain(internal);
  });
});

describe('one openid cannot inflate a funnel', () => {
  test('entries and form views count once per customer, cell and day', async () => {
    const activityId = (await db.collection('activities').add({ data: activityDoc() }))._id;
    const entry = { scene: 1001, path: 'pages/home/index', query: {} };
    for (let i = 0; i < 5; i += 1) {
      expect((await cloud.call('customer', { action: 'touch', entry }, 'inflater')).ok).toBe(true);
      expect((await cloud.call('customer', { action: 'getActivity', activityId }, 'inflater')).ok).toBe(true);
      expect((await cloud.call('customer', { action: 'leadForm' }, 'inflater')).ok).toBe(true);
    }
    await cloud.call('customer', { action: 'touch', entry }, 'someone-else');
    // Capture leaves its counts to the dispatcher's next run.
    expect(await all('funnelCounters')).toEqual([]);
    expect((await cloud.call('dispatch', { action: 'tick' }, null)).data.counted).toBe(4);
    const cells = await all('funnelCounters');
    const sum = (name: string) => cells.reduce((total, c) => total + (c[name] ?? 0), 0);
    expect(sum('entries')).toBe(2);
    expect(sum('formViews')).toBe(2);
    // Every entry is still kept for attribution, and a recount from them agrees.
    expect(await all('touches')).toHaveLength(6);
    const recount = await cloud.call('dispatch', { action: 'recount' }, null);
    expect(recount.data.differences ?? []).toEqual([]);
  });
});

describe('request ids are scoped by action and target', () => {
  test('a join reusing a lead request id takes a seat with its own lead', async () => {
    const activityId = (
      await db.collection('activities').add({ data: activityDoc({ capacity: 5, remaining: 5 }) })
    )._id;
    const shared = requestId();
    const lead = await cloud.call(
      'customer',
      {
        action: 'submitLead',
        requestId: shared,
        fields: { name: '甲', phoneCode: 'test:13700000001' },
        consent: POLICY,
      },
      'reuser',
    );
    const join = await cloud.call(
      'customer',
      { action: 'joinActivity', requestId: shared, activityId, consent: POLICY },
      'reuser',
    );
    expect(join.ok).toBe(true);
    const leads = await all('leads', { customerId: lead.data.customerId });
    expect(leads.map((l) => l.activityId).sort()).toEqual([activityId, null].sort());
  });

  test('a replay aimed at another activity is refused and takes no seat', async () => {
    const first = (
      await db.collection('activities').add({ data: activityDoc({ capacity: 5, remaining: 5 }) })
    )._id;
    const second = (
      await db.collection('activities').add({ data: activityDoc({ capacity: 5, remaining: 5 }) })
    )._id;
    const shared = requestId();
    const join = {
      action: 'joinActivity',
      requestId: shared,
      fields: { name: '乙', phoneCode: 'test:13700000002' },
      consent: POLICY,
    };
    expect((await cloud.call('customer', { ...join, activityId: first }, 'reuser')).ok).toBe(true);
    const other = await cloud.call('customer', { ...join, activityId: second }, 'reuser');
    expect(other.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'requestId' }] });
    expect((await docOf('activities', second)).remaining).toBe(5);
    expect(await all('registrations', { activityId: second })).toHaveLength(0);

    const lead = { action: 'submitLead', requestId: requestId(), fields: { name: '乙' }, consent: POLICY };
    expect((await cloud.call('customer', lead, 'reuser')).ok).toBe(true);
    const retargeted = await cloud.call('customer', { ...lead, activityId: first }, 'reuser');
    expect(retargeted.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'requestId' }] });
  });
});

describe('export files expire', () => {
  test('a finished export is deleted after its retention', async () => {
    await personWithHistory();
    let job = (await cloud.api('POST', '/exports', {}, admin)).body.data;
    while (job.status === 'running')
      job = (await cloud.api('GET', `/jobs/${job.jobId}`, undefined, admin)).body.data;
    expect((await fetch(job.downloadUrl)).status).toBe(200);

    await cloud.call(
      'dispatch',
      { action: 'tick', now: new Date(Date.now() + 6 * DAY_MS).toISOString() },
      null,
    );
    expect((await fetch(job.downloadUrl)).status).toBe(200);
    const tick = await cloud.call(
      'dispatch',
      {
        action: 'tick',
        now: new Date(Date.now() + 8 * DAY_MS).toISOString(),
      },
      null,
    );
    expect(tick).toMatchObject({ ok: true, data: { expired: 1 } });
    expect((await fetch(job.downloadUrl)).status).toBe(404);
    const gone = await cloud.api('GET', `/jobs/${job.jobId}`, undefined, admin);
    expect(gone.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('过期') });
    expect(await docOf('jobs', job.jobId)).toMatchObject({ status: 'expired', fileId: null, parts: [] });
  });
});
