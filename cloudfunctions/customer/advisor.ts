import type { CustomerAnswers, CustomerRequest } from '../../typings/customer';
import { candidatesFor, offerOrder, pointOfKey } from '../core/assignment';
import { contactWayState } from '../core/wecomContact';
import { customerForOpenid } from '../repositories/customers';
import { pipelineConfig } from '../repositories/pipeline';
import {
  type ContactWayDoc,
  contactWayById,
  contactWayId,
  latestLeadOf,
  loadWecomSettings,
  repointContactWay,
  saveContactWay,
} from '../repositories/wecom';
import { AppError } from '../runtime/errors';
import { randomId } from '../runtime/store';
import { WecomApiError, type WecomApp, wecomCall } from '../runtime/wecomApi';
import type { CustomerContext } from './context';

/**
 * The customer's advisor as a WeCom contact (「联系我」): the owner of their latest lead (or the
 * seller who owns them), else the seller the assignment rules would pick for their store. The
 * contact ways (scene 1 for the plugin, scene 2 for the QR fallback) are made on the first ask and
 * kept; their `state` brings the add back to this customer, lead, code and activity.
 */
interface AdvisorStaff {
  _id: string;
  name: string;
  active: boolean;
  wecomUserId?: string | null;
}

async function staffWithWecom(ctx: CustomerContext, ids: string[]): Promise<AdvisorStaff[]> {
  if (ids.length === 0) return [];
  const _ = ctx.db.command;
  const { data } = await ctx.db
    .collection('staff')
    .where({ _id: _.in(ids) })
    .limit(ids.length)
    .get();
  return (data as AdvisorStaff[]).filter((s) => s.active && s.wecomUserId);
}

async function pickAdvisor(
  ctx: CustomerContext,
  customer: { _id: string; storeId: string | null; salesOwnerId?: string | null },
  ownerId: string | null,
): Promise<AdvisorStaff | null> {
  const owners = [ownerId, customer.salesOwnerId].filter((id): id is string => !!id);
  const [owner] = await staffWithWecom(ctx, owners.slice(0, 1));
  if (owner) return owner;
  const { roster } = await pipelineConfig(ctx.db, ctx.now);
  const candidates = candidatesFor(customer.storeId, roster);
  const reachable = await staffWithWecom(
    ctx,
    candidates.map((m) => m.staffId),
  );
  const byId = new Map(reachable.map((s) => [s._id, s]));
  for (const member of offerOrder(
    candidates.filter((m) => byId.has(m.staffId)),
    pointOfKey(customer._id),
  ))
    return byId.get(member.staffId) ?? null;
  return null;
}

async function createWays(app: WecomApp, wecomUserId: string, state: string) {
  const way = (scene: 1 | 2) =>
    wecomCall<{ config_id: string; qr_code?: string }>(app, '/cgi-bin/externalcontact/add_contact_way', {
      body: { type: 1, scene, user: [wecomUserId], state, skip_verify: true, remark: '线索池专属顾问' },
    });
  const plugin = await way(1);
  const qr = await way(2);
  return { pluginConfigId: plugin.config_id, qrConfigId: qr.config_id, qrCode: qr.qr_code ?? '' };
}

export async function advisorContact(
  input: Omit<CustomerRequest<'advisorContact'>, 'action'>,
  ctx: CustomerContext,
): Promise<CustomerAnswers['advisorContact']> {
  const settings = await loadWecomSettings(ctx.db);
  if (!settings) throw new AppError('NOT_CONFIGURED', '企业微信尚未配置，暂时无法添加顾问');
  const customer = await customerForOpenid(ctx.db, ctx.caller.openid, ctx.caller.unionid, ctx.now);
  const lead = await latestLeadOf(ctx.db, customer._id);
  const advisor = await pickAdvisor(ctx, customer, lead?.ownerId ?? null);
  if (!advisor?.wecomUserId) throw new AppError('NOT_CONFIGURED', '暂时没有可添加的顾问，请稍后再试');
  const target = {
    leadId: lead?._id ?? null,
    codeId: lead?.codeId ?? null,
    channelId: lead?.channel ?? null,
    activityId: input.activityId ?? lead?.activityId ?? null,
  };
  const id = contactWayId(customer._id, advisor._id);
  let way = await contactWayById(ctx.db, id);
  if (way && (way.leadId !== target.leadId || way.activityId !== target.activityId)) {
    way = { ...way, ...target };
    await repointContactWay(ctx.db, way);
  }
  if (!way) way = await createContactWay(ctx, settings, id, customer._id, advisor, target);
  return { configId: way.pluginConfigId, qrCode: way.qrCode, advisorName: advisor.name, state: way.state };
}

async function createContactWay(
  ctx: CustomerContext,
  settings: { corpId: string; secret: string },
  id: string,
  customerId: string,
  advisor: AdvisorStaff,
  target: Pick<ContactWayDoc, 'leadId' | 'codeId' | 'channelId' | 'activityId'>,
): Promise<ContactWayDoc> {
  const app: WecomApp = { corpId: settings.corpId, secret: settings.secret };
  const state = contactWayState(randomId(12));
  let configs: Awaited<ReturnType<typeof createWays>>;
  try {
    configs = await createWays(app, advisor.wecomUserId as string, state);
  } catch (error) {
    if (!(error instanceof WecomApiError)) throw error;
    console.warn(`[advisorContact] ${error.message}`);
    throw new AppError(
      error.transient ? 'RATE_LIMITED' : 'NOT_CONFIGURED',
      error.transient ? '企业微信暂时繁忙，请稍后再试' : '顾问的企业微信暂时无法添加，请联系门店',
    );
  }
  const way: ContactWayDoc = {
    _id: id,
    state,
    customerId,
    staffId: advisor._id,
    wecomUserId: advisor.wecomUserId as string,
    ...target,
    ...configs,
    createdAt: ctx.now,
  };
  if (await saveContactWay(ctx.db, way)) return way;
  // Two taps at once: the first stored way is the one; ours goes, so no code is left unmanaged.
  for (const configId of [configs.pluginConfigId, configs.qrConfigId])
    await wecomCall(app, '/cgi-bin/externalcontact/del_contact_way', { body: { config_id: configId } }).catch(
      () => {},
    );
  return (await contactWayById(ctx.db, id)) as ContactWayDoc;
}
