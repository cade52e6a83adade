import {
  type AccountView,
  type Lookups,
  permissionsOf,
  adminRequestSchemas as schemas,
} from '../../typings/admin';
import { CHANNEL_TYPE_LABELS } from '../../typings/pipeline';
import {
  type AccountDoc,
  accountById,
  accountByUsername,
  bumpTokenVersion,
  insertAccount,
  listAccounts,
  recordFailedLogin,
  updateAccount,
} from '../repositories/accounts';
import { staffById } from '../repositories/codes';
import { loadRules } from '../repositories/pipeline';
import { AppError, fieldError } from '../runtime/errors';
import { randomId } from '../runtime/store';
import {
  DUMMY_HASH,
  hashPassword,
  issueToken,
  LOCKOUT_MS,
  MAX_FAILED_LOGINS,
  TOKEN_TTL_MS,
  tokenSecret,
  verifyPassword,
} from './auth';
import { type AdminContext, record, signedIn } from './context';
import { handle } from './http';
import { timePage } from './paging';

const WRONG = '用户名或密码错误';

function accountView(a: AccountDoc): AccountView {
  return {
    accountId: a._id,
    username: a.username,
    role: a.role,
    staffId: a.staffId,
    active: a.active,
    lockedUntil: a.lockedUntil ? new Date(a.lockedUntil).toISOString() : null,
    lastLoginAt: a.lastLoginAt ? new Date(a.lastLoginAt).toISOString() : null,
    createdAt: new Date(a.createdAt).toISOString(),
  };
}

/** A new account document (also used by the local cloud to create the first `admin`). */
export function newAccount(
  input: { username: string; password: string; role: AccountDoc['role']; staffId?: string | null },
  now: Date,
): AccountDoc {
  return {
    _id: `acct-${randomId(9)}`,
    username: input.username,
    passwordHash: hashPassword(input.password),
    role: input.role,
    staffId: input.staffId ?? null,
    active: true,
    tokenVersion: 1,
    failedLogins: 0,
    lockedUntil: null,
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
    const account = await accountByUsername(ctx.db, username);
    if (!account) {
      verifyPassword(password, DUMMY_HASH);
      throw new AppError('UNAUTHENTICATED', WRONG);
    }
    const lockedUntil = account.lockedUntil ? new Date(account.lockedUntil).getTime() : 0;
    if (lockedUntil > ctx.now.getTime()) {
      const minutes = Math.ceil((lockedUntil - ctx.now.getTime()) / 60_000);
      throw new AppError('RATE_LIMITED', `登录失败次数过多，账号已锁定，请 ${minutes} 分钟后再试`);
    }
    if (!verifyPassword(password, account.passwordHash)) {
      const locked = await recordFailedLogin(
        ctx.db,
        account._id,
        MAX_FAILED_LOGINS,
        new Date(ctx.now.getTime() + LOCKOUT_MS),
        ctx.now,
      );
      await record(ctx, 'login.failed', account.username, { locked });
      if (locked)
        throw new AppError('RATE_LIMITED', `连续 ${MAX_FAILED_LOGINS} 次密码错误，账号已锁定 15 分钟`);
      throw new AppError('UNAUTHENTICATED', WRONG);
    }
    if (!account.active) throw new AppError('FORBIDDEN', '该账号已停用，请联系管理员');
    await updateAccount(ctx.db, account._id, { failedLogins: 0, lockedUntil: null, lastLoginAt: ctx.now });
    const expiresAt = ctx.now.getTime() + TOKEN_TTL_MS;
    const token = issueToken(
      { sub: account._id, role: account.role, ver: account.tokenVersion, exp: expiresAt },
      tokenSecret(),
    );
    await record({ ...ctx, caller: { ...accountCaller(account) } }, 'login', account.username);
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
    const [channels, staff, activities, rules] = await Promise.all([
      ctx.db.collection('channels').limit(1000).get(),
      ctx.db.collection('staff').limit(1000).get(),
      ctx.db.collection('activities').limit(1000).get(),
      loadRules(ctx.db),
    ]);
    return {
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
      tags: [
        ...new Set(
          rules
            .filter((r) => r.kind === 'tag' && r.tag)
            .map((r) => (r.group ? `${r.group}:${r.tag}` : r.tag)),
        ),
      ].sort(),
    };
  }),

  'GET /accounts': handle(schemas.empty, async (_input, ctx: AdminContext) => ({
    items: (await listAccounts(ctx.db)).map(accountView),
  })),

  'POST /accounts': handle(schemas.account, async (input, ctx: AdminContext) => {
    await assertStaffExists(ctx, input.staffId);
    if (input.role === 'sales' && !input.staffId) throw fieldError('staffId', '销售账号需要关联一名员工');
    const account = newAccount(input, ctx.now);
    if (!(await insertAccount(ctx.db, account))) throw fieldError('username', '用户名已存在');
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
    if (input.active !== undefined) changes.active = input.active;
    if (input.staffId !== undefined) changes.staffId = input.staffId;
    if (input.password)
      Object.assign(changes, {
        passwordHash: hashPassword(input.password),
        failedLogins: 0,
        lockedUntil: null,
      });
    // A new password, role or deactivation ends the account's sessions.
    if (input.password || input.role || input.active === false)
      changes.tokenVersion = account.tokenVersion + 1;
    await updateAccount(ctx.db, id, changes);
    await record(ctx, 'account.update', account.username, {
      role: input.role,
      active: input.active,
      passwordChanged: Boolean(input.password),
    });
    return accountView({ ...account, ...changes } as AccountDoc);
  }),

  'GET /audit': handle(schemas.auditList, async (input, ctx: AdminContext) => {
    const where: Record<string, unknown> = input.actor ? { actor: input.actor } : {};
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
