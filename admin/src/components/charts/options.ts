import type { DashboardAnswer, FunnelView } from '../../../../typings/admin';
import { formatNumber, formatRate } from '../../format';
import { type EChartsCoreOption, PALETTE } from './echarts';

/** The funnel's stages in order, with their Chinese names (MQL is a side rate beside them: no stage). */
export const FUNNEL_STAGES: { key: keyof FunnelView; label: string }[] = [
  { key: 'entries', label: '进入' },
  { key: 'formViews', label: '浏览表单' },
  { key: 'leads', label: '留资' },
  { key: 'assigned', label: '已分配' },
  { key: 'contacted', label: '已联系' },
  { key: 'won', label: '成交' },
];

const tooltipBox = {
  backgroundColor: 'rgba(255,255,255,0.96)',
  borderColor: '#e7e7e7',
  textStyle: { color: '#181818' },
};

/** Each stage's rate, against the stage it grows from: after 留资 every stage is a share of the leads. */
const STAGE_BASE: Partial<Record<keyof FunnelView, { base: keyof FunnelView; label: string }>> = {
  formViews: { base: 'entries', label: '占进入' },
  leads: { base: 'formViews', label: '表单转化' },
  assigned: { base: 'leads', label: '占留资' },
  contacted: { base: 'leads', label: '占留资' },
  won: { base: 'leads', label: '占留资' },
};
const STEP_COLORS = ['#003cab', '#0052d9', '#1664ff', '#366ef4', '#4b7ff5', '#618dff'];

/**
 * The funnel drawn as even steps (entries outnumber deals a hundredfold, so widths by value would
 * hide the last stages), each labelled beside it with its count and its rate.
 */
export function funnelOption(funnel: FunnelView): EChartsCoreOption {
  const steps = FUNNEL_STAGES.map((stage, i) => {
    const base = STAGE_BASE[stage.key];
    return {
      name: stage.label,
      value: FUNNEL_STAGES.length - i,
      count: funnel[stage.key],
      rate: base ? `${base.label} ${formatRate(funnel[stage.key], funnel[base.base])}` : '',
      overall: formatRate(funnel[stage.key], funnel.entries),
      itemStyle: { color: STEP_COLORS[i] },
    };
  });
  type Step = (typeof steps)[number];
  return {
    tooltip: {
      ...tooltipBox,
      trigger: 'item',
      formatter: (p: { data: Step }) =>
        `<b>${p.data.name}</b>：${formatNumber(p.data.count)}` +
        (p.data.rate ? `<br/>${p.data.rate}` : '') +
        `<br/>占进入：${p.data.overall}`,
    },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '4%',
        width: '54%',
        top: 8,
        bottom: 8,
        minSize: '30%',
        maxSize: '100%',
        gap: 3,
        label: {
          show: true,
          position: 'right',
          formatter: (p: { data: Step }) =>
            `{name|${p.data.name}}  {count|${formatNumber(p.data.count)}}${p.data.rate ? `\n{rate|${p.data.rate}}` : ''}`,
          rich: {
            name: { color: '#4b5057', fontSize: 13 },
            count: { color: '#181818', fontSize: 15, fontWeight: 600 },
            rate: { color: '#8f959e', fontSize: 12, padding: [2, 0, 0, 0] },
          },
        },
        labelLine: { show: true, length: 14, lineStyle: { color: '#dcdcdc' } },
        itemStyle: { borderWidth: 0 },
        data: steps,
      },
    ],
  };
}

/** Lines over days (`2026-11-23`, shown as `11-23`), one per named series. */
export function dailyLinesOption(
  days: string[],
  lines: { name: string; data: number[] }[],
): EChartsCoreOption {
  return {
    color: PALETTE,
    tooltip: { ...tooltipBox, trigger: 'axis' },
    legend: { top: 0, right: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 4 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: days.map((day) => day.slice(5)),
      axisLine: { lineStyle: { color: '#dcdcdc' } },
      axisLabel: { color: '#8f959e' },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      splitLine: { lineStyle: { color: '#f0f0f0' } },
      axisLabel: { color: '#8f959e' },
    },
    series: lines.map((line) => ({
      ...line,
      type: 'line',
      smooth: 0.25,
      showSymbol: days.length <= 31,
      symbolSize: 5,
    })),
  };
}

/** Leads, MQL and deals per day. */
export function trendOption(trend: DashboardAnswer['trend']): EChartsCoreOption {
  const line = (name: string, key: keyof FunnelView) => ({ name, data: trend.map((d) => d[key]) });
  return dailyLinesOption(
    trend.map((d) => d.day),
    [line('留资', 'leads'), line('MQL', 'mql'), line('成交', 'won')],
  );
}

/** The top channels by leads, as grouped horizontal bars. */
export function channelBarOption(channels: DashboardAnswer['channels'], top = 10): EChartsCoreOption {
  const rows = channels.slice(0, top).reverse();
  const bar = (name: string, key: keyof FunnelView) => ({
    name,
    type: 'bar',
    barMaxWidth: 10,
    barGap: '20%',
    data: rows.map((c) => c[key]),
  });
  return {
    color: PALETTE,
    tooltip: { ...tooltipBox, trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, right: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: {
      type: 'value',
      minInterval: 1,
      splitLine: { lineStyle: { color: '#f0f0f0' } },
      axisLabel: { color: '#8f959e' },
    },
    yAxis: {
      type: 'category',
      data: rows.map((c) => c.name),
      axisLine: { lineStyle: { color: '#dcdcdc' } },
      axisLabel: { color: '#4b5057', width: 110, overflow: 'truncate' },
    },
    series: [bar('留资', 'leads'), bar('MQL', 'mql'), bar('成交', 'won')],
  };
}
