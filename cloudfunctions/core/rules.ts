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

/** Phrases that deny what follows them in the same clause: 不想要加盟 is not an interest in 加盟. */
const NEGATIONS = ['不想', '不要', '不需要', '不用', '不考虑', '不打算', '没有', '没兴趣', '无需', '无意'];
const CLAUSE_END = /[，,。.！!？?；;、\s]/;

/** Whether `text` has `word` somewhere not denied earlier in its clause. */
function mentions(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    let start = at;
    while (start > 0 && !CLAUSE_END.test(text[start - 1])) start -= 1;
    const before = text.slice(start, at);
    if (!NEGATIONS.some((negation) => before.includes(negation))) return true;
  }
  return false;
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
      // Every group must be found (AND); any word of a group will do (OR).
      const groups = condition.synonyms.map((group) => group.map(foldText).filter(Boolean));
      const fields = condition.fields.length > 0 ? condition.fields : FREE_TEXT_FIELDS;
      return (_facts, text) =>
        groups.every((words) => fields.some((key) => words.some((word) => mentions(text.field(key), word))));
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

/**
 * Where a lead's tags came from. `tags` is what lists, filters and exports read: the rule tags
 * followed by the manual ones. Leads stored before sources were kept have `tags` only.
 */
export interface TagSources {
  tags: string[];
  /** What the rules gave the lead when it was last judged; absent: never judged with sources kept. */
  ruleTags?: string[] | null;
  /** Added by a person (bulk tag); a re-tag never removes them. */
  manualTags?: string[];
  /** Removed by a person: the rules do not put them back until a person adds them again. */
  removedTags?: string[];
}

export interface SourcedTags {
  tags: string[];
  ruleTags: string[];
  manualTags: string[];
  removedTags: string[];
}

const union = (...lists: readonly (readonly string[])[]): string[] => [...new Set(lists.flat())];
const without = (list: readonly string[], drop: readonly string[]): string[] =>
  list.filter((tag) => !drop.includes(tag));

/**
 * A lead's tags once the rules have judged it (at capture or a re-tag): the rule tags are
 * replaced, the manual ones kept. A lead without sources keeps, as manual, every tag the rules do
 * not give it now: nothing a person may have added is lost to a guess.
 */
export function withRuleTags(lead: TagSources, produced: readonly string[]): SourcedTags {
  const removedTags = lead.removedTags ?? [];
  const ruleTags = without(produced, removedTags);
  const manual = lead.manualTags ?? [];
  const manualTags = lead.ruleTags
    ? manual
    : union(
        lead.tags.filter((tag) => manual.includes(tag) || !produced.includes(tag)),
        manual,
      );
  return { tags: union(ruleTags, manualTags), ruleTags, manualTags, removedTags };
}

/**
 * A person's edit (bulk tag): added tags become manual; removed ones leave every source and are
 * remembered so that a re-tag does not bring them back. Tags of unknown source stay so.
 */
export function editTags(lead: TagSources, add: readonly string[], remove: readonly string[]): TagSources {
  const manualTags = without(union(lead.manualTags ?? [], add), remove);
  const removing = remove.filter((tag) => lead.tags.includes(tag));
  const removedTags = without(union(lead.removedTags ?? [], removing), add);
  if (!lead.ruleTags)
    return { tags: without(union(lead.tags, add), remove), ruleTags: null, manualTags, removedTags };
  const ruleTags = without(lead.ruleTags, remove);
  return { tags: union(ruleTags, manualTags), ruleTags, manualTags, removedTags };
}

/** Tags that appear and disappear between two versions of a lead's `tags`. */
export function tagDifference(
  before: readonly string[],
  after: readonly string[],
): { added: string[]; removed: string[] } {
  return { added: without(after, before), removed: without(before, after) };
}

export interface Rejudged extends SourcedTags {
  score: number;
  mql: boolean;
  /** What a person would see change: a tag, the score or MQL. */
  changed: boolean;
  /** Whether the stored lead differs at all (its sources included), so needs a write. */
  stale: boolean;
  added: string[];
  removed: string[];
}

/** A stored lead judged again by the current rules (a re-tag, or its dry run). */
export function rejudge(
  lead: TagSources & { score?: number; mql?: boolean },
  judgement: Judgement,
): Rejudged {
  const next = withRuleTags(lead, judgement.tags);
  const { added, removed } = tagDifference(lead.tags, next.tags);
  const changed =
    added.length > 0 || removed.length > 0 || lead.score !== judgement.score || lead.mql !== judgement.mql;
  const same = (stored: readonly string[] | null | undefined, wanted: readonly string[]) =>
    JSON.stringify(stored ?? null) === JSON.stringify(wanted);
  const stale =
    changed ||
    !same(lead.tags, next.tags) ||
    !same(lead.ruleTags, next.ruleTags) ||
    !same(lead.manualTags, next.manualTags) ||
    !same(lead.removedTags, next.removedTags);
  return { ...next, score: judgement.score, mql: judgement.mql, changed, stale, added, removed };
}
