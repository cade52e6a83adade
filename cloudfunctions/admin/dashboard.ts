import { type DashboardAnswer, type FunnelView, adminRequestSchemas as schemas } from '../../typings/admin';
import { CHANNEL_TYPE_LABELS } from '../../typings/pipeline';
import { fieldError } from '../runtime/errors';
import type { AdminContext } from './context';
import { handle } from './http';

/**
 * The dashboard reads only counters kept at write time, never the leads. Unfiltered, it sums the
 * per-day totals of each channel, staff member and activity (`funnelRollups`); filtered by a
 * channel, staff member or activity, it sums that one's cells (one document per day × channel ×
 * staff × activity) through the index on that field and day. The database's aggregation groups.
 */
const COUNTERS = [
  'entries',
  'formViews',
  'leads',
  'assigned',
  'contacted',
  'mql',
  'won',
  'signups',
  'checkins',
  'wecomAdded',
] as const;
const MAX_DAYS = 366;

const zero = (): FunnelView => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as FunnelView;

function counters(row: Record<string, unknown>): FunnelView {
  return Object.fromEntries(COUNTERS.map((c) => [c, Number(row[c] ?? 0)])) as FunnelView;
}

async function groupBy(
  ctx: AdminContext,
  collection: 'funnelCounters' | 'funnelRollups',
  match: unknown,
  key: string,
): Promise<Record<string, unknown>[]> {
  const $ = ctx.db.command.aggregate;
  const sums = Object.fromEntries(COUNTERS.map((c) => [c, $.sum(`$${c}`)]));
  const res = await ctx.db
    .collection(collection)
    .aggregate()
    .match(match)
    .group({ _id: `$${key}`, ...sums })
    .limit(10_000)
    .end();
  return (res.list ?? res.data ?? []) as Record<string, unknown>[];
}

export const dashboardHandlers = {
  'GET /dashboard': handle(schemas.dashboard, async (input, ctx: AdminContext): Promise<DashboardAnswer> => {
    const days = (Date.parse(input.to) - Date.parse(input.from)) / 86_400_000;
    if (!(days >= 0)) throw fieldError('to', '结束日期不能早于开始日期');
    if (days > MAX_DAYS) throw fieldError('from', '时间范围最长一年');
    const _ = ctx.db.command;
    const inRange = [{ day: _.gte(input.from) }, { day: _.lte(input.to) }];
    const filters = [
      ...(input.channel ? [{ channelId: input.channel }] : []),
      ...(input.staff ? [{ staffId: input.staff }] : []),
      ...(input.activity ? [{ activityId: input.activity }] : []),
    ];
    const cells = _.and([...filters, ...inRange]);
    const totals = (dim: string) => _.and([{ dim }, ...inRange]);
    const grouped =
      filters.length > 0
        ? [
            groupBy(ctx, 'funnelCounters', cells, 'day'),
            groupBy(ctx, 'funnelCounters', cells, 'channelId'),
            groupBy(ctx, 'funnelCounters', cells, 'staffId'),
            groupBy(ctx, 'funnelCounters', cells, 'activityId'),
          ]
        : [
            // Every cell has a channel: the channel totals of a day add up to the day.
            groupBy(ctx, 'funnelRollups', totals('channel'), 'day'),
            groupBy(ctx, 'funnelRollups', totals('channel'), 'value'),
            groupBy(ctx, 'funnelRollups', totals('staff'), 'value'),
            groupBy(ctx, 'funnelRollups', totals('activity'), 'value'),
          ];
    const [[byDay, byChannel, byStaff, byActivity], channels, staff, activities] = await Promise.all([
      Promise.all(grouped),
      ctx.db.collection('channels').limit(1000).get(),
      ctx.db.collection('staff').field({ _id: true, name: true, store: true }).limit(1000).get(),
      ctx.db.collection('activities').field({ _id: true, title: true }).limit(1000).get(),
    ]);
    const channelDocs = new Map<string, any>(channels.data.map((c: any) => [c._id, c]));
    const staffDocs = new Map<string, any>(staff.data.map((s: any) => [s._id, s]));
    const titles = new Map<string, string>(activities.data.map((a: any) => [a._id, a.title]));
    const funnel = zero();
    const trendByDay = new Map<string, FunnelView>();
    for (const row of byDay) {
      const view = counters(row);
      trendByDay.set(String(row._id), view);
      for (const c of COUNTERS) funnel[c] += view[c];
    }
    // Every day of the range, so the trend has no gaps.
    const trend: DashboardAnswer['trend'] = [];
    for (let t = Date.parse(input.from); t <= Date.parse(input.to); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      trend.push({ day, ...(trendByDay.get(day) ?? zero()) });
    }
    const channelName = (id: string) => {
      if (channelDocs.has(id)) return channelDocs.get(id).name as string;
      if (id.startsWith('staff:')) return `导购·${staffDocs.get(id.slice(6))?.name ?? id.slice(6)}`;
      return CHANNEL_TYPE_LABELS[id] ?? id;
    };
    return {
      from: input.from,
      to: input.to,
      funnel,
      trend,
      channels: byChannel
        .map((row) => {
          const view = counters(row);
          const cost = Number(channelDocs.get(String(row._id))?.cost ?? 0);
          return {
            channelId: String(row._id),
            name: channelName(String(row._id)),
            cost,
            costPerLead: cost > 0 && view.leads > 0 ? Math.round((cost / view.leads) * 100) / 100 : null,
            ...view,
          };
        })
        .sort((a, b) => b.leads - a.leads || b.won - a.won),
      staff: byStaff
        .filter((row) => row._id)
        .map((row) => ({
          staffId: String(row._id),
          name: staffDocs.get(String(row._id))?.name ?? String(row._id),
          store: staffDocs.get(String(row._id))?.store ?? '',
          ...counters(row),
        }))
        .sort((a, b) => b.leads - a.leads || b.won - a.won),
      activities: byActivity
        .filter((row) => row._id)
        .map((row) => ({
          activityId: String(row._id),
          title: titles.get(String(row._id)) ?? String(row._id),
          ...counters(row),
        }))
        .sort((a, b) => b.signups - a.signups || b.leads - a.leads),
    };
  }),
};
