// Deliveries and the audit log read by a person, and the test message of a saved robot or webhook:
// messages named by their leads and robot, filtered by robot, a folded message shown as part of
// its digest; audit entries filtered by action, subject and time; a test message only to what
// the settings hold, answered with what the endpoint said.
import { adminCloudPerFile } from './admin-cloud';

const env = adminCloudPerFile();

const api = async (method: string, path: string, body?: unknown, token = env.admin) =>
  (await env.cloud.api(method, path, body, token)).body;

async function saveSettings() {
  const saved = await api('PUT', '/settings', {
    robots: [{ id: 'east', url: `${env.cloud.cloud.url}/__local/wecom/send?key=east`, store: '' }],
    webhooks: [{ id: 'crm', url: `${env.cloud.cloud.url}/__local/webhook/crm`, secret: 'a-long-secret' }],
  });
  expect(saved.ok).toBe(true);
}

function outbox(id: string, overrides: Record<string, unknown>) {
  const now = new Date();
  return {
    _id: id,
    messageId: id,
    channel: 'robot:east',
    kind: 'robot',
    leadIds: ['l1'],
    leads: [{ leadId: 'l1', name: '张三' }],
    status: 'delivered',
    attempts: 1,
    nextAttemptAt: now,
    leaseUntil: now,
    lastError: null,
    deliveredIn: null,
    deliveredAt: now,
    createdAt: now,
    ...overrides,
  };
}

test('a test message goes only to a saved robot or webhook and answers what it said', async () => {
  await saveSettings();
  const robot = await api('POST', '/settings/test-message', { channel: 'robot:east' });
  expect(robot.data).toMatchObject({ channel: 'robot:east', ok: true, status: 200 });
  expect(robot.data.answer).toContain('"errcode":0');
  const webhook = await api('POST', '/settings/test-message', { channel: 'webhook:crm' });
  expect(webhook.data).toMatchObject({ ok: true, status: 200 });

  // Never an address: only the names of what is saved.
  const unsaved = await api('POST', '/settings/test-message', { channel: 'robot:west' });
  expect(unsaved.error.fields[0].path).toBe('channel');
  const url = await api('POST', '/settings/test-message', { channel: 'http://10.0.0.1/' });
  expect(url.error.code).toBe('INVALID_INPUT');
  const viewer = await env.cloud.login('vivian', 'viewer');
  expect(
    (await env.cloud.api('POST', '/settings/test-message', { channel: 'robot:east' }, viewer)).status,
  ).toBe(403);

  // A robot's minute is not spent on tests.
  await api('POST', '/settings/test-message', { channel: 'robot:east' });
  await api('POST', '/settings/test-message', { channel: 'robot:east' });
  expect((await api('POST', '/settings/test-message', { channel: 'robot:east' })).error.code).toBe(
    'RATE_LIMITED',
  );
  expect((await env.db.collection('audit').where({ action: 'robot.test' }).get()).data.length).toBe(4);
});

test('deliveries name their leads and robot, filter by robot, and a folded message points at its digest', async () => {
  await saveSettings();
  await env.db.collection('outbox').add({
    data: outbox('m-digest', {
      leadIds: ['l1', 'l2'],
      leads: [
        { leadId: 'l1', name: '张三' },
        { leadId: 'l2', name: '李四' },
      ],
    }),
  });
  await env.db
    .collection('outbox')
    .add({ data: outbox('m-folded', { attempts: 0, deliveredIn: 'm-digest' }) });
  await env.db
    .collection('outbox')
    .add({ data: outbox('m-hook', { channel: 'webhook:crm', kind: 'webhook' }) });
  const all = (await api('GET', '/deliveries')).data.items;
  const byId = new Map(all.map((m: any) => [m.messageId, m]));
  expect(byId.get('m-digest')).toMatchObject({
    channelName: '群机器人 east（全部门店）',
    leads: [
      { leadId: 'l1', name: '张三' },
      { leadId: 'l2', name: '李四' },
    ],
  });
  expect(byId.get('m-folded')).toMatchObject({ deliveredIn: 'm-digest' });
  expect(byId.get('m-hook')).toMatchObject({ channelName: 'Webhook crm' });
  const robotOnly = (await api('GET', '/deliveries?channel=robot:east')).data.items;
  expect(robotOnly.map((m: any) => m.messageId).sort()).toEqual(['m-digest', 'm-folded']);
});

test('the audit log filters by action, subject and time', async () => {
  const at = (iso: string) => new Date(iso);
  for (const [action, subject, when] of [
    ['consent.withdraw', 'cust-1', '2026-11-01T10:00:00+08:00'],
    ['customer.delete', 'cust-1', '2026-11-02T10:00:00+08:00'],
    ['lead.reveal', 'lead-9', '2026-11-03T10:00:00+08:00'],
  ])
    await env.db
      .collection('audit')
      .add({ data: { actor: 'customer', action, subject, detail: {}, at: at(when) } });
  const list = async (query: string) =>
    (await api('GET', `/audit?${query}`)).data.items.map((a: any) => a.action) as string[];
  expect(await list('action=customer.delete')).toEqual(['customer.delete']);
  expect(await list('subject=cust-1')).toEqual(['customer.delete', 'consent.withdraw']);
  expect(await list('from=2026-11-02&to=2026-11-02')).toEqual(['customer.delete']);
});
