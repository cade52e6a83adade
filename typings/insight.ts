import { z } from 'zod';
import { adminRequestSchemas, leadFilterSchema } from './admin';
import { cursorParam, leadCursorSchema } from './cursor';

/**
 * Knowing the customers (issue 17): the customer list, the persona distributions and saved
 * segments of the admin API. Request schemas and answers, shared by the admin function and page.
 */

const text = (max: number) => z.string().trim().min(1).max(max, `不能超过 ${max} 个字`).optional();
/** `true`/`false` as a query parameter carries it. */
const flag = leadFilterSchema.shape.mql;
const count = (label: string, max: number) =>
  z
    .number({ error: `${label}应为数字` })
    .int(`${label}应为整数`)
    .min(0, `${label}不能小于 0`)
    .max(max, `${label}不能超过 ${max}`)
    .optional();

/** What selects customers: profile, ownership and how they came (every condition an index serves). */
export const customerFilterSchema = z.object({
  /** The sales member owning the customer's latest lead. */
  owner: text(64),
  /** The store the customer belongs to (by the staff member or code that brought them). */
  store: text(40),
  city: text(30),
  industry: text(20),
  tag: text(50),
  /** The channel of the customer's first touch. */
  channel: text(64),
  /** First seen (created) from and to: a China-time day or an instant. */
  from: leadFilterSchema.shape.from,
  to: leadFilterSchema.shape.to,
  hasPhone: flag,
});
export type CustomerFilter = z.infer<typeof customerFilterSchema>;

/** Behaviour over what the customer filter selects: checked on each candidate. */
export const behaviourFilterSchema = z.object({
  /** Joined at least this many activities. */
  minJoins: count('报名活动数', 10_000),
  /** Left a lead within this many days. */
  leadWithinDays: count('最近留资天数', 3650),
  /** The best score among the customer's leads is at least this. */
  minScore: count('分数', 100_000),
  /** The customer left leads and none of them has been contacted yet. */
  notContacted: flag,
});

export const segmentFilterSchema = customerFilterSchema
  .omit({ from: true, to: true })
  .extend(behaviourFilterSchema.shape);
export type SegmentFilter = z.infer<typeof segmentFilterSchema>;

const limit = z.coerce.number().int('每页条数必须是整数').min(1, '每页至少 1 条').max(100, '每页最多 100 条');

/** China-time days from 2000 to 2099, as the dashboard takes them. */
const period = adminRequestSchemas.dashboard.pick({ from: true, to: true });
const inOrder = (p: { from: string; to: string }) => p.from <= p.to;
const OUT_OF_ORDER = { path: ['to'], message: '结束日期不能早于开始日期' };

export const insightRequestSchemas = {
  customerList: customerFilterSchema.extend({
    limit: limit.default(50),
    cursor: cursorParam(leadCursorSchema),
  }),
  persona: period
    .refine(inOrder, OUT_OF_ORDER)
    .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= 366 * 86_400_000, {
      path: ['from'],
      message: '时间范围最长一年',
    }),
  segment: z.object({
    name: z
      .string({ error: '请填写人群名称' })
      .trim()
      .min(1, '请填写人群名称')
      .max(40, '人群名称不能超过 40 个字'),
    filter: segmentFilterSchema,
  }),
  segmentCount: z.object({ filter: segmentFilterSchema }),
  segmentMembers: z.object({ limit: limit.default(50), cursor: cursorParam(leadCursorSchema) }),
  spendList: period.refine(inOrder, OUT_OF_ORDER),
  spend: period
    .extend({
      channelId: z.string({ error: '请选择渠道' }).trim().min(1, '请选择渠道').max(64, '渠道编号过长'),
      /** Yuan. */
      amount: z.number({ error: '请填写投入金额' }).min(0, '投入金额不能小于 0').max(1e9, '投入金额过大'),
    })
    .refine(inOrder, OUT_OF_ORDER),
  empty: z.object({}),
} as const;

// Answers.

export interface CustomerItem {
  customerId: string;
  name: string | null;
  phoneMasked: string | null;
  city: string | null;
  industry: string | null;
  /** The tags of the customer's leads (kept by the insight job: a minute behind at most). */
  tags: string[];
  /** The sales member owning the customer's latest lead. */
  ownerId: string | null;
  store: string | null;
  leadCount: number;
  joinCount: number;
  /** The channel of the first touch. */
  channel: string | null;
  createdAt: string;
}

export interface CustomerPage {
  items: CustomerItem[];
  nextCursor: string | null;
}

export interface CustomerDetail extends CustomerItem {
  company: string | null;
  role: string | null;
  consent: { version: string; accepted: boolean; at: string } | null;
  lastLeadAt: string | null;
  leads: { leadId: string; createdAt: string; activityId: string | null; status: string; channel: string }[];
}

/** One value of a persona dimension and how many customers have it; null: not given. */
export interface PersonaCount {
  key: string | null;
  count: number;
}

/** The single-valued dimensions: each customer counts once under each. */
export const PERSONA_DIMENSIONS = ['city', 'industry', 'role', 'channel', 'store'] as const;
export type PersonaDimension = (typeof PERSONA_DIMENSIONS)[number];
/** What a persona counter counts: a dimension's value, a tag (`group:tag`), or a return (core/persona). */
export type PersonaCounterKind = PersonaDimension | 'tag' | 'return';

export interface PersonaDistribution {
  /** Customers first seen in the period (新客户). */
  total: number;
  /** Customers first seen before the period who came back with a lead in it (回访客户). */
  returning: number;
  byCity: PersonaCount[];
  byIndustry: PersonaCount[];
  byRole: PersonaCount[];
  byChannel: PersonaCount[];
  byStore: PersonaCount[];
  /** Per tag (`group:tag`; a customer counts under each tag it carries), largest first. */
  byTag: PersonaCount[];
}

export interface PersonaAnswer extends PersonaDistribution {
  from: string;
  to: string;
  /** The period of the same length just before. */
  previous: PersonaDistribution & { from: string; to: string };
}

/** How many customers a segment holds, counted up to a cap: `atLeast` when the count stopped there. */
export interface SegmentCount {
  count: number;
  atLeast: boolean;
}

export interface SegmentView extends SegmentCount {
  segmentId: string;
  name: string;
  filter: SegmentFilter;
  createdAt: string;
  createdBy: string;
}

export interface SpendView {
  spendId: string;
  channelId: string;
  from: string;
  to: string;
  amount: number;
  createdAt: string;
}

/** A channel's spend and leads over a range: only the spend inside the range counts. */
export interface ChannelEconomics {
  channelId: string;
  /** Yuan inside the range, prorated by days. */
  spend: number;
  leads: number;
  /** null without spend or without leads. */
  costPerLead: number | null;
}

export interface SpendAnswer {
  from: string;
  to: string;
  channels: ChannelEconomics[];
  /** The spend entries overlapping the range. */
  entries: SpendView[];
}
