import {
  dueAtOf,
  matchesFilters,
  reminderData,
  renderTaskText,
  stopReason,
} from '../../cloudfunctions/core/sop';
import { sopRuleSchema } from '../../typings/sop';

const lead = {
  name: '张三',
  tags: ['意向:加盟', '来源:导购'],
  channelType: 'staff',
  store: '徐汇店',
  activityId: 'a1',
  activityTitle: '品鉴会',
  score: 70,
  source: 'activity' as const,
};

describe('when a step is due', () => {
  // 2026-12-01 15:30 China time.
  const anchor = new Date('2026-12-01T07:30:00Z');
  const at = (offsetMinutes: number, time?: string) =>
    dueAtOf('lead_captured', anchor, {
      offsetMinutes,
      ...(time ? { at: time } : {}),
      action: { type: 'reminder' },
    });

  test('the offset later, or the first given China time at or after it', () => {
    expect(at(90).toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(at(0, '18:00').toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(at(0, '09:30').toISOString()).toBe('2026-12-02T01:30:00.000Z');
    expect(at(24 * 60, '10:00').toISOString()).toBe('2026-12-03T02:00:00.000Z');
    // 23:00 China time is 15:00 UTC the same day; 00:30 China time belongs to the next UTC day before.
    expect(at(8 * 60, '00:30').toISOString()).toBe('2026-12-01T16:30:00.000Z');
  });

  test('before an activity: the offset before its start', () => {
    const start = new Date('2026-12-05T06:00:00Z');
    expect(
      dueAtOf('before_activity', start, { offsetMinutes: 120, action: { type: 'reminder' } }).toISOString(),
    ).toBe('2026-12-05T04:00:00.000Z');
  });
});

test('task text fills its variables, unknown values read as neutral words', () => {
  expect(renderTaskText('{姓名}您好，{活动}在{门店}见', lead)).toBe('张三您好，品鉴会在徐汇店见');
  expect(renderTaskText('{姓名}您好，{活动}', { name: null, activityTitle: null, store: null })).toBe(
    '客户您好，活动',
  );
});

test('filters: all tags, any channel, store and activity, a minimum score', () => {
  const none = { tags: [], channelTypes: [], stores: [], activityIds: [] };
  expect(matchesFilters(none, lead)).toBe(true);
  expect(matchesFilters({ ...none, tags: ['意向:加盟', '来源:导购'] }, lead)).toBe(true);
  expect(matchesFilters({ ...none, tags: ['意向:加盟', 'VIP'] }, lead)).toBe(false);
  expect(matchesFilters({ ...none, channelTypes: ['ad'] }, lead)).toBe(false);
  expect(matchesFilters({ ...none, stores: ['静安旗舰店'] }, lead)).toBe(false);
  expect(matchesFilters({ ...none, activityIds: ['a1'], minScore: 70 }, lead)).toBe(true);
  expect(matchesFilters({ ...none, minScore: 71 }, lead)).toBe(false);
});

test('a journey stops for a won or lost lead, withdrawn consent, a deleted customer or WeCom contact, or a rule switched off', () => {
  const rule = { enabled: true, steps: [{ offsetMinutes: 0, action: { type: 'reminder' as const } }] };
  const consented = { consent: { accepted: true } };
  const open = { status: 'new', customerId: 'c1' };
  expect(stopReason(rule, 0, open, consented)).toBeNull();
  expect(stopReason(rule, 0, { ...open, status: 'won' }, consented)).toBe('won');
  expect(stopReason(rule, 0, { ...open, status: 'lost' }, consented)).toBe('lost');
  expect(stopReason(rule, 0, open, { consent: { accepted: false } })).toBe('consent_withdrawn');
  expect(stopReason(rule, 0, { ...open, customerId: 'deleted:x' }, consented)).toBe('customer_deleted');
  expect(stopReason(rule, 0, { ...open, wecom: { status: 'lost' } }, consented)).toBe('contact_deleted');
  expect(stopReason({ ...rule, enabled: false }, 0, open, consented)).toBe('rule_off');
  expect(stopReason(rule, 1, open, consented)).toBe('rule_off');
});

test('reminder fields follow the template mapping; a thing holds 20 characters', () => {
  const activity = {
    title: '一场标题非常非常非常非常非常长的周末咖啡品鉴会',
    startAt: new Date('2026-12-05T06:00:00Z'),
    place: '静安',
  };
  expect(reminderData('thing1=title,time2=start,thing3=place,bad=nothing', activity)).toEqual({
    thing1: '一场标题非常非常非常非常非常长的周末咖…',
    time2: '2026-12-05 14:00',
    thing3: '静安',
  });
});

test('rules that cannot work are refused on the field concerned', () => {
  const base = {
    name: '规则',
    trigger: { type: 'lead_captured' },
    steps: [{ offsetMinutes: 0, action: { type: 'task', text: '联系' } }],
  };
  const issues = (rule: unknown) =>
    sopRuleSchema.safeParse(rule).error?.issues.map((issue) => [issue.path.join('.'), issue.message]) ?? [];
  expect(issues(base)).toEqual([]);
  expect(issues({ ...base, steps: [{ offsetMinutes: -5, action: { type: 'task', text: '联系' } }] })).toEqual(
    [['steps.0.offsetMinutes', '时间偏移不能为负数']],
  );
  expect(issues({ ...base, steps: [{ offsetMinutes: 0, action: { type: 'reminder' } }] })).toEqual([
    ['steps.0.action', '活动提醒只能用于“报名活动后”或“活动开始前”的规则'],
  ]);
  expect(
    issues({ ...base, steps: [{ offsetMinutes: 0, action: { type: 'tag', add: ['A'], remove: ['A'] } }] }),
  ).toEqual([['steps.0.action.remove', '标签“A”不能同时添加和移除']]);
  expect(issues({ ...base, steps: [] })).toEqual([['steps', '请至少添加一个步骤']]);
  expect(
    issues({
      ...base,
      trigger: { type: 'before_activity' },
      steps: [{ offsetMinutes: 60, at: '09:00', action: { type: 'reminder' } }],
    }),
  ).toEqual([['steps.0.at', '“活动开始前”的步骤按开始前的分钟数执行，不能再指定时刻']]);
});
