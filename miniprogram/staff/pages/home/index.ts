import type { ActivitySummary } from '../../../../typings/customer';
import type { AdvisorTask } from '../../../../typings/sop';
import type { StaffAnswers } from '../../../../typings/staff';
import { openAlbumSetting, saveImage } from '../../../services/album';
import { callFunction } from '../../../services/cloud';

/** `12-03 10:00` in China time. */
function formatDue(iso: string): string {
  const local = new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString();
  return `${local.slice(5, 10)} ${local.slice(11, 16)}`;
}

/** `fileId`: the code image's cloud fileID, downloaded through wx.cloud (no download domain needed). */
type MyCode = StaffAnswers['myCode'];

/**
 * The store staff's page (a subpackage, so customers never download it): bind with an invite,
 * my code per activity (save to album, share card), my numbers this week, the customers I
 * brought, and checking customers in by scanning their code.
 */
const text = {
  loading: '加载中…',
  tasks: '今日待办',
  library: '话术与素材',
  posters: '我的海报',
  overdue: '条已逾期',
  noTasks: '暂无待办，新线索的跟进任务会出现在这里',
  customer: '顾客',
  copyScript: '复制话术',
  copied: '话术已复制',
  done: '完成',
  skip: '跳过',
  skipTitle: '跳过这条待办',
  skipHint: '请填写跳过原因',
  completed: '已完成',
  skipped: '已跳过',
  due: (when: string, overdue: boolean) => (overdue ? `已逾期 · ${when}` : when),
  bindTitle: '绑定员工身份',
  bindHint: '请输入管理员发给你的邀请码',
  bind: '绑定',
  myCode: '我的活码',
  general: '通用（首页）',
  save: '保存到相册',
  saved: '已保存到相册',
  albumDenied: '保存图片需要相册权限：请在设置里允许“保存到相册”',
  openSetting: '去设置',
  downloadFailed: '活码图片下载失败，请稍后重试',
  saveFailed: '保存到相册失败，请稍后重试',
  share: '分享给顾客',
  stats: '本周数据',
  entries: '进店访问',
  leads: '留资',
  signups: '报名',
  checkins: '签到',
  referrals: '我带来的顾客',
  noReferrals: '还没有顾客，分享你的活码试试',
  scan: '扫码签到',
  checkedIn: (name: string, title: string) => `签到成功：${name}（${title}）`,
  already: (name: string) => `${name} 已经签到过了`,
  retry: '重新加载',
};

Component({
  data: {
    text: { ...text, checkedIn: '', already: '', due: '' },
    tasks: [] as (AdvisorTask & { dueText: string; meta: string })[],
    overdueCount: 0,
    state: 'loading' as 'loading' | 'bind' | 'ready' | 'error',
    errorMessage: '',
    inviteCode: '',
    bindError: '',
    profile: null as StaffAnswers['me'] | null,
    activities: [] as { activityId: string; title: string }[],
    activityIndex: 0,
    code: null as MyCode | null,
    saveMessage: '',
    albumDenied: false,
    stats: null as StaffAnswers['myStats'] | null,
    referrals: [] as StaffAnswers['myReferrals']['customers'],
    checkinMessage: '',
    checkinError: '',
  },
  methods: {
    onLoad() {
      this.load();
    },
    async load() {
      this.setData({ state: 'loading', errorMessage: '' });
      const me = await callFunction<StaffAnswers['me']>('staff', { action: 'me' });
      if (!me.ok) {
        this.setData(
          me.error.code === 'FORBIDDEN'
            ? { state: 'bind' }
            : { state: 'error', errorMessage: me.error.message },
        );
        return;
      }
      const [activities, stats, referrals, tasks] = await Promise.all([
        callFunction<{ items: ActivitySummary[] }>('customer', { action: 'listActivities' }),
        callFunction<StaffAnswers['myStats']>('staff', { action: 'myStats' }),
        callFunction<StaffAnswers['myReferrals']>('staff', { action: 'myReferrals' }),
        callFunction<StaffAnswers['myTasks']>('staff', { action: 'myTasks' }),
      ]);
      this.showTasks(tasks.ok ? tasks.data.items : []);
      this.setData({
        state: 'ready',
        profile: me.data,
        activities: [
          { activityId: '', title: text.general },
          ...(activities.ok
            ? activities.data.items.map((a) => ({ activityId: a.activityId, title: a.title }))
            : []),
        ],
        stats: stats.ok ? stats.data : null,
        referrals: referrals.ok ? referrals.data.customers : [],
      });
      await this.loadCode();
    },
    async loadCode() {
      const activityId = this.data.activities[this.data.activityIndex]?.activityId;
      const code = await callFunction<MyCode>('staff', {
        action: 'myCode',
        ...(activityId ? { activityId } : {}),
      });
      this.setData({ code: code.ok ? code.data : null, errorMessage: code.ok ? '' : code.error.message });
    },
    showTasks(items: AdvisorTask[]) {
      this.setData({
        tasks: items.map((task) => ({
          ...task,
          dueText: text.due(formatDue(task.dueAt), task.overdue),
          meta: [task.activityTitle, ...task.tags].filter(Boolean).join(' · '),
        })),
        overdueCount: items.filter((task) => task.overdue).length,
      });
    },
    onCopyScript(e: WechatMiniprogram.TouchEvent) {
      const task = this.data.tasks.find((t) => t.taskId === e.currentTarget.dataset.id);
      if (!task) return;
      wx.setClipboardData({
        data: task.text,
        success: () => wx.showToast({ title: text.copied, icon: 'none' }),
      });
    },
    async onCompleteTask(e: WechatMiniprogram.TouchEvent) {
      await this.closeTask(e.currentTarget.dataset.id as string);
    },
    onSkipTask(e: WechatMiniprogram.TouchEvent) {
      const taskId = e.currentTarget.dataset.id as string;
      wx.showModal({
        title: text.skipTitle,
        editable: true,
        placeholderText: text.skipHint,
        success: async (answer) => {
          if (!answer.confirm) return;
          const reason = (answer.content ?? '').trim();
          if (!reason) {
            wx.showToast({ title: text.skipHint, icon: 'none' });
            return;
          }
          await this.closeTask(taskId, reason);
        },
      });
    },
    async closeTask(taskId: string, skipReason?: string) {
      const result = await callFunction<StaffAnswers['completeTask']>('staff', {
        action: 'completeTask',
        taskId,
        ...(skipReason ? { skipReason } : {}),
      });
      if (!result.ok) {
        wx.showToast({ title: result.error.message, icon: 'none' });
        return;
      }
      wx.showToast({ title: skipReason ? text.skipped : text.completed, icon: 'success' });
      this.showTasks(this.data.tasks.filter((task) => task.taskId !== taskId));
    },
    onRetry() {
      this.load();
    },
    onLibrary() {
      wx.navigateTo({ url: '/staff/pages/library/index' });
    },
    onPosters() {
      wx.navigateTo({ url: '/staff/pages/posters/index' });
    },
    onInvite(e: WechatMiniprogram.Input) {
      this.setData({ inviteCode: e.detail.value, bindError: '' });
    },
    async onBind() {
      const result = await callFunction<StaffAnswers['bind']>('staff', {
        action: 'bind',
        inviteCode: this.data.inviteCode,
      });
      if (!result.ok) {
        this.setData({ bindError: result.error.fields?.[0]?.message ?? result.error.message });
        return;
      }
      await this.load();
    },
    onPickActivity(e: WechatMiniprogram.PickerChange) {
      this.setData({ activityIndex: Number(e.detail.value) });
      this.loadCode();
    },
    async onSave() {
      const code = this.data.code;
      if (!code?.imageUrl) return;
      this.setData({ saveMessage: '', albumDenied: false });
      const outcome = await saveImage({ fileId: code.fileId, url: code.imageUrl });
      if (outcome === 'saved') wx.showToast({ title: text.saved, icon: 'success' });
      else if (outcome === 'denied') this.setData({ albumDenied: true, saveMessage: text.albumDenied });
      else if (outcome === 'downloadFailed') this.setData({ saveMessage: text.downloadFailed });
      else if (outcome === 'failed') this.setData({ saveMessage: text.saveFailed });
    },
    /** A tap: WeChat opens its settings page only from one. Granted there, the save goes on. */
    async onOpenSetting() {
      if (await openAlbumSetting()) await this.onSave();
    },
    onScan() {
      this.setData({ checkinMessage: '', checkinError: '' });
      wx.scanCode({
        onlyFromCamera: true,
        scanType: ['qrCode'],
        success: async (scan) => {
          const result = await callFunction<StaffAnswers['checkIn']>('staff', {
            action: 'checkIn',
            checkinCode: scan.result,
          });
          if (!result.ok) {
            this.setData({ checkinError: result.error.message });
            return;
          }
          const name = result.data.customerName ?? '顾客';
          this.setData({
            checkinMessage: result.data.alreadyCheckedIn
              ? text.already(name)
              : text.checkedIn(name, result.data.activityTitle),
          });
        },
      });
    },
    onShareAppMessage() {
      const { code, profile } = this.data;
      return {
        title: `${profile?.name ?? ''}邀请你参加活动`,
        path: `/${code?.sharePath ?? 'pages/home/index'}`,
      };
    },
  },
});
