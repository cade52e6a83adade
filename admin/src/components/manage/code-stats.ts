import { CODE_COUNTER_LABELS, CODE_COUNTERS, type CodeStatsView } from '../../../../typings/codes';
import type { EChartsCoreOption } from '../charts/echarts';
import { dailyLinesOption } from '../charts/options';

/** A code's (or all codes') scans, visitors, leads, sign-ups and WeCom adds per day. */
export function codeTrendOption(trend: CodeStatsView['trend']): EChartsCoreOption {
  return dailyLinesOption(
    trend.map((d) => d.day),
    CODE_COUNTERS.map((key) => ({ name: CODE_COUNTER_LABELS[key], data: trend.map((d) => d[key]) })),
  );
}
