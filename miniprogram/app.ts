import { config } from './config';
import { usesLocalCloud } from './services/cloud';
import { recordEntry } from './services/entry';
import { listenForPrivacyRequests } from './services/privacy';

App({
  onLaunch() {
    if (!usesLocalCloud()) wx.cloud.init({ env: config.cloudEnv, traceUser: true });
    listenForPrivacyRequests();
  },
  onShow() {
    // Every show, including unlocking the phone or coming back from the share sheet, carries the
    // entry's options again: recordEntry sends one touch per entry, not per show.
    const options = wx.getEnterOptionsSync();
    recordEntry({ scene: options.scene, path: options.path, query: options.query as Record<string, string> });
  },
});
