// 加企微 end to end in miniprogram-simulate against a real local cloud (npm start's, with its fake
// WeCom): a customer scans a staff member's activity code, signs up, the page offers their advisor
// through WeCom's 「联系我」 plugin, WeCom (the fake) reports the add to the callback, and the lead
// shows 已添加 with the advisor told.
import http from 'node:http';
import { activity, admin, insert, useLocalCloud } from './local-cloud';
import { Hands, openFromCode, platform, postJson, texts, until } from './support';

useLocalCloud();

const WECOM = {
  corpId: 'wwjourney0001',
  agentId: 1000002,
  secret: 'journey-app-secret-1',
  token: 'JourneyToken1',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

/** The fake WeCom's controls (jsdom has no fetch): POST with a body, else GET. */
function wecom(path: string, body?: unknown): Promise<any> {
  const url = `${platform.cloudUrl}/__local/wecom${path}`;
  if (body !== undefined) return postJson(url, body, {});
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      })
      .on('error', reject);
  });
}

async function leadOf(): Promise<any> {
  const leads = await admin({
    action: 'database.getDocument',
    collectionName: 'leads',
    query: '{}',
    queryType: 'WHERE',
  });
  return JSON.parse(leads.data.list[0]);
}

test('a customer signs up from a staff code, adds the advisor through the plugin, and the lead shows it', async () => {
  // The WeCom admin's side: the app and its callback, in WeCom (the fake) and in our settings.
  await wecom('/config', { ...WECOM, callbackUrl: '/wecom/callback', users: ['zhangsan'] });
  await insert('rules', { _id: 'settings', kind: 'settings', wecom: WECOM });
  const staffId = await insert('staff', {
    name: '张顾问',
    store: 'store-jingan',
    role: 'sales',
    active: true,
    openid: null,
    wecomUserId: 'zhangsan',
    inviteCode: 'INVJOURNEY1',
    createdAt: new Date(),
  });
  const activityId = await insert('activities', activity('企微顾问见面会'));
  await insert('codes', {
    scene: 'staffwecom01',
    channelId: 'ch-staff-zhang',
    channelType: 'staff',
    name: '张顾问的活码',
    staffId,
    storeId: 'store-jingan',
    activityId,
    disabled: false,
    envId: 'leadpool-local',
    imageFileId: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });

  platform.openid = 'advisor-journey';
  platform.privacyAgreed = true;
  const page = openFromCode('activity', 'staffwecom01');
  await until(() => texts(page, '.title').length > 0);
  const hands = new Hands();
  const form = page.querySelector('.lead-form-host');
  await hands.chooseNickname(form.querySelector('.input-name'), '小周');
  await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  await hands.phoneButton(form.querySelector('.submit-phone'), { code: 'test:13700137000' });
  await until(() => texts(page, '.joined').length > 0);

  // After the sign-up: 添加专属顾问企业微信 with the advisor who owns the lead.
  const advisor = page.querySelector('.advisor-host');
  await until(() => texts(advisor, '.advisor-name').length > 0);
  expect(texts(advisor, '.advisor-title')).toEqual(['添加专属顾问企业微信']);
  expect(texts(advisor, '.advisor-name')).toEqual(['你的顾问：张顾问']);
  const plugid = texts(advisor.querySelector('.advisor-cell'), '.contact-plugin-cell')[0];
  const ways = (await wecom('/calls')).data.calls.filter((c: any) => c.path.endsWith('/add_contact_way'));
  expect(ways.map((c: any) => c.body.scene)).toEqual([1, 2]);

  // The customer taps the plugin and WeCom adds the advisor: the fake plays WeCom's side of it.
  const added = await wecom('/contacts/add', { configId: plugid, name: '小周' });
  expect(added.data.callbacks).toEqual([200]);
  await hands.tap(advisor.querySelector('.advisor-cell'), 'completemessage', { errcode: 0 });
  expect(texts(advisor, '.advisor-outcome')).toEqual(['已添加，顾问会在企业微信里联系你']);

  let lead = await leadOf();
  for (let i = 0; i < 50 && lead.wecom?.status !== 'added'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    lead = await leadOf();
  }
  expect(lead).toMatchObject({
    name: '小周',
    ownerId: staffId,
    wecom: { status: 'added', userid: 'zhangsan', staffName: '张顾问' },
  });
  const told = (await wecom('/calls')).data.calls.filter((c: any) => c.path === '/cgi-bin/message/send');
  expect(told).toHaveLength(1);
  expect(told[0].body.text.content).toContain('小周');
  expect(told[0].body.text.content).toContain('企微顾问见面会');
});
