// Write-only delivery secrets and staff bindings in a real browser: the settings card shows a
// robot's key masked and a webhook's secret only as set, each replaced through 「更换」; the staff
// page shows the bound WeChat masked, unbinds with a new invite, and hides invites from viewers.
import type { Page } from 'playwright-core';
import type { Role } from '../../typings/admin';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 50 });
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

async function open(role: Role, path: string, ready: string): Promise<Page> {
  const page = await admin.signedIn(role);
  page.setDefaultTimeout(10_000);
  await page.goto(`${admin.cloud.cloud.url}/admin/#/${path}`);
  await page.locator(ready).first().waitFor();
  return page;
}

const settingsDoc = async () => (await admin.cloud.db.collection('rules').doc('settings').get()).data;

test('robot keys and webhook secrets are entered, shown masked, and replaced', async () => {
  const key = 'a1b2c3d4-0000-4000-8000-1234567890ab';
  const page = await open('marketing', 'assignment', '.add-robot');
  await page.locator('.save-settings:not([disabled])').waitFor();
  await page.locator('.add-robot').click();
  await page
    .locator('.robot-item .robot-url input')
    .last()
    .fill(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`);
  await page.locator('.add-webhook').click();
  const hook = page.locator('.webhook-item').last();
  await hook.locator('input').nth(1).fill('https://crm.example.com/leads');
  await hook.locator('.webhook-secret input').fill('crm-secret-0001');
  await page.locator('.save-settings').click();
  const masked = page.locator('.robot-item .robot-url-masked input').last();
  await masked.waitFor();
  expect(await masked.inputValue()).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****90ab');
  await page.locator('.webhook-item .secret-set').last().waitFor();

  // Read again: nothing on the page holds the key or the secret; a save keeps them.
  await page.reload();
  await page.locator('.robot-item .robot-url-masked input').last().waitFor();
  const html = await page.content();
  expect(html).not.toContain(key);
  expect(html).not.toContain('crm-secret-0001');
  await page.locator('.mql-threshold input').fill('70');
  await page.locator('.save-settings').click();
  await page.locator('.t-message', { hasText: '投递设置已保存' }).last().waitFor();
  const kept = await settingsDoc();
  expect(kept.mqlThreshold).toBe(70);
  expect(kept.robots.at(-1).url).toContain(key);
  expect(kept.webhooks.at(-1).secret).toBe('crm-secret-0001');

  // 「更换」 asks for a whole new address; a loopback webhook is refused on its field.
  await page.locator('.robot-item .replace-robot-url').last().click();
  await page
    .locator('.robot-item .robot-url input')
    .last()
    .fill('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ffff0000-1111-4111-8111-000000000001');
  await page.locator('.webhook-item').last().locator('input').nth(1).fill('https://127.0.0.1/leads');
  await page.locator('.save-settings').click();
  await page.locator('.webhook-item .t-input__tips', { hasText: '公网' }).waitFor();
  await page.locator('.webhook-item').last().locator('input').nth(1).fill('https://crm.example.com/leads');
  await page.locator('.webhook-item .replace-secret').last().click();
  await page.locator('.webhook-item .webhook-secret input').last().fill('crm-secret-0002');
  await page.locator('.save-settings').click();
  await page.locator('.robot-item .robot-url-masked input[value$="0001"]').waitFor();
  const replaced = await settingsDoc();
  expect(replaced.robots.at(-1).url).toMatch(/key=ffff0000-1111-4111-8111-000000000001$/);
  expect(replaced.webhooks.at(-1).secret).toBe('crm-secret-0002');
  await admin.shot(page, 'settings-masked');
  await page.close();
});

test('the staff page shows the bound WeChat masked and unbinds with a new invite', async () => {
  const member = (await admin.cloud.db.collection('staff').doc('staff-demo-12').get()).data;
  const page = await open('admin', 'staff', '.staff-table tbody tr td');
  const row = page.locator('.staff-table tr', { hasText: member.name });
  expect(await row.locator('.staff-bound').textContent()).toContain('demo…f-12');
  await row.locator('.unbind-staff').click();
  // The confirm dialog gives way to the new invite code's dialog.
  await page.locator('.t-dialog__ctx .t-dialog__confirm', { hasText: '解除绑定' }).click();
  const code = page.locator('.invite-dialog .invite-code');
  await code.waitFor();
  const stored = (await admin.cloud.db.collection('staff').doc('staff-demo-12').get()).data;
  expect(stored).toMatchObject({ openid: null, inviteCode: (await code.textContent())?.trim() });
  expect(stored.inviteCode).not.toBe(member.inviteCode);
  const { data: audits } = await admin.cloud.db.collection('audit').where({ action: 'staff.unbind' }).get();
  expect(audits).toEqual([expect.objectContaining({ subject: 'staff-demo-12' })]);
  await page.close();

  // A viewer sees who is bound, but no invite codes, mobiles or unbind.
  const viewer = await open('viewer', 'staff', '.staff-table tbody tr td');
  // Once the bound rows show, the page is rendered: what it leaves out is then meaningful.
  await viewer.locator('.staff-bound').first().waitFor();
  const html = await viewer.content();
  expect(html).not.toContain(stored.inviteCode);
  expect(html).not.toContain(member.mobile);
  expect(await viewer.locator('.unbind-staff').count()).toBe(0);
  await viewer.close();
});
