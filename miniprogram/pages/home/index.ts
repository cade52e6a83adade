import type { CustomerAnswers } from '../../../typings/customer';
import { copy } from '../../copy';
import { callFunction } from '../../services/cloud';
import { formatTime } from '../../services/format';

type ActivityItem = CustomerAnswers['listActivities']['items'][number];

Component({
  data: {
    copy: copy.home,
    state: 'loading' as 'loading' | 'ready' | 'empty' | 'error',
    errorMessage: '',
    activities: [] as (ActivityItem & { startText: string; seatsText: string; full: boolean })[],
  },
  methods: {
    onLoad() {
      this.load();
    },
    async load() {
      this.setData({ state: 'loading', errorMessage: '' });
      const result = await callFunction<CustomerAnswers['listActivities']>('customer', {
        action: 'listActivities',
      });
      if (!result.ok) {
        this.setData({ state: 'error', errorMessage: result.error.message });
        return;
      }
      const activities = result.data.items.map((item) => ({
        ...item,
        startText: formatTime(item.startAt),
        full: item.remaining <= 0,
        seatsText: item.remaining <= 0 ? copy.home.full : copy.home.remaining(item.remaining),
      }));
      this.setData({ state: activities.length ? 'ready' : 'empty', activities });
    },
    onRetry() {
      this.load();
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      wx.navigateTo({ url: `/pages/activity/index?id=${e.currentTarget.dataset.id}` });
    },
    onInquiry() {
      wx.navigateTo({ url: '/pages/lead/index' });
    },
  },
});
