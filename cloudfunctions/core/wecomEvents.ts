import { z } from 'zod';

/**
 * The XML WeCom posts to a callback, and the customer-contact events inside it (WECOM.md). WeCom's
 * XML is flat: `<xml>` holding elements of text or CDATA. Anything else (nesting, a DOCTYPE,
 * attributes, stray text) is not WeCom's and is refused rather than guessed at.
 */
const ELEMENT = /^<([A-Za-z][A-Za-z0-9_]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseFlatXml(xml: string): Record<string, string> | null {
  const body = /^\s*<xml>([\s\S]*)<\/xml>\s*$/.exec(xml)?.[1];
  if (body === undefined) return null;
  const fields: Record<string, string> = {};
  let rest = body.trim();
  while (rest) {
    const element = ELEMENT.exec(rest);
    if (!element) return null;
    const [whole, name, cdata, text] = element;
    if (Object.hasOwn(fields, name)) return null;
    if (cdata === undefined && /&(?!(lt|gt|amp|quot|apos);)/.test(text)) return null;
    fields[name] = cdata ?? text.replace(/&(lt|gt|amp|quot|apos);/g, (_m, e: string) => ENTITIES[e]);
    rest = rest.slice(whole.length).trim();
  }
  return fields;
}

const CHANGE_TYPES = [
  'add_external_contact',
  'add_half_external_contact',
  'edit_external_contact',
  'del_external_contact',
  'del_follow_user',
] as const;

export type ChangeType = (typeof CHANGE_TYPES)[number];

const text = z.string().max(200);

/** A `change_external_contact` event; any other event or change type is not one we accept. */
const contactEventSchema = z.object({
  ToUserName: z.string().min(1).max(64),
  FromUserName: text.optional(),
  CreateTime: z.string().regex(/^\d{1,12}$/),
  MsgType: z.literal('event'),
  Event: z.literal('change_external_contact'),
  ChangeType: z.enum(CHANGE_TYPES),
  UserID: z.string().min(1).max(64),
  ExternalUserID: z.string().min(1).max(64),
  State: text.optional(),
  WelcomeCode: text.optional(),
  Source: text.optional(),
});

export interface ContactEvent {
  corpId: string;
  changeType: ChangeType;
  createTime: number;
  userId: string;
  externalUserId: string;
  state: string | null;
  welcomeCode: string | null;
  /** del_external_contact only: who deleted (e.g. DELETE_BY_TRANSFER). */
  source: string | null;
}

export function contactEventOf(fields: Record<string, string>): ContactEvent | null {
  const parsed = contactEventSchema.safeParse(fields);
  if (!parsed.success) return null;
  const e = parsed.data;
  return {
    corpId: e.ToUserName,
    changeType: e.ChangeType,
    createTime: Number(e.CreateTime),
    userId: e.UserID,
    externalUserId: e.ExternalUserID,
    state: e.State || null,
    welcomeCode: e.WelcomeCode || null,
    source: e.Source || null,
  };
}

/** WeCom retries an event unchanged: these parts name it (WECOM.md). */
export const eventKeyParts = (e: ContactEvent): string[] => [
  e.corpId,
  e.changeType,
  String(e.createTime),
  e.userId,
  e.externalUserId,
];
