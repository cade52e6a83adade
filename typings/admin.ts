import { z } from 'zod';
import { cursorParam, INSTANT_MAX, INSTANT_MIN, leadCursorSchema, pageCursorSchema } from './cursor';
import { type CustomField, customFieldsSchema } from './customFields';
import { FIELD_KEYS } from './fields';
import { PASSWORD_MAX_LENGTH, passwordProblem } from './passwords';
import {
  ruleSchema,
  salesSettingsEditSchema,
  type salesSettingsSchema,
  settingsUpdateSchema,
} from './pipeline';
import type { WecomStatus } from './wecom';

/**
 * The admin API (`/admin-api/*`, the `admin` function behind CloudBase's HTTP access service):
 * roles, the one permission table, every route with its permission, request schemas and answer
 * types. Shared by the function, the admin page and the permission-matrix test.
 */
export const ROLES = ['admin', 'marketing', 'sales', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: '管理员',
  marketing: '市场',
  sales: '销售',
  viewer: '只读',
};

/** Who may do what. Sales see and change only the leads they own (enforced per lead). */
export const PERMISSIONS = {
  'dashboard.read': ['admin', 'marketing', 'viewer'],
  'leads.read': ['admin', 'marketing', 'sales', 'viewer'],
  'leads.write': ['admin', 'marketing', 'sales'],
  'leads.reveal': ['admin', 'marketing', 'sales'],
  'leads.assign': ['admin', 'marketing'],
  'leads.tag': ['admin', 'marketing'],
  'leads.export': ['admin', 'marketing'],
  /** Merge two customers a typed phone number flagged as possibly one person (or dismiss the flag). */
  'customers.merge': ['admin', 'marketing'],
  /** The customer list (sales: the customers whose latest lead they own). */
  'customers.read': ['admin', 'marketing', 'sales', 'viewer'],
  /** The persona distributions (用户画像) and saved segments (人群). */
  'insight.read': ['admin', 'marketing', 'viewer'],
  'segments.write': ['admin', 'marketing'],
  'activities.read': ['admin', 'marketing', 'viewer'],
  'activities.write': ['admin', 'marketing'],
  'codes.read': ['admin', 'marketing', 'viewer'],
  'codes.write': ['admin', 'marketing'],
  'staff.read': ['admin', 'marketing', 'viewer'],
  'staff.write': ['admin', 'marketing'],
  /** The managed list of stores (the names staff, codes, robots and the form's store field pick from). */
  'stores.read': ['admin', 'marketing', 'viewer'],
  'stores.write': ['admin', 'marketing'],
  'rules.read': ['admin', 'marketing', 'viewer'],
  'rules.write': ['admin', 'marketing'],
  'deliveries.read': ['admin', 'marketing'],
  'deliveries.retry': ['admin', 'marketing'],
  /** Journey SOP rules and their task figures. */
  'sop.read': ['admin', 'marketing', 'viewer'],
  'sop.write': ['admin', 'marketing'],
  /** The script and material library staff use in the staff desk. */
  'library.read': ['admin', 'marketing', 'viewer'],
  'library.write': ['admin', 'marketing'],
  'audit.read': ['admin'],
  'accounts.manage': ['admin'],
  /** Signed in at all: own session, lookups for filters. */
  session: ['admin', 'marketing', 'sales', 'viewer'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p));
}

/** Every route: `METHOD /path` (`:id` is a path parameter) → its permission. `null`: no login needed. */
export const ADMIN_ROUTES = {
  'POST /login': null,
  'POST /logout': 'session',
  'GET /me': 'session',
  'GET /lookups': 'session',
  'GET /dashboard': 'dashboard.read',
  'GET /leads': 'leads.read',
  /** Before `/leads/:id`: routes match in this order. */
  'GET /leads/count': 'leads.read',
  'GET /leads/:id': 'leads.read',
  'PATCH /leads/:id/status': 'leads.write',
  'POST /leads/:id/notes': 'leads.write',
  'POST /leads/:id/reveal': 'leads.reveal',
  'POST /leads/assign': 'leads.assign',
  'POST /leads/tag': 'leads.tag',
  'POST /leads/:id/duplicate': 'customers.merge',
  'GET /customers': 'customers.read',
  'GET /customers/:id': 'customers.read',
  'GET /persona': 'insight.read',
  'GET /segments': 'insight.read',
  /** The live count of a filter being edited. */
  'POST /segments/count': 'insight.read',
  'POST /segments': 'segments.write',
  'GET /segments/:id/members': 'insight.read',
  'DELETE /segments/:id': 'segments.write',
  /** Spend per channel per period, and cost per lead of any range from the spend inside it. */
  'GET /spend': 'dashboard.read',
  'POST /spend': 'codes.write',
  'DELETE /spend/:id': 'codes.write',
  'POST /exports': 'leads.export',
  'GET /jobs/:id': 'leads.export',
  'GET /activities': 'activities.read',
  'POST /activities': 'activities.write',
  'PATCH /activities/:id': 'activities.write',
  'POST /activities/:id/publish': 'activities.write',
  'POST /activities/:id/close': 'activities.write',
  'GET /activities/:id': 'activities.read',
  /** Copies of an activity for several stores at once, each with its store's staff codes if asked. */
  'POST /activities/:id/copies': 'activities.write',
  'GET /activities/:id/registrations': 'activities.read',
  /** A manual check-in from the sign-up list (within the check-in window of typings/checkin). */
  'POST /activities/:id/registrations/:registrationId/checkin': 'activities.write',
  /** The sign-up list as CSV (phones masked), audited as an export. */
  'POST /activities/:id/registrations/export': 'leads.export',
  /** Activity templates: an activity's form, text, cover and capacity, to start new ones from. */
  'GET /activity-templates': 'activities.read',
  'POST /activity-templates': 'activities.write',
  'DELETE /activity-templates/:id': 'activities.write',
  /** A new activity from a template: its start (the end and deadline follow), and what differs. */
  'POST /activity-templates/:id/activities': 'activities.write',
  'GET /channels': 'codes.read',
  'POST /channels': 'codes.write',
  'PATCH /channels/:id': 'codes.write',
  'GET /codes': 'codes.read',
  'POST /codes': 'codes.write',
  'POST /codes/bulk': 'codes.write',
  'PATCH /codes/:id': 'codes.write',
  /** Scans, visitors, leads, sign-ups and WeCom adds per code over a range, with a trend. */
  'GET /codes/stats': 'codes.read',
  /** Captioned code cards for print as one ZIP (a job the page polls). */
  'POST /codes/zip': 'codes.read',
  'GET /codes/zip/:id': 'codes.read',
  'GET /codes/:id/image': 'codes.read',
  /** Personal poster templates (导购海报) the staff desk draws posters from. */
  'GET /poster-templates': 'codes.read',
  'POST /poster-templates': 'codes.write',
  'PUT /poster-templates/:id': 'codes.write',
  'DELETE /poster-templates/:id': 'codes.write',
  'GET /staff': 'staff.read',
  'POST /staff': 'staff.write',
  'PATCH /staff/:id': 'staff.write',
  'POST /staff/:id/invite': 'staff.write',
  /** Releases the member's WeChat binding (and draws a new invite: the old one may be known). */
  'POST /staff/:id/unbind': 'staff.write',
  'GET /stores': 'stores.read',
  'POST /stores': 'stores.write',
  /** A rename carries over to every staff member, code and robot of the store. */
  'PATCH /stores/:id': 'stores.write',
  /** Creates the stores that staff, codes and robots name but the list does not hold yet. */
  'POST /stores/adopt': 'stores.write',
  'GET /rules': 'rules.read',
  'POST /rules': 'rules.write',
  'PATCH /rules/:id': 'rules.write',
  'DELETE /rules/:id': 'rules.write',
  'POST /rules/test': 'rules.read',
  'POST /rules/retag': 'rules.write',
  /** A re-tagging job's progress (the dispatch function's timer carries on a long one). */
  'GET /rules/retag/:id': 'rules.write',
  'GET /settings': 'rules.read',
  'PUT /settings': 'rules.write',
  'POST /settings/wecom/test': 'rules.write',
  /**
   * Posts one test message to a saved robot or webhook (named, never a URL: no way to probe other
   * addresses) and answers what the endpoint said; those who may change the settings may test them.
   */
  'POST /settings/test-message': 'rules.write',
  'GET /wecom/events': 'deliveries.read',
  'POST /wecom/events/retry': 'deliveries.retry',
  'GET /wecom/lost': 'leads.read',
  'GET /deliveries': 'deliveries.read',
  'POST /deliveries/retry': 'deliveries.retry',
  'GET /audit': 'audit.read',
  'GET /accounts': 'accounts.manage',
  'POST /accounts': 'accounts.manage',
  'PATCH /accounts/:id': 'accounts.manage',
  'GET /sop-rules': 'sop.read',
  'POST /sop-rules': 'sop.write',
  'PUT /sop-rules/:id': 'sop.write',
  'PATCH /sop-rules/:id': 'sop.write',
  'DELETE /sop-rules/:id': 'sop.write',
  'GET /sop-tasks/stats': 'sop.read',
  'GET /library': 'library.read',
  'POST /library': 'library.write',
  'POST /library/images': 'library.write',
  'PUT /library/:id': 'library.write',
  'DELETE /library/:id': 'library.write',
} as const satisfies Record<string, Permission | null>;

export type AdminRoute = keyof typeof ADMIN_ROUTES;

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'won', 'lost'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
export const LEAD_STATUS_LABELS: Record<LeadStatus, string> = {
  new: '新线索',
  contacted: '已联系',
  qualified: '已确认意向',
  won: '已成交',
  lost: '已流失',
};

const id = z.string().trim().min(1, '缺少编号').max(64, '编号过长');
const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();
/** An activity's cover image: a web address or a cloud storage file id. */
const coverUrl = z
  .string()
  .trim()
  .max(500, '封面地址过长')
  .regex(/^(https:\/\/|cloud:\/\/)\S+$/, '封面应为 https:// 或 cloud:// 开头的地址');
const inRange = (at: number) => at >= INSTANT_MIN && at < INSTANT_MAX;
const isDay = (v: string) => z.iso.date().safeParse(v).success && inRange(Date.parse(v));
const isInstant = (v: string) =>
  z.iso.datetime({ offset: true }).safeParse(v).success && inRange(Date.parse(v));
/** A calendar day `2026-11-22` (2000 to 2099): `2026-02-30` is not one. */
const day = z
  .string({ error: '日期格式应为 YYYY-MM-DD' })
  .trim()
  .refine(isDay, '日期应为 2000 到 2099 年间真实存在的日期（YYYY-MM-DD）');
/** `2026-11-22` (a China-time day) or an ISO date-time, 2000 to 2099. */
const dateBound = z
  .string({ error: '日期格式不正确' })
  .trim()
  .refine(
    (v) => isDay(v) || isInstant(v),
    '日期应为 2000 到 2099 年间真实存在的日期（YYYY-MM-DD）或带时区的时间',
  )
  .optional();
const CHANNEL_TYPES = ['store', 'staff', 'official_account', 'ad', 'poster'] as const;
/** A store as staff, codes and robots name it: one of the managed list (checked by the function). */
export const STORE_NAME_MAX = 40;
const storeName = z
  .string({ error: '请填写门店名称' })
  .trim()
  .min(1, '请填写门店名称')
  .max(STORE_NAME_MAX, `门店名称不能超过 ${STORE_NAME_MAX} 个字`);
/** A WeCom member's userid (企业微信账号), as the WeCom admin console allows it. */
export const WECOM_USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;
const wecomUserId = z.string().trim().regex(WECOM_USER_ID, '企业微信账号为 1 到 64 位字母、数字或 _ - . @');
const flag = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .transform((v) => v === true || v === 'true')
  .optional();

export const leadFilterSchema = z.object({
  channel: optionalText(64),
  staff: optionalText(64),
  activity: optionalText(64),
  tag: optionalText(50),
  status: z.enum(LEAD_STATUSES, { error: '状态无效' }).optional(),
  /** A staff id, or `none` for leads in the shared pool. */
  owner: optionalText(64),
  mql: flag,
  /** Leads whose typed phone number another customer holds, awaiting a person's review. */
  possibleDuplicate: flag,
  from: dateBound,
  to: dateBound,
  /** A name (prefix) or the last 4+ digits of a phone number. */
  q: optionalText(30),
});
export type LeadFilter = z.infer<typeof leadFilterSchema>;

/** Leads a bulk action applies to: those picked, or every lead a filter selects (up to a limit). */
export const BULK_FILTER_MAX = 5000;
const bulkTarget = z.object({
  leadIds: z.array(id).min(1, '请选择线索').max(500, '一次最多 500 条').optional(),
  filter: leadFilterSchema.optional(),
});
/** Exactly one of the two: picked leads, or a filter. */
const oneTarget = (target: z.infer<typeof bulkTarget>) => !!target.leadIds !== !!target.filter;
const NO_TARGET = { path: ['leadIds'], message: '请选择线索' };

const displayName = z.string().trim().min(1).max(30);

/** A password being set: the policy of typings/passwords.ts, its Chinese sentence as the field message. */
const newPassword = z.string({ error: '请填写密码' }).superRefine((password, ctx) => {
  const problem = passwordProblem(password);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const adminRequestSchemas = {
  login: z.object({
    username: z
      .string({ error: '请输入用户名' })
      .trim()
      .min(1, '请输入用户名')
      .max(40, '用户名不能超过 40 个字符'),
    password: z
      .string({ error: '请输入密码' })
      .min(1, '请输入密码')
      .max(PASSWORD_MAX_LENGTH, `密码不能超过 ${PASSWORD_MAX_LENGTH} 个字符`),
  }),
  leadList: leadFilterSchema.extend({
    limit: z.coerce.number().int('每页条数必须是整数').min(1).max(100).default(50),
    cursor: cursorParam(leadCursorSchema),
  }),
  leadStatus: z
    .object({
      status: z.enum(LEAD_STATUSES, { error: '状态无效' }),
      note: z.string().trim().max(500, '备注不能超过 500 字').optional(),
    })
    .refine((change) => change.status !== 'lost' || !!change.note, {
      path: ['note'],
      message: '改为已流失时请填写流失原因',
    }),
  duplicateDecision: z.object({
    decision: z.enum(['merge', 'dismiss'], { error: '请选择合并或不是同一人' }),
  }),
  leadNote: z.object({ text: z.string().trim().min(1, '请填写备注').max(500, '备注不能超过 500 字') }),
  bulkAssign: bulkTarget
    .extend({
      /** null: back to the shared pool. */
      ownerId: id.nullable(),
    })
    .refine(oneTarget, NO_TARGET),
  bulkTag: bulkTarget
    .extend({
      add: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
      remove: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
    })
    .refine(oneTarget, NO_TARGET),
  exportLeads: z.object({
    filter: leadFilterSchema.default({}),
    /** Full phone numbers in the file (roles that may reveal only). */
    includePhone: z.boolean().default(false),
  }),
  dashboard: z.object({
    from: day,
    to: day,
    channel: optionalText(64),
    staff: optionalText(64),
    activity: optionalText(64),
  }),
  activity: z
    .object({
      title: z.string().trim().min(1, '请填写活动名称').max(40),
      description: z.string().trim().max(2000).default(''),
      place: z.string().trim().max(60).default(''),
      startAt: z.iso.datetime({ offset: true }),
      endAt: z.iso.datetime({ offset: true }),
      deadline: z.iso.datetime({ offset: true }).optional(),
      capacity: z.number().int().min(1).max(100000),
      fields: z.array(z.enum(FIELD_KEYS, { error: '未知的表单字段' })).min(1, '至少选择一个表单字段'),
      customFields: customFieldsSchema.default([]),
      coverUrl: coverUrl.optional(),
      status: z.enum(['draft', 'published']).default('draft'),
      /** The store holding it: only its staff check in (typings/checkin). */
      store: optionalText(STORE_NAME_MAX),
    })
    // Only between two valid times: a malformed one is already reported on its own field.
    .refine((a) => !(Date.parse(a.endAt) <= Date.parse(a.startAt)), {
      path: ['endAt'],
      message: '结束时间必须晚于开始时间',
    })
    .refine((a) => !a.deadline || Date.parse(a.deadline) <= Date.parse(a.endAt), {
      path: ['deadline'],
      message: '报名截止时间不能晚于活动结束',
    }),
  activityEdit: z.object({
    title: z.string().trim().min(1, '请填写活动名称').max(40).optional(),
    description: z.string().trim().max(2000).optional(),
    place: z.string().trim().max(60).optional(),
    startAt: z.iso.datetime({ offset: true }).optional(),
    endAt: z.iso.datetime({ offset: true }).optional(),
    deadline: z.iso.datetime({ offset: true }).optional(),
    capacity: z.number().int().min(1).max(100000).optional(),
    fields: z.array(z.enum(FIELD_KEYS)).min(1, '至少选择一个表单字段').optional(),
    /** The whole list: a field left out is retired (its answers stay readable). */
    customFields: customFieldsSchema.optional(),
    /** null: no cover. */
    coverUrl: coverUrl.nullable().optional(),
    /** null: any store's staff check in. */
    store: z.string().trim().min(1).max(STORE_NAME_MAX).nullable().optional(),
  }),
  activityTemplate: z.object({
    /** The activity whose form, description, place, cover, capacity and length are kept. */
    activityId: id,
    name: z.string().trim().min(1, '请填写模板名称').max(40, '模板名称不能超过 40 个字'),
  }),
  activityFromTemplate: z.object({
    /** Else the template's title. */
    title: z.string().trim().min(1, '请填写活动名称').max(40).optional(),
    startAt: z.iso.datetime({ offset: true }),
    capacity: z.number().int().min(1).max(100000).optional(),
    store: optionalText(STORE_NAME_MAX),
    place: z.string().trim().max(60).optional(),
    status: z.enum(['draft', 'published']).default('draft'),
  }),
  activityCopies: z.object({
    items: z
      .array(
        z.object({
          store: z.string().trim().min(1, '请选择门店').max(STORE_NAME_MAX),
          capacity: z.number().int().min(1, '名额至少 1 个').max(100000),
          /** Else the original's start; its length and sign-up deadline move with it. */
          startAt: z.iso.datetime({ offset: true }).optional(),
        }),
      )
      .min(1, '至少选择一家门店')
      .max(50, '一次最多复制到 50 家门店')
      .refine((items) => new Set(items.map((i) => i.store)).size === items.length, '门店不能重复'),
    /** A staff code of the copy for each active member of its store. */
    staffCodes: z.boolean().default(false),
    status: z.enum(['draft', 'published']).default('draft'),
  }),
  channel: z.object({
    type: z.enum(['store', 'staff', 'official_account', 'ad', 'poster'], { error: '渠道类型无效' }),
    name: z.string().trim().min(1, '请填写渠道名称').max(40),
    /** Spend on the channel in yuan, for cost per lead. */
    cost: z.number().min(0).max(1e9).default(0),
  }),
  channelEdit: z.object({
    name: z.string().trim().min(1).max(40).optional(),
    cost: z.number().min(0).max(1e9).optional(),
  }),
  code: z.object({
    channelType: z.enum(['store', 'staff', 'official_account', 'ad', 'poster'], { error: '渠道类型无效' }),
    name: z.string().trim().min(1, '请填写活码名称').max(40),
    staffId: id.optional(),
    activityId: id.optional(),
    /** An existing channel to count under; else one is made for the code. */
    channelId: id.optional(),
    storeId: optionalText(STORE_NAME_MAX),
  }),
  codeBulk: z.object({
    channelType: z.enum(['store', 'staff', 'official_account', 'ad', 'poster'], { error: '渠道类型无效' }),
    activityId: id.optional(),
    channelId: id.optional(),
    storeId: optionalText(STORE_NAME_MAX),
    items: z
      .array(z.object({ name: z.string().trim().min(1).max(40), staffId: id.optional() }))
      .min(1, '至少一个活码')
      .max(200, '一次最多 200 个'),
  }),
  codeEdit: z.object({
    staffId: id.nullable().optional(),
    activityId: id.nullable().optional(),
    disabled: z.boolean().optional(),
    name: z.string().trim().min(1).max(40).optional(),
  }),
  codeList: z.object({
    channelType: z.enum(CHANNEL_TYPES, { error: '渠道类型无效' }).optional(),
    staffId: id.optional(),
  }),
  store: z.object({
    name: storeName,
    city: z.string().trim().max(20, '城市不能超过 20 个字').default(''),
    region: z.string().trim().max(20, '区域不能超过 20 个字').default(''),
  }),
  storeEdit: z.object({
    name: storeName.optional(),
    city: z.string().trim().max(20, '城市不能超过 20 个字').optional(),
    region: z.string().trim().max(20, '区域不能超过 20 个字').optional(),
    active: z.boolean().optional(),
  }),
  staff: z.object({
    name: z.string().trim().min(1, '请填写姓名').max(30),
    store: z
      .string({ error: '请选择门店' })
      .trim()
      .min(1, '请选择门店')
      .max(STORE_NAME_MAX, '请从门店列表中选择'),
    role: z.enum(['staff', 'sales', 'manager'], { error: '角色无效' }),
    mobile: z
      .string()
      .regex(/^1[3-9]\d{9}$/, '手机号格式不正确')
      .optional(),
    wecomUserId: wecomUserId.optional(),
  }),
  staffEdit: z.object({
    name: z.string().trim().min(1).max(30).optional(),
    store: z.string().trim().min(1, '请选择门店').max(STORE_NAME_MAX, '请从门店列表中选择').optional(),
    role: z.enum(['staff', 'sales', 'manager']).optional(),
    active: z.boolean().optional(),
    mobile: z
      .string()
      .regex(/^1[3-9]\d{9}$/, '手机号格式不正确')
      .nullable()
      .optional(),
    /** null: no longer linked to a WeCom member. */
    wecomUserId: wecomUserId.nullable().optional(),
    sales: salesSettingsEditSchema.optional(),
  }),
  rule: ruleSchema,
  /** Only the fields sent: a default here would overwrite the stored value (a toggle erasing the tag). */
  ruleEdit: z
    .object({
      ...ruleSchema.shape,
      enabled: ruleSchema.shape.enabled.unwrap(),
      group: ruleSchema.shape.group.unwrap(),
      tag: ruleSchema.shape.tag.unwrap(),
      points: ruleSchema.shape.points.unwrap(),
    })
    .partial(),
  ruleTest: z.object({
    rule: ruleSchema,
    sample: z.object({
      text: z.string().max(500).default(''),
      channelType: z.string().max(30).default('store'),
      channelId: z.string().max(64).default(''),
      activityId: z.string().max(64).nullable().default(null),
      answers: z.record(z.string().max(30), z.string().max(500)).default({}),
      phoneVerified: z.boolean().default(false),
      activitiesJoined: z.number().int().min(0).max(10_000).default(0),
      submissions: z.number().int().min(0).max(10_000).default(0),
    }),
  }),
  /** `dryRun`: count what a re-tag would change, and change nothing. */
  retag: z.object({ dryRun: z.boolean().default(false) }),
  settings: settingsUpdateSchema(),
  testMessage: z.object({
    /** `robot:<name>` or `webhook:<name>` of the saved settings. */
    channel: z
      .string({ error: '请选择机器人或 Webhook' })
      .regex(/^(robot|webhook):[A-Za-z0-9_-]{1,20}$/, '请选择机器人或 Webhook'),
  }),
  deliveryList: z.object({
    status: z.enum(['pending', 'delivered', 'failed'], { error: '投递状态无效' }).optional(),
    /** One robot's or webhook's messages: `robot:<name>`, `webhook:<name>`. */
    channel: optionalText(40),
    cursor: cursorParam(pageCursorSchema),
  }),
  deliveryRetry: z.object({ messageIds: z.array(id).min(1).max(500) }),
  auditList: z.object({
    actor: optionalText(60),
    action: optionalText(40),
    /** What the entry is about: a lead, staff member, activity… id. */
    subject: optionalText(64),
    from: dateBound,
    to: dateBound,
    cursor: cursorParam(pageCursorSchema),
  }),
  account: z
    .object({
      /** Shown as typed; unique and signed in with regardless of case. */
      username: z
        .string({ error: '请填写用户名' })
        .trim()
        .regex(/^[A-Za-z0-9_.-]{3,40}$/, '用户名为 3 到 40 位字母、数字、下划线、点或短横线'),
      password: newPassword,
      role: z.enum(ROLES, { error: '角色无效' }),
      staffId: id.optional(),
      /** The person's name as others see it (彭浩（徐汇店）), beside the sign-in name. */
      displayName: displayName.optional(),
    })
    .superRefine((account, ctx) => {
      // The password's own rules are already reported on the field; this adds the one that needs the username.
      if (passwordProblem(account.password)) return;
      const problem = passwordProblem(account.password, account.username);
      if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
    }),
  accountEdit: z.object({
    displayName: displayName.nullable().optional(),
    role: z.enum(ROLES).optional(),
    active: z.boolean().optional(),
    password: newPassword.optional(),
    staffId: id.nullable().optional(),
  }),
  registrations: z.object({
    status: z.enum(['joined', 'cancelled', 'checked_in'], { error: '报名状态无效' }).optional(),
    cursor: cursorParam(pageCursorSchema),
  }),
  empty: z.object({}),
} as const;

export type AdminRequest<K extends keyof typeof adminRequestSchemas> = z.input<
  (typeof adminRequestSchemas)[K]
>;

// Answers.

export interface LoginAnswer {
  token: string;
  role: Role;
  expiresAt: string;
  username: string;
  staffId: string | null;
}

export interface MeAnswer {
  accountId: string;
  username: string;
  role: Role;
  staffId: string | null;
  permissions: Permission[];
}

export interface StoreView {
  storeId: string;
  name: string;
  city: string;
  region: string;
  active: boolean;
  /** Staff members (active or not) of the store. */
  staffCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface Lookups {
  /** Active stores, by name: what store pickers offer. */
  stores: { storeId: string; name: string; city: string; region: string }[];
  channels: { channelId: string; name: string; type: string }[];
  staff: { staffId: string; name: string; store: string; role: string; active: boolean }[];
  activities: { activityId: string; title: string; status: string }[];
  /** Custom form fields' labels by field id (removed ones too), for answers shown outside their activity. */
  answerLabels: Record<string, string>;
  tags: string[];
}

export interface LeadItem {
  leadId: string;
  customerId: string;
  name: string | null;
  phoneMasked: string | null;
  channel: string;
  channelType: string;
  staff: string | null;
  ownerId: string | null;
  activityId: string | null;
  referrerCustomerId: string | null;
  tags: string[];
  score: number;
  mql: boolean;
  status: LeadStatus;
  source: string;
  possibleDuplicate: boolean;
  /** The customer's relation with the advisor in WeCom (加企微). */
  wecom: WecomStatus;
  createdAt: string;
}

export interface LeadPage {
  items: LeadItem[];
  nextCursor: string | null;
}

/** How many leads a filter selects: counted exactly where the indexes can, else estimated (约). */
export interface LeadCount {
  total: number;
  exact: boolean;
}

export interface TouchView {
  at: string;
  kind: string;
  channelId: string;
  channelType: string;
  staffId: string | null;
  activityId: string | null;
  wxScene: number;
  rejected: boolean;
}

export interface LeadDetail extends LeadItem {
  answers: Record<string, string>;
  phoneVerified: boolean;
  consent: { version: string; accepted: boolean; at: string } | null;
  /** The customer withdrew consent since: the phone can no longer be revealed or exported. */
  consentWithdrawnAt: string | null;
  /** The other customer holding the number this lead's customer typed, for a person to review. */
  possibleDuplicateOf: {
    customerId: string;
    name: string | null;
    phoneMasked: string | null;
    phoneVerified: boolean;
    leadCount: number;
    createdAt: string;
  } | null;
  firstTouch: TouchView | null;
  lastTouch: TouchView | null;
  touches: TouchView[];
  statusHistory: { status: LeadStatus; at: string; by: string }[];
  notes: { text: string; at: string; by: string }[];
  assignedBy: string | null;
  deliveries: {
    messageId: string;
    channel: string;
    status: string;
    attempts: number;
    lastError: string | null;
  }[];
  otherLeads: { leadId: string; createdAt: string; activityId: string | null; status: LeadStatus }[];
}

export interface RetagJobView {
  jobId: string;
  status: 'running' | 'done';
  processed: number;
  total: number;
  /** Leads whose tags, score or MQL changed. */
  changed: number;
}

export interface TagCount {
  tag: string;
  leads: number;
}

/** What a re-tag would do, counted without changing anything (advanced by reading it). */
export interface RetagPreview extends RetagJobView {
  dryRun: true;
  /** Leads whose tags, score or MQL would change. */
  changed: number;
  /** Tags the re-tag would add and remove, with how many leads each: most first, at most 10. */
  added: TagCount[];
  removed: TagCount[];
  /** Leads whose score or MQL would change. */
  rescored: number;
  /** Leads stored before tag sources were kept: tags no rule gives them are kept as manual. */
  unsourced: number;
}

export interface JobView {
  jobId: string;
  kind: string;
  /** `expired`: the file was deleted after its retention (exports hold personal data). */
  status: 'running' | 'done' | 'failed' | 'expired';
  processed: number;
  total: number;
  downloadUrl: string | null;
  fileName: string | null;
  error: string | null;
}

/** The funnel's stages, each among the one before (core/funnel). */
export const FUNNEL_VIEW_STAGES = ['entries', 'formViews', 'leads', 'assigned', 'contacted', 'won'] as const;
/**
 * `mql`: a side rate of the leads, no stage (a lead may be won without being an MQL);
 * `wecomAdded`: customers who added their advisor in WeCom (加企微), counted on the day of the add.
 */
export type FunnelView = Record<
  (typeof FUNNEL_VIEW_STAGES)[number] | 'mql' | 'signups' | 'checkins' | 'wecomAdded',
  number
>;

export interface DashboardAnswer {
  from: string;
  to: string;
  funnel: FunnelView;
  trend: ({ day: string } & FunnelView)[];
  channels: ({ channelId: string; name: string; cost: number; costPerLead: number | null } & FunnelView)[];
  staff: ({ staffId: string; name: string; store: string } & FunnelView)[];
  activities: ({ activityId: string; title: string } & FunnelView)[];
}

export interface ActivityView {
  activityId: string;
  title: string;
  description: string;
  place: string;
  startAt: string;
  endAt: string;
  deadline: string;
  capacity: number;
  remaining: number;
  fields: string[];
  customFields: CustomField[];
  /** Custom fields removed from the form whose answers are still shown under these labels. */
  retiredFields: CustomField[];
  coverUrl: string | null;
  status: 'draft' | 'published' | 'closed';
  /** `ended`: closed by its end passing (not by a person). */
  closedReason: 'ended' | null;
  store: string | null;
  createdAt: string;
}

/** An activity template (模板): what a new activity starts from; times are lengths, not dates. */
export interface ActivityTemplateView {
  templateId: string;
  name: string;
  title: string;
  description: string;
  place: string;
  coverUrl: string | null;
  capacity: number;
  /** From start to end. */
  durationMinutes: number;
  /** How long before the start sign-ups close. */
  deadlineMinutesBefore: number;
  fields: string[];
  customFields: CustomField[];
  createdAt: string;
}

export interface RegistrationView {
  registrationId: string;
  customerId: string;
  name: string | null;
  phoneMasked: string | null;
  status: 'joined' | 'cancelled' | 'checked_in';
  /** What the form asked, by field key (typings/fields). */
  answers: Record<string, string>;
  createdAt: string;
  checkedInAt: string | null;
  /** Who checked them in: a staff member's name, or the admin account. */
  checkedInBy: string | null;
}

export interface CodeView {
  codeId: string;
  scene: string;
  name: string;
  channelId: string;
  channelType: string;
  staffId: string | null;
  storeId: string | null;
  activityId: string | null;
  disabled: boolean;
  sharePath: string;
  createdAt: string;
}

export interface StaffView {
  staffId: string;
  name: string;
  store: string;
  role: 'staff' | 'sales' | 'manager';
  active: boolean;
  bound: boolean;
  /** The WeChat it is bound to, masked (`oAbc…xyz9`), and since when. */
  boundOpenid: string | null;
  boundAt: string | null;
  /** Invite code and mobile: only for roles that manage staff (null for the others). */
  inviteCode: string | null;
  mobile: string | null;
  /** The member's WeCom userid (企业微信账号), which WeCom contact and tasks address them by. */
  wecomUserId: string | null;
  sales: z.infer<typeof salesSettingsSchema>;
  createdAt: string;
}

export interface AuditView {
  auditId: string;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
  at: string;
}

export interface AccountView {
  accountId: string;
  username: string;
  /** Who the account is, in people's words; null: the username stands for it. */
  displayName: string | null;
  role: Role;
  staffId: string | null;
  active: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
}
