import {
  type CustomerDetail,
  type CustomerItem,
  type CustomerPage,
  insightRequestSchemas as schemas,
} from '../../typings/insight';
import { maskPhone } from '../core/phone';
import { customerCriteria } from '../core/segments';
import { customerPage, customerWhere, type InsightCustomer, leadsOfCustomer } from '../repositories/insight';
import { decodeCursor, encodeCursor, leadRange } from '../repositories/leadQueries';
import { AppError } from '../runtime/errors';
import { findById } from '../runtime/store';
import { type AdminContext, ownerScope } from './context';
import { handle } from './http';
import { iso } from './views';

export function customerItem(customer: InsightCustomer): CustomerItem {
  return {
    customerId: customer._id,
    name: customer.profile?.name ?? null,
    phoneMasked: maskPhone(customer.phone),
    city: customer.profile?.city ?? null,
    industry: customer.profile?.industry ?? null,
    tags: customer.insight?.tags ?? [],
    ownerId: customer.salesOwnerId ?? null,
    store: customer.storeId ?? null,
    leadCount: customer.leadCount ?? 0,
    joinCount: customer.joinCount ?? 0,
    channel: customer.firstTouch?.channelId ?? null,
    createdAt: new Date(customer.createdAt).toISOString(),
  };
}

export const customerHandlers = {
  'GET /customers': handle(schemas.customerList, async (input, ctx: AdminContext): Promise<CustomerPage> => {
    // The route's schema refused any cursor that does not decode.
    const cursor = input.cursor ? decodeCursor(input.cursor) : null;
    const where = customerWhere(ctx.db, customerCriteria(input, ctx.now), ownerScope(ctx));
    const page = await customerPage(ctx.db, where, leadRange(input), cursor, input.limit);
    return { items: page.items.map(customerItem), nextCursor: page.next ? encodeCursor(page.next) : null };
  }),

  'GET /customers/:id': handle(
    schemas.empty,
    async (_input, ctx: AdminContext, { id }): Promise<CustomerDetail> => {
      const customer = await findById<InsightCustomer>(ctx.db, 'customers', id);
      if (!customer || customer.mergedInto) throw new AppError('NOT_FOUND', '没有这位客户');
      const scope = ownerScope(ctx);
      if (scope !== undefined && customer.salesOwnerId !== scope)
        throw new AppError('FORBIDDEN', '只能查看自己跟进的客户');
      // Sales see only their own leads of the customer; others of a shared customer stay hidden.
      const leads = (await leadsOfCustomer(ctx.db, id)).filter(
        (l) => scope === undefined || l.ownerId === scope,
      );
      return {
        ...customerItem(customer),
        company: customer.profile.company ?? null,
        role: customer.profile.role ?? null,
        consent: customer.consent
          ? {
              version: customer.consent.version,
              accepted: customer.consent.accepted,
              at: new Date(customer.consent.at).toISOString(),
            }
          : null,
        lastLeadAt: iso(customer.lastLeadAt),
        leads: leads.map((l) => ({
          leadId: l._id,
          createdAt: new Date(l.createdAt).toISOString(),
          activityId: l.activityId ?? null,
          status: l.status,
          channel: l.channel,
        })),
      };
    },
  ),
};
