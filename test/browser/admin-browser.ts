// The admin page in a real browser against the project's functions on a throwaway local cloud,
// seeded with the same demo data `npm start` offers.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../scripts/demo';
import type { Role } from '../../typings/admin';
import { type AdminCloud, ensureAccount, PASSWORD, startAdminCloud } from '../functions/admin-cloud';
import { repoRoot } from '../local/harness';
import { type ChromiumChoice, launchChromium } from './chromium';

export const screenshotDir = path.join(repoRoot, 'test-output', 'browser');

export interface AdminBrowser {
  cloud: AdminCloud;
  browser: Browser;
  /** A new page signed in through the login form as a fresh account of `role`. */
  signedIn(role: Role, options?: { username?: string; staffId?: string | null }): Promise<Page>;
  /** Saves a full-page screenshot as test-output/browser/<name>.png. */
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startAdminBrowser(
  options: { demoCustomers?: number; chromium?: ChromiumChoice } = {},
): Promise<AdminBrowser> {
  const adminDir = path.join(repoRoot, 'admin', 'dist');
  if (!fs.existsSync(path.join(adminDir, 'index.html')))
    throw new Error('admin/dist 不存在：先运行 npm run build');
  const cloud = await startAdminCloud({ adminDir });
  let browser: Browser;
  try {
    seedDemo(cloud.cloud.store, { envId: cloud.cloud.envId, customers: options.demoCustomers ?? 1500 });
    browser = await launchChromium(options.chromium);
  } catch (error) {
    // The test file never gets a handle to close: close the cloud here, or jest waits on it forever.
    await cloud.close();
    throw error;
  }
  fs.mkdirSync(screenshotDir, { recursive: true });
  return {
    cloud,
    browser,
    async signedIn(
      role,
      { username = `${role}-${Math.random().toString(36).slice(2, 8)}`, staffId = null } = {},
    ) {
      await ensureAccount(cloud.db, username, role, staffId);
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      await page.goto(`${cloud.cloud.url}/admin/#/login`);
      await page.locator('.login-username input').fill(username);
      await page.locator('.login-password input').fill(PASSWORD);
      await page.locator('.login-submit').click();
      await page.locator('.header .username').waitFor();
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    },
    async close() {
      try {
        await browser.close();
      } finally {
        await cloud.close();
      }
    },
  };
}
