// Custom form fields and activity templates in a real browser: a new activity from the demo's
// 活动云平台 template (its form and questions filled in, end and deadline following the start), a
// custom question added in the editor, a sign-up answering it seen as a column of the sign-up
// list and in its CSV, the activity saved as a template and copied to two stores with staff
// codes; the drawer at desktop and 375 px phone width (screenshots).
import type { Page } from 'playwright-core';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 60 });
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

const DAY = 86_400_000;
const TITLE = '静安门店开放日';

function chinaWall(days: number, hour: number): string {
  const day = new Date(Date.now() + days * DAY + 8 * 3_600_000).toISOString().slice(0, 10);
  return `${day} ${String(hour).padStart(2, '0')}:00`;
}

async function settled(page: Page) {
  await page.waitForFunction(() =>
    (globalThis as any).document.getAnimations().every((a: any) => a.playState !== 'running'),
  );
}

async function pickTime(page: Page, selector: string, wall: string) {
  const input = page.locator(`${selector} input`).first();
  await input.click();
  await page.locator('.t-date-picker__panel:visible').first().waitFor();
  await input.fill(wall);
  await input.press('Enter');
  await page.locator('.t-date-picker__panel:visible').first().waitFor({ state: 'hidden' });
}

/** Waits for an input to show `value` (a value set by the page, not typed). */
async function inputShows(page: Page, selector: string, value: string) {
  await page.waitForFunction(
    ([sel, want]) => (globalThis as any).document.querySelector(sel)?.value === want,
    [selector, value],
  );
}

async function activitiesPage(width = 1440): Promise<Page> {
  const page = await admin.signedIn('marketing');
  page.setDefaultTimeout(10_000);
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`${admin.cloud.cloud.url}/admin/#/activities`);
  await page.locator('.activities-table tbody tr td').nth(2).waitFor();
  return page;
}

test('a new activity from the 活动云平台 template, with a question of its own, answered and exported', async () => {
  const page = await activitiesPage();
  await page.locator('.open-templates').click();
  const dialog = page.locator('.templates-dialog');
  await dialog
    .locator('.template', { hasText: '门店开放日（活动云平台样例）' })
    .locator('.use-template')
    .click();
  const drawer = page.locator('.activity-drawer');
  await drawer.locator('.custom-field').first().waitFor();
  expect(await drawer.locator('.activity-title input').inputValue()).toBe('门店开放日');
  expect(
    await drawer.locator('.custom-label input').evaluateAll((els) => els.map((e: any) => e.value)),
  ).toEqual(['预计到店人数', '感兴趣的内容', '就近门店']);
  await drawer.locator('.activity-title input').fill(TITLE);
  // The template's lengths follow the start: 3 hours, sign-ups closing 2 hours before.
  await pickTime(page, '.activity-start', chinaWall(9, 14));
  // The picker hands its value over when it loses focus.
  await drawer.locator('.activity-title input').click();
  await inputShows(page, '.activity-drawer .activity-end input', chinaWall(9, 17));
  await inputShows(page, '.activity-drawer .activity-deadline input', chinaWall(9, 12));

  await drawer.locator('.add-custom-field').click();
  const added = drawer.locator('.custom-field').last();
  await added.locator('.custom-label input').fill('公司规模');
  await added.locator('.custom-type').click();
  await page.locator('.t-select__dropdown:visible .t-select-option', { hasText: '单选' }).click();
  await added.locator('.custom-options').waitFor();
  await added.locator('.custom-required').click();
  await settled(page);
  await admin.shot(page, 'activity-custom-fields');
  await drawer.locator('.activity-save-publish').click();
  await page.locator('.activities-table tr', { hasText: TITLE }).waitFor();

  const { data } = await admin.cloud.db.collection('activities').where({ title: TITLE }).get();
  const activity = data[0];
  expect(activity.customFields.map((f: any) => [f.label, f.type, f.required])).toEqual([
    ['预计到店人数', 'number', true],
    ['感兴趣的内容', 'multiple', false],
    ['就近门店', 'store', false],
    ['公司规模', 'single', true],
  ]);
  const id = (label: string) => activity.customFields.find((f: any) => f.label === label).id;
  // The customer's form asks the questions; the answers are checked and kept.
  const joined = await admin.cloud.call(
    'customer',
    {
      action: 'joinActivity',
      requestId: 'browser-join-custom-1',
      activityId: activity._id,
      fields: {
        name: '周小满',
        phone: '13700137000',
        city: '上海',
        [id('预计到店人数')]: '3',
        [id('感兴趣的内容')]: ['会员权益', '新品体验'],
        [id('公司规模')]: '选项二',
      },
      consent: { version: '2026-11-01', accepted: true },
    },
    'openid-browser-custom',
  );
  expect(joined.error).toBeUndefined();

  const row = page.locator('.activities-table tr', { hasText: TITLE });
  await row.locator('.show-registrations').click();
  const list = page.locator('.registrations-drawer');
  await list.locator('.registrations-table tbody tr', { hasText: '周小满' }).waitFor();
  const headers = await list.locator('.registrations-table thead th').allTextContents();
  expect(headers).toEqual(expect.arrayContaining(['预计到店人数', '感兴趣的内容', '公司规模']));
  const cells = await list
    .locator('.registrations-table tbody tr', { hasText: '周小满' })
    .locator('td')
    .allTextContents();
  expect(cells).toEqual(expect.arrayContaining(['3', '新品体验、会员权益', '选项二']));
  await settled(page);
  await admin.shot(page, 'activity-custom-answers');
  const exported = await page.evaluate(async (activityId) => {
    const token = (globalThis as any).localStorage.getItem('leadpool.admin.token');
    const res = await fetch(`/admin-api/activities/${activityId}/registrations/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    return ((await res.json()) as { data: { csv: string } }).data.csv;
  }, activity._id);
  const [header, first] = exported.slice(1).split('\r\n');
  expect(first.split(',')[header.split(',').indexOf('公司规模')]).toBe('选项二');
  await page.close();
});

test('an activity saved as a template, and copied to two stores with their staff codes', async () => {
  const page = await activitiesPage();
  const row = page.locator('.activities-table tr', { hasText: '咖啡拉花工作坊' });
  await row.locator('.save-template').click();
  const save = page.locator('.save-template-dialog');
  await save.locator('.template-name input').fill('拉花工作坊模板');
  await save.locator('.t-dialog__confirm').click();
  await save.locator('.t-dialog__confirm').waitFor({ state: 'hidden' });
  expect(
    (await admin.cloud.db.collection('activityTemplates').where({ name: '拉花工作坊模板' }).get()).data,
  ).toHaveLength(1);

  const { data: stores } = await admin.cloud.db.collection('stores').where({ active: true }).get();
  const [first, second] = stores.map((s: any) => s.name as string);
  await row.locator('.copy-activity').click();
  const dialog = page.locator('.copy-dialog');
  for (const [index, store] of [first, second].entries()) {
    const line = dialog.locator(`.line[data-line="${index}"]`);
    await line.locator('.copy-store').click();
    await page.locator('.t-select__dropdown:visible .t-select-option', { hasText: store }).first().click();
    await line.locator('.copy-capacity input').fill(String(10 + index));
  }
  await settled(page);
  await admin.shot(page, 'activity-copy-dialog');
  await dialog.locator('.t-dialog__confirm').click();
  await page.locator('.activities-table tr', { hasText: `咖啡拉花工作坊·${second}` }).waitFor();
  const { data: copies } = await admin.cloud.db
    .collection('activities')
    .where({ title: admin.cloud.db.command.in([`咖啡拉花工作坊·${first}`, `咖啡拉花工作坊·${second}`]) })
    .get();
  expect(Object.fromEntries(copies.map((c: any) => [c.store, [c.capacity, c.status]]))).toEqual({
    [first]: [10, 'draft'],
    [second]: [11, 'draft'],
  });
  const { data: staff } = await admin.cloud.db
    .collection('staff')
    .where({ store: first, active: true })
    .get();
  const copyOfFirst = copies.find((c: any) => c.store === first);
  const { data: codes } = await admin.cloud.db
    .collection('codes')
    .where({ activityId: copyOfFirst._id })
    .get();
  expect(codes.map((c: any) => c.staffId).sort()).toEqual(staff.map((s: any) => s._id).sort());
  await page.close();
});

test('on a 375 px phone the custom fields editor fits the drawer', async () => {
  const page = await activitiesPage(375);
  await page.locator('.activities-table tr', { hasText: TITLE }).locator('.edit-activity').click();
  const drawer = page.locator('.activity-drawer');
  await drawer.locator('.custom-field').first().waitFor();
  await drawer.locator('.custom-field').last().scrollIntoViewIfNeeded();
  await settled(page);
  // The drawer takes the phone's width: the whole editor is on screen, nothing scrolled sideways.
  const box = (selector: string) =>
    drawer
      .locator(selector)
      .last()
      .evaluate((el: any) => {
        const r = el.getBoundingClientRect();
        return { left: r.left, right: r.right };
      });
  for (const selector of ['.custom-label', '.custom-remove', '.add-custom-field']) {
    const { left, right } = await box(selector);
    expect(left).toBeGreaterThanOrEqual(0);
    expect(right).toBeLessThanOrEqual(375);
  }
  await page.screenshot({ path: 'test-output/browser/activity-custom-fields-phone.png' });
  await page.close();
});
