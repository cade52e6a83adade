import { FIELD_CATALOGUE, FIELD_KEYS, type FieldKey } from '../../../../typings/fields';
import { CHANNEL_TYPE_LABELS, type Condition, type Rule } from '../../../../typings/pipeline';
import { activityTitle, channelName } from '../../lookups';
import { ANSWER_OPS, BEHAVIOUR_METRICS, CONDITION_TYPES } from './copy';

/** Conditions of a rule as the editor holds them and as a sentence in the list. */
export function newCondition(type: Condition['type']): Condition {
  switch (type) {
    case 'channel':
      return { type, channelTypes: [], channelIds: [] };
    case 'activity':
      return { type, activityIds: [] };
    case 'answer':
      return { type, field: 'industry', op: 'equals', values: [] };
    case 'keywords':
      return { type, fields: [], synonyms: [[]] };
    case 'behaviour':
      return { type, metric: 'activitiesJoined', atLeast: 1 };
    case 'phoneVerified':
      return { type };
    case 'filled':
      return { type, field: 'company' };
  }
}

export function newRule(): Rule {
  return {
    name: '',
    enabled: true,
    kind: 'tag',
    group: '',
    tag: '',
    points: 0,
    when: [{ type: 'keywords', fields: [], synonyms: [[]] }],
  };
}

const label = (key: string) => FIELD_CATALOGUE[key as FieldKey]?.label ?? key;

export function describeCondition(c: Condition): string {
  switch (c.type) {
    case 'channel': {
      const names = [
        ...c.channelTypes.map((t) => CHANNEL_TYPE_LABELS[t] ?? t),
        ...c.channelIds.map(channelName),
      ];
      return `来源：${names.join(' / ') || '（未选择）'}`;
    }
    case 'activity':
      return c.activityIds.length
        ? `参加活动：${c.activityIds.map(activityTitle).join(' / ')}`
        : '参加任一活动';
    case 'answer':
      if (c.op === 'range') return `${label(c.field)} 在 ${c.min ?? '−∞'} ~ ${c.max ?? '+∞'} 之间`;
      return `${label(c.field)} ${ANSWER_OPS[c.op]} ${c.values.join(' / ') || '（空）'}`;
    case 'keywords':
      return `${c.fields.length ? c.fields.map(label).join('、') : '自由文本'}含：${c.synonyms.map((g) => g.join('|')).join('，')}`;
    case 'behaviour':
      return `${BEHAVIOUR_METRICS[c.metric]} ≥ ${c.atLeast}`;
    case 'phoneVerified':
      return CONDITION_TYPES.phoneVerified;
    case 'filled':
      return `填写了${label(c.field)}`;
  }
}

/** What a rule does, for the list: a tag, or points. */
export function ruleEffect(rule: Rule): string {
  if (rule.kind === 'score') return `${rule.points >= 0 ? '+' : ''}${rule.points} 分`;
  return rule.group ? `${rule.group}:${rule.tag}` : rule.tag || '（未填写标签）';
}

export const fieldOptions = (only: (key: FieldKey) => boolean = () => true) =>
  FIELD_KEYS.filter(only).map((key) => ({ label: FIELD_CATALOGUE[key].label, value: key }));

export const freeTextFieldOptions = () => fieldOptions((key) => FIELD_CATALOGUE[key].freeText);

export const channelTypeOptions = () =>
  Object.entries(CHANNEL_TYPE_LABELS).map(([value, text]) => ({ label: text, value }));
