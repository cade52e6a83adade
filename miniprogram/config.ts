/**
 * Development switch: with `localCloud.enabled`, calls go over HTTP to `npm start`'s local cloud
 * (`POST /api/functions/<name>`, caller set by `x-wx-openid`) instead of wx.cloud. In DevTools,
 * also tick "不校验合法域名" (do not check domain names) so 127.0.0.1 is reachable. It takes effect
 * only in the develop version (services/cloud.ts); keep it `false` in anything you upload.
 */
export const config = {
  cloudEnv: 'leadpool-prod',
  /** Subscribe-message template for the activity reminder (set yours from the MP console; empty: not asked). */
  reminderTemplateId: '',
  localCloud: { enabled: false, baseUrl: 'http://127.0.0.1:3000', openid: 'dev-openid' },
};
