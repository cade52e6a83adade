/**
 * The privacy notice a customer consents to. The version is stored with each lead; bump it when
 * the text changes so earlier consent no longer counts.
 */
export const POLICY_VERSION = '2026-11-01';

export const PRIVACY_NOTICE = {
  purpose: '用于活动报名、到场签到和门店顾问与您联系',
  retention: '保存至您撤回同意或删除数据，最长 24 个月',
  recipients: '本品牌及为您服务的门店顾问，不向其他第三方提供',
} as const;
