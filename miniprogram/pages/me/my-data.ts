import type { MyData } from '../../../typings/customer';
import { copy } from '../../copy';
import { formatTime } from '../../services/format';

/** One lead or sign-up as the customer reads it: when and for what, then what we keep of it. */
export interface HeldRecord {
  key: string;
  heading: string;
  lines: string[];
}

/** "My data" as the page shows it: everything `myData` holds, in the customer's words. */
export interface MyDataView {
  summary: string[];
  /** Leads, then sign-ups; a kind we hold none of is left out. */
  sections: { kind: 'lead' | 'registration'; title: string; records: HeldRecord[] }[];
  /** Said only when we hold more records than the newest ones listed. */
  shownNote: string;
}

const answerText = (value: unknown) => (Array.isArray(value) ? value.join('、') : String(value));
const answered = (value: unknown) =>
  value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);

/**
 * `labels`: the questions of custom answers; `shown`: keys already listed from the record's own
 * fields (a lead's name and phone).
 */
function answerLines(answers: Record<string, unknown>, labels: Record<string, string>, shown: string[] = []) {
  return Object.entries(answers)
    .filter(([key, value]) => answered(value) && !shown.includes(key))
    .map(
      ([key, value]) =>
        `${copy.me.fieldLabels[key] ?? labels[key] ?? copy.me.otherAnswer}：${answerText(value)}`,
    );
}

function consentLine(consent: MyData['customer']['consent']): string {
  if (!consent) return copy.me.consentNone;
  return consent.accepted
    ? copy.me.consentGiven(consent.version, formatTime(consent.at))
    : copy.me.consentWithdrawn(formatTime(consent.at));
}

/**
 * `titles` names the activities the customer signed up for (their sign-up list has them); a lead
 * for an activity they never joined is called an activity lead without a title.
 */
export function myDataView(data: MyData, titles: Record<string, string>): MyDataView {
  const { customer, counts } = data;
  const titleOf = (activityId: string | null) =>
    activityId ? (titles[activityId] ?? copy.me.activityLead) : copy.me.enquiry;
  const phone = customer.phone
    ? `${customer.phone}（${customer.phoneVerified ? copy.me.phoneVerified : copy.me.phoneTyped}）`
    : copy.me.noPhone;
  const leads = data.leads.map((lead) => ({
    key: lead.leadId,
    heading: `${formatTime(lead.createdAt)} · ${titleOf(lead.activityId)}`,
    lines: [
      ...(lead.name ? [`${copy.me.fieldLabels.name}：${lead.name}`] : []),
      ...(lead.phone ? [`${copy.me.phone}：${lead.phone}`] : []),
      ...answerLines(lead.answers, data.answerLabels, ['name', 'phone']),
      ...(lead.tags.length ? [`${copy.me.tags}：${lead.tags.join('、')}`] : []),
      // Sales notes are ours to count and theirs to know about, not quoted (they may name others).
      ...(lead.salesNotes ? [copy.me.salesNotes(lead.salesNotes)] : []),
    ],
  }));
  const registrations = data.registrations.map((registration) => ({
    key: registration.registrationId,
    heading: `${formatTime(registration.createdAt)} · ${titleOf(registration.activityId)} · ${
      copy.me.status[registration.status] ?? registration.status
    }`,
    lines: [
      ...answerLines(registration.answers, data.answerLabels),
      ...(registration.checkedInAt ? [copy.me.checkedInAt(formatTime(registration.checkedInAt))] : []),
    ],
  }));
  const listedAll = counts.leads <= leads.length && counts.registrations <= registrations.length;
  return {
    summary: [
      ...Object.entries(customer.profile)
        .filter(([, value]) => answered(value))
        .map(([key, value]) => `${copy.me.fieldLabels[key] ?? key}：${value}`),
      `${copy.me.phone}：${phone}`,
      consentLine(customer.consent),
      copy.me.dataCounts(counts.leads, counts.registrations, counts.touches),
    ],
    sections: [
      { kind: 'lead' as const, title: copy.me.leadsHeld, records: leads },
      { kind: 'registration' as const, title: copy.me.registrationsHeld, records: registrations },
    ].filter((section) => section.records.length > 0),
    shownNote: listedAll ? '' : copy.me.newestShown(Math.max(leads.length, registrations.length)),
  };
}
