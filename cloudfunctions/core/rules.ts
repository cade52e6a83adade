import type { FieldKey } from '../../typings/fields';
import { FIELD_CATALOGUE } from '../../typings/fields';
import type { Condition, Rule } from '../../typings/pipeline';

/**
 * Tag and score rules as data, compiled once into predicates so a lead is judged against
 * hundreds of rules in microseconds. Text matching is case- and width-insensitive (NFKC folds
 * full-width letters and digits; lower case folds the rest); Chinese matches by substring.
 */
export interface LeadFacts {
  channelType: string;
  channelId: string;
  activityId: string | null;
  answers: Partial<Record<FieldKey, string>>;
  phoneVerified: boolean;
  activitiesJoined: number;
  submissions: number;
}

export interface StoredRule extends Rule {
  ruleId: string;
}

export interface Judgement {
  tags: string[];
  score: number;
  mql: boolean;
  /** Ids of the rules that matched, for "why was this tagged". */
  matched: string[];
}

type Predicate = (facts: LeadFacts, text: TextCache) => boolean;

interface CompiledRule {
  ruleId: string;
  kind: Rule['kind'];
  label: string;
  points: number;
  test: Predicate;
}

export interface CompiledRules {
  rules: CompiledRule[];
  mqlThreshold: number;
}

const FREE_TEXT_FIELDS = (Object.keys(FIELD_CATALOGUE) as FieldKey[]).filter(
  (key) => FIELD_CATALOGUE[key].freeText,
);

export function foldText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Each lead's answers are folded at most once, whatever the number of rules. */
class TextCache {
  private readonly folded = new Map<FieldKey, string>();
  constructor(private readonly answers: LeadFacts['answers']) {}
  field(key: FieldKey): string {
    let value = this.folded.get(key);
    if (value === undefined) {
      value = foldText(this.answers[key] ?? '');
      this.folded.set(key, value);
    }
    return value;
  }
}

function compileCondition(condition: Condition): Predicate {
  switch (condition.type) {
    case 'channel': {
      const types = new Set(condition.channelTypes);
      const ids = new Set(condition.channelIds);
      return (facts) => types.has(facts.channelType) || ids.has(facts.channelId);
    }
    case 'activity': {
      const ids = new Set(condition.activityIds);
      return (facts) => facts.activityId !== null && (ids.size === 0 || ids.has(facts.activityId));
    }
    case 'answer': {
      const { field, op } = condition;
      if (op === 'range') {
        const min = condition.min ?? Number.NEGATIVE_INFINITY;
        const max = condition.max ?? Number.POSITIVE_INFINITY;
        return (facts) => {
          const raw = facts.answers[field];
          const value = raw === undefined || raw.trim() === '' ? Number.NaN : Number(foldText(raw));
          return value >= min && value <= max;
        };
      }
      const values = new Set(condition.values.map(foldText));
      return (_facts, text) => values.has(text.field(field).trim());
    }
    case 'keywords': {
      const words = condition.synonyms.flat().map(foldText);
      const fields = condition.fields.length > 0 ? condition.fields : FREE_TEXT_FIELDS;
      return (_facts, text) => fields.some((key) => words.some((word) => text.field(key).includes(word)));
    }
    case 'behaviour': {
      const { metric, atLeast } = condition;
      return (facts) => facts[metric] >= atLeast;
    }
    case 'phoneVerified':
      return (facts) => facts.phoneVerified;
    case 'filled': {
      const { field } = condition;
      return (facts) => (facts.answers[field] ?? '').trim() !== '';
    }
  }
}

export function compileRules(rules: readonly StoredRule[], mqlThreshold: number): CompiledRules {
  return {
    mqlThreshold,
    rules: rules
      .filter((rule) => rule.enabled)
      .map((rule) => {
        const predicates = rule.when.map(compileCondition);
        return {
          ruleId: rule.ruleId,
          kind: rule.kind,
          label: rule.group ? `${rule.group}:${rule.tag}` : rule.tag,
          points: rule.points,
          test: (facts: LeadFacts, text: TextCache) => predicates.every((p) => p(facts, text)),
        };
      }),
  };
}

/** Tags (deduplicated, in rule order), score and MQL for one lead. */
export function judgeLead(compiled: CompiledRules, facts: LeadFacts): Judgement {
  const text = new TextCache(facts.answers);
  const tags: string[] = [];
  const matched: string[] = [];
  let score = 0;
  for (const rule of compiled.rules) {
    if (!rule.test(facts, text)) continue;
    matched.push(rule.ruleId);
    if (rule.kind === 'score') score += rule.points;
    else if (rule.label && !tags.includes(rule.label)) tags.push(rule.label);
  }
  return { tags, score, mql: score >= compiled.mqlThreshold, matched };
}
