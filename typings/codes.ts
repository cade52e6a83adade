import { z } from 'zod';
import { INSTANT_MAX, INSTANT_MIN } from './cursor';

/** Per-code statistics and the print ZIP of the admin codes page. */
export const CODE_COUNTERS = ['scans', 'visitors', 'leads', 'signups', 'wecomAdded'] as const;
export type CodeCounter = (typeof CODE_COUNTERS)[number];
export type CodeCounts = Record<CodeCounter, number>;

export const CODE_COUNTER_LABELS: Record<CodeCounter, string> = {
  scans: '扫码',
  visitors: '访客（日去重）',
  leads: '留资',
  signups: '报名',
  wecomAdded: '加企微',
};

/** Days a statistics request may span: the page reads one document per code and active day. */
export const CODE_STATS_MAX_DAYS = 92;

const id = z.string().trim().min(1, '缺少编号').max(64, '编号过长');
const isDay = (v: string) =>
  z.iso.date().safeParse(v).success && Date.parse(v) >= INSTANT_MIN && Date.parse(v) < INSTANT_MAX;
const day = (label: string) =>
  z
    .string({ error: `${label}格式应为 YYYY-MM-DD` })
    .trim()
    .refine(isDay, `${label}应为 2000 到 2099 年间真实存在的日期（YYYY-MM-DD）`);

export const codeStatsQuerySchema = z.object({
  /** Days in China time; by default the 30 days to today. */
  from: day('开始日期').optional(),
  to: day('结束日期').optional(),
  /** The code whose trend to answer; without it the trend sums every code. */
  codeId: id.optional(),
});

export type CodeStatsRow = CodeCounts & { codeId: string };

export interface CodeStatsView {
  from: string;
  to: string;
  /** Codes with anything counted in the range (the page shows zeros for the rest). */
  items: CodeStatsRow[];
  trend: (CodeCounts & { day: string })[];
}

/** Codes one ZIP may hold (each is a card of about 30 KB). */
export const CODE_ZIP_MAX = 1000;

export const codeZipSchema = z
  .object({
    /** The codes ticked on the page... */
    codeIds: z.array(id).min(1, '请选择活码').max(CODE_ZIP_MAX, `一次最多 ${CODE_ZIP_MAX} 个活码`).optional(),
    /** ...or every code under the page's filter. */
    filter: z
      .object({
        channelType: z.string().trim().max(32).optional(),
        staffId: id.optional(),
      })
      .optional(),
  })
  .refine((r) => r.codeIds !== undefined || r.filter !== undefined, {
    path: ['codeIds'],
    message: '请选择活码，或按筛选条件下载全部',
  });
