import { z } from 'zod';
import { FIELD_KEYS } from './fields';
import { type WecomSettingsView, wecomSettingsSchema, wecomSettingsUpdateSchema } from './wecom';

/**
 * The lead pipeline's data, edited in the admin page and evaluated by the domain core: tag and
 * score rules, the MQL threshold, sales assignment settings and the delivery channels.
 */
const field = z.enum(FIELD_KEYS);
/** A word, id or answer inside a condition; lists of them stay short enough to evaluate per lead. */
const term = z.string().min(1).max(64, '不能超过 64 个字');
const terms = z.array(term).max(200, '最多 200 项');
const bound = z.number().min(-1e9).max(1e9);

export const conditionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('channel'),
    /** Any of these channel types (store, staff, official_account, ad, poster, referral, organic). */
    channelTypes: terms.default([]),
    /** Or any of these channel ids. */
    channelIds: terms.default([]),
  }),
  z.object({
    type: z.literal('activity'),
    /** Empty: any activity. */
    activityIds: terms.default([]),
  }),
  z.object({
    type: z.literal('answer'),
    field,
    op: z.enum(['equals', 'oneOf', 'range']),
    values: z.array(z.string().max(64, '不能超过 64 个字')).max(200, '最多 200 项').default([]),
    min: bound.optional(),
    max: bound.optional(),
  }),
  z.object({
    type: z.literal('keywords'),
    /** Free-text fields to search; empty: all of them. */
    fields: z.array(field).default([]),
    /** Each entry is a synonym list: the rule matches when any word of any list appears. */
    synonyms: z.array(terms.min(1)).min(1, '至少填写一个关键词').max(200, '最多 200 组'),
  }),
  z.object({
    type: z.literal('behaviour'),
    metric: z.enum(['activitiesJoined', 'submissions']),
    atLeast: z.number().int().min(1).max(10_000),
  }),
  z.object({ type: z.literal('phoneVerified') }),
  z.object({ type: z.literal('filled'), field }),
]);

export const ruleSchema = z.object({
  name: z.string().trim().min(1, '请填写规则名称').max(40),
  enabled: z.boolean().default(true),
  /** All conditions must hold. */
  when: z.array(conditionSchema).min(1, '至少需要一个条件').max(20, '最多 20 个条件'),
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

/** `HH:MM` in China time; `24:00` only as an end. */
const clock = (latest: string) =>
  z
    .string({ error: '时间格式应为 HH:MM' })
    .regex(/^\d{2}:[0-5]\d$/, '时间格式应为 HH:MM')
    .refine((v) => v <= latest, '时间格式应为 HH:MM');

/**
 * An edit of a sales member's settings: stricter than what is read back (stored settings keep
 * parsing as they always did), so nothing new that the assignment cannot read is stored.
 */
export const salesSettingsEditSchema = salesSettingsSchema
  .extend({
    days: z.array(z.number().int().min(1).max(7), { error: '工作日应为 1 到 7 的数字' }).max(7),
    start: clock('23:59'),
    end: clock('24:00'),
    absentUntil: z.iso.datetime({ offset: true, error: '请假截止时间格式不正确' }).nullable(),
  })
  .partial();

/** The delivery settings as stored (and read by the functions that deliver). */
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
  /** WeCom's self-built app and callback (typings/wecom.ts); null until set up. */
  wecom: wecomSettingsSchema.nullable().catch(null),
});

export type DeliverySettings = z.infer<typeof deliverySettingsSchema>;

/**
 * Robot keys and webhook secrets are write-only: the admin API shows a robot's URL with its key
 * masked and only whether a webhook has a secret; a save that sends the masked URL or no secret
 * keeps what is stored.
 */
export interface DeliverySettingsView {
  mqlThreshold: number;
  slaHours: number;
  robots: { id: string; url: string; store: string }[];
  webhooks: { id: string; url: string; secretSet: boolean }[];
  adminUrl: string;
  wecom: WecomSettingsView | null;
}

export const ROBOT_URL_PREFIX = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=';
const MASK = '****';
/** Keys this long show their last four characters when masked; shorter ones show none. */
const SHOWN_TAIL_FROM = 16;

/** A robot URL with its key masked (`…?key=****abcd`): what the admin page sees and sends back unchanged. */
export function maskRobotUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return MASK;
  }
  const key = parsed.searchParams.get('key') ?? '';
  const tail = key.length >= SHOWN_TAIL_FROM ? key.slice(-4) : '';
  return `${parsed.origin}${parsed.pathname}?key=${MASK}${tail}`;
}

export const isMaskedRobotUrl = (url: string) => /\?key=\*{4}[A-Za-z0-9_-]{0,4}$/.test(url);

/** The local cloud's fakes of the WeCom robot and of a CRM webhook, under its own origin. */
const LOCAL_ROBOT_PATH = /^\/__local\/wecom\/send$/;
const LOCAL_WEBHOOK_PATH = /^\/__local\/webhook\/[A-Za-z0-9_-]{1,64}$/;
const ROBOT_KEY = /^[A-Za-z0-9_-]{1,100}$/;

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

const isLocal = (url: URL, localOrigin: string | undefined) => !!localOrigin && url.origin === localOrigin;

/** Why `url` is not a WeCom group robot's address (null: it is). */
export function robotUrlProblem(url: string, localOrigin?: string): string | null {
  const parsed = parseUrl(url);
  const problem = `机器人地址应为企业微信群机器人的 Webhook 地址：${ROBOT_URL_PREFIX}<key>`;
  if (!parsed) return problem;
  const key = parsed.searchParams.get('key') ?? '';
  const onlyKey = [...parsed.searchParams.keys()].join() === 'key' && !parsed.hash;
  if (isLocal(parsed, localOrigin) && LOCAL_ROBOT_PATH.test(parsed.pathname))
    return onlyKey && ROBOT_KEY.test(key) ? null : problem;
  const official =
    parsed.protocol === 'https:' &&
    parsed.host === 'qyapi.weixin.qq.com' &&
    parsed.pathname === '/cgi-bin/webhook/send' &&
    !parsed.username &&
    !parsed.password;
  return official && onlyKey && ROBOT_KEY.test(key) ? null : problem;
}

/** An IPv4 literal's four numbers (the URL parser has already normalised `0x7f.1` and the like). */
function ipv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const numbers = parts.map(Number);
  return numbers.every((n) => n <= 255) ? numbers : null;
}

/** Loopback, private, link-local, shared, benchmarking, multicast and reserved IPv4 ranges. */
function privateIpv4([a, b]: number[]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    a >= 224 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19))
  );
}

/** IPv6 literals (bracketed by the URL parser) that do not reach the public internet. */
function privateIpv6(host: string): boolean {
  const ip = host.slice(1, -1).toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip)?.[1];
  if (mapped) return privateIpv4(ipv4(mapped) ?? [0]);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(ip);
  if (hex) {
    const high = Number.parseInt(hex[1], 16);
    return privateIpv4([high >> 8, high & 255]);
  }
  return (
    ip === '::' ||
    ip === '::1' ||
    /^f[cd][0-9a-f]{0,2}:/.test(ip) ||
    /^fe[89ab][0-9a-f]?:/.test(ip) ||
    /^ff[0-9a-f]{0,2}:/.test(ip) ||
    ip.startsWith('::ffff:') ||
    ip.startsWith('64:ff9b:') ||
    ip.startsWith('2001:db8:')
  );
}

/** Why `url` is not a CRM webhook the functions may post to (null: it is). */
export function webhookUrlProblem(url: string, localOrigin?: string): string | null {
  const parsed = parseUrl(url);
  if (!parsed) return 'Webhook 地址不是合法的网址，应为 https://… 的公网地址';
  if (isLocal(parsed, localOrigin) && LOCAL_WEBHOOK_PATH.test(parsed.pathname)) return null;
  if (parsed.protocol !== 'https:') return 'Webhook 地址必须以 https:// 开头';
  if (parsed.username || parsed.password) return 'Webhook 地址不能包含用户名或密码';
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  const v4 = ipv4(host);
  if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    (v4 && privateIpv4(v4)) ||
    (host.startsWith('[') && privateIpv6(host)) ||
    (!v4 && !host.startsWith('[') && !host.includes('.'))
  )
    return 'Webhook 地址必须指向公网主机，不能是 localhost、内网或本机地址';
  return null;
}

/** The admin page's link in messages: empty, or an http(s) address. */
function adminUrlProblem(url: string): string | null {
  if (url === '') return null;
  const parsed = parseUrl(url);
  return parsed && (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !parsed.username
    ? null
    : '后台地址应为 http:// 或 https:// 开头的网址';
}

const channelId = z
  .string({ error: '请填写名称' })
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,20}$/, '名称为 1 到 20 位字母、数字、下划线或短横线');

/**
 * A save of the delivery settings. `localOrigin` (the local cloud's own origin, only when running
 * in it) also admits its robot and webhook fakes.
 */
export function settingsUpdateSchema(localOrigin?: string) {
  return z
    .object({
      mqlThreshold: z
        .number({ error: 'MQL 阈值应为 0 到 1000 的整数' })
        .int('MQL 阈值应为整数')
        .min(0)
        .max(1000)
        .default(60),
      slaHours: z.number({ error: '跟进时限应为 0.25 到 72 小时' }).min(0.25).max(72).default(2),
      robots: z
        .array(
          z.object({
            id: channelId,
            /** The full URL, or its masked form as read (keeps the stored one). */
            url: z
              .string({ error: '请填写机器人地址' })
              .trim()
              .min(1, '请填写机器人地址')
              .max(500, '机器人地址过长'),
            store: z.string({ error: '门店无效' }).trim().max(40, '门店名称过长').default(''),
          }),
          { error: '机器人列表格式不正确' },
        )
        .max(50, '最多 50 个机器人')
        .default([]),
      webhooks: z
        .array(
          z.object({
            id: channelId,
            url: z
              .string({ error: '请填写 Webhook 地址' })
              .trim()
              .min(1, '请填写 Webhook 地址')
              .max(500, 'Webhook 地址过长'),
            /** A new secret; absent keeps the stored one. */
            secret: z
              .string({ error: '签名密钥应为文本' })
              .min(8, '签名密钥至少 8 位')
              .max(200, '签名密钥不能超过 200 位')
              .optional(),
          }),
          { error: 'Webhook 列表格式不正确' },
        )
        .max(20, '最多 20 个 Webhook')
        .default([]),
      adminUrl: z.string({ error: '后台地址应为网址' }).trim().max(300, '后台地址过长').default(''),
      /** Absent keeps the stored WeCom settings, null removes them; empty secrets keep the stored ones. */
      wecom: wecomSettingsUpdateSchema.nullable().optional(),
    })
    .superRefine((settings, ctx) => {
      const issue = (path: (string | number)[], message: string) =>
        ctx.addIssue({ code: 'custom', path, message });
      settings.robots.forEach((robot, i) => {
        if (isMaskedRobotUrl(robot.url)) return;
        const problem = robotUrlProblem(robot.url, localOrigin);
        if (problem) issue(['robots', i, 'url'], problem);
      });
      settings.webhooks.forEach((hook, i) => {
        const problem = webhookUrlProblem(hook.url, localOrigin);
        if (problem) issue(['webhooks', i, 'url'], problem);
      });
      for (const [list, name] of [
        [settings.robots, 'robots'],
        [settings.webhooks, 'webhooks'],
      ] as const) {
        const seen = new Set<string>();
        list.forEach((item, i) => {
          if (seen.has(item.id)) issue([name, i, 'id'], `名称「${item.id}」重复`);
          seen.add(item.id);
        });
      }
      const adminProblem = adminUrlProblem(settings.adminUrl);
      if (adminProblem) issue(['adminUrl'], adminProblem);
    });
}

export type DeliverySettingsUpdate = z.input<ReturnType<typeof settingsUpdateSchema>>;

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** One message to one channel about one lead (or a digest of several). */
export interface OutboxView {
  messageId: string;
  channel: string;
  /** The channel in words: 群机器人 east（静安店）, Webhook crm. */
  channelName: string;
  kind: 'robot' | 'webhook' | 'escalation' | 'taskOverdue';
  leadIds: string[];
  /** Who the message is about, by name (a digest names several). */
  leads: { leadId: string; name: string | null }[];
  /** The digest this message was folded into (sent as part of it, not on its own). */
  deliveredIn: string | null;
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
