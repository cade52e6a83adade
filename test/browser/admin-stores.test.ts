// Stores as a managed list in a real browser: a duplicate name shown on its field (and gone once the
// field changes), the staff dialog picking its store from the list (Esc closes the list, not the
// dialog), a second member with the same mobile refused, and a rename reaching the staff list.
import type { Page } from 'playwright-core';
import { copy } from '../../miniprogram/copy';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 100 });
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

async function open(path: string, table: string): Promise<Page> {
  const page = await admin.signedIn('marketing');
  page.setDefaultTimeout(10_000);
  await page.goto(`${admin.cloud.cloud.url}/admin/#/${path}`);
  await page.locator(`${table} tbody tr td`).nth(2).waitFor();
  return page;
}

/** The form item holding `inner`, inside `dialog`. */
const item = (page: Page, dialog: string, inner: string) =>
  page.locator(`${dialog} .t-form__item`, { has: page.locator(inner) });

async function confirmDialog(page: Page, dialog: string) {
  await page.locator(`${dialog} .t-dialog__confirm`).click();
}

async function settled(page: Page) {
  await page.waitForFunction(() =>
    (globalThis as any).document.getAnimations().every((a: any) => a.playState !== 'running'),
  );
}

test('marketing adds a store, a duplicate name is refused on its field until it is changed', async () => {
  const page = await open('stores', '.stores-table');
  expect(await page.locator('.stores-table .store-name').allTextContents()).toEqual(
    expect.arrayContaining(['静安旗舰店', '徐汇店', '浦东店', '杭州西湖店']),
  );
  await page.locator('.new-store').first().click();
  const dialog = '.store-dialog';
  await page.locator(`${dialog} .store-name-input input`).fill('徐汇店');
  await confirmDialog(page, dialog);
  const taken = item(page, dialog, '.store-name-input').getByText('已有名为「徐汇店」的门店');
  await taken.waitFor();
  await page.locator(`${dialog} .store-name-input input`).fill('南京新街口店');
  await taken.waitFor({ state: 'detached' });
  await page.locator(`${dialog} .store-city-input input`).fill('南京');
  await page.locator(`${dialog} .store-region-input input`).fill('江苏');
  await confirmDialog(page, dialog);
  await page.locator('.stores-table .store-name', { hasText: '南京新街口店' }).waitFor();
  await settled(page);
  await admin.shot(page, 'admin-stores');
  await page.setViewportSize({ width: 375, height: 800 });
  await settled(page);
  await admin.shot(page, 'admin-stores-phone');
  await page.close();
});

test('the staff dialog picks a store from the list; Esc there keeps the dialog; a second mobile is refused', async () => {
  const page = await open('staff', '.staff-table');
  const mobile = (await page.locator('.staff-table tbody tr .muted.small').first().textContent())!.trim();
  expect(mobile).toMatch(/^1\d{10}$/);

  await page.locator('.new-staff').first().click();
  const dialog = page.locator('.staff-dialog');
  await dialog.locator('.staff-name input').fill('彭晓浩');
  const store = dialog.locator('.staff-store input');
  await store.click();
  await store.fill('徐汇');
  const options = page.locator('.t-select__dropdown:visible .t-select-option');
  expect(await options.allTextContents()).toEqual(['徐汇店（上海）']);
  await page.keyboard.press('Escape');
  await page.locator('.t-select__dropdown:visible').waitFor({ state: 'hidden' });
  expect(await dialog.locator('.t-dialog').isVisible()).toBe(true);
  // What was typed only searched: nothing is picked until an option is.
  await store.click();
  await store.fill('徐汇');
  await options.first().click();
  expect(await store.inputValue()).toBe('徐汇店（上海）');

  const mobileInput = dialog.locator('.staff-mobile input');
  await mobileInput.fill(mobile);
  await dialog.locator('.staff-wecom-input input').fill('PengHao');
  await dialog.locator('.t-dialog__confirm').click();
  const mobileError = item(page, '.staff-dialog', '.staff-mobile').getByText(
    '该手机号已属于另一名员工，请勿重复添加',
  );
  await mobileError.waitFor();
  await settled(page);
  await admin.shot(page, 'admin-staff-dialog');
  await mobileInput.fill('13700001111');
  await mobileError.waitFor({ state: 'detached' });
  await dialog.locator('.t-dialog__confirm').click();
  const invite = page.locator('.invite-dialog');
  await invite.locator('.invite-code').waitFor();
  // Named as the mini program names it.
  expect(await invite.textContent()).toContain(`「${copy.me.staffBind}」`);
  expect(await invite.textContent()).toContain(`「${copy.me.staffDesk}」`);
  await page.keyboard.press('Escape');
  const row = page.locator('.staff-table tbody tr', { hasText: 'PengHao' });
  await row.waitFor();
  expect(await row.locator('.staff-wecom').textContent()).toBe('企业微信 PengHao');
  expect(await row.textContent()).toContain('徐汇店');
  await page.close();
});

test("a store renamed on the stores page is the staff members' store at once", async () => {
  const page = await open('stores', '.stores-table');
  await page.locator('.stores-table tbody tr', { hasText: '浦东店' }).locator('.edit-store').click();
  await page.locator('.store-dialog .store-name-input input').fill('浦东陆家嘴店');
  await confirmDialog(page, '.store-dialog');
  await page.locator('.stores-table .store-name', { hasText: '浦东陆家嘴店' }).waitFor();
  await page.goto(`${admin.cloud.cloud.url}/admin/#/staff`);
  await page.locator('.staff-table tbody tr td').nth(2).waitFor();
  const stores = await page.locator('.staff-table tbody tr td:nth-child(2)').allTextContents();
  expect(stores).toContain('浦东陆家嘴店');
  expect(stores).not.toContain('浦东店');
  await page.close();
});
