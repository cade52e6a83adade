import type { ActivityView, RegistrationView, StaffView } from '../../../../typings/admin';
import type { Condition, OutboxStatus } from '../../../../typings/pipeline';

/** The Chinese words of the management pages, in one place. */
export const ACTIVITY_STATUS: Record<ActivityView['status'], { label: string; theme: TagTheme }> = {
  draft: { label: '草稿', theme: 'default' },
  published: { label: '已发布', theme: 'success' },
  closed: { label: '已关闭', theme: 'warning' },
};

export const REGISTRATION_STATUS: Record<RegistrationView['status'], { label: string; theme: TagTheme }> = {
  joined: { label: '已报名', theme: 'primary' },
  checked_in: { label: '已签到', theme: 'success' },
  cancelled: { label: '已取消', theme: 'default' },
};

export const STAFF_ROLES: Record<StaffView['role'], string> = {
  staff: '导购',
  sales: '销售',
  manager: '店长',
};

export const DELIVERY_STATUS: Record<OutboxStatus, { label: string; theme: TagTheme }> = {
  pending: { label: '待投递', theme: 'warning' },
  delivered: { label: '已投递', theme: 'success' },
  failed: { label: '失败', theme: 'danger' },
};

export const OUTBOX_KINDS: Record<string, string> = {
  robot: '群机器人',
  webhook: 'Webhook',
  escalation: '超时提醒',
  taskOverdue: '任务超时',
};

export const CONDITION_TYPES: Record<Condition['type'], string> = {
  channel: '来源渠道',
  activity: '参加活动',
  answer: '表单回答',
  keywords: '关键词',
  behaviour: '行为',
  phoneVerified: '手机号已验证',
  filled: '填写了字段',
};

export const ANSWER_OPS = { equals: '等于', oneOf: '是其中之一', range: '数值范围' } as const;
export const BEHAVIOUR_METRICS = { activitiesJoined: '参加活动次数', submissions: '留资次数' } as const;
export const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

/** What the audit log's actions mean; unknown ones are shown as recorded. */
export const AUDIT_ACTIONS: Record<string, string> = {
  login: '登录',
  'login.failed': '登录失败',
  logout: '退出登录',
  'lead.reveal': '查看完整手机号',
  'lead.status': '更新线索状态',
  'lead.note': '添加线索备注',
  'leads.assign': '批量分配线索',
  'leads.tag': '批量打标签',
  'leads.export': '导出线索',
  'leads.export.done': '导出完成',
  'activity.create': '创建活动',
  'activity.update': '编辑活动',
  'activity.publish': '发布活动',
  'activity.close': '关闭活动',
  'channel.create': '创建渠道',
  'channel.update': '编辑渠道',
  'code.create': '创建活码',
  'code.bulkCreate': '批量创建活码',
  'code.repoint': '修改活码指向',
  'code.disable': '停用活码',
  'staff.create': '添加员工',
  'staff.update': '编辑员工',
  'staff.invite': '重新生成邀请码',
  'staff.bind': '员工绑定微信',
  'staff.bind.refused': '绑定被拒（邀请码已被其他微信使用）',
  'staff.unbind': '解除员工微信绑定',
  'rule.create': '创建规则',
  'rule.update': '编辑规则',
  'rule.delete': '删除规则',
  'rules.retag': '重新打标签',
  'settings.update': '修改投递设置',
  'deliveries.retry': '重试投递',
  'account.create': '创建账号',
  'account.update': '修改账号',
  'leads.search.phone': '按手机号搜索线索',
  'customer.merge': '合并疑似重复顾客',
  'customer.notDuplicate': '标记不是同一人',
  'consent.withdraw': '顾客撤回隐私同意',
  'customer.delete': '顾客删除个人数据',
  'store.create': '添加门店',
  'store.update': '编辑门店',
  'store.rename': '门店改名',
  'store.adopt': '导入门店',
  'registration.checkin': '后台手动签到',
  'registrations.export': '导出报名名单',
  'wecom.event.retry': '重试企业微信事件',
  'robot.test': '发送测试消息',
};

export type TagTheme = 'default' | 'primary' | 'warning' | 'success' | 'danger';
