import type { CustomerAnswers, LeadForm } from '../../../typings/customer';
import { copy } from '../../copy';
import { callFunction } from '../../services/cloud';
import { submitterFor } from '../../services/submit';

/** A general inquiry, or an inquiry about one activity (`?activityId=`). */
Component({
  data: {
    text: {
      title: copy.lead.title,
      submit: copy.lead.submit,
      submitWithPhone: copy.lead.submitWithPhone,
      done: copy.lead.done,
      again: copy.lead.again,
      loading: copy.activity.loading,
      retry: copy.retry,
    },
    state: 'loading' as 'loading' | 'ready' | 'done' | 'error',
    errorMessage: '',
    notice: '',
    activityId: '',
    form: null as LeadForm | null,
    errors: {} as Record<string, string>,
    busy: false,
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      this.setData({ activityId: options.activityId ?? '' });
      this.load();
    },
    async load() {
      this.setData({ state: 'loading', errorMessage: '', notice: '', errors: {} });
      const result = await callFunction<CustomerAnswers['leadForm']>('customer', {
        action: 'leadForm',
        ...(this.data.activityId ? { activityId: this.data.activityId } : {}),
      });
      if (!result.ok) {
        this.setData({ state: 'error', errorMessage: result.error.message });
        return;
      }
      this.setData({ state: 'ready', form: result.data });
    },
    /** After a refusal that came with a phone code: the number the server kept shows as known. */
    async refreshForm() {
      const result = await callFunction<CustomerAnswers['leadForm']>('customer', {
        action: 'leadForm',
        ...(this.data.activityId ? { activityId: this.data.activityId } : {}),
      });
      if (result.ok) this.setData({ form: result.data });
    },
    onRetry() {
      this.load();
    },
    async onSubmit(e: {
      detail: { fields: Record<string, string>; consent?: { version: string; accepted: boolean } };
    }) {
      this.setData({ busy: true, notice: '', errors: {} });
      const { result, errors } = await submitterFor(this)<CustomerAnswers['submitLead']>({
        action: 'submitLead',
        fields: e.detail.fields,
        ...(this.data.activityId ? { activityId: this.data.activityId } : {}),
        ...(e.detail.consent ? { consent: e.detail.consent } : {}),
      });
      this.setData({ busy: false });
      if (!result.ok) {
        this.setData({ errors, notice: result.error.message });
        if (e.detail.fields.phoneCode && !errors.phoneCode && result.error.code !== 'INTERNAL')
          await this.refreshForm();
        return;
      }
      this.setData({ state: 'done' });
    },
    onAgain() {
      this.load();
    },
  },
});
