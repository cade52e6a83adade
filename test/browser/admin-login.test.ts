// Signing in to the admin page: a failed login, a good one, and a role that is denied a page.
import { ensureAccount, PASSWORD } from '../functions/admin-cloud';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;

beforeAll(async () => {
  admin = await startAdminBrowser();
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

test('a wrong password is refused with a message and no session', async () => {
  const page = await admin.browser.newPage({ locale: 'zh-CN' });
  await page.goto(`${admin.cloud.cloud.url}/admin/`);
  await page.locator('.login-username input').waitFor();
  expect(page.url()).toContain('#/login');
  await admin.signedIn('viewer', { username: 'wanda' }).then((p) => p.close());
  await page.locator('.login-username input').fill('wanda');
  await page.locator('.login-password input').fill(`${PASSWORD}!`);
  await page.locator('.login-submit').click();
  await page.locator('.login-error').waitFor();
  expect(await page.locator('.login-error').textContent()).toContain('用户名或密码错误');
  expect(await page.evaluate("localStorage.getItem('leadpool.admin.token')")).toBeNull();
  await admin.shot(page, 'login-failed');
});

test('a viewer signs in, sees only the pages it may open and is denied the rest', async () => {
  const page = await admin.signedIn('viewer');
  const menu = await page.locator('.menu .t-menu__item').allTextContents();
  // The pages a viewer reads (others' pages come and go); never accounts, audit or deliveries.
  const shown = menu.map((t) => t.trim());
  expect(shown).toEqual(
    expect.arrayContaining([
      '数据看板',
      '线索',
      '活动',
      '渠道与活码',
      '标签与规则',
      '分配',
      '员工与邀请',
      '门店',
    ]),
  );
  for (const hidden of ['账号', '审计日志', '投递']) expect(shown).not.toContain(hidden);
  await page.goto(`${admin.cloud.cloud.url}/admin/#/accounts`);
  await page.locator('.forbidden', { hasText: '没有权限' }).waitFor();
  expect(await page.locator('.forbidden').textContent()).toContain('当前账号的角色不能打开');
  await admin.shot(page, 'role-denied');
  await page.locator('.logout').click();
  await page.locator('.login-username input').waitFor();
  expect(await page.evaluate("localStorage.getItem('leadpool.admin.token')")).toBeNull();
});

test('the accounts form shows the password rules and puts the API’s field errors beside the fields', async () => {
  await ensureAccount(admin.cloud.db, 'wanda', 'viewer');
  const page = await admin.signedIn('admin');
  await page.goto(`${admin.cloud.cloud.url}/admin/#/accounts`);
  await page.locator('.accounts-table').waitFor();
  await page.locator('.new-account').click();
  const dialog = page.locator('.account-dialog');
  const password = dialog.locator('.account-password-item');
  expect(await password.textContent()).toContain('至少 10 个字符；不能是常见密码');

  // Checked as it is typed, and refused by the API with the same sentence next to the field.
  await dialog.locator('.account-username input').fill('Wanda');
  await dialog.locator('.account-password input').fill('password123');
  await password.locator('.t-is-warning', { hasText: '这个密码太常见' }).waitFor();
  await dialog.locator('.t-dialog__confirm').click();
  await password.locator('.t-is-error', { hasText: '这个密码太常见，容易被猜中，请换一个' }).waitFor();
  await dialog.locator('.account-password input').fill('short-pw');
  await password.locator('.t-tips', { hasText: '密码至少 10 个字符' }).waitFor();

  // `wanda` exists: the same name in another case is taken.
  await dialog.locator('.account-password input').fill('plum blossom 2026');
  await password.locator('.t-is-success').waitFor();
  await dialog.locator('.t-dialog__confirm').click();
  await dialog.locator('.t-is-error', { hasText: '用户名已存在（用户名不区分大小写）' }).waitFor();
  await admin.shot(page, 'account-password-rules');
  await page.close();
});
