// WeCom customer contact (issue 15) through the local cloud: the customer function's
// advisorContact, the wecom function's callback behind HTTP access, and the local fake WeCom that
// plays the corp, signs and encrypts its events and records every API call.
import { encrypt, getSignature } from '@wecom/crypto';
import { type AdminCloud, startAdminCloud } from './admin-cloud';
import { clearAll } from './project-cloud';
import { wecomFake } from './wecom-fake';

let cloud: AdminCloud;
let db: any;
let local: string;
const POLICY = { version: '2026-11-01', accepted: true };
const WECOM = {
  corpId: 'wwlocal0123456789',
  agentId: 1000002,
  secret: 'local-app-secret-0001',
  token: 'LocalToken42',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};
let seq = 0;
const requestId = () => `wecom-${Date.now()}-${seq++}`;

beforeAll(async () => {
  cloud = await startAdminCloud();
  db = cloud.db;
  local = cloud.cloud.url;
  // Before any function starts: their workers read the environment once.
  process.env.LEADPOOL_WECOM_API_BASE = `${local}/__local/wecom`;
});
afterAll(() => cloud.close());

const fake = wecomFake(() => local);

const calls = async (api?: string) =>
  ((await fake('GET', '/calls')).data.calls as any[]).filter((c) => !api || c.path === `/cgi-bin/${api}`);

async function saveSettings(wecom: Record<string, unknown> | null = WECOM) {
  await db.collection('rules').where({ _id: 'settings' }).remove();
  if (wecom) await db.collection('rules').add({ data: { _id: 'settings', wecom } });
}

beforeEach(async () => {
  await clearAll(db);
  await fake('DELETE', '/calls');
  await fake('POST', '/config', { ...WECOM, callbackUrl: '/wecom/callback', users: ['zhangsan', 'lisi'] });
  await saveSettings();
});

async function seedStaffCode(wecomUserId: string | null = 'zhangsan', name = '张顾问') {
  const staffId = (
    await db.collection('staff').add({
      data: {
        name,
        store: 'store-jingan',
        role: 'sales',
        active: true,
        openid: null,
        wecomUserId,
        inviteCode: `INV${seq++}`,
        createdAt: new Date(),
      },
    })
  )._id;
  const scene = `w${Date.now().toString(36)}${seq++}`;
  const codeId = (
    await db.collection('codes').add({
      data: {
        scene,
        channelId: 'ch-staff-zhang',
        channelType: 'staff',
        name: '张顾问的活码',
        staffId,
        storeId: 'store-jingan',
        activityId: null,
        disabled: false,
        envId: cloud.cloud.envId,
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    })
  )._id;
  return { staffId, scene, codeId };
}

/** A customer scans the staff code and leaves a lead that a tag rule tags. */
async function customerLeaves(openid: string, scene: string) {
  await db.collection('rules').add({
    data: {
      kind: 'tag',
      name: '门店来源',
      group: '来源',
      tag: '静安店',
      when: [{ type: 'channel', channelTypes: ['staff'] }],
    },
  });
  const touch = await cloud.call(
    'customer',
    { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: { scene } } },
    openid,
  );
  expect(touch.ok).toBe(true);
  const lead = await cloud.call(
    'customer',
    {
      action: 'submitLead',
      requestId: requestId(),
      fields: { name: '李女士', phone: '13800138000' },
      consent: POLICY,
    },
    openid,
  );
  expect(lead.ok).toBe(true);
  return lead.data as { leadId: string; customerId: string };
}

const leadDoc = async (leadId: string) => (await db.collection('leads').doc(leadId).get()).data;

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the journey: lead, 添加专属顾问, the add, tags, the advisor told', () => {
  test('the add links to the lead, sets corp tags, welcomes the customer and tells the advisor', async () => {
    const { staffId, codeId } = await seedStaffCode();
    const { leadId, customerId } = await customerLeaves(
      'openid-li',
      (await db.collection('codes').doc(codeId).get()).data.scene,
    );
    expect((await leadDoc(leadId)).ownerId).toBe(staffId);

    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-li');
    expect(contact).toEqual({
      ok: true,
      data: {
        configId: expect.any(String),
        qrCode: expect.stringMatching(/^http/),
        advisorName: '张顾问',
        state: expect.any(String),
      },
    });
    expect(contact.data.state.length).toBeLessThanOrEqual(30);
    const ways = await calls('externalcontact/add_contact_way');
    expect(ways.map((c) => c.body)).toEqual([
      expect.objectContaining({ type: 1, scene: 1, user: ['zhangsan'], state: contact.data.state }),
      expect.objectContaining({ type: 1, scene: 2, user: ['zhangsan'], state: contact.data.state }),
    ]);
    // Asking again reuses the ways: WeCom's codes are a quota.
    const again = await cloud.call('customer', { action: 'advisorContact' }, 'openid-li');
    expect(again.data).toEqual(contact.data);
    expect(await calls('externalcontact/add_contact_way')).toHaveLength(2);
    const qr = await fetch(contact.data.qrCode);
    expect(qr.headers.get('content-type')).toBe('image/png');

    const added = await fake('POST', '/contacts/add', { configId: contact.data.configId, name: '李女士' });
    expect(added.data.callbacks).toEqual([200]);
    const lead = await until(
      () => leadDoc(leadId),
      (l) => l.wecom?.status === 'added',
    );
    expect(lead.wecom).toEqual({
      status: 'added',
      userid: 'zhangsan',
      staffName: '张顾问',
      at: expect.any(String),
    });
    expect((await db.collection('customers').doc(customerId).get()).data.wecom.status).toBe('added');
    const relation = (await db.collection('wecomContacts').where({ leadId }).get()).data[0];
    expect(relation).toMatchObject({
      customerId,
      staffId,
      expectedStaffId: staffId,
      codeId,
      channelId: lead.channel,
      linkedBy: 'state',
      status: 'added',
      externalUserId: added.data.externalUserId,
    });

    const tagged = await until(
      () => calls('externalcontact/mark_tag'),
      (c) => c.length > 0,
    );
    expect(tagged[0].body).toMatchObject({ userid: 'zhangsan', external_userid: added.data.externalUserId });
    const groups = (await calls('externalcontact/add_corp_tag')).map((c) => c.body);
    expect(groups).toEqual([{ group_name: '来源', tag: [{ name: '静安店' }] }]);
    expect(tagged[0].errcode).toBe(0);
    const welcome = await calls('externalcontact/send_welcome_msg');
    expect(welcome).toEqual([
      expect.objectContaining({
        errcode: 0,
        body: expect.objectContaining({ welcome_code: added.data.welcomeCode }),
      }),
    ]);
    const told = await until(
      () => calls('message/send'),
      (c) => c.length > 0,
    );
    expect(told).toHaveLength(1);
    expect(told[0].body).toMatchObject({ touser: 'zhangsan', agentid: WECOM.agentId, msgtype: 'text' });
    expect(told[0].body.text.content).toContain('李女士');
    expect(told[0].body.text.content).toContain('来源:静安店');
    // The contact way did its job and is gone in WeCom and here.
    expect((await calls('externalcontact/del_contact_way')).map((c) => c.body.config_id).sort()).toHaveLength(
      2,
    );
    expect((await db.collection('wecomContactWays').count()).total).toBe(0);

    // WeCom retries the same event: nothing is doubled.
    const replay = await fake('POST', '/events/replay', {});
    expect(replay.data.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await calls('message/send')).toHaveLength(1);
    expect(await calls('externalcontact/mark_tag')).toHaveLength(1);
    expect((await db.collection('wecomEvents').count()).total).toBe(1);
    expect((await db.collection('wecomContacts').count()).total).toBe(1);

    // 加企微 counts once, in the lead's funnel cell, when the dispatcher next runs; recount agrees.
    await cloud.call('dispatch', { action: 'tick' }, null);
    const cells = (await db.collection('funnelCounters').where({ channelId: lead.channel }).get()).data;
    expect(cells.reduce((sum: number, c: any) => sum + (c.wecomAdded ?? 0), 0)).toBe(1);
    // ...and in the statistics of the code the customer came through.
    const codeDays = (await db.collection('codeCounters').where({ codeId }).get()).data;
    expect(codeDays.reduce((sum: number, d: any) => sum + (d.wecomAdded ?? 0), 0)).toBe(1);
    expect((await cloud.call('dispatch', { action: 'recount' }, null)).data.differences).toEqual([]);
  });

  test('the customer deleting the advisor marks the relation lost, with time and who left', async () => {
    const { codeId } = await seedStaffCode();
    const { leadId } = await customerLeaves(
      'openid-lost',
      (await db.collection('codes').doc(codeId).get()).data.scene,
    );
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-lost');
    const added = await fake('POST', '/contacts/add', { configId: contact.data.configId });
    await until(
      () => leadDoc(leadId),
      (l) => l.wecom?.status === 'added',
    );
    await fake('POST', '/contacts/delete', {
      userid: 'zhangsan',
      externalUserId: added.data.externalUserId,
      by: 'customer',
    });
    const lead = await until(
      () => leadDoc(leadId),
      (l) => l.wecom?.status === 'lost',
    );
    expect(lead.wecom).toMatchObject({ status: 'lost', userid: 'zhangsan' });
    expect((await db.collection('wecomContacts').where({ leadId }).get()).data[0]).toMatchObject({
      status: 'lost',
      lostBy: 'customer',
      lostAt: expect.any(Date),
    });
  });

  test('add_half then add, and no welcome code: linked once, nothing breaks', async () => {
    const { codeId } = await seedStaffCode();
    const { leadId } = await customerLeaves(
      'openid-half',
      (await db.collection('codes').doc(codeId).get()).data.scene,
    );
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-half');
    const added = await fake('POST', '/contacts/add', {
      configId: contact.data.configId,
      half: true,
      noWelcome: true,
    });
    expect(added.data.callbacks).toEqual([200, 200]);
    await until(
      () => calls('message/send'),
      (c) => c.length > 0,
    );
    expect((await leadDoc(leadId)).wecom.status).toBe('added');
    expect(await calls('externalcontact/send_welcome_msg')).toHaveLength(0);
    expect(await calls('message/send')).toHaveLength(1);
    expect((await db.collection('wecomEvents').count()).total).toBe(2);
  });
});

describe('privacy', () => {
  test('a customer deleting their data leaves their WeCom relation anonymous and their contact ways gone', async () => {
    const { codeId } = await seedStaffCode();
    const { customerId } = await customerLeaves(
      'openid-forget',
      (await db.collection('codes').doc(codeId).get()).data.scene,
    );
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-forget');
    await fake('POST', '/contacts/add', { configId: contact.data.configId, name: '要被忘记的人' });
    await until(
      async () => (await db.collection('wecomContacts').where({ customerId }).count()).total,
      (n) => n === 1,
    );
    await cloud.call('customer', { action: 'advisorContact' }, 'openid-forget');
    expect((await db.collection('wecomContactWays').where({ customerId }).count()).total).toBe(1);
    expect((await cloud.call('customer', { action: 'deleteMyData' }, 'openid-forget')).ok).toBe(true);
    const [relation] = (await db.collection('wecomContacts').get()).data;
    expect(relation.customerId).toMatch(/^deleted:/);
    expect(relation).toMatchObject({ name: null, state: null, status: 'added', userId: 'zhangsan' });
    expect((await db.collection('wecomContactWays').where({ customerId }).count()).total).toBe(0);
  });
});

describe('the callback refuses what is not WeCom, and stores nothing', () => {
  const count = async () => (await db.collection('wecomEvents').count()).total;

  test('the URL check answers the bare plaintext; a bad signature gets nothing', async () => {
    const check = await fake('POST', '/verify-url', {});
    expect(check.data.status).toBe(200);
    expect(check.data.answer).toBe(check.data.expected);
    const echostr = encrypt(WECOM.encodingAesKey, '12345', WECOM.corpId);
    const query = new URLSearchParams({ msg_signature: 'a'.repeat(40), timestamp: '1', nonce: '2', echostr });
    const forged = await fetch(`${local}/wecom/callback?${query}`);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toBe('');
  });

  test('the URL check takes a trailing slash; another path under the callback is not it', async () => {
    const echostr = encrypt(WECOM.encodingAesKey, '998877', WECOM.corpId);
    const query = new URLSearchParams({
      msg_signature: getSignature(WECOM.token, '100', '200', echostr),
      timestamp: '100',
      nonce: '200',
      echostr,
    });
    const slash = await fetch(`${local}/wecom/callback/?${query}`);
    expect([slash.status, await slash.text()]).toEqual([200, '998877']);
    expect((await fetch(`${local}/wecom/callback/other?${query}`)).status).toBe(404);
  });

  test.each([
    ['a tampered signature', { tamper: 'signature' }],
    ['another corp', { tamper: 'corp' }],
  ])('%s is refused', async (_name, tamper) => {
    await seedStaffCode();
    const added = await fake('POST', '/contacts/add', {
      userid: 'zhangsan',
      state: 'lpforeign123',
      ...tamper,
    });
    expect(added.data.callbacks).toEqual([403]);
    expect(await count()).toBe(0);
  });

  test('malformed XML, an unknown change type and a body without Encrypt are refused', async () => {
    const unknown =
      '<xml><ToUserName><![CDATA[wwlocal0123456789]]></ToUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType>' +
      '<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[transfer_fail]]></ChangeType>' +
      '<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[wm1]]></ExternalUserID></xml>';
    expect((await fake('POST', '/events/raw', { xml: unknown })).data.status).toBe(400);
    expect((await fake('POST', '/events/raw', { xml: '<xml><ToUserName>' })).data.status).toBe(400);
    const encrypted = encrypt(WECOM.encodingAesKey, 'x', WECOM.corpId);
    const query = new URLSearchParams({
      msg_signature: getSignature(WECOM.token, '1', '2', encrypted),
      timestamp: '1',
      nonce: '2',
    });
    const plain = await fetch(`${local}/wecom/callback?${query}`, { method: 'POST', body: 'not xml' });
    expect(plain.status).toBe(400);
    expect(await count()).toBe(0);
  });

  test('without WeCom settings the callback answers 503 and the customer gets NOT_CONFIGURED', async () => {
    await saveSettings(null);
    const check = await fake('POST', '/verify-url', {});
    expect(check.data.status).toBe(503);
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-x');
    expect(contact.error.code).toBe('NOT_CONFIGURED');
  });
});

describe('linking without our state', () => {
  test('a foreign state falls back to the unionid; the advisor is told the customer belongs to another owner', async () => {
    const { codeId, staffId } = await seedStaffCode();
    const other = await seedStaffCode('lisi', '李顾问');
    const { leadId, customerId } = await customerLeaves(
      'openid-union',
      (await db.collection('codes').doc(codeId).get()).data.scene,
    );
    await db
      .collection('customers')
      .doc(customerId)
      .update({ data: { unionid: 'union-1' } });
    const added = await fake('POST', '/contacts/add', {
      userid: 'lisi',
      state: 'poster-2026',
      unionid: 'union-1',
      name: '李',
    });
    expect(added.data.callbacks).toEqual([200]);
    const relation = await until(
      async () => (await db.collection('wecomContacts').where({ customerId }).get()).data[0],
      (r) => !!r,
    );
    expect(relation).toMatchObject({
      linkedBy: 'unionid',
      leadId,
      staffId: other.staffId,
      expectedStaffId: staffId,
    });
    const told = await until(
      () => calls('message/send'),
      (c) => c.length > 0,
    );
    expect(told[0].body.text.content).toContain('张顾问');
  });

  test('an empty state and an unknown person is kept, unlinked, and the advisor still told', async () => {
    await seedStaffCode();
    const added = await fake('POST', '/contacts/add', { userid: 'zhangsan', name: '路人' });
    expect(added.data.callbacks).toEqual([200]);
    const relation = await until(
      async () => (await db.collection('wecomContacts').get()).data[0],
      (r) => !!r,
    );
    expect(relation).toMatchObject({ customerId: null, leadId: null, linkedBy: null, name: '路人' });
    expect(await calls('externalcontact/get')).toHaveLength(1);
  });
});

describe('faults and repair', () => {
  const tick = async (at = new Date()) =>
    (
      (await cloud.cloud.callFunction(
        'wecom',
        { Type: 'Timer', TriggerName: 'tick', Time: at.toISOString() },
        { SOURCE: 'wx_timer' },
      )) as any
    ).result;

  test('WeCom refusing the app: the event waits with its error, and the timer finishes it once', async () => {
    const { codeId } = await seedStaffCode();
    const { leadId } = await customerLeaves(
      'openid-fault',
      (await db.collection('codes').doc(codeId).get()).data.scene,
    );
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-fault');
    // The app's secret was changed in WeCom: every call fails until the settings follow.
    await fake('POST', '/config', {
      ...WECOM,
      secret: 'rotated-secret-0002',
      callbackUrl: '/wecom/callback',
      users: ['zhangsan'],
    });
    await fake('POST', '/tokens/expire', {});
    const added = await fake('POST', '/contacts/add', { configId: contact.data.configId });
    expect(added.data.callbacks).toEqual([200]);
    const waiting = await until(
      async () => (await db.collection('wecomEvents').get()).data[0],
      (e) => e?.attempts === 1,
    );
    expect(waiting).toMatchObject({
      status: 'pending',
      steps: ['linked'],
      lastError: expect.stringContaining('40001'),
    });
    expect((await leadDoc(leadId)).wecom.status).toBe('added');
    expect(await calls('message/send')).toHaveLength(0);

    await fake('POST', '/config', { ...WECOM, callbackUrl: '/wecom/callback', users: ['zhangsan'] });
    expect((await tick()).data.worked).toBe(0);
    await db
      .collection('wecomEvents')
      .doc(waiting._id)
      .update({ data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    expect((await tick()).data.worked).toBe(1);
    expect((await db.collection('wecomEvents').doc(waiting._id).get()).data).toMatchObject({
      status: 'done',
      lastError: null,
    });
    expect((await calls('externalcontact/mark_tag')).filter((c) => c.errcode === 0)).toHaveLength(1);
    expect((await calls('message/send')).filter((c) => c.errcode === 0)).toHaveLength(1);
    expect((await tick()).data.worked).toBe(0);
  });

  test('advisors hear of new journey tasks in WeCom, within their budget: the rest goes the next minute, once', async () => {
    const { codeId } = await seedStaffCode();
    const taskSteps = (rule: string) =>
      Array.from({ length: 9 }, (_, i) => ({
        offsetMinutes: 0,
        action: { type: 'task', text: `${rule}第${i + 1}步：联系{姓名}` },
      }));
    for (const name of ['甲', '乙'])
      await db.collection('sopRules').add({
        data: {
          name: `旅程${name}`,
          trigger: { type: 'lead_captured' },
          filters: {},
          steps: taskSteps(name),
          enabled: true,
          createdAt: new Date(Date.now() - 60_000),
          updatedAt: new Date(),
        },
      });
    await customerLeaves('openid-tasks', (await db.collection('codes').doc(codeId).get()).data.scene);
    await cloud.call('dispatch', { action: 'tick' }, null);
    expect((await db.collection('sopSteps').where({ status: 'open' }).count()).total).toBe(18);
    const minute = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 5_000);
    const [first, overlapping] = await Promise.all([tick(minute), tick(minute)]);
    // WeCom drops what goes over 30 a minute silently: 15 per calendar minute, never more.
    expect(first.data.noticed + overlapping.data.noticed).toBe(15);
    expect((await tick(new Date(minute.getTime() + 60_000))).data.noticed).toBe(3);
    expect((await tick(new Date(minute.getTime() + 120_000))).data.noticed).toBe(0);
    const sent = (await calls('message/send')).filter((c) => c.errcode === 0 && !c.dropped);
    expect(sent).toHaveLength(18);
    expect(sent.every((c) => (c.body as any).touser === 'zhangsan')).toBe(true);
    const texts = sent.map((c) => (c.body as any).text.content as string);
    expect(new Set(texts).size).toBe(18);
    expect(texts).toContainEqual(expect.stringContaining('新的跟进任务：甲第1步：联系李女士'));
    expect((await db.collection('sopSteps').where({ notice: 'sent' }).count()).total).toBe(18);
  });

  test('a task whose advisor has no WeCom user is not announced, and stays in the staff desk', async () => {
    const { codeId } = await seedStaffCode(null, '无企微顾问');
    await db.collection('sopRules').add({
      data: {
        name: '回访',
        trigger: { type: 'lead_captured' },
        filters: {},
        steps: [{ offsetMinutes: 0, action: { type: 'task', text: '回访{姓名}' } }],
        enabled: true,
        createdAt: new Date(Date.now() - 60_000),
        updatedAt: new Date(),
      },
    });
    await customerLeaves('openid-nowecom', (await db.collection('codes').doc(codeId).get()).data.scene);
    await cloud.call('dispatch', { action: 'tick' }, null);
    expect((await tick()).data.noticed).toBe(0);
    expect(await calls('message/send')).toHaveLength(0);
    expect((await db.collection('sopSteps').get()).data[0]).toMatchObject({ status: 'open', notice: 'none' });
  });

  test('an add whose event never arrived is found by the 03:00 reconciliation, linked once', async () => {
    // The fake WeCom forgets the contacts earlier tests made (their relations were cleared here).
    await fake('POST', '/reset', {});
    const { codeId } = await seedStaffCode();
    const { leadId } = await customerLeaves(
      'openid-missed',
      (await db.collection('codes').doc(codeId).get()).data.scene,
    );
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-missed');
    await fake('POST', '/config', { ...WECOM, callbackUrl: '/nowhere', users: ['zhangsan'] });
    const added = await fake('POST', '/contacts/add', { configId: contact.data.configId });
    expect(added.data.callbacks).toEqual([404]);
    expect((await db.collection('wecomEvents').count()).total).toBe(0);

    expect((await tick(new Date('2026-12-02T12:00:00Z'))).data.reconciled).toBeUndefined();
    const night = new Date('2026-12-02T19:00:00Z');
    const first = (await tick(night)).data.reconciled;
    expect(first.repaired).toBe(1);
    expect(first.checked).toBeGreaterThanOrEqual(1);
    const lead = await leadDoc(leadId);
    expect(lead.wecom).toMatchObject({ status: 'added', userid: 'zhangsan' });
    expect((await db.collection('wecomContacts').where({ leadId }).get()).data[0]).toMatchObject({
      linkedBy: 'state',
      externalUserId: added.data.externalUserId,
    });
    expect(await calls('externalcontact/send_welcome_msg')).toHaveLength(0);
    expect((await tick(night)).data.reconciled.repaired).toBe(0);
  });

  test('a customer with no owner is offered a seller WeCom can reach, the same one each time', async () => {
    await seedStaffCode(null, '没有企微的销售');
    await seedStaffCode('zhangsan', '张顾问');
    const first = await cloud.call('customer', { action: 'advisorContact' }, 'openid-no-owner');
    expect(first.data.advisorName).toBe('张顾问');
    expect((await cloud.call('customer', { action: 'advisorContact' }, 'openid-no-owner')).data).toEqual(
      first.data,
    );
  });

  test('a contact way unused for a month is deleted in WeCom and here by the 03:00 run', async () => {
    const { codeId } = await seedStaffCode();
    await customerLeaves('openid-unused', (await db.collection('codes').doc(codeId).get()).data.scene);
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-unused');
    const [way] = (await db.collection('wecomContactWays').get()).data;
    await db
      .collection('wecomContactWays')
      .doc(way._id)
      .update({ data: { createdAt: new Date(Date.now() - 31 * 86_400_000) } });
    await fake('DELETE', '/calls');
    const night = (await tick(new Date('2026-12-05T19:00:00Z'))).data.reconciled;
    expect(night.waysRemoved).toBe(1);
    expect((await calls('externalcontact/del_contact_way')).map((c) => c.body.config_id)).toEqual([
      contact.data.configId,
      way.qrConfigId,
    ]);
    expect((await db.collection('wecomContactWays').count()).total).toBe(0);
  });

  test('events worked more than 30 days ago are removed by the 03:00 run; newer ones stay', async () => {
    await seedStaffCode();
    // Only this test's contacts in the fake: the run would repair earlier tests' ones too.
    await fake('POST', '/reset', {});
    await fake('POST', '/contacts/add', { userid: 'zhangsan', name: '旧事件' });
    await fake('POST', '/contacts/add', { userid: 'zhangsan', name: '新事件' });
    const events = await until(
      async () => (await db.collection('wecomEvents').where({ status: 'done' }).get()).data,
      (done) => done.length === 2,
    );
    await db
      .collection('wecomEvents')
      .doc(events[0]._id)
      .update({ data: { doneAt: new Date(Date.now() - 31 * 86_400_000) } });
    const night = (await tick(new Date('2026-12-06T19:00:00Z'))).data.reconciled;
    expect(night.eventsRemoved).toBe(1);
    expect((await db.collection('wecomEvents').get()).data.map((e: any) => e._id)).toEqual([events[1]._id]);
    // Its relation keeps a late copy of the event from linking twice.
    expect((await db.collection('wecomContacts').count()).total).toBe(2);
  });

  test("when the rules change a linked lead's tags, the 03:00 run adds and removes them in WeCom", async () => {
    const { codeId } = await seedStaffCode();
    const { leadId } = await customerLeaves(
      'openid-retag',
      (await db.collection('codes').doc(codeId).get()).data.scene,
    );
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-retag');
    await fake('POST', '/contacts/add', { configId: contact.data.configId });
    await until(
      () => calls('message/send'),
      (c) => c.length > 0,
    );
    const [first] = await calls('externalcontact/mark_tag');
    // A re-tag job moved the lead from one tag to another.
    await db
      .collection('leads')
      .doc(leadId)
      .update({ data: { tags: db.command.set(['兴趣:咖啡']) } });
    const night = (await tick(new Date('2026-12-03T19:00:00Z'))).data.reconciled;
    expect(night.retagged).toBe(1);
    const marks = await calls('externalcontact/mark_tag');
    expect(marks).toHaveLength(2);
    expect(marks[1].errcode).toBe(0);
    expect(marks[1].body.remove_tag).toEqual(first.body.add_tag);
    expect(marks[1].body.add_tag).toHaveLength(1);
    const groups = (await calls('externalcontact/add_corp_tag')).map((c) => c.body.group_name);
    expect(groups).toContain('兴趣');
    expect((await tick(new Date('2026-12-04T19:00:00Z'))).data.reconciled.retagged).toBe(0);
  });
});

describe('the advisor message budget', () => {
  test("16 adds to one advisor in a minute: 15 messages go (so any 60 s across two minutes stays within WeCom's 30), the 16th waits for the next minute, none is dropped", async () => {
    await seedStaffCode();
    // The fake counts any 60 s: earlier tests' messages to this advisor would still count there.
    await fake('POST', '/reset', {});
    // All 16 inside one minute: start early in it.
    if (new Date().getSeconds() > 35)
      await new Promise((resolve) => setTimeout(resolve, (61 - new Date().getSeconds()) * 1000));
    const started = Date.now();
    for (let i = 0; i < 16; i += 1)
      await fake('POST', '/contacts/add', { userid: 'zhangsan', name: `客户${i}`, noWelcome: true });
    const minuteEnd = (Math.floor(started / 60_000) + 1) * 60_000;
    const sent = await calls('message/send');
    expect(sent).toHaveLength(15);
    expect(sent.filter((c) => c.dropped)).toEqual([]);
    const waiting = (await db.collection('wecomEvents').where({ status: 'pending' }).get()).data;
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({
      attempts: 0,
      lastError: 'advisor message budget',
      steps: expect.arrayContaining(['linked', 'welcomed']),
    });
    expect(waiting[0].nextAttemptAt.getTime()).toBe(minuteEnd);
  }, 90_000);
});

describe('the WeCom client', () => {
  test('an expired access token is fetched again and the call retried once', async () => {
    const { codeId } = await seedStaffCode();
    await customerLeaves('openid-token', (await db.collection('codes').doc(codeId).get()).data.scene);
    // Some instance holds a token from an earlier call; it dies now.
    await cloud.call('customer', { action: 'advisorContact' }, 'openid-other');
    await fake('POST', '/tokens/expire', {});
    await fake('DELETE', '/calls');
    const answer = await cloud.call('customer', { action: 'advisorContact' }, 'openid-token');
    expect(answer.ok).toBe(true);
    expect(await calls('gettoken')).toHaveLength(1);
    expect((await calls('externalcontact/add_contact_way')).map((c) => c.errcode)).toEqual([42001, 0, 0]);
  });
});

describe('WeCom in the admin API', () => {
  test('settings are saved write-only: read back as set, kept when sent empty, the callback keeps working', async () => {
    await saveSettings(null);
    const token = await cloud.login('wecom-admin', 'admin');
    const saved = await cloud.api('PUT', '/settings', { wecom: WECOM }, token);
    expect(saved.body.data.wecom).toEqual({
      corpId: WECOM.corpId,
      agentId: WECOM.agentId,
      secretSet: true,
      tokenSet: true,
      encodingAesKeySet: true,
    });
    const read = await cloud.api('GET', '/settings', undefined, token);
    const text = JSON.stringify(read.body);
    for (const secret of [WECOM.secret, WECOM.token, WECOM.encodingAesKey])
      expect(text).not.toContain(secret);
    // Saved again from the page: secrets left empty, robots untouched.
    const again = await cloud.api(
      'PUT',
      '/settings',
      { wecom: { corpId: WECOM.corpId, agentId: WECOM.agentId, secret: '', token: '', encodingAesKey: '' } },
      token,
    );
    expect(again.body.ok).toBe(true);
    expect((await cloud.api('PUT', '/settings', { mqlThreshold: 50 }, token)).body.data.wecom.secretSet).toBe(
      true,
    );
    const check = await fake('POST', '/verify-url', {});
    expect(check.data).toMatchObject({ status: 200, answer: check.data.expected });
    const audit = (await db.collection('audit').where({ action: 'settings.update' }).get()).data;
    expect(audit.flatMap((a: any) => a.detail.replaced)).toEqual(
      expect.arrayContaining(['wecom:secret', 'wecom:token', 'wecom:encodingAesKey']),
    );
  });

  test('a first save without the secrets names each missing one; bad ids are refused', async () => {
    await saveSettings(null);
    const token = await cloud.login('wecom-admin', 'admin');
    const missing = await cloud.api(
      'PUT',
      '/settings',
      { wecom: { corpId: WECOM.corpId, agentId: 1 } },
      token,
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields.map((f: any) => f.path).sort()).toEqual([
      'wecom.encodingAesKey',
      'wecom.secret',
      'wecom.token',
    ]);
    const bad = await cloud.api(
      'PUT',
      '/settings',
      { wecom: { ...WECOM, encodingAesKey: 'short', corpId: 'a b' } },
      token,
    );
    expect(bad.body.error.fields.map((f: any) => f.path).sort()).toEqual([
      'wecom.corpId',
      'wecom.encodingAesKey',
    ]);
  });

  test('the connection test gets a token and names staff WeCom cannot reach; a wrong secret says so', async () => {
    await seedStaffCode('zhangsan', '张顾问');
    await seedStaffCode(null, '没绑企微');
    await seedStaffCode('wangwu', '不在客户联系范围');
    const token = await cloud.login('wecom-admin', 'admin');
    const ok = await cloud.api('POST', '/settings/wecom/test', {}, token);
    expect(ok.body.data).toEqual({
      ok: true,
      followUsers: 2,
      staffWithoutWecom: ['没绑企微'],
      staffNotFollowing: ['不在客户联系范围'],
    });
    await saveSettings({ ...WECOM, secret: 'wrong-secret-0000' });
    const wrong = await cloud.api('POST', '/settings/wecom/test', {}, token);
    expect(wrong.body.data).toEqual({ ok: false, errcode: 40001, message: '应用 Secret 不正确' });
  });

  test('lead items and the lead detail carry the WeCom status', async () => {
    const { codeId } = await seedStaffCode();
    const { leadId } = await customerLeaves(
      'openid-admin',
      (await db.collection('codes').doc(codeId).get()).data.scene,
    );
    const token = await cloud.login('wecom-admin', 'admin');
    expect((await cloud.api('GET', '/leads', undefined, token)).body.data.items[0].wecom).toEqual({
      status: 'none',
    });
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-admin');
    await fake('POST', '/contacts/add', { configId: contact.data.configId });
    await until(
      () => leadDoc(leadId),
      (l) => l.wecom?.status === 'added',
    );
    const item = (await cloud.api('GET', '/leads', undefined, token)).body.data.items[0];
    expect(item.wecom).toMatchObject({
      status: 'added',
      userid: 'zhangsan',
      staffName: '张顾问',
      at: expect.any(String),
    });
    const detail = (await cloud.api('GET', `/leads/${leadId}`, undefined, token)).body.data;
    expect(detail.wecom).toEqual(item.wecom);
  });

  test('events not done are listed with their error and can be retried; losses are listed, sales see their own', async () => {
    const { codeId, staffId } = await seedStaffCode();
    await customerLeaves('openid-lists', (await db.collection('codes').doc(codeId).get()).data.scene);
    const contact = await cloud.call('customer', { action: 'advisorContact' }, 'openid-lists');
    await fake('POST', '/config', {
      ...WECOM,
      secret: 'rotated-secret-0003',
      callbackUrl: '/wecom/callback',
      users: ['zhangsan'],
    });
    await fake('POST', '/tokens/expire', {});
    const added = await fake('POST', '/contacts/add', { configId: contact.data.configId, name: '列表客户' });
    await until(
      async () => (await db.collection('wecomEvents').get()).data[0],
      (e) => e?.attempts === 1,
    );
    const token = await cloud.login('wecom-admin', 'admin');
    const pending = (await cloud.api('GET', '/wecom/events?status=pending', undefined, token)).body.data
      .items;
    expect(pending).toEqual([
      expect.objectContaining({
        changeType: 'add_external_contact',
        userId: 'zhangsan',
        status: 'pending',
        attempts: 1,
        steps: ['linked'],
        lastError: expect.stringContaining('40001'),
      }),
    ]);
    expect((await cloud.api('GET', '/wecom/events', undefined, token)).body.data.items).toEqual([]);
    await fake('POST', '/config', { ...WECOM, callbackUrl: '/wecom/callback', users: ['zhangsan'] });
    const retried = await cloud.api('POST', '/wecom/events/retry', { eventId: pending[0].eventId }, token);
    expect(retried.body.data).toEqual({ eventId: pending[0].eventId, status: 'pending' });
    await cloud.cloud.callFunction(
      'wecom',
      { Type: 'Timer', TriggerName: 'tick', Time: new Date().toISOString() },
      { SOURCE: 'wx_timer' },
    );
    expect(
      (await cloud.api('GET', '/wecom/events?status=pending', undefined, token)).body.data.items,
    ).toEqual([]);
    const again = await cloud.api('POST', '/wecom/events/retry', { eventId: pending[0].eventId }, token);
    expect(again.body.error.code).toBe('NOT_FOUND');

    await fake('POST', '/contacts/delete', {
      userid: 'zhangsan',
      externalUserId: added.data.externalUserId,
      by: 'staff',
    });
    await until(
      async () => (await cloud.api('GET', '/wecom/lost', undefined, token)).body.data.items,
      (items) => items.length === 1,
    );
    const [lost] = (await cloud.api('GET', '/wecom/lost', undefined, token)).body.data.items;
    // Our name for the customer (the lead's), not their WeChat nickname.
    expect(lost).toMatchObject({
      name: '李女士',
      userId: 'zhangsan',
      staffId,
      lostBy: 'staff',
      lostAt: expect.any(String),
    });
    const own = await cloud.login('wecom-sales', 'sales', staffId);
    expect((await cloud.api('GET', '/wecom/lost', undefined, own)).body.data.items).toHaveLength(1);
    const otherId = (await seedStaffCode('lisi', '李顾问')).staffId;
    const other = await cloud.login('wecom-sales-2', 'sales', otherId);
    expect((await cloud.api('GET', '/wecom/lost', undefined, other)).body.data.items).toEqual([]);
  });
});
