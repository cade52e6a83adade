import { z } from 'zod';

/**
 * Journey SOP (旅程 SOP) rules: when something happens to a lead, timed steps follow: a task for
 * the owning advisor with the script to use, tags added or removed, or the activity reminder the
 * customer accepted when joining. Edited in the admin page, run by the dispatcher's timer.
 */
export const SOP_TRIGGERS = ['lead_captured', 'activity_joined', 'before_activity', 'wecom_added'] as const;
export type SopTriggerType = (typeof SOP_TRIGGERS)[number];

export const SOP_TRIGGER_LABELS: Record<SopTriggerType, string> = {
  lead_captured: '留资后',
  activity_joined: '报名活动后',
  before_activity: '活动开始前',
  wecom_added: '添加企微后',
};

/** Variables a task's text may use, filled from the lead when the step runs. */
export const SOP_TEXT_VARIABLES = ['{姓名}', '{活动}', '{门店}'] as const;

const MAX_OFFSET_MINUTES = 90 * 24 * 60;
const tag = z.string().trim().min(1, '标签不能为空').max(20, '标签最多 20 个字');

export const sopActionSchema = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('task'),
      text: z.string().trim().min(1, '请填写任务内容').max(500, '任务内容最多 500 个字'),
    }),
    z.object({
      type: z.literal('tag'),
      add: z.array(tag).max(10, '一次最多添加 10 个标签').default([]),
      remove: z.array(tag).max(10, '一次最多移除 10 个标签').default([]),
    }),
    /** The activity reminder subscribe message, to a customer who accepted it when joining. */
    z.object({ type: z.literal('reminder') }),
  ],
  { error: '步骤动作无效' },
);

export const sopStepSchema = z.object({
  /** After the trigger; for `before_activity`, before the activity starts. */
  offsetMinutes: z
    .number({ error: '请填写时间偏移（分钟）' })
    .int('时间偏移应为整数分钟')
    .min(0, '时间偏移不能为负数')
    .max(MAX_OFFSET_MINUTES, '时间偏移最多 90 天'),
  /** China time of day: the step runs at the first such time at or after its offset. */
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时刻格式为 HH:mm，如 09:30')
    .optional(),
  action: sopActionSchema,
});

export const sopFiltersSchema = z.object({
  /** All of these tags. */
  tags: z.array(tag).max(10, '最多 10 个标签').default([]),
  /** Any of these channel types; empty: any. */
  channelTypes: z.array(z.string().max(30)).max(10).default([]),
  /** Any of these stores; empty: any. */
  stores: z.array(z.string().max(40)).max(50).default([]),
  /** Any of these activities; empty: any. */
  activityIds: z.array(z.string().max(64)).max(50).default([]),
  minScore: z.number().min(0, '分数不能为负数').max(1000, '分数过大').optional(),
});

export const sopRuleSchema = z
  .object({
    name: z.string().trim().min(1, '请填写规则名称').max(40, '规则名称最多 40 个字'),
    trigger: z.object({ type: z.enum(SOP_TRIGGERS, { error: '触发条件无效' }) }),
    filters: sopFiltersSchema.default({ tags: [], channelTypes: [], stores: [], activityIds: [] }),
    steps: z.array(sopStepSchema).min(1, '请至少添加一个步骤').max(10, '最多 10 个步骤'),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    const aboutActivity = rule.trigger.type !== 'lead_captured';
    rule.steps.forEach((step, i) => {
      if (step.action.type === 'reminder' && !aboutActivity)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'action'],
          message: '活动提醒只能用于“报名活动后”或“活动开始前”的规则',
        });
      if (step.at && rule.trigger.type === 'before_activity')
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'at'],
          message: '“活动开始前”的步骤按开始前的分钟数执行，不能再指定时刻',
        });
      if (step.action.type === 'tag') {
        const both = step.action.add.filter(
          (t) => step.action.type === 'tag' && step.action.remove.includes(t),
        );
        if (step.action.add.length + step.action.remove.length === 0)
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'action'], message: '请至少添加或移除一个标签' });
        else if (both.length > 0)
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'action', 'remove'],
            message: `标签“${both[0]}”不能同时添加和移除`,
          });
      }
    });
  });

export type SopRule = z.infer<typeof sopRuleSchema>;
export type SopStep = z.infer<typeof sopStepSchema>;
export type SopAction = z.infer<typeof sopActionSchema>;
export type SopFilters = z.infer<typeof sopFiltersSchema>;

/** A step's state: scheduled, then open (a task waiting for its advisor) or done, skipped or cancelled. */
export type SopStepStatus = 'scheduled' | 'running' | 'open' | 'done' | 'skipped' | 'cancelled';

/** An advisor's task as the staff desk shows it. */
export interface AdvisorTask {
  taskId: string;
  leadId: string;
  customerName: string | null;
  phoneMasked: string | null;
  tags: string[];
  activityTitle: string | null;
  text: string;
  dueAt: string;
  overdue: boolean;
  status: SopStepStatus;
}

/** A rule as the admin page reads it. */
export type SopRuleView = SopRule & { ruleId: string; createdAt: string; updatedAt: string };

/** How one advisor's (or one rule's) tasks stand; `key` is the staff id (or rule id). */
export interface SopTaskStats {
  key: string;
  open: number;
  done: number;
  skipped: number;
  cancelled: number;
  overdue: number;
}
