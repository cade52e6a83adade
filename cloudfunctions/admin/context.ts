import type { Role } from '../../typings/admin';
import { type AccountDoc, accountById } from '../repositories/accounts';
import { audit } from '../repositories/counters';
import type { Database } from '../runtime/cloud';
import { AppError } from '../runtime/errors';
import { readToken, tokenSecret } from './auth';
import type { Caller, HttpEvent } from './http';

/** What every admin handler works with: the database, the clock, the signed-in caller and the env. */
export interface AdminContext {
  db: Database;
  now: Date;
  caller: Caller | null;
  envId: string;
  /** Where the request came from, as the HTTP access gateway saw it (sign-in limits are per address). */
  clientAddress: string;
}

export function signedIn(ctx: AdminContext): Caller {
  if (!ctx.caller) throw new AppError('UNAUTHENTICATED', '请先登录');
  return ctx.caller;
}

/** How the audit log names the caller. */
export const actorOf = (ctx: AdminContext) => (ctx.caller ? `account:${ctx.caller.username}` : 'anonymous');

export function record(
  ctx: AdminContext,
  action: string,
  subject: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  return audit(ctx.db, { actor: actorOf(ctx), action, subject, detail }, ctx.now);
}

/** A sales account acts only on leads it owns: the owner scope of its queries. */
export function ownerScope(ctx: AdminContext): string | null | undefined {
  const caller = signedIn(ctx);
  return caller.role === 'sales' ? caller.staffId : undefined;
}

export function callerOf(account: AccountDoc): Caller {
  return {
    accountId: account._id,
    username: account.username,
    role: account.role as Role,
    staffId: account.staffId,
  };
}

/** The bearer of a token: a genuine, unexpired token of an active account of the same token version. */
export async function authenticate(db: Database, token: string, now: Date): Promise<Caller> {
  const claims = readToken(token, tokenSecret(), now.getTime());
  if (!claims) throw new AppError('UNAUTHENTICATED', '登录已过期，请重新登录');
  const account = await accountById(db, claims.sub);
  if (!account?.active || account.tokenVersion !== claims.ver)
    throw new AppError('UNAUTHENTICATED', '登录已失效，请重新登录');
  return callerOf(account);
}

export function envOf(event: HttpEvent): string {
  return process.env.TCB_ENV || process.env.SCF_NAMESPACE || event.requestContext?.envId || 'unknown';
}
