import {
  BULK_FILTER_MAX,
  can,
  type LeadCount,
  type LeadDetail,
  type LeadFilter,
  type LeadItem,
  type LeadPage,
  type LeadStatus,
  leadFilterSchema,
  adminRequestSchemas as schemas,
  type TouchView,
} from '../../typings/admin';
import type { WecomStatus } from '../../typings/wecom';
import { mergeProfile } from '../core/form';
import { countersForStatusChange, dayOf, funnelKey } from '../core/funnel';
import { maskPhone } from '../core/phone';
import { editTags, type TagSources, tagDifference } from '../core/rules';
import { staffById } from '../repositories/codes';
import { countFunnel } from '../repositories/counters';
import { type CustomerDoc, mergeCustomer } from '../repositories/customers';
import {
  countLeadsWhere,
  decodeCursor,
  encodeCursor,
  isPhoneSearch,
  leadConditions,
  leadPage,
  leadRange,
} from '../repositories/leadQueries';
import { type LeadDoc, leadById, tagSourcesUpdate } from '../repositories/leads';
import { touchesSince } from '../repositories/touches';
import { AppError, fieldError } from '../runtime/errors';
import { findById } from '../runtime/store';
import { type AdminContext, actorOf, ownerScope, record, signedIn } from './context';
import { handle } from './http';

/** What a list row needs; the rest of a lead stays in the database. */
export const LIST_FIELDS = Object.fromEntries(
  [
    '_id',
    'customerId',
    'name',
    'phone',
    'channel',
    'channelType',
    'staffId',
    'ownerId',
    'activityId',
    'referrerCustomerId',
    'tags',
    'score',
    'mql',
    'status',
    'source',
    'possibleDuplicate',
    'wecom',
    'createdAt',
  ].map((f) => [f, true as const]),
);

export function leadItem(lead: LeadDoc & { wecom?: WecomStatus }): LeadItem {
  return {
    leadId: lead._id,
    customerId: lead.customerId,
    name: lead.name ?? null,
    phoneMasked: maskPhone(lead.phone),
    channel: lead.channel,
    channelType: lead.channelType,
    staff: lead.staffId ?? null,
    ownerId: lead.ownerId ?? null,
    activityId: lead.activityId ?? null,
    referrerCustomerId: lead.referrerCustomerId ?? null,
    tags: lead.tags ?? [],
    score: lead.score ?? 0,
    mql: lead.mql === true,
    status: lead.status,
    source: lead.source,
    possibleDuplicate: lead.possibleDuplicate === true,
    wecom: lead.wecom ?? { status: 'none' },
    createdAt: new Date(lead.createdAt).toISOString(),
  };
}

function touchView(t: any): TouchView | null {
  if (!t) return null;
  return {
    at: new Date(t.at).toISOString(),
    kind: t.kind,
    channelId: t.channelId,
    channelType: t.channelType,
    staffId: t.staffId ?? null,
    activityId: t.activityId ?? null,
    wxScene: t.wxScene,
    rejected: Boolean(t.rejected),
  };
}

/** A lead the caller may act on: sales only their own. */
async function reachableLead(ctx: AdminContext, id: string): Promise<LeadDoc> {
  const lead = await leadById(ctx.db, id);
  if (!lead) throw new AppError('NOT_FOUND', '没有这条线索');
  const scope = ownerScope(ctx);
  if (scope !== undefined && lead.ownerId !== scope)
    throw new AppError('FORBIDDEN', '只能查看和处理分配给自己的线索');
  return lead;
}

/**
 * How many leads a filter selects, where the indexes answer the count exactly (no tag, search,
 * MQL or shared-pool condition); else null, and pages show the rows so far.
 */
export async function countLeads(
  ctx: AdminContext,
  filter: LeadFilter,
  scope: string | null | undefined,
): Promise<number | null> {
  const countable = !filter.tag && !filter.q && filter.mql === undefined && filter.owner !== 'none';
  if (!countable) return null;
  return countLeadsWhere(ctx.db, leadConditions(ctx.db, filter, scope), leadRange(filter));
}

/** Leads walked for an estimate, newest first: a filter matching fewer is counted exactly. */
const ESTIMATE_WALK = 2000;

/**
 * A count for a filter the indexes cannot count (a tag, a name, MQL, the pool): the matches among
 * the newest leads are walked; when the walk ends early that is the count, else the rate of
 * matches over the time walked is carried over the filter's whole time range (约).
 */
async function estimateLeads(ctx: AdminContext, filter: LeadFilter): Promise<LeadCount> {
  const where = leadConditions(ctx.db, filter, ownerScope(ctx));
  const range = leadRange(filter);
  const walked: LeadDoc[] = [];
  let cursor: Parameters<typeof leadPage>[3] = null;
  do {
    const page = await leadPage(ctx.db, where, range, cursor, 1000, { _id: true, createdAt: true });
    walked.push(...page.items);
    cursor = page.next;
  } while (cursor && walked.length < ESTIMATE_WALK);
  if (!cursor) return { total: walked.length, exact: true };
  const { data } = await ctx.db
    .collection('leads')
    .orderBy('createdAt', 'asc')
    .field({ createdAt: true })
    .limit(1)
    .get();
  const oldest = Math.max(range.from?.getTime() ?? 0, new Date((data[0] as LeadDoc).createdAt).getTime());
  const newest = Math.min(range.to?.getTime() ?? ctx.now.getTime(), ctx.now.getTime());
  const reached = new Date(walked[walked.length - 1].createdAt).getTime();
  const share = (newest - reached) / Math.max(1, newest - oldest);
  return { total: Math.max(walked.length, Math.round(walked.length / Math.max(share, 1e-6))), exact: false };
}

/** The leads a bulk action applies to: those picked, or every one the filter selects (up to a limit). */
async function bulkLeadIds(ctx: AdminContext, target: { leadIds?: string[]; filter?: LeadFilter }) {
  if (target.leadIds) return [...new Set(target.leadIds)];
  const filter = target.filter ?? {};
  await authorizePhoneSearch(ctx, filter, false);
  const where = leadConditions(ctx.db, filter, ownerScope(ctx));
  const ids: string[] = [];
  let cursor: Parameters<typeof leadPage>[3] = null;
  do {
    const page = await leadPage(ctx.db, where, leadRange(filter), cursor, 1000, {
      _id: true,
      createdAt: true,
    });
    ids.push(...page.items.map((lead) => lead._id));
    cursor = page.next;
    if (ids.length > BULK_FILTER_MAX)
      throw fieldError('filter', `符合条件的线索超过 ${BULK_FILTER_MAX} 条，请缩小筛选范围后再批量操作`);
  } while (cursor);
  return ids;
}

/**
 * A search by a phone's digits answers whether a number exists, so a full number could be recovered
 * digit by digit: it needs the permission to reveal phones, and the first page of such a search is
 * audited like a reveal.
 */
export async function authorizePhoneSearch(ctx: AdminContext, filter: LeadFilter, audited: boolean) {
  if (!filter.q || !isPhoneSearch(filter.q)) return;
  if (!can(signedIn(ctx).role, 'leads.reveal'))
    throw new AppError('FORBIDDEN', '当前角色不能按手机号搜索，请按姓名搜索', [
      { path: 'q', message: '不能按手机号搜索' },
    ]);
  if (audited) await record(ctx, 'leads.search.phone', filter.q);
}

const cellOf = (lead: LeadDoc) => ({
  channelId: lead.channel,
  staffId: lead.staffId,
  activityId: lead.activityId,
});

export const leadHandlers = {
  'GET /leads': handle(schemas.leadList, async (input, ctx: AdminContext): Promise<LeadPage> => {
    // The route's schema refused any cursor that does not decode.
    const cursor = input.cursor ? decodeCursor(input.cursor) : null;
    await authorizePhoneSearch(ctx, input, !cursor);
    const where = leadConditions(ctx.db, input, ownerScope(ctx));
    const page = await leadPage(ctx.db, where, leadRange(input), cursor, input.limit, LIST_FIELDS);
    return { items: page.items.map(leadItem), nextCursor: page.next ? encodeCursor(page.next) : null };
  }),

  // Its own route: a count walks every match, so the list does not wait for it.
  'GET /leads/count': handle(leadFilterSchema, async (input, ctx: AdminContext): Promise<LeadCount> => {
    await authorizePhoneSearch(ctx, input, false);
    const total = await countLeads(ctx, input, ownerScope(ctx));
    return total !== null ? { total, exact: true } : estimateLeads(ctx, input);
  }),

  'GET /leads/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }): Promise<LeadDetail> => {
    const lead = await reachableLead(ctx, id);
    const [touches, deliveries, others, suspect] = await Promise.all([
      touchesSince(ctx.db, lead.customerId, new Date(0), 50),
      ctx.db.collection('outbox').where({ leadIds: lead._id }).limit(20).get(),
      ctx.db
        .collection('leads')
        .where({ customerId: lead.customerId })
        .orderBy('createdAt', 'desc')
        .limit(20)
        .get(),
      lead.possibleDuplicate && lead.possibleDuplicateOf
        ? findById<CustomerDoc>(ctx.db, 'customers', lead.possibleDuplicateOf)
        : null,
    ]);
    const extra = lead as LeadDoc & { notes?: { text: string; at: Date; by: string }[] };
    return {
      ...leadItem(lead),
      answers: lead.answers ?? {},
      phoneVerified: lead.phoneVerified,
      consent: lead.consent
        ? {
            version: lead.consent.version,
            accepted: lead.consent.accepted,
            at: new Date(lead.consent.at).toISOString(),
          }
        : null,
      consentWithdrawnAt: lead.consentWithdrawnAt ? new Date(lead.consentWithdrawnAt).toISOString() : null,
      possibleDuplicateOf: suspect
        ? {
            customerId: suspect._id,
            name: suspect.profile.name ?? null,
            phoneMasked: maskPhone(suspect.phone),
            phoneVerified: suspect.phoneVerified,
            leadCount: suspect.leadCount ?? 0,
            createdAt: new Date(suspect.createdAt).toISOString(),
          }
        : null,
      firstTouch: touchView(lead.firstTouch),
      lastTouch: touchView(lead.lastTouch),
      touches: touches.map((t) => touchView(t) as TouchView),
      statusHistory: (lead.statusHistory ?? []).map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
      notes: (extra.notes ?? []).map((n) => ({ ...n, at: new Date(n.at).toISOString() })),
      assignedBy: lead.assignedBy ?? null,
      deliveries: deliveries.data.map((m: any) => ({
        messageId: m.messageId,
        channel: m.channel,
        status: m.status,
        attempts: m.attempts,
        lastError: m.lastError ?? null,
      })),
      otherLeads: (others.data as LeadDoc[])
        .filter((l) => l._id !== lead._id)
        .map((l) => ({
          leadId: l._id,
          createdAt: new Date(l.createdAt).toISOString(),
          activityId: l.activityId,
          status: l.status,
        })),
    };
  }),

  'PATCH /leads/:id/status': handle(
    schemas.leadStatus,
    async ({ status, note }, ctx: AdminContext, { id }) => {
      const lead = await reachableLead(ctx, id);
      if (lead.status === status && !note) return { leadId: id, status };
      const by = actorOf(ctx);
      const _ = ctx.db.command;
      const changes: Record<string, unknown> = { updatedAt: ctx.now };
      if (lead.status !== status) {
        changes.status = status;
        changes.statusHistory = _.push([{ status, at: ctx.now, by }]);
      }
      if (note) changes.notes = _.push([{ text: note, at: ctx.now, by }]);
      // Only the change from the status we read is applied: two people moving one lead count once.
      const res = await ctx.db
        .collection('leads')
        .where({ _id: id, status: lead.status })
        .update({ data: changes });
      if (res.stats.updated !== 1)
        throw new AppError('INVALID_INPUT', '线索状态刚被他人修改，请刷新后重试', [
          { path: 'status', message: '状态已变化' },
        ]);
      if (lead.status !== status) {
        const counters = countersForStatusChange(lead.status, status);
        if (Object.keys(counters).length > 0)
          await countFunnel(ctx.db, new Date(lead.createdAt), cellOf(lead), counters);
        await record(ctx, 'lead.status', id, { from: lead.status, to: status });
      }
      return { leadId: id, status };
    },
  ),

  'POST /leads/:id/notes': handle(schemas.leadNote, async ({ text }, ctx: AdminContext, { id }) => {
    await reachableLead(ctx, id);
    const note = { text, at: ctx.now, by: actorOf(ctx) };
    await ctx.db
      .collection('leads')
      .doc(id)
      .update({ data: { notes: ctx.db.command.push([note]), updatedAt: ctx.now } });
    return { ...note, at: ctx.now.toISOString() };
  }),

  'POST /leads/:id/reveal': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    const lead = await reachableLead(ctx, id);
    if (lead.consentWithdrawnAt) throw new AppError('FORBIDDEN', '客户已撤回同意，不能再查看完整号码');
    await record(ctx, 'lead.reveal', id, { customerId: lead.customerId });
    return { leadId: id, phone: lead.phone ?? null };
  }),

  'POST /leads/:id/duplicate': handle(
    schemas.duplicateDecision,
    async ({ decision }, ctx: AdminContext, { id }) => {
      const lead = await reachableLead(ctx, id);
      if (!lead.possibleDuplicate || !lead.possibleDuplicateOf)
        throw new AppError('INVALID_INPUT', '这条线索没有待处理的疑似重复', [
          { path: 'decision', message: '没有待处理的疑似重复' },
        ]);
      const [from, into] = await Promise.all([
        findById<CustomerDoc>(ctx.db, 'customers', lead.customerId),
        findById<CustomerDoc>(ctx.db, 'customers', lead.possibleDuplicateOf),
      ]);
      if (
        decision === 'merge' &&
        (!from || !into || from.mergedInto || into.mergedInto || from._id === into._id)
      )
        throw new AppError('NOT_FOUND', '要合并的客户已不存在或已被合并');
      // Every lead of this customer flagged against the same one is settled, and only while still
      // flagged: two reviewers deciding at once settle it once.
      const settled = await ctx.db
        .collection('leads')
        .where({
          customerId: lead.customerId,
          possibleDuplicate: true,
          possibleDuplicateOf: lead.possibleDuplicateOf,
        })
        .update({
          data: { possibleDuplicate: false, duplicateReview: { decision, by: actorOf(ctx), at: ctx.now } },
        });
      if (settled.stats.updated === 0)
        throw new AppError('INVALID_INPUT', '这条疑似重复刚被他人处理，请刷新');
      if (decision === 'merge' && from && into) {
        await mergeCustomer(ctx.db, from, into, ctx.now);
        await ctx.db
          .collection('customers')
          .doc(into._id)
          .update({
            data: {
              profile: mergeProfile(from.profile, into.profile),
              leadCount: (into.leadCount ?? 0) + (from.leadCount ?? 0),
              joinCount: (into.joinCount ?? 0) + (from.joinCount ?? 0),
              updatedAt: ctx.now,
            },
          });
      }
      await record(ctx, decision === 'merge' ? 'customer.merge' : 'customer.notDuplicate', lead.customerId, {
        leadId: id,
        into: lead.possibleDuplicateOf,
      });
      return {
        leadId: id,
        decision,
        customerId: decision === 'merge' ? lead.possibleDuplicateOf : lead.customerId,
      };
    },
  ),

  'POST /leads/assign': handle(schemas.bulkAssign, async ({ ownerId, ...target }, ctx: AdminContext) => {
    signedIn(ctx);
    if (ownerId) {
      const owner = await staffById(ctx.db, ownerId);
      if (!owner?.active) throw fieldError('ownerId', '没有这名在职员工');
    }
    const _ = ctx.db.command;
    const ids = await bulkLeadIds(ctx, target);
    const leads: LeadDoc[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const { data } = await ctx.db
        .collection('leads')
        .where({ _id: _.in(ids.slice(i, i + 500)) })
        .field({
          _id: true,
          ownerId: true,
          customerId: true,
          channel: true,
          staffId: true,
          activityId: true,
          createdAt: true,
        })
        .limit(500)
        .get();
      leads.push(...(data as LeadDoc[]));
    }
    for (let i = 0; i < leads.length; i += 500) {
      const part = leads.slice(i, i + 500);
      await ctx.db
        .collection('leads')
        .where({ _id: _.in(part.map((l) => l._id)) })
        .update({ data: { ownerId, assignedBy: ownerId ? 'manual' : 'pool', updatedAt: ctx.now } });
      // The customer goes with the lead: their next lead goes to the new owner (customers.salesOwnerId).
      await ctx.db
        .collection('customers')
        .where({ _id: _.in([...new Set(part.map((l) => l.customerId))]) })
        .update({ data: { salesOwnerId: ownerId, updatedAt: ctx.now } });
    }
    // `assigned` counts leads that have an owner: moving in or out of the pool changes it, once
    // per funnel cell however many of the cell's leads moved.
    const moved = new Map<string, { at: Date; cell: ReturnType<typeof cellOf>; by: number }>();
    for (const lead of leads) {
      const by = !lead.ownerId && ownerId ? 1 : lead.ownerId && !ownerId ? -1 : 0;
      if (by === 0) continue;
      const at = new Date(lead.createdAt);
      const cell = cellOf(lead);
      const key = funnelKey({ day: dayOf(at), ...cell });
      const entry = moved.get(key) ?? { at, cell, by: 0 };
      entry.by += by;
      moved.set(key, entry);
    }
    await Promise.all(
      [...moved.values()].map(({ at, cell, by }) => countFunnel(ctx.db, at, cell, { assigned: by })),
    );
    await record(ctx, 'leads.assign', ownerId ?? 'pool', {
      count: leads.length,
      leadIds: ids.slice(0, 50),
      ...(target.filter ? { filter: target.filter } : {}),
    });
    return { updated: leads.length };
  }),

  'POST /leads/tag': handle(schemas.bulkTag, async ({ add, remove, ...target }, ctx: AdminContext) => {
    if (add.length === 0 && remove.length === 0) throw fieldError('add', '请填写要添加或移除的标签');
    const _ = ctx.db.command;
    const ids = await bulkLeadIds(ctx, target);
    const leads: (LeadDoc & TagSources)[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const { data } = await ctx.db
        .collection('leads')
        .where({ _id: _.in(ids.slice(i, i + 500)) })
        .field({ _id: true, tags: true, ruleTags: true, manualTags: true, removedTags: true })
        .limit(500)
        .get();
      leads.push(...(data as (LeadDoc & TagSources)[]));
    }
    let updated = 0;
    for (let i = 0; i < leads.length; i += 20) {
      await Promise.all(
        leads.slice(i, i + 20).map(async (lead) => {
          // What a person adds or removes is kept apart from the rules' tags, so a re-tag keeps it.
          const before = { ...lead, tags: lead.tags ?? [] };
          const next = editTags(before, add, remove);
          const shown = tagDifference(before.tags, next.tags);
          const visible = shown.added.length + shown.removed.length > 0;
          const sources =
            JSON.stringify([lead.manualTags ?? [], lead.removedTags ?? [], lead.ruleTags ?? null]) !==
            JSON.stringify([next.manualTags, next.removedTags, next.ruleTags ?? null]);
          if (!visible && !sources) return;
          await ctx.db
            .collection('leads')
            .doc(lead._id)
            .update({
              data: { ...tagSourcesUpdate(ctx.db, next), updatedAt: ctx.now },
            });
          if (visible) updated += 1;
        }),
      );
    }
    await record(ctx, 'leads.tag', `${leads.length} leads`, { add, remove, updated });
    return { updated };
  }),
};

export type { LeadStatus };
