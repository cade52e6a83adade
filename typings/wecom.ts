import { z } from 'zod';

/**
 * WeCom (企业微信) as the admin page sets it up and the functions read it: the self-built app
 * (corp id, agent id, secret) and its customer-contact callback (Token, EncodingAESKey).
 * The secret, Token and EncodingAESKey are write-only: read back only as set or not.
 */
export const wecomSettingsSchema = z.object({
  corpId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{6,64}$/, '企业 ID 为 6-64 位字母或数字（我的企业 → 企业信息 → 企业ID）'),
  agentId: z
    .number({ error: '应用 AgentId 为数字' })
    .int('应用 AgentId 为数字')
    .min(1, '应用 AgentId 为数字'),
  secret: z.string().trim().min(8, 'Secret 至少 8 位').max(128),
  token: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,32}$/, 'Token 为 1-32 位字母或数字（接收消息 → 设置 API 接收）'),
  encodingAesKey: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{43}$/, 'EncodingAESKey 为 43 位字母或数字'),
});

export type WecomSettings = z.infer<typeof wecomSettingsSchema>;

/** A save: a secret left empty keeps the stored one. */
export const wecomSettingsUpdateSchema = wecomSettingsSchema.extend({
  secret: z.union([z.literal(''), wecomSettingsSchema.shape.secret]).optional(),
  token: z.union([z.literal(''), wecomSettingsSchema.shape.token]).optional(),
  encodingAesKey: z.union([z.literal(''), wecomSettingsSchema.shape.encodingAesKey]).optional(),
});

export type WecomSettingsUpdate = z.input<typeof wecomSettingsUpdateSchema>;

export interface WecomSettingsView {
  corpId: string;
  agentId: number;
  secretSet: boolean;
  tokenSet: boolean;
  encodingAesKeySet: boolean;
}

/** A lead's or customer's WeCom relation: not added, added to `userid` at `at`, or lost at `at`. */
export interface WecomStatus {
  status: 'none' | 'added' | 'lost';
  userid?: string;
  /** The staff member behind `userid`, when known. */
  staffName?: string;
  at?: string;
}

/** A callback event not done yet (waiting for a retry, or given up), as the admin page lists it. */
export interface WecomEventView {
  eventId: string;
  changeType: string;
  userId: string;
  externalUserId: string;
  status: 'pending' | 'failed';
  attempts: number;
  steps: string[];
  lastError: string | null;
  receivedAt: string;
  nextAttemptAt: string;
}

/** A customer who left their advisor in WeCom (流失). */
export interface WecomLostView {
  externalUserId: string;
  userId: string;
  staffId: string | null;
  customerId: string | null;
  leadId: string | null;
  name: string | null;
  lostAt: string;
  lostBy: 'customer' | 'staff' | null;
}

/** The callback path behind CloudBase's HTTP access (and the local cloud's). */
export const WECOM_CALLBACK_PATH = '/wecom/callback';
