import type { FormField, LeadForm } from '../../../typings/customer';
import { copy } from '../../copy';

/**
 * The form's decisions, kept apart from the component so they are tested without a renderer.
 * The money rule: WeChat charges for the phone button when it hands over a code, so the button is
 * enabled only once nothing the phone can check would still refuse the submission; a code is never
 * thrown away by a local check.
 */
/** What the customer entered, by field key: a multiple choice is the options ticked. */
export type Values = Record<string, string | string[]>;

/** Nothing entered: blank text or no option ticked. */
export function isBlank(value: string | string[] | undefined): boolean {
  return Array.isArray(value) ? value.length === 0 : !value?.trim();
}

/** Fields picked rather than typed say 请选择. */
const picked = (field: Pick<FormField, 'kind' | 'options'>) =>
  Boolean(field.options) || field.kind === 'date' || field.kind === 'multichoice';

/** A WeChat nickname is not a name: the field says which one the customer gives. */
export function fieldLabel(field: Pick<FormField, 'kind' | 'label'>): string {
  return field.kind === 'nickname' ? copy.form.nicknameLabel : field.label;
}

function normalPhone(value: string): string {
  return value.replace(/[\s-]/g, '').replace(/^\+?86/, '');
}

/** Local errors by field key; with `phoneByCode` the phone is WeChat's to give, not typed. */
export function localErrors(form: LeadForm, values: Values, phoneByCode: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of form.fields) {
    if (field.key === 'phone') {
      const value = String(values.phone ?? '').trim();
      if (phoneByCode) continue;
      if (!value) errors.phone = copy.form.required(field.label);
      else if (field.pattern && !new RegExp(field.pattern).test(normalPhone(value)))
        errors.phone = copy.form.phoneFormat;
      continue;
    }
    if (field.required && isBlank(values[field.key]))
      errors[field.key] = picked(field)
        ? copy.form.choose(field.label)
        : copy.form.required(fieldLabel(field));
  }
  return errors;
}

export interface FormState {
  /** The phone is still needed and WeChat's button is offered for it. */
  phoneButton: boolean;
  /** The plain submit button (validation on tap shows what is missing). */
  canSubmit: boolean;
  /** WeChat's phone button: only when a code would be used at once. */
  canUsePhone: boolean;
  /** Why the phone button is not usable yet, for the line under it. */
  phoneHint: string;
}

export function formState(input: {
  form: LeadForm | null;
  values: Values;
  consent: boolean;
  busy: boolean;
  manualPhone: boolean;
}): FormState {
  const { form, values, consent, busy, manualPhone } = input;
  if (!form) return { phoneButton: false, canSubmit: false, canUsePhone: false, phoneHint: '' };
  const consentOk = !form.consentRequired || consent;
  const phoneButton = form.fields.some((f) => f.key === 'phone') && !manualPhone;
  const missing = Object.keys(localErrors(form, values, true)).map((key) => {
    const field = form.fields.find((f) => f.key === key);
    return field ? fieldLabel(field) : key;
  });
  const canSubmit = consentOk && !busy;
  const ready = missing.length === 0 && consentOk;
  return {
    phoneButton,
    canSubmit,
    canUsePhone: phoneButton && canSubmit && ready,
    phoneHint: phoneButton && !ready ? copy.form.phoneHint(missing, !consentOk) : '',
  };
}
