// WeCom (加企微) in the admin page, in a real browser: the settings card (callback URL to paste,
// write-only secrets, the connection test) and a lead's WeCom status after the local fake WeCom
// plays the customer adding their advisor.
import type { Page } from 'playwright-core';
import { wecomFake } from '../functions/wecom-fake';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;
let local: string;
/** The contact the second test makes, which the third loses. */
let contactMade: { userid: string; externalUserId: string } | null = null;
const WECOM = {
  corpId: 'wwbrowser012345',
  agentId: 1000002,
  secret: 'browser-app-secret-01',
  token: 'BrowserToken1',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 60 });
  local = admin.cloud.cloud.url;
  // Before any function runs: their workers read the environment once.
  process.env.LEADPOOL_WECOM_API_BASE = `${local}/__local/wecom`;
  await fake('POST', '/config', { ...WECOM, callbackUrl: '/wecom/callback', users: ['zhangsan'] });
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

const fake = wecomFake(() => local);

async function settled(page: Page) {
  await page.waitForFunction(() =>
    (globalThis as any).document.getAnimations().every((a: any) => a.playState !== 'running'),
  );
}

test('the settings card saves write-only secrets, shows the callback URL and tests the connection', async () => {
  const page = await admin.signedIn('admin');
  page.setDefaultTimeout(10_000);
  await page.goto(`${local}/admin/#/assignment`);
  const card = page.locator('.wecom-card');
  await card.scrollIntoViewIfNeeded();
  expect(await card.locator('.wecom-callback-url input').inputValue()).toBe(`${local}/wecom/callback`);

  // A first save without the secrets names each one beside its field.
  await card.locator('.wecom-corp-id input').fill(WECOM.corpId);
  await card.locator('.wecom-agent-id input').fill(String(WECOM.agentId));
  await card.locator('.save-wecom').click();
  for (const tip of ['请填写应用 Secret', '请填写回调 Token', '请填写回调 EncodingAESKey'])
    await card.getByText(tip, { exact: true }).waitFor();

  await card.locator('.wecom-secret input').fill(WECOM.secret);
  await card.locator('.wecom-token input').fill(WECOM.token);
  await card.locator('.wecom-aes-key input').fill(WECOM.encodingAesKey);
  await card.locator('.save-wecom').click();
  await card.locator('.wecom-saved').waitFor();
  expect(await card.locator('.wecom-saved').textContent()).toContain(WECOM.corpId);
  // Write-only: the fields are empty again and say the value is set; the page never holds it.
  for (const field of ['.wecom-secret', '.wecom-token', '.wecom-aes-key']) {
    expect(await card.locator(`${field} input`).inputValue()).toBe('');
    expect(await card.locator(`${field} input`).getAttribute('placeholder')).toBe('已设置，留空则不更换');
  }
  const html = await page.content();
  for (const secret of [WECOM.secret, WECOM.token, WECOM.encodingAesKey]) expect(html).not.toContain(secret);
  // What WeCom does when the URL is saved in its console: the callback answers the check.
  const check = await fake('POST', '/verify-url', {});
  expect(check.data).toMatchObject({ status: 200, answer: check.data.expected });

  await card.locator('.test-wecom').click();
  await card.locator('.wecom-test-result').waitFor();
  expect(await card.locator('.wecom-test-result').textContent()).toContain(
    '连接正常：1 位成员可使用客户联系',
  );
  await settled(page);
  await card.scrollIntoViewIfNeeded();
  await admin.shot(page, 'admin-wecom-settings');
  await page.setViewportSize({ width: 375, height: 800 });
  await settled(page);
  await admin.shot(page, 'admin-wecom-settings-phone');
  await page.close();
});

test('a lead shows 未加企微, then 已添加 <advisor> once the fake WeCom reports the add', async () => {
  const db = admin.cloud.db;
  const staffId = (
    await db.collection('staff').add({
      data: {
        name: '张顾问',
        store: 'store-browser',
        role: 'sales',
        active: true,
        openid: null,
        wecomUserId: 'zhangsan',
        inviteCode: 'INVBROWSER1',
        createdAt: new Date(),
      },
    })
  )._id;
  await db.collection('codes').add({
    data: {
      scene: 'wecombrowser1',
      channelId: 'ch-browser',
      channelType: 'staff',
      name: '张顾问的活码',
      staffId,
      storeId: 'store-browser',
      activityId: null,
      disabled: false,
      envId: admin.cloud.cloud.envId,
      createdAt: new Date(),
      updatedAt: new Date(),
    },
  });
  const openid = 'openid-browser-wecom';
  await admin.cloud.call(
    'customer',
    { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: { scene: 'wecombrowser1' } } },
    openid,
  );
  const session = await admin.cloud.call('customer', { action: 'session' }, openid);
  const lead = await admin.cloud.call(
    'customer',
    {
      action: 'submitLead',
      requestId: 'browser-wecom-lead-1',
      fields: { name: '企微测试客户', phone: '13900139000' },
      consent: { version: session.data.policy.version, accepted: true },
    },
    openid,
  );
  expect(lead.ok).toBe(true);
  const leadId = lead.data.leadId as string;

  const page = await admin.signedIn('admin');
  page.setDefaultTimeout(10_000);
  await page.goto(`${local}/admin/#/leads?lead=${leadId}`);
  const tag = page.locator('.lead-drawer .wecom-status-tag');
  await tag.waitFor();
  expect((await tag.textContent())?.trim()).toBe('未加企微');

  const contact = await admin.cloud.call('customer', { action: 'advisorContact' }, openid);
  expect(contact.data.advisorName).toBe('张顾问');
  contactMade = (
    await fake('POST', '/contacts/add', { configId: contact.data.configId, name: '企微测试客户' })
  ).data;
  for (let i = 0; i < 80; i += 1) {
    const stored = (await db.collection('leads').doc(leadId).get()).data;
    if (stored.wecom?.status === 'added') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const showsAdded = () =>
    page.waitForFunction(() =>
      (globalThis as any).document
        .querySelector('.lead-drawer .wecom-status-tag')
        ?.textContent?.includes('已添加'),
    );
  await page.reload();
  await showsAdded();
  expect((await tag.textContent())?.trim()).toMatch(/^已添加 张顾问 · \d{4}/);
  await settled(page);
  await admin.shot(page, 'admin-wecom-lead');
  await page.setViewportSize({ width: 375, height: 800 });
  await page.reload();
  await showsAdded();
  await settled(page);
  await admin.shot(page, 'admin-wecom-lead-phone');
  await page.close();
}, 60_000);

test("the customer deleting the advisor shows in the lead and in the card's 流失 list", async () => {
  expect(contactMade).not.toBeNull();
  await fake('POST', '/contacts/delete', { ...contactMade, by: 'customer' });
  const page = await admin.signedIn('marketing');
  page.setDefaultTimeout(10_000);
  await page.goto(`${local}/admin/#/assignment`);
  const lost = page.locator('.wecom-card .wecom-lost');
  await lost.scrollIntoViewIfNeeded();
  await page.waitForFunction(() =>
    (globalThis as any).document
      .querySelector('.wecom-card .wecom-lost tbody')
      ?.textContent?.includes('客户删除顾问'),
  );
  const row = (await lost.locator('tbody tr').first().textContent()) ?? '';
  expect(row).toContain('企微测试客户');
  expect(row).toContain('张顾问');
  await settled(page);
  await admin.shot(page, 'admin-wecom-lost');
  await page.close();
});
