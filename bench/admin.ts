// npm run bench:admin — the admin API over HTTP (the local cloud's HTTP access route, the real
// admin function in its worker, the real @cloudbase/node-sdk) against 1,000,000 generated leads
// over 60 days: filtered pages, a deep page by cursor beside the first page, the 60-day
// dashboard, and an export of 100,000 leads with the process's peak RSS; and 1,000,000 customers:
// filtered customer pages, page 401 beside the first, the persona of 30 and 60 days and capped
// segment counts, with what the index advisor said. BENCH_LEADS and BENCH_CUSTOMERS override the
// numbers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newAccount } from '../cloudfunctions/admin/accounts';
import { dayOf, FunnelTally, rollUp } from '../cloudfunctions/core/funnel';
import { personaDeltas, personaMark, sumDeltas } from '../cloudfunctions/core/persona';
import { encodeCursor } from '../cloudfunctions/repositories/leadQueries';
import type { LeadDoc, LeadStatus } from '../cloudfunctions/repositories/leads';
import { stableId } from '../cloudfunctions/runtime/store';
import { startLocalCloud } from '../local';
import { generator } from '../scripts/demo';
import { percentile, printTable } from './stats';

const LEADS = Number(process.env.BENCH_LEADS ?? 1_000_000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const DAYS = 60;
const DAY_MS = 86_400_000;
const PAGE = 50;
const root = path.resolve(__dirname, '../..');

const STORES = ['静安店', '徐汇店', '浦东店', '长宁店', '杭州店', '苏州店'];
const CHANNELS = [
  ...STORES.map((store, i) => ({
    id: `store-${i + 1}`,
    type: 'store' as const,
    name: `${store}桌牌`,
    cost: 0,
  })),
  ...Array.from({ length: 6 }, (_v, i) => ({
    id: `ad-${i + 1}`,
    type: 'ad' as const,
    name: `广告计划${i + 1}`,
    cost: 20_000,
  })),
  ...Array.from({ length: 4 }, (_v, i) => ({
    id: `poster-${i + 1}`,
    type: 'poster' as const,
    name: `海报${i + 1}`,
    cost: 3_000,
  })),
  { id: 'oa-menu', type: 'official_account' as const, name: '公众号菜单', cost: 0 },
];
const STAFF = Array.from({ length: 60 }, (_v, i) => ({
  _id: `staff-${i + 1}`,
  name: `员工${i + 1}`,
  store: STORES[i % STORES.length],
  role: i % 3 === 0 ? 'staff' : 'sales',
  active: true,
  openid: null,
  inviteCode: `BENCH${i + 1}`,
  createdAt: new Date(0),
}));
const SELLERS = STAFF.filter((s) => s.role === 'sales');
const ACTIVITIES = Array.from({ length: 12 }, (_v, i) => ({
  _id: `act-${i + 1}`,
  title: `活动${i + 1}`,
  description: '',
  place: STORES[i % STORES.length],
  startAt: new Date(),
  endAt: new Date(),
  deadline: new Date(),
  capacity: 100_000,
  remaining: 100_000,
  fields: ['name', 'phone'],
  status: 'published',
  createdAt: new Date(),
  updatedAt: new Date(),
}));
const TAGS = ['来源:门店', '来源:广告', '意向:高', '意向:加盟', '行业:零售', '行业:餐饮'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];

/** Writes the leads and the funnel counters they imply straight into the store, as the functions store them. */
function seed(cloud: Awaited<ReturnType<typeof startLocalCloud>>, now: number) {
  const store = cloud.store;
  const r = generator(20261123);
  const start = now - DAYS * DAY_MS;
  const write = (collection: string, docs: object[]) =>
    store.main.transaction(() => store.insert(store.main, collection, docs as never[]))();
  write('staff', STAFF);
  write('activities', ACTIVITIES);
  write(
    'channels',
    CHANNELS.map((c) => ({
      _id: c.id,
      type: c.type,
      name: c.name,
      cost: c.cost,
      createdAt: new Date(start),
    })),
  );
  const tally = new FunnelTally();
  for (let from = 0; from < LEADS; from += 20_000) {
    const batch: LeadDoc[] = [];
    for (let i = from; i < Math.min(LEADS, from + 20_000); i += 1) {
      // Oldest first, as they arrive; older leads are further along.
      const createdAt = new Date(start + Math.floor(((i + r.next()) / LEADS) * DAYS * DAY_MS));
      const age = (now - createdAt.getTime()) / (DAYS * DAY_MS);
      const byStaff = r.next() < 0.3;
      const staff = byStaff ? r.pick(STAFF) : null;
      const channel = byStaff ? null : r.pick(CHANNELS);
      const activityId = r.next() < 0.25 ? r.pick(ACTIVITIES)._id : null;
      const owner = staff?.role === 'sales' ? staff : r.next() < 0.9 ? r.pick(SELLERS) : null;
      const roll = r.next();
      const status: LeadStatus =
        roll < 0.5 - age * 0.4
          ? 'new'
          : roll < 0.75
            ? 'contacted'
            : roll < 0.85
              ? 'qualified'
              : roll < 0.93
                ? 'won'
                : 'lost';
      const history = [{ status: 'new' as LeadStatus, at: createdAt, by: 'customer' }];
      if (status !== 'new')
        history.push({ status, at: new Date(createdAt.getTime() + 3_600_000), by: 'bench' });
      const score = Math.floor(r.next() * 100);
      const touch = {
        kind: byStaff ? 'staff_card' : 'code_scan',
        channelId: staff ? `staff:${staff._id}` : channel!.id,
        channelType: staff ? 'staff' : channel!.type,
        codeId: null,
        staffId: staff?._id ?? null,
        storeId: staff?.store ?? null,
        activityId,
        referrerCustomerId: null,
        wxScene: 1047,
      } as LeadDoc['lastTouch'];
      const lead: LeadDoc = {
        _id: stableId('bench-lead', String(i)),
        requestKey: `bench-${i}`,
        customerId: `cust-${i % Math.floor(LEADS * 0.8)}`,
        activityId,
        source: activityId ? 'activity' : 'form',
        name: `${r.pick(SURNAMES)}客户${i}`,
        phone: `1${3 + (i % 7)}${String(i).padStart(9, '0')}`,
        phoneTail: String(i).padStart(9, '0').slice(-4),
        phoneVerified: r.next() < 0.7,
        answers: { company: `公司${i % 5000}`, note: i % 7 === 0 ? '想了解加盟政策' : '' },
        consent: { version: '2026-11-01', accepted: true, at: createdAt },
        channel: touch.channelId,
        channelType: touch.channelType,
        codeId: null,
        staffId: staff?._id ?? null,
        storeId: staff?.store ?? null,
        referrerCustomerId: null,
        wxScene: 1047,
        firstTouch: touch,
        lastTouch: touch,
        duplicate: false,
        possibleDuplicate: false,
        possibleDuplicateOf: null,
        tags: [r.pick(TAGS), ...(r.next() < 0.3 ? [r.pick(TAGS)] : [])],
        score,
        mql: score >= 80,
        ownerId: owner?._id ?? null,
        assignedBy: owner ? 'round_robin' : 'pool',
        escalatedAt: null,
        status,
        statusHistory: history,
        createdAt,
        updatedAt: createdAt,
      };
      tally.lead(lead);
      batch.push(lead);
    }
    write('leads', batch);
  }
  const counters = [...tally.result().entries()].map(([key, row]) => ({
    _id: stableId('funnel', key),
    key,
    day: row.day,
    channelId: row.channelId,
    staffId: row.staffId,
    activityId: row.activityId,
    entries: (row.counters.leads ?? 0) * 4,
    formViews: (row.counters.leads ?? 0) * 2,
    ...row.counters,
  }));
  const totals = [...rollUp(counters).values()].map((total) => ({
    _id: stableId('rollup', total.key),
    ...total,
  }));
  for (const [collection, docs] of [
    ['funnelCounters', counters],
    ['funnelRollups', totals],
  ] as const)
    for (let i = 0; i < docs.length; i += 5000) write(collection, docs.slice(i, i + 5000));
  seedCustomers(write, r, start, now);
  return { counters: counters.length, start };
}

const CITIES = ['上海', '杭州', '苏州', '南京', '宁波', '北京', '无锡', '合肥'];
const INDUSTRIES = ['零售', '餐饮', '教育', '制造', '互联网', '医疗', '金融', '地产', '其他'];
const ROLES = ['店长', '采购', '老板', '市场', '设计师'];

/**
 * Customers as capture and the insight job leave them (profile, first touch, lead summary with the
 * days of their leads, persona mark) and the persona counters they make: a fifth of those with
 * leads came back with a later one.
 */
function seedCustomers(
  write: (collection: string, docs: object[]) => void,
  r: ReturnType<typeof generator>,
  start: number,
  now: number,
) {
  let deltas: ReturnType<typeof sumDeltas> = [];
  for (let from = 0; from < CUSTOMERS; from += 20_000) {
    const batch = [];
    const moves = [];
    for (let i = from; i < Math.min(CUSTOMERS, from + 20_000); i += 1) {
      const createdAt = new Date(start + Math.floor(((i + r.next()) / CUSTOMERS) * DAYS * DAY_MS));
      const leadCount = r.next() < 0.4 ? 1 + Math.floor(r.next() * 3) : 0;
      const cameBack =
        leadCount && r.next() < 0.2
          ? new Date(createdAt.getTime() + r.next() * (now - createdAt.getTime()))
          : null;
      const seller = leadCount ? r.pick(SELLERS) : null;
      const customer = {
        _id: `bench-customer-${i}`,
        openid: `bench-openid-${i}`,
        openids: [`bench-openid-${i}`],
        unionid: null,
        phone: leadCount ? `1${3 + (i % 7)}${String(i).padStart(9, '0')}` : null,
        phoneVerified: leadCount > 0,
        profile: {
          ...(leadCount ? { name: `${r.pick(SURNAMES)}客户${i}` } : {}),
          ...(r.next() < 0.5 ? { city: r.pick(CITIES) } : {}),
          ...(r.next() < 0.4 ? { industry: r.pick(INDUSTRIES) } : {}),
          ...(r.next() < 0.3 ? { role: r.pick(ROLES) } : {}),
        },
        consent: null,
        firstTouch: { channelId: r.pick(CHANNELS).id, channelType: 'ad', at: createdAt },
        ownerStaffId: null,
        ownerSince: null,
        referrerCustomerId: null,
        storeId: r.next() < 0.6 ? r.pick(STORES) : null,
        shareToken: `bench-share-${i}`,
        mergedInto: null,
        lastLeadAt: cameBack ?? (leadCount ? createdAt : null),
        leadCount,
        joinCount: leadCount && r.next() < 0.3 ? 1 : 0,
        salesOwnerId: seller?._id ?? null,
        insight: leadCount
          ? {
              tags: [r.pick(TAGS)],
              score: Math.floor(r.next() * 100),
              contacted: r.next() < 0.6,
              leadDays: [createdAt, ...(cameBack ? [cameBack] : [])].map(dayOf),
            }
          : undefined,
        createdAt,
        updatedAt: createdAt,
      };
      const mark = personaMark(customer);
      moves.push(...personaDeltas(null, mark));
      batch.push({ ...customer, personaMark: mark });
    }
    write('customers', batch);
    // Summed batch by batch: a million customers make several million moves.
    deltas = sumDeltas([...deltas, ...moves]);
  }
  const counters = deltas.map((d) => ({
    _id: stableId(d.day, d.dimension, d.value === null ? '-' : `=${d.value}`),
    day: d.day,
    dimension: d.dimension,
    value: d.value,
    count: d.by,
  }));
  for (let i = 0; i < counters.length; i += 5000) write('personaCounters', counters.slice(i, i + 5000));
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-bench-admin-'));
  process.env.LEADPOOL_TOKEN_SECRET = 'bench-secret-0123456789abcdef';
  process.env.LEADPOOL_EXPORT_STEP_MS = '8000';
  const cloud = await startLocalCloud({
    port: 0,
    dataDir,
    functionsDir: path.join(root, 'cloudfunctions'),
    schemaFile: path.join(root, 'cloudfunctions', 'database.schema.json'),
    httpRoutes: { '/admin-api': 'admin' },
    timers: false,
    log: () => {},
  });
  // What the index advisor says about any query the declared indexes cannot serve.
  const advice: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (text.includes('[index advisor]')) advice.push(text);
    else warn(...args);
  };
  const now = Date.now();
  const loadStarted = performance.now();
  const { counters, start } = seed(cloud, now);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  cloud.store.insert(cloud.store.main, 'accounts', [
    newAccount({ username: 'bench', password: 'timing-run-password', role: 'admin' }, new Date()) as never,
  ]);

  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${cloud.url}/admin-api${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json()) as any;
    if (!answer.ok) throw new Error(`${method} ${route}: ${JSON.stringify(answer.error)}`);
    return answer.data;
  };
  let token = '';
  token = (await call('POST', '/login', { username: 'bench', password: 'timing-run-password' })).token;

  const timed = async (runs: number, work: (i: number) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const at = performance.now();
      await work(i);
      samples.push(performance.now() - at);
    }
    return samples;
  };
  const day = (t: number) => dayOf(new Date(t));
  const filters: Record<string, string>[] = [
    {},
    { channel: 'ad-3' },
    { channel: 'staff:staff-7' },
    { staff: 'staff-12' },
    { activity: 'act-5' },
    { status: 'won' },
    { owner: 'staff-20' },
    { tag: '意向:加盟' },
    { mql: 'true' },
    { channel: 'ad-2', status: 'contacted' },
    { from: day(now - 7 * DAY_MS), to: day(now) },
    { channel: 'store-2', from: day(now - 30 * DAY_MS), to: day(now - 20 * DAY_MS) },
  ];
  const pageOf = (filter: Record<string, string>, extra: Record<string, string> = {}) =>
    call('GET', `/leads?${new URLSearchParams({ limit: String(PAGE), ...filter, ...extra })}`);

  // Warm up: every filter shape once (statement caches, the function's worker).
  for (const filter of filters) await pageOf(filter);
  const rows: string[][] = [];
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  const filtered: number[] = [];
  for (const filter of filters) {
    const samples = await timed(15, () => pageOf(filter));
    filtered.push(...samples);
    rows.push([
      `page of ${PAGE}, ${Object.keys(filter).length ? new URLSearchParams(filter).toString() : 'no filter'}`,
      fmt(percentile(samples, 50)),
      fmt(percentile(samples, 95)),
      '',
    ]);
  }
  rows.push([
    `filtered pages, all ${filters.length} shapes together`,
    fmt(percentile(filtered, 50)),
    fmt(percentile(filtered, 95)),
    percentile(filtered, 95) <= 100 ? 'p95 ≤ 100 ms: met' : 'p95 ≤ 100 ms: NOT met',
  ]);
  const counted = await timed(10, (i) => call('GET', `/leads/count?${new URLSearchParams(filters[i % 7])}`));
  rows.push([
    'count for "共 N 条" (GET /leads/count, first 7 shapes; not part of a page)',
    fmt(percentile(counted, 50)),
    fmt(percentile(counted, 95)),
    '',
  ]);
  const search = await timed(10, (i) => pageOf({ q: ['王客户', '李客户', '张客户'][i % 3] }));
  rows.push(['search by name prefix (q)', fmt(percentile(search, 50)), fmt(percentile(search, 95)), '']);
  const suffix = await timed(10, (i) => pageOf({ q: String(1000 + i * 777).slice(-4) }));
  rows.push([
    'search by phone suffix, 4 digits (q)',
    fmt(percentile(suffix, 50)),
    fmt(percentile(suffix, 95)),
    '',
  ]);

  // A deep page: the cursor after the 20,000th newest lead (page 400), beside the first page, interleaved.
  const depth = Math.min(20_000, LEADS - PAGE * 2);
  const [deepLead] = cloud.store.find(cloud.store.main, 'leads', {
    filter: {},
    sort: [['createdAt', -1]],
    skip: depth - 1,
    limit: 1,
  }) as unknown as LeadDoc[];
  const deepCursor = encodeCursor({ at: deepLead.createdAt.getTime(), id: deepLead._id, tie: false });
  const first: number[] = [];
  const deep: number[] = [];
  for (let i = 0; i < 30; i += 1) {
    first.push(...(await timed(1, () => pageOf({}))));
    deep.push(...(await timed(1, () => pageOf({}, { cursor: deepCursor }))));
  }
  const ratio = percentile(deep, 50) / percentile(first, 50);
  rows.push([
    'first page (same run, interleaved)',
    fmt(percentile(first, 50)),
    fmt(percentile(first, 95)),
    '',
  ]);
  rows.push([
    `page ${depth / PAGE + 1} by cursor (after ${depth.toLocaleString('en')} leads)`,
    fmt(percentile(deep, 50)),
    fmt(percentile(deep, 95)),
    `${ratio.toFixed(2)}× first page (target ≤ 2×)`,
  ]);

  const dashboard = await timed(10, () =>
    call('GET', `/dashboard?from=${day(start + DAY_MS)}&to=${day(now)}`),
  );
  rows.push([
    `dashboard, ${DAYS} days (${counters.toLocaleString('en')} counter cells)`,
    fmt(percentile(dashboard, 50)),
    fmt(percentile(dashboard, 95)),
    percentile(dashboard, 50) <= 300 ? 'median ≤ 300 ms: met' : 'median ≤ 300 ms: NOT met',
  ]);

  for (const filter of ['channel=ad-3', 'staff=staff-12', 'activity=act-5']) {
    const samples = await timed(10, () =>
      call('GET', `/dashboard?from=${day(start + DAY_MS)}&to=${day(now)}&${filter}`),
    );
    rows.push([
      `dashboard, ${DAYS} days, ${filter}`,
      fmt(percentile(samples, 50)),
      fmt(percentile(samples, 95)),
      '',
    ]);
  }

  // Export: the newest 100,000 leads (a date range), polled as the page polls it.
  const exportDays = Math.max(1, Math.round((100_000 / LEADS) * DAYS));
  const exportFilter = { from: day(now - (exportDays - 1) * DAY_MS), to: day(now) };
  let peakRss = process.memoryUsage().rss;
  const baseRss = peakRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const exportStarted = performance.now();
  let job = await call('POST', '/exports', { filter: exportFilter });
  while (job.status === 'running') job = await call('GET', `/jobs/${job.jobId}`);
  const exportSeconds = (performance.now() - exportStarted) / 1000;
  clearInterval(sampler);
  if (job.status !== 'done') throw new Error(`export failed: ${job.error}`);
  const file = Buffer.from(await (await fetch(job.downloadUrl)).arrayBuffer());
  rows.push([
    `export of ${job.processed.toLocaleString('en')} leads to CSV (${(file.length / 1e6).toFixed(1)} MB)`,
    `${exportSeconds.toFixed(1)} s`,
    '',
    `${exportSeconds <= 10 ? 'target ≤ 10 s: met' : 'target ≤ 10 s: NOT met'}; peak RSS ${(peakRss / 1e6).toFixed(0)} MB (before ${(baseRss / 1e6).toFixed(0)} MB, whole local cloud)`,
  ]);

  // Customers: filtered pages, a deep page, the persona of 30 days and a segment's count.
  const customerFilters: Record<string, string>[] = [
    {},
    { city: '杭州' },
    { industry: '零售' },
    { tag: '意向:加盟' },
    { channel: 'ad-3' },
    { store: '徐汇店' },
    { owner: 'staff-20' },
    { hasPhone: 'true' },
    { city: '上海', from: day(now - 7 * DAY_MS), to: day(now) },
  ];
  const customerPage = (filter: Record<string, string>, extra: Record<string, string> = {}) =>
    call('GET', `/customers?${new URLSearchParams({ limit: String(PAGE), ...filter, ...extra })}`);
  for (const filter of customerFilters) await customerPage(filter);
  const customerSamples: number[] = [];
  for (const filter of customerFilters) {
    const samples = await timed(10, () => customerPage(filter));
    customerSamples.push(...samples);
    rows.push([
      `customers, page of ${PAGE}, ${Object.keys(filter).length ? new URLSearchParams(filter).toString() : 'no filter'}`,
      fmt(percentile(samples, 50)),
      fmt(percentile(samples, 95)),
      '',
    ]);
  }
  rows.push([
    `customer pages, all ${customerFilters.length} shapes together`,
    fmt(percentile(customerSamples, 50)),
    fmt(percentile(customerSamples, 95)),
    percentile(customerSamples, 95) <= 100 ? 'p95 ≤ 100 ms: met' : 'p95 ≤ 100 ms: NOT met',
  ]);
  const customerDepth = Math.min(20_000, CUSTOMERS - PAGE * 2);
  const [deepCustomer] = cloud.store.find(cloud.store.main, 'customers', {
    filter: {},
    sort: [['createdAt', -1]],
    skip: customerDepth - 1,
    limit: 1,
  }) as unknown as { _id: string; createdAt: Date }[];
  const customerCursor = encodeCursor({
    at: deepCustomer.createdAt.getTime(),
    id: deepCustomer._id,
    tie: false,
  });
  const firstCustomers: number[] = [];
  const deepCustomers: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    firstCustomers.push(...(await timed(1, () => customerPage({}))));
    deepCustomers.push(...(await timed(1, () => customerPage({}, { cursor: customerCursor }))));
  }
  rows.push([
    'customers, first page (same run, interleaved)',
    fmt(percentile(firstCustomers, 50)),
    fmt(percentile(firstCustomers, 95)),
    '',
  ]);
  rows.push([
    `customers, page ${customerDepth / PAGE + 1} by cursor`,
    fmt(percentile(deepCustomers, 50)),
    fmt(percentile(deepCustomers, 95)),
    `${(percentile(deepCustomers, 50) / percentile(firstCustomers, 50)).toFixed(2)}× first page (target ≤ 2×)`,
  ]);
  for (const days of [30, 60]) {
    const persona = await timed(10, () =>
      call('GET', `/persona?from=${day(now - (days - 1) * DAY_MS)}&to=${day(now)}`),
    );
    rows.push([
      `persona, ${days} days against the ${days} before (per-day counters: dimensions, tags, returns)`,
      fmt(percentile(persona, 50)),
      fmt(percentile(persona, 95)),
      percentile(persona, 50) <= 300 ? 'median ≤ 300 ms: met' : 'median ≤ 300 ms: NOT met',
    ]);
  }
  const segmentFilters: Record<string, unknown>[] = [
    { city: '杭州', minJoins: 1 },
    { minJoins: 1 },
    { leadWithinDays: 7 },
    { minScore: 80 },
    { notContacted: true },
    { tag: '意向:加盟', minScore: 50 },
    { city: '苏州', industry: '医疗' },
    { city: '苏州', industry: '医疗', minJoins: 1 },
  ];
  for (const filter of segmentFilters) {
    let size = '';
    const samples = await timed(5, async () => {
      const counted = await call('POST', '/segments/count', { filter });
      size = `${counted.count.toLocaleString('en')}${counted.atLeast ? '+' : ''}`;
    });
    rows.push([
      `segment count (capped), ${JSON.stringify(filter)}`,
      fmt(percentile(samples, 50)),
      fmt(percentile(samples, 95)),
      `${size} customers`,
    ]);
  }

  console.log(
    `\nbench:admin — ${LEADS.toLocaleString('en')} leads and ${CUSTOMERS.toLocaleString('en')} customers over ${DAYS} days, loaded in ${loadSeconds.toFixed(0)} s; ` +
      `admin API over HTTP through the local cloud, one caller; ${os.cpus().length} cores, Node ${process.version}\n`,
  );
  printTable(['measure', 'p50', 'p95', 'note'], rows);
  console.log(advice.length ? `\nindex advisor:\n${advice.join('\n')}` : '\nindex advisor: quiet');
  await cloud.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
