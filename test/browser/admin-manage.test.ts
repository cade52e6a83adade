// The admin page's management pages in a real browser: activities with the field builder,
// live codes in bulk and re-pointed, the rule test box, accounts, and a read-only role.
import type { Page } from 'playwright-core';
import type { Role } from '../../typings/admin';
import { type AdminBrowser, startAdminBrowser } from './admin-browser';

let admin: AdminBrowser;

beforeAll(async () => {
  admin = await startAdminBrowser({ demoCustomers: 300 });
}, 60_000);

afterAll(async () => {
  await admin?.close();
});

const DAY = 86_400_000;

/** `2026-11-23 09:05` in China time, `days` from now. */
function chinaWall(days: number, hour: number): string {
  const day = new Date(Date.now() + days * DAY + 8 * 3_600_000).toISOString().slice(0, 10);
  return `${day} ${String(hour).padStart(2, '0')}:00`;
}

/** A signed-in page whose waits fail with the step that failed rather than the test's timeout. */
async function open(role: Role, path: string, table: string): Promise<Page> {
  const page = await admin.signedIn(role);
  page.setDefaultTimeout(10_000);
  await page.goto(`${admin.cloud.cloud.url}/admin/#/${path}`);
  await page.locator(`${table} tbody tr td`).nth(2).waitFor();
  return page;
}

/** Types a time into a TDesign date picker once its panel is open (typing earlier is lost). */
async function pickTime(page: Page, selector: string, wall: string) {
  const input = page.locator(`${selector} input`);
  await input.click();
  await page.locator('.t-date-picker__panel:visible').first().waitFor();
  await input.fill(wall);
  await input.press('Enter');
  await page.locator('.t-date-picker__panel:visible').first().waitFor({ state: 'hidden' });
  expect(await input.inputValue()).toBe(wall);
}

/** Screenshots wait for drawers and dialogs to finish moving. */
async function shot(page: Page, name: string) {
  await page.waitForFunction(() =>
    (globalThis as any).document.getAnimations().every((a: any) => a.playState !== 'running'),
  );
  await admin.shot(page, name);
}

async function confirmDialog(page: Page) {
  const button = page.locator('.t-dialog__ctx .t-dialog__confirm').last();
  await button.click();
  await button.waitFor({ state: 'hidden' });
  await page.locator('.t-dialog__mask').last().waitFor({ state: 'hidden' });
}

/** Picks an option of a TDesign select by its text. */
async function choose(page: Page, selector: string, text: string) {
  await page.locator(selector).click();
  await page.locator('.t-select__dropdown:visible .t-select-option', { hasText: text }).first().click();
}

test('marketing creates an activity with the field builder and publishes it', async () => {
  const page = await open('marketing', 'activities', '.activities-table');
  await page.locator('.new-activity').click();
  const drawer = page.locator('.activity-drawer');
  await drawer.locator('.activity-title input').fill('冬季手冲咖啡体验课');
  await pickTime(page, '.activity-start', chinaWall(10, 14));
  await pickTime(page, '.activity-end', chinaWall(10, 16));
  await drawer.locator('.activity-capacity input').fill('25');
  // The builder: add company and city, then move city above company.
  await drawer.locator('.add-field[data-field="company"]').click();
  await drawer.locator('.add-field[data-field="city"]').click();
  await drawer.locator('.chosen-field[data-field="city"] button[title="上移"]').click();
  expect(
    await drawer.locator('.chosen-field').evaluateAll((els) => els.map((e) => e.getAttribute('data-field'))),
  ).toEqual(['name', 'phone', 'city', 'company']);
  await drawer.locator('.activity-save-draft').click();
  await page.locator('.activities-table tr', { hasText: '冬季手冲咖啡体验课' }).waitFor();
  const row = page.locator('.activities-table tr', { hasText: '冬季手冲咖啡体验课' });
  expect(await row.locator('.activity-status').textContent()).toBe('草稿');

  const { data } = await admin.cloud.db.collection('activities').where({ title: '冬季手冲咖啡体验课' }).get();
  expect(data).toHaveLength(1);
  expect(data[0].fields).toEqual(['name', 'phone', 'city', 'company']);
  expect(data[0].capacity).toBe(25);
  // 14:00 China time is 06:00 UTC.
  expect(new Date(data[0].startAt).toISOString().slice(11, 16)).toBe('06:00');
  let listed = await admin.cloud.call('customer', { action: 'listActivities' }, 'openid-manage-1');
  expect(listed.data.items.map((a: any) => a.activityId)).not.toContain(data[0]._id);

  await row.locator('.publish-activity').click();
  await confirmDialog(page);
  await page
    .locator('.activities-table tr', { hasText: '冬季手冲咖啡体验课' })
    .locator('.activity-status', { hasText: '已发布' })
    .waitFor();
  listed = await admin.cloud.call('customer', { action: 'listActivities' }, 'openid-manage-1');
  expect(listed.data.items).toContainEqual(
    expect.objectContaining({ activityId: data[0]._id, status: 'published', capacity: 25, remaining: 25 }),
  );
  await shot(page, 'activity-publish');
  await page.close();
});

test('marketing creates codes in bulk and re-points one without a new scene', async () => {
  const page = await open('marketing', 'codes', '.codes-table');
  await page.locator('.new-code').click();
  const dialog = page.locator('.code-create-dialog');
  await dialog.locator('.code-mode label', { hasText: '多个名称' }).click();
  await dialog.locator('.code-names textarea').fill('静安寺站海报\n人民广场站海报\n陆家嘴站海报');
  expect(await dialog.locator('.dialog-footer').textContent()).toContain('将创建 3 个活码');
  await dialog.locator('.code-create-submit').click();
  await page.locator('.codes-table tr', { hasText: '陆家嘴站海报' }).waitFor();
  const { data: made } = await admin.cloud.db
    .collection('codes')
    .where({ name: admin.cloud.db.command.in(['静安寺站海报', '人民广场站海报', '陆家嘴站海报']) })
    .get();
  expect(made).toHaveLength(3);
  expect(new Set(made.map((c: any) => c.scene)).size).toBe(3);
  expect(made.every((c: any) => c.channelType === 'poster' && !c.staffId)).toBe(true);
  // The footer counts the rows (it said 共 0 条数据 under a long list).
  const { total: codeCount } = await admin.cloud.db.collection('codes').count();
  expect(codeCount).toBeGreaterThan(20);
  expect(await page.locator('.codes-table .t-pagination__total').textContent()).toContain(
    `共 ${codeCount} 条`,
  );

  const target = made.find((c: any) => c.name === '人民广场站海报');
  const member = (await admin.cloud.db.collection('staff').doc('staff-demo-12').get()).data;
  const activity = (await admin.cloud.db.collection('activities').doc('act-demo-4').get()).data;
  await page.locator('.codes-table tr', { hasText: '人民广场站海报' }).locator('.repoint-code').click();
  const repoint = page.locator('.code-repoint-dialog');
  await repoint.locator('.note').waitFor();
  expect(await repoint.textContent()).toContain('无需重印');
  await choose(page, '.repoint-staff', member.name);
  await choose(page, '.repoint-activity', activity.title);
  await repoint.locator('.t-dialog__confirm').click();
  const row = page.locator('.codes-table tr', { hasText: '人民广场站海报' });
  await row.locator('td', { hasText: activity.title }).waitFor();
  const after = (await admin.cloud.db.collection('codes').doc(target._id).get()).data;
  expect(after).toMatchObject({
    scene: target.scene,
    staffId: member._id,
    activityId: activity._id,
    storeId: member.store,
  });

  // A customer scanning the printed code is now credited to the new staff member and activity.
  const touched = await admin.cloud.call(
    'customer',
    { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: { scene: target.scene } } },
    'openid-manage-scan',
  );
  expect(touched.data.activityId).toBe(activity._id);

  await choose(page, '.filter-type', '海报');
  await page.locator('.codes-table tbody tr').nth(4).waitFor({ state: 'detached' });
  await row.locator('.show-code').click();
  await page.locator('.code-image-dialog .code-image').waitFor();
  await page
    .locator('.code-image-dialog .code-image')
    .evaluate((img: any) =>
      img.complete ? null : new Promise((resolve) => img.addEventListener('load', resolve)),
    );
  await shot(page, 'codes');
  await page.close();
});

test('an invalid activity form shows the field errors and stores nothing', async () => {
  const before = (await admin.cloud.db.collection('activities').count()).total;
  const page = await open('marketing', 'activities', '.activities-table');
  await page.locator('.new-activity').click();
  const drawer = page.locator('.activity-drawer');
  await pickTime(page, '.activity-start', chinaWall(5, 10));
  await pickTime(page, '.activity-end', chinaWall(5, 12));
  // No title, and every form field removed.
  await drawer.locator('.chosen-field[data-field="phone"] .remove-field').click();
  await drawer.locator('.chosen-field[data-field="name"] .remove-field').click();
  await drawer.locator('.activity-save-publish').click();
  const item = (inner: string) => drawer.locator('.t-form__item', { has: page.locator(inner) });
  await item('.activity-title').getByText('请填写活动名称').waitFor();
  await item('.field-builder').getByText('至少选择一个表单字段').waitFor();
  expect(await drawer.isVisible()).toBe(true);
  expect((await admin.cloud.db.collection('activities').count()).total).toBe(before);
  await page.close();
});

test('a new keyword rule, and the rule test box shows whether a sentence matches', async () => {
  const page = await open('marketing', 'rules', '.rules-table');
  await page.locator('.new-rule').click();
  const drawer = page.locator('.rule-drawer');
  await drawer.locator('.rule-name input').fill('企业团建');
  await drawer.locator('.rule-group input').fill('意向');
  await drawer.locator('.rule-tag input').fill('团建');
  const keywords = drawer.locator('.keyword-input input');
  for (const word of ['团建', '年会']) {
    await keywords.fill(word);
    await keywords.press('Enter');
  }
  await drawer.locator('.rule-save').click();
  await page.locator('.rules-table tr', { hasText: '企业团建' }).waitFor();
  const { data } = await admin.cloud.db.collection('rules').where({ name: '企业团建' }).get();
  expect(data).toHaveLength(1);
  expect(data[0]).toMatchObject({ kind: 'tag', group: '意向', tag: '团建', enabled: true });
  expect(data[0].when).toEqual([{ type: 'keywords', fields: [], synonyms: [['团建', '年会']] }]);

  const tester = page.locator('.tester-card');
  await choose(page, '.tester-card .tester-rule', '企业团建');
  const run = async (text: string) => {
    await tester.locator('.tester-text textarea').fill(text);
    await tester.locator('.tester-run').click();
    await tester.locator('.tester-result').waitFor();
    return (await tester.locator('.tester-result').textContent()) ?? '';
  };
  expect(await run('随便看看有什么新品')).toContain('不匹配');
  const hit = await run('公司年底办年会，想订 50 份伴手礼');
  expect(hit).toContain('匹配');
  expect(hit).not.toContain('不匹配');
  expect(await tester.locator('.result-tag').allTextContents()).toEqual(['意向:团建']);
  // A denied keyword is no interest.
  expect(await run('今年不需要办年会')).toContain('不匹配');
  await shot(page, 'rules');

  // Re-tagging first says how many leads it would change, then runs and reports as many changed.
  await page.locator('.retag').click();
  const dialog = page.locator('.retag-dialog');
  await dialog.locator('.retag-summary').waitFor();
  const summary = (await dialog.locator('.retag-summary').textContent()) ?? '';
  expect(summary).toMatch(/将更新 \d+ 条线索（.+）|不会改变任何线索/);
  const changed = Number(/将更新 (\d+) 条线索/.exec(summary)?.[1] ?? 0);
  await dialog.locator('.t-dialog__confirm').click();
  await page.locator('.retag-status', { hasText: '完成' }).waitFor();
  const leads = (await admin.cloud.db.collection('leads').count()).total;
  expect(await page.locator('.retag-status').textContent()).toContain(
    `处理 ${leads} 条线索，其中 ${changed} 条有变化`,
  );
  await page.close();
  // Two passes over the demo leads (the dry run, then the run) on top of the page's first load.
}, 60_000);

test('admin creates a sales account linked to a staff member', async () => {
  const page = await open('admin', 'accounts', '.accounts-table');
  await page.locator('.new-account').click();
  const dialog = page.locator('.account-dialog');
  await dialog.locator('.account-username input').fill('sally.sales');
  await dialog.locator('.account-display-name input').fill('莎莉（静安）');
  await dialog.locator('.account-password input').fill('sally-pass-2026');
  await choose(page, '.account-role-select', '销售');
  await dialog.locator('.t-dialog__confirm').click();
  await dialog.getByText('销售账号需要关联一名员工').waitFor();
  const member = (await admin.cloud.db.collection('staff').doc('staff-demo-12').get()).data;
  await choose(page, '.account-staff', member.name);
  await dialog.locator('.t-dialog__confirm').click();
  const row = page.locator('.accounts-table tr', { hasText: 'sally.sales' });
  await row.waitFor();
  expect(await row.locator('.account-role').textContent()).toBe('销售');
  // Shown by its display name, the sign-in name beneath.
  expect(await row.locator('.name').textContent()).toBe('莎莉（静安）');
  expect(await row.locator('.account-username').textContent()).toBe('sally.sales');
  expect(await row.textContent()).toContain(member.name);
  const login = await admin.cloud.api('POST', '/login', {
    username: 'sally.sales',
    password: 'sally-pass-2026',
  });
  expect(login.body.data).toMatchObject({ role: 'sales', staffId: member._id });
  await shot(page, 'accounts');
  await page.close();
});

test('marketing selects failed deliveries and queues them again', async () => {
  const now = Date.now();
  const message = (id: string, status: string, lastError: string | null) => ({
    _id: id,
    messageId: id,
    channel: 'robot:jingan',
    kind: 'robot',
    leadIds: [`lead-${id}`],
    leads: [{ leadId: `lead-${id}`, name: `顾客${id}` }],
    status,
    attempts: status === 'failed' ? 6 : 1,
    nextAttemptAt: new Date(now - 60_000),
    leaseUntil: new Date(0),
    lastError,
    deliveredIn: null,
    deliveredAt: status === 'delivered' ? new Date(now - 60_000) : null,
    createdAt: new Date(now - 3_600_000),
  });
  for (const doc of [
    message('msg-failed-1', 'failed', '机器人返回 93000：无效的 webhook key'),
    message('msg-failed-2', 'failed', '请求超时'),
    message('msg-sent-1', 'delivered', null),
  ])
    await admin.cloud.db.collection('outbox').add({ data: doc });
  const page = await open('marketing', 'deliveries', '.deliveries-table');
  await page.locator('.delivery-status label', { hasText: '失败' }).click();
  await page.locator('.deliveries-table tr', { hasText: '顾客msg-sent-1' }).waitFor({ state: 'detached' });
  expect(await page.locator('.deliveries-table tbody tr').count()).toBe(2);
  expect(await page.locator('.deliveries-table').textContent()).toContain('无效的 webhook key');
  // Named by the lead and the robot, not by ids.
  expect(await page.locator('.deliveries-table .delivery-channel').first().textContent()).toContain(
    '群机器人 jingan',
  );
  for (const id of ['msg-failed-1', 'msg-failed-2'])
    await page
      .locator('.deliveries-table tr', { hasText: `顾客${id}` })
      .locator('.t-checkbox')
      .click();
  await page.locator('.retry-selected').click();
  await confirmDialog(page);
  await page.locator('.t-message', { hasText: '已重新排队 2 条消息' }).waitFor();
  const { data: audit } = await admin.cloud.db
    .collection('audit')
    .where({ action: 'deliveries.retry' })
    .get();
  expect(audit.map((a: any) => a.detail)).toEqual([{ retried: 2 }]);
  await page.close();
});

test('a viewer sees the lists without any write button', async () => {
  const page = await admin.signedIn('viewer');
  page.setDefaultTimeout(10_000);
  const pages: [string, string, string[]][] = [
    [
      'activities',
      '.activities-table',
      ['.new-activity', '.edit-activity', '.publish-activity', '.close-activity'],
    ],
    ['codes', '.codes-table', ['.new-code', '.repoint-code', '.toggle-code']],
    [
      'rules',
      '.rules-table',
      ['.new-rule', '.edit-rule', '.delete-rule', '.retag', '.rules-table .t-switch'],
    ],
    [
      'assignment',
      '.sales-table',
      [
        '.edit-sales',
        '.save-settings',
        '.add-robot',
        '.add-webhook',
        '.replace-robot-url',
        '.replace-secret',
      ],
    ],
    [
      'staff',
      '.staff-table',
      ['.new-staff', '.edit-staff', '.new-invite', '.unbind-staff', '.deactivate-staff'],
    ],
  ];
  for (const [path, table, writes] of pages) {
    await page.goto(`${admin.cloud.cloud.url}/admin/#/${path}`);
    await page.locator(`${table} tbody tr td`).nth(2).waitFor();
    for (const selector of writes)
      expect([path, selector, await page.locator(selector).count()]).toEqual([path, selector, 0]);
  }
  // Reading still works: the rule test box and an activity's sign-ups.
  await page.goto(`${admin.cloud.cloud.url}/admin/#/activities`);
  await page
    .locator('.activities-table tr', { hasText: '会员答谢沙龙' })
    .locator('.show-registrations')
    .click();
  await page.locator('.registrations-table tbody tr td').nth(2).waitFor();
  expect(Number(await page.locator('.reg-joined').textContent())).toBeGreaterThan(0);
  await shot(page, 'viewer-registrations');
  await page.close();
});

test('removing the phone field of a published activity with sign-ups asks first', async () => {
  const { data } = await admin.cloud.db.collection('activities').where({ status: 'published' }).get();
  const withSignUps = (data as any[]).find(
    (a) => a.capacity > a.remaining && a.fields.includes('phone') && new Date(a.endAt).getTime() > Date.now(),
  );
  expect(withSignUps).toBeDefined();
  const page = await open('marketing', 'activities', '.activities-table');
  await page
    .locator('.activities-table tr', { hasText: withSignUps.title })
    .locator('.edit-activity')
    .click();
  const drawer = page.locator('.activity-drawer');
  await drawer.locator('.chosen-field[data-field="phone"] .remove-field').click();
  await drawer.locator('.activity-save').click();
  const ask = page.locator('.t-dialog__ctx', { hasText: '移除已发布活动的表单字段' });
  await ask.waitFor();
  expect(await ask.textContent()).toContain(`已有 ${withSignUps.capacity - withSignUps.remaining} 人报名`);
  expect(await ask.textContent()).toContain('手机号');
  // Cancelled: nothing is saved.
  await ask.locator('.t-dialog__cancel').click();
  const after = (await admin.cloud.db.collection('activities').doc(withSignUps._id).get()).data;
  expect(after.fields).toContain('phone');
  await page.close();
});

test('the sign-up list shows every answer; a manual check-in marks who checked the customer in', async () => {
  const now = Date.now();
  const { _id: activityId } = await admin.cloud.db.collection('activities').add({
    data: {
      title: '今晚品鉴会',
      description: '',
      place: '静安旗舰店',
      startAt: new Date(now + 3_600_000),
      endAt: new Date(now + 3 * 3_600_000),
      deadline: new Date(now + 1_800_000),
      capacity: 10,
      remaining: 10,
      fields: ['name', 'phone', 'company'],
      status: 'published',
      createdAt: new Date(now),
      updatedAt: new Date(now),
    },
  });
  const joined = await admin.cloud.call(
    'customer',
    {
      action: 'joinActivity',
      requestId: 'join-signup-list-1',
      activityId,
      fields: { name: '签到顾客', phone: '13912340000', company: '星河科技' },
      consent: { version: '2026-11-01', accepted: true },
    },
    'openid-signup-list',
  );
  expect(joined.ok).toBe(true);
  const page = await open('marketing', 'activities', '.activities-table');
  await page
    .locator('.activities-table tr', { hasText: '今晚品鉴会' })
    .locator('.show-registrations')
    .click();
  const drawer = page.locator('.registrations-drawer');
  const row = drawer.locator('.registrations-table tbody tr', { hasText: '签到顾客' });
  await row.waitFor();
  expect(await drawer.locator('.registrations-table thead').textContent()).toContain('公司');
  expect(await row.textContent()).toContain('星河科技');
  expect(await drawer.locator('.checkin-rule').textContent()).toContain('活动开始前 2 小时');
  await row.locator('.manual-checkin').click();
  await row.getByText(/^后台 marketing-/).waitFor();
  expect(await row.textContent()).toContain('已签到');
  await shot(page, 'registrations');
  await page.close();
});
