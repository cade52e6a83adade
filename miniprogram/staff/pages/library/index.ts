import type { LibraryItem, LibraryKind } from '../../../../typings/library';
import type { StaffAnswers } from '../../../../typings/staff';
import { saveImage } from '../../../services/album';
import { callFunction } from '../../../services/cloud';

/**
 * The script and material library for store staff: scripts to copy, images to save, activity
 * cards to share in their own name (the card carries their code) and article links to copy. Each
 * use is counted so marketing sees what works.
 */
const text = {
  loading: '加载中…',
  retry: '重新加载',
  search: '搜索标题或话术',
  empty: '还没有话术和素材，请联系市场部添加',
  noMatch: '没有找到相关的话术或素材',
  card: '小程序卡片：',
  copy: '复制话术',
  copyLink: '复制链接',
  copied: '已复制',
  save: '保存图片',
  saved: '已保存到相册',
  saveFailed: '保存失败，请稍后重试',
  albumDenied: '请在设置中允许保存到相册',
  share: '分享给顾客',
};
const kinds: { value: LibraryKind | ''; label: string }[] = [
  { value: '', label: '全部' },
  { value: 'script', label: '话术' },
  { value: 'image', label: '图片' },
  { value: 'card', label: '活动卡片' },
  { value: 'link', label: '文章' },
];

Component({
  data: {
    text,
    kinds,
    kind: '' as LibraryKind | '',
    q: '',
    state: 'loading' as 'loading' | 'ready' | 'error',
    errorMessage: '',
    items: [] as LibraryItem[],
  },
  methods: {
    onLoad() {
      this.load();
    },
    async load() {
      this.setData({ state: 'loading', errorMessage: '' });
      const { kind, q } = this.data;
      const result = await callFunction<StaffAnswers['library']>('staff', {
        action: 'library',
        ...(kind ? { kind } : {}),
        ...(q ? { q } : {}),
      });
      if (!result.ok) {
        this.setData({ state: 'error', errorMessage: result.error.message });
        return;
      }
      this.setData({ state: 'ready', items: result.data.items });
    },
    onRetry() {
      this.load();
    },
    onKind(e: WechatMiniprogram.TouchEvent) {
      this.setData({ kind: e.currentTarget.dataset.kind as LibraryKind | '' });
      this.load();
    },
    onSearch(e: WechatMiniprogram.InputConfirm) {
      this.setData({ q: e.detail.value.trim() });
      this.load();
    },
    itemOf(e: WechatMiniprogram.TouchEvent | WechatMiniprogram.CustomEvent): LibraryItem | undefined {
      return this.data.items.find((item) => item.itemId === e.currentTarget.dataset.id);
    },
    /** Counted without waiting: a failed count never holds up the person. */
    countUse(item: LibraryItem) {
      void callFunction('staff', { action: 'useLibraryItem', itemId: item.itemId });
    },
    onCopy(e: WechatMiniprogram.TouchEvent) {
      const item = this.itemOf(e);
      if (!item || (item.kind !== 'script' && item.kind !== 'link')) return;
      wx.setClipboardData({
        data: item.kind === 'script' ? item.text : item.url,
        success: () => {
          wx.showToast({ title: text.copied, icon: 'none' });
          this.countUse(item);
        },
      });
    },
    onPreview(e: WechatMiniprogram.TouchEvent) {
      const item = this.itemOf(e);
      if (item?.imageUrl) wx.previewImage({ urls: [item.imageUrl] });
    },
    async onSave(e: WechatMiniprogram.TouchEvent) {
      const item = this.itemOf(e);
      if (item?.kind !== 'image') return;
      const outcome = await saveImage({ fileId: item.fileId, url: item.imageUrl ?? '' });
      if (outcome === 'saved') {
        wx.showToast({ title: text.saved, icon: 'success' });
        this.countUse(item);
      } else wx.showToast({ title: outcome === 'denied' ? text.albumDenied : text.saveFailed, icon: 'none' });
    },
    onShareAppMessage(e: { from: string; target?: { dataset?: { id?: string } } }) {
      const item = this.data.items.find((i) => i.itemId === e.target?.dataset?.id);
      if (item?.kind !== 'card') return { title: 'LeadPool', path: '/pages/home/index' };
      this.countUse(item);
      return { title: item.activityTitle ?? item.title, path: `/${item.sharePath}` };
    },
  },
});
