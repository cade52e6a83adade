// Attribution rules of PRODUCT.md, one row per entry case.
import {
  attributeFromMemory,
  attributeLead,
  EMPTY_MEMORY,
  enteredToday,
  mergeMemories,
  nextOwnership,
  type Ownership,
  type ResolvedCode,
  rememberTouch,
  resolveTouch,
  type TouchFacts,
  type TouchLookups,
} from '../../cloudfunctions/core/attribution';

const ENV = 'leadpool-prod';
const NOW = new Date('2026-11-22T10:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

const code = (overrides: Partial<ResolvedCode> = {}): ResolvedCode => ({
  codeId: 'code-1',
  channelId: 'ch-staff-wang',
  channelType: 'staff',
  staffId: 'staff-wang',
  staffActive: true,
  storeId: 'store-1',
  activityId: null,
  disabled: false,
  envId: ENV,
  ...overrides,
});

const lookups = (overrides: Partial<TouchLookups> = {}): TouchLookups => ({
  code: null,
  referrer: null,
  envId: ENV,
  customerId: 'me',
  ...overrides,
});

describe('resolveTouch: one touch per entry', () => {
  const cases: {
    name: string;
    wxScene: number;
    query: Record<string, string>;
    lookups: TouchLookups;
    expected: Partial<TouchFacts>;
  }[] = [
    {
      name: 'mini program code scanned (scene, URL-encoded)',
      wxScene: 1047,
      query: { scene: 'abc%2Fdef' },
      lookups: lookups({ code: code() }),
      expected: {
        kind: 'code_scan',
        channelId: 'ch-staff-wang',
        staffId: 'staff-wang',
        codeId: 'code-1',
        rejected: null,
      },
    },
    {
      name: 'code from the album (1049) is still a scan',
      wxScene: 1049,
      query: { scene: 'abc' },
      lookups: lookups({ code: code() }),
      expected: { kind: 'code_scan', staffId: 'staff-wang' },
    },
    {
      name: 'staff share card in a chat',
      wxScene: 1007,
      query: { ch: 'abc' },
      lookups: lookups({ code: code() }),
      expected: { kind: 'staff_card', channelType: 'staff', staffId: 'staff-wang' },
    },
    {
      name: 'staff share card in a group',
      wxScene: 1008,
      query: { ch: 'abc' },
      lookups: lookups({ code: code() }),
      expected: { kind: 'staff_card', staffId: 'staff-wang' },
    },
    {
      name: 'customer share card: referral, inherits the sharer’s owning staff',
      wxScene: 1007,
      query: { ref: 'token-of-friend' },
      lookups: lookups({ referrer: { customerId: 'friend', ownerStaffId: 'staff-li', storeId: 'store-2' } }),
      expected: {
        kind: 'customer_card',
        channelType: 'referral',
        referrerCustomerId: 'friend',
        staffId: 'staff-li',
        storeId: 'store-2',
      },
    },
    {
      name: 'official-account menu link',
      wxScene: 1035,
      query: { ch: 'menu1' },
      lookups: lookups({
        code: code({ channelType: 'official_account', channelId: 'ch-menu', staffId: null }),
      }),
      expected: { kind: 'menu_link', channelType: 'official_account', channelId: 'ch-menu', staffId: null },
    },
    {
      name: 'organic entry keeps its scene',
      wxScene: 1001,
      query: {},
      lookups: lookups(),
      expected: { kind: 'organic', channelId: 'organic', wxScene: 1001, rejected: null },
    },
    {
      name: 'unknown or forged code',
      wxScene: 1047,
      query: { scene: 'staff-wang-forged' },
      lookups: lookups(),
      expected: {
        kind: 'organic',
        staffId: null,
        rejected: { value: 'staff-wang-forged', reason: 'unknown' },
      },
    },
    {
      name: 'disabled code',
      wxScene: 1047,
      query: { scene: 'abc' },
      lookups: lookups({ code: code({ disabled: true }) }),
      expected: { kind: 'organic', rejected: { value: 'abc', reason: 'disabled' } },
    },
    {
      name: 'code of another environment',
      wxScene: 1047,
      query: { scene: 'abc' },
      lookups: lookups({ code: code({ envId: 'other-env' }) }),
      expected: { kind: 'organic', rejected: { value: 'abc', reason: 'foreign_env' } },
    },
    {
      name: 'deactivated staff: the code credits their store',
      wxScene: 1047,
      query: { scene: 'abc' },
      lookups: lookups({ code: code({ staffActive: false }) }),
      expected: { kind: 'code_scan', channelType: 'store', staffId: null, storeId: 'store-1' },
    },
    {
      name: 'unknown share token',
      wxScene: 1007,
      query: { ref: 'made-up' },
      lookups: lookups(),
      expected: { kind: 'organic', rejected: { value: 'made-up', reason: 'unknown' } },
    },
    {
      name: 'own share card is not a referral',
      wxScene: 1007,
      query: { ref: 'mine' },
      lookups: lookups({ referrer: { customerId: 'me', ownerStaffId: 'staff-li', storeId: null } }),
      expected: { kind: 'organic', staffId: null, rejected: { value: 'mine', reason: 'self_referral' } },
    },
  ];

  test.each(cases)('$name', ({ wxScene, query, lookups: found, expected }) => {
    expect(resolveTouch({ wxScene, query }, found, NOW)).toMatchObject({ ...expected, at: NOW });
  });
});

describe('attributeLead: last non-organic touch within 30 days, first touch kept', () => {
  const touch = (kind: TouchFacts['kind'], at: Date, staffId: string | null = null): TouchFacts => ({
    ...resolveTouch({ wxScene: 1001, query: {} }, lookups(), at),
    kind,
    staffId,
    channelId: kind === 'organic' ? 'organic' : `ch-${staffId}`,
  });
  const first = touch('code_scan', daysAgo(200), 'staff-first');

  const cases: { name: string; touches: TouchFacts[]; kind: string; staffId: string | null }[] = [
    { name: 'no touches at all: organic', touches: [], kind: 'organic', staffId: null },
    {
      name: 'latest attributed touch wins',
      touches: [touch('code_scan', daysAgo(10), 'a'), touch('staff_card', daysAgo(2), 'b')],
      kind: 'staff_card',
      staffId: 'b',
    },
    {
      name: 'a later organic entry does not displace it',
      touches: [touch('code_scan', daysAgo(5), 'a'), touch('organic', daysAgo(1))],
      kind: 'code_scan',
      staffId: 'a',
    },
    {
      name: 'expired window: organic',
      touches: [touch('code_scan', daysAgo(31), 'a'), touch('organic', daysAgo(1))],
      kind: 'organic',
      staffId: null,
    },
    {
      name: 'exactly 30 days is still inside',
      touches: [touch('code_scan', daysAgo(30), 'a')],
      kind: 'code_scan',
      staffId: 'a',
    },
    {
      name: 'order of the input does not matter',
      touches: [touch('menu_link', daysAgo(1), 'late'), touch('code_scan', daysAgo(3), 'early')],
      kind: 'menu_link',
      staffId: 'late',
    },
  ];

  test.each(cases)('$name', ({ touches, kind, staffId }) => {
    const { last, first: kept } = attributeLead(touches, first, NOW);
    expect(last).toMatchObject({ kind, staffId });
    expect(kept).toBe(first);
  });
});

describe('the attribution memory a customer keeps instead of their touches', () => {
  const touch = (
    kind: TouchFacts['kind'],
    at: Date,
    staffId: string | null = null,
    wxScene = 1001,
  ): TouchFacts => ({
    ...resolveTouch({ wxScene, query: {} }, lookups(), at),
    kind,
    staffId,
    channelId: kind === 'organic' ? 'organic' : `ch-${staffId}`,
  });
  const touches = [
    touch('code_scan', daysAgo(12), 'a', 1047),
    touch('organic', daysAgo(1), null, 1089),
    touch('staff_card', daysAgo(3), 'b', 1007),
    touch('code_scan', daysAgo(40), 'old', 1047),
  ];

  test('remembered one at a time, in any order, it attributes as the whole list does', () => {
    for (const order of [touches, [...touches].reverse(), [touches[2], touches[0], touches[3], touches[1]]]) {
      const memory = order.reduce(rememberTouch, EMPTY_MEMORY);
      expect(attributeFromMemory(memory, null, NOW)).toEqual(attributeLead(touches, null, NOW));
      expect(memory.lastCredited?.staffId).toBe('b');
      expect(memory.lastEntry?.wxScene).toBe(1089);
    }
  });

  test('an organic lead keeps the latest entry scene; a credited touch past the window credits nothing', () => {
    const memory = [touches[3], touches[1]].reduce(rememberTouch, EMPTY_MEMORY);
    expect(attributeFromMemory(memory, null, NOW).last).toMatchObject({ kind: 'organic', wxScene: 1089 });
  });

  test('a merge keeps the more recent of each part', () => {
    const one = rememberTouch(EMPTY_MEMORY, touches[0]);
    const other = rememberTouch(rememberTouch(EMPTY_MEMORY, touches[2]), touches[3]);
    const merged = mergeMemories(one, other);
    expect(merged.lastCredited?.staffId).toBe('b');
    expect(mergeMemories(other, one)).toEqual(merged);
  });

  test("a repeat of the day's entry is told apart from a new cell or a new day", () => {
    const memory = rememberTouch(EMPTY_MEMORY, touch('code_scan', daysAgo(0), 'a'));
    expect(enteredToday(memory, touch('code_scan', daysAgo(0), 'a'))).toBe(true);
    expect(enteredToday(memory, touch('code_scan', daysAgo(0), 'b'))).toBe(false);
    expect(enteredToday(memory, touch('code_scan', new Date(NOW.getTime() + 86_400_000), 'a'))).toBe(false);
    expect(enteredToday(EMPTY_MEMORY, touch('code_scan', daysAgo(0), 'a'))).toBe(false);
  });
});

describe('nextOwnership: first attributed touch owns, protected for 90 days', () => {
  const none: Ownership = {
    firstTouch: null,
    ownerStaffId: null,
    ownerSince: null,
    referrerCustomerId: null,
  };
  const staffTouch = (staffId: string, at: Date) =>
    resolveTouch({ wxScene: 1047, query: { scene: 'x' } }, lookups({ code: code({ staffId }) }), at);

  test('an organic first entry is kept until an attributed one comes', () => {
    const organic = resolveTouch({ wxScene: 1001, query: {} }, lookups(), daysAgo(5));
    const afterOrganic = nextOwnership(none, organic);
    expect(afterOrganic).toMatchObject({ firstTouch: organic, ownerStaffId: null });
    const attributed = nextOwnership(afterOrganic as Ownership, staffTouch('a', daysAgo(1)));
    expect(attributed).toMatchObject({ ownerStaffId: 'a', firstTouch: { staffId: 'a' } });
    expect(nextOwnership(attributed as Ownership, organic)).toBeNull();
  });

  test('another staff member cannot take the customer inside the protection period, can after it', () => {
    const owned = nextOwnership(none, staffTouch('a', daysAgo(200))) as Ownership;
    expect(nextOwnership(owned, staffTouch('b', daysAgo(20)))).toMatchObject({ ownerStaffId: 'b' });
    const recent = nextOwnership(none, staffTouch('a', daysAgo(10))) as Ownership;
    expect(nextOwnership(recent, staffTouch('b', daysAgo(1)))).toBeNull();
  });

  test('a referral sets the referrer once', () => {
    const referral = resolveTouch(
      { wxScene: 1007, query: { ref: 't' } },
      lookups({ referrer: { customerId: 'friend', ownerStaffId: null, storeId: null } }),
      daysAgo(1),
    );
    const referred = nextOwnership(none, referral) as Ownership;
    expect(referred.referrerCustomerId).toBe('friend');
    const other = resolveTouch(
      { wxScene: 1007, query: { ref: 'u' } },
      lookups({ referrer: { customerId: 'someone-else', ownerStaffId: null, storeId: null } }),
      NOW,
    );
    expect(nextOwnership(referred, other)).toBeNull();
  });
});
