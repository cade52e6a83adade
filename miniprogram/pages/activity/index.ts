import type { ActivityDetail, CustomerAnswers } from '../../../typings/customer';
import { config } from '../../config';
import { copy } from '../../copy';
import { callFunction } from '../../services/cloud';
import { activityForCode } from '../../services/entry';
import { formatTime } from '../../services/format';
import { submitterFor } from '../../services/submit';

const PAGE_PATH = 'pages/activity/index';

/**
 * Asks for the reminder. WeChat shows the subscribe sheet only from a tap (not from the phone
 * button's callback), and only if it is the first thing the tap does: call it before anything else.
 */
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

/** A mini program code's `scene` as the page receives it (URL-encoded). */
function decodeScene(scene: string): string {
  try {
    return decodeURIComponent(scene);
  } catch {
    return scene;
  }
}

type ShownActivity = ActivityDetail & {
  startText: string;
  deadlineText: string;
  seatsText: string;
  /** The reminder can still be asked for this sign-up. */
  canRemind: boolean;
};

function shown(activity: ActivityDetail): ShownActivity {
  return {
    ...activity,
    startText: formatTime(activity.startAt),
    deadlineText: formatTime(activity.deadline),
    seatsText: copy.activity.seats(activity.remaining, activity.capacity),
    canRemind:
      Boolean(config.reminderTemplateId) &&
      activity.myRegistration?.status === 'joined' &&
      !activity.myRegistration.reminderSet,
  };
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
      remind: copy.activity.remind,
      browse: copy.activity.browse,
      retry: copy.retry,
    },
    state: 'loading' as 'loading' | 'ready' | 'error',
    errorMessage: '',
    /** The error is final for this code (no activity behind it): offer the list instead of a retry. */
    browse: false,
    notice: '',
    activityId: '',
    /** The mini program code this page was opened with, when it came without an activity id. */
    sceneCode: '',
    activity: null as ShownActivity | null,
    closedText: '',
    errors: {} as Record<string, string>,
    busy: false,
    sharePath: '',
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      this.setData({
        activityId: options.id ?? '',
        sceneCode: !options.id && options.scene ? decodeScene(options.scene) : '',
      });
      return this.load();
    },
    /** Which activity: the page's id, or the one its code points to (the retry asks again). */
    async resolveActivity(): Promise<boolean> {
      if (this.data.activityId) return true;
      if (this.data.sceneCode) {
        const entry = await activityForCode(this.data.sceneCode, wx.getEnterOptionsSync().scene, PAGE_PATH);
        if (entry.error) {
          this.setData({ state: 'error', errorMessage: entry.error.message, browse: false });
          return false;
        }
        if (entry.activityId) {
          this.setData({ activityId: entry.activityId });
          return true;
        }
        this.setData({ state: 'error', errorMessage: copy.activity.codeWithoutActivity, browse: true });
        return false;
      }
      this.setData({ state: 'error', errorMessage: copy.activity.notFound, browse: true });
      return false;
    },
    async load() {
      this.setData({ state: 'loading', errorMessage: '', browse: false });
      if (!(await this.resolveActivity())) return;
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
      this.setData({ state: 'ready', closedText, activity: shown(activity) });
      const share = await callFunction<CustomerAnswers['myShare']>('customer', {
        action: 'myShare',
        activityId: activity.activityId,
      });
      if (share.ok) this.setData({ sharePath: share.data.sharePath });
    },
    /**
     * After a refusal that came with a phone code: the server keeps a verified number before
     * anything that can still refuse, so the form is asked again (keeping what was typed) and no
     * longer offers the paid button for a number already held.
     */
    async refreshForm() {
      const result = await callFunction<CustomerAnswers['getActivity']>('customer', {
        action: 'getActivity',
        activityId: this.data.activityId,
      });
      if (result.ok) this.setData({ activity: shown(result.data) });
    },
    onRetry() {
      this.load();
    },
    onBrowse() {
      wx.switchTab({ url: '/pages/home/index' });
    },
    async onSubmit(e: {
      detail: {
        fields: Record<string, string>;
        consent?: { version: string; accepted: boolean };
        viaTap?: boolean;
      };
    }) {
      const reminder = e.detail.viaTap ? askReminder() : Promise.resolve(undefined);
      this.setData({ busy: true, notice: '', errors: {} });
      const reminderTemplateId = await reminder;
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
        else if (e.detail.fields.phoneCode && !errors.phoneCode && result.error.code !== 'INTERNAL')
          await this.refreshForm();
        return;
      }
      wx.showToast({ title: copy.activity.joined, icon: 'success' });
      await this.load();
    },
    /** A sign-up made without the reminder (the phone button cannot ask) asks on this tap. */
    async onRemind() {
      const registration = this.data.activity?.myRegistration;
      const reminderTemplateId = await askReminder();
      if (!registration || !reminderTemplateId) return;
      const result = await callFunction<CustomerAnswers['subscribeReminder']>('customer', {
        action: 'subscribeReminder',
        registrationId: registration.registrationId,
        reminderTemplateId,
      });
      wx.showToast({
        title: result.ok ? copy.activity.reminded : result.error.message,
        icon: result.ok ? 'success' : 'none',
      });
      if (result.ok) await this.load();
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
