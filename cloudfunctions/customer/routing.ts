import { summarizeLead } from '../core/delivery';
import { judgeLead, withRuleTags } from '../core/rules';
import type { CustomerDoc } from '../repositories/customers';
import type { LeadDoc } from '../repositories/leads';
import { chooseOwner, pipelineConfig } from '../repositories/pipeline';
import type { Database } from '../runtime/cloud';
import { type OutboxDoc, outboxMessage, robotsFor } from '../runtime/delivery';

/**
 * What happens to a lead between capture and sales: the tag and score rules judge it, an owner
 * is chosen, and one outbox message per sales channel (robots of its store, CRM webhooks) is
 * prepared, to be written in the same transaction as the lead. `giveBack` returns the daily-cap
 * place the owner took, when the lead is not stored after all.
 */
export async function routeLead(
  db: Database,
  lead: LeadDoc,
  customer: CustomerDoc,
  activityTitle: string | null,
  now: Date,
): Promise<{ lead: LeadDoc; messages: OutboxDoc[]; giveBack(): Promise<void> }> {
  const { rules, settings, roster, stores } = await pipelineConfig(db, now);
  const judgement = judgeLead(rules, {
    channelType: lead.channelType,
    channelId: lead.channel,
    activityId: lead.activityId,
    answers: lead.answers,
    phoneVerified: lead.phoneVerified,
    activitiesJoined: customer.joinCount ?? 0,
    submissions: customer.leadCount ?? 0,
  });
  const attributed = roster.find((member) => member.staffId === lead.staffId) ?? null;
  // The store the customer picked (on this form or an earlier one) before the code's or the owner's.
  const picked = [lead.answers.store, customer.profile.store].find((name) => name && stores.includes(name));
  const store = picked ?? lead.storeId ?? attributed?.store ?? customer.storeId ?? null;
  const customerOwner = roster.find((member) => member.staffId === customer.salesOwnerId) ?? null;
  const { assignment, giveBack } = await chooseOwner(
    db,
    { leadKey: lead._id, store, attributed, customerOwner },
    roster,
    now,
  );
  const owner = roster.find((member) => member.staffId === assignment.ownerId) ?? null;
  const routed: LeadDoc = {
    ...lead,
    // A new lead's tags are all the rules'; the sources let a re-tag keep what people add later.
    ...withRuleTags(lead, judgement.tags),
    score: judgement.score,
    mql: judgement.mql,
    ownerId: assignment.ownerId,
    assignedBy: assignment.reason,
    routedStore: store,
  };
  const summary = summarizeLead(routed, {
    staffName: attributed?.name ?? null,
    ownerName: owner?.name ?? null,
    ownerMobile: owner?.mobile ?? null,
    ownerWecomUserId: owner?.wecomUserId ?? null,
    store,
    activityTitle,
    adminUrl: settings.adminUrl,
  });
  const messages = [
    ...robotsFor(settings.robots, store).map((robot) =>
      outboxMessage(`robot:${robot.id}`, 'robot', [summary], now),
    ),
    ...settings.webhooks.map((webhook) => outboxMessage(`webhook:${webhook.id}`, 'webhook', [summary], now)),
  ];
  return { lead: routed, messages, giveBack };
}
