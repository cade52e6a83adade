import { WECOM_CALLBACK_PATH, type WecomSettings } from '../../typings/wecom';
import { type CallbackKeys, openMessage } from '../core/wecomCrypto';
import { contactEventOf, parseFlatXml } from '../core/wecomEvents';
import { loadWecomSettings, storeEvent } from '../repositories/wecom';
import type { Database } from '../runtime/cloud';

/**
 * WeCom's callback behind CloudBase's HTTP access: the URL check (GET: the decrypted echostr,
 * bare) and the encrypted customer-contact events (POST). An event is verified, stored once and
 * answered; what is not WeCom's, not for our corp or not a contact change we know is refused and
 * logged, and nothing is stored.
 */
export interface CallbackRequest {
  path?: string;
  httpMethod?: string;
  queryStringParameters?: Record<string, string> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface CallbackAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The answer, and a stored event to work on now (null: nothing new to do). */
export type Accepted = { answer: CallbackAnswer; work: { eventId: string; settings: WecomSettings } | null };

const plain = (statusCode: number, body: string): CallbackAnswer => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

const refuse = (statusCode: number, why: string): Accepted => {
  console.warn(`[wecom callback] refused: ${why}`);
  return { answer: plain(statusCode, ''), work: null };
};

const QUERY_PART = /^[A-Za-z0-9]{1,64}$/;

export async function acceptCallback(db: Database, request: CallbackRequest, now: Date): Promise<Accepted> {
  const path = (request.path ?? '').replace(/\/+$/, '');
  if (path !== WECOM_CALLBACK_PATH) return refuse(404, `unknown path ${request.path}`);
  const settings = await loadWecomSettings(db);
  if (!settings) return refuse(503, 'WeCom is not configured');
  const keys: CallbackKeys = {
    token: settings.token,
    encodingAesKey: settings.encodingAesKey,
    corpId: settings.corpId,
  };
  const q = request.queryStringParameters ?? {};
  const query = { msgSignature: q.msg_signature ?? '', timestamp: q.timestamp ?? '', nonce: q.nonce ?? '' };
  if (![query.msgSignature, query.timestamp, query.nonce].every((part) => QUERY_PART.test(part)))
    return refuse(400, 'msg_signature, timestamp or nonce missing');
  if (request.httpMethod === 'GET') {
    const opened = openMessage(keys, query, q.echostr ?? '');
    if (!opened.ok) return refuse(403, `URL check: ${opened.reason}`);
    return { answer: plain(200, opened.message), work: null };
  }
  if (request.httpMethod !== 'POST') return refuse(405, `method ${request.httpMethod}`);
  const raw = request.isBase64Encoded
    ? Buffer.from(request.body ?? '', 'base64').toString('utf8')
    : (request.body ?? '');
  const envelope = parseFlatXml(raw);
  if (!envelope?.Encrypt) return refuse(400, 'body is not WeCom XML with Encrypt');
  const opened = openMessage(keys, query, envelope.Encrypt);
  if (!opened.ok) return refuse(403, `event: ${opened.reason}`);
  const fields = parseFlatXml(opened.message);
  if (!fields) return refuse(400, 'decrypted event is not XML');
  const event = contactEventOf(fields);
  if (!event)
    return refuse(400, `not a known contact change: ${fields.Event ?? '?'}/${fields.ChangeType ?? '?'}`);
  if (event.corpId !== settings.corpId) return refuse(403, 'event for another corp');
  const stored = await storeEvent(db, event, now);
  return {
    answer: plain(200, ''),
    work: stored.status === 'pending' ? { eventId: stored._id, settings } : null,
  };
}
