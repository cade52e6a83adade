// Assignment, SLA and delivery formatting: deterministic, fair, within the robot's limits.
import crypto from 'node:crypto';
import {
  type AssignmentState,
  assignLead,
  candidatesFor,
  emptyState,
  isWorking,
  type SalesMember,
  slaDeadline,
} from '../../cloudfunctions/core/assignment';
import {
  backoffMs,
  digestMarkdowns,
  type LeadSummary,
  ROBOT_MARKDOWN_MAX_BYTES,
  robotMarkdown,
  webhookRequest,
} from '../../cloudfunctions/core/delivery';
import { countersForStatusChange, FunnelTally, mondayOf } from '../../cloudfunctions/core/funnel';
import { salesSettingsSchema } from '../../typings/pipeline';

const member = (
  staffId: string,
  settings: Record<string, unknown> = {},
  extra: Partial<SalesMember> = {},
): SalesMember => ({
  staffId,
  store: 'store-1',
  role: 'sales',
  active: true,
  settings: salesSettingsSchema.parse(settings),
  ...extra,
});
// Wednesday 2026-11-25 10:00 China time.
const WEDNESDAY_10 = new Date('2026-11-25T02:00:00Z');

describe('round-robin by weight', () => {
  test('over 10,000 leads the split matches the weights within 1%', () => {
    const team = [member('a', { weight: 5 }), member('b', { weight: 3 }), member('c', { weight: 2 })];
    let state: AssignmentState = emptyState();
    const owners = new Map<string, number>();
    for (let i = 0; i < 10_000; i += 1) {
      const result = assignLead(null, team, state, WEDNESDAY_10);
      state = result.state;
      owners.set(result.ownerId as string, (owners.get(result.ownerId as string) ?? 0) + 1);
    }
    expect(Math.abs((owners.get('a') ?? 0) / 10_000 - 0.5)).toBeLessThan(0.01);
    expect(Math.abs((owners.get('b') ?? 0) / 10_000 - 0.3)).toBeLessThan(0.01);
    expect(Math.abs((owners.get('c') ?? 0) / 10_000 - 0.2)).toBeLessThan(0.01);
  });

  test('deterministic: the same state gives the same owner, and no one gets a burst', () => {
    const team = [member('a', { weight: 2 }), member('b', { weight: 1 })];
    const run = () => {
      let state = emptyState();
      return Array.from({ length: 6 }, () => {
        const r = assignLead(null, team, state, WEDNESDAY_10);
        state = r.state;
        return r.ownerId;
      });
    };
    expect(run()).toEqual(run());
    expect(run()).toEqual(['a', 'b', 'a', 'a', 'b', 'a']);
  });

  test('the attributed staff member keeps the lead when they sell', () => {
    const seller = member('s');
    expect(assignLead(seller, [member('a')], emptyState(), WEDNESDAY_10)).toMatchObject({
      ownerId: 's',
      reason: 'attributed',
    });
    const guide = member('g', {}, { role: 'staff' });
    expect(assignLead(guide, [member('a')], emptyState(), WEDNESDAY_10).ownerId).toBe('a');
  });

  test('working hours, absence and daily caps; nobody left means the pool', () => {
    const nineToSix = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };
    expect(isWorking(salesSettingsSchema.parse(nineToSix), WEDNESDAY_10)).toBe(true);
    expect(isWorking(salesSettingsSchema.parse(nineToSix), new Date('2026-11-28T02:00:00Z'))).toBe(false);
    const away = member('away', { absentUntil: '2026-12-01T00:00:00Z' });
    const capped = member('capped', { dailyCap: 1 });
    let state = emptyState();
    const first = assignLead(null, [away, capped], state, WEDNESDAY_10);
    expect(first.ownerId).toBe('capped');
    state = first.state;
    expect(assignLead(null, [away, capped], state, WEDNESDAY_10)).toMatchObject({
      ownerId: null,
      reason: 'pool',
    });
    const tomorrow = new Date(WEDNESDAY_10.getTime() + 86_400_000);
    expect(assignLead(null, [away, capped], state, tomorrow).ownerId).toBe('capped');
  });

  test("candidates: the store's own sales, else its region's", () => {
    const roster = [
      member('x', { region: '华东' }, { store: 'store-1' }),
      member('guide', { region: '华东' }, { store: 'store-2', role: 'staff' }),
      member('far', { region: '华南' }, { store: 'store-9' }),
    ];
    expect(candidatesFor('store-1', roster).map((m) => m.staffId)).toEqual(['x']);
    expect(candidatesFor('store-2', roster).map((m) => m.staffId)).toEqual(['x']);
    expect(candidatesFor('store-unknown', roster)).toEqual([]);
    expect(candidatesFor(null, roster).map((m) => m.staffId)).toEqual(['x', 'far']);
  });
});

describe('SLA in working hours (Mon–Fri 09:00–18:00 China time)', () => {
  test.each([
    ['Wednesday 10:00 + 2h', '2026-11-25T02:00:00Z', '2026-11-25T04:00:00Z'],
    ['Wednesday 17:30 + 2h runs into Thursday', '2026-11-25T09:30:00Z', '2026-11-26T02:30:00Z'],
    ['Saturday waits for Monday', '2026-11-28T02:00:00Z', '2026-11-30T03:00:00Z'],
    ['before opening', '2026-11-25T00:00:00Z', '2026-11-25T03:00:00Z'],
  ])('%s', (_name, created, deadline) => {
    expect(slaDeadline(new Date(created), 2).toISOString()).toBe(new Date(deadline).toISOString());
  });
});

describe('messages', () => {
  const lead = (i: number): LeadSummary => ({
    leadId: `lead-${i}`,
    name: `顾客${i}`,
    phoneMasked: '138****8000',
    channel: '导购',
    staffName: '王导购',
    activityTitle: '品鉴会',
    tags: ['来源:导购', '意向:加盟'],
    score: 65,
    mql: true,
    ownerName: '李销售',
    ownerMobile: '13900000000',
    createdAt: '2026-11-25T02:00:00.000Z',
    link: 'https://admin.example.com/#/leads/lead-1',
  });

  test('a robot message shows the masked phone, source, tags, score and mentions the owner', () => {
    const text = robotMarkdown(lead(1));
    expect(text).toContain('138****8000');
    expect(text).toContain('来源：导购（王导购）');
    expect(text).toContain('来源:导购、意向:加盟');
    expect(text).toContain('<@13900000000>');
    expect(text).not.toMatch(/13800138000/);
  });

  test('digests fit the markdown limit and carry every lead exactly once', () => {
    const leads = Array.from({ length: 300 }, (_, i) => lead(i));
    const digests = digestMarkdowns(leads);
    expect(digests.length).toBeGreaterThan(1);
    for (const d of digests)
      expect(Buffer.byteLength(d.content)).toBeLessThanOrEqual(ROBOT_MARKDOWN_MAX_BYTES);
    expect(digests.flatMap((d) => d.leadIds)).toEqual(leads.map((l) => l.leadId));
  });

  test('the webhook body is signed with HMAC-SHA256 and names its message id', () => {
    const { body, headers } = webhookRequest('msg-1', [lead(1)], 'secret-key-1', new Date(0));
    const expected = crypto.createHmac('sha256', 'secret-key-1').update(body).digest('hex');
    expect(headers['x-leadpool-signature']).toBe(`sha256=${expected}`);
    expect(JSON.parse(body)).toMatchObject({ messageId: 'msg-1', leads: [{ leadId: 'lead-1' }] });
  });

  test('backoff doubles from 30 s up to 30 minutes', () => {
    expect([1, 2, 3, 10, 20].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 1_800_000, 1_800_000]);
  });
});

describe('funnel', () => {
  test('status changes count contacted and won once', () => {
    expect(countersForStatusChange([{ status: 'new' }], 'contacted')).toEqual({ contacted: 1 });
    expect(countersForStatusChange([{ status: 'new' }], 'won')).toEqual({ contacted: 1, won: 1 });
    expect(countersForStatusChange([{ status: 'new' }, { status: 'contacted' }], 'won')).toEqual({ won: 1 });
    expect(countersForStatusChange([{ status: 'new' }, { status: 'won' }], 'won')).toEqual({});
  });

  test('the tally counts raw events into day × channel × staff × activity cells', () => {
    const tally = new FunnelTally();
    const at = new Date('2026-11-25T02:00:00Z');
    tally.touch({ at, channelId: 'c', staffId: 's', activityId: null, rejected: null });
    tally.touch({ at, channelId: 'c', staffId: 's', activityId: null, rejected: { reason: 'unknown' } });
    tally.lead({
      createdAt: at,
      channel: 'c',
      staffId: 's',
      activityId: null,
      ownerId: 'o',
      mql: true,
      source: 'form',
      statusHistory: [{ status: 'new' }, { status: 'won' }],
    });
    expect([...tally.result().values()]).toEqual([
      {
        day: '2026-11-25',
        channelId: 'c',
        staffId: 's',
        activityId: null,
        counters: { entries: 2, rejectedCodes: 1, leads: 1, assigned: 1, mql: 1, contacted: 1, won: 1 },
      },
    ]);
    expect(mondayOf(at)).toBe('2026-11-23');
  });
});
