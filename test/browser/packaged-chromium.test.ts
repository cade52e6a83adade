// The bare-machine path: the Chromium inside the @sparticuz/chromium npm package drives the admin
// page, whatever browser this machine also has, so every run proves `npm install && npm test`
// needs nothing but Node.
import { type AdminBrowser, startAdminBrowser } from './admin-browser';
import { packagedChromiumVersion } from './chromium';

let admin: AdminBrowser;

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 50, chromium: 'packaged' });
}, 90_000);

afterAll(async () => {
  await admin?.close();
});

test('the packaged Chromium signs in and shows the dashboard in Chinese', async () => {
  const major = packagedChromiumVersion().split('.')[0];
  expect(admin.browser.version().split('.')[0]).toBe(major);
  const page = await admin.signedIn('marketing');
  await page.locator('.menu .t-menu__item', { hasText: '数据看板' }).waitFor();
  expect(await page.locator('.header .username').textContent()).toBeTruthy();
  await admin.shot(page, 'packaged-chromium-dashboard');
});
