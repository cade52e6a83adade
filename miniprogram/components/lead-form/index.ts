import type { FormField, LeadForm } from '../../../typings/customer';
import { copy } from '../../copy';

/**
 * The one form every submission uses (an inquiry or an activity sign-up). It asks only the fields
 * the server says are missing, shows what is already known, keeps submit disabled until consent
 * is ticked, and turns the submit button into WeChat's one-tap phone button while the phone is
 * still needed: so a new customer needs no typing at all. Emits `submit` with `{fields, consent}`.
 */
type Values = Record<string, string>;

interface ShownField extends FormField {
  value: string;
  error: string;
  optionIndex: number;
  placeholder: string;
}

function shownFields(form: LeadForm | null, values: Values, errors: Record<string, string>): ShownField[] {
  return (form?.fields ?? [])
    .filter((field) => field.key !== 'phone')
    .map((field) => ({
      ...field,
      value: values[field.key] ?? '',
      error: errors[field.key] ?? '',
      optionIndex: field.options ? field.options.indexOf(values[field.key] ?? '') : -1,
      placeholder: field.options ? copy.form.choose(field.label) : '',
    }));
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
      nicknamePlaceholder: copy.form.nicknamePlaceholder,
      phoneLabel: copy.form.phoneLabel,
      phonePlaceholder: copy.form.phonePlaceholder,
      consentLead: copy.form.consentLead,
      policy: copy.form.policy,
      purpose: copy.form.purpose,
      retention: copy.form.retention,
      recipients: copy.form.recipients,
      rights: copy.form.rights,
      version: copy.form.version,
    },
    values: {} as Values,
    localErrors: {} as Record<string, string>,
    /** Server errors the customer has since answered by editing that field. */
    edited: {} as Record<string, boolean>,
    fields: [] as ShownField[],
    phoneAsked: false,
    manualPhone: false,
    phoneError: '',
    phoneNotice: '',
    consent: false,
    showPolicy: false,
    canSubmit: false,
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
      const consentOk = !form?.consentRequired || this.data.consent;
      this.setData({
        fields: shownFields(form, this.data.values, errors),
        phoneAsked: Boolean(form?.fields.some((f) => f.key === 'phone')),
        phoneError: errors.phone ?? errors.phoneCode ?? '',
        canSubmit: Boolean(form) && consentOk && !this.data.busy,
      });
    },
    setValue(key: string, value: string) {
      const { [key]: _cleared, ...localErrors } = this.data.localErrors as Record<string, string>;
      this.setData({
        values: { ...this.data.values, [key]: value },
        localErrors,
        edited: { ...this.data.edited, [key]: true },
      });
      this.refresh();
    },
    onInput(e: WechatMiniprogram.Input) {
      this.setValue(e.currentTarget.dataset.key as string, e.detail.value);
    },
    onPick(e: WechatMiniprogram.PickerChange) {
      const key = e.currentTarget.dataset.key as string;
      const field = (this.data.form as LeadForm).fields.find((f) => f.key === key);
      this.setValue(key, field?.options?.[Number(e.detail.value)] ?? '');
    },
    onConsent(e: WechatMiniprogram.CheckboxGroupChange) {
      this.setData({ consent: e.detail.value.length > 0 });
      this.refresh();
    },
    onTogglePolicy() {
      this.setData({ showPolicy: !this.data.showPolicy });
    },
    /** WeChat's phone button: a code to exchange on the server, or a refusal (then type it in). */
    onPhoneNumber(e: { detail: { code?: string } }) {
      if (!this.data.canSubmit) return;
      if (e.detail.code) {
        this.submit({ phoneCode: e.detail.code });
        return;
      }
      this.setData({ manualPhone: true, phoneNotice: copy.form.phoneDeclined });
    },
    onSubmit() {
      if (!this.data.canSubmit) return;
      this.submit({});
    },
    submit(extra: Values) {
      const form = this.data.form as LeadForm;
      const values = this.data.values as Values;
      const errors: Record<string, string> = {};
      for (const field of form.fields) {
        const value = (values[field.key] ?? '').trim();
        if (field.key === 'phone') {
          if (extra.phoneCode) continue;
          if (!value) errors.phone = copy.form.required(field.label);
          else if (
            field.pattern &&
            !new RegExp(field.pattern).test(value.replace(/[\s-]/g, '').replace(/^\+?86/, ''))
          )
            errors.phone = copy.form.phoneFormat;
          continue;
        }
        if (field.required && !value)
          errors[field.key] = field.options ? copy.form.choose(field.label) : copy.form.required(field.label);
      }
      this.setData({ localErrors: errors });
      this.refresh();
      if (Object.keys(errors).length > 0) return;
      const fields: Values = { ...extra };
      for (const [key, value] of Object.entries(values)) if (value.trim()) fields[key] = value.trim();
      this.triggerEvent('submit', {
        fields,
        consent: form.consentRequired
          ? { version: form.policy.version, accepted: this.data.consent }
          : undefined,
      });
    },
  },
});
