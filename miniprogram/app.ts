import { config } from './config';

App({
  onLaunch() {
    if (!config.localCloud.enabled) wx.cloud.init({ env: config.cloudEnv, traceUser: true });
  },
});
