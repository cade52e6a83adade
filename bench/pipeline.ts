// npm run bench:pipeline — lead captured → message received by the local WeCom robot and CRM
// webhook fakes (the immediate delivery path), and rule-engine throughput with 200 rules.
import { compileRules, judgeLead, type LeadFacts, type StoredRule } from '../cloudfunctions/core/rules';

import { ruleSchema } from '../typings/pipeline';
import { startProjectCloud } from './project-cloud';
import { percentile, printTable, runConcurrently } from './stats';

const ROBOT_LEADS = 20; // one robot's budget for a minute: beyond it leads wait for the next digest
const WEBHOOK_LEADS = Number(process.env.BENCH_WEBHOOK_LEADS ?? 500);
const RULES = 200;
const JUDGED = Number(process.env.BENCH_JUDGED ?? 100_000);

const NOTES = [
  '想了解一下你们品牌的加盟政策，谢谢',
  '周末带孩子来体验，有亲子活动吗',
  '公司团购五十份下午茶，能开发票吗',
  '我在杭州有个铺面，考虑自己开店',
  '会员积分怎么兑换？',
  '只是想买两杯咖啡',
];
const WORDS = [
  '加盟',
  '代理',
  '开店',
  '团购',
  '发票',
  '亲子',
  '会员',
  '积分',
  '咖啡',
  '蛋糕',
  '外卖',
  '门店',
];

function rules(): StoredRule[] {
  return Array.from({ length: RULES }, (_, i) => {
    const kinds = [
      { type: 'keywords', synonyms: [[WORDS[i % WORDS.length], `${WORDS[(i + 3) % WORDS.length]}${i}`]] },
      { type: 'answer', field: 'industry', op: 'oneOf', values: ['零售', '餐饮'] },
      { type: 'channel', channelTypes: [['staff', 'ad', 'poster'][i % 3]] },
      { type: 'behaviour', metric: 'submissions', atLeast: 1 + (i % 4) },
      { type: 'filled', field: 'company' },
    ];
    const when = [kinds[i % kinds.length]];
    const rule = i % 2 ? { kind: 'tag', group: '意向', tag: `规则${i}` } : { kind: 'score', points: 5 };
    return { ...ruleSchema.parse({ name: `r${i}`, when, ...rule }), ruleId: `r${i}` };
  });
}

function benchRules() {
  const compiled = compileRules(rules(), 60);
  const leads: LeadFacts[] = Array.from({ length: 1000 }, (_, i) => ({
    channelType: ['staff', 'ad', 'poster', 'organic'][i % 4],
    channelId: `ch-${i % 20}`,
    activityId: i % 3 ? `a${i % 5}` : null,
    answers: {
      name: `顾客${i}`,
      note: NOTES[i % NOTES.length],
      industry: i % 2 ? '零售' : '教育',
      company: i % 5 ? '某公司' : '',
    },
    phoneVerified: i % 2 === 0,
    activitiesJoined: i % 3,
    submissions: 1 + (i % 5),
  }));
  for (let i = 0; i < 5000; i += 1) judgeLead(compiled, leads[i % leads.length]);
  const started = performance.now();
  for (let i = 0; i < JUDGED; i += 1) judgeLead(compiled, leads[i % leads.length]);
  return (JUDGED / (performance.now() - started)) * 1000;
}

async function benchDelivery() {
  // Settings change between the two runs: functions read them on every lead (slower, conservative).
  process.env.LEADPOOL_CONFIG_CACHE_MS = '0';
  const project = await startProjectCloud('pipeline');
  const { cloud, db } = project;
  const configure = (robots: unknown[], webhooks: unknown[]) =>
    db
      .collection('rules')
      .doc('settings')
      .set({ data: { kind: 'settings', robots, webhooks } });
  const submit = (i: number, prefix: string) =>
    fetch(`${cloud.url}/api/functions/customer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': `${prefix}-${i}` },
      body: JSON.stringify({
        action: 'submitLead',
        requestId: `${prefix}-request-${i}`,
        fields: { name: `${prefix}${i}`, phone: `139${String(i).padStart(8, '0')}` },
        consent: { version: '2026-11-01', accepted: true },
      }),
    }).then((res) => res.json());
  const latencies = async (prefix: string, count: number, concurrency: number, target: string) => {
    const started = new Map<number, number>();
    await runConcurrently(count, concurrency, async (i) => {
      started.set(i, Date.now());
      await submit(i, prefix);
    });
    const received = cloud.sales.received.filter((m) => m.target === target && m.outcome === 'ok');
    return [...started].flatMap(([i, at]) => {
      const message = received.find((m) => JSON.stringify(m.body).includes(`${prefix}${i}`));
      return message ? [new Date(message.at).getTime() - at] : [];
    });
  };
  try {
    // Warm up with no channel configured, so the warm-up lead takes none of the robot's minute.
    await submit(0, 'warm');
    await configure([{ id: 'hq', url: `${cloud.url}/__local/wecom/send?key=hq`, store: '' }], []);
    const robot = await latencies('robot', ROBOT_LEADS, 5, 'robot:hq');
    await configure([], [{ id: 'crm', url: `${cloud.url}/__local/webhook/crm`, secret: 'bench-secret-1' }]);
    const webhook = await latencies('hook', WEBHOOK_LEADS, 20, 'webhook:crm');
    return { robot, webhook };
  } finally {
    await project.close();
  }
}

async function main() {
  const throughput = benchRules();
  const { robot, webhook } = await benchDelivery();
  const row = (name: string, samples: number[], expected: number) => [
    name,
    `${samples.length}/${expected}`,
    percentile(samples, 50).toFixed(0),
    percentile(samples, 95).toFixed(0),
    percentile(samples, 95) <= 3000 ? 'met' : 'MISSED',
  ];
  console.log('lead captured → received, immediate delivery through the local fakes\n');
  printTable(
    ['channel', 'delivered', 'p50 ms', 'p95 ms', 'p95 ≤ 3 s'],
    [row('WeCom robot (one minute’s 20)', robot, ROBOT_LEADS), row('CRM webhook', webhook, WEBHOOK_LEADS)],
  );
  console.log(`\nrule engine, ${RULES} rules, one core\n`);
  printTable(
    ['leads judged', 'leads/s', '≥ 20,000/s'],
    [[String(JUDGED), throughput.toFixed(0), throughput >= 20_000 ? 'met' : 'MISSED']],
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
