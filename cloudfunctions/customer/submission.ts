import type { LeadFields, ProfileFields } from '../../typings/customer';
import type { CustomField } from '../../typings/customFields';
import { FIELD_CATALOGUE, FIELD_KEYS, type FieldKey } from '../../typings/fields';
import { POLICY_VERSION } from '../../typings/privacy';
import {
  ATTRIBUTION_WINDOW_DAYS,
  type AttributionMemory,
  attributeFromMemory,
  type LeadAttribution,
  memoryOf,
} from '../core/attribution';
import { readCustomAnswers } from '../core/customFields';
import { mergeProfile, missingRequired } from '../core/form';
import type { FunnelCounter } from '../core/funnel';
import { normalizePhone, phoneTail } from '../core/phone';
import { judgeSubmission, submissionNote } from '../core/submissions';
import { pendingCount } from '../repositories/counters';
import {
  type ConsentRecord,
  type CustomerDoc,
  claimVerifiedPhone,
  countLead,
  customerForSubmission,
  mergeCustomer,
  otherHolderOf,
  updateCustomer,
} from '../repositories/customers';
import { insertLead, type LeadDoc, leadById } from '../repositories/leads';
import { pipelineConfig } from '../repositories/pipeline';
import { touchesSince } from '../repositories/touches';
import { deliverDue } from '../runtime/delivery';
import { AppError, fieldError } from '../runtime/errors';
import { assertTextAllowed, exchangePhoneCode } from '../runtime/openapi';
import type { CustomerContext } from './context';
import { routeLead } from './routing';

export const SUBMISSIONS_PER_MINUTE = 10;

export interface Submission {
  fields: LeadFields;
  consent?: { version: string; accepted: boolean };
  /** The fields the form asked: the activity's, or a general inquiry's. */
  formFields: readonly FieldKey[];
  /** The activity's own questions (their answers are checked against these). */
  customFields?: readonly CustomField[];
}

export interface PreparedSubmission {
  profile: ProfileFields;
  /** The customer's number, or the one typed now when they had none. */
  phone: string | null;
  consent: ConsentRecord;
  answers: Record<string, string>;
}

const PROFILE_KEYS = ['name', 'company', 'industry', 'role', 'city', 'store'] as const;

/**
 * Starts a submission: the caller's customer, read by the request that notes the submission on
 * it. `replay` says its request id was seen before (its first result may be stored);
 * `assertWithinLimit` refuses the eleventh request of a minute, and is called only once a paid
 * one-tap number is kept.
 */
export async function startSubmission(ctx: CustomerContext, requestId: string) {
  const { customer, recent } = await customerForSubmission(
    ctx.db,
    ctx.caller.openid,
    ctx.caller.unionid,
    ctx.now,
    submissionNote(requestId, ctx.now),
  );
  const { replay, withinLimit } = judgeSubmission(recent, requestId, ctx.now, SUBMISSIONS_PER_MINUTE);
  return {
    customer,
    replay,
    assertWithinLimit(): void {
      if (!withinLimit) throw new AppError('RATE_LIMITED', '提交太频繁了，请一分钟后再试');
    },
  };
}

/**
 * Exchanges a one-tap phone code and keeps the verified number on the customer at once, before
 * anything that can still refuse the call (rate limit, content check, a full activity): WeChat
 * charges for the number when the customer taps the button, so a code thrown away is paid twice.
 * Only a number verified by WeChat says who someone is: one another customer verified means the
 * same person under a second openid, merged into that customer (the survivor is answered).
 * Without consent nothing is kept (the call is refused for it next).
 */
export async function keepVerifiedPhone(
  ctx: CustomerContext,
  customer: CustomerDoc,
  submission: Pick<Submission, 'fields' | 'consent'>,
): Promise<CustomerDoc> {
  const code = submission.fields.phoneCode;
  const consent = consentOf(ctx, customer, submission.consent);
  if (!code || customer.phoneVerified || !consent) return customer;
  const phone = normalizePhone(await exchangePhoneCode(code));
  if (!phone) throw fieldError('fields.phoneCode', '该微信绑定的手机号无法使用，请手动填写');
  const holder = await claimVerifiedPhone(ctx.db, phone, customer._id, ctx.now);
  if (holder) {
    await mergeCustomer(ctx.db, customer, holder, ctx.now);
    return holder;
  }
  const kept = { phone, phoneVerified: true, consent, updatedAt: ctx.now };
  await updateCustomer(ctx.db, customer._id, kept);
  return { ...customer, ...kept };
}

/** The consent in force: held at the current version, or given with this submission (then now). */
function consentOf(
  ctx: CustomerContext,
  customer: CustomerDoc,
  given: Submission['consent'],
): ConsentRecord | null {
  if (customer.consent?.accepted === true && customer.consent.version === POLICY_VERSION)
    return customer.consent;
  if (given?.accepted === true && given.version === POLICY_VERSION)
    return { version: POLICY_VERSION, accepted: true, at: ctx.now };
  return null;
}

/**
 * Checks a submission against what we hold, cheapest refusal first: consent, required fields,
 * phone format, content security, and only then the paid phone-number exchange (skipped when we
 * already hold the number).
 */
export async function prepareSubmission(
  ctx: CustomerContext,
  customer: CustomerDoc,
  submission: Submission,
): Promise<PreparedSubmission> {
  const consent = consentOf(ctx, customer, submission.consent);
  if (!consent) throw new AppError('CONSENT_REQUIRED');
  const { fields } = submission;
  const known = {
    profile: customer.profile,
    phone: customer.phone,
    consentVersion: customer.consent?.version ?? null,
  };
  const customFields = submission.customFields ?? [];
  const stores =
    fields.store !== undefined || customFields.some((f) => f.type === 'store')
      ? (await pipelineConfig(ctx.db, ctx.now)).stores
      : [];
  const custom = readCustomAnswers(customFields, fields, stores);
  const errors = [
    ...missingRequired(submission.formFields, known, fields).map((key) => ({
      path: `fields.${key}`,
      message: `请填写${FIELD_CATALOGUE[key].label}`,
    })),
    ...custom.errors,
  ];
  if (errors.length > 0) throw new AppError('INVALID_INPUT', errors[0].message, errors);
  if (fields.store !== undefined && stores.length > 0 && !stores.includes(fields.store))
    throw fieldError('fields.store', '请从列表中选择意向门店');
  let phone = customer.phone;
  if (!phone && fields.phone && !fields.phoneCode) {
    phone = normalizePhone(fields.phone);
    if (!phone) throw fieldError('fields.phone', '手机号格式不正确，请填写 11 位手机号');
  }
  // Text already stored in the profile passed the check when it was stored.
  const profile = customer.profile as Record<string, string | undefined>;
  const freeTexts = (Object.keys(FIELD_CATALOGUE) as FieldKey[])
    .filter((key) => {
      const value = fields[key as keyof LeadFields];
      return FIELD_CATALOGUE[key].freeText && typeof value === 'string' && value !== profile[key];
    })
    .map((key) => ({ path: `fields.${key}`, text: fields[key as keyof LeadFields] as string }));
  await assertTextAllowed(ctx.caller.openid, [...freeTexts, ...custom.freeTexts]);
  const submittedProfile = Object.fromEntries(
    PROFILE_KEYS.filter((key) => fields[key] !== undefined).map((key) => [key, fields[key]]),
  ) as ProfileFields;
  // The catalogue's answers and the checked custom ones: nothing else a caller sent is kept.
  const answers = {
    ...Object.fromEntries(
      FIELD_KEYS.filter((key) => key !== 'phone' && typeof fields[key] === 'string').map((key) => [
        key,
        fields[key] as string,
      ]),
    ),
    ...custom.answers,
  };
  return {
    profile: mergeProfile(customer.profile, submittedProfile),
    phone,
    consent,
    answers,
  };
}

export interface SavedSubmitter {
  /** The customer as it is once the lead is stored (the rules read its counts). */
  customer: CustomerDoc;
  /** What the submission taught us about the person, written with the lead (nothing on failure). */
  learned: Partial<CustomerDoc>;
  /** The person had left a lead before (or is an earlier customer under a second openid). */
  repeat: boolean;
  /** Another customer holds the number this one typed: a person decides whether they are one. */
  possibleDuplicateOf: string | null;
  attribution: LeadAttribution;
}

/**
 * Works out what the submission taught us about the person; a profile is saved at once, a lead's
 * or a join's lessons are saved with its lead (`captureLead`). A verified number was kept (and a
 * second openid merged) by `keepVerifiedPhone` before; a typed number stays on the caller's own
 * customer, unverified, and never changes who the caller is; if someone else holds it, the lead is
 * flagged for a person to review.
 */
export async function saveSubmitter(
  ctx: CustomerContext,
  customer: CustomerDoc,
  prepared: PreparedSubmission,
  purpose: 'profile' | 'lead' | 'join',
  attribution: LeadAttribution,
): Promise<SavedSubmitter> {
  // A number new to this customer was typed (a verified one was kept before): it claims nothing.
  const typedPhone = prepared.phone !== customer.phone ? prepared.phone : null;
  const possibleDuplicateOf = typedPhone ? await otherHolderOf(ctx.db, typedPhone, customer._id) : null;
  const learned: Partial<CustomerDoc> = {
    profile: mergeProfile(customer.profile, prepared.profile),
    phone: prepared.phone,
    consent: prepared.consent,
    updatedAt: ctx.now,
  };
  if (purpose === 'profile') await updateCustomer(ctx.db, customer._id, learned);
  const updated = { ...customer, ...learned };
  return {
    customer: purpose === 'profile' ? updated : withLead(updated, ctx.now, purpose === 'join'),
    learned,
    repeat: customer.lastLeadAt !== null,
    possibleDuplicateOf,
    attribution,
  };
}

/** The customer as it is once a lead of theirs is stored (the rules read these counts). */
export function withLead(customer: CustomerDoc, at: Date, joined: boolean): CustomerDoc {
  return {
    ...customer,
    lastLeadAt: at,
    leadCount: (customer.leadCount ?? 0) + 1,
    joinCount: (customer.joinCount ?? 0) + (joined ? 1 : 0),
  };
}

export async function currentAttribution(
  ctx: Pick<CustomerContext, 'db' | 'now'>,
  customer: CustomerDoc,
): Promise<LeadAttribution> {
  return attributeFromMemory(await attributionMemory(ctx, customer), customer.firstTouch, ctx.now);
}

/** The customer's attribution memory; one kept from before it existed is rebuilt from their touches. */
export async function attributionMemory(
  ctx: Pick<CustomerContext, 'db' | 'now'>,
  customer: CustomerDoc,
): Promise<AttributionMemory> {
  if (customer.attribution) return customer.attribution;
  const since = new Date(ctx.now.getTime() - ATTRIBUTION_WINDOW_DAYS * 86_400_000);
  return memoryOf(await touchesSince(ctx.db, customer._id, since), ctx.now);
}

/**
 * Writes the lead (once per request id) with its attribution, then counts it on its customer
 * and in the funnel: nothing is counted for a lead that was not stored.
 */
export async function captureLead(
  ctx: Pick<CustomerContext, 'db' | 'now'>,
  saved: SavedSubmitter,
  prepared: PreparedSubmission,
  lead: {
    leadId: string;
    requestKey: string;
    activityId: string | null;
    activityTitle: string | null;
    source: LeadDoc['source'];
  },
  counted: Partial<Record<FunnelCounter, number>> = {},
): Promise<LeadDoc> {
  const { customer, repeat } = saved;
  const { last, first } = saved.attribution;
  const captured: LeadDoc = {
    _id: lead.leadId,
    requestKey: lead.requestKey,
    customerId: customer._id,
    activityId: lead.activityId,
    source: lead.source,
    name: prepared.profile.name ?? null,
    phone: customer.phone,
    phoneTail: phoneTail(customer.phone),
    phoneVerified: customer.phoneVerified,
    answers: prepared.answers,
    consent: prepared.consent,
    channel: last.channelId,
    channelType: last.channelType,
    codeId: last.codeId,
    staffId: last.staffId,
    storeId: last.storeId,
    referrerCustomerId: last.referrerCustomerId,
    wxScene: last.wxScene,
    firstTouch: first,
    lastTouch: last,
    duplicate: repeat,
    possibleDuplicate: saved.possibleDuplicateOf !== null,
    possibleDuplicateOf: saved.possibleDuplicateOf,
    tags: [],
    score: 0,
    mql: false,
    ownerId: null,
    assignedBy: null,
    escalatedAt: null,
    status: 'new',
    statusHistory: [{ status: 'new', at: ctx.now, by: 'customer' }],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  const routed = await routeLead(ctx.db, captured, customer, lead.activityTitle, ctx.now);
  const { messages } = routed;
  const doc: LeadDoc = {
    ...routed.lead,
    pendingCount: pendingCount({
      at: ctx.now,
      cell: { channelId: last.channelId, staffId: last.staffId, activityId: lead.activityId },
      counters: {
        leads: 1,
        ...(routed.lead.ownerId ? { assigned: 1 } : {}),
        ...(routed.lead.mql ? { mql: 1 } : {}),
        ...counted,
      },
    }),
  };
  const giveBack = () =>
    routed.giveBack().catch((error) => console.error('daily-cap place not given back', error));
  let stored: boolean;
  try {
    stored = await insertLead(ctx.db, doc, messages);
  } catch (error) {
    await giveBack();
    throw error;
  }
  if (!stored) {
    await giveBack();
    const earlier = await leadById(ctx.db, lead.leadId);
    if (earlier) return earlier;
  } else {
    await countLead(ctx.db, customer._id, saved.learned, {
      at: ctx.now,
      joinedActivityId: lead.source === 'activity' ? lead.activityId : null,
      ownerId: doc.ownerId,
    });
  }
  // Try at once so sales hear within seconds; what fails here the dispatch timer retries.
  if (messages.length > 0) {
    const { settings } = await pipelineConfig(ctx.db, ctx.now);
    await deliverDue(
      ctx.db,
      settings,
      ctx.now,
      messages.map((m) => m._id),
    ).catch((error) => console.error('immediate delivery failed; dispatch will retry', error));
  }
  return doc;
}
