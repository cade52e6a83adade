// The lead list in a real browser: filters in the URL, rows and counts that are the API's, the
// detail drawer with attribution and a status change, bulk actions, the CSV export of the current
// filter, and a sales account that sees only its own leads.
import type { Page } from 'playwright-core';
import type { LeadDetail, LeadItem, LeadPage, Lookups } from '../../typings/admin';
import { LEAD_STATUS_LABELS, type LeadStatus } from '../../typings/admin';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;
let page: Page;
let token: string;
let lookups: Lookups;

beforeAll(async () => {
  admin = await startAdminBrowser();
  page = await admin.signedIn('marketing');
  // A step that cannot happen fails within the test's time, naming the step.
  page.setDefaultTimeout(8_000);
  token = (await page.evaluate("localStorage.getItem('leadpool.admin.token')")) as string;
  lookups = (await admin.cloud.api('GET', '/lookups', undefined, token)).body.data;
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

const url = (hash: string) => `${admin.cloud.cloud.url}/admin/#${hash}`;
const channelName = (id: string) => lookups.channels.find((c) => c.channelId === id)?.name ?? id;
const staffName = (id: string) => lookups.staff.find((s) => s.staffId === id)?.name ?? id;

/** Every lead the API gives for a filter, page after page. */
async function allLeads(query: Record<string, string>, as = token): Promise<LeadItem[]> {
  const items: LeadItem[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...query, limit: '100', ...(cursor ? { cursor } : {}) });
    const res = await admin.cloud.api('GET', `/leads?${params}`, undefined, as);
    expect(res.body.ok).toBe(true);
    const data = res.body.data as LeadPage;
    items.push(...data.items);
    cursor = data.nextCursor;
  } while (cursor);
  return items;
}

async function choose(p: Page, select: string, option: string) {
  await p.locator(select).click();
  await p
    .locator('.t-select__dropdown:visible .t-select-option', { hasText: new RegExp(`^${option}$`) })
    .click();
}

/** Waits until the page's URL (its hash: the admin page routes there) holds `text`. */
const hashHas = (p: Page, text: string) =>
  p.waitForFunction(`decodeURIComponent(location.hash).includes(${JSON.stringify(text)})`);
const firstNameIs = (name: string) =>
  page.waitForFunction(
    `document.querySelector('.lead-table tbody tr.lead-row .lead-name')?.textContent === ${JSON.stringify(name)}`,
  );
const totalText = (n: number) => `共 ${n.toLocaleString('zh-CN')} 条`;
const rows = (p: Page) => p.locator('.lead-table tbody tr.lead-row');

/**
 * Splits a CSV body (quoted fields may hold commas, quotes and line breaks) into rows of cells as
 * a spreadsheet shows them: the `'` that keeps `= + - @` from running as a formula is not shown.
 */
function parseCsv(text: string): string[][] {
  return splitCsv(text).map((cells) => cells.map((cell) => cell.replace(/^'(?=[=+\-@\t\r])/, '')));
}

function splitCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && ch === '\r' && text[i + 1] === '\n') {
      out.push([...row, cell]);
      row = [];
      cell = '';
      i += 1;
    } else {
      cell += ch;
    }
  }
  if (cell || row.length) out.push([...row, cell]);
  return out;
}

/** A screenshot of the open drawer, settled, on a viewport tall enough to show all of it. */
async function shotWithDrawer(name: string) {
  const height = (await page.evaluate(
    `Math.max(document.documentElement.scrollHeight,
      (document.querySelector('.lead-drawer .t-drawer__body')?.scrollHeight ?? 0) + 80)`,
  )) as number;
  await page.setViewportSize({ width: 1440, height: Math.min(2400, height) });
  await page.waitForFunction(
    `Math.abs(document.querySelector('.lead-drawer .t-drawer__content-wrapper')?.getBoundingClientRect().right
      - window.innerWidth) < 1`,
  );
  await admin.shot(page, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}

// The filter the first tests share: the channel and status of the newest lead.
let newest: LeadItem;
let filtered: LeadItem[];

test('filtering by channel and status: every row matches, the count is the API’s, the URL reproduces it', async () => {
  newest = (await allLeads({})).at(0)!;
  await page.goto(url('/leads'));
  await rows(page).first().waitFor();
  expect(await page.locator('.lead-total').textContent()).toMatch(/共 [\d,]+ 条/);

  await choose(page, '.filter-channel', channelName(newest.channel));
  await choose(page, '.filter-status', LEAD_STATUS_LABELS[newest.status]);
  await hashHas(page, 'channel=');
  await hashHas(page, 'status=');
  filtered = await allLeads({ channel: newest.channel, status: newest.status });
  await page.locator('.lead-total', { hasText: totalText(filtered.length) }).waitFor();

  const shown = rows(page);
  expect(await shown.count()).toBe(Math.min(filtered.length, 20));
  for (const text of await shown.locator('.lead-channel').allTextContents())
    expect(text).toBe(channelName(newest.channel));
  for (const text of await shown.locator('.lead-status').allTextContents())
    expect(text).toBe(LEAD_STATUS_LABELS[newest.status]);
  expect(await shown.locator('.lead-name').allTextContents()).toEqual(
    filtered.slice(0, 20).map((l) => l.name ?? '（未填写）'),
  );
  // Phones are masked in the list.
  for (const text of await shown.locator('.phone').allTextContents())
    expect(text).toMatch(/^(\d{3}\*{4}\d{4}|—)$/);
  await admin.shot(page, 'leads');

  // The same link in a fresh tab shows the same view.
  const fresh = await admin.browser.newContext({ storageState: await page.context().storageState() });
  const again = await fresh.newPage();
  await again.goto(page.url());
  await again.locator('.lead-total', { hasText: totalText(filtered.length) }).waitFor();
  expect(await again.locator('.filter-status input').inputValue()).toBe(LEAD_STATUS_LABELS[newest.status]);
  await fresh.close();
});

test('exporting the current filter downloads a CSV of exactly those leads', async () => {
  await page.locator('.export-open').click();
  const dialog = page.locator('.export-dialog');
  expect(await dialog.locator('.export-filter').textContent()).toContain(channelName(newest.channel));
  await dialog.locator('.export-start').click();
  const link = dialog.locator('a.export-download');
  await link.waitFor();
  expect(await dialog.locator('.export-rows').textContent()).toBe(filtered.length.toLocaleString('zh-CN'));
  await admin.shot(page, 'export');

  const res = await fetch((await link.getAttribute('href'))!);
  expect(res.ok).toBe(true);
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...lines] = parseCsv(bytes.toString('utf8').slice(1));
  expect(header.slice(0, 6)).toEqual(['线索编号', '提交时间', '日期', '称呼（微信昵称）', '手机号', '渠道']);
  expect(lines).toHaveLength(filtered.length);
  expect(lines.map((l) => l[0]).sort()).toEqual(filtered.map((l) => l.leadId).sort());
  for (const line of lines) {
    expect(line[header.indexOf('渠道')]).toBe(channelName(newest.channel));
    expect(line[header.indexOf('状态')]).toBe(LEAD_STATUS_LABELS[newest.status]);
    expect(line[header.indexOf('手机号')]).toMatch(/^(\d{3}\*{4}\d{4})?$/);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
});

test('an export still running shows its progress and is polled to the end; full phones when asked', async () => {
  const all = await allLeads({});
  await page.goto(url('/leads'));
  await rows(page).first().waitFor();
  // The demo's leads fit in one export step: the first answer is made to say "running" so the
  // page has to poll the job to its end, as it does with a large export.
  const stillRunning = async (route: any) => {
    const response = await route.fetch();
    const body = await response.json();
    body.data = { ...body.data, status: 'running', processed: 0, downloadUrl: null };
    await route.fulfill({ response, json: body });
  };
  // The start and the first poll both say "running", so the progress stays up for a few polls.
  await page.route('**/admin-api/exports', stillRunning);
  await page.route('**/admin-api/jobs/*', stillRunning, { times: 1 });
  await page.locator('.export-open').click();
  const dialog = page.locator('.export-dialog');
  expect(await dialog.locator('.export-filter').textContent()).toContain('全部线索');
  await dialog.locator('.export-include-phone').click();
  await dialog.locator('.export-start').click();
  await dialog
    .locator('.progress-text', { hasText: `0 / ${all.length.toLocaleString('zh-CN')} 行` })
    .waitFor();
  const link = dialog.locator('a.export-download');
  await link.waitFor();
  await page.unroute('**/admin-api/exports');
  expect(await dialog.locator('.export-rows').textContent()).toBe(all.length.toLocaleString('zh-CN'));
  const text = await (await fetch((await link.getAttribute('href'))!)).text();
  const [header, ...lines] = parseCsv(text.replace(/^\uFEFF/, ''));
  expect(lines).toHaveLength(all.length);
  const phones = lines.map((l) => l[header.indexOf('手机号')]).filter(Boolean);
  expect(phones.length).toBeGreaterThan(0);
  for (const phone of phones) expect(phone).toMatch(/^1\d{10}$/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
});

test('the detail drawer shows first and last touch; a status change shows in the history and the list', async () => {
  await page.goto(url('/leads'));
  await rows(page).first().waitFor();
  const leadId = (await allLeads({})).at(0)!.leadId;
  await rows(page).first().click();
  await hashHas(page, `lead=${leadId}`);
  const drawer = page.locator('.lead-drawer');
  await drawer.locator('.first-touch').waitFor();
  const detail: LeadDetail = (await admin.cloud.api('GET', `/leads/${leadId}`, undefined, token)).body.data;
  expect(await drawer.locator('.drawer-name').textContent()).toBe(detail.name);
  if (detail.firstTouch)
    expect(await drawer.locator('.first-touch .touch-channel').textContent()).toBe(
      channelName(detail.firstTouch.channelId),
    );
  if (detail.lastTouch)
    expect(await drawer.locator('.last-touch .touch-channel').textContent()).toBe(
      channelName(detail.lastTouch.channelId),
    );
  expect(await drawer.locator('.touches .t-timeline-item').count()).toBe(detail.touches.length);
  expect(await drawer.locator('.phone-value').textContent()).toBe(detail.phoneMasked);
  await shotWithDrawer('lead-detail');

  // Reveal: the full number, said to be audited.
  await drawer.locator('.reveal').click();
  await drawer.locator('.reveal-hint').waitFor();
  expect(await drawer.locator('.phone-value').textContent()).toMatch(/^1\d{10}$/);

  const target: LeadStatus = detail.status === 'contacted' ? 'qualified' : 'contacted';
  await choose(page, '.status-select', LEAD_STATUS_LABELS[target]);
  await drawer.locator('.status-note input').fill('已电话沟通，约周六到店');
  await drawer.locator('.status-save').click();
  await drawer
    .locator('.status-history .t-timeline-item')
    .first()
    .locator('.history-status', { hasText: LEAD_STATUS_LABELS[target] })
    .waitFor();
  expect(await drawer.locator('.drawer-status').textContent()).toBe(LEAD_STATUS_LABELS[target]);
  expect(await drawer.locator('.notes').textContent()).toContain('已电话沟通，约周六到店');
  const after: LeadDetail = (await admin.cloud.api('GET', `/leads/${leadId}`, undefined, token)).body.data;
  expect(after.status).toBe(target);
  expect(after.statusHistory.at(-1)?.by).toMatch(/^account:marketing-/);

  await page.keyboard.press('Escape');
  await page.waitForFunction("!location.hash.includes('lead=')");
  expect(await rows(page).first().locator('.lead-status').textContent()).toBe(LEAD_STATUS_LABELS[target]);
  await page.reload();
  await rows(page).first().waitFor();
  expect(await rows(page).first().locator('.lead-status').textContent()).toBe(LEAD_STATUS_LABELS[target]);
});

test('pages by cursor, a remembered column choice, bulk assign to the pool and bulk tag', async () => {
  await page.goto(url('/leads'));
  await rows(page).first().waitFor();
  const firstNames = await rows(page).locator('.lead-name').allTextContents();
  await page.locator('.page-next').click();
  await page.locator('.page-no', { hasText: '第 2 页' }).waitFor();
  const expected = (await allLeads({})).slice(20, 40).map((l) => l.name ?? '（未填写）');
  await firstNameIs(expected[0]);
  expect(await rows(page).locator('.lead-name').allTextContents()).toEqual(expected);
  await page.locator('.page-prev').click();
  await page.locator('.page-no', { hasText: '第 1 页' }).waitFor();
  await firstNameIs(firstNames[0]);

  // Hide the phone column; it stays hidden after a reload.
  await page.locator('.column-chooser').click();
  await page.locator('.column-options label', { hasText: '手机号' }).click();
  await page.locator('.lead-table thead th', { hasText: '手机号' }).waitFor({ state: 'detached' });
  await page.reload();
  await rows(page).first().waitFor();
  expect(await page.locator('.lead-table thead').textContent()).not.toContain('手机号');
  expect(await page.locator('.lead-table thead').textContent()).toContain('渠道');

  // Select two rows: to the shared pool, then a new tag.
  const picked = (await allLeads({})).slice(0, 2).map((l) => l.leadId);
  for (const i of [0, 1]) await rows(page).nth(i).locator('.t-table__cell-check .t-checkbox').click();
  await page.locator('.selected-count', { hasText: '2' }).waitFor();
  await page.locator('.bulk-assign').click();
  await choose(page, '.assign-owner', '公共池（取消负责人）');
  await page.locator('.assign-dialog .t-dialog__confirm').click();
  await page.locator('.assign-dialog').waitFor({ state: 'hidden' });
  await rows(page).nth(1).locator('.lead-owner', { hasText: '公共池' }).waitFor();
  expect(await rows(page).nth(0).locator('.lead-owner').textContent()).toContain('公共池');

  for (const i of [0, 1]) await rows(page).nth(i).locator('.t-table__cell-check .t-checkbox').click();
  await page.locator('.bulk-tag').click();
  await page.locator('.tag-add input').fill('意向:回访');
  await page.locator('.t-select__dropdown:visible .t-select-option', { hasText: '意向:回访' }).click();
  await page.locator('.tag-add .t-tag', { hasText: '意向:回访' }).waitFor();
  await page.locator('.tag-dialog .t-dialog__confirm').click();
  await page.locator('.tag-dialog').waitFor({ state: 'hidden' });
  for (const [i, id] of picked.entries()) {
    const lead: LeadDetail = (await admin.cloud.api('GET', `/leads/${id}`, undefined, token)).body.data;
    expect(lead.ownerId).toBeNull();
    expect(lead.tags.at(-1)).toBe('意向:回访');
    // The row shows the first tag and how many more (all of them on hover).
    await rows(page)
      .nth(i)
      .locator('.more-tags', { hasText: `+${lead.tags.length - 1}` })
      .waitFor();
    expect(await rows(page).nth(i).locator('.first-tag').textContent()).toBe(lead.tags[0]);
  }
});

test('a page link reopens that page; every matching lead is selected across pages; a typed tag is added with Enter', async () => {
  await page.goto(url('/leads'));
  await rows(page).first().waitFor();
  await page.locator('.page-next').click();
  await page.locator('.page-no', { hasText: '第 2 页' }).waitFor();
  await hashHas(page, 'pages=');
  const second = (await allLeads({})).slice(20, 40);
  await page.reload();
  await page.locator('.page-no', { hasText: '第 2 页' }).waitFor();
  await firstNameIs(second[0].name ?? '（未填写）');
  await page.locator('.page-prev').click();
  await page.locator('.page-no', { hasText: '第 1 页' }).waitFor();

  const all = await allLeads({});
  await page.locator('.lead-total', { hasText: totalText(all.length) }).waitFor();
  await page.locator('.lead-table thead .t-table__cell-check .t-checkbox').click();
  await page.locator('.selected-count', { hasText: '20' }).waitFor();
  await page.locator('.select-all-matching').click();
  await page.locator('.selected-count', { hasText: all.length.toLocaleString('zh-CN') }).waitFor();
  await page.locator('.bulk-tag').click();
  expect(await page.locator('.tag-dialog').textContent()).toContain(
    `${all.length.toLocaleString('zh-CN')} 条线索`,
  );
  await page.locator('.tag-add input').fill('批量:全部');
  await page.locator('.tag-add input').press('Enter');
  await page.locator('.tag-add .t-tag', { hasText: '批量:全部' }).waitFor();
  await page.locator('.tag-dialog .t-dialog__confirm').click();
  await page.locator('.tag-dialog').waitFor({ state: 'hidden' });
  expect((await allLeads({ tag: '批量:全部' })).length).toBe(all.length);
});

test('已流失 asks for a reason and a confirmation; the drawer reassigns the lead and its customer', async () => {
  await page.goto(url('/leads'));
  await rows(page).first().waitFor();
  const lead = (await allLeads({})).at(0)!;
  await rows(page).first().click();
  const drawer = page.locator('.lead-drawer');
  await drawer.locator('.status-select').waitFor();
  await choose(page, '.status-select', LEAD_STATUS_LABELS.lost);
  await drawer.locator('.status-save').click();
  await drawer.locator('.status-error', { hasText: '改为已流失时请填写流失原因' }).waitFor();
  await drawer.locator('.status-note input').fill('已在别家购买');
  await drawer.locator('.status-error').waitFor({ state: 'detached' });
  await drawer.locator('.status-save').click();
  const ask = page.locator('.t-dialog__ctx', { hasText: '原因：已在别家购买' });
  await ask.locator('.t-dialog__confirm').click();
  await drawer.locator('.drawer-status', { hasText: LEAD_STATUS_LABELS.lost }).waitFor();

  const seller = lookups.staff.find((s) => s.role === 'sales' && s.active && s.staffId !== lead.ownerId)!;
  await choose(page, '.reassign-owner', `${seller.name}（${seller.store}）`);
  await drawer.locator('.reassign').click();
  await drawer.locator('.owner-label', { hasText: seller.name }).waitFor();
  const customer = (await admin.cloud.db.collection('customers').doc(lead.customerId).get()).data;
  expect(customer.salesOwnerId).toBe(seller.staffId);
  await page.keyboard.press('Escape');
});

test('a sales account sees only the leads it owns, and has no export or bulk actions', async () => {
  const sales = lookups.staff.filter((s) => s.role === 'sales');
  let owner = sales[0];
  let own: LeadItem[] = [];
  for (const s of sales) {
    own = await allLeads({ owner: s.staffId });
    owner = s;
    if (own.length > 0) break;
  }
  expect(own.length).toBeGreaterThan(0);
  const salesPage = await admin.signedIn('sales', { staffId: owner.staffId });
  await salesPage.goto(url('/leads'));
  await salesPage.locator('.lead-total', { hasText: totalText(own.length) }).waitFor();
  expect(await salesPage.locator('.sub').textContent()).toContain('仅显示分配给你的线索');
  for (const text of await rows(salesPage).locator('.lead-owner').allTextContents())
    expect(text).toBe(staffName(owner.staffId));
  expect(await rows(salesPage).count()).toBe(Math.min(own.length, 20));
  expect(await salesPage.locator('.export-open').count()).toBe(0);
  expect(await salesPage.locator('.lead-table .t-table__cell-check').count()).toBe(0);
  expect(await salesPage.locator('.filter-owner').count()).toBe(0);
  expect(await salesPage.locator('.menu').textContent()).not.toContain('数据看板');
  await salesPage.close();
});
