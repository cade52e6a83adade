/** The answer shape shared by the mini program, the cloud functions and the admin page. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'CONSENT_REQUIRED',
  'NOT_FOUND',
  'ACTIVITY_FULL',
  'ACTIVITY_CLOSED',
  'RATE_LIMITED',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'UNKNOWN_ACTION',
  'NOT_CONFIGURED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldError {
  path: string;
  message: string;
}

export interface ApiError {
  code: ErrorCode;
  message: string;
  fields?: FieldError[];
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

/** The sentence a person reads when a function gives no better one. */
export const DEFAULT_ERROR_MESSAGES: Record<ErrorCode, string> = {
  INVALID_INPUT: '填写的信息有误，请检查后重试',
  CONSENT_REQUIRED: '请先阅读并同意隐私说明',
  NOT_FOUND: '内容不存在或已下线',
  ACTIVITY_FULL: '活动名额已满',
  ACTIVITY_CLOSED: '活动报名已截止',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  FORBIDDEN: '没有权限执行此操作',
  UNAUTHENTICATED: '请在微信中打开小程序后重试',
  UNKNOWN_ACTION: '不支持的操作',
  NOT_CONFIGURED: '该功能尚未配置，请联系管理员',
  INTERNAL: '服务暂时不可用，请稍后重试',
};
