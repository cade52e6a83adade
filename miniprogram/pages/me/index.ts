import type { CustomerAnswers, RegistrationSummary, SessionData } from '../../../typings/customer';
import { copy } from '../../copy';
import { callFunction } from '../../services/cloud';
import { formatTime } from '../../services/format';
import { type MyDataView, myDataView } from './my-data';

function confirm(content: string): Promise<boolean> {
  return new Promise((resolve) => {
    wx.showModal({
      title: copy.me.privacy,
      content,
      confirmText: copy.confirm,
      cancelText: copy.cancel,
      success: (res) => resolve(res.confirm),
      fail: () => resolve(false),
    });
  });
}

/** The customer's own page: profile, sign-ups with their check-in QR codes, privacy controls. */
Component({
  data: {
    text: {
      registrations: copy.me.registrations,
      noRegistrations: copy.me.noRegistrations,
      checkin: copy.me.checkin,
      cancel: copy.me.cancel,
      privacy: copy.me.privacy,
      myData: copy.me.myData,
      withdraw: copy.me.withdraw,
      delete: copy.me.delete,
      phone: copy.me.phone,
      noPhone: copy.me.noPhone,
      anonymous: copy.me.anonymous,
      loading: copy.activity.loading,
      retry: copy.retry,
      staffDesk: copy.me.staffDesk,
      staffBind: copy.me.staffBind,
    },
    state: 'loading' as 'loading' | 'ready' | 'error',
    errorMessage: '',
    session: null as SessionData | null,
    registrations: [] as (RegistrationSummary & { startText: string; statusText: string })[],
    myData: null as MyDataView | null,
  },
  methods: {
    onShow() {
      this.load();
    },
    async load() {
      // A refresh after withdraw/delete/cancel keeps the page in place instead of flashing a spinner.
      if (this.data.state !== 'ready') this.setData({ state: 'loading', errorMessage: '' });
      const [session, registrations] = await Promise.all([
        callFunction<CustomerAnswers['session']>('customer', { action: 'session' }),
        callFunction<CustomerAnswers['myRegistrations']>('customer', { action: 'myRegistrations' }),
      ]);
      if (!session.ok || !registrations.ok) {
        const error = !session.ok ? session.error : !registrations.ok ? registrations.error : null;
        this.setData({ state: 'error', errorMessage: error?.message ?? copy.errors.unexpected });
        return;
      }
      this.setData({
        state: 'ready',
        session: session.data,
        registrations: registrations.data.items.map((item) => ({
          ...item,
          startText: formatTime(item.startAt),
          statusText: copy.me.status[item.status] ?? item.status,
        })),
      });
    },
    onRetry() {
      this.load();
    },
    async onCancel(e: WechatMiniprogram.TouchEvent) {
      if (!(await confirm(copy.me.cancelConfirm))) return;
      const result = await callFunction('customer', {
        action: 'cancelRegistration',
        registrationId: e.currentTarget.dataset.id as string,
      });
      if (!result.ok) {
        wx.showToast({ title: result.error.message, icon: 'none' });
        return;
      }
      await this.load();
    },
    async onMyData() {
      const result = await callFunction<CustomerAnswers['myData']>('customer', { action: 'myData' });
      if (!result.ok) {
        wx.showToast({ title: result.error.message, icon: 'none' });
        return;
      }
      const titles = Object.fromEntries(this.data.registrations.map((r) => [r.activityId, r.title]));
      this.setData({ myData: myDataView(result.data, titles) });
    },
    async onWithdraw() {
      if (!(await confirm(copy.me.withdrawConfirm))) return;
      const result = await callFunction('customer', { action: 'withdrawConsent' });
      wx.showToast({
        title: result.ok ? copy.me.withdrawn : result.error.message,
        icon: result.ok ? 'success' : 'none',
      });
      await this.load();
      // Data on screen shows the consent as it is now.
      if (this.data.myData) await this.onMyData();
    },
    onStaff() {
      wx.navigateTo({ url: '/staff/pages/home/index' });
    },
    async onDelete() {
      if (!(await confirm(copy.me.deleteConfirm))) return;
      const result = await callFunction('customer', { action: 'deleteMyData' });
      wx.showToast({
        title: result.ok ? copy.me.deleted : result.error.message,
        icon: result.ok ? 'success' : 'none',
      });
      this.setData({ myData: null });
      await this.load();
    },
  },
});
