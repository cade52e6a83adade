import {
  countersForStatusChange,
  type FunnelCell,
  rollUp,
  rollupsOf,
} from '../../cloudfunctions/core/funnel';
import { phoneTail } from '../../cloudfunctions/core/phone';

describe('rollupsOf', () => {
  test.each<[string, FunnelCell, string[]]>([
    [
      'a staff code scan for an activity counts in all three totals',
      { day: '2026-11-01', channelId: 'staff:s1', staffId: 's1', activityId: 'a1' },
      ['2026-11-01|channel|staff:s1', '2026-11-01|staff|s1', '2026-11-01|activity|a1'],
    ],
    [
      'no staff and no activity: only the channel total',
      { day: '2026-11-01', channelId: 'organic', staffId: null, activityId: null },
      ['2026-11-01|channel|organic'],
    ],
  ])('%s', (_name, cell, keys) => {
    expect(rollupsOf(cell).map((r) => r.key)).toEqual(keys);
  });
});

test('rollUp adds the cells of a day per channel, staff and activity, counter by counter', () => {
  const totals = rollUp([
    { day: '2026-11-01', channelId: 'ad-1', staffId: null, activityId: 'a1', leads: 2, won: 1 },
    { day: '2026-11-01', channelId: 'ad-1', staffId: 's1', activityId: null, leads: 3 },
    { day: '2026-11-02', channelId: 'ad-1', staffId: 's1', activityId: 'a1', leads: 5 },
  ]);
  expect(totals.get('2026-11-01|channel|ad-1')).toMatchObject({ leads: 5, won: 1 });
  expect(totals.get('2026-11-01|staff|s1')).toMatchObject({ leads: 3 });
  expect(totals.get('2026-11-01|staff|s1')?.won).toBeUndefined();
  expect(totals.get('2026-11-01|activity|a1')).toMatchObject({ leads: 2, won: 1 });
  expect(totals.get('2026-11-02|activity|a1')).toMatchObject({
    day: '2026-11-02',
    dim: 'activity',
    value: 'a1',
    leads: 5,
  });
  expect(totals.size).toBe(6);
});

test('countersForStatusChange counts contacted once and the leads won now', () => {
  expect(countersForStatusChange([{ status: 'new' }], 'new', 'contacted')).toEqual({ contacted: 1 });
  expect(countersForStatusChange([{ status: 'new' }], 'new', 'won')).toEqual({ contacted: 1, won: 1 });
  // Leaving 已成交 takes the count back; winning again counts again.
  expect(countersForStatusChange([{ status: 'new' }, { status: 'won' }], 'won', 'lost')).toEqual({ won: -1 });
  expect(
    countersForStatusChange([{ status: 'new' }, { status: 'won' }, { status: 'lost' }], 'lost', 'won'),
  ).toEqual({
    won: 1,
  });
});

test.each([
  ['13800138000', '8000'],
  ['123', null],
  [null, null],
])('phoneTail(%p) = %p', (phone, tail) => {
  expect(phoneTail(phone)).toBe(tail);
});
