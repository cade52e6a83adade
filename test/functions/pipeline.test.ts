// The lead pipeline through the local cloud: rules at capture, assignment, the outbox delivered
// to the local WeCom robot and CRM webhook fakes, faults, the robot's limit, SLA, jobs, recount.
import crypto from 'node:crypto';
import { clearAll, type ProjectCloud, seedStaff, startProjectCloud } from './project-cloud';

let cloud: ProjectCloud;
let db: any;
const POLICY = { version: '2026-11-01', accepted: true };
const MINUTE = 60_000;
const WEBHOOK_SECRET = 'local-webhook-secret';

beforeAll(async () => {
  cloud = await startProjectCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  await local('DELETE', '/__local/sales');
  await local('PUT', '/__local/sales/robot-limit', { perMinute: null });
  await configure();
});

async function local(method: string, path: string, body?: unknown) {
  const res = await fetch(`${cloud.cloud.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as any;
}

async function configure(overrides: Record<string, unknown> = {}) {
  await db
    .collection('rules')
    .doc('settings')
    .set({
      data: {
        kind: 'settings',
        mqlThreshold: 50,
        slaHours: 2,
        robots: [{ id: 'hq', url: `${cloud.cloud.url}/__local/wecom/send?key=hq`, store: '' }],
        webhooks: [{ id: 'crm', url: `${cloud.cloud.url}/__local/webhook/crm`, secret: WEBHOOK_SECRET }],
        adminUrl: 'http://127.0.0.1:3000/admin',
        ...overrides,
      },
    });
}

const fault = (target: string, mode: string, count?: number) =>
  local('PUT', '/__local/sales/faults', { target, mode, count });
const received = async (target: string) =>
  ((await local('GET', `/__local/sales?target=${encodeURIComponent(target)}`)).data.received as any[]).filter(
    (m) => m.outcome === 'ok',
  );
const tick = (now: Date) => cloud.call('dispatch', { action: 'tick', now: now.toISOString() }, null);
const submit = (i: number, extra: Record<string, unknown> = {}, openid = `customer-${i}`) =>
  cloud.call(
    'customer',
    {
      action: 'submitLead',
      requestId: `lead-request-${i}`,
      fields: {
        name: `顾客${String(i).padStart(4, '0')}`,
        phone: `139${String(i).padStart(8, '0')}`,
        ...extra,
      },
      consent: POLICY,
    },
    openid,
  );
const robotText = (m: any) => m.body.markdown.content as string;

describe('capture: rules, owner, messages', () => {
  test('a lead is tagged, scored and reaches the robot and the webhook within the call', async () => {
    await db.collection('rules').add({
      data: {
        kind: 'tag',
        name: '加盟意向',
        group: '意向',
        tag: '加盟',
        when: [{ type: 'keywords', synonyms: [['加盟', '开店']] }],
      },
    });
    await db.collection('rules').add({
      data: { kind: 'score', name: '留言', points: 60, when: [{ type: 'filled', field: 'note' }] },
    });
    const answer = await submit(1, { note: '想了解一下加盟政策' });
    const lead = (await db.collection('leads').doc(answer.data.leadId).get()).data;
    expect(lead).toMatchObject({
      tags: ['意向:加盟'],
      score: 60,
      mql: true,
      ownerId: null,
      assignedBy: 'pool',
    });
    const [robot] = await received('robot:hq');
    expect(robotText(robot)).toContain('顾客0001');
    expect(robotText(robot)).toContain('139****0001');
    expect(robotText(robot)).toContain('意向:加盟');
    expect(JSON.stringify(robot.body)).not.toContain('13900000001');
    const [hook] = await received('webhook:crm');
    const signature = crypto
      .createHmac('sha256', WEBHOOK_SECRET)
      .update(JSON.stringify(hook.body))
      .digest('hex');
    expect(hook.headers['x-leadpool-signature']).toBe(`sha256=${signature}`);
    expect(hook.body.leads[0]).toMatchObject({ leadId: answer.data.leadId, tags: ['意向:加盟'], score: 60 });
    const outbox = (await db.collection('outbox').where({ leadIds: answer.data.leadId }).get()).data;
    expect(outbox.map((m: any) => m.status)).toEqual(['delivered', 'delivered']);
  });

  test("round-robin among the store's sales by weight; the attributed seller keeps their own", async () => {
    const a = await seedStaff(db, { name: '甲', store: 'S1', role: 'sales', sales: { weight: 3 } });
    const b = await seedStaff(db, { name: '乙', store: 'S1', role: 'sales', sales: { weight: 1 } });
    await seedStaff(db, { name: '导购', store: 'S1', role: 'staff', openid: 'guide' });
    const code = (await cloud.call('staff', { action: 'myCode' }, 'guide')).data;
    const owners: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      await cloud.call(
        'customer',
        { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: { scene: code.scene } } },
        `walk-in-${i}`,
      );
      const answer = await submit(100 + i, {}, `walk-in-${i}`);
      owners.push((await db.collection('leads').doc(answer.data.leadId).get()).data.ownerId);
    }
    expect(owners.filter((o) => o === a)).toHaveLength(6);
    expect(owners.filter((o) => o === b)).toHaveLength(2);
    const seller = await seedStaff(db, { name: '丙', store: 'S1', role: 'sales', openid: 'seller' });
    const sellerCode = (await cloud.call('staff', { action: 'myCode' }, 'seller')).data;
    await cloud.call(
      'customer',
      {
        action: 'touch',
        entry: { scene: 1047, path: 'pages/home/index', query: { scene: sellerCode.scene } },
      },
      'own-customer',
    );
    const own = await submit(200, {}, 'own-customer');
    expect((await db.collection('leads').doc(own.data.leadId).get()).data).toMatchObject({
      ownerId: seller,
      assignedBy: 'attributed',
    });
  });
});

describe('faults: nothing lost, nothing doubled', () => {
  test('robot down for 10 minutes, then back: every lead delivered exactly once', async () => {
    await fault('robot:hq', 'http500');
    const leadIds: string[] = [];
    for (let i = 0; i < 5; i += 1) leadIds.push((await submit(i)).data.leadId);
    const start = Date.now();
    for (let minute = 1; minute <= 10; minute += 1) await tick(new Date(start + minute * MINUTE));
    expect(await received('robot:hq')).toHaveLength(0);
    const pending = (await db.collection('outbox').where({ channel: 'robot:hq' }).get()).data;
    expect(
      pending.every((m: any) => m.status === 'pending' && m.attempts > 1 && m.lastError === 'HTTP 500'),
    ).toBe(true);
    await fault('robot:hq', 'ok');
    for (let minute = 11; minute <= 60; minute += 1) await tick(new Date(start + minute * MINUTE));
    const texts = (await received('robot:hq')).map(robotText).join('\n');
    for (let i = 0; i < 5; i += 1)
      expect(texts.split(`顾客${String(i).padStart(4, '0')}`).length - 1).toBe(1);
    const robotMessages = (await db.collection('outbox').where({ channel: 'robot:hq' }).get()).data;
    expect(robotMessages.filter((m: any) => m.status !== 'delivered')).toEqual([]);
    expect(robotMessages.flatMap((m: any) => m.leadIds).sort()).toEqual([...leadIds].sort());
  });

  test('webhook answering 500 then 200: delivered once more, with the same message id', async () => {
    await fault('webhook:crm', 'http500', 1);
    const { leadId } = (await submit(7)).data;
    const [message] = (await db.collection('outbox').where({ channel: 'webhook:crm' }).get()).data;
    expect(message).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500' });
    await tick(new Date(Date.now() + 2 * MINUTE));
    const hooks = await received('webhook:crm');
    expect(hooks).toHaveLength(1);
    expect(hooks[0].headers['x-leadpool-message-id']).toBe(message.messageId);
    expect(hooks[0].body.leads[0].leadId).toBe(leadId);
  });

  test('a webhook that times out is retried on the next tick', async () => {
    await fault('webhook:crm', 'timeout', 1);
    await submit(6);
    const [message] = (await db.collection('outbox').where({ channel: 'webhook:crm' }).get()).data;
    expect(message).toMatchObject({ status: 'pending', attempts: 1 });
    expect(message.lastError).toMatch(/timeout|abort/i);
    await tick(new Date(Date.now() + 2 * MINUTE));
    expect(await received('webhook:crm')).toHaveLength(1);
  }, 20_000);

  test('a message that keeps failing becomes visible as failed and can be retried', async () => {
    await fault('webhook:crm', 'http500');
    await submit(8);
    let now = Date.now();
    for (let i = 0; i < 15; i += 1) {
      now += 31 * MINUTE;
      await tick(new Date(now));
    }
    const [failed] = (await db.collection('outbox').where({ channel: 'webhook:crm' }).get()).data;
    expect(failed).toMatchObject({ status: 'failed', attempts: 10, lastError: 'HTTP 500' });
    await fault('webhook:crm', 'ok');
    expect((await cloud.call('dispatch', { action: 'retry', messageIds: [failed._id] }, null)).data).toEqual({
      retried: 1,
    });
    await tick(new Date(now + MINUTE));
    expect(await received('webhook:crm')).toHaveLength(1);
  });

  test('errcode 45009 from the robot defers to the next minute without counting an attempt', async () => {
    await fault('robot:hq', 'errcode45009', 1);
    await submit(9);
    const [message] = (await db.collection('outbox').where({ channel: 'robot:hq' }).get()).data;
    expect(message).toMatchObject({ status: 'pending', attempts: 0 });
    await tick(new Date(Date.now() + MINUTE));
    expect(await received('robot:hq')).toHaveLength(1);
  });

  test('the dispatch function refuses a customer', async () => {
    expect((await cloud.call('dispatch', { action: 'tick' }, 'a-customer')).error.code).toBe('FORBIDDEN');
  });
});

describe("the robot's 20 messages a minute", () => {
  test('1,000 leads in a minute: ≤ 20 robot messages per minute, each lead in exactly one', async () => {
    await configure({ webhooks: [] });
    const total = 1000;
    const start = Date.now();
    for (let batch = 0; batch < total; batch += 50) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, k) => submit(1000 + batch + k)));
      expect(answers.every((a) => a.ok)).toBe(true);
    }
    for (let minute = 1; minute <= 10; minute += 1) await tick(new Date(start + minute * MINUTE));
    const slots = (
      await db
        .collection('rateLimits')
        .where({ key: db.RegExp({ regexp: '^robot:hq:' }) })
        .get()
    ).data;
    expect(slots.length).toBeGreaterThan(0);
    for (const minute of slots) expect(minute.sent).toBeLessThanOrEqual(20);
    const messages = await received('robot:hq');
    expect(messages.length).toBeLessThanOrEqual(slots.reduce((sum: number, m: any) => sum + m.sent, 0));
    const text = messages.map(robotText).join('\n');
    for (let i = 0; i < total; i += 1) {
      const name = `顾客${String(1000 + i).padStart(4, '0')}`;
      expect(text.split(`**${name}**`).length - 1).toBe(1);
    }
    const left = await db.collection('outbox').where({ channel: 'robot:hq', status: 'pending' }).count();
    expect(left.total).toBe(0);
  }, 120_000);
});

describe('SLA, jobs and recount', () => {
  test('a lead not contacted within 2 working hours is escalated once', async () => {
    const { leadId } = (await submit(30)).data;
    const created = (await db.collection('leads').doc(leadId).get()).data.createdAt as Date;
    const late = new Date(created.getTime() + 4 * 86_400_000);
    await tick(late);
    await tick(new Date(late.getTime() + MINUTE));
    const escalations = (await received('robot:hq')).filter((m) => robotText(m).includes('未联系'));
    expect(escalations).toHaveLength(1);
    expect(robotText(escalations[0])).toContain('顾客0030');
  });

  test('switching a robot on escalates only the leads that come in after it', async () => {
    const before = (await submit(31)).data.leadId;
    // The admin page saves the robots with the time of the save.
    await configure({
      robots: [{ id: 'late', url: `${cloud.cloud.url}/__local/wecom/send?key=late`, store: '' }],
      updatedAt: new Date(),
    });
    const after = (await submit(32)).data.leadId;
    const created = (await db.collection('leads').doc(after).get()).data.createdAt as Date;
    await tick(new Date(created.getTime() + 4 * 86_400_000));
    const escalated = async (id: string) => (await db.collection('leads').doc(id).get()).data.escalatedAt;
    expect(await escalated(before)).toBeNull();
    expect(await escalated(after)).not.toBeNull();
    const texts = (await received('robot:late')).map(robotText).filter((text) => text.includes('未联系'));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('顾客0032');
  });

  test('re-tagging existing leads runs as a job with progress and can be resumed', async () => {
    for (let i = 0; i < 3; i += 1) await submit(40 + i, { company: '某连锁超市' });
    await db.collection('rules').add({
      data: {
        kind: 'tag',
        name: '连锁',
        group: '行业',
        tag: '连锁',
        when: [{ type: 'keywords', synonyms: [['连锁']] }],
      },
    });
    const job = (await cloud.call('dispatch', { action: 'retag' }, null)).data;
    expect(job).toMatchObject({ status: 'done', processed: 3, changed: 3, total: 3 });
    const again = (await cloud.call('dispatch', { action: 'retag', jobId: job._id }, null)).data;
    expect(again).toMatchObject({ status: 'done', processed: 3 });
    const leads = (await db.collection('leads').get()).data;
    expect(leads.every((l: any) => l.tags.includes('行业:连锁'))).toBe(true);
  });

  test('reassignment when a sales member leaves', async () => {
    const leaving = await seedStaff(db, { name: '走', store: 'S2', role: 'sales' });
    const staying = await seedStaff(db, { name: '留', store: 'S2', role: 'sales' });
    await db.collection('leads').add({
      data: { requestKey: 'manual-1', ownerId: leaving, status: 'new', storeId: 'S2', createdAt: new Date() },
    });
    await db
      .collection('staff')
      .doc(leaving)
      .update({ data: { active: false } });
    expect((await cloud.call('dispatch', { action: 'reassign', staffId: leaving }, null)).data).toEqual({
      moved: 1,
    });
    const [lead] = (await db.collection('leads').where({ requestKey: 'manual-1' }).get()).data;
    expect(lead.ownerId).toBe(staying);
  });

  test('a recount from raw events equals the counters kept at write time', async () => {
    await seedStaff(db, { name: '王', store: 'S3', role: 'sales', openid: 'wang' });
    const code = (await cloud.call('staff', { action: 'myCode' }, 'wang')).data;
    for (let i = 0; i < 6; i += 1) {
      await cloud.call(
        'customer',
        {
          action: 'touch',
          entry: { scene: 1047, path: 'p', query: { scene: i % 3 ? code.scene : 'forged' } },
        },
        `r-${i}`,
      );
      if (i % 2 === 0) await submit(60 + i, {}, `r-${i}`);
    }
    const result = (await cloud.call('dispatch', { action: 'recount' }, null)).data;
    expect(result.cells).toBeGreaterThan(0);
    expect(result.differences).toEqual([]);
  });
});
