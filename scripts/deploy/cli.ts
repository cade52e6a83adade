import { spawnSync } from 'node:child_process';
import path from 'node:path';
import CloudBase from '@cloudbase/manager-node';
import tcb from '@cloudbase/node-sdk';
import { ENV_FILES, type Env, loadEnv } from './env';
import { applyPlan, type DataPort, discover, type ManagerPort, reapplyVariables } from './execute';
import { formatPlan } from './format';
import { buildPlan, devtoolsUploads, httpPathOf, PlanError, WECOM_FUNCTION } from './plan';
import { type Addresses, addressesFromEnv, preflight, targetEnvId } from './settings';

/**
 * `npm run deploy [-- --dry-run] [-- --no-env-file]`: builds, prints the plan, and (without
 * --dry-run) applies it to the CloudBase environment named by LEADPOOL_ENV_ID with the API key in
 * TENCENTCLOUD_SECRETID / TENCENTCLOUD_SECRETKEY.
 * `-- --variables-only`: after uploading functions from WeChat DevTools, checks every function's
 * environment variables and sets again those the upload replaced.
 * `-- --build-admin`: builds the admin page for VITE_ADMIN_API_BASE (the tcb framework's build
 * command, which cannot ask CloudBase for the HTTP access domain).
 */
const root = path.resolve(__dirname, '..', '..');

/** Rebuilds with the admin page pointed at `apiBase` (scripts/build.mjs skips what is current). */
function build(apiBase: string): void {
  const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    env: { ...process.env, VITE_ADMIN_API_BASE: apiBase },
    stdio: 'inherit',
  });
  if (run.status !== 0) throw new Error(`构建失败（退出码 ${run.status}）`);
}

function nodeSdkData(env: Env, envId: string): DataPort {
  const app = tcb.init({
    env: envId,
    secretId: env.TENCENTCLOUD_SECRETID,
    secretKey: env.TENCENTCLOUD_SECRETKEY,
    sessionToken: env.TENCENTCLOUD_SESSIONTOKEN || undefined,
    region: env.TENCENTCLOUD_REGION || undefined,
  });
  const db = app.database();
  return {
    async count(collection, where) {
      const { total } = await db.collection(collection).where(where).count();
      return Number(total ?? 0);
    },
    async exists(collection, id) {
      const { data } = await db.collection(collection).doc(id).get();
      return Array.isArray(data) ? data.length > 0 : Boolean(data);
    },
    async insert(collection, doc) {
      await db.collection(collection).add(doc);
    },
  };
}

/** The environment with the addresses CloudBase gave filled in (they become function variables). */
function withAddresses(env: Env, addresses: Addresses): Env {
  return { ...env, VITE_ADMIN_API_BASE: addresses.apiBase, LEADPOOL_ADMIN_ORIGIN: addresses.adminOrigin };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const env = loadEnv(root, process.env, args.includes('--no-env-file') ? [] : ENV_FILES);
  const fixed = addressesFromEnv(env);

  if (args.includes('--build-admin')) {
    if (!fixed.apiBase) {
      console.error(
        '没有 VITE_ADMIN_API_BASE：tcb 构建管理后台时查不到 HTTP 访问服务的域名。在 .env 写 VITE_ADMIN_API_BASE=https://<域名>/admin-api，或改用 npm run deploy（它会查询默认域名）。',
      );
      return 1;
    }
    build(fixed.apiBase);
    return 0;
  }

  if (dryRun) {
    if (fixed.apiBase) build(fixed.apiBase);
    const plan = buildPlan(root);
    console.log(formatPlan(plan, env, preflight(plan, env), { dryRun: true }));
    return 0;
  }

  const draft = buildPlan(root);
  const checks = preflight(draft, env);
  if (checks.errors.length) {
    console.log(formatPlan(draft, env, checks, { dryRun: false }));
    console.error('\n部署没有开始：先处理上面标 ✗ 的项（npm run deploy -- --dry-run 只看计划）。');
    return 1;
  }
  const envId = targetEnvId(draft, env);
  const manager = new CloudBase({
    secretId: env.TENCENTCLOUD_SECRETID,
    secretKey: env.TENCENTCLOUD_SECRETKEY,
    token: env.TENCENTCLOUD_SESSIONTOKEN || undefined,
    envId,
    region: env.TENCENTCLOUD_REGION || undefined,
  });
  const port: ManagerPort = manager;
  const log = (line: string) => console.log(line);

  log(`连接 CloudBase 环境 ${envId}…`);
  const addresses = await discover(port, draft, env, { log });
  if (args.includes('--variables-only')) {
    log('检查各云函数的环境变量（开发者工具上传之后）');
    const restored = await reapplyVariables(draft, port, withAddresses(env, addresses), log);
    log(restored.length ? `已重新设置：${restored.join('、')}` : '各函数的环境变量都完好，未改动');
    return 0;
  }
  build(addresses.apiBase);
  const plan = buildPlan(root);
  const deployEnv = withAddresses(env, addresses);
  console.log(formatPlan(plan, deployEnv, preflight(plan, deployEnv), { dryRun: false }));
  console.log('');

  const result = await applyPlan(
    plan,
    { manager: port, data: nodeSdkData(env, envId) },
    {
      root,
      envId,
      stageDir: path.join(root, 'build', 'deploy', 'functions'),
      env: deployEnv,
      addresses,
      log,
    },
  );

  console.log(
    [
      '',
      `部署完成（环境 ${envId}）`,
      `  管理后台    ${result.adminUrl}`,
      `  管理 API    ${addresses.apiBase}`,
      ...(httpPathOf(plan, WECOM_FUNCTION)
        ? [
            `  企业微信回调 ${new URL(addresses.apiBase).origin}${httpPathOf(plan, WECOM_FUNCTION)}（填在企业微信自建应用的接收消息 URL）`,
          ]
        : []),
      result.adminPassword
        ? `  管理员账号 admin，初始密码 ${result.adminPassword}（只显示这一次，请登录后在“账号”页修改）`
        : result.adminCreated
          ? '  管理员账号 admin 已创建（密码取自 LEADPOOL_ADMIN_PASSWORD）'
          : '  管理员账号 admin 已存在，密码未改动',
      ...(result.runtimeConflicts.length
        ? [
            `  注意：这些函数已有别的运行时，CloudBase 只在创建时设定运行时：${result.runtimeConflicts.join('、')}（要换就先在控制台删除该函数再部署）`,
          ]
        : []),
      ...(result.indexConflicts.length
        ? [
            `  注意：这些索引同名但定义不同，未改动：${result.indexConflicts.join('、')}（确认后在控制台删除旧索引再部署）`,
          ]
        : []),
      ...(result.filesRemoved.length
        ? [`  静态托管：删除了旧版本留下的 ${result.filesRemoved.length} 个文件`]
        : []),
      ...(devtoolsUploads(plan).length
        ? [
            `  下一步：在微信开发者工具里上传 ${devtoolsUploads(plan)
              .map((fn) => fn.name)
              .join(
                '、',
              )}（右键 → 上传并部署：云端安装依赖）登记云调用权限，然后运行 npm run deploy -- --variables-only`,
          ]
        : []),
      '  然后：微信公众平台填写用户隐私保护指引，在微信开发者工具上传小程序（README：部署到 CloudBase）。',
    ].join('\n'),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof PlanError) console.error(error.message);
    else {
      const message = (error as { message?: unknown } | null)?.message;
      console.error(`部署失败：${typeof message === 'string' ? message : String(error)}`);
      console.error('每一步都可以重复执行：处理原因后重新运行 npm run deploy 即可接着完成。');
    }
    process.exit(1);
  },
);
