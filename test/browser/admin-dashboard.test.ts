// The dashboard in a real browser: its numbers are the API's for the same range and filter, the
// charts draw and follow the window, and an empty range or a refused one says so.
import type { Page } from 'playwright-core';
import type { DashboardAnswer } from '../../typings/admin';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;
let page: Page;
let token: string;

beforeAll(async () => {
  admin = await startAdminBrowser();
  page = await admin.signedIn('marketing');
  token = (await page.evaluate("localStorage.getItem('leadpool.admin.token')")) as string;
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

/** `2026-11-23` in China time, moved by `offset` days. */
const chinaDay = (offset = 0) =>
  new Date(Date.now() + offset * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
const numberIn = async (selector: string) =>
  Number(((await page.locator(selector).textContent()) ?? '').replace(/[,\s]/g, ''));

async function dashboardOf(query: string): Promise<DashboardAnswer> {
  const res = await admin.cloud.api('GET', `/dashboard?${query}`, undefined, token);
  expect(res.body.ok).toBe(true);
  return res.body.data;
}

/** Waits until the page shows the range it was asked for and has finished loading it. */
async function settled(from: string, to: string) {
  await page.locator(`.dash-range[data-from="${from}"][data-to="${to}"]`).waitFor();
  await page.locator('.dash-body .kpi-value').first().waitFor();
  await page.locator('.dash-body .t-loading__overlay').waitFor({ state: 'detached' });
}

async function expectKpis(data: DashboardAnswer) {
  for (const key of ['entries', 'leads', 'mql', 'won'] as const)
    expect(await numberIn(`.kpi[data-kpi="${key}"] .kpi-value`)).toBe(data.funnel[key]);
}

test('the last 30 days by default: KPIs, channel, staff and activity tables match the API; charts draw', async () => {
  await page.goto(`${admin.cloud.cloud.url}/admin/#/dashboard`);
  const [from, to] = [chinaDay(-29), chinaDay()];
  await settled(from, to);
  const data = await dashboardOf(`from=${from}&to=${to}`);
  expect(data.funnel.leads).toBeGreaterThan(0);
  await expectKpis(data);
  expect(await page.locator('.kpi[data-kpi="leads"] .kpi-note').textContent()).toContain(
    `${((data.funnel.leads / data.funnel.entries) * 100).toFixed(1)}%`,
  );
  expect(await page.locator('.quick-range .t-is-checked').textContent()).toContain('近30天');
  // MQL stands beside the funnel, not in it: 成交 is among 已联系, 已联系 among 留资.
  const f = data.funnel;
  expect(f.won).toBeLessThanOrEqual(f.contacted);
  expect(f.contacted).toBeLessThanOrEqual(f.leads);
  expect(await page.locator('.funnel-card .funnel-side').getAttribute('data-mql')).toBe(String(f.mql));
  expect(await page.locator('.funnel-card .funnel-side').textContent()).toContain(
    `占留资 ${((f.mql / f.leads) * 100).toFixed(1)}%`,
  );

  // One canvas per chart: funnel, trend, channel bars.
  for (const card of ['.funnel-card', '.trend-card', '.channel-card'])
    await page.locator(`${card} canvas`).waitFor();

  const channelRows = page.locator('.channel-table tbody tr');
  expect(await channelRows.count()).toBe(data.channels.length);
  expect(await channelRows.first().locator('td').nth(1).textContent()).toBe(data.channels[0].name);
  expect(await page.locator('.staff-table tbody tr').first().locator('td').nth(1).textContent()).toBe(
    data.staff[0].name,
  );
  expect(await page.locator('.activity-table tbody tr').count()).toBe(data.activities.length);
  await admin.shot(page, 'dashboard');

  // The charts follow the window.
  const trendCanvas = page.locator('.trend-card canvas');
  const wide = (await trendCanvas.boundingBox())!.width;
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.waitForFunction(`document.querySelector('.trend-card canvas').clientWidth < ${wide - 50}`);
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('a quick pick and a channel filter reload the numbers for that view, kept in the URL', async () => {
  await page.goto(`${admin.cloud.cloud.url}/admin/#/dashboard`);
  await settled(chinaDay(-29), chinaDay());
  await page.locator('.quick-range label', { hasText: '近7天' }).click();
  const [from, to] = [chinaDay(-6), chinaDay()];
  await settled(from, to);
  expect(page.url()).toContain(`from=${from}`);
  const week = await dashboardOf(`from=${from}&to=${to}`);
  await expectKpis(week);

  const channel = week.channels[0];
  await page.locator('.dash-channel').click();
  await page
    .locator('.t-select__dropdown:visible .t-select-option', { hasText: channel.name })
    .first()
    .click();
  await page.waitForFunction(
    `decodeURIComponent(location.hash).includes(${JSON.stringify(`channel=${channel.channelId}`)})`,
  );
  await settled(from, to);
  const narrowed = await dashboardOf(
    `from=${from}&to=${to}&channel=${encodeURIComponent(channel.channelId)}`,
  );
  expect(narrowed.funnel.leads).toBe(channel.leads);
  await page.locator(`.kpi[data-kpi="leads"] .kpi-value[data-value="${channel.leads}"]`).waitFor();
  await expectKpis(narrowed);
});

test('a range without data shows an empty state; a refused range shows the reason and 重试', async () => {
  await page.goto(`${admin.cloud.cloud.url}/admin/#/dashboard?from=2020-01-01&to=2020-01-07`);
  await page.locator('.dash-empty').waitFor();
  expect(await page.locator('.dash-empty').textContent()).toContain('还没有数据');
  expect(await numberIn('.kpi[data-kpi="leads"] .kpi-value')).toBe(0);

  await page.goto(`${admin.cloud.cloud.url}/admin/#/dashboard?from=2020-01-01&to=2022-01-01`);
  await page.locator('.dash-error').waitFor();
  expect(await page.locator('.dash-error').textContent()).toContain('时间范围最长一年');
  expect(await page.locator('.dash-error').textContent()).toContain('重试');
});
