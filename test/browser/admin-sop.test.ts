// The journey SOP editor and the script library in a real browser: a rule written in the drawer
// is the rule the API stores, an impossible step is refused on its line, a script added in the
// library is what staff see, and both pages are readable on a phone.
import type { Page } from 'playwright-core';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;
let page: Page;

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 50 });
  page = await admin.signedIn('marketing');
  page.setDefaultTimeout(10_000);
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

test('a journey rule written in the editor is stored as written; a bad step is refused on its line', async () => {
  await page.goto(`${admin.cloud.cloud.url}/admin/#/sop`);
  await page.locator('.sop-table').waitFor();
  await page.locator('.new-sop').click();
  const drawer = page.locator('.sop-drawer');
  await drawer.locator('.sop-name input').fill('新线索三天跟进');
  await drawer.locator('.step-text textarea').first().fill('您好{姓名}，我是{门店}的顾问');
  await drawer.locator('.add-step').click();
  await drawer.locator('.step-text textarea').nth(1).fill('回访{姓名}');
  // A step with no text is refused on that step, and nothing is stored.
  await drawer.locator('.step-text textarea').nth(1).fill('');
  await drawer.locator('.sop-save').click();
  await drawer.locator('.step').nth(1).getByText('请填写任务内容').waitFor();
  expect(await drawer.getByText('请填写任务内容').count()).toBe(1);
  await admin.shot(page, 'admin-sop-editor-error');
  await drawer.locator('.step-text textarea').nth(1).fill('回访{姓名}');
  await drawer.locator('.sop-save').click();
  await page.locator('.sop-table').getByText('新线索三天跟进').waitFor();
  const token = (await page.evaluate("localStorage.getItem('leadpool.admin.token')")) as string;
  const stored = (await admin.cloud.api('GET', '/sop-rules', undefined, token)).body.data.items;
  expect(stored).toEqual([
    expect.objectContaining({
      name: '新线索三天跟进',
      trigger: { type: 'lead_captured' },
      enabled: true,
      steps: [
        { offsetMinutes: 0, action: { type: 'task', text: '您好{姓名}，我是{门店}的顾问' } },
        { offsetMinutes: 1440, at: '10:00', action: { type: 'task', text: '回访{姓名}' } },
      ],
    }),
  ]);
  expect(await page.locator('.step-list li').allTextContents()).toEqual([
    '立即 · 待办：您好{姓名}，我是{门店}的顾问',
    '1 天 的 10:00 · 待办：回访{姓名}',
  ]);
  await admin.shot(page, 'admin-sop');
  await page.setViewportSize({ width: 375, height: 812 });
  await admin.shot(page, 'admin-sop-phone');
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('a script added to the library is listed with its uses, and staff see it', async () => {
  await page.goto(`${admin.cloud.cloud.url}/admin/#/library`);
  await page.locator('.library-table').waitFor();
  await page.locator('.new-item').click();
  const dialog = page.locator('.library-dialog');
  await dialog.locator('.item-title-input input').fill('价格异议');
  await dialog.locator('.item-text textarea').fill('{姓名}您好，这个价格包含全年的保养服务');
  await dialog.getByRole('button', { name: '保存' }).click();
  await page.locator('.library-table').getByText('价格异议').waitFor();
  await admin.shot(page, 'admin-library');
  const token = (await page.evaluate("localStorage.getItem('leadpool.admin.token')")) as string;
  const items = (await admin.cloud.api('GET', '/library?kind=script', undefined, token)).body.data.items;
  expect(items).toEqual([
    expect.objectContaining({
      kind: 'script',
      title: '价格异议',
      text: '{姓名}您好，这个价格包含全年的保养服务',
      uses: 0,
    }),
  ]);
  await page.setViewportSize({ width: 375, height: 812 });
  await admin.shot(page, 'admin-library-phone');
  await page.setViewportSize({ width: 1440, height: 900 });
});
