import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { newAccount } from '../cloudfunctions/admin/accounts';
import { usernameKey } from '../cloudfunctions/repositories/accounts';
import { type LocalCloud, PortInUseError, startLocalCloud, stopOnSignals } from '../local/index';
import { PASSWORD_RULES, passwordProblem } from '../typings/passwords';
import { seedDemo } from './demo';

/** The admin function signs its tokens with this; kept in the data dir when the environment has none. */
function tokenSecret(dataDir: string): string {
  if (process.env.LEADPOOL_TOKEN_SECRET) return process.env.LEADPOOL_TOKEN_SECRET;
  const file = path.join(dataDir, 'token-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * Accounts made before usernames were case-insensitive have no `usernameKey`: give them one.
 * Answers a note for each that clashes in case with another and was left as it is.
 */
function keyUsernames(store: LocalCloud['store']): string[] {
  const accounts = store.find(store.main, 'accounts', { filter: {}, limit: 10_000 });
  const taken = new Set(accounts.map((a) => a.usernameKey).filter(Boolean));
  const notes: string[] = [];
  for (const account of accounts) {
    if (account.usernameKey) continue;
    const key = usernameKey(String(account.username));
    if (taken.has(key)) {
      notes.push(`  账号 ${account.username} 与另一账号仅大小写不同，已无法登录：请在“账号”页另建账号`);
      continue;
    }
    taken.add(key);
    store.replace(store.main, 'accounts', { ...account, usernameKey: key });
  }
  return notes;
}

/**
 * `npm start`: the local cloud (local/, which knows nothing of LeadPool) with this project's
 * functions, schema and admin page, its first admin account and its demo data.
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const port = process.env.PORT ? Number(process.env.PORT) : 3000;
  const dataDir = path.resolve(process.env.LEADPOOL_DATA_DIR ?? path.join(root, '.data'));
  const fresh = !fs.existsSync(path.join(dataDir, 'db', 'database.sqlite'));
  // Functions read their environment when their worker starts: set it before any runs.
  process.env.LEADPOOL_TOKEN_SECRET = tokenSecret(dataDir);
  const cloud = await startLocalCloud({
    envId: 'leadpool-local',
    port,
    dataDir,
    functionsDir: path.join(root, 'cloudfunctions'),
    schemaFile: path.join(root, 'cloudfunctions', 'database.schema.json'),
    adminDir: path.join(root, 'admin', 'dist'),
    httpRoutes: { '/admin-api': 'admin', '/wecom/callback': 'wecom' },
  });
  // WeCom's API is the local cloud's fake unless the environment names another. Set before any
  // function runs (a worker reads the environment when it starts), once the port is known.
  process.env.LEADPOOL_WECOM_API_BASE ??= `${cloud.url}/__local/wecom`;
  const notes: string[] = [];
  notes.push(...keyUsernames(cloud.store));
  if (cloud.store.count(cloud.store.main, 'accounts', { usernameKey: 'admin' }) === 0) {
    const given = process.env.LEADPOOL_ADMIN_PASSWORD;
    const problem = given ? passwordProblem(given, 'admin') : null;
    if (problem) {
      console.error(
        `LEADPOOL_ADMIN_PASSWORD 不能用作管理员 admin 的密码：${problem}。\n密码要求：${PASSWORD_RULES}。请换一个后重新启动（或不设置它，由本地云生成随机密码）。`,
      );
      await cloud.close();
      process.exit(1);
    }
    const password = given || crypto.randomBytes(9).toString('base64url');
    cloud.store.insert(cloud.store.main, 'accounts', [
      newAccount({ username: 'admin', password, role: 'admin' }, new Date()) as never,
    ]);
    notes.push(
      given
        ? '  已创建管理员账号 admin（密码取自 LEADPOOL_ADMIN_PASSWORD）'
        : `  已创建管理员账号 admin，初始密码 ${password}（只显示这一次，请登录后在“账号”页修改）`,
    );
  }
  if (fresh && process.env.LEADPOOL_DEMO !== '0') {
    const seeded = seedDemo(cloud.store, { envId: cloud.envId });
    notes.push(
      `  已写入演示数据：${seeded.customers} 位顾客、${seeded.leads} 条线索、${seeded.activities} 个活动、${seeded.staff} 名员工（LEADPOOL_DEMO=0 可跳过）`,
    );
  }
  const functions = cloud.functions.list().map((fn) => fn.name);
  console.log(
    [
      `LeadPool 本地云已启动 (env ${cloud.envId}, 数据目录 ${dataDir})`,
      `  管理后台      ${cloud.url}/admin/`,
      `  云函数调用    POST ${cloud.url}/api/functions/<name>  (请求头 x-wx-openid 指定调用者)`,
      `  管理 API      ${cloud.url}/admin-api/`,
      `  SDK 接入点    ${cloud.url}/admin  (TCB_CONTEXT_CNFG；须用 ${path.join(dataDir, 'local-secret.json')} 的密钥签名)`,
      `  状态          ${cloud.url}/__local/health`,
      `  企业微信回调  ${cloud.url}/wecom/callback  (假企业微信 ${cloud.url}/__local/wecom，先 POST /__local/wecom/config)`,
      `  云函数        ${functions.join(', ') || '（无）'}`,
      ...notes,
      '按 Ctrl-C 停止。',
    ].join('\n'),
  );
  stopOnSignals(cloud);
}

main().catch((error: Error) => {
  console.error(
    error instanceof PortInUseError
      ? `${error.message}（PORT=<其他端口> npm start）`
      : `本地云启动失败: ${error.stack ?? error.message}`,
  );
  process.exit(1);
});
