import { BOM, csvRow } from '../../../../cloudfunctions/admin/csv';
import type { PersonaAnswer, PersonaCount, PersonaDistribution } from '../../../../typings/insight';
import { type EChartsCoreOption, PALETTE } from '../charts/echarts';
import { channelName, valueLabel } from './names';

/** The dimensions every customer counts once under, as the page shows them: a chart and a table each. */
const DIMENSION_SECTIONS = [
  { key: 'byCity', title: '城市', label: valueLabel },
  { key: 'byIndustry', title: '行业', label: valueLabel },
  { key: 'byRole', title: '职位', label: valueLabel },
  {
    key: 'byChannel',
    title: '首次来源渠道',
    label: (key: string | null) => (key ? channelName(key) : '自然进入'),
  },
  { key: 'byStore', title: '门店', label: valueLabel },
] as const satisfies {
  key: keyof PersonaDistribution;
  title: string;
  label: (key: string | null) => string;
}[];

export interface PersonaSection {
  key: string;
  title: string;
  label: (key: string | null) => string;
  /** The section's counts in a distribution (this period's or the previous one's). */
  counts: (d: PersonaDistribution) => PersonaCount[];
}

/** Tags are `group:tag`; one without a group is shown under 其他标签. */
const tagGroupOf = (tag: string | null) => {
  const at = tag?.indexOf(':') ?? -1;
  return tag && at > 0 ? tag.slice(0, at) : '其他标签';
};

/**
 * The page's sections: the dimensions, then one per tag group found in either period (a customer
 * counts under each tag it carries, so a group's shares need not add up to 100%).
 */
export function personaSections(answer: PersonaAnswer): PersonaSection[] {
  const groups = [...new Set([...answer.byTag, ...answer.previous.byTag].map((r) => tagGroupOf(r.key)))];
  return [
    ...DIMENSION_SECTIONS.map((s) => ({ ...s, counts: (d: PersonaDistribution) => d[s.key] })),
    ...groups.map((group) => ({
      key: `tag-${group}`,
      title: `标签·${group}`,
      label: (key: string | null) =>
        key?.startsWith(`${group}:`) ? key.slice(group.length + 1) : valueLabel(key),
      counts: (d: PersonaDistribution) => d.byTag.filter((r) => tagGroupOf(r.key) === group),
    })),
  ];
}

export interface PersonaRow {
  key: string | null;
  label: string;
  count: number;
  /** Share of the period's customers, 0..1. */
  share: number;
  previous: number;
}

/** One section's values of the period (largest first) with the previous period's count beside each. */
export function personaRows(answer: PersonaAnswer, section: PersonaSection): PersonaRow[] {
  const now = section.counts(answer);
  const before = new Map(section.counts(answer.previous).map((r) => [r.key, r.count]));
  const keys = [...now.map((r) => r.key), ...[...before.keys()].filter((k) => !now.some((r) => r.key === k))];
  return keys.map((key) => {
    const count = now.find((r) => r.key === key)?.count ?? 0;
    return {
      key,
      label: section.label(key),
      count,
      share: answer.total ? count / answer.total : 0,
      previous: before.get(key) ?? 0,
    };
  });
}

/** The top values as horizontal bars, this period against the previous one. */
export function personaBarOption(rows: PersonaRow[], top = 10): EChartsCoreOption {
  const shown = rows.slice(0, top).reverse();
  const bar = (name: string, data: number[]) => ({ name, type: 'bar', barMaxWidth: 12, barGap: '20%', data });
  return {
    color: [PALETTE[0], '#c5d4f5'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, right: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#f0f0f0' } } },
    yAxis: {
      type: 'category',
      data: shown.map((r) => r.label),
      axisLabel: { color: '#4b5057', width: 96, overflow: 'truncate' },
    },
    series: [
      bar(
        '本期',
        shown.map((r) => r.count),
      ),
      bar(
        '上期',
        shown.map((r) => r.previous),
      ),
    ],
  };
}

/** Every section's numbers as one CSV, after the new and returning customers (Excel reads the BOM as UTF-8). */
export function personaCsv(answer: PersonaAnswer): string {
  const head = csvRow([
    '维度',
    '值',
    `本期（${answer.from} 至 ${answer.to}）`,
    '占比',
    `上期（${answer.previous.from} 至 ${answer.previous.to}）`,
  ]);
  const lines = personaSections(answer).flatMap((section) =>
    personaRows(answer, section).map((r) =>
      csvRow([section.title, r.label, r.count, `${(r.share * 100).toFixed(1)}%`, r.previous]),
    ),
  );
  return (
    BOM +
    head +
    csvRow(['新客户', '本期首次到访', answer.total, '100%', answer.previous.total]) +
    csvRow(['回访客户', '之前到访、本期再次留资', answer.returning, '', answer.previous.returning]) +
    lines.join('')
  );
}
