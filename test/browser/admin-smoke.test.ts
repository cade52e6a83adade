// The admin page, served by the local cloud, rendered by a real browser.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { repoRoot, startTestCloud, type TestCloud } from '../local/harness';
import { launchChromium } from './chromium';

const adminDir = path.join(repoRoot, 'admin', 'dist');
const screenshots = path.join(repoRoot, 'test-output', 'browser');
let cloud: TestCloud;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.join(adminDir, 'index.html')))
    throw new Error('admin/dist 不存在：先运行 npm run build');
  cloud = await startTestCloud({ adminDir });
  browser = await launchChromium();
  fs.mkdirSync(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await cloud?.close();
});

test('/admin/ renders the shell and the local cloud status', async () => {
  const page = await browser.newPage();
  const response = await page.goto(`${cloud.cloud.url}/admin/`);
  expect(response?.status()).toBe(200);
  await expect(page.locator('.header').textContent()).resolves.toContain('LeadPool 私域线索池 · 管理后台');
  await page.locator('.env-id').waitFor();
  expect(await page.locator('.env-id').textContent()).toBe(cloud.cloud.envId);
  const rows = page.locator('.status-card tbody tr');
  await expect(rows.count()).resolves.toBe(3);
  expect(await rows.first().textContent()).toContain('owners');
  expect(await page.locator('.functions').textContent()).toContain('probe');
  await page.screenshot({ path: path.join(screenshots, 'admin-home.png'), fullPage: true });
});

test('a failing status call shows the error and a retry', async () => {
  const page = await browser.newPage();
  await page.route('**/__local/health', (route) => route.abort());
  await page.goto(`${cloud.cloud.url}/admin/`);
  await page.locator('.status-error').waitFor();
  expect(await page.locator('.status-error').textContent()).toContain('网络不可用，请稍后重试');
  await page.unroute('**/__local/health');
  await page.getByRole('button', { name: '重试' }).click();
  await page.locator('.env-id').waitFor();
  await page.screenshot({ path: path.join(screenshots, 'admin-retry.png'), fullPage: true });
});
