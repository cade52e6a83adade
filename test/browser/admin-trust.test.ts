// Trust in the admin page: a typed phone number that matches another customer shows as a possible
// duplicate that a person merges deliberately; withdrawn consent shows and hides the reveal; a
// role that may not reveal phones is not offered a search by phone digits.
import type { Page } from 'playwright-core';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;
let page: Page;
const POLICY = { version: '2026-11-01', accepted: true };
let seq = 0;
function submit(openid: string, fields: Record<string, string>) {
  seq += 1;
  return admin.cloud.call(
    'customer',
    { action: 'submitLead', requestId: `browser-trust-${seq}`, fields, consent: POLICY },
    openid,
  );
}

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 300 });
  page = await admin.signedIn('marketing');
  page.setDefaultTimeout(8_000);
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

const url = (hash: string) => `${admin.cloud.cloud.url}/admin/#${hash}`;
const rows = (p: Page) => p.locator('.lead-table tbody tr.lead-row');

test('a possible duplicate is filtered, explained and merged only when a person confirms', async () => {
  const owner = await submit('real-owner', { name: '周真人', phoneCode: 'test:13812340000' });
  const typed = await submit('other-wechat', { name: '周真人', phone: '13812340000' });
  expect(typed.data.customerId).not.toBe(owner.data.customerId);

  await page.goto(url('/leads?possibleDuplicate=true'));
  await rows(page).first().waitFor();
  expect(await rows(page).count()).toBe(1);
  expect(await rows(page).first().locator('.lead-suspect').textContent()).toBe('疑似重复');
  expect(await page.locator('.filter-duplicate input').inputValue()).toBe('仅看疑似重复');

  await rows(page).first().click();
  const alert = page.locator('.lead-drawer .duplicate-review');
  await alert.waitFor();
  const text = (await alert.textContent()) ?? '';
  expect(text).toContain('138****0000');
  expect(text).toContain('周真人');
  expect(text).toContain('号码经微信验证');
  expect(await page.locator('.lead-drawer .phone-typed').textContent()).toBe('手工填写');
  await page.setViewportSize({ width: 1440, height: 1100 });
  await admin.shot(page, 'lead-possible-duplicate');

  // The merge waits for a confirmation; nothing happens before it.
  await alert.locator('.duplicate-merge').click();
  const confirm = page
    .locator('.t-popconfirm .t-button--theme-warning, .t-popconfirm .t-button--theme-primary')
    .last();
  await confirm.waitFor();
  const before = (await admin.cloud.db.collection('customers').doc(typed.data.customerId).get()).data;
  expect(before.mergedInto).toBeNull();
  await confirm.click();
  await page.locator('.t-message', { hasText: '已合并为同一位顾客' }).waitFor();
  await alert.waitFor({ state: 'detached' });
  const after = (await admin.cloud.db.collection('customers').doc(typed.data.customerId).get()).data;
  expect(after.mergedInto).toBe(owner.data.customerId);
  const { data: audits } = await admin.cloud.db.collection('audit').where({ action: 'customer.merge' }).get();
  expect(audits).toHaveLength(1);
});

test('withdrawn consent is shown and the phone can no longer be revealed', async () => {
  const lead = await submit('withdrawer', { name: '吴撤回', phoneCode: 'test:13912340001' });
  await admin.cloud.call('customer', { action: 'withdrawConsent' }, 'withdrawer');
  await page.goto(url(`/leads?lead=${lead.data.leadId}`));
  const drawer = page.locator('.lead-drawer');
  await drawer.locator('.consent-withdrawn').waitFor();
  expect(await drawer.locator('.consent-withdrawn').textContent()).toContain('已撤回');
  expect(await drawer.locator('.reveal').count()).toBe(0);
});

test('a viewer is offered a search by name only, at desktop and phone widths', async () => {
  const viewer = await admin.signedIn('viewer');
  await viewer.goto(url('/leads'));
  await rows(viewer).first().waitFor();
  expect(await viewer.locator('.filter-q input').getAttribute('placeholder')).toBe('搜索姓名');
  await viewer.setViewportSize({ width: 390, height: 844 });
  await admin.shot(viewer, 'leads-viewer-phone');
  await viewer.close();
});
