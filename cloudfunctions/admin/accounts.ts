import {
  type AccountView,
  type Lookups,
  permissionsOf,
  adminRequestSchemas as schemas,
} from '../../typings/admin';
import { passwordProblem } from '../../typings/passwords';
import { CHANNEL_TYPE_LABELS } from '../../typings/pipeline';
import {
  type AccountDoc,
  accountById,
  accountByUsername,
  bumpTokenVersion,
  claimLoginAttempt,
  claimLoginSlot,
  clearLoginLocks,
  forgetLoginAttempts,
  insertAccount,
  listAccounts,
  loginLocks,
  returnLoginSlot,
  updateAccount,
  usernameKey,
} from '../repositories/accounts';
import type { ActivityDoc } from '../repositories/activities';
import { staffById } from '../repositories/codes';
import { leadRange } from '../repositories/leadQueries';
import { loadRules } from '../repositories/pipeline';
import { AppError, fieldError } from '../runtime/errors';
import { randomId } from '../runtime/store';
import {
  DUMMY_HASH,
  hashPassword,
  issueToken,
  LOCKOUT_MS,
  LOGINS_PER_ADDRESS_PER_MINUTE,
  MAX_FAILED_LOGINS,
  TOKEN_TTL_MS,
  tokenSecret,
  verifyPassword,
} from './auth';
import { type AdminContext, record, signedIn } from './context';
import { handle } from './http';
import { timePage } from './paging';
import type { StoreDoc } from './stores';

/**
 * One answer for an unknown username, a wrong password, a locked username and a deactivated
 * account, so that none of them can be told apart (each also spends one password hash).
 */
export const LOGIN_REFUSED = `用户名或密码错误，或账号暂不可登录（已停用，或连续输错 ${MAX_FAILED_LOGINS} 次后锁定 ${LOCKOUT_MS / 60_000} 分钟）`;
export const LOGIN_THROTTLED = '登录尝试过于频繁，请 1 分钟后再试';

/** An account as stored by the admin page, which also keeps a display name. */
type NamedAccount = AccountDoc & { displayName?: string | null };

function accountView(a: NamedAccount, lockedUntil: Date | undefined = undefined): AccountView {
  return {
    accountId: a._id,
    username: a.username,
    displayName: a.displayName ?? null,
    role: a.role,
    staffId: a.staffId,
    active: a.active,
    lockedUntil: lockedUntil ? lockedUntil.toISOString() : null,
    lastLoginAt: a.lastLoginAt ? new Date(a.lastLoginAt).toISOString() : null,
    createdAt: new Date(a.createdAt).toISOString(),
  };
}

/**
 * A new account document (also used by the local cloud and deploy to create the first `admin`).
 * Throws when the password breaks the policy: the admin API has refused such input already, so
 * this only stops a weak password given through the environment.
 */
export function newAccount(
  input: { username: string; password: string; role: AccountDoc['role']; staffId?: string | null },
  now: Date,
): AccountDoc {
  const problem = passwordProblem(input.password, input.username);
  if (problem) throw new Error(`账号 ${input.username} 的密码不符合要求：${problem}`);
  return {
    _id: `acct-${randomId(9)}`,
    username: input.username,
    usernameKey: usernameKey(input.username),
    passwordHash: hashPassword(input.password),
    role: input.role,
    staffId: input.staffId ?? null,
    active: true,
    tokenVersion: 1,
    lastLoginAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

async function assertStaffExists(ctx: AdminContext, staffId: string | null | undefined) {
  if (staffId && !(await staffById(ctx.db, staffId))) throw fieldError('staffId', '没有这个员工');
}

export const accountHandlers = {
  'POST /login': handle(schemas.login, async ({ username, password }, ctx: AdminContext) => {
    const { db, now, clientAddress } = ctx;
    // The address's budget first: a burst from one place is turned away before any hashing.
    const slot = await claimLoginSlot(db, clientAddress, LOGINS_PER_ADDRESS_PER_MINUTE, now);
    if (!slot) throw new AppError('RATE_LIMITED', LOGIN_THROTTLED);
    // Counted before the password is looked at, so parallel guesses cannot outrun the lock. Per
    // address too: someone guessing elsewhere cannot lock the real admin out.
    const key = usernameKey(username);
    const counted = await claimLoginAttempt(db, key, clientAddress, MAX_FAILED_LOGINS, LOCKOUT_MS, now);
    const account = await accountByUsername(db, key);
    const matches = verifyPassword(password, counted && account ? account.passwordHash : DUMMY_HASH);
    if (!counted || !account?.active || !matches) {
      const reason = !counted ? 'locked' : !account ? 'unknown' : !matches ? 'wrong' : 'inactive';
      await record(ctx, 'login.failed', account?.username ?? key, { reason, address: clientAddress });
      throw new AppError('UNAUTHENTICATED', LOGIN_REFUSED);
    }
    await Promise.all([
      forgetLoginAttempts(db, key, clientAddress),
      returnLoginSlot(db, slot),
      updateAccount(db, account._id, { lastLoginAt: now }),
    ]);
    const expiresAt = now.getTime() + TOKEN_TTL_MS;
    const token = issueToken(
      { sub: account._id, role: account.role, ver: account.tokenVersion, exp: expiresAt },
      tokenSecret(),
    );
    await record({ ...ctx, caller: accountCaller(account) }, 'login', account.username, {
      address: clientAddress,
    });
    return {
      token,
      role: account.role,
      expiresAt: new Date(expiresAt).toISOString(),
      username: account.username,
      staffId: account.staffId,
    };
  }),

  'POST /logout': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const caller = signedIn(ctx);
    await bumpTokenVersion(ctx.db, caller.accountId, ctx.now);
    await record(ctx, 'logout', caller.username);
    return { loggedOut: true };
  }),

  'GET /me': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const caller = signedIn(ctx);
    return { ...caller, permissions: permissionsOf(caller.role) };
  }),

  'GET /lookups': handle(schemas.empty, async (_input, ctx: AdminContext): Promise<Lookups> => {
    const [stores, channels, staff, activities, rules] = await Promise.all([
      ctx.db.collection('stores').where({ active: true }).limit(1000).get(),
      ctx.db.collection('channels').limit(1000).get(),
      ctx.db.collection('staff').limit(1000).get(),
      ctx.db.collection('activities').limit(1000).get(),
      loadRules(ctx.db),
    ]);
    return {
      stores: (stores.data as StoreDoc[])
        .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
        .map((s) => ({ storeId: s._id, name: s.name, city: s.city, region: s.region })),
      channels: [
        { channelId: 'organic', name: CHANNEL_TYPE_LABELS.organic, type: 'organic' },
        { channelId: 'referral', name: CHANNEL_TYPE_LABELS.referral, type: 'referral' },
        ...channels.data.map((c: any) => ({ channelId: c._id, name: c.name, type: c.type })),
        ...staff.data.map((s: any) => ({
          channelId: `staff:${s._id}`,
          name: `导购·${s.name}`,
          type: 'staff',
        })),
      ],
      staff: staff.data.map((s: any) => ({
        staffId: s._id,
        name: s.name,
        store: s.store,
        role: s.role,
        active: s.active,
      })),
      activities: activities.data
        .sort((a: any, b: any) => new Date(b.startAt).getTime() - new Date(a.startAt).getTime())
        .map((a: any) => ({ activityId: a._id, title: a.title, status: a.status })),
      answerLabels: Object.fromEntries(
        (activities.data as ActivityDoc[]).flatMap((a) =>
          [...(a.retiredFields ?? []), ...(a.customFields ?? [])].map((f) => [f.id, f.label]),
        ),
      ),
      tags: [
        ...new Set(
          rules
            .filter((r) => r.kind === 'tag' && r.tag)
            .map((r) => (r.group ? `${r.group}:${r.tag}` : r.tag)),
        ),
      ].sort(),
    };
  }),

  'GET /accounts': handle(schemas.empty, async (_input, ctx: AdminContext) => {
    const [accounts, locks] = await Promise.all([
      listAccounts(ctx.db),
      loginLocks(ctx.db, MAX_FAILED_LOGINS, ctx.now),
    ]);
    return {
      items: accounts.map((a) => accountView(a, locks.get(a.usernameKey ?? usernameKey(a.username)))),
    };
  }),

  'POST /accounts': handle(schemas.account, async (input, ctx: AdminContext) => {
    await assertStaffExists(ctx, input.staffId);
    if (input.role === 'sales' && !input.staffId) throw fieldError('staffId', '销售账号需要关联一名员工');
    const account: NamedAccount = { ...newAccount(input, ctx.now), displayName: input.displayName ?? null };
    if (!(await insertAccount(ctx.db, account)))
      throw fieldError('username', '用户名已存在（用户名不区分大小写）');
    await record(ctx, 'account.create', account.username, { role: account.role });
    return accountView(account);
  }),

  'PATCH /accounts/:id': handle(schemas.accountEdit, async (input, ctx: AdminContext, { id }) => {
    const account = await accountById(ctx.db, id);
    if (!account) throw new AppError('NOT_FOUND', '没有这个账号');
    await assertStaffExists(ctx, input.staffId);
    if (
      account._id === signedIn(ctx).accountId &&
      (input.active === false || (input.role && input.role !== 'admin'))
    )
      throw fieldError('role', '不能停用自己或取消自己的管理员角色');
    const role = input.role ?? account.role;
    const staffId = input.staffId === undefined ? account.staffId : input.staffId;
    // Only a change of role or link is held to it: a password reset never fails on an old account.
    if ((input.role || input.staffId !== undefined) && role === 'sales' && !staffId)
      throw fieldError('staffId', '销售账号需要关联一名员工');
    const changes: Record<string, unknown> = { updatedAt: ctx.now };
    if (input.role) changes.role = input.role;
    if (input.displayName !== undefined) changes.displayName = input.displayName;
    if (input.active !== undefined) changes.active = input.active;
    if (input.staffId !== undefined) changes.staffId = input.staffId;
    if (input.password) {
      const problem = passwordProblem(input.password, account.username);
      if (problem) throw fieldError('password', problem);
      changes.passwordHash = hashPassword(input.password);
    }
    // A new password, role or deactivation ends the account's sessions.
    if (input.password || input.role || input.active === false)
      changes.tokenVersion = account.tokenVersion + 1;
    await updateAccount(ctx.db, id, changes);
    // A new password set by an admin lifts the account's sign-in locks from every address.
    if (input.password) await clearLoginLocks(ctx.db, account.usernameKey ?? usernameKey(account.username));
    await record(ctx, 'account.update', account.username, {
      role: input.role,
      active: input.active,
      passwordChanged: Boolean(input.password),
    });
    return accountView({ ...account, ...changes } as AccountDoc);
  }),

  'GET /audit': handle(schemas.auditList, async (input, ctx: AdminContext) => {
    // One equality at most beside the time (actor_at, action_at, subject_at serve each).
    const _ = ctx.db.command;
    const { from, to } = leadRange(input);
    const where: Record<string, unknown> = {
      ...(input.actor ? { actor: input.actor } : {}),
      ...(input.action ? { action: input.action } : {}),
      ...(input.subject ? { subject: input.subject } : {}),
      ...(from || to ? { at: _.and([...(from ? [_.gte(from)] : []), ...(to ? [_.lt(to)] : [])]) } : {}),
    };
    const { items, nextCursor } = await timePage<any>(ctx.db, 'audit', where, 'at', input.cursor, 100);
    return {
      items: items.map((a) => ({
        auditId: a._id,
        actor: a.actor,
        action: a.action,
        subject: a.subject,
        detail: a.detail ?? {},
        at: new Date(a.at).toISOString(),
      })),
      nextCursor,
    };
  }),
};

function accountCaller(account: AccountDoc) {
  return { accountId: account._id, username: account.username, role: account.role, staffId: account.staffId };
}
