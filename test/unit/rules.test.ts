// The rules engine: rules as data, Chinese keyword matching, scoring and MQL, and where tags came from.
import {
  compileRules,
  editTags,
  judgeLead,
  type LeadFacts,
  rejudge,
  type StoredRule,
  type TagSources,
  withRuleTags,
} from '../../cloudfunctions/core/rules';
import { ruleSchema } from '../../typings/pipeline';

const rule = (ruleId: string, input: Record<string, unknown>): StoredRule => ({
  ...ruleSchema.parse({ name: ruleId, ...input }),
  ruleId,
});

const facts = (overrides: Partial<LeadFacts> = {}): LeadFacts => ({
  channelType: 'staff',
  channelId: 'ch-staff-wang',
  activityId: null,
  answers: {},
  phoneVerified: false,
  activitiesJoined: 0,
  submissions: 1,
  ...overrides,
});

describe('tag rules, one row per condition type', () => {
  const cases: { name: string; when: unknown[]; lead: LeadFacts; tagged: boolean }[] = [
    {
      name: 'channel type',
      when: [{ type: 'channel', channelTypes: ['staff'] }],
      lead: facts(),
      tagged: true,
    },
    {
      name: 'channel id',
      when: [{ type: 'channel', channelIds: ['ch-ad-1'] }],
      lead: facts(),
      tagged: false,
    },
    { name: 'any activity', when: [{ type: 'activity' }], lead: facts({ activityId: 'a1' }), tagged: true },
    { name: 'no activity', when: [{ type: 'activity' }], lead: facts(), tagged: false },
    {
      name: 'given activity',
      when: [{ type: 'activity', activityIds: ['a2'] }],
      lead: facts({ activityId: 'a1' }),
      tagged: false,
    },
    {
      name: 'answer equals, width-insensitive',
      when: [{ type: 'answer', field: 'city', op: 'equals', values: ['Shanghai'] }],
      lead: facts({ answers: { city: 'ＳＨＡＮＧＨＡＩ' } }),
      tagged: true,
    },
    {
      name: 'answer one of',
      when: [{ type: 'answer', field: 'industry', op: 'oneOf', values: ['零售', '餐饮'] }],
      lead: facts({ answers: { industry: '餐饮' } }),
      tagged: true,
    },
    {
      name: 'answer in range (full-width digits)',
      when: [{ type: 'answer', field: 'role', op: 'range', min: 10, max: 50 }],
      lead: facts({ answers: { role: '２０' } }),
      tagged: true,
    },
    {
      name: 'answer out of range',
      when: [{ type: 'answer', field: 'role', op: 'range', min: 10, max: 50 }],
      lead: facts({ answers: { role: '51' } }),
      tagged: false,
    },
    {
      name: 'empty answer is not in any range',
      when: [{ type: 'answer', field: 'role', op: 'range', max: 50 }],
      lead: facts(),
      tagged: false,
    },
    {
      name: 'behaviour: joined 2 activities',
      when: [{ type: 'behaviour', metric: 'activitiesJoined', atLeast: 2 }],
      lead: facts({ activitiesJoined: 2 }),
      tagged: true,
    },
    {
      name: 'behaviour: submitted 3 times',
      when: [{ type: 'behaviour', metric: 'submissions', atLeast: 3 }],
      lead: facts({ submissions: 2 }),
      tagged: false,
    },
    {
      name: 'phone verified',
      when: [{ type: 'phoneVerified' }],
      lead: facts({ phoneVerified: true }),
      tagged: true,
    },
    {
      name: 'company filled',
      when: [{ type: 'filled', field: 'company' }],
      lead: facts({ answers: { company: ' ' } }),
      tagged: false,
    },
    {
      name: 'all conditions must hold',
      when: [{ type: 'channel', channelTypes: ['staff'] }, { type: 'phoneVerified' }],
      lead: facts(),
      tagged: false,
    },
  ];

  test.each(cases)('$name', ({ when, lead, tagged }) => {
    const compiled = compileRules([rule('r', { kind: 'tag', group: '测试', tag: '命中', when })], 60);
    expect(judgeLead(compiled, lead).tags).toEqual(tagged ? ['测试:命中'] : []);
  });
});

describe('keywords in free text: real sentences, synonyms, case and width', () => {
  const interest = rule('kw', {
    kind: 'tag',
    group: '意向',
    tag: '加盟',
    when: [{ type: 'keywords', synonyms: [['加盟', '代理', '开店', 'franchise']] }],
  });
  const compiled = compileRules([interest], 60);
  test.each([
    ['想了解一下你们品牌的加盟政策，谢谢', true],
    ['我在杭州有个铺面，考虑自己开店', true],
    ['请问区域代理需要多少保证金？', true],
    ['Interested in a FRANCHISE in Suzhou', true],
    ['Ｆｒａｎｃｈｉｓｅ ｐｌｅａｓｅ', true],
    ['只是想买两杯咖啡', false],
    ['加', false],
    // A denied keyword does not count; one outside the denying clause does.
    ['不想要加盟，只买咖啡', false],
    ['我们不需要代理', false],
    ['暂时不考虑开店', false],
    ['不需要代理，但想了解加盟', true],
    ['没有问题。想加盟', true],
  ])('%s → %s', (note, tagged) => {
    expect(judgeLead(compiled, facts({ answers: { note } })).tags.length > 0).toBe(tagged);
  });

  test('keyword groups: every group must be found (AND), any word inside a group will do (OR)', () => {
    const both = compileRules(
      [
        rule('g', {
          kind: 'tag',
          tag: '团建',
          when: [
            {
              type: 'keywords',
              synonyms: [
                ['团建', '年会'],
                ['公司', '企业'],
              ],
            },
          ],
        }),
      ],
      60,
    );
    const tagged = (note: string) => judgeLead(both, facts({ answers: { note } })).tags.length > 0;
    expect(tagged('公司年会想订咖啡')).toBe(true);
    expect(tagged('企业团建')).toBe(true);
    expect(tagged('想办年会')).toBe(false);
    expect(tagged('公司采购')).toBe(false);
  });

  test('keywords can be limited to some fields', () => {
    const onlyCompany = compileRules(
      [
        rule('c', {
          kind: 'tag',
          tag: '连锁',
          when: [{ type: 'keywords', fields: ['company'], synonyms: [['连锁']] }],
        }),
      ],
      60,
    );
    expect(judgeLead(onlyCompany, facts({ answers: { note: '连锁店' } })).tags).toEqual([]);
    expect(judgeLead(onlyCompany, facts({ answers: { company: '某某连锁超市' } })).tags).toEqual(['连锁']);
  });
});

describe('score and MQL', () => {
  const rules = [
    rule('s1', { kind: 'score', points: 30, when: [{ type: 'phoneVerified' }] }),
    rule('s2', { kind: 'score', points: 20, when: [{ type: 'filled', field: 'company' }] }),
    rule('s3', { kind: 'score', points: 15, when: [{ type: 'activity' }] }),
    rule('s4', { kind: 'score', points: -10, when: [{ type: 'channel', channelTypes: ['organic'] }] }),
    rule('off', { kind: 'score', points: 100, enabled: false, when: [{ type: 'phoneVerified' }] }),
    rule('t1', {
      kind: 'tag',
      group: '来源',
      tag: '导购',
      when: [{ type: 'channel', channelTypes: ['staff'] }],
    }),
    rule('t2', { kind: 'tag', group: '来源', tag: '导购', when: [{ type: 'phoneVerified' }] }),
  ];
  const compiled = compileRules(rules, 60);

  test('points add up, disabled rules do not count, a threshold makes an MQL', () => {
    const hot = judgeLead(
      compiled,
      facts({ phoneVerified: true, activityId: 'a', answers: { company: 'A' } }),
    );
    expect(hot).toMatchObject({ score: 65, mql: true, tags: ['来源:导购'] });
    expect(hot.matched).toEqual(['s1', 's2', 's3', 't1', 't2']);
    const cold = judgeLead(compiled, facts({ channelType: 'organic', answers: { company: 'A' } }));
    expect(cold).toMatchObject({ score: 10, mql: false, tags: [] });
  });

  test('a rule without a condition is refused with a clear message', () => {
    const parsed = ruleSchema.safeParse({ name: 'x', kind: 'tag', tag: 'y', when: [] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].message).toBe('至少需要一个条件');
  });
});

describe('tag sources: a re-tag replaces rule tags only', () => {
  const cases: { name: string; lead: TagSources; produced: string[]; tags: string[]; manual: string[] }[] = [
    {
      name: "a new lead: every tag is the rules'",
      lead: { tags: [] },
      produced: ['来源:导购', '意向:加盟'],
      tags: ['来源:导购', '意向:加盟'],
      manual: [],
    },
    {
      name: 'rule tags are replaced, manual ones stay after them',
      lead: { tags: ['意向:加盟', '重点'], ruleTags: ['意向:加盟'], manualTags: ['重点'] },
      produced: ['来源:广告'],
      tags: ['来源:广告', '重点'],
      manual: ['重点'],
    },
    {
      name: 'a manual tag the rules also give is shown once and outlives the rule',
      lead: { tags: ['意向:高'], ruleTags: [], manualTags: ['意向:高'] },
      produced: ['意向:高'],
      tags: ['意向:高'],
      manual: ['意向:高'],
    },
    {
      name: 'a rule tag a person removed is not given back',
      lead: { tags: [], ruleTags: [], manualTags: [], removedTags: ['意向:加盟'] },
      produced: ['意向:加盟', '来源:门店'],
      tags: ['来源:门店'],
      manual: [],
    },
    {
      name: 'no sources yet: tags the rules do not give now are kept as manual, in their order',
      lead: { tags: ['生命周期:MQL', '意向:加盟', '来源:导购'] },
      produced: ['意向:加盟', '行业:零售'],
      tags: ['意向:加盟', '行业:零售', '生命周期:MQL', '来源:导购'],
      manual: ['生命周期:MQL', '来源:导购'],
    },
    {
      name: 'no sources yet, some manual already: the manual ones stay even if a rule gives them',
      lead: { tags: ['a', 'b'], manualTags: ['b'] },
      produced: ['b'],
      tags: ['b', 'a'],
      manual: ['a', 'b'],
    },
  ];
  test.each(cases)('$name', ({ lead, produced, tags, manual }) => {
    const next = withRuleTags(lead, produced);
    expect(next.tags).toEqual(tags);
    expect(next.manualTags).toEqual(manual);
    expect(next.tags).toEqual([...new Set([...next.ruleTags, ...next.manualTags])]);
  });

  test("a person's edit: added tags are manual, removed ones leave every source and are remembered", () => {
    const lead = {
      tags: ['意向:加盟', '重点'],
      ruleTags: ['意向:加盟'],
      manualTags: ['重点'],
      removedTags: [],
    };
    expect(editTags(lead, ['回访'], ['意向:加盟', '不存在'])).toEqual({
      tags: ['重点', '回访'],
      ruleTags: [],
      manualTags: ['重点', '回访'],
      removedTags: ['意向:加盟'],
    });
    expect(editTags({ ...lead, removedTags: ['x'] }, ['x'], []).removedTags).toEqual([]);
  });

  test('an edit of a lead without sources keeps its other tags of unknown source', () => {
    expect(editTags({ tags: ['来源:门店', 'x'] }, ['意向:高'], ['x'])).toEqual({
      tags: ['来源:门店', '意向:高'],
      ruleTags: null,
      manualTags: ['意向:高'],
      removedTags: ['x'],
    });
  });

  test('rejudge says what a person would see change, and whether the stored lead needs a write', () => {
    const judged = (tags: string[], score = 0) => ({ tags, score, mql: false, matched: [] });
    const sourced = { tags: ['a'], ruleTags: ['a'], manualTags: [], removedTags: [], score: 0, mql: false };
    expect(rejudge(sourced, judged(['a']))).toMatchObject({ changed: false, stale: false });
    expect(rejudge(sourced, judged(['a'], 10))).toMatchObject({ changed: true, added: [], removed: [] });
    expect(rejudge(sourced, judged(['b']))).toMatchObject({ changed: true, added: ['b'], removed: ['a'] });
    // A lead stored before sources were kept: nothing a person sees changes, its sources are written.
    expect(rejudge({ tags: ['x', 'a'], score: 0, mql: false }, judged(['a']))).toMatchObject({
      changed: false,
      stale: true,
      tags: ['a', 'x'],
      ruleTags: ['a'],
      manualTags: ['x'],
    });
  });
});
