import type { ActivitySummary, MyData, RegistrationSummary, SessionData } from '../../typings/customer';
import { POLICY_VERSION, PRIVACY_NOTICE } from '../../typings/privacy';
import { maskPhone } from '../core/phone';
import type { ActivityDoc } from '../repositories/activities';
import type { CustomerDoc } from '../repositories/customers';
import type { RegistrationDoc } from '../repositories/registrations';

/** Answers are plain JSON: dates as ISO strings, no internal fields. */
export function activitySummary(activity: ActivityDoc, now: Date): ActivitySummary {
  return {
    activityId: activity._id,
    title: activity.title,
    startAt: activity.startAt.toISOString(),
    endAt: activity.endAt.toISOString(),
    place: activity.place,
    capacity: activity.capacity,
    remaining: Math.max(0, activity.remaining),
    status: activity.status,
    closed: isClosed(activity, now),
    ...(activity.coverUrl ? { coverUrl: activity.coverUrl } : {}),
  };
}

export function isClosed(activity: ActivityDoc, now: Date): boolean {
  return activity.status !== 'published' || activity.deadline.getTime() < now.getTime();
}

export function registrationSummary(
  registration: RegistrationDoc,
  activity: ActivityDoc | undefined,
): RegistrationSummary {
  return {
    registrationId: registration._id,
    activityId: registration.activityId,
    title: activity?.title ?? '活动已下线',
    startAt: activity?.startAt.toISOString() ?? '',
    place: activity?.place ?? '',
    status: registration.status,
    checkinCode: registration.checkinCode,
    reminderSet: registration.reminder !== null && registration.reminder !== undefined,
    createdAt: registration.createdAt.toISOString(),
  };
}

export function sessionOf(customer: CustomerDoc, isStaff: boolean): SessionData {
  const consent = customer.consent;
  return {
    customerId: customer._id,
    hasPhone: customer.phone !== null,
    phoneMasked: maskPhone(customer.phone),
    consent: {
      version: consent?.version ?? null,
      accepted: consent?.accepted === true && consent.version === POLICY_VERSION,
      currentVersion: POLICY_VERSION,
    },
    policy: { version: POLICY_VERSION, ...PRIVACY_NOTICE },
    isStaff,
    profile: customer.profile,
  };
}

const isoOf = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
const consentView = (consent: { version: string; accepted: boolean; at: Date } | null | undefined) =>
  consent
    ? { version: consent.version, accepted: consent.accepted, at: new Date(consent.at).toISOString() }
    : null;

/** "My data": everything held about the person, none of our internal workflow. */
export function myDataOf(
  customer: CustomerDoc,
  records: { leads: any[]; registrations: any[]; touches: any[]; counts: MyData['counts'] },
  answerLabels: MyData['answerLabels'],
): MyData {
  return {
    answerLabels,
    counts: records.counts,
    customer: {
      customerId: customer._id,
      profile: customer.profile,
      phone: customer.phone,
      phoneVerified: customer.phoneVerified,
      consent: consentView(customer.consent),
      createdAt: customer.createdAt.toISOString(),
    },
    leads: records.leads.map((lead) => ({
      leadId: lead._id,
      createdAt: new Date(lead.createdAt).toISOString(),
      activityId: lead.activityId ?? null,
      name: lead.name ?? null,
      phone: lead.phone ?? null,
      answers: lead.answers ?? {},
      tags: lead.tags ?? [],
      consent: consentView(lead.consent),
      salesNotes: (lead.notes ?? []).length,
    })),
    registrations: records.registrations.map((r) => ({
      registrationId: r._id,
      activityId: r.activityId,
      status: r.status,
      answers: r.answers ?? {},
      createdAt: new Date(r.createdAt).toISOString(),
      checkedInAt: isoOf(r.checkedInAt),
    })),
    touches: records.touches.map((t) => ({
      at: new Date(t.at).toISOString(),
      wxScene: t.wxScene,
      channelType: t.channelType,
      path: t.path ?? '',
    })),
  };
}
