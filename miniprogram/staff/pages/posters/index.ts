import type { StaffPoster, StaffPosterTemplate } from '../../../../typings/posters';
import type { StaffAnswers } from '../../../../typings/staff';
import { downloadImage, openAlbumSetting, saveImage } from '../../../services/album';
import { callFunction } from '../../../services/cloud';

/**
 * 导购海报: the templates marketing made; tapping one gets the poster drawn on the server with the
 * staff member's own live code and name, to save to the album or share in a chat.
 */
const text = {
  loading: '加载中…',
  drawing: '海报生成中…',
  retry: '重新加载',
  empty: '还没有海报模板，请联系市场部添加',
  general: '通用海报',
  save: '保存到相册',
  saved: '已保存到相册',
  albumDenied: '保存图片需要相册权限：请在设置里允许“保存到相册”',
  openSetting: '去设置',
  downloadFailed: '海报下载失败，请稍后重试',
  saveFailed: '保存到相册失败，请稍后重试',
  share: '分享给朋友',
  back: '换一张',
};

Component({
  data: {
    text,
    state: 'loading' as 'loading' | 'ready' | 'error',
    errorMessage: '',
    templates: [] as StaffPosterTemplate[],
    /** The template being drawn or shown. */
    chosen: null as StaffPosterTemplate | null,
    drawing: false,
    poster: null as StaffPoster | null,
    message: '',
    albumDenied: false,
  },
  methods: {
    onLoad() {
      this.load();
    },
    async load() {
      this.setData({ state: 'loading', errorMessage: '' });
      const result = await callFunction<StaffAnswers['posters']>('staff', { action: 'posters' });
      if (!result.ok) {
        this.setData({ state: 'error', errorMessage: result.error.message });
        return;
      }
      this.setData({ state: 'ready', templates: result.data.items });
    },
    onRetry() {
      this.load();
    },
    async onPick(e: WechatMiniprogram.TouchEvent) {
      const chosen = this.data.templates.find((t) => t.templateId === e.currentTarget.dataset.id);
      if (!chosen) return;
      this.setData({ chosen, drawing: true, poster: null, message: '', albumDenied: false });
      const result = await callFunction<StaffAnswers['myPoster']>('staff', {
        action: 'myPoster',
        templateId: chosen.templateId,
      });
      if (this.data.chosen?.templateId !== chosen.templateId) return;
      this.setData({ drawing: false });
      if (!result.ok) {
        this.setData({ message: result.error.message });
        return;
      }
      this.setData({ poster: result.data });
    },
    onBack() {
      this.setData({ chosen: null, poster: null, message: '', albumDenied: false });
    },
    onPreview() {
      const { poster } = this.data;
      if (poster) wx.previewImage({ urls: [poster.imageUrl] });
    },
    async onSave() {
      const { poster } = this.data;
      if (!poster) return;
      this.setData({ message: '', albumDenied: false });
      const outcome = await saveImage({ fileId: poster.fileId, url: poster.imageUrl });
      if (outcome === 'saved') wx.showToast({ title: text.saved, icon: 'success' });
      else if (outcome === 'denied') this.setData({ albumDenied: true, message: text.albumDenied });
      else if (outcome === 'downloadFailed') this.setData({ message: text.downloadFailed });
      else if (outcome === 'failed') this.setData({ message: text.saveFailed });
    },
    /** A tap: WeChat opens its settings page only from one. Granted there, the save goes on. */
    async onOpenSetting() {
      if (await openAlbumSetting()) await this.onSave();
    },
    /** WeChat's own image menu (send to a chat, save, favourite) over the downloaded poster. */
    async onShare() {
      const { poster } = this.data;
      if (!poster) return;
      this.setData({ message: '' });
      const path = await downloadImage({ fileId: poster.fileId, url: poster.imageUrl });
      if (!path) {
        this.setData({ message: text.downloadFailed });
        return;
      }
      wx.showShareImageMenu({ path });
    },
  },
});
