// The customer function: everything a customer does in the mini program. Each action is a row
// of {schema, handler}; identity comes only from the WeChat context (see context.ts).
import { customerRequestSchemas as schemas } from '../../typings/customer';
import { customAnswerColumns } from '../../typings/customFields';
import { INQUIRY_FIELDS } from '../../typings/fields';
import {
  codeValueOf,
  enteredToday,
  type LeadAttribution,
  nextOwnership,
  rememberTouch,
  resolveTouch,
} from '../core/attribution';
import { isSceneValue } from '../core/codes';
import { buildLeadForm } from '../core/form';
import { sharePath } from '../core/share';
import {
  type ActivityDoc,
  activitiesByIds,
  activityById,
  giveSeatBack,
  takeSeat,
  upcomingActivities,
} from '../repositories/activities';
import { resolveCode, staffByOpenid } from '../repositories/codes';
import { audit, firstToday } from '../repositories/counters';
import {
  type CustomerDoc,
  createCustomer,
  customerById,
  customerByShareToken,
  customerForOpenid,
  newCustomer,
  releasePhone,
  removeCustomer,
  storedCustomer,
  updateCustomer,
} from '../repositories/customers';
import { leadById } from '../repositories/leads';
import { pipelineConfig } from '../repositories/pipeline';
import { anonymizeRecords, recordsOf } from '../repositories/privacy';
import {
  insertRegistration,
  moveRegistration,
  type RegistrationDoc,
  registrationById,
  registrationByRequest,
  registrationsOf,
} from '../repositories/registrations';
import { recordTouch } from '../repositories/touches';
import { AppError } from '../runtime/errors';
import { qrDataUrl } from '../runtime/qr';
import { action, createRouter } from '../runtime/router';
import { randomId, stableId } from '../runtime/store';
import { advisorContact } from './advisor';
import { type CustomerContext, establishCustomer } from './context';
import { captureJoinLead, completeJoinLead } from './joins';
import {
  attributionMemory,
  captureLead,
  currentAttribution,
  keepVerifiedPhone,
  type PreparedSubmission,
  prepareSubmission,
  saveSubmitter,
  startSubmission,
} from './submission';
import { activitySummary, isClosed, myDataOf, registrationSummary, sessionOf } from './views';

const me = (ctx: CustomerContext) =>
  customerForOpenid(ctx.db, ctx.caller.openid, ctx.caller.unionid, ctx.now);

async function publishedActivity(ctx: CustomerContext, activityId: string) {
  const activity = await activityById(ctx.db, activityId);
  if (!activity || activity.status === 'draft') throw new AppError('NOT_FOUND', '活动不存在或已下线');
  return activity;
}

/** A form view counts once per customer, form and day: reopening a page does not inflate the funnel. */
async function countFormView(ctx: CustomerContext, customer: CustomerDoc, activityId: string | null) {
  const { last } = await currentAttribution(ctx, customer);
  await firstToday(ctx.db, ['formView', customer._id, activityId ?? 'inquiry'], ctx.now, {
    at: ctx.now,
    cell: { channelId: last.channelId, staffId: last.staffId, activityId },
    counters: { formViews: 1 },
  });
}

/** What the form may skip: the profile, the phone and consent still in force. */
const knownOf = (customer: CustomerDoc) => ({
  profile: customer.profile,
  phone: customer.phone,
  consentVersion: customer.consent?.accepted ? customer.consent.version : null,
});

/** A request id names one request of one action: the same id in another action is another lead. */
const leadIdOf = (ctx: CustomerContext, actionName: 'submitLead' | 'joinActivity', requestId: string) =>
  stableId('lead', actionName, ctx.caller.openid, requestId);

/** A replay answers the first request's result only when it asks for the same thing. */
function assertSameTarget(stored: string | null, asked: string | null) {
  if (stored !== asked)
    throw new AppError('INVALID_INPUT', '这个请求编号已用于另一次提交，请刷新页面后重试', [
      { path: 'requestId', message: '请求编号已用于另一次提交' },
    ]);
}

function joinAnswer(registration: RegistrationDoc, duplicate: boolean) {
  return { registrationId: registration._id, checkinCode: registration.checkinCode, duplicate };
}

/**
 * Writes the joiner's registration, naming its lead, for a seat already taken. `stored` is false
 * when a concurrent join of the same customer won: the caller then gives the seat back.
 */
async function fillSeat(
  ctx: CustomerContext,
  join: {
    requestKey: string;
    leadId: string;
    registrationId: string;
    existing: RegistrationDoc | null;
    customer: CustomerDoc;
    activity: ActivityDoc;
    prepared: PreparedSubmission;
    attribution: LeadAttribution;
    input: { reminderTemplateId?: string };
  },
) {
  const saved = await saveSubmitter(ctx, join.customer, join.prepared, 'join', join.attribution);
  const { registrationId, existing } = join;
  const { last } = saved.attribution;
  const seat = {
    requestKey: join.requestKey,
    status: 'joined' as const,
    checkinCode: randomId(9),
    answers: join.prepared.answers,
    reminder: join.input.reminderTemplateId
      ? { templateId: join.input.reminderTemplateId, sentAt: null }
      : null,
    staffId: last.staffId,
    channel: last.channelId,
    updatedAt: ctx.now,
    checkedInAt: null,
    checkedInBy: null,
    leadId: join.leadId,
    // Saved on the customer with the lead; kept here so a lead made after a crash has it (joins.ts).
    learned: { profile: join.prepared.profile, phone: join.prepared.phone, consent: join.prepared.consent },
  };
  // A cancelled registration is taken up again; otherwise a new one, once per customer and activity.
  const registration: RegistrationDoc = existing
    ? { ...existing, ...seat }
    : {
        ...seat,
        _id: registrationId,
        activityId: join.activity._id,
        customerId: saved.customer._id,
        createdAt: ctx.now,
      };
  const stored = existing
    ? await moveRegistration(ctx.db, registrationId, 'cancelled', seat)
    : await insertRegistration(ctx.db, registration);
  if (stored) return { stored, registration, ...saved };
  // A concurrent join of the same customer won, or the request id was used for another activity.
  const winner =
    (await registrationById(ctx.db, registrationId)) ??
    (await registrationByRequest(ctx.db, join.requestKey));
  if (!winner) throw new Error(`registration ${registrationId} lost`);
  assertSameTarget(winner.activityId, join.activity._id);
  return { stored, registration: winner, ...saved };
}

const actions = {
  touch: action(schemas.touch, async ({ entry }, ctx: CustomerContext) => {
    const codeValue = codeValueOf(entry.query);
    const [stored, code, referrer] = await Promise.all([
      storedCustomer(ctx.db, ctx.caller.openid),
      codeValue && isSceneValue(codeValue) ? resolveCode(ctx.db, codeValue) : null,
      !codeValue && entry.query.ref ? customerByShareToken(ctx.db, entry.query.ref) : null,
    ]);
    /** What this entry makes of the customer: its facts, and the customer's changed memory and owner. */
    const learn = async (customer: CustomerDoc) => {
      const facts = resolveTouch(
        { wxScene: entry.scene, query: entry.query },
        {
          code,
          referrer: referrer
            ? { customerId: referrer._id, ownerStaffId: referrer.ownerStaffId, storeId: referrer.storeId }
            : null,
          envId: ctx.caller.envId,
          customerId: customer._id,
        },
        ctx.now,
      );
      // Leads are attributed from this memory on the customer, so capture reads no touches. Two
      // touches of one person at the same instant may each keep only their own: the later write wins.
      const memory = await attributionMemory(ctx, customer);
      const ownership = nextOwnership(customer, facts);
      const storeId =
        ownership && ownership.ownerStaffId !== customer.ownerStaffId ? facts.storeId : customer.storeId;
      return {
        customer,
        facts,
        repeat: enteredToday(memory, facts),
        changes: { ...ownership, attribution: rememberTouch(memory, facts), storeId, updatedAt: ctx.now },
      };
    };
    let seen = await learn(stored ?? newCustomer(ctx.caller.openid, ctx.caller.unionid, ctx.now));
    // A first sight stores the customer with what the entry taught, a request fewer; one stored
    // meanwhile (a concurrent first entry) learns it as any stored customer does.
    const earlier = stored ? null : await createCustomer(ctx.db, { ...seen.customer, ...seen.changes });
    if (earlier) seen = await learn(await customerById(ctx.db, earlier._id).then((c) => c ?? earlier));
    const { customer, facts } = seen;
    const { touchId } = await recordTouch(
      ctx.db,
      { customerId: customer._id, path: entry.path, ...facts },
      seen.repeat,
    );
    if (stored || earlier) await updateCustomer(ctx.db, customer._id, seen.changes);
    return { touchId, activityId: facts.activityId };
  }),

  session: action(schemas.session, async (_input, ctx: CustomerContext) => {
    const [customer, staff] = await Promise.all([me(ctx), staffByOpenid(ctx.db, ctx.caller.openid)]);
    return sessionOf(customer, staff?.active === true);
  }),

  saveProfile: action(schemas.saveProfile, async ({ profile }, ctx: CustomerContext) => {
    const customer = await me(ctx);
    const prepared = await prepareSubmission(ctx, customer, { fields: profile, formFields: [] });
    const saved = await saveSubmitter(
      ctx,
      customer,
      prepared,
      'profile',
      await currentAttribution(ctx, customer),
    );
    const staff = await staffByOpenid(ctx.db, ctx.caller.openid);
    return sessionOf(saved.customer, staff?.active === true);
  }),

  leadForm: action(schemas.leadForm, async ({ activityId }, ctx: CustomerContext) => {
    const customer = await me(ctx);
    const activity = activityId ? await publishedActivity(ctx, activityId) : null;
    await countFormView(ctx, customer, activity?._id ?? null);
    const { stores } = await pipelineConfig(ctx.db, ctx.now);
    return buildLeadForm(
      activity?._id ?? null,
      activity?.fields ?? INQUIRY_FIELDS,
      knownOf(customer),
      stores,
      activity?.customFields,
    );
  }),

  submitLead: action(schemas.submitLead, async (input, ctx: CustomerContext) => {
    const leadId = leadIdOf(ctx, 'submitLead', input.requestId);
    const [started, activity] = await Promise.all([
      startSubmission(ctx, input.requestId),
      input.activityId ? publishedActivity(ctx, input.activityId) : null,
    ]);
    // A replay carrying a one-tap code is answered before the code is exchanged again (WeChat
    // takes a code once); any other replay meets its first lead at the insert, a read fewer.
    const replay = started.replay && input.fields.phoneCode ? await leadById(ctx.db, leadId) : null;
    if (replay) {
      assertSameTarget(replay.activityId, activity?._id ?? null);
      return { leadId, customerId: replay.customerId, duplicate: replay.duplicate };
    }
    // First, before anything can still refuse: a paid one-tap number is never thrown away.
    const customer = await keepVerifiedPhone(ctx, started.customer, input);
    started.assertWithinLimit();
    const attribution = await currentAttribution(ctx, customer);
    const formFields = activity?.fields ?? INQUIRY_FIELDS;
    const prepared = await prepareSubmission(ctx, customer, {
      ...input,
      formFields,
      customFields: activity?.customFields,
    });
    const saved = await saveSubmitter(ctx, customer, prepared, 'lead', attribution);
    const lead = await captureLead(ctx, saved, prepared, {
      leadId,
      requestKey: leadId,
      activityId: activity?._id ?? null,
      activityTitle: activity?.title ?? null,
      source: 'form',
    });
    assertSameTarget(lead.activityId, activity?._id ?? null);
    return { leadId, customerId: lead.customerId, duplicate: lead.duplicate };
  }),

  listActivities: action(schemas.listActivities, async (_input, ctx: CustomerContext) => {
    const items = await upcomingActivities(ctx.db, ctx.now);
    return { items: items.map((activity) => activitySummary(activity, ctx.now)) };
  }),

  getActivity: action(schemas.getActivity, async ({ activityId }, ctx: CustomerContext) => {
    const [customer, activity, { stores }] = await Promise.all([
      me(ctx),
      publishedActivity(ctx, activityId),
      pipelineConfig(ctx.db, ctx.now),
    ]);
    // Someone who never signed up for it has no registration to read.
    const mayHaveJoined = customer.joinedActivityIds?.includes(activity._id) ?? true;
    const [registration] = await Promise.all([
      mayHaveJoined ? registrationById(ctx.db, stableId('registration', activity._id, customer._id)) : null,
      countFormView(ctx, customer, activity._id),
    ]);
    const live = registration && registration.status !== 'cancelled' ? registration : null;
    return {
      ...activitySummary(activity, ctx.now),
      description: activity.description,
      deadline: activity.deadline.toISOString(),
      myRegistration: live ? registrationSummary(live, activity) : null,
      form: buildLeadForm(activity._id, activity.fields, knownOf(customer), stores, activity.customFields),
    };
  }),

  joinActivity: action(schemas.joinActivity, async (input, ctx: CustomerContext) => {
    const requestKey = stableId('join', ctx.caller.openid, input.requestId);
    const [started, activity] = await Promise.all([
      startSubmission(ctx, input.requestId),
      publishedActivity(ctx, input.activityId),
    ]);
    const replay = started.replay ? await registrationByRequest(ctx.db, requestKey) : null;
    if (replay) {
      assertSameTarget(replay.activityId, activity._id);
      // The first attempt may have stored the registration and failed before its lead.
      await completeJoinLead(ctx, replay, activity);
      return joinAnswer(replay, true);
    }
    // First, before a full or closed activity can refuse: a paid one-tap number is never thrown away.
    const customer = await keepVerifiedPhone(ctx, started.customer, {
      fields: input.fields ?? {},
      consent: input.consent,
    });
    started.assertWithinLimit();
    const registrationId = stableId('registration', activity._id, customer._id);
    const joinedBefore = () => registrationById(ctx.db, registrationId);
    // Someone who never signed up for it has no registration to read; a sign-up a crash left
    // without its lead (so not listed yet) is met at the insert.
    const listed = customer.joinedActivityIds?.includes(activity._id) ?? true;
    const [existing, attribution] = await Promise.all([
      listed ? joinedBefore() : null,
      currentAttribution(ctx, customer),
    ]);
    if (existing && existing.status !== 'cancelled') {
      await completeJoinLead(ctx, existing, activity);
      return joinAnswer(existing, true);
    }
    if (isClosed(activity, ctx.now)) throw new AppError('ACTIVITY_CLOSED');
    const prepared = await prepareSubmission(ctx, customer, {
      fields: input.fields ?? {},
      consent: input.consent,
      formFields: activity.fields,
      customFields: activity.customFields,
    });
    if (!(await takeSeat(ctx.db, activity._id, ctx.now))) {
      const unlisted = listed ? null : await joinedBefore();
      if (unlisted && unlisted.status !== 'cancelled') return joinAnswer(unlisted, true);
      throw new AppError('ACTIVITY_FULL');
    }
    const leadId = leadIdOf(ctx, 'joinActivity', input.requestId);
    let seated: Awaited<ReturnType<typeof fillSeat>>;
    try {
      seated = await fillSeat(ctx, {
        requestKey,
        leadId,
        registrationId,
        existing,
        customer,
        activity,
        prepared,
        attribution,
        input,
      });
    } catch (error) {
      await giveSeatBack(ctx.db, activity._id, ctx.now);
      throw error;
    }
    // The seat is someone's now: what follows never gives it back.
    if (!seated.stored) {
      await giveSeatBack(ctx.db, activity._id, ctx.now);
      return joinAnswer(seated.registration, true);
    }
    await captureJoinLead(ctx, seated, prepared, activity, leadId);
    return joinAnswer(seated.registration, false);
  }),

  subscribeReminder: action(
    schemas.subscribeReminder,
    async ({ registrationId, reminderTemplateId }, ctx: CustomerContext) => {
      const customer = await me(ctx);
      // Only the caller's own live sign-up: the reminder is sent to whoever holds it.
      const res = await ctx.db
        .collection('registrations')
        .where({ _id: registrationId, customerId: customer._id, status: 'joined' })
        .update({
          data: {
            reminder: ctx.db.command.set({ templateId: reminderTemplateId, sentAt: null }),
            updatedAt: ctx.now,
          },
        });
      if (res.stats.updated !== 1) throw new AppError('NOT_FOUND', '没有这条报名');
      return { registrationId, reminderSet: true as const };
    },
  ),

  cancelRegistration: action(schemas.cancelRegistration, async ({ registrationId }, ctx: CustomerContext) => {
    const customer = await me(ctx);
    const registration = await registrationById(ctx.db, registrationId);
    if (!registration || registration.customerId !== customer._id)
      throw new AppError('NOT_FOUND', '没有找到这条报名');
    if (registration.status === 'checked_in')
      throw new AppError('INVALID_INPUT', '已签到的报名不能取消', [
        { path: 'registrationId', message: '已签到' },
      ]);
    if (await moveRegistration(ctx.db, registrationId, 'joined', { status: 'cancelled', updatedAt: ctx.now }))
      await giveSeatBack(ctx.db, registration.activityId, ctx.now);
    return { registrationId, status: 'cancelled' as const };
  }),

  myRegistrations: action(schemas.myRegistrations, async (_input, ctx: CustomerContext) => {
    const customer = await me(ctx);
    const registrations = await registrationsOf(ctx.db, customer._id);
    const activities = await activitiesByIds(ctx.db, [...new Set(registrations.map((r) => r.activityId))]);
    const items = await Promise.all(
      registrations.map(async (r) => ({
        ...registrationSummary(r, activities.get(r.activityId)),
        ...(r.status === 'joined' ? { checkinQr: await qrDataUrl(r.checkinCode) } : {}),
      })),
    );
    return { items };
  }),

  myShare: action(schemas.myShare, async ({ activityId }, ctx: CustomerContext) => {
    const customer = await me(ctx);
    const activity = activityId ? await publishedActivity(ctx, activityId) : null;
    return { sharePath: sharePath(activity?._id ?? null, { ref: customer.shareToken }) };
  }),

  advisorContact: action(schemas.advisorContact, advisorContact),

  myData: action(schemas.myData, async (_input, ctx: CustomerContext) => {
    const customer = await me(ctx);
    const records = await recordsOf(ctx.db, customer._id);
    // Custom answers are kept by field id: their questions come from the activities that asked them.
    const activityIds = [...records.leads, ...records.registrations].flatMap((r) =>
      r.activityId ? [r.activityId as string] : [],
    );
    const activities = activityIds.length
      ? await activitiesByIds(ctx.db, [...new Set(activityIds)])
      : new Map();
    const answerLabels = Object.fromEntries(
      customAnswerColumns([...activities.values()]).flatMap((column) =>
        column.keys.map((key) => [key, column.label]),
      ),
    );
    return myDataOf(customer, records, answerLabels);
  }),

  withdrawConsent: action(schemas.withdrawConsent, async (_input, ctx: CustomerContext) => {
    const customer = await me(ctx);
    const version = customer.consent?.version ?? null;
    await updateCustomer(ctx.db, customer._id, {
      consent: { version: version ?? '', accepted: false, at: ctx.now },
      updatedAt: ctx.now,
    });
    // Marked on every lead, so the admin page shows it and no one can reveal or export the phone.
    await ctx.db
      .collection('leads')
      .where({ customerId: customer._id })
      .update({ data: { consentWithdrawnAt: ctx.now } });
    await audit(
      ctx.db,
      {
        actor: `customer:${customer._id}`,
        action: 'consent.withdraw',
        subject: customer._id,
        detail: { version },
      },
      ctx.now,
    );
    return { withdrawn: true as const };
  }),

  deleteMyData: action(schemas.deleteMyData, async (_input, ctx: CustomerContext) => {
    const customer = await me(ctx);
    const anonymousId = `deleted:${randomId(9)}`;
    const counts = await anonymizeRecords(ctx.db, customer._id, anonymousId, ctx.now);
    if (customer.phone) await releasePhone(ctx.db, customer.phone, customer._id);
    await removeCustomer(ctx.db, customer._id);
    // The audit names the anonymous id only: the record of deletion holds no personal data.
    await audit(
      ctx.db,
      { actor: 'customer', action: 'customer.delete', subject: anonymousId, detail: counts },
      ctx.now,
    );
    return { deleted: true as const };
  }),
};

export const main = createRouter<CustomerContext>(actions, establishCustomer);
