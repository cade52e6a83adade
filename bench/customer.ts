// npm run bench:customer — submitLead and joinActivity through the local cloud's HTTP entry, as the
// mini program calls them, with 50 callers in flight; then the mini program's main package size.
// BENCH_CALLS overrides the 2,000 calls per action.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startProjectCloud } from './project-cloud';
import { percentile, printTable, runConcurrently } from './stats';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const CONCURRENCY = 50;
const WARM_UP_CALLS = 200;
const P99_TARGET_MS = 250;
const POLICY = { version: '2026-11-01', accepted: true };
const root = path.resolve(__dirname, '../..');

async function main() {
  const project = await startProjectCloud('customer');
  const { cloud } = project;
  const call = async (openid: string, event: Record<string, unknown>) => {
    const res = await fetch(`${cloud.url}/api/functions/customer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
      body: JSON.stringify(event),
    });
    const answer = (await res.json()) as { ok: boolean; error?: { code: string } };
    if (!answer.ok) throw new Error(`customer.${event.action} failed: ${answer.error?.code}`);
  };
  try {
    const activityId = await seedActivity(project.db);
    const phone = (i: number) => `139${String(i).padStart(8, '0')}`;
    // A warm-up so the function worker's start and the first JIT compilations are not counted.
    await runConcurrently(WARM_UP_CALLS, CONCURRENCY, (i) =>
      call(`warm-up-${i}`, {
        action: 'submitLead',
        requestId: `warm-up-${i}`,
        fields: { name: '预热', phone: phone(10 * CALLS + i) },
        consent: POLICY,
      }),
    );
    const submit = await runConcurrently(CALLS, CONCURRENCY, (i) =>
      call(`bench-lead-${i}`, {
        action: 'submitLead',
        requestId: `bench-lead-${i}`,
        fields: { name: `顾客${i}`, phone: phone(i) },
        consent: POLICY,
      }),
    );
    const join = await runConcurrently(CALLS, CONCURRENCY, (i) =>
      call(`bench-join-${i}`, {
        action: 'joinActivity',
        requestId: `bench-join-${i}`,
        activityId,
        fields: { name: `顾客${i}`, phone: phone(CALLS + i) },
        consent: POLICY,
      }),
    );
    const row = (name: string, run: { latencies: number[]; elapsedMs: number }) => {
      const p99 = percentile(run.latencies, 99);
      return [
        name,
        percentile(run.latencies, 50).toFixed(1),
        p99.toFixed(1),
        ((run.latencies.length / run.elapsedMs) * 1000).toFixed(0),
        p99 <= P99_TARGET_MS ? 'met' : 'MISSED',
      ];
    };
    console.log(
      `customer function, ${CALLS} calls per action, ${CONCURRENCY} concurrent callers, local cloud\n`,
    );
    printTable(
      ['action', 'p50 ms', 'p99 ms', 'calls/s', `p99 ≤ ${P99_TARGET_MS} ms`],
      [row('submitLead', submit), row('joinActivity', join)],
    );
  } finally {
    await project.close();
  }
  const size = spawnSync(process.execPath, [path.join(root, 'scripts', 'package-size.mjs')], {
    encoding: 'utf8',
  });
  console.log(`\n${size.stdout}${size.stderr}`);
}

/** One activity with room for every join, written through the real SDK. */
async function seedActivity(db: any): Promise<string> {
  const now = Date.now();
  const { _id } = await db.collection('activities').add({
    data: {
      title: '压测活动',
      description: '',
      place: '线上',
      startAt: new Date(now + 86_400_000),
      endAt: new Date(now + 90_000_000),
      deadline: new Date(now + 80_000_000),
      capacity: CALLS,
      remaining: CALLS,
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
