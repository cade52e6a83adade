// npm run bench:customer — the customer function through the local cloud's HTTP entry, as the
// mini program calls it: first a store event's bursts with the demo's sales configured (4 stores ×
// 2 sales, weights 2 and 1, daily cap 40): 500 organic submitLead from distinct customers all at
// once, and 300 joins at once for 100 seats; then submitLead and joinActivity with 50 callers in
// flight; then the main package size. BENCH_CALLS overrides the 2,000 calls per action, BENCH_BURST
// the 500 calls of the lead burst.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startProjectCloud } from './project-cloud';
import { percentile, printTable, runConcurrently } from './stats';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const BURST = Number(process.env.BENCH_BURST ?? 500);
const JOINS = 300;
const SEATS = 100;
const CONCURRENCY = 50;
const WARM_UP_CALLS = 200;
const P99_TARGET_MS = 250;
const POLICY = { version: '2026-11-01', accepted: true };
const STORES = ['静安旗舰店', '徐汇店', '浦东店', '杭州西湖店'];
const root = path.resolve(__dirname, '../..');

interface Run {
  latencies: number[];
  elapsedMs: number;
  errors: Map<string, number>;
  /** Database requests each call made, as the local cloud counted them (x-local-db-requests). */
  requests: number[];
}

async function main() {
  // Functions keep the sales roster for a second (not 30 s), so the sales seeded after the
  // warm-up are seen by the burst.
  process.env.LEADPOOL_CONFIG_CACHE_MS = '1000';
  const project = await startProjectCloud('customer');
  const { cloud } = project;
  /** One call: its error code (null when it answered ok) and the database requests it made. */
  const call = async (openid: string, event: Record<string, unknown>) => {
    const res = await fetch(`${cloud.url}/api/functions/customer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
      body: JSON.stringify(event),
    });
    const answer = (await res.json()) as { ok: boolean; error?: { code: string } };
    return {
      code: answer.ok ? null : (answer.error?.code ?? `HTTP ${res.status}`),
      requests: Number(res.headers.get('x-local-db-requests') ?? Number.NaN),
    };
  };
  const run = async (total: number, concurrency: number, event: (i: number) => [string, object]) => {
    const errors = new Map<string, number>();
    const requests: number[] = [];
    const timed = await runConcurrently(total, concurrency, async (i) => {
      const [openid, body] = event(i);
      const answer = await call(openid, body as Record<string, unknown>);
      if (answer.code) errors.set(answer.code, (errors.get(answer.code) ?? 0) + 1);
      else requests.push(answer.requests);
    });
    return { ...timed, errors, requests };
  };
  const phone = (i: number) => `139${String(i).padStart(8, '0')}`;
  const lead = (prefix: string, i: number, phoneIndex: number): [string, object] => [
    `${prefix}-${i}`,
    {
      action: 'submitLead',
      requestId: `${prefix}-${i}`,
      fields: { name: `顾客${i}`, phone: phone(phoneIndex) },
      consent: POLICY,
    },
  ];
  try {
    const activityId = await seedActivity(project.db);
    // A warm-up so the function worker's start and the first JIT compilations are not counted.
    // No sales exist yet, so its leads go to the pool and take nobody's daily cap.
    await run(WARM_UP_CALLS, CONCURRENCY, (i) => lead('warm-up', i, 10 * CALLS + i));
    await seedSales(project.db);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const burstStart = new Date();
    const burst = await run(BURST, BURST, (i) => lead('burst-lead', i, 20 * CALLS + i));
    const owners = await ownersSince(project.db, burstStart);
    const eventId = await seedActivity(project.db, SEATS);
    const joinBurst = await run(JOINS, JOINS, (i) => [
      `burst-join-${i}`,
      {
        action: 'joinActivity',
        requestId: `burst-join-${i}`,
        activityId: eventId,
        fields: { name: `顾客${i}`, phone: phone(30 * CALLS + i) },
        consent: POLICY,
      },
    ]);
    const seated = await seatsAndLeads(project.db, eventId);
    const submit = await run(CALLS, CONCURRENCY, (i) => lead('bench-lead', i, i));
    const join = await run(CALLS, CONCURRENCY, (i) => [
      `bench-join-${i}`,
      {
        action: 'joinActivity',
        requestId: `bench-join-${i}`,
        activityId,
        fields: { name: `顾客${i}`, phone: phone(CALLS + i) },
        consent: POLICY,
      },
    ]);
    const row = (name: string, calls: number, inFlight: number, r: Run) => {
      const errors = [...r.errors.values()].reduce((sum, n) => sum + n, 0);
      const codes = [...r.errors].map(([code, n]) => `${code} ${n}`).join(', ');
      return [
        name,
        String(calls),
        String(inFlight),
        String(calls - errors),
        codes ? `${errors} (${codes})` : '0',
        r.requests.length ? `${Math.min(...r.requests)}–${Math.max(...r.requests)}` : '—',
        percentile(r.latencies, 50).toFixed(1),
        percentile(r.latencies, 99).toFixed(1),
        ((r.latencies.length / r.elapsedMs) * 1000).toFixed(0),
      ];
    };
    console.log('customer function through the local cloud\n');
    printTable(
      ['case', 'calls', 'in flight', 'ok', 'errors', 'db requests (ok calls)', 'p50 ms', 'p99 ms', 'calls/s'],
      [
        row('burst: organic submitLead, demo sales', BURST, BURST, burst),
        row(`burst: joinActivity, ${SEATS} seats`, JOINS, JOINS, joinBurst),
        row('submitLead', CALLS, CONCURRENCY, submit),
        row('joinActivity', CALLS, CONCURRENCY, join),
      ],
    );
    console.log(`\nlead burst: ${owners}`);
    console.log(`join burst: ${seated}`);
    for (const [name, r] of [
      ['submitLead', submit],
      ['joinActivity', join],
    ] as const)
      console.log(
        `${name} p99 ≤ ${P99_TARGET_MS} ms: ${percentile(r.latencies, 99) <= P99_TARGET_MS ? 'met' : 'MISSED'}`,
      );
  } finally {
    await project.close();
  }
  const size = spawnSync(process.execPath, [path.join(root, 'scripts', 'package-size.mjs')], {
    encoding: 'utf8',
  });
  console.log(`\n${size.stdout}${size.stderr}`);
}

/** The demo's sales: per store two sales members, weights 2 and 1, at most 40 leads a day each. */
async function seedSales(db: any): Promise<void> {
  for (const [s, store] of STORES.entries())
    for (const k of [1, 2])
      await db.collection('staff').add({
        data: {
          name: `销售${s + 1}${k}`,
          store,
          role: 'sales',
          active: true,
          openid: null,
          inviteCode: `BENCH${s + 1}${k}`,
          sales: { weight: k === 1 ? 2 : 1, dailyCap: 40 },
          createdAt: new Date(),
        },
      });
}

/** How the leads stored since `start` were assigned: by reason, and the most any one owner got. */
async function ownersSince(db: any, start: Date): Promise<string> {
  const { data } = await db
    .collection('leads')
    .where({ createdAt: db.command.gte(start) })
    .field({ ownerId: true, assignedBy: true })
    .limit(1000)
    .get();
  const leads = data as { ownerId: string | null; assignedBy: string | null }[];
  const by = new Map<string, number>();
  const perOwner = new Map<string, number>();
  for (const { ownerId, assignedBy } of leads) {
    by.set(assignedBy ?? 'none', (by.get(assignedBy ?? 'none') ?? 0) + 1);
    if (ownerId) perOwner.set(ownerId, (perOwner.get(ownerId) ?? 0) + 1);
  }
  const reasons = [...by].map(([how, n]) => `${how} ${n}`).join(', ');
  return `${leads.length} leads: ${reasons}; ${perOwner.size} owners, at most ${Math.max(0, ...perOwner.values())} each`;
}

/** The event's registrations, and how many of them have their lead. */
async function seatsAndLeads(db: any, activityId: string): Promise<string> {
  const _ = db.command;
  const registrations = (
    await db.collection('registrations').where({ activityId, status: 'joined' }).limit(1000).get()
  ).data as { customerId: string }[];
  const leads = (
    await db
      .collection('leads')
      .where({ activityId, customerId: _.in(registrations.map((r) => r.customerId)) })
      .field({ customerId: true })
      .limit(1000)
      .get()
  ).data as { customerId: string }[];
  const remaining = (await db.collection('activities').doc(activityId).get()).data.remaining;
  return `${registrations.length} registrations, ${leads.length} leads for them (${new Set(leads.map((l) => l.customerId)).size} distinct), ${remaining} seats left`;
}

/** One activity with room for `capacity` joins (every join by default), written through the real SDK. */
async function seedActivity(db: any, capacity = CALLS): Promise<string> {
  const now = Date.now();
  const { _id } = await db.collection('activities').add({
    data: {
      title: '压测活动',
      description: '',
      place: '线上',
      startAt: new Date(now + 86_400_000),
      endAt: new Date(now + 90_000_000),
      deadline: new Date(now + 80_000_000),
      capacity,
      remaining: capacity,
      fields: ['name', 'phone'],
      status: 'published',
      createdAt: new Date(now),
      updatedAt: new Date(now),
    },
  });
  return _id;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
