import {
  countersForStatusChange,
  type FunnelCell,
  FunnelTally,
  type LeadStatusName,
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

test.each<[LeadStatusName, LeadStatusName, Record<string, number>]>([
  ['new', 'contacted', { contacted: 1 }],
  ['new', 'won', { contacted: 1, won: 1 }],
  ['contacted', 'qualified', {}],
  ['qualified', 'won', { won: 1 }],
  // Leaving 已成交 takes its count back; winning again counts again.
  ['won', 'lost', { won: -1 }],
  ['lost', 'won', { won: 1 }],
  // A status corrected back to 新线索 is neither contacted nor won any more.
  ['won', 'new', { contacted: -1, won: -1 }],
  ['contacted', 'new', { contacted: -1 }],
  ['new', 'new', {}],
])('a lead moved from %s to %s counts %j', (current, next, counters) => {
  expect(countersForStatusChange(current, next)).toEqual(counters);
});

test('the funnel holds whatever the statuses went through: won never exceeds contacted, nor contacted the leads', () => {
  const statuses: LeadStatusName[] = ['new', 'contacted', 'qualified', 'won', 'lost'];
  // Every walk of four moves over the five statuses, applied as the admin applies them.
  const walks: LeadStatusName[][] = [[]];
  for (let step = 0; step < 4; step += 1)
    walks.splice(0, walks.length, ...walks.flatMap((w) => statuses.map((s) => [...w, s])));
  const totals = { leads: 0, contacted: 0, won: 0 };
  const tally = new FunnelTally();
  for (const walk of walks) {
    let current: LeadStatusName = 'new';
    totals.leads += 1;
    for (const next of walk) {
      if (next === current) continue;
      const counters = countersForStatusChange(current, next);
      totals.contacted += counters.contacted ?? 0;
      totals.won += counters.won ?? 0;
      current = next;
    }
    tally.lead({
      createdAt: new Date('2026-11-01T02:00:00Z'),
      channel: 'ad-1',
      staffId: null,
      activityId: null,
      ownerId: null,
      // A lead may be won without ever being an MQL: MQL is no stage.
      mql: false,
      source: 'form',
      status: current,
    });
    expect(totals.won).toBeLessThanOrEqual(totals.contacted);
    expect(totals.contacted).toBeLessThanOrEqual(totals.leads);
  }
  // The recount from the leads as they stand agrees with the counts kept move by move.
  const [row] = tally.result().values();
  expect(row.counters).toMatchObject({ leads: totals.leads, contacted: totals.contacted, won: totals.won });
  expect(row.counters.mql).toBeUndefined();
});

test.each([
  ['13800138000', '8000'],
  ['123', null],
  [null, null],
])('phoneTail(%p) = %p', (phone, tail) => {
  expect(phoneTail(phone)).toBe(tail);
});
