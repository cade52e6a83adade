import { passwordProblem } from '../../typings/passwords';
import { type Env, resolveTemplate, templateNames } from './env';
import type { DeployPlan } from './plan';

/**
 * The environment a deploy needs: the target (env id, Tencent Cloud API key), the admin function's
 * token secret, and the addresses the admin page and its API reach each other by. Which of them
 * are missing is checked before anything touches the network.
 */
export const API_PATH_NOTE = '部署时查询 HTTP 访问服务默认域名';
export const ORIGIN_NOTE = '部署时取静态网站托管的默认域名';

/** Names whose values are secret: the plan shows whether they are set, never what they are. */
export const SECRET_NAMES = [
  'TENCENTCLOUD_SECRETID',
  'TENCENTCLOUD_SECRETKEY',
  'TENCENTCLOUD_SESSIONTOKEN',
  'LEADPOOL_TOKEN_SECRET',
  'LEADPOOL_ADMIN_PASSWORD',
  'LEADPOOL_WECOM_ROBOT_KEY',
];

export interface Preflight {
  /** Each blocks a real deploy. */
  errors: string[];
  /** Each is worth reading; none blocks. */
  warnings: string[];
}

const set = (env: Env, name: string) => Boolean(env[name]?.trim());

export function targetEnvId(plan: DeployPlan, env: Env): string {
  return resolveTemplate(plan.envId, env).trim();
}

export function preflight(plan: DeployPlan, env: Env): Preflight {
  const errors: string[] = [];
  const warnings: string[] = [];
  const envId = targetEnvId(plan, env);
  if (!envId)
    errors.push(
      `环境 ID 未设置：在 .env 写 LEADPOOL_ENV_ID=<云开发环境 ID>（cloudbaserc.json envId = ${plan.envId}）`,
    );
  for (const name of ['TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY'])
    if (!set(env, name)) errors.push(`${name} 未设置：腾讯云访问管理 → API 密钥，写进 .env`);
  const usesTokenSecret = plan.functions.some((fn) =>
    fn.envVariables.some((v) => v.name === 'LEADPOOL_TOKEN_SECRET'),
  );
  if (usesTokenSecret && (env.LEADPOOL_TOKEN_SECRET ?? '').length < 16)
    errors.push(
      "LEADPOOL_TOKEN_SECRET 未设置或短于 16 个字符：管理后台的登录令牌用它签名（生成：node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"）",
    );
  const password = env.LEADPOOL_ADMIN_PASSWORD ?? '';
  const problem = password ? passwordProblem(password, plan.firstAdmin.username) : null;
  if (problem)
    errors.push(`LEADPOOL_ADMIN_PASSWORD 不能用作管理员 ${plan.firstAdmin.username} 的密码：${problem}`);

  const { appid, cloudEnv, localCloudEnabled } = plan.miniprogram;
  if (!appid || appid === 'touristappid')
    warnings.push('project.config.json 的 appid 还是 touristappid：上传小程序前换成你的 AppID');
  if (envId && cloudEnv !== null && cloudEnv !== envId)
    warnings.push(
      `miniprogram/config.ts 的 cloudEnv 是 '${cloudEnv}'，与部署的环境 ${envId} 不同：上传小程序前改成 '${envId}'`,
    );
  if (localCloudEnabled)
    warnings.push('miniprogram/config.ts 的 localCloud.enabled 是 true：上传小程序前改回 false');
  const onDefault = defaultDomainAddresses(env);
  if (onDefault.length)
    warnings.push(
      `${onDefault.join('、')} 用的是 CloudBase 默认域名：默认域名只供测试（有访问提示页、限速，可能被风控关停），正式上线请绑定已备案的自定义域名并在 .env 设置 VITE_ADMIN_API_BASE 和 LEADPOOL_ADMIN_ORIGIN（README：Production domains）`,
    );
  const emptyOnTcb = plan.functions
    .flatMap((fn) => fn.envVariables)
    .filter((v) => templateNames(v.template).some((name) => env[name] !== undefined && !env[name]?.trim()))
    .map((v) => v.name);
  if (emptyOnTcb.length)
    warnings.push(
      `${[...new Set(emptyOnTcb)].join('、')} 在 .env 里是空的：npm run deploy 不设置它们（函数用默认值），但 tcb fn deploy 会把空值原样设上（数字读成 0）；用 tcb 时请填上值或删掉这一行`,
    );
  return { errors, warnings };
}

/** Hosts CloudBase assigns (static hosting, HTTP access): for testing, not for a launch. */
const DEFAULT_DOMAIN = /(^|\.)(tcloudbaseapp\.com|tcloudbase\.com)$/i;

/** Which of the admin page's two addresses are (or, unset, will be) a CloudBase default domain. */
export function defaultDomainAddresses(env: Env): string[] {
  const { apiBase, adminOrigin } = addressesFromEnv(env);
  const isDefault = (address: string | null) => {
    if (!address) return true;
    try {
      return DEFAULT_DOMAIN.test(new URL(address).hostname);
    } catch {
      return false;
    }
  };
  return [
    ...(isDefault(apiBase) ? ['VITE_ADMIN_API_BASE'] : []),
    ...(isDefault(adminOrigin) ? ['LEADPOOL_ADMIN_ORIGIN'] : []),
  ];
}

/** Where the admin page calls its API, and the origin the API allows (CORS). */
export interface Addresses {
  apiBase: string;
  adminOrigin: string;
}

/** Fixed by the environment or known only after asking CloudBase (`null` in a dry run). */
export function addressesFromEnv(env: Env): { apiBase: string | null; adminOrigin: string | null } {
  return {
    apiBase: env.VITE_ADMIN_API_BASE?.trim() || null,
    adminOrigin: env.LEADPOOL_ADMIN_ORIGIN?.trim() || null,
  };
}

/**
 * Each function's environment variables with their values: cloudbaserc.json's templates filled
 * from the environment. Empty values are left out so the function keeps its built-in default
 * (an empty LEADPOOL_CONFIG_CACHE_MS would read as 0).
 */
export function functionEnvValues(
  variables: { name: string; template: string }[],
  env: Env,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { name, template } of variables) {
    const value = resolveTemplate(template, env);
    if (value !== '') values[name] = value;
  }
  return values;
}
