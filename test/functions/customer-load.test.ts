// The customer function under bursts, through the local cloud's HTTP entry as the mini program calls it.
import { activityDoc, clearAll, type ProjectCloud, startProjectCloud } from './project-cloud';

let cloud: ProjectCloud;
const POLICY = { version: '2026-11-01', accepted: true };
const phoneOf = (i: number) => `139${String(i).padStart(8, '0')}`;

beforeAll(async () => {
  cloud = await startProjectCloud();
});
afterAll(() => cloud.close());
beforeEach(() => clearAll(cloud.db));

const count = async (collection: string, where: Record<string, unknown> = {}) =>
  (await cloud.db.collection(collection).where(where).count()).total;

test('600 concurrent joins for 100 seats: exactly 100 joined, 500 ACTIVITY_FULL', async () => {
  const { _id: activityId } = await cloud.db
    .collection('activities')
    .add({ data: activityDoc({ capacity: 100, remaining: 100 }) });
  const answers = await Promise.all(
    Array.from({ length: 600 }, (_, i) =>
      cloud.call(
        'customer',
        {
          action: 'joinActivity',
          requestId: `join-burst-${i}`,
          activityId,
          fields: { name: `顾客${i}`, phone: phoneOf(i) },
          consent: POLICY,
        },
        `joiner-${i}`,
      ),
    ),
  );
  const codes = answers.map((a) => (a.ok ? 'OK' : a.error.code));
  expect(codes.filter((c) => c === 'OK')).toHaveLength(100);
  expect(codes.filter((c) => c === 'ACTIVITY_FULL')).toHaveLength(500);
  expect(await count('registrations', { activityId, status: 'joined' })).toBe(100);
  expect((await cloud.db.collection('activities').doc(activityId).get()).data.remaining).toBe(0);
}, 120_000);

// A burst of hundreds, not thousands: the local cloud runs every call of a function in one worker
// and counts the function's 20 s timeout from when a call is queued there, so a burst of thousands
// measures this 2-core machine (2,000 leads took 19.5 s before this session's trust and burst work
// added requests per lead, 28 s after), not whether leads are lost or doubled. bench:customer
// measures the throughput; cutting the requests per call is the open part of the burst issue.
test('600 concurrent submissions from 600 customers: 600 leads, none lost or doubled', async () => {
  const answers = await Promise.all(
    Array.from({ length: 600 }, (_, i) =>
      cloud.call(
        'customer',
        {
          action: 'submitLead',
          requestId: `lead-burst-${i}`,
          fields: { name: `顾客${i}`, phone: phoneOf(i) },
          consent: POLICY,
        },
        `submitter-${i}`,
      ),
    ),
  );
  // The refusals themselves, not a bare false, when any call fails.
  expect(answers.filter((a) => !a.ok).map((a) => a.error)).toEqual([]);
  expect(new Set(answers.map((a) => a.data.leadId)).size).toBe(600);
  expect(await count('leads')).toBe(600);
  expect(await count('customers')).toBe(600);
}, 180_000);

test('the same requestId sent 20 times at once is one lead', async () => {
  const event = {
    action: 'submitLead',
    requestId: 'same-request-20x',
    fields: { name: '张三', phone: '13800138000' },
    consent: POLICY,
  };
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => cloud.call('customer', event, 'impatient')),
  );
  expect(answers.every((a) => a.ok)).toBe(true);
  expect(new Set(answers.map((a) => a.data.leadId)).size).toBe(1);
  expect(await count('leads')).toBe(1);
});
