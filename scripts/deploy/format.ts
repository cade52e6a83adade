import type { Env } from './env';
import {
  ADMIN_FUNCTION,
  adminApiPath,
  type DeployPlan,
  devtoolsUploads,
  type FileEntry,
  httpPathOf,
  WECOM_FUNCTION,
} from './plan';
import {
  API_PATH_NOTE,
  addressesFromEnv,
  functionEnvValues,
  ORIGIN_NOTE,
  type Preflight,
  targetEnvId,
} from './settings';

/** The plan as a person reads it. Values of environment variables are never printed, only whether they are set. */

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(1, width - [...text].length));

function indexKeys(keys: Record<string, 1 | -1>): string {
  return Object.entries(keys)
    .map(([field, direction]) => `${field}${direction === 1 ? '↑' : '↓'}`)
    .join(' ');
}

function rulesNote(rules: Record<string, unknown>): string {
  const json = JSON.stringify(rules);
  return rules.read === false && rules.write === false ? `${json}（客户端不可读写，只经云函数）` : json;
}

function envStatus(name: string, template: string, env: Env): string {
  if (Object.keys(functionEnvValues([{ name, template }], env)).length) return `${name} 已设置`;
  if (name === 'LEADPOOL_ADMIN_ORIGIN') return `${name} 未设置：${ORIGIN_NOTE}`;
  if (name === 'LEADPOOL_TOKEN_SECRET') return `${name} 未设置（必填）`;
  return `${name} 未设置：用函数内默认值`;
}

function files(list: FileEntry[], prefix = ''): string[] {
  const width = Math.max(...list.map((f) => [...(prefix + f.path)].length)) + 2;
  return list.map((f) => `    ${pad(prefix + f.path, width)}${formatSize(f.size).padStart(10)}`);
}

export function formatPlan(
  plan: DeployPlan,
  env: Env,
  checks: Preflight,
  options: { dryRun: boolean },
): string {
  const envId = targetEnvId(plan, env);
  const { apiBase, adminOrigin } = addressesFromEnv(env);
  const out: string[] = [];
  out.push(
    options.dryRun
      ? 'LeadPool 部署计划（--dry-run：只读本地文件，不访问网络，不改动云端）'
      : 'LeadPool 部署计划',
    '',
    `目标环境    ${envId || `未设置（cloudbaserc.json envId = ${plan.envId}）`}`,
    `部署凭据    ${['TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY'].map((n) => `${n} ${env[n] ? '已设置' : '未设置'}`).join('，')}`,
    '步骤        构建 → 数据库集合/索引/安全规则 → 云函数 → HTTP 访问服务 → 静态网站托管 → 初始数据 → 开发者工具上传（云调用权限）→ 重设环境变量',
  );

  out.push('', `一、数据库集合（${plan.collections.length} 个，来自 ${plan.schemaFile}）`);
  const nameWidth = Math.max(...plan.collections.map((c) => c.name.length)) + 2;
  for (const collection of plan.collections) {
    out.push(`  ${pad(collection.name, nameWidth)}安全规则 ${rulesNote(collection.rules)}`);
    const indexWidth = Math.max(0, ...collection.indexes.map((i) => i.name.length)) + 2;
    for (const index of collection.indexes)
      out.push(
        `    索引 ${pad(index.name, indexWidth)}${indexKeys(index.keys)}${index.unique ? '  唯一' : ''}`,
      );
    if (!collection.indexes.length) out.push('    （无二级索引）');
  }

  out.push('', `二、云函数（${plan.functions.length} 个，cloudbaserc.json + 各自的 config.json）`);
  for (const fn of plan.functions) {
    out.push(
      `  ${fn.name}  ${fn.runtime}  ${fn.handler}  超时 ${fn.timeout} s  内存 ${fn.memorySize} MB  ${fn.installDependency ? '云端安装依赖' : '不安装依赖'}`,
      `    依赖        ${
        Object.entries(fn.dependencies)
          .map(([n, v]) => `${n}@${v}`)
          .join('，') || '无'
      }`,
      `    环境变量    ${fn.envVariables.map((v) => envStatus(v.name, v.template, env)).join('；') || '无'}`,
      `    触发器      ${fn.triggers.map((t) => `${t.name}（${t.type}，${t.config}）`).join('，') || '无'}`,
      `    云调用权限  ${fn.permissions.join('，') || '无'}`,
      `    上传文件    ${fn.files.map((f) => `${f.path} ${formatSize(f.size)}`).join('，')}`,
    );
  }

  out.push('', '三、HTTP 访问服务');
  for (const route of plan.httpAccess)
    out.push(`  ${route.path} → 云函数 ${route.functionName}（不开 CloudBase 鉴权，网关跨域校验关闭）`);
  out.push(
    `  跨域（CORS）  由云函数负责，网关不检查来源、不加头：${ADMIN_FUNCTION} 只允许 LEADPOOL_ADMIN_ORIGIN，并自己应答 OPTIONS 预检（其余路径是服务器之间的调用，不涉及跨域）`,
  );
  out.push(`  管理后台调用的 API 地址  ${apiBase ?? `https://<${API_PATH_NOTE}>${adminApiPath(plan)}`}`);

  const cloudDir = plan.hosting.cloudPath ? `${plan.hosting.cloudPath}/` : '';
  out.push(
    '',
    `四、静态网站托管（${plan.hosting.localDir} → /${cloudDir}，${plan.hosting.files.length} 个文件，共 ${formatSize(plan.hosting.totalBytes)}）`,
    ...files(plan.hosting.files, cloudDir),
    `  管理后台地址  ${adminOrigin ? `${adminOrigin}/${cloudDir}` : `https://<${ORIGIN_NOTE}>/${cloudDir}`}`,
  );
  if (!apiBase) out.push('  （部署时用查到的 API 地址重新构建管理后台；文件名里的哈希会随之变化）');

  out.push(
    '',
    '五、初始数据（只在不存在时创建）',
    `  管理员账号 ${plan.firstAdmin.username}（角色 ${plan.firstAdmin.role}）：密码${env.LEADPOOL_ADMIN_PASSWORD ? '取自 LEADPOOL_ADMIN_PASSWORD' : '随机生成，只显示一次（或在 .env 设 LEADPOOL_ADMIN_PASSWORD）'}`,
    `  投递设置 rules/settings：管理后台地址${env.LEADPOOL_WECOM_ROBOT_KEY ? '，企业微信机器人（LEADPOOL_WECOM_ROBOT_KEY 已设置）' : '（LEADPOOL_WECOM_ROBOT_KEY 未设置：之后在管理后台“设置”页填机器人）'}`,
  );

  const uploads = devtoolsUploads(plan);
  if (uploads.length)
    out.push(
      '',
      '六、云调用权限（npm run deploy 之后，在微信开发者工具里做一次；以后只在 permissions.openapi 变了时再做）',
      '  manager-node 和 tcb 都不读 config.json 的 permissions.openapi，只有开发者工具上传云函数时登记：',
      ...uploads.map(
        (fn) => `    右键 ${fn.dir} → 上传并部署：云端安装依赖    （${fn.permissions.join('，')}）`,
      ),
      '  然后运行 npm run deploy -- --variables-only：检查各函数的环境变量，被上传覆盖的重新设置。',
      '  登记有约 10 分钟缓存：其间调用可能得到 -604101（没有权限），稍后再试。',
    );

  const wecomPath = httpPathOf(plan, WECOM_FUNCTION);
  if (wecomPath)
    out.push(
      '',
      '七、企业微信回调（接入企业微信时，在企业微信管理后台做一次）',
      `  自建应用 → 接收消息 → URL  https://<HTTP 访问服务域名>${wecomPath}，Token 和 EncodingAESKey 与管理后台里填的一致`,
      '  客户联系 → 可调用应用：勾选这个自建应用（否则收不到客户事件）',
      '  企业可信 IP：2022-06-20 之后创建的应用，把云函数的固定出口 IP（云开发控制台 → 云函数）加进去，否则调用返回 60020',
    );

  if (checks.errors.length) out.push('', '部署前必须处理：', ...checks.errors.map((e) => `  ✗ ${e}`));
  if (checks.warnings.length) out.push('', '提醒：', ...checks.warnings.map((w) => `  ! ${w}`));
  return out.join('\n');
}
