// Signing in to the admin API through the local cloud's /admin-api (CloudBase HTTP access): the
// lock counted before the password under a parallel burst, per username and client address, the
// per-address throttle, one answer for every refusal, case-insensitive usernames and the password
// policy on every way a password is set.
import http from 'node:http';
import { LOGIN_REFUSED, LOGIN_THROTTLED } from '../../cloudfunctions/admin/accounts';
import { LOGINS_PER_ADDRESS_PER_MINUTE, MAX_FAILED_LOGINS } from '../../cloudfunctions/admin/auth';
import { type AdminCloud, ensureAccount, PASSWORD, startAdminCloud } from './admin-cloud';
import { clearAll } from './project-cloud';

let cloud: AdminCloud;
let db: any;
let admin: string;

beforeAll(async () => {
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  admin = await cloud.login('boss', 'admin');
});

interface Answer {
  status: number;
  body: any;
  ms: number;
}

/**
 * A request from another client address: every 127.x.x.x is this machine, so binding the socket
 * to one makes the local cloud's gateway see that address.
 */
function apiFrom(
  address: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const url = new URL(`${cloud.cloud.url}/admin-api${path}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        localAddress: address,
        agent: false,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const login = (address: string, username: string, password: string, headers?: Record<string, string>) =>
  apiFrom(address, 'POST', '/login', { username, password }, headers);

const refused = { code: 'UNAUTHENTICATED', message: LOGIN_REFUSED };

/** What the audit log says about failed sign-ins: `wrong` is a password actually compared. */
async function failures(reason?: string): Promise<any[]> {
  const { data } = await db.collection('audit').where({ action: 'login.failed' }).limit(1000).get();
  return data.filter((a: any) => !reason || a.detail.reason === reason);
}

/** A minute later: the per-address throttle's counters of this minute are gone. */
const nextMinute = () =>
  db
    .collection('rateLimits')
    .where({ _id: db.command.exists(true) })
    .remove();

describe('lockout', () => {
  test('150 parallel guesses from one address evaluate at most 5 passwords; the right one among them is refused', async () => {
    const guesses = Array.from({ length: 149 }, (_, i) => `wrong-guess-${i}`);
    const answers = await Promise.all(
      [...guesses, PASSWORD].map((password) => login('127.0.0.1', 'boss', password)),
    );
    expect(answers.filter((a) => a.status === 200)).toEqual([]);
    for (const a of answers) {
      if (a.status === 429) expect(a.body.error).toEqual({ code: 'RATE_LIMITED', message: LOGIN_THROTTLED });
      else expect({ status: a.status, error: a.body.error }).toEqual({ status: 401, error: refused });
    }
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(LOGINS_PER_ADDRESS_PER_MINUTE);
    expect((await failures('wrong')).length).toBe(MAX_FAILED_LOGINS);

    // Still locked a minute later, even with the right password, and with made-up forwarding headers.
    await nextMinute();
    expect((await login('127.0.0.1', 'boss', PASSWORD)).body.error).toEqual(refused);
    const spoofed = await login('127.0.0.1', 'boss', PASSWORD, {
      'x-forwarded-for': '10.1.2.3',
      'x-real-ip': '10.1.2.3',
    });
    expect(spoofed.body.error).toEqual(refused);
    expect((await failures('wrong')).length).toBe(MAX_FAILED_LOGINS);

    // The real admin elsewhere is not locked out.
    const elsewhere = await login('127.0.0.2', 'boss', PASSWORD);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.data).toMatchObject({ role: 'admin', username: 'boss' });
  }, 90_000);

  test('five wrong passwords lock that username from that address for 15 minutes; then the right one works', async () => {
    for (let i = 0; i < MAX_FAILED_LOGINS; i += 1)
      expect((await login('127.0.0.3', 'boss', `nope-${i}-nope`)).body.error).toEqual(refused);
    expect((await login('127.0.0.3', 'boss', PASSWORD)).body.error).toEqual(refused);
    expect((await failures('locked')).length).toBe(1);
    // Another username from the same address is not locked.
    await ensureAccount(db, 'vera', 'viewer');
    expect((await login('127.0.0.3', 'vera', PASSWORD)).status).toBe(200);

    // The admin's accounts list shows the lock.
    const list = await cloud.api('GET', '/accounts', undefined, admin);
    const boss = list.body.data.items.find((a: any) => a.username === 'boss');
    expect(Date.parse(boss.lockedUntil) - Date.now()).toBeGreaterThan(14 * 60_000);

    // Fifteen minutes later (the window moved into the past) the right password works and the count starts over.
    await db
      .collection('loginAttempts')
      .where({ account: 'boss' })
      .update({ data: { until: new Date(Date.now() - 1000) } });
    expect((await login('127.0.0.3', 'boss', PASSWORD)).status).toBe(200);
    expect(
      (await db.collection('loginAttempts').where({ account: 'boss', address: '127.0.0.3' }).get()).data,
    ).toEqual([]);
  });

  test('an admin setting a new password lifts the locks', async () => {
    const vera = await ensureAccount(db, 'vera', 'viewer');
    for (let i = 0; i < MAX_FAILED_LOGINS; i += 1) await login('127.0.0.3', 'vera', `nope-${i}-nope`);
    expect((await login('127.0.0.3', 'vera', PASSWORD)).body.error).toEqual(refused);
    const reset = await cloud.api('PATCH', `/accounts/${vera}`, { password: 'a brand new secret' }, admin);
    expect(reset.status).toBe(200);
    expect((await login('127.0.0.3', 'vera', 'a brand new secret')).status).toBe(200);
  });

  test('unknown user, wrong password, locked and deactivated get one answer and spend similar time', async () => {
    const dora = await ensureAccount(db, 'dora', 'viewer');
    await db
      .collection('accounts')
      .doc(dora)
      .update({ data: { active: false } });
    await ensureAccount(db, 'locky', 'viewer');
    for (let i = 0; i < MAX_FAILED_LOGINS; i += 1) await login('127.0.0.4', 'locky', `nope-${i}-nope`);
    const cases = {
      unknown: () => login('127.0.0.4', 'nobody-here', PASSWORD),
      wrong: () => login('127.0.0.4', 'boss', 'not the password'),
      locked: () => login('127.0.0.4', 'locky', PASSWORD),
      deactivated: () => login('127.0.0.4', 'dora', PASSWORD),
    };
    const fastest: Record<string, number> = {};
    for (const [name, attempt] of Object.entries(cases)) {
      for (let i = 0; i < 3; i += 1) {
        const a = await attempt();
        expect({ name, status: a.status, error: a.body.error }).toEqual({
          name,
          status: 401,
          error: refused,
        });
        fastest[name] = Math.min(fastest[name] ?? Number.POSITIVE_INFINITY, a.ms);
      }
    }
    // Each refusal hashes a password: none answers in a fraction of the time of a wrong password.
    for (const name of ['unknown', 'locked', 'deactivated'])
      expect(fastest[name]).toBeGreaterThan(fastest.wrong * 0.4);
    const reasons = (await failures()).map((a) => a.detail.reason);
    expect(new Set(reasons)).toEqual(new Set(['unknown', 'wrong', 'locked', 'inactive']));
  });

  test('one address may try 20 sign-ins a minute across all usernames; successful ones do not count', async () => {
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => login('127.0.0.5', `sprayed-${i}`, 'some password here')),
    );
    expect(answers.filter((a) => a.status === 401)).toHaveLength(LOGINS_PER_ADDRESS_PER_MINUTE);
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled).toHaveLength(25 - LOGINS_PER_ADDRESS_PER_MINUTE);
    expect(throttled[0].body.error).toEqual({
      code: 'RATE_LIMITED',
      message: '登录尝试过于频繁，请 1 分钟后再试',
    });
    // Other addresses are not throttled; an office signing in many times is not either.
    for (let i = 0; i < 25; i += 1) expect((await login('127.0.0.6', 'boss', PASSWORD)).status).toBe(200);
  });
});

describe('usernames are case-insensitive', () => {
  test('Mia.Chen signs in as mia.chen or MIA.CHEN; MIA.chen cannot be created beside it', async () => {
    const created = await cloud.api(
      'POST',
      '/accounts',
      { username: 'Mia.Chen', password: 'plum blossom 2026', role: 'marketing' },
      admin,
    );
    expect(created.status).toBe(200);
    expect(created.body.data.username).toBe('Mia.Chen');
    for (const username of ['mia.chen', 'MIA.CHEN', 'Mia.Chen']) {
      const res = await login('127.0.0.1', username, 'plum blossom 2026');
      expect(res.status).toBe(200);
      expect(res.body.data.username).toBe('Mia.Chen');
    }
    const clash = await cloud.api(
      'POST',
      '/accounts',
      { username: 'MIA.chen', password: 'another good secret', role: 'viewer' },
      admin,
    );
    expect(clash.status).toBe(400);
    expect(clash.body.error).toMatchObject({
      code: 'INVALID_INPUT',
      fields: [{ path: 'username', message: '用户名已存在（用户名不区分大小写）' }],
    });
    expect((await db.collection('accounts').where({ usernameKey: 'mia.chen' }).count()).total).toBe(1);

    // Guesses in different cases count against the same lock.
    for (const username of ['MIA.CHEN', 'mia.chen', 'Mia.chen', 'mIa.cHeN', 'MIA.chen'])
      await login('127.0.0.7', username, 'wrong wrong wrong');
    expect((await login('127.0.0.7', 'mia.chen', 'plum blossom 2026')).body.error).toEqual(refused);
  });
});

describe('password policy', () => {
  const create = (password: string, username = 'newbie') =>
    cloud.api('POST', '/accounts', { username, password, role: 'viewer' }, admin);
  const passwordError = (res: { body: any }) =>
    res.body.error?.fields?.find((f: any) => f.path === 'password')?.message;

  test('new accounts need at least 10 characters, not a common password, not the username', async () => {
    const short = await create('12345678');
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('INVALID_INPUT');
    expect(passwordError(short)).toBe('密码至少 10 个字符');
    expect(passwordError(await create('abcdefg12'))).toBe('密码至少 10 个字符');
    for (const common of [
      'password123',
      '1234567890',
      'qwertyuiop',
      'admin12345',
      'P@ssw0rd2024!',
      'woaini1314',
    ])
      expect([common, passwordError(await create(common))]).toEqual([
        common,
        '这个密码太常见，容易被猜中，请换一个',
      ]);
    expect(passwordError(await create('newbie-2026-spring'))).toBe('密码不能包含用户名');
    expect((await db.collection('accounts').count()).total).toBe(1);
    expect((await create('plum blossom 2026')).status).toBe(200);
  });

  test('a password reset is held to the same rules', async () => {
    const { body } = await create('plum blossom 2026');
    const id = body.data.accountId;
    for (const [password, message] of [
      ['123456789', '密码至少 10 个字符'],
      ['qwerty123456', '这个密码太常见，容易被猜中，请换一个'],
      ['newbie-newbie-1', '密码不能包含用户名'],
    ]) {
      const res = await cloud.api('PATCH', `/accounts/${id}`, { password }, admin);
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual([{ path: 'password', message }]);
    }
    expect((await login('127.0.0.1', 'newbie', 'plum blossom 2026')).status).toBe(200);
  });
});
