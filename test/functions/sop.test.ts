// The journey SOP through the local cloud: a lead captured through a staff code starts a rule, the
// dispatcher's timer (its clock moved by `now`) runs the steps, the advisor sees and completes the
// task in the staff function, stop conditions cancel what is left, the reminder the customer
// accepted is sent once, and a departing advisor's tasks follow their leads.
import { activityDoc, clearAll, type ProjectCloud, seedStaff, startProjectCloud } from './project-cloud';

let cloud: ProjectCloud;
let db: any;
const POLICY = { version: '2026-11-01', accepted: true };
const HOUR = 3_600_000;

beforeAll(async () => {
  cloud = await startProjectCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  await fetch(`${cloud.cloud.url}/__local/openapi`, { method: 'DELETE' });
});

const tick = (now: Date) => cloud.call('dispatch', { action: 'tick', now: now.toISOString() }, null);
const staffCall = (event: Record<string, unknown>, openid: string) => cloud.call('staff', event, openid);

/** A seller bound to `openid`, with a code of theirs the customer scans. */
async function seller(openid: string, name: string) {
  const inviteCode = `INV${openid.replace(/[^a-z0-9]/gi, '').toUpperCase()}`.slice(0, 16);
  const staffId = await seedStaff(db, {
    name,
    inviteCode,
    store: '徐汇店',
    sales: { weight: 1, dailyCap: 50 },
  });
  expect((await staffCall({ action: 'bind', inviteCode }, openid)).ok).toBe(true);
  const code = (await staffCall({ action: 'myCode' }, openid)).data;
  return { staffId, scene: code.scene as string };
}

async function rule(doc: Record<string, unknown>) {
  const { _id } = await db.collection('sopRules').add({
    data: { filters: {}, enabled: true, createdAt: new Date(), updatedAt: new Date(), ...doc },
  });
  return _id as string;
}

async function leadThroughCode(scene: string, openid: string, name: string) {
  await cloud.call(
    'customer',
    { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: { scene } } },
    openid,
  );
  const answer = await cloud.call(
    'customer',
    {
      action: 'submitLead',
      requestId: `req-${openid}`,
      fields: { name, phone: '13900000001' },
      consent: POLICY,
    },
    openid,
  );
  expect(answer.ok).toBe(true);
  return answer.data.leadId as string;
}

const stepsOf = async (leadId: string) =>
  (await db.collection('sopSteps').where({ leadId }).orderBy('stepIndex', 'asc').get()).data;

test('a lead through a staff code gets the task with the script; completing it marks the lead contacted', async () => {
  const wang = await seller('staff-wang', '王导购');
  await rule({
    name: '新线索跟进',
    trigger: { type: 'lead_captured' },
    steps: [
      { offsetMinutes: 0, action: { type: 'task', text: '您好{姓名}，我是{门店}的顾问，欢迎到店体验' } },
      { offsetMinutes: 0, action: { type: 'tag', add: ['跟进中'] } },
      { offsetMinutes: 24 * 60, at: '10:00', action: { type: 'task', text: '回访{姓名}' } },
    ],
  });
  const leadId = await leadThroughCode(wang.scene, 'fan-1', '张三');
  const now = new Date();
  // Overlapping timers start and run each step once.
  await Promise.all([tick(now), tick(now)]);
  const steps = await stepsOf(leadId);
  expect(steps.map((s: any) => s.status)).toEqual(['open', 'done', 'scheduled']);
  // Without WeCom set up, nothing is waiting to tell the advisor there.
  expect(steps[0].notice).toBeUndefined();
  const lead = (await db.collection('leads').doc(leadId).get()).data;
  expect(lead.tags).toContain('跟进中');
  // Kept as a person's tag, so re-tagging by the rules keeps it.
  expect(lead.manualTags).toEqual(['跟进中']);
  // The follow-up is due the next day at 10:00 China time.
  const due = new Date(steps[2].dueAt);
  expect(new Date(due.getTime() + 8 * HOUR).toISOString().slice(11, 16)).toBe('10:00');
  expect(due.getTime()).toBeGreaterThanOrEqual(now.getTime() + 24 * HOUR - 60_000);

  const tasks = (await staffCall({ action: 'myTasks' }, 'staff-wang')).data.items;
  expect(tasks).toEqual([
    expect.objectContaining({
      leadId,
      customerName: '张三',
      phoneMasked: '139****0001',
      text: '您好张三，我是徐汇店的顾问，欢迎到店体验',
      overdue: false,
      status: 'open',
    }),
  ]);
  // Someone else's task is not theirs to close.
  await seller('staff-li', '李导购');
  expect((await staffCall({ action: 'completeTask', taskId: tasks[0].taskId }, 'staff-li')).error.code).toBe(
    'NOT_FOUND',
  );
  const done = await staffCall({ action: 'completeTask', taskId: tasks[0].taskId }, 'staff-wang');
  expect(done.data).toEqual({ taskId: tasks[0].taskId, status: 'done' });
  // Twice is harmless.
  expect(
    (await staffCall({ action: 'completeTask', taskId: tasks[0].taskId }, 'staff-wang')).data.status,
  ).toBe('done');
  expect((await db.collection('leads').doc(leadId).get()).data.status).toBe('contacted');
  expect((await staffCall({ action: 'myTasks' }, 'staff-wang')).data.items).toEqual([]);
  await tick(new Date());
  const cells = (await db.collection('funnelCounters').where({ staffId: wang.staffId }).get()).data;
  expect(cells.reduce((sum: number, c: any) => sum + (c.contacted ?? 0), 0)).toBe(1);
});

test('a won lead stops its journey; a disabled rule stops what has not run', async () => {
  const wang = await seller('staff-wang', '王导购');
  const ruleId = await rule({
    name: '两步',
    trigger: { type: 'lead_captured' },
    steps: [
      { offsetMinutes: 60, action: { type: 'task', text: '第一步' } },
      { offsetMinutes: 120, action: { type: 'task', text: '第二步' } },
    ],
  });
  const won = await leadThroughCode(wang.scene, 'fan-won', '赢单');
  const other = await leadThroughCode(wang.scene, 'fan-other', '另一位');
  await tick(new Date());
  await db
    .collection('leads')
    .doc(won)
    .update({ data: { status: 'won' } });
  await tick(new Date(Date.now() + 61 * 60_000));
  expect((await stepsOf(won)).map((s: any) => [s.status, s.reason ?? null])).toEqual([
    ['cancelled', 'won'],
    ['scheduled', null],
  ]);
  expect((await stepsOf(other))[0].status).toBe('open');
  await db
    .collection('sopRules')
    .doc(ruleId)
    .update({ data: { enabled: false } });
  await tick(new Date(Date.now() + 121 * 60_000));
  expect((await stepsOf(other)).map((s: any) => [s.status, s.reason ?? null])).toEqual([
    ['open', null],
    ['cancelled', 'rule_off'],
  ]);
});

test('the activity reminder goes once, before the start, to a customer who accepted it', async () => {
  const startAt = new Date(Date.now() + 3 * HOUR);
  const { _id: activityId } = await db.collection('activities').add({
    data: activityDoc({ title: '周末咖啡品鉴会', startAt, endAt: new Date(startAt.getTime() + 2 * HOUR) }),
  });
  await rule({
    name: '开始前提醒',
    trigger: { type: 'before_activity' },
    steps: [{ offsetMinutes: 60, action: { type: 'reminder' } }],
  });
  const join = (openid: string, reminderTemplateId?: string) =>
    cloud.call(
      'customer',
      {
        action: 'joinActivity',
        requestId: `join-${openid}`,
        activityId,
        fields: { name: '顾客', phone: openid === 'accepted' ? '13900000002' : '13900000003' },
        consent: POLICY,
        ...(reminderTemplateId ? { reminderTemplateId } : {}),
      },
      openid,
    );
  expect((await join('accepted', 'tmpl-reminder')).ok).toBe(true);
  expect((await join('declined')).ok).toBe(true);
  await tick(new Date(startAt.getTime() - 2 * HOUR));
  expect(await cloud.openapiCalls('subscribeMessage.send')).toEqual([]);
  const due = new Date(startAt.getTime() - 59 * 60_000);
  await Promise.all([tick(due), tick(due)]);
  await tick(new Date(due.getTime() + 60_000));
  const sent = await cloud.openapiCalls('subscribeMessage.send');
  expect(sent).toHaveLength(1);
  expect(sent[0].params).toMatchObject({
    touser: 'accepted',
    template_id: 'tmpl-reminder',
    data: { thing1: { value: '周末咖啡品鉴会' }, thing3: { value: expect.any(String) } },
  });
  expect(sent[0].params.page).toBe(`pages/activity/index?id=${activityId}`);
  const statuses = (await db.collection('sopSteps').get()).data.map((s: any) => s.status).sort();
  expect(statuses).toEqual(['done', 'skipped']);
});

test("a departing advisor's open tasks follow their leads to the new owner", async () => {
  const wang = await seller('staff-wang', '王导购');
  const li = await seller('staff-li', '李导购');
  await rule({
    name: '跟进',
    trigger: { type: 'lead_captured' },
    steps: [{ offsetMinutes: 0, action: { type: 'task', text: '联系{姓名}' } }],
  });
  const leadId = await leadThroughCode(wang.scene, 'fan-2', '王五');
  await tick(new Date());
  await db
    .collection('staff')
    .doc(wang.staffId)
    .update({ data: { active: false } });
  await cloud.call('dispatch', { action: 'reassign', staffId: wang.staffId }, null);
  const tasks = (await staffCall({ action: 'myTasks' }, 'staff-li')).data.items;
  expect(tasks.map((t: any) => [t.leadId, t.text])).toEqual([[leadId, '联系王五']]);
  expect(li.staffId).toBe((await db.collection('leads').doc(leadId).get()).data.ownerId);
});

test('adding the advisor in WeCom starts a journey; deleting them stops it', async () => {
  const wang = await seller('staff-wang', '王导购');
  await rule({
    name: '加微后',
    trigger: { type: 'wecom_added' },
    steps: [
      { offsetMinutes: 0, action: { type: 'tag', add: ['已加企微'] } },
      { offsetMinutes: 3 * 24 * 60, action: { type: 'task', text: '在企微里问候{姓名}' } },
    ],
  });
  const leadId = await leadThroughCode(wang.scene, 'fan-wecom', '企微顾客');
  await tick(new Date());
  expect(await stepsOf(leadId)).toEqual([]);
  // The WeCom callback links an add to the lead (cloudfunctions/wecom) as this record.
  await db.collection('wecomContacts').add({
    data: {
      status: 'added',
      leadId,
      staffId: wang.staffId,
      addedAt: new Date(),
      lostAt: null,
      updatedAt: new Date(),
    },
  });
  await tick(new Date());
  expect((await stepsOf(leadId)).map((s: any) => s.status)).toEqual(['done', 'scheduled']);
  expect((await db.collection('leads').doc(leadId).get()).data.tags).toContain('已加企微');
  await db
    .collection('leads')
    .doc(leadId)
    .update({ data: { wecom: { status: 'lost', at: new Date() } } });
  await tick(new Date(Date.now() + 3 * 24 * HOUR + 60_000));
  expect((await stepsOf(leadId))[1]).toMatchObject({ status: 'cancelled', reason: 'contact_deleted' });
});

test('a customer who deletes their data: their open task and the steps to come stop, and no task names them', async () => {
  await seller('staff-zhao', '赵导购');
  await rule({
    name: '回访',
    trigger: { type: 'lead_captured' },
    steps: [
      { offsetMinutes: 0, action: { type: 'task', text: '回访{姓名}' } },
      { offsetMinutes: 3 * 24 * 60, action: { type: 'task', text: '再次回访{姓名}' } },
    ],
  });
  const leadId = await leadThroughCode(
    (await staffCall({ action: 'myCode' }, 'staff-zhao')).data.scene,
    'fan-secret',
    '张秘密',
  );
  await tick(new Date());
  expect((await staffCall({ action: 'myTasks' }, 'staff-zhao')).data.items).toHaveLength(1);
  expect((await cloud.call('customer', { action: 'deleteMyData' }, 'fan-secret')).ok).toBe(true);
  expect((await staffCall({ action: 'myTasks' }, 'staff-zhao')).data.items).toEqual([]);
  const steps = await stepsOf(leadId);
  expect(steps.map((s: any) => s.status)).toEqual(['cancelled', 'cancelled']);
  expect(JSON.stringify(steps)).not.toContain('张秘密');
  expect(steps.every((s: any) => s.customerId.startsWith('deleted:'))).toBe(true);
});

test('a task left undone past the SLA is escalated once to the store robot, with its text; a done one is not', async () => {
  await fetch(`${cloud.cloud.url}/__local/sales`, { method: 'DELETE' });
  await db
    .collection('rules')
    .doc('settings')
    .set({
      data: {
        kind: 'settings',
        slaHours: 2,
        robots: [{ id: 'xh', url: `${cloud.cloud.url}/__local/wecom/send?key=xh`, store: '' }],
        webhooks: [],
        adminUrl: '',
      },
    });
  const qian = await seller('staff-qian', '钱导购');
  await rule({
    name: '到店邀约',
    trigger: { type: 'lead_captured' },
    steps: [{ offsetMinutes: 0, action: { type: 'task', text: '邀请{姓名}周末到店' } }],
  });
  const late = await leadThroughCode(qian.scene, 'fan-late', '孙先生');
  const prompt = await leadThroughCode(qian.scene, 'fan-prompt', '周女士');
  const opened = new Date();
  await tick(opened);
  const tasks = (await staffCall({ action: 'myTasks' }, 'staff-qian')).data.items;
  expect(tasks).toHaveLength(2);
  const promptTask = tasks.find((t: any) => t.leadId === prompt);
  expect((await staffCall({ action: 'completeTask', taskId: promptTask.taskId }, 'staff-qian')).ok).toBe(
    true,
  );
  // Three days on, past two working hours whatever the weekday: two overlapping runs escalate once.
  const later = new Date(opened.getTime() + 72 * HOUR);
  await Promise.all([tick(later), tick(later)]);
  await tick(new Date(later.getTime() + 60_000));
  const sales = `${cloud.cloud.url}/__local/sales?target=${encodeURIComponent('robot:xh')}`;
  const messages = ((await (await fetch(sales)).json()) as any).data.received.filter(
    (m: any) => m.outcome === 'ok',
  );
  const overdue = messages
    .map((m: any) => m.body.markdown.content as string)
    .filter((c: string) => c.includes('未完成'));
  expect(overdue).toHaveLength(1);
  expect(overdue[0]).toContain('跟进任务超过 2 个工作小时未完成');
  expect(overdue[0]).toContain('邀请孙先生周末到店');
  expect(overdue[0]).toContain('钱导购');
  expect(overdue.join('')).not.toContain('周女士');
  const step = (await stepsOf(late))[0];
  expect(step).toMatchObject({ status: 'open', escalatedAt: expect.any(Date) });
});
