import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';

/**
 * WeCom's callback crypto (WXBizMsgCrypt, WECOM.md): `@wecom/crypto` does the AES and the SHA1;
 * this adds what it leaves out: the signature compared in constant time and the receiveid (the
 * corp id of a self-built app) checked.
 */
export interface CallbackKeys {
  token: string;
  encodingAesKey: string;
  /** The receiveid every message must carry. */
  corpId: string;
}

interface SignedQuery {
  msgSignature: string;
  timestamp: string;
  nonce: string;
}

type OpenedMessage =
  | { ok: true; message: string }
  | { ok: false; reason: 'signature' | 'ciphertext' | 'receiveid' };

export function signatureMatches(token: string, query: SignedQuery, encrypted: string): boolean {
  const expected = Buffer.from(getSignature(token, query.timestamp, query.nonce, encrypted));
  const given = Buffer.from(query.msgSignature.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The plaintext of an `echostr` or an `Encrypt` field, once its signature and receiveid check. */
export function openMessage(keys: CallbackKeys, query: SignedQuery, encrypted: string): OpenedMessage {
  if (!signatureMatches(keys.token, query, encrypted)) return { ok: false, reason: 'signature' };
  let opened: { message: string; id: string };
  try {
    opened = decrypt(keys.encodingAesKey, encrypted);
  } catch {
    return { ok: false, reason: 'ciphertext' };
  }
  // The library slices by the stated length without checking it: a length past the end leaves no id.
  if (!opened.id) return { ok: false, reason: 'ciphertext' };
  const id = Buffer.from(opened.id);
  const corp = Buffer.from(keys.corpId);
  if (id.length !== corp.length || !timingSafeEqual(id, corp)) return { ok: false, reason: 'receiveid' };
  return { ok: true, message: opened.message };
}
