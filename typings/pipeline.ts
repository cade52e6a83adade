import { z } from 'zod';
import { FIELD_KEYS } from './fields';

/**
 * The lead pipeline's data, edited in the admin page and evaluated by the domain core: tag and
 * score rules, the MQL threshold, sales assignment settings and the delivery channels.
 */
const field = z.enum(FIELD_KEYS);

export const conditionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('channel'),
    /** Any of these channel types (store, staff, official_account, ad, poster, referral, organic). */
    channelTypes: z.array(z.string().min(1)).default([]),
    /** Or any of these channel ids. */
    channelIds: z.array(z.string().min(1)).default([]),
  }),
  z.object({
    type: z.literal('activity'),
    /** Empty: any activity. */
    activityIds: z.array(z.string().min(1)).default([]),
  }),
  z.object({
    type: z.literal('answer'),
    field,
    op: z.enum(['equals', 'oneOf', 'range']),
    values: z.array(z.string()).default([]),
    min: z.number().optional(),
    max: z.number().optional(),
  }),
  z.object({
    type: z.literal('keywords'),
    /** Free-text fields to search; empty: all of them. */
    fields: z.array(field).default([]),
    /** Each entry is a synonym list: the rule matches when any word of any list appears. */
    synonyms: z.array(z.array(z.string().min(1)).min(1)).min(1, '至少填写一个关键词'),
  }),
  z.object({
    type: z.literal('behaviour'),
    metric: z.enum(['activitiesJoined', 'submissions']),
    atLeast: z.number().int().min(1),
  }),
  z.object({ type: z.literal('phoneVerified') }),
  z.object({ type: z.literal('filled'), field }),
]);

export const ruleSchema = z.object({
  name: z.string().trim().min(1, '请填写规则名称').max(40),
  enabled: z.boolean().default(true),
  /** All conditions must hold. */
  when: z.array(conditionSchema).min(1, '至少需要一个条件'),
  /** A tag rule adds `group:tag`; a score rule adds points. */
  kind: z.enum(['tag', 'score']),
  group: z.string().trim().max(20).default(''),
  tag: z.string().trim().max(20).default(''),
  points: z.number().int().min(-100).max(100).default(0),
});

export type Condition = z.infer<typeof conditionSchema>;
export type Rule = z.infer<typeof ruleSchema>;

export const salesSettingsSchema = z.object({
  /** Relative share of round-robin leads. */
  weight: z.number().int().min(1).max(100).default(1),
  /** Working hours in China time; leads outside them go to whoever is working, else the pool. */
  days: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5, 6, 7]),
  start: z
    .string()
    .regex(/^\d{2}:\d{2}$/)
    .default('00:00'),
  end: z
    .string()
    .regex(/^\d{2}:\d{2}$/)
    .default('24:00'),
  dailyCap: z.number().int().min(0).max(10_000).default(0),
  absentUntil: z.string().nullable().default(null),
  region: z.string().max(20).default(''),
});

export type SalesSettings = z.infer<typeof salesSettingsSchema>;

export const deliverySettingsSchema = z.object({
  mqlThreshold: z.number().int().min(0).max(1000).default(60),
  slaHours: z.number().min(0.25).max(72).default(2),
  robots: z
    .array(z.object({ id: z.string().min(1).max(20), url: z.url(), store: z.string().default('') }))
    .default([]),
  webhooks: z
    .array(z.object({ id: z.string().min(1).max(20), url: z.url(), secret: z.string().min(8) }))
    .default([]),
  /** Where a lead's link in a message points (the admin page). */
  adminUrl: z.string().default(''),
});

export type DeliverySettings = z.infer<typeof deliverySettingsSchema>;

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** One message to one channel about one lead (or a digest of several). */
export interface OutboxView {
  messageId: string;
  channel: string;
  kind: 'robot' | 'webhook' | 'escalation';
  leadIds: string[];
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  deliveredAt: string | null;
}

/** Chinese names of channel types, for messages and the admin page. */
export const CHANNEL_TYPE_LABELS: Record<string, string> = {
  store: '门店',
  staff: '导购',
  official_account: '公众号',
  ad: '广告投放',
  poster: '海报',
  referral: '老带新',
  organic: '自然流量',
};
