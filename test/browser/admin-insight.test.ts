// Knowing the customers in a real browser, on the demo data after the dispatcher's insight job ran:
// the customer list (filter, load more, the drawer with their leads), the persona page whose tables
// and CSV hold the API's numbers (new and returning customers, role, tag groups), and a segment saved
// with its live count and exported.
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;
let token: string;
/** The demo's most common city among its customers. */
let city: string;

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 300 });
  const tick = await admin.cloud.call('dispatch', { action: 'tick' }, null);
  expect(tick.data.insight.counted).toBeGreaterThan(0);
  token = await admin.cloud.login('insight-api', 'marketing');
  const recent = (await admin.cloud.api('GET', '/customers?limit=100', undefined, token)).body.data.items;
  city = recent.find((c: any) => c.city)?.city;
  expect(city).toBeTruthy();
}, 90_000);

afterAll(async () => {
  await admin?.close();
});

/** A channel's name as the page's lookups show it. */
const channelLabel = async (channelId: string) =>
  (await api('GET', '/lookups')).channels.find((c: any) => c.channelId === channelId)?.name ?? channelId;

const api = async (method: string, path: string, body?: unknown) =>
  (await admin.cloud.api(method, path, body, token)).body.data;

async function settled(page: Page) {
  await page.waitForFunction(() =>
    (globalThis as any).document.getAnimations().every((a: any) => a.playState !== 'running'),
  );
}

async function bothShots(page: Page, name: string) {
  await settled(page);
  await admin.shot(page, name);
  await page.setViewportSize({ width: 375, height: 800 });
  await settled(page);
  await admin.shot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function open(path: string): Promise<Page> {
  const page = await admin.signedIn('marketing');
  page.setDefaultTimeout(15_000);
  await page.goto(`${admin.cloud.cloud.url}/admin/#/${path}`);
  return page;
}

test('the customer list pages with 加载更多, filters by city and opens a customer with their leads', async () => {
  const page = await open('customers');
  const rows = page.locator('.customers-table tbody tr');
  await page.locator('.customers-table .customer-name').first().waitFor();
  const first = await api('GET', '/customers?limit=50');
  expect(await rows.count()).toBe(first.items.length);
  await page.locator('.customers-more').click();
  await page.waitForFunction(
    (n) => (globalThis as any).document.querySelectorAll('.customers-table tbody tr').length > n,
    first.items.length,
  );

  await page.locator('.filter-city input').fill(city);
  const inCity = await api('GET', `/customers?limit=50&city=${encodeURIComponent(city)}`);
  expect(inCity.items.length).toBeGreaterThan(0);
  await page.waitForFunction(
    (n) => (globalThis as any).document.querySelectorAll('.customers-table tbody tr').length === n,
    inCity.items.length,
  );
  const names = await page.locator('.customers-table .customer-name').allTextContents();
  expect(names).toEqual(inCity.items.map((c: any) => c.name ?? '未留姓名'));

  await bothShots(page, 'admin-customers');

  // A filter nothing matches says so, and how to widen it.
  await page.locator('.filter-city input').fill('无此城市');
  await page.locator('.customers-table', { hasText: '没有符合条件的客户，试试放宽筛选' }).waitFor();
  await page.locator('.filter-city input').fill(city);
  await page.locator('.customers-table .customer-name').first().waitFor();

  const withLeads = inCity.items.find((c: any) => c.leadCount > 0);
  await page
    .locator('.customers-table tbody tr', { hasText: withLeads.phoneMasked ?? withLeads.name })
    .first()
    .click();
  await page.locator('.customer-drawer .customer-leads').waitFor();
  const detail = await api('GET', `/customers/${withLeads.customerId}`);
  expect(await page.locator('.customer-drawer .customer-leads .t-list-item').count()).toBe(
    detail.leads.length,
  );
  await bothShots(page, 'admin-customer-drawer');
}, 90_000);

test('the persona charts show the API numbers per city, role and tag group, new and returning, and the CSV carries them', async () => {
  const page = await open('persona');
  await page.locator('.persona-byCity canvas').first().waitFor();
  const from = await page.locator('.persona-range input').nth(0).inputValue();
  const to = await page.locator('.persona-range input').nth(1).inputValue();
  const persona = await api('GET', `/persona?from=${from}&to=${to}`);
  expect(persona.total).toBeGreaterThan(0);
  expect(await page.locator('.persona-total-count').textContent()).toBe(
    persona.total.toLocaleString('zh-CN'),
  );
  const cityRows = page.locator('.persona-byCity .persona-table tbody tr');
  const firstCity = persona.byCity[0];
  expect(await cityRows.first().locator('td').nth(0).textContent()).toBe(firstCity.key ?? '未填写');
  expect(await cityRows.first().locator('td').nth(1).textContent()).toBe(String(firstCity.count));

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.persona-csv').click()]);
  const csv = fs.readFileSync((await download.path()) as string, 'utf8');
  expect(csv.startsWith('\uFEFF维度,值')).toBe(true);
  expect(csv).toContain(`新客户,本期首次到访,${persona.total},100%,${persona.previous.total}`);
  expect(csv).toContain(
    `回访客户,之前到访、本期再次留资,${persona.returning},,${persona.previous.returning}`,
  );
  expect(csv).toContain(`城市,${firstCity.key ?? '未填写'},${firstCity.count},`);

  // New against returning customers, role and each tag group beside the other dimensions.
  expect(await page.locator('.persona-returning-count').textContent()).toBe(
    persona.returning.toLocaleString('zh-CN'),
  );
  expect(await page.locator('.persona-byRole .persona-table tbody tr').count()).toBeGreaterThan(0);
  const [group, tag] = persona.byTag[0].key.split(':');
  const tagSection = page.locator('.persona-section', { hasText: `标签·${group}` });
  expect(await tagSection.locator('.persona-table tbody tr').first().locator('td').nth(0).textContent()).toBe(
    tag,
  );
  expect(csv).toContain(`标签·${group},${tag},${persona.byTag[0].count},`);

  // Spend per month: the card divides only the part of each month inside the page's range.
  const channel = persona.byChannel.find((c: any) => c.key && c.key !== 'organic').key;
  const [year, month] = from.split('-').map(Number);
  const monthEnd = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
  const monthStart = `${from.slice(0, 7)}-01`;
  await page.locator('.spend-channel input').click();
  await page
    .locator('.t-select-option', { hasText: await channelLabel(channel) })
    .first()
    .click();
  await page.locator('.spend-range input').nth(0).fill(monthStart);
  await page.locator('.spend-range input').nth(1).fill(monthEnd);
  await page.locator('.spend-range input').nth(1).press('Enter');
  await page.locator('.spend-amount input').fill('3000');
  await page.locator('.spend-add').click();
  await page.locator('.spend-entries', { hasText: '¥3,000.00' }).waitFor();
  // By hand: the month's days inside [from, to] over the month's days.
  const monthDays = Number(monthEnd.slice(8));
  const inside = monthDays - Number(from.slice(8)) + 1;
  const spend = Math.round(((3000 * inside) / monthDays) * 100) / 100;
  const economics = (await api('GET', `/spend?from=${from}&to=${to}`)).channels.find(
    (c: any) => c.channelId === channel,
  );
  expect(economics.spend).toBe(spend);
  const row = page.locator('.spend-table tbody tr', { hasText: await channelLabel(channel) });
  const yuan = (v: number) =>
    `¥${v.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  expect(await row.locator('td').nth(1).textContent()).toBe(yuan(spend));
  expect(await row.locator('td').nth(3).textContent()).toBe(
    yuan(Math.round((spend / economics.leads) * 100) / 100),
  );
  await bothShots(page, 'admin-persona');
}, 90_000);

test('a segment is saved with the live count and exported with its members', async () => {
  const page = await open('segments');
  await page.locator('.new-segment').first().click();
  await page.locator('.segment-name input').fill(`${city}客户`);
  await page.locator('.segment-city input').fill(city);
  const expected = (await api('POST', '/segments/count', { filter: { city } })).count;
  await page.locator('.segment-count-value', { hasText: String(expected) }).waitFor();
  await settled(page);
  await admin.shot(page, 'admin-segment-editor');
  await page.locator('.segment-editor .t-dialog__confirm').click();
  await page.locator('.segments-table tbody tr', { hasText: `${city}客户` }).waitFor();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.segment-export').first().click(),
  ]);
  const csv = fs.readFileSync((await download.path()) as string, 'utf8');
  expect(csv.startsWith('\uFEFF')).toBe(true);
  const lines = csv.slice(1).trimEnd().split('\r\n');
  expect(lines[0]).toBe(
    '客户编号,称呼（微信昵称）,手机号,城市,行业,标签,跟进销售,门店,首次来源,留资次数,首次到访',
  );
  expect(lines).toHaveLength(expected + 1);
  expect(lines.slice(1).every((line) => line.split(',')[3] === city)).toBe(true);
  await bothShots(page, 'admin-segments');
}, 90_000);
