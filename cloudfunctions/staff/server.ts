import { z } from 'zod';

/**
 * What the project's other functions may ask of the staff function, and the mini program may not.
 * WeChat's open API (here the mini program code) needs the WeChat token a function invoked through
 * WeChat carries; the admin function runs behind HTTP access, where that token may be absent, so
 * it asks this function for code images (and, the image library being this function's, for cards).
 */
const codeId = z.string().trim().min(1, '缺少编号').max(64, '编号过长');
/** Cards drawn per call: a call stays well inside the function's timeout. */
export const CODE_CARDS_PER_CALL = 20;

export const staffServerRequestSchemas = {
  codeImage: z.object({ codeId }),
  /** Captioned print cards of codes (code name, staff, store under the code). */
  codeCards: z.object({ codeIds: z.array(codeId).min(1, '请选择活码').max(CODE_CARDS_PER_CALL) }),
} as const;

export type StaffServerAction = keyof typeof staffServerRequestSchemas;

export interface StaffServerAnswers {
  /** The image's file in cloud storage (made on first use, then kept on the code). */
  codeImage: { fileId: string };
  /** Each card's file in cloud storage; codes that no longer exist are left out. */
  codeCards: { items: { codeId: string; fileId: string }[] };
}

/**
 * A call from another function of this environment: no WeChat user in the context (a mini program
 * call always carries the user's OPENID, which the client cannot drop), and the last hop of SOURCE
 * is a function. CloudBase appends `scf` for a function's call; the local cloud says `wx_server`.
 */
export function isFunctionCall(caller: { openid: string | null; source: string | null }): boolean {
  const hops = (caller.source ?? '').split(',');
  return caller.openid === null && ['scf', 'wx_server'].includes(hops[hops.length - 1].trim());
}
