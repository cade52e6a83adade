import {
  distribution,
  personaDeltas,
  personaMark,
  previousPeriod,
  spendInside,
  sumDeltas,
} from '../../cloudfunctions/core/persona';
import { customerCriteria } from '../../cloudfunctions/core/segments';

const customer = (overrides: Record<string, any> = {}) => ({
  profile: { city: '上海', industry: '零售', role: '店长' },
  storeId: '静安店',
  firstTouch: { channelId: 'poster-1' },
  // 23:30 UTC is the next day in China.
  createdAt: new Date('2026-11-20T23:30:00Z'),
  mergedInto: null,
  ...overrides,
});

test('a customer counts on its China-time day under each dimension and each tag; a merged or deleted one nowhere', () => {
  const deltas = personaDeltas(null, personaMark(customer({ insight: { tags: ['意向:高', '行业:零售'] } })));
  expect(deltas).toEqual(
    [
      ['city', '上海'],
      ['industry', '零售'],
      ['role', '店长'],
      ['channel', 'poster-1'],
      ['store', '静安店'],
      ['tag', '意向:高'],
      ['tag', '行业:零售'],
    ].map(([dimension, value]) => ({ day: '2026-11-21', dimension, value, by: 1 })),
  );
  const bare = personaDeltas(null, personaMark(customer({ profile: {}, firstTouch: null, storeId: null })));
  expect(bare.map((d) => d.value)).toEqual([null, null, null, null, null]);
  expect(personaMark(customer({ mergedInto: 'other' }))).toBeNull();
  expect(personaMark(customer({ deletingAt: new Date() }))).toBeNull();
});

test('each day with a lead after the first-seen day is a return, valued by the day last seen before it', () => {
  const returns = (leadDays: string[]) =>
    personaDeltas(null, personaMark(customer({ insight: { tags: [], leadDays } })))
      .filter((d) => d.dimension === 'return')
      .map((d) => [d.day, d.value]);
  // A lead on the first-seen day is no return; days repeat and come in any order.
  expect(returns(['2026-11-21', '2026-11-25', '2026-11-23', '2026-11-25'])).toEqual([
    ['2026-11-23', '2026-11-21'],
    ['2026-11-25', '2026-11-23'],
  ]);
  expect(returns([])).toEqual([]);
});

test('a customer counted before roles, tags and returns were counted moves only by what is new', () => {
  const first = JSON.stringify(['2026-11-21', '上海', '零售', 'poster-1', '静安店']);
  const now = personaMark(customer({ insight: { tags: ['意向:高'], leadDays: ['2026-11-30'] } }));
  expect(personaDeltas(first, now)).toEqual([
    { day: '2026-11-21', dimension: 'role', value: '店长', by: 1 },
    { day: '2026-11-21', dimension: 'tag', value: '意向:高', by: 1 },
    { day: '2026-11-30', dimension: 'return', value: '2026-11-21', by: 1 },
  ]);
  expect(personaDeltas(first, null)).toHaveLength(4);
});

test.each([
  ['first count', null, customer(), 5, 0],
  ['unchanged', customer(), customer(), 0, 0],
  ['city changed', customer(), customer({ profile: { city: '北京', industry: '零售', role: '店长' } }), 1, 1],
  ['merged away', customer(), customer({ mergedInto: 'x' }), 0, 5],
  ['tag added', customer(), customer({ insight: { tags: ['意向:高'] } }), 1, 0],
])('%s moves the counts it must', (_name, before, after, added, taken) => {
  const deltas = personaDeltas(before && personaMark(before), personaMark(after));
  expect(deltas.filter((d) => d.by === 1)).toHaveLength(added);
  expect(deltas.filter((d) => d.by === -1)).toHaveLength(taken);
});

test('a city change moves one count from the old value to the new, on the same day', () => {
  const deltas = personaDeltas(
    personaMark(customer()),
    personaMark(customer({ profile: { city: '北京', industry: '零售', role: '店长' } })),
  );
  expect(deltas).toEqual([
    { day: '2026-11-21', dimension: 'city', value: '上海', by: -1 },
    { day: '2026-11-21', dimension: 'city', value: '北京', by: 1 },
  ]);
});

test.each([
  ['2026-11-20', '2026-11-22', '2026-11-17', '2026-11-19'],
  ['2026-03-01', '2026-03-01', '2026-02-28', '2026-02-28'],
  ['2026-01-01', '2026-01-31', '2025-12-01', '2025-12-31'],
])('the period before %s..%s is %s..%s', (from, to, prevFrom, prevTo) => {
  expect(previousPeriod(from, to)).toEqual({ from: prevFrom, to: prevTo });
});

test('distributions sum per key, drop zeros and sort largest first', () => {
  expect(
    distribution([
      { key: '上海', count: 2 },
      { key: null, count: 1 },
      { key: '北京', count: 1 },
      { key: '上海', count: 1 },
      { key: '杭州', count: 0 },
    ]),
  ).toEqual([
    { key: '上海', count: 3 },
    { key: null, count: 1 },
    { key: '北京', count: 1 },
  ]);
});

test('segment filters become criteria on the stored fields', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  expect(
    customerCriteria(
      { city: '上海', tag: '高意向', minJoins: 2, leadWithinDays: 30, minScore: 0, notContacted: false },
      now,
    ),
  ).toEqual({
    equal: { 'profile.city': '上海', 'insight.tags': '高意向' },
    atLeast: { joinCount: 2, lastLeadAt: new Date('2026-11-01T00:00:00Z') },
  });
  expect(customerCriteria({ hasPhone: false, notContacted: true }, now)).toEqual({
    equal: {},
    atLeast: {},
    hasPhone: false,
    notContacted: true,
  });
});

describe('the spend inside a range is each entry spread evenly over its days', () => {
  const months = [
    { from: '2026-11-01', to: '2026-11-30', amount: 3000 },
    { from: '2026-12-01', to: '2026-12-31', amount: 3100 },
  ];
  test.each([
    ['a whole month', '2026-11-01', '2026-11-30', 3000],
    ['one day of November', '2026-11-15', '2026-11-15', 100],
    ['ten days each side of the month end', '2026-11-21', '2026-12-10', 1000 + 1000],
    ['a range around both months', '2026-10-01', '2027-01-31', 6100],
    ['a range before any spend', '2026-10-01', '2026-10-31', 0],
  ])('%s', (_name, from, to, expected) => {
    expect(spendInside(months, from, to)).toBe(expected);
  });
  test('a campaign of three days inside one day of the range is a third', () => {
    expect(
      spendInside([{ from: '2026-11-10', to: '2026-11-12', amount: 900 }], '2026-11-12', '2026-11-20'),
    ).toBe(300);
  });
});

test('a page of moves writes each counter once, moves that cancel out not at all', () => {
  const shanghai = personaMark(customer());
  const beijing = personaMark(customer({ profile: { city: '北京', industry: '零售' } }));
  const summed = sumDeltas([
    ...personaDeltas(null, shanghai),
    ...personaDeltas(null, shanghai),
    ...personaDeltas(shanghai, beijing),
  ]);
  const city = summed.filter((d) => d.dimension === 'city');
  expect(city).toEqual([
    { day: '2026-11-21', dimension: 'city', value: '上海', by: 1 },
    { day: '2026-11-21', dimension: 'city', value: '北京', by: 1 },
  ]);
  expect(summed.find((d) => d.dimension === 'industry')).toEqual({
    day: '2026-11-21',
    dimension: 'industry',
    value: '零售',
    by: 2,
  });
  expect(sumDeltas([...personaDeltas(null, shanghai), ...personaDeltas(shanghai, null)])).toEqual([]);
});
