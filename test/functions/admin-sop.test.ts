// Journey SOP rules through the admin API: who may write them, what is refused on which field, and
// the task figures per advisor and per rule once the dispatcher has run a rule.
import { type AdminCloud, startAdminCloud } from './admin-cloud';
import { clearAll, seedStaff } from './project-cloud';

let cloud: AdminCloud;
let db: any;
let admin: string;
const POLICY = { version: '2026-11-01', accepted: true };

beforeAll(async () => {
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
afterEach(() => clock('DELETE'));

const clock = (method: string, body?: unknown) =>
  fetch(`${cloud.cloud.url}/__local/clock`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
beforeEach(async () => {
  await clearAll(db);
  admin = await cloud.login('sop-admin', 'admin');
});

const followUp = {
  name: '新线索跟进',
  trigger: { type: 'lead_captured' },
  steps: [
    { offsetMinutes: 0, action: { type: 'task', text: '您好{姓名}，欢迎了解{门店}' } },
    { offsetMinutes: 1440, at: '10:00', action: { type: 'task', text: '回访{姓名}' } },
  ],
};

test('marketing creates, edits, switches off and deletes a rule; sales and viewers may not write', async () => {
  const marketing = await cloud.login('sop-marketing', 'marketing');
  const created = await cloud.api('POST', '/sop-rules', followUp, marketing);
  expect(created.status).toBe(200);
  const { ruleId } = created.body.data;
  const twice = await cloud.api('POST', '/sop-rules', followUp, marketing);
  expect(twice.body.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'name' }] });
  for (const role of ['sales', 'viewer'] as const) {
    const token = await cloud.login(`sop-${role}`, role);
    expect((await cloud.api('POST', '/sop-rules', { ...followUp, name: role }, token)).status).toBe(403);
    expect((await cloud.api('PATCH', `/sop-rules/${ruleId}`, { enabled: false }, token)).status).toBe(403);
  }
  const edited = await cloud.api(
    'PUT',
    `/sop-rules/${ruleId}`,
    { ...followUp, steps: [followUp.steps[0]] },
    marketing,
  );
  expect(edited.status).toBe(200);
  expect((await cloud.api('PATCH', `/sop-rules/${ruleId}`, { enabled: false }, marketing)).body.data).toEqual(
    {
      ruleId,
      enabled: false,
    },
  );
  const listed = (await cloud.api('GET', '/sop-rules', undefined, marketing)).body.data.items;
  expect(listed).toEqual([expect.objectContaining({ ruleId, enabled: false, steps: [followUp.steps[0]] })]);
  expect((await cloud.api('DELETE', `/sop-rules/${ruleId}`, undefined, marketing)).body.data.deleted).toBe(
    true,
  );
  expect((await cloud.api('DELETE', `/sop-rules/${ruleId}`, undefined, marketing)).status).toBe(404);
});

test('a rule that cannot work is refused on its field and nothing is stored', async () => {
  const cases: [unknown, string][] = [
    [{ ...followUp, name: '' }, 'name'],
    [{ ...followUp, trigger: { type: 'tag_gained' } }, 'trigger.type'],
    [{ ...followUp, steps: [] }, 'steps'],
    [
      { ...followUp, steps: [{ offsetMinutes: -60, action: { type: 'task', text: '联系' } }] },
      'steps.0.offsetMinutes',
    ],
    [
      { ...followUp, steps: [{ offsetMinutes: 0, at: '25:00', action: { type: 'task', text: '联系' } }] },
      'steps.0.at',
    ],
    [{ ...followUp, steps: [{ offsetMinutes: 0, action: { type: 'reminder' } }] }, 'steps.0.action'],
    [
      { ...followUp, steps: [{ offsetMinutes: 0, action: { type: 'task', text: '' } }] },
      'steps.0.action.text',
    ],
  ];
  for (const [body, path] of cases) {
    const answer = await cloud.api('POST', '/sop-rules', body, admin);
    expect({ path, status: answer.status, code: answer.body.error?.code }).toEqual({
      path,
      status: 400,
      code: 'INVALID_INPUT',
    });
    expect(answer.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
  }
  expect((await db.collection('sopRules').count()).total).toBe(0);
});

test('task figures per advisor and per rule: open, overdue, done', async () => {
  const inviteCode = 'INVSOPWANG';
  const staffId = await seedStaff(db, { name: '王导购', inviteCode, sales: { weight: 1, dailyCap: 50 } });
  expect((await cloud.call('staff', { action: 'bind', inviteCode }, 'sop-wang')).ok).toBe(true);
  const { scene } = (await cloud.call('staff', { action: 'myCode' }, 'sop-wang')).data;
  const { ruleId } = (await cloud.api('POST', '/sop-rules', followUp, admin)).body.data;
  for (const [i, openid] of ['sop-fan-1', 'sop-fan-2'].entries()) {
    await cloud.call(
      'customer',
      { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: { scene } } },
      openid,
    );
    const lead = await cloud.call(
      'customer',
      {
        action: 'submitLead',
        requestId: `req-${openid}`,
        fields: { name: `顾客${i}`, phone: `1390000001${i}` },
        consent: POLICY,
      },
      openid,
    );
    expect(lead.ok).toBe(true);
  }
  // Two hours later (the local cloud's clock moved): both first tasks are open and overdue; one is then done.
  await clock('PUT', { now: new Date(Date.now() + 2 * 3_600_000).toISOString() });
  await cloud.call('dispatch', { action: 'tick' }, null);
  const tasks = (await cloud.call('staff', { action: 'myTasks' }, 'sop-wang')).data.items;
  expect(tasks).toHaveLength(2);
  await cloud.call('staff', { action: 'completeTask', taskId: tasks[0].taskId }, 'sop-wang');
  const stats = (await cloud.api('GET', '/sop-tasks/stats', undefined, admin)).body.data;
  expect(stats.byAdvisor).toEqual([{ key: staffId, open: 1, done: 1, skipped: 0, cancelled: 0, overdue: 1 }]);
  expect(stats.byRule).toEqual([{ key: ruleId, open: 1, done: 1, skipped: 0, cancelled: 0, overdue: 1 }]);
});
