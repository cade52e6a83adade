import type { ChannelType, TouchFacts } from '../cloudfunctions/core/attribution';
import { CodeTally, codeCountsOf } from '../cloudfunctions/core/codeStats';
import { dayOf, entryCounters, FunnelTally, funnelKey, rollUp } from '../cloudfunctions/core/funnel';
import { phoneTail } from '../cloudfunctions/core/phone';
import type { ActivityDoc } from '../cloudfunctions/repositories/activities';
import { codeDayId } from '../cloudfunctions/repositories/codeCounters';
import type { CodeDoc, StaffDoc } from '../cloudfunctions/repositories/codes';
import type { CustomerDoc } from '../cloudfunctions/repositories/customers';
import type { LeadDoc, LeadStatus } from '../cloudfunctions/repositories/leads';
import type { RegistrationDoc } from '../cloudfunctions/repositories/registrations';
import type { TouchDoc } from '../cloudfunctions/repositories/touches';
import { stableId } from '../cloudfunctions/runtime/store';
import type { DocumentStore } from '../local/db/store';
import { INDUSTRIES } from '../typings/fields';
import { POLICY_VERSION } from '../typings/privacy';
import { demoTemplates } from './demo-templates';

/**
 * LeadPool's demo data for a first `npm start`: a small chain (four stores, their staff and
 * sales), channels with costs, live codes, activities past and coming, and a few thousand
 * customers over 60 days whose touches, leads, sign-ups and statuses follow the funnel shapes a
 * real chain sees (staff codes convert best, ads worst; older leads are further along). Written
 * straight into the store in the functions' own document shapes, with the funnel counters counted
 * from those same records, so a recount finds nothing to correct.
 */
export interface DemoOptions {
  now?: Date;
  customers?: number;
  days?: number;
  seed?: number;
  envId?: string;
}

/** A small deterministic generator: the same seed gives the same demo (and the same benchmark data). */
export function generator(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
    id: (prefix: string) =>
      `${prefix}-${Math.floor(next() * 2 ** 32).toString(36)}${Math.floor(next() * 2 ** 32).toString(36)}`,
  };
}

/** The chain's stores as the managed list holds them: name, city, region. */
const STORE_LIST = [
  { name: '静安旗舰店', city: '上海', region: '上海' },
  { name: '徐汇店', city: '上海', region: '上海' },
  { name: '浦东店', city: '上海', region: '上海' },
  { name: '杭州西湖店', city: '杭州', region: '浙江' },
];
const STORES = STORE_LIST.map((s) => s.name);
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢'.split(
    '',
  );
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力琳晨宇浩然欣怡子涵思远一鸣佳慧雨婷嘉豪'.split(
    '',
  );
const COMPANIES = [
  '星河科技',
  '蓝海餐饮',
  '禾木教育',
  '云杉医疗',
  '远航制造',
  '青橙互联',
  '同舟金融',
  '安居地产',
  '小满零售',
];
const CITIES = ['上海', '杭州', '苏州', '南京', '宁波'];
const NOTES = [
  '想了解会员价格',
  '周末可以到店体验吗',
  '有没有企业团购方案',
  '考虑加盟，想了解政策',
  '朋友推荐来的，想预约试饮',
  '孩子想参加亲子活动',
  '=HYPERLINK("http://example.com","点我")',
  '请尽快联系我',
];

interface ChannelSpec {
  id: string;
  type: Exclude<ChannelType, 'referral' | 'organic' | 'staff'>;
  name: string;
  cost: number;
  /** Share of entries, conversion to a lead, and chance a lead is won. */
  weight: number;
  convert: number;
  win: number;
  store: string | null;
}

const CHANNELS: ChannelSpec[] = [
  {
    id: 'oa-menu',
    type: 'official_account',
    name: '公众号菜单',
    cost: 0,
    weight: 10,
    convert: 0.22,
    win: 0.08,
    store: null,
  },
  {
    id: 'oa-article',
    type: 'official_account',
    name: '公众号推文',
    cost: 0,
    weight: 8,
    convert: 0.18,
    win: 0.06,
    store: null,
  },
  {
    id: 'ad-moments',
    type: 'ad',
    name: '朋友圈广告',
    cost: 36000,
    weight: 16,
    convert: 0.08,
    win: 0.03,
    store: null,
  },
  {
    id: 'ad-douyin',
    type: 'ad',
    name: '抖音信息流',
    cost: 22000,
    weight: 10,
    convert: 0.06,
    win: 0.02,
    store: null,
  },
  {
    id: 'poster-metro',
    type: 'poster',
    name: '地铁海报',
    cost: 12000,
    weight: 7,
    convert: 0.12,
    win: 0.04,
    store: null,
  },
  ...STORES.map((store, i) => ({
    id: `store-${i + 1}`,
    type: 'store' as const,
    name: `${store}桌牌`,
    cost: 0,
    weight: 6,
    convert: 0.3,
    win: 0.12,
    store,
  })),
];

const DAY_MS = 86_400_000;

/** An entry with no source: the scene value is all it says. */
const organicFacts = (wxScene: number) => ({
  kind: 'organic' as const,
  channelId: 'organic',
  channelType: 'organic' as const,
  codeId: null,
  staffId: null,
  storeId: null,
  activityId: null,
  referrerCustomerId: null,
  wxScene,
});

export function seedDemo(store: DocumentStore, options: DemoOptions = {}) {
  const now = options.now ?? new Date();
  const days = options.days ?? 60;
  const total = options.customers ?? 8000;
  const envId = options.envId ?? 'leadpool-local';
  const r = generator(options.seed ?? 20261122);
  const start = now.getTime() - days * DAY_MS;
  const name = () => r.pick(SURNAMES) + r.pick(GIVEN) + (r.chance(0.5) ? r.pick(GIVEN) : '');
  const phone = () =>
    `1${r.pick(['3', '5', '7', '8', '9'])}${String(r.int(0, 999_999_999)).padStart(9, '0')}`;

  // Staff: per store a manager, two sales and two floor staff.
  const staff: (StaffDoc & { mobile: string; sales?: Record<string, unknown> })[] = [];
  STORES.forEach((storeName, s) => {
    const roles: StaffDoc['role'][] = ['manager', 'sales', 'sales', 'staff', 'staff'];
    roles.forEach((role, k) => {
      staff.push({
        _id: `staff-demo-${s + 1}${k + 1}`,
        name: name(),
        store: storeName,
        role,
        active: !(s === 3 && k === 4),
        openid: k < 4 ? `demo-openid-staff-${s + 1}${k + 1}` : null,
        inviteCode: `DEMO${s + 1}${k + 1}${String.fromCharCode(65 + s)}${String.fromCharCode(75 + k)}`,
        mobile: phone(),
        createdAt: new Date(start - 30 * DAY_MS),
        ...(role === 'sales' ? { sales: { weight: k === 1 ? 2 : 1, dailyCap: 40 } } : {}),
      });
    });
  });
  const sellers = staff.filter((m) => m.role === 'sales' && m.active);

  const activities: ActivityDoc[] = [
    ['春季新品品鉴会', -50, 'closed', 60],
    ['亲子烘焙体验课', -32, 'closed', 30],
    ['会员答谢沙龙', -12, 'published', 80],
    ['咖啡拉花工作坊', 6, 'published', 40],
    ['年终感恩季大促', 24, 'published', 200],
    ['城市合伙人说明会', 40, 'draft', 100],
  ].map(([title, offset, status, capacity], i) => {
    const startAt = new Date(now.getTime() + Number(offset) * DAY_MS + 10 * 3_600_000);
    return {
      _id: `act-demo-${i + 1}`,
      title: String(title),
      description: `${title}：到店即可参加，名额有限，报名后凭签到码入场。`,
      place: STORES[i % STORES.length],
      startAt,
      endAt: new Date(startAt.getTime() + 3 * 3_600_000),
      deadline: new Date(startAt.getTime() - 3_600_000),
      capacity: Number(capacity),
      remaining: Number(capacity),
      fields: i % 2 === 0 ? ['name', 'phone', 'company', 'industry'] : ['name', 'phone', 'city', 'note'],
      status: status as ActivityDoc['status'],
      createdAt: new Date(startAt.getTime() - 20 * DAY_MS),
      updatedAt: new Date(startAt.getTime() - 20 * DAY_MS),
    };
  });
  const openActivities = (at: number) =>
    activities.filter(
      (a) => a.status !== 'draft' && a.createdAt.getTime() <= at && a.deadline.getTime() > at,
    );

  const codes: CodeDoc[] = [
    ...CHANNELS.map((c, i) => ({
      _id: `code-demo-${c.id}`,
      scene: `demo${c.id.replace(/-/g, '')}${i}`.slice(0, 16),
      channelId: c.id,
      channelType: c.type,
      name: c.name,
      staffId: null,
      storeId: c.store,
      activityId: null,
      disabled: false,
      envId,
      imageFileId: null,
      createdAt: new Date(start - 10 * DAY_MS),
      updatedAt: new Date(start - 10 * DAY_MS),
    })),
    ...staff.map((m, i) => ({
      _id: stableId('staff-code', m._id, '-'),
      scene: `demostaff${i}`,
      channelId: `staff:${m._id}`,
      channelType: 'staff' as const,
      name: `${m.name}的活码`,
      staffId: m._id,
      storeId: m.store,
      activityId: null,
      disabled: false,
      envId,
      imageFileId: null,
      createdAt: new Date(start - 10 * DAY_MS),
      updatedAt: new Date(start - 10 * DAY_MS),
    })),
  ];

  const customers: CustomerDoc[] = [];
  const touches: TouchDoc[] = [];
  const leads: LeadDoc[] = [];
  const registrations: RegistrationDoc[] = [];
  const identities: { _id: string; customerId: string; createdAt: Date }[] = [];
  const formViews = new Map<string, { n: number }>();

  const entryOf = (
    at: Date,
  ): { facts: Omit<TouchFacts, 'at' | 'rejected'>; convert: number; win: number } => {
    const roll = r.next();
    if (roll < 0.3) {
      const member = r.pick(staff.filter((m) => m.active));
      const code = codes.find((c) => c.staffId === member._id)!;
      return {
        facts: {
          kind: r.chance(0.6) ? 'code_scan' : 'staff_card',
          channelId: code.channelId,
          channelType: 'staff',
          codeId: code._id,
          staffId: member._id,
          storeId: member.store,
          activityId: r.chance(0.4) ? (openActivities(at.getTime())[0]?._id ?? null) : null,
          referrerCustomerId: null,
          wxScene: r.pick([1047, 1007, 1008]),
        },
        convert: 0.42,
        win: 0.14,
      };
    }
    if (roll < 0.4 && customers.length > 20) {
      const referrer = customers[r.int(0, customers.length - 1)];
      return {
        facts: {
          kind: 'customer_card',
          channelId: 'referral',
          channelType: 'referral',
          codeId: null,
          staffId: referrer.ownerStaffId,
          storeId: referrer.storeId,
          activityId: null,
          referrerCustomerId: referrer._id,
          wxScene: 1007,
        },
        convert: 0.35,
        win: 0.1,
      };
    }
    if (roll < 0.5) {
      return {
        facts: organicFacts(r.pick([1001, 1089, 1053])),
        convert: 0.05,
        win: 0.02,
      };
    }
    const weights = CHANNELS.reduce((sum, c) => sum + c.weight, 0);
    const pick = r.next() * weights;
    let below = 0;
    const channel =
      CHANNELS.find((c) => {
        below += c.weight;
        return pick < below;
      }) ?? CHANNELS[0];
    return {
      facts: {
        kind: channel.type === 'official_account' ? 'menu_link' : 'code_scan',
        channelId: channel.id,
        channelType: channel.type,
        codeId: `code-demo-${channel.id}`,
        staffId: null,
        storeId: channel.store,
        activityId: channel.type === 'poster' ? (openActivities(at.getTime())[0]?._id ?? null) : null,
        referrerCustomerId: null,
        wxScene: channel.type === 'official_account' ? 1035 : 1047,
      },
      convert: channel.convert,
      win: channel.win,
    };
  };

  for (let i = 0; i < total; i += 1) {
    // Growth over the period, busier weekends.
    const progress = Math.sqrt(r.next());
    let at = start + progress * days * DAY_MS;
    const weekday = new Date(at + 8 * 3_600_000).getUTCDay();
    if ((weekday === 0 || weekday === 6) && r.chance(0.3))
      at = Math.min(now.getTime() - 60_000, at + DAY_MS / 3);
    at = Math.floor(at / 1000) * 1000 + r.int(0, 999);
    const openid = `demo-openid-${i}`;
    const customerId = stableId('customer', openid);
    const first = entryOf(new Date(at));
    const firstTouch: TouchFacts = { ...first.facts, at: new Date(at), rejected: null };
    const owner = first.facts.staffId;
    const customer: CustomerDoc = {
      _id: customerId,
      openid,
      openids: [openid],
      unionid: null,
      phone: null,
      phoneVerified: false,
      profile: {},
      consent: null,
      firstTouch,
      ownerStaffId: owner,
      ownerSince: owner ? new Date(at) : null,
      referrerCustomerId: first.facts.referrerCustomerId,
      storeId: first.facts.storeId,
      shareToken: `demo${i.toString(36)}${r.int(1000, 9999)}`,
      mergedInto: null,
      lastLeadAt: null,
      leadCount: 0,
      joinCount: 0,
      createdAt: new Date(at),
      updatedAt: new Date(at),
    };
    customers.push(customer);
    touches.push({ _id: r.id('touch'), customerId, path: 'pages/home/index', ...firstTouch });
    // Some come back once or twice, an organic return never displacing the attributed touch.
    let last = firstTouch;
    for (let k = r.int(0, 2); k > 0; k -= 1) {
      const again = Math.floor(at + Math.min(now.getTime() - 1000 - at, r.int(1, 6) * DAY_MS) * r.next());
      const organicReturn = r.chance(0.6);
      const facts: TouchFacts = organicReturn
        ? {
            ...organicFacts(1001),
            at: new Date(again),
            rejected: null,
          }
        : { ...last, at: new Date(again) };
      touches.push({ _id: r.id('touch'), customerId, path: 'pages/home/index', ...facts });
      if (!organicReturn) last = facts;
    }
    const cell = { channelId: last.channelId, staffId: last.staffId, activityId: last.activityId };
    const viewed = r.chance(Math.min(0.95, first.convert * 1.9 + 0.15));
    if (viewed) {
      const key = funnelKey({ day: dayOf(last.at), ...cell });
      const known = formViews.get(key) ?? { n: 0 };
      known.n += 1;
      formViews.set(key, known);
    }
    if (!viewed || !r.chance(first.convert / Math.min(0.95, first.convert * 1.9 + 0.15))) continue;

    // A lead, sometimes a sign-up to the activity the touch pointed at.
    const leadAt = new Date(
      Math.floor(
        last.at.getTime() +
          Math.min(now.getTime() - 1000 - last.at.getTime(), r.int(10, 3600) * 1000) * r.next(),
      ),
    );
    const person = name();
    const number = phone();
    const industry = r.pick(INDUSTRIES);
    const answers: Record<string, string> = { name: person };
    if (r.chance(0.5)) answers.company = r.pick(COMPANIES);
    if (r.chance(0.5)) answers.industry = industry;
    if (r.chance(0.4)) answers.city = r.pick(CITIES);
    if (r.chance(0.3)) answers.note = r.pick(NOTES);
    const activity = last.activityId ? activities.find((a) => a._id === last.activityId) : undefined;
    const source: LeadDoc['source'] = activity && r.chance(0.7) ? 'activity' : 'form';
    const phoneVerified = r.chance(0.7);
    const score =
      (phoneVerified ? 20 : 0) +
      (answers.company ? 20 : 0) +
      (source === 'activity' ? 30 : 0) +
      (answers.note ? 10 : 0);
    const mql = score >= 60;
    const tags = [
      `来源:${{ staff: '导购', referral: '老带新', organic: '自然', official_account: '公众号', ad: '广告', poster: '海报', store: '门店' }[last.channelType]}`,
      ...(answers.industry ? [`行业:${answers.industry}`] : []),
      ...(answers.note?.includes('加盟') ? ['意向:加盟'] : []),
      ...(mql ? ['生命周期:MQL'] : []),
    ];
    // Attributed sales keep their leads; the rest go round the store's sales, or the pool.
    const attributed = staff.find((m) => m._id === last.staffId);
    const storeSellers = sellers.filter((m) => m.store === (last.storeId ?? attributed?.store));
    const ownerId =
      attributed?.role === 'sales' && attributed.active
        ? attributed._id
        : storeSellers.length > 0
          ? r.pick(storeSellers)._id
          : r.chance(0.7)
            ? r.pick(sellers)._id
            : null;
    const age = (now.getTime() - leadAt.getTime()) / DAY_MS;
    const history: LeadDoc['statusHistory'] = [{ status: 'new', at: leadAt, by: 'customer' }];
    const step = (status: LeadStatus, afterHours: number) => {
      const when = new Date(history[history.length - 1].at.getTime() + afterHours * 3_600_000);
      if (when.getTime() < now.getTime()) history.push({ status, at: when, by: 'account:demo-sales' });
    };
    if (ownerId && r.chance(Math.min(0.92, 0.35 + age * 0.08))) {
      step('contacted', r.int(1, 30));
      if (r.chance(mql ? 0.6 : 0.35)) {
        step('qualified', r.int(24, 96));
        if (r.chance(Math.min(0.85, first.win * 4 * (mql ? 1.5 : 1) * Math.min(1, age / 20))))
          step('won', r.int(48, 240));
        else if (r.chance(0.3)) step('lost', r.int(48, 240));
      } else if (r.chance(0.3)) step('lost', r.int(24, 120));
    }
    const leadId = stableId('lead', openid, `demo-${i}`);
    const repeat = false;
    leads.push({
      _id: leadId,
      requestKey: leadId,
      customerId,
      activityId: source === 'activity' ? (activity?._id ?? null) : last.activityId,
      source,
      name: person,
      phone: number,
      phoneTail: phoneTail(number),
      phoneVerified,
      answers,
      consent: { version: POLICY_VERSION, accepted: true, at: leadAt },
      channel: last.channelId,
      channelType: last.channelType,
      codeId: last.codeId,
      staffId: last.staffId,
      storeId: last.storeId,
      referrerCustomerId: last.referrerCustomerId,
      wxScene: last.wxScene,
      firstTouch,
      lastTouch: last,
      duplicate: repeat,
      possibleDuplicate: false,
      possibleDuplicateOf: null,
      tags,
      score,
      mql,
      ownerId,
      assignedBy: ownerId ? (attributed?._id === ownerId ? 'attributed' : 'round_robin') : 'pool',
      escalatedAt: null,
      status: history[history.length - 1].status,
      statusHistory: history,
      createdAt: leadAt,
      updatedAt: history[history.length - 1].at,
    });
    Object.assign(customer, {
      phone: number,
      phoneVerified,
      profile: {
        name: person,
        ...(answers.company ? { company: answers.company } : {}),
        ...(answers.industry ? { industry: answers.industry } : {}),
        ...(answers.city ? { city: answers.city } : {}),
      },
      consent: { version: POLICY_VERSION, accepted: true, at: leadAt },
      lastLeadAt: leadAt,
      leadCount: 1,
      joinCount: source === 'activity' ? 1 : 0,
      updatedAt: leadAt,
    });
    identities.push({ _id: `phone:${number}`, customerId, createdAt: leadAt });
    if (source === 'activity' && activity && activity.remaining > 0) {
      activity.remaining -= 1;
      const ended = activity.endAt.getTime() < now.getTime();
      const checkedIn = ended && r.chance(0.72);
      registrations.push({
        _id: stableId('registration', activity._id, customerId),
        requestKey: stableId('join', openid, `demo-${i}`),
        activityId: activity._id,
        customerId,
        status: checkedIn ? 'checked_in' : ended || !r.chance(0.08) ? 'joined' : 'cancelled',
        checkinCode: `demo${r.id('c')}`.slice(0, 20),
        answers,
        reminder: null,
        staffId: last.staffId,
        channel: last.channelId,
        createdAt: leadAt,
        updatedAt: leadAt,
        checkedInAt: checkedIn ? new Date(activity.startAt.getTime() + r.int(0, 90) * 60_000) : null,
        checkedInBy: checkedIn ? (attributed?._id ?? staff[0]._id) : null,
      });
    }
  }
  // A cancelled sign-up gave its seat back.
  for (const reg of registrations)
    if (reg.status === 'cancelled') activities.find((a) => a._id === reg.activityId)!.remaining += 1;

  // The counters the functions keep at write time, counted from the records themselves.
  const tally = new FunnelTally();
  for (const t of touches) tally.touch(t);
  for (const l of leads) tally.lead(l);
  for (const reg of registrations) tally.registration(reg);
  const rows = tally.result();
  for (const [key, { n }] of formViews) {
    const row = rows.get(key);
    if (row) row.counters.formViews = (row.counters.formViews ?? 0) + n;
  }
  const counters = [...rows.entries()].map(([key, row]) => ({
    _id: stableId('funnel', key),
    key,
    day: row.day,
    channelId: row.channelId,
    staffId: row.staffId,
    activityId: row.activityId,
    ...row.counters,
  }));

  // Per-code statistics, as the dispatcher counts them from the same records (core/codeStats).
  const codeTally = new CodeTally();
  for (const t of touches)
    if (t.codeId)
      codeTally.add(
        t.codeId,
        t.at,
        codeCountsOf(true, entryCounters(t.repeat !== true, Boolean(t.rejected))),
      );
  for (const l of leads)
    if (l.codeId)
      codeTally.add(
        l.codeId,
        l.createdAt,
        codeCountsOf(false, { leads: 1, ...(l.source === 'activity' ? { signups: 1 } : {}) }),
      );
  const codeDays = codeTally
    .result()
    .map((row) => ({ _id: codeDayId(row.codeId, row.day), codeId: row.codeId, day: row.day, ...row.counts }));

  const stores = STORE_LIST.map((s, i) => ({
    _id: `store-demo-${i + 1}`,
    ...s,
    active: true,
    createdAt: new Date(start - 40 * DAY_MS),
    updatedAt: new Date(start - 40 * DAY_MS),
  }));
  const channels = CHANNELS.map((c) => ({
    _id: c.id,
    type: c.type,
    name: c.name,
    cost: c.cost,
    createdAt: new Date(start - 10 * DAY_MS),
  }));
  const rules = [
    {
      _id: 'rule-demo-franchise',
      name: '加盟意向',
      kind: 'tag',
      group: '意向',
      tag: '加盟',
      points: 0,
      enabled: true,
      when: [{ type: 'keywords', fields: [], synonyms: [['加盟', '代理', '合伙']] }],
    },
    {
      _id: 'rule-demo-group',
      name: '团购意向',
      kind: 'tag',
      group: '意向',
      tag: '团购',
      points: 0,
      enabled: true,
      when: [{ type: 'keywords', fields: [], synonyms: [['团购', '企业采购']] }],
    },
    {
      _id: 'rule-demo-phone',
      name: '手机号已验证',
      kind: 'score',
      group: '',
      tag: '',
      points: 20,
      enabled: true,
      when: [{ type: 'phoneVerified' }],
    },
    {
      _id: 'rule-demo-company',
      name: '填写公司',
      kind: 'score',
      group: '',
      tag: '',
      points: 20,
      enabled: true,
      when: [{ type: 'filled', field: 'company' }],
    },
    {
      _id: 'rule-demo-activity',
      name: '报名活动',
      kind: 'score',
      group: '',
      tag: '',
      points: 30,
      enabled: true,
      when: [{ type: 'activity', activityIds: [] }],
    },
  ];

  const write = (collection: string, docs: object[]) => {
    for (let i = 0; i < docs.length; i += 2000)
      store.main.transaction(() =>
        store.insert(store.main, collection, docs.slice(i, i + 2000) as never[]),
      )();
  };
  write('stores', stores);
  write('staff', staff);
  write('channels', channels);
  write('codes', codes);
  write('activities', activities);
  write('activityTemplates', demoTemplates(now));
  write('customers', customers);
  write('identities', identities);
  write('touches', touches);
  write('leads', leads);
  write('registrations', registrations);
  write('funnelCounters', counters);
  write('codeCounters', codeDays);
  write(
    'funnelRollups',
    [...rollUp(counters).values()].map((total) => ({ _id: stableId('rollup', total.key), ...total })),
  );
  write('rules', rules);
  return {
    staff: staff.length,
    activities: activities.length,
    customers: customers.length,
    touches: touches.length,
    leads: leads.length,
    registrations: registrations.length,
    counters: counters.length,
  };
}
