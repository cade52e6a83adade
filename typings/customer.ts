import { z } from 'zod';
import { CUSTOM_FIELD_LIMITS } from './customFields';
import { FIELD_CATALOGUE, FIELD_KEYS, type FieldKey, type FieldKind } from './fields';

/**
 * The customer function's requests (one zod schema per action; the TypeScript types come from
 * them) and answers. The mini program imports this file for types only.
 */

const id = z.string().trim().min(1, '缺少编号').max(64, '编号过长');
const requestId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, '请求编号应为 8 到 64 位字母、数字、下划线或短横线');

/** What the page saw on entry: `wx.getEnterOptionsSync()` plus the page's own options. */
export const entrySchema = z.object({
  scene: z.number().int().min(1000, '场景值无效').max(9999, '场景值无效'),
  path: z.string().max(200, '路径过长').default(''),
  query: z
    .record(z.string().max(32), z.string().max(128, '参数过长'))
    .refine((q) => Object.keys(q).length <= 20, '参数过多')
    .default({}),
});

const text = (key: FieldKey) =>
  z
    .string()
    .trim()
    .min(1, `请填写${FIELD_CATALOGUE[key].label}`)
    .max(
      FIELD_CATALOGUE[key].maxLength,
      `${FIELD_CATALOGUE[key].label}不能超过 ${FIELD_CATALOGUE[key].maxLength} 个字`,
    );

export const profileFieldsSchema = z.object({
  name: text('name').optional(),
  company: text('company').optional(),
  industry: z
    .enum(FIELD_CATALOGUE.industry.options as [string, ...string[]], { error: '请选择行业' })
    .optional(),
  role: text('role').optional(),
  city: text('city').optional(),
  store: text('store').optional(),
});

/**
 * The answer to a custom field (typings/customFields), by its id beside the catalogue's fields:
 * checked against the activity's definitions by the function (core/customFields).
 */
const customAnswer = z.union([
  z.string().max(CUSTOM_FIELD_LIMITS.longtextLength, '回答过长'),
  z.number(),
  z.array(z.string().max(CUSTOM_FIELD_LIMITS.optionLength)).max(CUSTOM_FIELD_LIMITS.options, '选项过多'),
]);

export const leadFieldsSchema = profileFieldsSchema
  .extend({
    /** Typed by hand when the customer declined the one-tap phone button. */
    phone: z.string().trim().max(20, '手机号格式不正确').optional(),
    /** What `<button open-type="getPhoneNumber">` gave the page; exchanged on the server. */
    phoneCode: z.string().trim().min(1).max(128).optional(),
    note: text('note').optional(),
  })
  .catchall(customAnswer)
  .refine(
    (fields) => Object.keys(fields).length <= FIELD_KEYS.length + 1 + CUSTOM_FIELD_LIMITS.fields,
    '回答的字段过多',
  );

export const consentSchema = z.object({
  version: z.string().min(1).max(20),
  accepted: z.boolean(),
});

export const customerRequestSchemas = {
  touch: z.object({ entry: entrySchema }),
  session: z.object({}),
  saveProfile: z.object({ profile: profileFieldsSchema }),
  submitLead: z.object({
    requestId,
    activityId: id.optional(),
    fields: leadFieldsSchema,
    consent: consentSchema.optional(),
  }),
  listActivities: z.object({}),
  getActivity: z.object({ activityId: id }),
  leadForm: z.object({ activityId: id.optional() }),
  joinActivity: z.object({
    requestId,
    activityId: id,
    fields: leadFieldsSchema.optional(),
    consent: consentSchema.optional(),
    /** The customer accepted the reminder subscribe message on the join tap. */
    reminderTemplateId: z.string().max(64).optional(),
  }),
  /** Subscribes a sign-up to the activity reminder after the sheet was accepted on a later tap. */
  subscribeReminder: z.object({ registrationId: id, reminderTemplateId: z.string().min(1).max(64) }),
  cancelRegistration: z.object({ registrationId: id }),
  myRegistrations: z.object({}),
  myShare: z.object({ activityId: id.optional() }),
  advisorContact: z.object({ activityId: id.optional() }),
  myData: z.object({}),
  withdrawConsent: z.object({}),
  deleteMyData: z.object({}),
} as const;

export type CustomerAction = keyof typeof customerRequestSchemas;
export type CustomerRequest<A extends CustomerAction> = { action: A } & z.input<
  (typeof customerRequestSchemas)[A]
>;
export type Entry = z.infer<typeof entrySchema>;
export type ProfileFields = z.infer<typeof profileFieldsSchema>;
export type LeadFields = z.infer<typeof leadFieldsSchema>;

export type ActivityStatus = 'draft' | 'published' | 'closed';

export interface ActivitySummary {
  activityId: string;
  title: string;
  startAt: string;
  endAt: string;
  place: string;
  capacity: number;
  remaining: number;
  status: ActivityStatus;
  /** Sign-up deadline passed or activity closed. */
  closed: boolean;
  coverUrl?: string;
}

export interface ActivityDetail extends ActivitySummary {
  description: string;
  deadline: string;
  myRegistration: RegistrationSummary | null;
  form: LeadForm;
}

/** One field the form asks, described by the server so the page needs no catalogue of its own. */
export interface FormField {
  /** A catalogue key, or a custom field's id (then `custom`). */
  key: string;
  custom?: true;
  label: string;
  kind: FieldKind;
  maxLength: number;
  options?: readonly string[];
  /** A regular expression source the value must match (the phone number). */
  pattern?: string;
  required: boolean;
}

/** Progressive profiling: only what we do not know yet is asked; what we know is shown. */
export interface LeadForm {
  activityId: string | null;
  fields: FormField[];
  known: { key: FieldKey; label: string; display: string }[];
  /** Consent is asked only when the customer has not accepted the current policy. */
  consentRequired: boolean;
  policy: { version: string; purpose: string; retention: string; recipients: string };
}

export interface RegistrationSummary {
  registrationId: string;
  activityId: string;
  title: string;
  startAt: string;
  place: string;
  status: 'joined' | 'cancelled' | 'checked_in';
  checkinCode: string;
  /** The customer accepted the activity reminder for this sign-up. */
  reminderSet: boolean;
  /** The check-in code as a QR image (PNG data URL), for staff to scan. */
  checkinQr?: string;
  createdAt: string;
}

export interface SessionData {
  customerId: string;
  hasPhone: boolean;
  phoneMasked: string | null;
  consent: { version: string | null; accepted: boolean; currentVersion: string };
  policy: LeadForm['policy'];
  isStaff: boolean;
  profile: ProfileFields;
}

export interface CustomerAnswers {
  /** `activityId`: the activity the entry's code points to, for a page opened with only `scene`. */
  touch: { touchId: string; activityId: string | null };
  session: SessionData;
  saveProfile: SessionData;
  submitLead: { leadId: string; customerId: string; duplicate: boolean };
  listActivities: { items: ActivitySummary[] };
  getActivity: ActivityDetail;
  leadForm: LeadForm;
  joinActivity: { registrationId: string; checkinCode: string; duplicate: boolean };
  subscribeReminder: { registrationId: string; reminderSet: true };
  cancelRegistration: { registrationId: string; status: 'cancelled' };
  myRegistrations: { items: RegistrationSummary[] };
  myShare: { sharePath: string };
  /** What the mini program needs for WeCom's 「联系我」 plugin or the QR image (issue 15). */
  advisorContact: { configId: string; qrCode: string; advisorName: string; state: string };
  myData: MyData;
  withdrawConsent: { withdrawn: true };
  deleteMyData: { deleted: true };
}

/**
 * What we hold about the caller, as they may read it: their profile, phone, consent, the leads and
 * sign-ups they left and the entries we recorded; not our workflow (owners, scores, who did what).
 */
export interface MyData {
  /** How many of each we hold; the lists below show the newest 50 of each. */
  counts: { leads: number; registrations: number; touches: number };
  customer: {
    customerId: string;
    profile: ProfileFields;
    phone: string | null;
    phoneVerified: boolean;
    consent: { version: string; accepted: boolean; at: string } | null;
    createdAt: string;
  };
  leads: {
    leadId: string;
    createdAt: string;
    activityId: string | null;
    name: string | null;
    phone: string | null;
    answers: Record<string, string>;
    tags: string[];
    consent: { version: string; accepted: boolean; at: string } | null;
    /** Sales notes are counted, not quoted: "销售备注 N 条". */
    salesNotes: number;
  }[];
  registrations: {
    registrationId: string;
    activityId: string;
    status: string;
    answers: Record<string, string>;
    createdAt: string;
    checkedInAt: string | null;
  }[];
  touches: { at: string; wxScene: number; channelType: string; path: string }[];
  /** The questions of custom answers (kept by field id), from the activities they were asked for. */
  answerLabels: Record<string, string>;
}
