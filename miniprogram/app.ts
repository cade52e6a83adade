import { config } from './config';
import { endEntry, recordEntry } from './services/entry';

App({
  onLaunch() {
    if (!config.localCloud.enabled) wx.cloud.init({ env: config.cloudEnv, traceUser: true });
  },
  onShow() {
    // Launch and show of one entry carry the same options: recordEntry sends them once.
    const options = wx.getEnterOptionsSync();
    recordEntry({ scene: options.scene, path: options.path, query: options.query as Record<string, string> });
  },
  onHide() {
    endEntry();
  },
});
