import { copy } from '../../copy';
import { callFunction } from '../../services/cloud';

interface ActivityItem {
  activityId: string;
  title: string;
  startAt: string;
  capacity: number;
  remaining: number;
  status: string;
}

function formatStart(iso: string): string {
  const at = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getMonth() + 1}月${at.getDate()}日 ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

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
      const result = await callFunction<{ items: ActivityItem[] }>('customer', { action: 'listActivities' });
      if (!result.ok) {
        this.setData({ state: 'error', errorMessage: result.error.message });
        return;
      }
      const activities = result.data.items.map((item) => ({
        ...item,
        startText: formatStart(item.startAt),
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
