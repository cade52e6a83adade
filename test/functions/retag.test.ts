// Re-tagging through the local cloud: where each tag came from (a rule or a person) is kept, a
// re-tag recomputes only the rule tags, and a dry run says what would change before anything does.
import type { RetagJobView, RetagPreview } from '../../typings/admin';
import { type AdminCloud, startAdminCloud } from './admin-cloud';
import { clearAll } from './project-cloud';

let cloud: AdminCloud;
let db: any;
let admin: string;

beforeAll(async () => {
  // One page of leads per step, so a few hundred leads already make a job of several steps.
  process.env.LEADPOOL_RETAG_STEP_MS = '0';
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  admin = await cloud.login('boss', 'admin');
});

const POLICY = { version: '2026-11-01', accepted: true };
const submit = (i: number, fields: Record<string, string> = {}, openid = `retag-customer-${i}`) =>
  cloud.call(
    'customer',
    {
      action: 'submitLead',
      requestId: `retag-request-${i}`,
      fields: { name: `顾客${i}`, phone: `137${String(i).padStart(8, '0')}`, ...fields },
      consent: POLICY,
    },
    openid,
  );

const franchise = {
  name: '加盟意向',
  kind: 'tag',
  group: '意向',
  tag: '加盟',
  when: [{ type: 'keywords', synonyms: [['加盟', '开店']] }],
};
const named = {
  name: '留了姓名',
  kind: 'tag',
  group: '资料',
  tag: '有姓名',
  when: [{ type: 'filled', field: 'name' }],
};

async function addRule(rule: Record<string, unknown>): Promise<string> {
  const res = await cloud.api('POST', '/rules', rule, admin);
  expect(res.status).toBe(200);
  return res.body.data.ruleId;
}
const lead = async (id: string) => (await db.collection('leads').doc(id).get()).data;
const retag = async () => (await cloud.api('POST', '/rules/retag', {}, admin)).body.data as RetagJobView;
const bulkTag = (leadIds: string[], add: string[], remove: string[] = []) =>
  cloud.api('POST', '/leads/tag', { leadIds, add, remove }, admin);

let seq = 0;
/** A lead as stored before tag sources were kept: `tags` only. */
function storedLead(overrides: Record<string, unknown> = {}) {
  seq += 1;
  const createdAt = new Date(Date.UTC(2026, 8, 1) + seq * 60_000);
  return {
    _id: `old-${String(seq).padStart(5, '0')}`,
    requestKey: `old-req-${seq}-${Math.random()}`,
    customerId: `old-cust-${seq}`,
    activityId: null,
    source: 'form',
    name: `老顾客${seq}`,
    phone: null,
    phoneTail: null,
    phoneVerified: false,
    answers: {},
    channel: 'ad-1',
    channelType: 'ad',
    staffId: null,
    storeId: null,
    tags: [],
    score: 0,
    mql: false,
    ownerId: null,
    status: 'new',
    statusHistory: [],
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}
async function seedLeads(docs: Record<string, unknown>[]) {
  const tcb = require('@cloudbase/node-sdk');
  const leads = tcb.init({ env: cloud.cloud.envId }).database().collection('leads');
  for (let i = 0; i < docs.length; i += 100) await leads.add(docs.slice(i, i + 100));
}

describe('tag sources', () => {
  test('a re-tag recomputes the rule tags and keeps the tags a person added', async () => {
    const franchiseId = await addRule(franchise);
    const { leadId } = (await submit(1, { note: '想了解加盟政策' })).data;
    expect(await lead(leadId)).toMatchObject({
      tags: ['意向:加盟'],
      ruleTags: ['意向:加盟'],
      manualTags: [],
    });

    expect((await bulkTag([leadId], ['重点客户'])).body.data).toEqual({ updated: 1 });
    expect(await lead(leadId)).toMatchObject({ tags: ['意向:加盟', '重点客户'], manualTags: ['重点客户'] });

    // The franchise rule no longer matches this lead; a new rule does.
    await cloud.api(
      'PATCH',
      `/rules/${franchiseId}`,
      { when: [{ type: 'keywords', synonyms: [['代理']] }] },
      admin,
    );
    await addRule(named);
    expect(await retag()).toMatchObject({ status: 'done', processed: 1, changed: 1 });
    expect(await lead(leadId)).toMatchObject({
      tags: ['资料:有姓名', '重点客户'],
      ruleTags: ['资料:有姓名'],
      manualTags: ['重点客户'],
    });
  });

  test('a lead stored before sources were kept loses none of the tags no rule gives it', async () => {
    await addRule(franchise);
    await seedLeads([
      storedLead({
        _id: 'old-a',
        answers: { note: '考虑开店' },
        tags: ['生命周期:MQL', '意向:加盟', '来源:导购'],
      }),
      storedLead({ _id: 'old-b', tags: ['意向:加盟', '活动:试饮'] }),
    ]);
    expect(await retag()).toMatchObject({ status: 'done', processed: 2, changed: 0 });
    expect(await lead('old-a')).toMatchObject({
      tags: ['意向:加盟', '生命周期:MQL', '来源:导购'],
      ruleTags: ['意向:加盟'],
      manualTags: ['生命周期:MQL', '来源:导购'],
    });
    // Without a note no rule gives old-b 意向:加盟 today: kept, as a person's tag.
    expect(await lead('old-b')).toMatchObject({
      tags: ['意向:加盟', '活动:试饮'],
      ruleTags: [],
      manualTags: ['意向:加盟', '活动:试饮'],
    });
  });

  test('a rule tag a person removed is not put back by a re-tag, until a person adds it again', async () => {
    await addRule(franchise);
    const { leadId } = (await submit(2, { note: '想加盟' })).data;
    await bulkTag([leadId], [], ['意向:加盟']);
    expect((await lead(leadId)).tags).toEqual([]);
    await retag();
    expect(await lead(leadId)).toMatchObject({ tags: [], ruleTags: [], removedTags: ['意向:加盟'] });
    await bulkTag([leadId], ['意向:加盟']);
    await retag();
    expect(await lead(leadId)).toMatchObject({ tags: ['意向:加盟'], removedTags: [] });
  });

  test('bulk tag on a lead stored before sources were kept: its other tags stay', async () => {
    await addRule(franchise);
    await seedLeads([storedLead({ _id: 'old-c', tags: ['来源:门店', 'x'] })]);
    await bulkTag(['old-c'], ['意向:高'], ['x']);
    expect(await lead('old-c')).toMatchObject({ tags: ['来源:门店', '意向:高'], manualTags: ['意向:高'] });
    await retag();
    expect((await lead('old-c')).tags).toEqual(['来源:门店', '意向:高']);
  });

  test('behaviour rules read the customer on a re-tag, as at capture', async () => {
    await addRule({
      name: '多次留资',
      kind: 'tag',
      group: '行为',
      tag: '多次留资',
      when: [{ type: 'behaviour', metric: 'submissions', atLeast: 2 }],
    });
    await submit(3, {}, 'twice');
    const second = (await submit(4, {}, 'twice')).data.leadId;
    expect((await lead(second)).tags).toEqual(['行为:多次留资']);
    await retag();
    expect((await lead(second)).tags).toEqual(['行为:多次留资']);
  });

  test('switching a rule off and on again keeps the tag it gives', async () => {
    const ruleId = await addRule(franchise);
    for (const enabled of [false, true])
      expect((await cloud.api('PATCH', `/rules/${ruleId}`, { enabled }, admin)).status).toBe(200);
    expect((await db.collection('rules').doc(ruleId).get()).data).toMatchObject({
      group: '意向',
      tag: '加盟',
      enabled: true,
    });
    const { leadId } = (await submit(5, { note: '想加盟' })).data;
    expect((await lead(leadId)).tags).toEqual(['意向:加盟']);
  });

  test('the rule test box still judges a sample without touching any lead', async () => {
    const res = await cloud.api(
      'POST',
      '/rules/test',
      { rule: franchise, sample: { text: '想开店' } },
      admin,
    );
    expect(res.body.data).toEqual({ matched: true, tags: ['意向:加盟'], score: 0 });
  });
});

describe('dry run', () => {
  test('says how many leads would change and which tags come and go, and changes nothing', async () => {
    const franchiseId = await addRule(franchise);
    const a = (await submit(10, { note: '想加盟' })).data.leadId;
    const b = (await submit(11, { note: '开店咨询' })).data.leadId;
    const c = (await submit(12)).data.leadId;
    await bulkTag([a], ['重点客户']);
    await cloud.api(
      'PATCH',
      `/rules/${franchiseId}`,
      { when: [{ type: 'keywords', synonyms: [['开店']] }] },
      admin,
    );
    await addRule(named);
    const before = (await db.collection('leads').get()).data;

    const res = await cloud.api('POST', '/rules/retag', { dryRun: true }, admin);
    expect(res.status).toBe(200);
    const preview = res.body.data as RetagPreview;
    expect(preview).toEqual({
      jobId: expect.any(String),
      dryRun: true,
      status: 'done',
      processed: 3,
      total: 3,
      changed: 3,
      added: [{ tag: '资料:有姓名', leads: 3 }],
      removed: [{ tag: '意向:加盟', leads: 1 }],
      rescored: 0,
      unsourced: 0,
    });
    expect((await db.collection('leads').get()).data).toEqual(before);
    const read = await cloud.api('GET', `/rules/retag/${preview.jobId}`, undefined, admin);
    expect(read.body.data).toEqual(preview);

    const run = await retag();
    expect(run.changed).toBe(preview.changed);
    expect((await lead(a)).tags).toEqual(['资料:有姓名', '重点客户']);
    expect((await lead(b)).tags).toEqual(['意向:加盟', '资料:有姓名']);
    expect((await lead(c)).tags).toEqual(['资料:有姓名']);
  });

  test('over many leads it runs in steps, advanced by whoever reads it; the timer leaves it alone', async () => {
    await addRule({ ...named, when: [{ type: 'channel', channelTypes: ['ad'] }] });
    await seedLeads(Array.from({ length: 1100 }, (_, i) => storedLead({ tags: i % 2 ? ['旧标签'] : [] })));
    const started = await cloud.api('POST', '/rules/retag', { dryRun: true }, admin);
    let preview = started.body.data as RetagPreview;
    expect(preview).toMatchObject({ dryRun: true, status: 'running', processed: 500, total: 1100 });
    await cloud.call('dispatch', { action: 'tick' }, null);
    expect((await db.collection('jobs').doc(preview.jobId).get()).data.processed).toBe(500);
    for (let i = 0; i < 5 && preview.status === 'running'; i += 1)
      preview = (await cloud.api('GET', `/rules/retag/${preview.jobId}`, undefined, admin)).body.data;
    expect(preview).toMatchObject({
      status: 'done',
      processed: 1100,
      changed: 1100,
      added: [{ tag: '资料:有姓名', leads: 1100 }],
      removed: [],
      rescored: 0,
      unsourced: 1100,
    });
    expect(await db.collection('leads').where({ tags: '资料:有姓名' }).count()).toMatchObject({ total: 0 });

    // The run itself is carried on by the timer, and its count matches the dry run's.
    let run = await retag();
    expect(run).toMatchObject({ status: 'running', processed: 500 });
    for (let i = 0; i < 5 && run.status === 'running'; i += 1) {
      await cloud.call('dispatch', { action: 'tick' }, null);
      run = (await cloud.api('GET', `/rules/retag/${run.jobId}`, undefined, admin)).body.data;
    }
    expect(run).toEqual({ jobId: run.jobId, status: 'done', processed: 1100, total: 1100, changed: 1100 });
    expect(await db.collection('leads').where({ tags: '旧标签' }).count()).toMatchObject({ total: 550 });
    expect(await db.collection('leads').where({ tags: '资料:有姓名' }).count()).toMatchObject({
      total: 1100,
    });
  }, 60_000);

  test('a dry run needs rules.write, like the run', async () => {
    const viewer = await cloud.login('vera', 'viewer');
    expect((await cloud.api('POST', '/rules/retag', { dryRun: true }, viewer)).status).toBe(403);
  });
});
