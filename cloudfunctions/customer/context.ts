import { type Caller, callerContext, type Database, database } from '../runtime/cloud';
import { AppError } from '../runtime/errors';

/** What every customer action works with: the caller (always identified) and the database. */
export interface CustomerContext {
  db: Database;
  caller: Caller & { openid: string };
  now: Date;
}

export async function establishCustomer(): Promise<CustomerContext> {
  const caller = callerContext();
  if (!caller.openid) throw new AppError('UNAUTHENTICATED');
  return { db: database(), caller: { ...caller, openid: caller.openid }, now: new Date() };
}
