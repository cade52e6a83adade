import type { FormField, LeadForm } from '../../../typings/customer';
import { copy } from '../../copy';
import { phoneButtonUsable, readPhoneEvent, rememberQuotaExhausted } from '../../services/phone';
import {
  answerPrivacy,
  openPrivacyContract,
  privacyAgreementNeeded,
  registerPrompt,
  requirePrivacy,
} from '../../services/privacy';
import { fieldLabel, formState, isBlank, localErrors, type Values } from './rules';

/**
 * The one form every submission uses (an inquiry or an activity sign-up). It asks only the fields
 * the server says are missing, shows what is already known, keeps submit disabled until consent
 * is ticked, and while the phone is still needed offers WeChat's phone button as the submit button,
 * enabled only once everything else is valid (rules.ts), with typing the number as a choice beside
 * it. It hosts the platform's privacy prompt (services/privacy.ts) for the nickname and phone.
 * Emits `submit` with `{fields, consent, viaTap}` (`viaTap`: a plain tap, where WeChat lets the
 * page ask for a subscribe message; false when the phone button's callback submitted).
 */
interface ShownField extends FormField {
  displayLabel: string;
  value: string;
  error: string;
  optionIndex: number;
  placeholder: string;
  /** A custom single choice with few options is a radio group (all visible, one tap); else a picker. */
  radio: boolean;
  /** Each option with whether it is ticked (radio and multiple choice). */
  choices: { option: string; checked: boolean }[];
}

/** A choice is shown as a radio group up to this many options. */
const RADIO_MAX = 6;

function shownFields(form: LeadForm | null, values: Values, errors: Record<string, string>): ShownField[] {
  return (form?.fields ?? [])
    .filter((field) => field.key !== 'phone')
    .map((field) => {
      const entered = values[field.key] ?? '';
      const ticked = Array.isArray(entered) ? entered : [entered];
      const value = Array.isArray(entered) ? entered.join('、') : entered;
      return {
        ...field,
        displayLabel: fieldLabel(field),
        value,
        error: errors[field.key] ?? '',
        optionIndex: field.options ? field.options.indexOf(value) : -1,
        placeholder:
          field.options || field.kind === 'date'
            ? copy.form.choose(field.label)
            : field.kind === 'nickname'
              ? copy.form.nicknamePlaceholder
              : '',
        radio: Boolean(field.custom && field.kind === 'choice' && (field.options?.length ?? 0) <= RADIO_MAX),
        choices: (field.options ?? []).map((option) => ({ option, checked: ticked.includes(option) })),
      };
    });
}

/** The nickname or the phone button: what waits for WeChat's privacy agreement. */
function usesPrivacyComponents(form: LeadForm | null): boolean {
  return Boolean(form?.fields.some((f) => f.key === 'phone' || f.kind === 'nickname'));
}

Component({
  properties: {
    form: { type: Object, value: null as unknown as LeadForm },
    /** Errors from the server, by field key. */
    errors: { type: Object, value: {} as Record<string, string> },
    submitText: { type: String, value: '' },
    phoneSubmitText: { type: String, value: '' },
    busy: { type: Boolean, value: false },
  },
  data: {
    text: {
      known: copy.form.known,
      phoneLabel: copy.form.phoneLabel,
      phonePlaceholder: copy.form.phonePlaceholder,
      phoneManual: copy.form.phoneManual,
      consentLead: copy.form.consentLead,
      policy: copy.form.policy,
      purpose: copy.form.purpose,
      retention: copy.form.retention,
      recipients: copy.form.recipients,
      rights: copy.form.rights,
      version: copy.form.version,
      privacyTitle: copy.form.privacyTitle,
      privacyGuide: copy.form.privacyGuide,
      privacyAgree: copy.form.privacyAgree,
      privacyDecline: copy.form.privacyDecline,
    },
    values: {} as Values,
    localErrors: {} as Record<string, string>,
    /** Server errors the customer has since answered by editing that field. */
    edited: {} as Record<string, boolean>,
    fields: [] as ShownField[],
    manualPhone: false,
    /** The phone button's quota ran out recently on this phone (services/phone.ts). */
    quotaOut: false,
    phoneButton: false,
    phoneAsked: false,
    phoneError: '',
    phoneNotice: '',
    phoneHint: '',
    consent: false,
    showPolicy: false,
    canSubmit: false,
    canUsePhone: false,
    /** The platform still needs the customer's agreement to its privacy guide. */
    privacyNeeded: false,
    /** A privacy API is waiting for the answer right now. */
    privacyAsked: false,
    privacyShown: false,
  },
  lifetimes: {
    attached() {
      if (!phoneButtonUsable()) this.setData({ manualPhone: true, quotaOut: true });
      const self = this as unknown as { unregisterPrompt?: () => void };
      self.unregisterPrompt = registerPrompt(() => {
        this.setData({ privacyAsked: true });
        this.refresh();
      });
      privacyAgreementNeeded().then((needed) => {
        this.setData({ privacyNeeded: needed });
        this.refresh();
      });
    },
    detached() {
      (this as unknown as { unregisterPrompt?: () => void }).unregisterPrompt?.();
    },
  },
  observers: {
    'form, busy': function () {
      this.refresh();
    },
    errors(errors: Record<string, string>) {
      // The number behind the WeChat button could not be used: typing it is the way on.
      this.setData({ edited: {}, ...(errors.phoneCode ? { manualPhone: true } : {}) });
      this.refresh();
    },
  },
  methods: {
    refresh() {
      const form = this.data.form as LeadForm | null;
      const edited = this.data.edited as Record<string, boolean>;
      const serverErrors = Object.fromEntries(
        Object.entries(this.data.errors as Record<string, string>).filter(
          ([key]) => !edited[key === 'phoneCode' ? 'phone' : key],
        ),
      );
      const errors = { ...serverErrors, ...this.data.localErrors };
      const state = formState({
        form,
        values: this.data.values,
        consent: this.data.consent,
        busy: this.data.busy,
        manualPhone: this.data.manualPhone,
      });
      const phoneAsked = Boolean(form?.fields.some((f) => f.key === 'phone'));
      this.setData({
        ...state,
        ...(this.data.quotaOut && phoneAsked && !this.data.phoneNotice
          ? { phoneNotice: copy.form.phoneQuota }
          : {}),
        fields: shownFields(form, this.data.values, errors),
        phoneAsked,
        phoneError: errors.phone ?? errors.phoneCode ?? '',
        privacyShown: this.data.privacyAsked || (this.data.privacyNeeded && usesPrivacyComponents(form)),
      });
    },
    setValue(key: string, value: string | string[], error = '') {
      const { [key]: _cleared, ...localErrors } = this.data.localErrors as Record<string, string>;
      this.setData({
        values: { ...this.data.values, [key]: value },
        localErrors: error ? { ...localErrors, [key]: error } : localErrors,
        edited: { ...this.data.edited, [key]: true },
      });
      this.refresh();
    },
    onInput(e: WechatMiniprogram.Input) {
      this.setValue(e.currentTarget.dataset.key as string, e.detail.value);
    },
    /** The nickname as it stands when the field loses focus (WeChat then reviews it). */
    onNicknameBlur(e: WechatMiniprogram.InputBlur) {
      this.setValue(e.currentTarget.dataset.key as string, e.detail.value);
    },
    /** WeChat's review of the nickname: a refused one is cleared by WeChat, so clear ours and say why. */
    onNicknameReview(e: {
      currentTarget: { dataset: Record<string, string> };
      detail: { pass: boolean; timeout: boolean };
    }) {
      if (e.detail.pass || e.detail.timeout) return;
      this.setValue(e.currentTarget.dataset.key, '', copy.form.nicknameRejected);
    },
    /** Until the privacy guide is agreed the nickname input is a plain input: ask first. */
    onNicknameFocus() {
      if (this.data.privacyNeeded) requirePrivacy();
    },
    onPick(e: WechatMiniprogram.PickerChange) {
      const key = e.currentTarget.dataset.key as string;
      const field = (this.data.form as LeadForm).fields.find((f) => f.key === key);
      this.setValue(key, field?.options?.[Number(e.detail.value)] ?? '');
    },
    /** A date picker, a radio group (the option itself) or a checkbox group (the options ticked). */
    onChoose(e: {
      currentTarget: { dataset: Record<string, string> };
      detail: { value: string | string[] };
    }) {
      this.setValue(e.currentTarget.dataset.key, e.detail.value);
    },
    onConsent(e: WechatMiniprogram.CheckboxGroupChange) {
      this.setData({ consent: e.detail.value.length > 0 });
      this.refresh();
    },
    onTogglePolicy() {
      this.setData({ showPolicy: !this.data.showPolicy });
    },
    onPrivacyGuide() {
      openPrivacyContract();
    },
    /** `bindagreeprivacyauthorization` of the agree button (id privacy-agree). */
    onPrivacyAgree() {
      answerPrivacy(true);
      this.setData({ privacyNeeded: false, privacyAsked: false });
      this.refresh();
    },
    onPrivacyDecline() {
      answerPrivacy(false);
      const phoneAsked = Boolean((this.data.form as LeadForm | null)?.fields.some((f) => f.key === 'phone'));
      this.setData({
        privacyNeeded: false,
        privacyAsked: false,
        ...(phoneAsked ? { manualPhone: true } : {}),
        phoneNotice: copy.form.privacyDeclined,
      });
      this.refresh();
    },
    onManualPhone() {
      this.setData({ manualPhone: true, phoneNotice: '' });
      this.refresh();
    },
    /** WeChat's phone button: a (paid) code to exchange on the server, or the way to typing it. */
    onPhoneNumber(e: { detail: { code?: string; errno?: number; errMsg?: string } }) {
      // On a device a disabled button delivers nothing; this guards a second delivery while busy.
      if (!this.data.canUsePhone) return;
      const answer = readPhoneEvent(e.detail);
      if (answer.kind === 'code') {
        this.submit({ phoneCode: answer.code }, false);
        return;
      }
      if (answer.kind === 'quota') {
        rememberQuotaExhausted();
        this.setData({ quotaOut: true });
      }
      const notice =
        answer.kind === 'quota'
          ? copy.form.phoneQuota
          : answer.kind === 'declined'
            ? copy.form.phoneDeclined
            : copy.form.phoneFailed;
      this.setData({ manualPhone: true, phoneNotice: notice });
      this.refresh();
    },
    onSubmit() {
      if (!this.data.canSubmit) return;
      this.submit({}, true);
    },
    submit(extra: Values, viaTap: boolean) {
      const form = this.data.form as LeadForm;
      const values = this.data.values as Values;
      const errors = localErrors(form, values, Boolean(extra.phoneCode));
      this.setData({ localErrors: errors });
      this.refresh();
      if (Object.keys(errors).length > 0) return;
      const fields: Values = { ...extra };
      for (const [key, value] of Object.entries(values))
        if (!isBlank(value)) fields[key] = Array.isArray(value) ? value : value.trim();
      this.triggerEvent('submit', {
        fields,
        consent: form.consentRequired
          ? { version: form.policy.version, accepted: this.data.consent }
          : undefined,
        viaTap,
      });
    },
  },
});
