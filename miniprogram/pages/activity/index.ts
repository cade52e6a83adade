import type { ActivityDetail, CustomerAnswers } from '../../../typings/customer';
import { config } from '../../config';
import { copy } from '../../copy';
import { callFunction } from '../../services/cloud';
import { currentEntry } from '../../services/entry';
import { formatTime } from '../../services/format';
import { submitterFor } from '../../services/submit';

/** Asks for the reminder on the join tap; a refusal or an unset template simply means none. */
function askReminder(): Promise<string | undefined> {
  const templateId = config.reminderTemplateId;
  if (!templateId) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds: [templateId],
      success: (res) =>
        resolve((res as Record<string, string>)[templateId] === 'accept' ? templateId : undefined),
      fail: () => resolve(undefined),
    });
  });
}

Component({
  data: {
    text: {
      loading: copy.activity.loading,
      place: copy.activity.place,
      time: copy.activity.time,
      deadline: copy.activity.deadline,
      join: copy.activity.join,
      joinWithPhone: copy.activity.joinWithPhone,
      alreadyJoined: copy.activity.alreadyJoined,
      viewCheckin: copy.activity.viewCheckin,
      retry: copy.retry,
    },
    state: 'loading' as 'loading' | 'ready' | 'error',
    errorMessage: '',
    notice: '',
    activityId: '',
    activity: null as
      | (ActivityDetail & { startText: string; deadlineText: string; seatsText: string })
      | null,
    closedText: '',
    errors: {} as Record<string, string>,
    busy: false,
    sharePath: '',
  },
  methods: {
    async onLoad(options: Record<string, string | undefined>) {
      // A mini program code carries only `scene`; the entry's touch says which activity it means.
      const activityId = options.id ?? (await currentEntry()).activityId ?? '';
      this.setData({ activityId });
      await this.load();
    },
    async load() {
      if (!this.data.activityId) {
        this.setData({ state: 'error', errorMessage: copy.activity.notFound });
        return;
      }
      this.setData({ state: 'loading', errorMessage: '' });
      const result = await callFunction<CustomerAnswers['getActivity']>('customer', {
        action: 'getActivity',
        activityId: this.data.activityId,
      });
      if (!result.ok) {
        this.setData({ state: 'error', errorMessage: result.error.message });
        return;
      }
      const activity = result.data;
      const closedText =
        activity.remaining <= 0 ? copy.activity.full : activity.closed ? copy.activity.closed : '';
      this.setData({
        state: 'ready',
        closedText,
        activity: {
          ...activity,
          startText: formatTime(activity.startAt),
          deadlineText: formatTime(activity.deadline),
          seatsText: copy.activity.seats(activity.remaining, activity.capacity),
        },
      });
      const share = await callFunction<CustomerAnswers['myShare']>('customer', {
        action: 'myShare',
        activityId: activity.activityId,
      });
      if (share.ok) this.setData({ sharePath: share.data.sharePath });
    },
    onRetry() {
      this.load();
    },
    async onSubmit(e: {
      detail: { fields: Record<string, string>; consent?: { version: string; accepted: boolean } };
    }) {
      this.setData({ busy: true, notice: '', errors: {} });
      const reminderTemplateId = await askReminder();
      const { result, errors } = await submitterFor(this)<CustomerAnswers['joinActivity']>({
        action: 'joinActivity',
        activityId: this.data.activityId,
        fields: e.detail.fields,
        ...(e.detail.consent ? { consent: e.detail.consent } : {}),
        ...(reminderTemplateId ? { reminderTemplateId } : {}),
      });
      this.setData({ busy: false });
      if (!result.ok) {
        this.setData({ errors, notice: result.error.message });
        // Seats ran out or the deadline passed while the form was open: show the activity as it is now.
        if (result.error.code === 'ACTIVITY_FULL' || result.error.code === 'ACTIVITY_CLOSED')
          await this.load();
        return;
      }
      wx.showToast({ title: copy.activity.joined, icon: 'success' });
      await this.load();
    },
    onViewCheckin() {
      wx.switchTab({ url: '/pages/me/index' });
    },
    onShareAppMessage() {
      const { activity, sharePath } = this.data;
      return {
        title: activity?.title ?? 'LeadPool',
        path: `/${sharePath || `pages/activity/index?id=${this.data.activityId}`}`,
      };
    },
  },
});
