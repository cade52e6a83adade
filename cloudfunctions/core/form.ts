import type { FormField, LeadForm, ProfileFields } from '../../typings/customer';
import type { CustomField } from '../../typings/customFields';
import { FIELD_CATALOGUE, type FieldKey, MOBILE_PATTERN } from '../../typings/fields';
import { POLICY_VERSION, PRIVACY_NOTICE } from '../../typings/privacy';
import { customFormField } from './customFields';
import { maskPhone } from './phone';

/** What we already hold about a customer, as far as forms are concerned. */
export interface KnownCustomer {
  profile: ProfileFields;
  phone: string | null;
  consentVersion: string | null;
}

const PROFILE_KEYS = ['name', 'company', 'industry', 'role', 'city', 'store'] as const;

function knownValue(key: FieldKey, customer: KnownCustomer): string | null {
  if (key === 'phone') return maskPhone(customer.phone);
  if (key === 'note') return null;
  return customer.profile[key] ?? null;
}

/**
 * How a field is asked: the store is picked from the open stores, or typed while the chain has
 * set up no store list.
 */
function askedAs(key: FieldKey, stores: readonly string[]): Pick<FormField, 'kind' | 'options'> {
  const spec = FIELD_CATALOGUE[key];
  if (key === 'store') return stores.length > 0 ? { kind: 'choice', options: stores } : { kind: 'text' };
  return { kind: spec.kind, ...(spec.options ? { options: spec.options } : {}) };
}

/**
 * Progressive profiling: the form asks only the fields of the activity (or of a general inquiry)
 * that we do not hold yet, and shows the ones we do. A free-text note is always asked, optional.
 * The activity's own questions (custom fields) follow, always asked: they are about this event.
 */
export function buildLeadForm(
  activityId: string | null,
  fields: readonly FieldKey[],
  customer: KnownCustomer,
  stores: readonly string[] = [],
  customFields: readonly CustomField[] = [],
): LeadForm {
  const asked: FormField[] = [];
  const known: LeadForm['known'] = [];
  for (const key of fields) {
    const spec = FIELD_CATALOGUE[key];
    const value = knownValue(key, customer);
    if (value !== null) {
      known.push({ key, label: spec.label, display: value });
      continue;
    }
    asked.push({
      key,
      label: spec.label,
      ...askedAs(key, stores),
      maxLength: spec.maxLength,
      ...(key === 'phone' ? { pattern: MOBILE_PATTERN.source } : {}),
      required: key !== 'note',
    });
  }
  for (const field of customFields) asked.push(customFormField(field, stores));
  return {
    activityId,
    fields: asked,
    known,
    consentRequired: customer.consentVersion !== POLICY_VERSION,
    policy: { version: POLICY_VERSION, ...PRIVACY_NOTICE },
  };
}

/** Required fields of the form that the submission and the profile together still leave empty. */
export function missingRequired(
  fields: readonly FieldKey[],
  customer: KnownCustomer,
  submitted: Partial<Record<FieldKey, string | undefined>> & { phoneCode?: string },
): FieldKey[] {
  return fields.filter((key) => {
    if (key === 'note') return false;
    if (knownValue(key, customer) !== null) return false;
    if (key === 'phone') return !submitted.phone && !submitted.phoneCode;
    return !submitted[key];
  });
}

/** The profile after a submission: answers fill gaps and update what the customer changed. */
export function mergeProfile(current: ProfileFields, submitted: ProfileFields): ProfileFields {
  const next: ProfileFields = { ...current };
  for (const key of PROFILE_KEYS) {
    const value = submitted[key];
    if (value !== undefined) (next as Record<string, string>)[key] = value;
  }
  return next;
}
