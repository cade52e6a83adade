// Custom form fields end to end through the local cloud: defined on an activity in the admin API
// (limits and clear field errors), asked by the customer's form, answers checked on the server
// against the definitions (errors keyed by field id), kept by id, shown in the sign-up list and
// both CSV exports under their labels, and readable after the field is removed from the form.
import { adminCloudPerFile, seedStores } from './admin-cloud';
import { seedStaff } from './project-cloud';

process.env.LEADPOOL_EXPORT_STEP_MS = '0';
const env = adminCloudPerFile((db) => seedStores(db, '静安店', '徐汇店'));

const HOUR = 3_600_000;
const POLICY = { version: '2026-11-01', accepted: true };
const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const api = async (method: string, path: string, body?: unknown) =>
  (await env.cloud.api(method, path, body, env.admin)).body;

const CUSTOM = [
  { label: '预算', type: 'number', required: true },
  { label: '关注品类', type: 'multiple', required: true, options: ['咖啡', '茶', '甜点'] },
  { label: '到店方式', type: 'single', required: false, options: ['自驾', '地铁'] },
  { label: '期望日期', type: 'date', required: false },
  { label: '就近门店', type: 'store', required: false },
  { label: '想了解什么', type: 'longtext', required: false },
];

async function createActivity(extra: Record<string, unknown> = {}) {
  // One clock reading for both, so the activity lasts exactly two hours.
  const now = Date.now();
  const created = await api('POST', '/activities', {
    title: '新品品鉴会',
    startAt: new Date(now + 48 * HOUR).toISOString(),
    endAt: new Date(now + 50 * HOUR).toISOString(),
    capacity: 20,
    fields: ['name', 'phone', 'company'],
    customFields: CUSTOM,
    status: 'published',
    ...extra,
  });
  expect(created.error).toBeUndefined();
  const view = await api('GET', `/activities/${created.data.activityId}`);
  return view.data as { activityId: string; customFields: { id: string; label: string }[] };
}

const idOf = (activity: { customFields: { id: string; label: string }[] }, label: string) =>
  activity.customFields.find((f) => f.label === label)!.id;

function join(activityId: string, openid: string, fields: Record<string, unknown>) {
  return env.cloud.call(
    'customer',
    {
      action: 'joinActivity',
      requestId: `join-guest-${openid}`,
      activityId,
      fields: { name: `顾客${openid}`, phone: '13800138000', company: '星河', ...fields },
      consent: POLICY,
    },
    openid,
  );
}

async function leadExport(filter: Record<string, unknown>) {
  let job = (await api('POST', '/exports', { filter })).data;
  for (let i = 0; i < 20 && job.status === 'running'; i += 1)
    job = (await api('GET', `/jobs/${job.jobId}`)).data;
  return (await (await fetch(job.downloadUrl)).text()).slice(1).split('\r\n');
}

test('definitions are checked: options for choices, no catalogue labels, no repeats, sane limits', async () => {
  const bad = await api('POST', '/activities', {
    title: '坏表单',
    startAt: at(48 * HOUR),
    endAt: at(50 * HOUR),
    capacity: 20,
    fields: ['name'],
    customFields: [
      { label: '口味', type: 'single', options: ['甜'] },
      { label: '公司', type: 'text' },
      { label: '口味', type: 'multiple', options: ['甜', '甜'] },
      { label: '这是一个非常非常非常非常非常非常长的字段名称', type: 'text' },
    ],
  });
  expect(bad.error.code).toBe('INVALID_INPUT');
  expect(bad.error.fields).toEqual(
    expect.arrayContaining([
      { path: 'customFields.0.options', message: '单选或多选至少需要 2 个选项' },
      { path: 'customFields.1.label', message: '「公司」是常用字段，请直接添加常用字段' },
      { path: 'customFields.2.options', message: '选项不能重复' },
      { path: 'customFields.2.label', message: '字段名称「口味」重复' },
      { path: 'customFields.3.label', message: '字段名称不能超过 20 个字' },
    ]),
  );
  const many = await api('POST', '/activities', {
    title: '太多字段',
    startAt: at(48 * HOUR),
    endAt: at(50 * HOUR),
    capacity: 20,
    fields: ['name'],
    customFields: Array.from({ length: 21 }, (_, i) => ({ label: `问题${i}`, type: 'text' })),
  });
  expect(many.error.fields).toEqual([{ path: 'customFields', message: '自定义字段最多 20 个' }]);
  expect((await api('GET', '/activities')).data.items).toEqual([]);
});

test('the form asks every type; answers are checked by field id with Chinese messages', async () => {
  const activity = await createActivity();
  const detail = await env.cloud.call(
    'customer',
    { action: 'getActivity', activityId: activity.activityId },
    'g1',
  );
  const asked = detail.data.form.fields.filter((f: any) => f.custom);
  expect(asked.map((f: any) => [f.label, f.kind, f.required, f.options ?? null])).toEqual([
    ['预算', 'number', true, null],
    ['关注品类', 'multichoice', true, ['咖啡', '茶', '甜点']],
    ['到店方式', 'choice', false, ['自驾', '地铁']],
    ['期望日期', 'date', false, null],
    ['就近门店', 'choice', false, ['徐汇店', '静安店']],
    ['想了解什么', 'longtext', false, null],
  ]);

  const budget = idOf(activity, '预算');
  const kinds = idOf(activity, '关注品类');
  const missing = await join(activity.activityId, 'g1', {});
  expect(missing.error.code).toBe('INVALID_INPUT');
  expect(missing.error.fields).toEqual([
    { path: `fields.${budget}`, message: '请填写预算' },
    { path: `fields.${kinds}`, message: '请选择关注品类' },
  ]);
  const wrong = await join(activity.activityId, 'g1', {
    [budget]: '三千',
    [kinds]: ['咖啡', '酒'],
    [idOf(activity, '到店方式')]: '飞机',
    [idOf(activity, '期望日期')]: '2026-02-30',
    [idOf(activity, '就近门店')]: '不存在的店',
  });
  expect(wrong.error.fields).toEqual([
    { path: `fields.${budget}`, message: '预算应为数字' },
    { path: `fields.${kinds}`, message: '请从选项中选择关注品类' },
    { path: `fields.${idOf(activity, '到店方式')}`, message: '请从选项中选择到店方式' },
    { path: `fields.${idOf(activity, '期望日期')}`, message: '期望日期应为日期' },
    { path: `fields.${idOf(activity, '就近门店')}`, message: '请从列表中选择就近门店' },
  ]);
  // Nothing was taken for a refused join.
  expect((await api('GET', '/activities')).data.items[0].remaining).toBe(20);
});

test('answers are kept by id, shown in the sign-up list and both exports, and outlive their field', async () => {
  const activity = await createActivity();
  const joined = await join(activity.activityId, 'g2', {
    [idOf(activity, '预算')]: '3000',
    [idOf(activity, '关注品类')]: ['甜点', '咖啡'],
    [idOf(activity, '期望日期')]: '2026-12-24',
    [idOf(activity, '就近门店')]: '徐汇店',
    // Not a field of this form: not kept.
    c_stranger: '塞进来的',
  });
  expect(joined.error).toBeUndefined();

  const list = await api('GET', `/activities/${activity.activityId}/registrations`);
  expect(list.data.items[0].answers).toEqual({
    name: '顾客g2',
    company: '星河',
    [idOf(activity, '预算')]: '3000',
    [idOf(activity, '关注品类')]: '咖啡、甜点',
    [idOf(activity, '期望日期')]: '2026-12-24',
    [idOf(activity, '就近门店')]: '徐汇店',
  });

  const signups = (await api('POST', `/activities/${activity.activityId}/registrations/export`)).data.csv
    .slice(1)
    .split('\r\n');
  expect(signups[0].split(',').slice(6)).toEqual([
    '公司',
    '预算',
    '关注品类',
    '到店方式',
    '期望日期',
    '就近门店',
    '想了解什么',
  ]);
  expect(signups[1].split(',').slice(6)).toEqual([
    '星河',
    '3000',
    '咖啡、甜点',
    '',
    '2026-12-24',
    '徐汇店',
    '',
  ]);

  const [header, row] = await leadExport({ activity: activity.activityId });
  const columns = header.split(',');
  const cells = row.split(',');
  expect(cells[columns.indexOf('预算')]).toBe('3000');
  expect(cells[columns.indexOf('关注品类')]).toBe('咖啡、甜点');

  // The budget question leaves the form: its answers stay readable, marked as removed.
  const kept = CUSTOM.filter((f) => f.label !== '预算').map((f) => ({ ...f, id: idOf(activity, f.label) }));
  const edited = await api('PATCH', `/activities/${activity.activityId}`, { customFields: kept });
  expect(edited.data.customFields.map((f: any) => f.label)).not.toContain('预算');
  expect(edited.data.retiredFields).toEqual([expect.objectContaining({ label: '预算' })]);
  const after = (await api('POST', `/activities/${activity.activityId}/registrations/export`)).data.csv
    .slice(1)
    .split('\r\n');
  const afterColumns = after[0].split(',');
  expect(after[1].split(',')[afterColumns.indexOf('预算（已移除）')]).toBe('3000');
  const [leadHeader, leadRow] = await leadExport({ activity: activity.activityId });
  expect(leadRow.split(',')[leadHeader.split(',').indexOf('预算')]).toBe('3000');
  // The lead drawer labels the answers of removed fields too.
  expect((await api('GET', '/lookups')).data.answerLabels).toMatchObject({
    [idOf(activity, '预算')]: '预算',
    [idOf(activity, '关注品类')]: '关注品类',
  });
  // A new sign-up is no longer asked for it.
  const next = await join(activity.activityId, 'g3', { [idOf(activity, '关注品类')]: ['茶'] });
  expect(next.error).toBeUndefined();
});

describe('templates and copies', () => {
  test('an activity saved as a template keeps its form, text, cover, capacity and lengths', async () => {
    const activity = await createActivity({
      coverUrl: 'https://img.example.com/cover.png',
      description: '三种咖啡豆',
    });
    const saved = await api('POST', '/activity-templates', {
      activityId: activity.activityId,
      name: '品鉴会模板',
    });
    expect(saved.data).toMatchObject({
      name: '品鉴会模板',
      title: '新品品鉴会',
      description: '三种咖啡豆',
      coverUrl: 'https://img.example.com/cover.png',
      capacity: 20,
      durationMinutes: 120,
      fields: ['name', 'phone', 'company'],
      customFields: activity.customFields,
    });
    const again = await api('POST', '/activity-templates', {
      activityId: activity.activityId,
      name: '品鉴会模板',
    });
    expect(again.error.fields).toEqual([
      { path: 'name', message: '已有名为「品鉴会模板」的模板，请换个名称' },
    ]);
    expect((await api('GET', '/activity-templates')).data.items.map((t: any) => t.name)).toEqual([
      '品鉴会模板',
    ]);
    // A new activity from it: its start given, the end and deadline follow, the rest as saved.
    const start = at(96 * HOUR);
    const made = await api('POST', `/activity-templates/${saved.data.templateId}/activities`, {
      title: '新品品鉴会·第二场',
      startAt: start,
      store: '徐汇店',
    });
    const second = (await api('GET', `/activities/${made.data.activityId}`)).data;
    expect(second).toMatchObject({
      title: '新品品鉴会·第二场',
      store: '徐汇店',
      capacity: 20,
      status: 'draft',
      coverUrl: 'https://img.example.com/cover.png',
      customFields: activity.customFields,
    });
    expect(Date.parse(second.endAt) - Date.parse(start)).toBe(2 * HOUR);
    expect(second.deadline).toBe(second.startAt);
    const taken = await api('POST', `/activity-templates/${saved.data.templateId}/activities`, {
      title: '新品品鉴会·第二场',
      startAt: start,
    });
    expect(taken.error.fields[0].path).toBe('title');
    await api('DELETE', `/activity-templates/${saved.data.templateId}`);
    expect((await api('GET', '/activity-templates')).data.items).toEqual([]);
  });

  test('copies to several stores: own store, capacity and start, staff codes, shared answer columns', async () => {
    await seedStaff(env.db, { name: '静安王', store: '静安店' });
    await seedStaff(env.db, { name: '静安李', store: '静安店' });
    await seedStaff(env.db, { name: '徐汇赵', store: '徐汇店' });
    await seedStaff(env.db, { name: '离职的', store: '徐汇店', active: false });
    const activity = await createActivity();
    const later = at(72 * HOUR);

    const refused = await api('POST', `/activities/${activity.activityId}/copies`, {
      items: [
        { store: '静安店', capacity: 10 },
        { store: '徐汇店', capacity: 8, startAt: at(-HOUR) },
      ],
    });
    expect(refused.error.fields).toEqual([
      { path: 'items.1.startAt', message: '开始时间已经过去，请选择将来的时间' },
    ]);
    expect((await api('GET', '/activities')).data.items).toHaveLength(1);

    const copied = await api('POST', `/activities/${activity.activityId}/copies`, {
      items: [
        { store: '静安店', capacity: 10 },
        { store: '徐汇店', capacity: 8, startAt: later },
      ],
      staffCodes: true,
      status: 'published',
    });
    expect(copied.error).toBeUndefined();
    const [jingan, xuhui] = copied.data.items;
    expect(jingan.codes.map((c: any) => c.name).sort()).toEqual([
      '新品品鉴会·静安店·静安李',
      '新品品鉴会·静安店·静安王',
    ]);
    expect(xuhui.codes.map((c: any) => c.name)).toEqual(['新品品鉴会·徐汇店·徐汇赵']);
    const view = (await api('GET', `/activities/${xuhui.activityId}`)).data;
    expect(view).toMatchObject({
      title: '新品品鉴会·徐汇店',
      store: '徐汇店',
      capacity: 8,
      status: 'published',
    });
    expect(view.startAt).toBe(new Date(later).toISOString());
    expect(Date.parse(view.endAt) - Date.parse(view.startAt)).toBe(2 * HOUR);
    expect(view.customFields).toEqual(activity.customFields);
    const codes = (await api('GET', '/codes')).data.items;
    expect(codes.filter((c: any) => c.activityId === xuhui.activityId)).toEqual([
      expect.objectContaining({ channelType: 'staff', storeId: '徐汇店' }),
    ]);

    // The same question in two stores' copies is one column of the lead export.
    for (const [copy, openid, budget] of [
      [jingan, 'c1', '100'],
      [xuhui, 'c2', '200'],
    ] as const) {
      const joined = await join(copy.activityId, openid, {
        [idOf(activity, '预算')]: budget,
        [idOf(activity, '关注品类')]: ['茶'],
      });
      expect(joined.error).toBeUndefined();
    }
    const [header, ...rows] = await leadExport({});
    const budgetColumn = header.split(',').indexOf('预算');
    expect(header.split(',').filter((h) => h === '预算')).toHaveLength(1);
    expect(
      rows
        .filter(Boolean)
        .map((r) => r.split(',')[budgetColumn])
        .sort(),
    ).toEqual(['100', '200']);
  });
});
