import type { CustomerAnswers } from '../../../typings/customer';
import { copy } from '../../copy';
import { callFunction } from '../../services/cloud';

/** The 「联系我」 plugin's answer when the customer is already this advisor's contact (WECOM.md). */
const ALREADY_CONTACT = -3006;

/**
 * 添加专属顾问企业微信: WeCom's 「联系我」 plugin (`<cell plugid>`) for the customer's advisor, with
 * the contact way's QR image for long-press as the fallback. Hidden when WeCom is not set up or no
 * advisor can be offered; the customer loses nothing but this entry.
 */
Component({
  properties: {
    activityId: { type: String, value: '' },
  },
  data: {
    text: copy.advisor,
    state: 'loading' as 'loading' | 'ready' | 'hidden',
    advisorName: '',
    configId: '',
    qrCode: '',
    showQr: false,
    outcome: '' as '' | 'added' | 'already',
  },
  lifetimes: {
    attached() {
      this.load();
    },
  },
  methods: {
    async load() {
      const result = await callFunction<CustomerAnswers['advisorContact']>('customer', {
        action: 'advisorContact',
        ...(this.data.activityId ? { activityId: this.data.activityId } : {}),
      });
      if (!result.ok) {
        this.setData({ state: 'hidden' });
        return;
      }
      const { advisorName, configId, qrCode } = result.data;
      this.setData({ state: 'ready', advisorName, configId, qrCode });
    },
    /** The plugin's outcome: added, already a contact, or failed (then the QR is offered). */
    onComplete(e: { detail: { errcode?: number } }) {
      const errcode = Number(e.detail?.errcode ?? 0);
      if (errcode === 0) this.setData({ outcome: 'added', showQr: false });
      else if (errcode === ALREADY_CONTACT) this.setData({ outcome: 'already', showQr: false });
      else this.setData({ showQr: true });
    },
    onShowQr() {
      this.setData({ showQr: true });
    },
  },
});
