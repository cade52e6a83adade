/** What an audit entry's details are called, in the log's Chinese. */
const DETAIL_LABELS: Record<string, string> = {
  name: '名称',
  title: '标题',
  store: '门店',
  role: '角色',
  status: '状态',
  from: '原来',
  to: '改为',
  fields: '修改的内容',
  count: '数量',
  rows: '行数',
  leadIds: '线索',
  customerId: '顾客',
  activityId: '活动',
  channelId: '渠道',
  staffId: '员工',
  openid: '微信',
  unboundOpenid: '解绑的微信',
  boundAt: '绑定时间',
  add: '添加标签',
  remove: '移除标签',
  updated: '更新条数',
  retried: '重新排队',
  robots: '机器人',
  webhooks: 'Webhook',
  replaced: '更换了密钥',
  filter: '筛选条件',
  includePhone: '含完整手机号',
  names: '名称',
  moved: '同步改名',
  staff: '员工',
  codes: '活码',
  reason: '原因',
  username: '用户名',
  address: '来源地址',
  disabled: '停用',
  decision: '处理',
};

const value = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) return v.map(value).join('、') || '—';
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .map(([k, inner]) => `${DETAIL_LABELS[k] ?? k} ${value(inner)}`)
      .join('，');
  return String(v);
};

/** An entry's details as label and value lines, never raw JSON. */
export function auditDetail(detail: Record<string, unknown> | null | undefined): [string, string][] {
  return Object.entries(detail ?? {}).map(([key, v]) => [DETAIL_LABELS[key] ?? key, value(v)]);
}
