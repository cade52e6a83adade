// Assignment, SLA and delivery formatting: deterministic, fair, within the robot's limits.

import crypto from 'node:crypto';
import {
  type AssignmentPorts,
  assignLead,
  candidatesFor,
  isWorking,
  type LeadToAssign,
  pointOfKey,
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
import { FunnelTally, mondayOf } from '../../cloudfunctions/core/funnel';
import { robotsFor } from '../../cloudfunctions/runtime/delivery';
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

/** The database's part, in memory: a rotation counter and today's places under the caps. */
function memoryPorts(options: { turns?: boolean } = {}): AssignmentPorts & { taken: Map<string, number> } {
  let turn = 0;
  const taken = new Map<string, number>();
  return {
    taken,
    nextTurn: async () => (options.turns === false ? null : ++turn),
    takePlace: async (m) => {
      const n = taken.get(m.staffId) ?? 0;
      if (n >= m.settings.dailyCap) return false;
      taken.set(m.staffId, n + 1);
      return true;
    },
  };
}

const lead = (candidates: SalesMember[], extra: Partial<LeadToAssign> = {}): LeadToAssign => ({
  attributed: null,
  customerOwner: null,
  candidates,
  leadKey: 'lead-1',
  now: WEDNESDAY_10,
  ...extra,
});

async function split(
  team: SalesMember[],
  leads: number,
  ports = memoryPorts(),
  key = (i: number) => `l${i}`,
) {
  const owners: (string | null)[] = [];
  for (let i = 0; i < leads; i += 1)
    owners.push((await assignLead(lead(team, { leadKey: key(i) }), ports)).ownerId);
  const count = (id: string | null) => owners.filter((o) => o === id).length;
  return { owners, count };
}

describe('assignment in turns by weight', () => {
  test('10,000 leads over weights 1:2:3 split within 0.5% of the weights', async () => {
    const team = [member('a', { weight: 1 }), member('b', { weight: 2 }), member('c', { weight: 3 })];
    const { count } = await split(team, 10_000);
    expect(Math.abs(count('a') / 10_000 - 1 / 6)).toBeLessThan(0.005);
    expect(Math.abs(count('b') / 10_000 - 2 / 6)).toBeLessThan(0.005);
    expect(Math.abs(count('c') / 10_000 - 3 / 6)).toBeLessThan(0.005);
  });

  test('fair at every moment, not only over time: after any number of leads each is within 2 of their share', async () => {
    const team = [member('a', { weight: 5 }), member('b', { weight: 3 }), member('c', { weight: 2 })];
    const { owners } = await split(team, 2000);
    const seen = new Map<string, number>();
    owners.forEach((owner, i) => {
      seen.set(owner as string, (seen.get(owner as string) ?? 0) + 1);
      for (const m of team)
        expect(Math.abs((seen.get(m.staffId) ?? 0) - ((i + 1) * m.settings.weight) / 10)).toBeLessThan(2);
    });
  });

  test('no runs: with equal weights nobody gets three in a row', async () => {
    const { owners } = await split([member('a'), member('b')], 1000);
    const runs = owners.map((o, i) => i >= 2 && o === owners[i - 1] && o === owners[i - 2]);
    expect(runs.filter(Boolean)).toEqual([]);
    expect(owners.slice(0, 8)).toEqual(['b', 'a', 'b', 'a', 'a', 'b', 'a', 'b']);
  });

  test('without a turn (the counter unavailable) a lead is placed by its id: the same lead the same owner, weights kept over many', async () => {
    const team = [member('a', { weight: 1 }), member('b', { weight: 2 }), member('c', { weight: 3 })];
    const ports = memoryPorts({ turns: false });
    const first = await assignLead(lead(team, { leadKey: 'lead-x' }), ports);
    expect(first.reason).toBe('round_robin');
    expect(await assignLead(lead(team, { leadKey: 'lead-x' }), ports)).toEqual(first);
    const { count } = await split(team, 10_000, ports, (i) => `lead-${i}`);
    expect(Math.abs(count('a') / 10_000 - 1 / 6)).toBeLessThan(0.02);
    expect(Math.abs(count('b') / 10_000 - 2 / 6)).toBeLessThan(0.02);
    expect(Math.abs(count('c') / 10_000 - 3 / 6)).toBeLessThan(0.02);
    const points = Array.from({ length: 1000 }, (_, i) => pointOfKey(`k${i}`));
    expect(points.every((p) => p >= 0 && p < 1)).toBe(true);
  });

  test("a full member's leads spread over the others by their weights; all full means the pool", async () => {
    const team = [member('a', { weight: 1 }), member('b', { weight: 3 }), member('capped', { dailyCap: 10 })];
    const { count } = await split(team, 500);
    expect(count('capped')).toBe(10);
    expect(count('a') + count('b')).toBe(490);
    expect(Math.abs(count('b') / (count('a') + count('b')) - 0.75)).toBeLessThan(0.02);
    const full = [member('x', { dailyCap: 2 }), member('y', { dailyCap: 3 })];
    const ports = memoryPorts();
    const { count: capped } = await split(full, 8, ports);
    expect([capped('x'), capped('y'), capped(null)]).toEqual([2, 3, 3]);
    // Uncapped members never touch a counter.
    expect([...ports.taken.keys()].sort()).toEqual(['x', 'y']);
  });

  test('the attributed seller keeps the lead, then the seller who owns the customer, outside turns and caps', async () => {
    const ports = memoryPorts();
    const seller = member('s', { dailyCap: 1 });
    expect(await assignLead(lead([member('a')], { attributed: seller }), ports)).toEqual({
      ownerId: 's',
      reason: 'attributed',
    });
    const guide = member('g', {}, { role: 'staff' });
    expect((await assignLead(lead([member('a')], { attributed: guide }), ports)).ownerId).toBe('a');
    const owner = member('o', { absentUntil: null });
    expect(await assignLead(lead([member('a')], { customerOwner: owner }), ports)).toEqual({
      ownerId: 'o',
      reason: 'returning',
    });
    expect(
      await assignLead(lead([member('a')], { attributed: seller, customerOwner: owner }), ports),
    ).toEqual({
      ownerId: 's',
      reason: 'attributed',
    });
    const left = member('o', {}, { active: false });
    expect(await assignLead(lead([member('a')], { customerOwner: left }), ports)).toEqual({
      ownerId: 'a',
      reason: 'round_robin',
    });
    expect(ports.taken.size).toBe(0);
  });

  test('working hours and absence; nobody working means the pool, without taking a turn', async () => {
    const nineToSix = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };
    expect(isWorking(salesSettingsSchema.parse(nineToSix), WEDNESDAY_10)).toBe(true);
    const saturday = new Date('2026-11-28T02:00:00Z');
    expect(isWorking(salesSettingsSchema.parse(nineToSix), saturday)).toBe(false);
    const away = member('away', { absentUntil: '2026-12-01T00:00:00Z' });
    const weekdays = member('weekdays', nineToSix);
    const { count } = await split([away, weekdays], 20);
    expect([count('away'), count('weekdays')]).toEqual([0, 20]);
    const ports = memoryPorts();
    expect(await assignLead(lead([away, weekdays], { now: saturday }), ports)).toEqual({
      ownerId: null,
      reason: 'pool',
    });
    expect(await ports.nextTurn()).toBe(1);
    const back = new Date('2026-12-02T02:00:00Z');
    expect((await assignLead(lead([away], { now: back }), ports)).ownerId).toBe('away');
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
    ownerWecomUserId: 'li.sales',
    store: '徐汇店',
    notePreview: '想了解加盟条件',
    createdAt: '2026-11-25T02:00:00.000Z',
    link: 'https://admin.example.com/#/leads/lead-1',
  });

  test('a robot message shows the masked phone, source, tags, score and mentions the owner', () => {
    const text = robotMarkdown(lead(1));
    expect(text).toContain('138****8000');
    expect(text).toContain('来源：导购（王导购）');
    expect(text).toContain('来源:导购、意向:加盟');
    // WeCom markdown mentions a member by userid; a mobile number mentions nobody.
    expect(text).toContain('<@li.sales>');
    expect(text).not.toContain('<@13900000000>');
    expect(text).toContain('门店：徐汇店');
    expect(text).toContain('留言：想了解加盟条件');
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

  test('a digest entry keeps what sales needs, and escalations are titled as escalations', () => {
    const [digest] = digestMarkdowns([lead(1), lead(2)]);
    expect(digest.content).toMatch(/^### 新线索汇总（2 条）/);
    for (const part of [
      '**顾客1**',
      '138****8000',
      '活动：品鉴会',
      '门店：徐汇店',
      '留言：想了解加盟条件',
      '<@li.sales>',
    ])
      expect(digest.content).toContain(part);
    expect(digest.content).toContain('[查看线索](https://admin.example.com/#/leads/lead-1)');
    expect(digestMarkdowns([lead(1)], 'escalation')[0].content).toMatch(/^### 超时未联系线索汇总（1 条）/);
    // A journey task left undone: its text and due time (China time) in the digest.
    const overdue = { ...lead(1), task: { text: '邀请到店', dueAt: '2026-11-25T02:00:00.000Z' } };
    const [tasks] = digestMarkdowns([overdue], 'taskOverdue');
    expect(tasks.content).toMatch(/^### 超时未完成任务汇总（1 条）/);
    expect(tasks.content).toContain('任务：邀请到店（11-25 10:00 到期）');
  });

  test('a lead goes to its store robots, else to the robots set up without a store', () => {
    const robots = [
      { id: 'xh', store: '徐汇店' },
      { id: 'any', store: '' },
      { id: 'ja', store: '静安旗舰店' },
    ];
    expect(robotsFor(robots, '徐汇店').map((r) => r.id)).toEqual(['xh']);
    expect(robotsFor(robots, '浦东店').map((r) => r.id)).toEqual(['any']);
    expect(robotsFor(robots, null).map((r) => r.id)).toEqual(['any']);
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
      status: 'won',
    });
    // Won once and lost since: contacted, not won (成交 counts the leads won now).
    tally.lead({
      createdAt: at,
      channel: 'c',
      staffId: 's',
      activityId: null,
      ownerId: null,
      mql: false,
      source: 'form',
      status: 'lost',
    });
    expect([...tally.result().values()]).toEqual([
      {
        day: '2026-11-25',
        channelId: 'c',
        staffId: 's',
        activityId: null,
        counters: { entries: 2, rejectedCodes: 1, leads: 2, assigned: 1, mql: 1, contacted: 2, won: 1 },
      },
    ]);
    expect(mondayOf(at)).toBe('2026-11-23');
  });
});
