// The codes page's per-code statistics and print ZIP, and the poster templates page, in a real
// browser: the numbers shown are the scans and leads made through the codes, a sort puts the
// busiest code first, the ZIP downloaded holds a card per ticked code, and a template is placed
// on an uploaded background. Desktop and 375 px phone screenshots.
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { decodeQr } from '../functions/project-cloud';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;
let page: Page;
const POLICY = { version: '2026-11-01', accepted: true };

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 20 });
  page = await admin.signedIn('marketing');
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

async function token(): Promise<string> {
  return (await page.evaluate("localStorage.getItem('leadpool.admin.token')")) as string;
}

async function createCode(name: string) {
  const res = await admin.cloud.api('POST', '/codes', { channelType: 'poster', name }, await token());
  return res.body.data as { codeId: string; scene: string };
}

const scan = (scene: string, openid: string) =>
  admin.cloud.call(
    'customer',
    { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: { scene } } },
    openid,
  );

/** A row's number in a statistics column. */
const cell = (name: string, key: string) =>
  page.locator('.codes-table tr', { hasText: name }).locator(`.stat-${key}`).textContent();

test('each code shows its scans, visitors and leads; a sort puts the busiest first; the ZIP holds the ticked codes', async () => {
  const busy = await createCode('地铁站大海报');
  const quiet = await createCode('门店台卡');
  for (const openid of ['v1', 'v2', 'v3']) await scan(busy.scene, openid);
  await scan(busy.scene, 'v1');
  await scan(quiet.scene, 'v4');
  const lead = await admin.cloud.call(
    'customer',
    {
      action: 'submitLead',
      requestId: 'browser-lead-v2',
      fields: { name: '扫码顾客', phone: '13911112222' },
      consent: POLICY,
    },
    'v2',
  );
  expect(lead.ok).toBe(true);
  await admin.cloud.call('dispatch', { action: 'tick' }, null);

  await page.goto(`${admin.cloud.cloud.url}/admin/#/codes`);
  await page.locator('.codes-table tr', { hasText: '地铁站大海报' }).waitFor();
  await page.waitForFunction(
    () => (globalThis as any).document.querySelector('.codes-table .stat-scans')?.textContent !== undefined,
  );
  expect(await cell('地铁站大海报', 'scans')).toBe('4');
  expect(await cell('地铁站大海报', 'visitors')).toBe('3');
  expect(await cell('地铁站大海报', 'leads')).toBe('1');
  expect(await cell('门店台卡', 'scans')).toBe('1');
  expect(await cell('门店台卡', 'leads')).toBe('0');

  // The trend of one code.
  await page.locator('.codes-table tr', { hasText: '地铁站大海报' }).locator('.show-trend').click();
  await page.locator('.trend-title', { hasText: '「地铁站大海报」每日趋势' }).waitFor();
  await page.locator('.code-trend canvas').waitFor();
  await admin.shot(page, 'admin-codes-stats');

  // Sorted by scans (most first) from the start; the header's ascending arrow turns it around.
  const scans = async () =>
    (await page.locator('.codes-table tbody .stat-scans').allTextContents()).map(Number);
  const descending = await scans();
  expect(descending).toEqual([...descending].sort((a, b) => b - a));
  await page
    .locator('.codes-table th', { hasText: '扫码' })
    .locator('.t-table__sort-icon.t-table-sort-asc')
    .click();
  await page.waitForFunction(
    () => (globalThis as any).document.querySelector('.codes-table tbody .stat-scans')?.textContent === '0',
  );
  const ascending = await scans();
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));

  // Tick both codes and download them as one ZIP.
  for (const name of ['地铁站大海报', '门店台卡'])
    await page.locator('.codes-table tr', { hasText: name }).locator('.t-checkbox').click();
  await page.locator('.download-zip', { hasText: '下载所选（2）' }).click();
  const link = page.locator('.zip-dialog .zip-download');
  await link.waitFor({ timeout: 60_000 });
  await admin.shot(page, 'admin-codes-zip');
  const href = (await link.getAttribute('href')) as string;
  const files = unzipSync(new Uint8Array(await (await fetch(href)).arrayBuffer()));
  expect(Object.keys(files).sort()).toEqual(
    [`地铁站大海报-${busy.scene}.png`, `门店台卡-${quiet.scene}.png`].sort(),
  );
  expect(decodeQr(Buffer.from(files[`门店台卡-${quiet.scene}.png`]))).toBe(
    `pages/home/index?scene=${quiet.scene}`,
  );
  await page.locator('.zip-dialog .t-dialog__close').click();

  await page.setViewportSize({ width: 375, height: 812 });
  await page.locator('.code-trend canvas').waitFor();
  await admin.shot(page, 'admin-codes-stats-phone');
  await page.setViewportSize({ width: 1440, height: 900 });
}, 120_000);

test('a poster template is placed on an uploaded background and listed with its size', async () => {
  const { PNG } = require('pngjs');
  const png = new PNG({ width: 750, height: 1200 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([250, 236, 210, 255], i);
  await page.goto(`${admin.cloud.cloud.url}/admin/#/posters`);
  await page.locator('.posters-table').waitFor();
  await page.locator('.new-poster').first().click();
  const dialog = page.locator('.poster-dialog');
  await dialog.locator('.poster-name-input input').fill('双十一门店海报');
  await dialog
    .locator('.poster-file')
    .setInputFiles({ name: 'bg.png', mimeType: 'image/png', buffer: PNG.sync.write(png) });
  await dialog.locator('.preview .code-box').waitFor();
  await admin.shot(page, 'admin-poster-editor');
  await dialog.getByRole('button', { name: '保存' }).click();
  await page.locator('.posters-table tr', { hasText: '双十一门店海报' }).getByText('750×1200').waitFor();
  const stored = (await admin.cloud.api('GET', '/poster-templates', undefined, await token())).body.data
    .items;
  expect(stored).toEqual([
    expect.objectContaining({
      name: '双十一门店海报',
      version: 1,
      codeBox: { x: 225, y: 660, size: 300 },
      nameBox: expect.objectContaining({ width: 600 }),
    }),
  ]);
  await admin.shot(page, 'admin-posters');
  await page.setViewportSize({ width: 375, height: 812 });
  await admin.shot(page, 'admin-posters-phone');
  await page.setViewportSize({ width: 1440, height: 900 });
});
