import {
  type CustomerPage,
  type PersonaAnswer,
  type PersonaDistribution,
  type SegmentCount,
  type SegmentFilter,
  type SegmentView,
  type SpendAnswer,
  insightRequestSchemas as schemas,
} from '../../typings/insight';
import { distribution, previousPeriod, spendInside } from '../core/persona';
import { customerCriteria } from '../core/segments';
import {
  countCustomersUpTo,
  customerPage,
  customerWhere,
  leadsByChannel,
  listSegments,
  personaSums,
  removeSegment,
  removeSpend,
  type SegmentDoc,
  type SpendDoc,
  saveSegment,
  saveSpend,
  segmentById,
  spendOverlapping,
} from '../repositories/insight';
import { decodeCursor, encodeCursor } from '../repositories/leadQueries';
import { AppError, fieldError } from '../runtime/errors';
import { findById, randomId } from '../runtime/store';
import { type AdminContext, actorOf, ownerScope, record } from './context';
import { customerItem } from './customers';
import { handle } from './http';

/** The persona of customers first seen in a period, and of those who came back in it, summed from the per-day counters. */
async function personaOf(ctx: AdminContext, from: string, to: string): Promise<PersonaDistribution> {
  const sums = await personaSums(ctx.db, from, to);
  const byCity = distribution(sums.city);
  return {
    // Every customer is counted once under each dimension.
    total: byCity.reduce((sum, row) => sum + row.count, 0),
    returning: sums.returning,
    byCity,
    byIndustry: distribution(sums.industry),
    byRole: distribution(sums.role),
    byChannel: distribution(sums.channel),
    byStore: distribution(sums.store),
    byTag: distribution(sums.tag),
  };
}

/** A segment's customers as the caller may see them (a sales account: only its own). */
const segmentWhere = (ctx: AdminContext, filter: SegmentFilter) =>
  customerWhere(ctx.db, customerCriteria(filter, ctx.now), ownerScope(ctx));

/**
 * Segment counts stop here ("1,000+"): at 1M customers bench:admin measured an exact count (and an
 * aggregate with a limit) walking every match for seconds, a broad one past the function's timeout.
 */
const SEGMENT_COUNT_CAP = 1000;
const segmentCount = (ctx: AdminContext, filter: SegmentFilter): Promise<SegmentCount> =>
  countCustomersUpTo(ctx.db, segmentWhere(ctx, filter), SEGMENT_COUNT_CAP);

const segmentView = (segment: SegmentDoc): SegmentView => ({
  segmentId: segment._id,
  name: segment.name,
  filter: segment.filter as SegmentFilter,
  count: segment.count,
  atLeast: segment.countAtLeast ?? false,
  createdAt: new Date(segment.createdAt).toISOString(),
  createdBy: segment.createdBy,
});

async function existingSegment(ctx: AdminContext, id: string): Promise<SegmentDoc> {
  const segment = await segmentById(ctx.db, id);
  if (!segment) throw new AppError('NOT_FOUND', '没有这个人群');
  return segment;
}

export const insightHandlers = {
  'GET /persona': handle(schemas.persona, async ({ from, to }, ctx: AdminContext): Promise<PersonaAnswer> => {
    const before = previousPeriod(from, to);
    const [now, previous] = await Promise.all([
      personaOf(ctx, from, to),
      personaOf(ctx, before.from, before.to),
    ]);
    return { from, to, ...now, previous: { ...before, ...previous } };
  }),

  'GET /segments': handle(schemas.empty, async (_input, ctx: AdminContext) => ({
    items: (await listSegments(ctx.db)).map(segmentView),
  })),

  // The live count while a filter is edited.
  'POST /segments/count': handle(schemas.segmentCount, ({ filter }, ctx: AdminContext) =>
    segmentCount(ctx, filter),
  ),

  'POST /segments': handle(schemas.segment, async ({ name, filter }, ctx: AdminContext) => {
    const { count, atLeast } = await segmentCount(ctx, filter);
    const segment: SegmentDoc = {
      _id: randomId(),
      name,
      filter,
      count,
      countAtLeast: atLeast,
      createdBy: actorOf(ctx),
      createdAt: ctx.now,
    };
    await saveSegment(ctx.db, segment);
    await record(ctx, 'segment.create', segment._id, { name, filter });
    return { segmentId: segment._id, count, atLeast };
  }),

  'GET /segments/:id/members': handle(
    schemas.segmentMembers,
    async (input, ctx: AdminContext, { id }): Promise<CustomerPage> => {
      const segment = await existingSegment(ctx, id);
      const cursor = input.cursor ? decodeCursor(input.cursor) : null;
      const where = segmentWhere(ctx, segment.filter as SegmentFilter);
      const page = await customerPage(ctx.db, where, { from: null, to: null }, cursor, input.limit);
      return { items: page.items.map(customerItem), nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  ),

  'GET /spend': handle(schemas.spendList, async ({ from, to }, ctx: AdminContext): Promise<SpendAnswer> => {
    const [entries, leads] = await Promise.all([
      spendOverlapping(ctx.db, from, to),
      leadsByChannel(ctx.db, from, to),
    ]);
    const channelIds = [...new Set([...entries.map((e) => e.channelId), ...leads.keys()])];
    const channels = channelIds.map((channelId) => {
      const spend = spendInside(
        entries.filter((e) => e.channelId === channelId),
        from,
        to,
      );
      const count = leads.get(channelId) ?? 0;
      return {
        channelId,
        spend,
        leads: count,
        costPerLead: spend > 0 && count > 0 ? Math.round((spend / count) * 100) / 100 : null,
      };
    });
    return {
      from,
      to,
      channels: channels.sort((a, b) => b.spend - a.spend || b.leads - a.leads),
      entries: entries
        .sort((a, b) => a.from.localeCompare(b.from))
        .map((e) => ({
          spendId: e._id,
          channelId: e.channelId,
          from: e.from,
          to: e.to,
          amount: e.amount,
          createdAt: new Date(e.createdAt).toISOString(),
        })),
    };
  }),

  'POST /spend': handle(schemas.spend, async (input, ctx: AdminContext) => {
    if (!(await findById(ctx.db, 'channels', input.channelId))) throw fieldError('channelId', '没有这个渠道');
    const spend: SpendDoc = { _id: randomId(), ...input, createdBy: actorOf(ctx), createdAt: ctx.now };
    await saveSpend(ctx.db, spend);
    await record(ctx, 'spend.create', spend._id, input);
    return { spendId: spend._id };
  }),

  'DELETE /spend/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    if (!(await removeSpend(ctx.db, id))) throw new AppError('NOT_FOUND', '没有这条投入记录');
    await record(ctx, 'spend.delete', id);
    return { spendId: id };
  }),

  'DELETE /segments/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    const segment = await existingSegment(ctx, id);
    if (!(await removeSegment(ctx.db, id))) throw new AppError('NOT_FOUND', '没有这个人群');
    await record(ctx, 'segment.delete', id, { name: segment.name });
    return { segmentId: id };
  }),
};
