import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { newAccount } from '../../cloudfunctions/admin/accounts';
import { deliverySettingsSchema } from '../../typings/pipeline';
import type { Env } from './env';
import type { CollectionPlan, DeployPlan, Trigger } from './plan';
import { type Addresses, functionEnvValues } from './settings';

/**
 * Applies a plan through the parts of @cloudbase/manager-node it needs (declared here so tests
 * pass a recording fake) and a small data port for the first documents. Every step is idempotent:
 * existing collections, indexes, access paths and documents are kept, functions are updated in
 * place, so a deploy that stopped half way is finished by running it again.
 */

export interface CreateIndex {
  IndexName: string;
  MgoKeySchema: { MgoIndexKeys: { Name: string; Direction: string }[]; MgoIsUnique: boolean };
}

export interface DeployFunction {
  name: string;
  handler: string;
  runtime: string;
  timeout: number;
  memorySize: number;
  installDependency: boolean;
  isWaitInstall: boolean;
  envVariables: Record<string, string>;
}

export interface ManagerPort {
  database: {
    createCollectionIfNotExists(name: string): Promise<unknown>;
    describeCollection(name: string): Promise<{
      Indexes?: { Name: string; Keys?: { Name?: string; Direction?: string }[]; Unique?: boolean }[];
    }>;
    updateCollection(name: string, info: { CreateIndexes?: CreateIndex[] }): Promise<unknown>;
  };
  /** Cloud API actions manager-node has no method for (database security rules: ModifySafeRule). */
  commonService(service?: string): {
    call(options: { Action: string; Param: Record<string, unknown> }): Promise<unknown>;
  };
  functions: {
    getFunctionDetail(
      name: string,
    ): Promise<{ Runtime: string; Triggers?: { TriggerName: string; Type: string }[] }>;
    createFunction(param: {
      func: DeployFunction;
      functionRootPath: string;
      force: boolean;
    }): Promise<unknown>;
    deleteFunctionTrigger(name: string, triggerName: string): Promise<unknown>;
    createFunctionTriggers(name: string, triggers: Trigger[]): Promise<unknown>;
  };
  access: {
    getDomainList(): Promise<{ DefaultDomain: string; EnableService: boolean }>;
    switchAuth(enable: boolean): Promise<unknown>;
    getAccessList(options?: {
      path?: string;
    }): Promise<{ APISet?: { Path: string; Name: string; Type: number }[] }>;
    createAccess(options: { path: string; name: string; type?: 1 | 2; auth?: boolean }): Promise<unknown>;
  };
  hosting: {
    getInfo(): Promise<{ CdnDomain: string; Status: string }[] | null | undefined>;
    enableService(): Promise<unknown>;
    uploadFiles(options: {
      files: { localPath: string; cloudPath: string }[];
      parallel?: number;
    }): Promise<unknown>;
  };
}

/** The documents a deploy seeds (through @cloudbase/node-sdk in production). */
export interface DataPort {
  count(collection: string, where: Record<string, unknown>): Promise<number>;
  exists(collection: string, id: string): Promise<boolean>;
  insert(collection: string, doc: { _id: string } & Record<string, unknown>): Promise<void>;
}

export interface DeployPorts {
  manager: ManagerPort;
  data: DataPort;
}

type Log = (line: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `https://<host>` from a bare domain (or one that already carries its scheme). */
const origin = (domain: string) =>
  `https://${domain
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')}`;

/**
 * The admin page's domain and the HTTP access domain, asked of CloudBase. Static hosting and the
 * HTTP access service are switched on when they are off (the first deploy to a new environment).
 */
export async function discover(
  manager: ManagerPort,
  plan: DeployPlan,
  env: Env,
  options: { log?: Log; wait?: (ms: number) => Promise<unknown>; pollMs?: number; timeoutMs?: number } = {},
): Promise<Addresses> {
  const log = options.log ?? (() => {});
  const wait = options.wait ?? sleep;
  const pollMs = options.pollMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;

  let site = (await manager.hosting.getInfo())?.[0];
  if (!site || site.Status === 'offline') {
    log('开通静态网站托管（首次部署，需要几分钟）…');
    await manager.hosting.enableService();
  }
  for (let waited = 0; site?.Status !== 'online'; waited += pollMs) {
    if (waited >= timeoutMs)
      throw new Error(
        `静态网站托管 ${timeoutMs / 60_000} 分钟内没有就绪（状态 ${site?.Status ?? '无'}），稍后重新运行 npm run deploy`,
      );
    await wait(pollMs);
    site = (await manager.hosting.getInfo())?.[0];
  }

  const gateway = await manager.access.getDomainList();
  if (!gateway.EnableService) {
    log('开通 HTTP 访问服务…');
    await manager.access.switchAuth(true);
  }
  const apiPath = plan.httpAccess[0]?.path ?? '';
  return {
    apiBase: env.VITE_ADMIN_API_BASE?.trim() || `${origin(gateway.DefaultDomain)}${apiPath}`,
    adminOrigin: env.LEADPOOL_ADMIN_ORIGIN?.trim() || origin(site.CdnDomain),
  };
}

export function createIndex(index: CollectionPlan['indexes'][number]): CreateIndex {
  return {
    IndexName: index.name,
    MgoKeySchema: {
      MgoIndexKeys: Object.entries(index.keys).map(([Name, direction]) => ({
        Name,
        Direction: String(direction),
      })),
      MgoIsUnique: index.unique ?? false,
    },
  };
}

export interface DeployResult {
  indexesCreated: string[];
  /** Indexes that exist under a declared name with other keys: left alone, for a person to decide. */
  indexConflicts: string[];
  /** Functions that exist with another runtime (CloudBase sets a runtime only when it creates a function). */
  runtimeConflicts: string[];
  accessPathsCreated: string[];
  filesUploaded: number;
  settingsCreated: boolean;
  adminCreated: boolean;
  /** A generated first password, to print once; null when it came from the environment or no account was made. */
  adminPassword: string | null;
  adminUrl: string;
}

export interface ApplyOptions {
  root: string;
  envId: string;
  /** Where each function's upload folder is assembled (its files only). */
  stageDir: string;
  /** The environment with the discovered addresses filled in. */
  env: Env;
  addresses: Addresses;
  now?: Date;
  log?: Log;
}

async function applyCollections(
  manager: ManagerPort,
  plan: DeployPlan,
  envId: string,
  result: DeployResult,
  log: Log,
) {
  for (const collection of plan.collections) {
    await manager.database.createCollectionIfNotExists(collection.name);
    const existing = (await manager.database.describeCollection(collection.name)).Indexes ?? [];
    const missing = [];
    for (const index of collection.indexes) {
      const found = existing.find((e) => e.Name === index.name);
      if (!found) {
        missing.push(index);
        continue;
      }
      const keys = (found.Keys ?? []).map((k) => `${k.Name}:${k.Direction}`).join(',');
      const wanted = Object.entries(index.keys)
        .map(([field, direction]) => `${field}:${direction}`)
        .join(',');
      if (
        (found.Keys && keys !== wanted) ||
        (found.Unique !== undefined && found.Unique !== (index.unique ?? false))
      )
        result.indexConflicts.push(`${collection.name}.${index.name}`);
    }
    if (missing.length) {
      await manager.database.updateCollection(collection.name, { CreateIndexes: missing.map(createIndex) });
      result.indexesCreated.push(...missing.map((index) => `${collection.name}.${index.name}`));
    }
    await manager.commonService('tcb').call({
      Action: 'ModifySafeRule',
      Param: {
        EnvId: envId,
        CollectionName: collection.name,
        AclTag: 'CUSTOM',
        Rule: JSON.stringify(collection.rules),
      },
    });
    log(
      `  集合 ${collection.name}：${missing.length ? `新建索引 ${missing.map((i) => i.name).join('、')}` : '索引齐全'}，安全规则已设置`,
    );
  }
}

/** Copies exactly the planned files of each function into `stageDir/<name>/`. */
export function stageFunctions(plan: DeployPlan, root: string, stageDir: string): void {
  for (const fn of plan.functions) {
    const target = path.join(stageDir, fn.name);
    fs.rmSync(target, { recursive: true, force: true });
    for (const file of fn.files) {
      const to = path.join(target, ...file.path.split('/'));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(root, fn.dir, ...file.path.split('/')), to);
    }
  }
}

export async function applyPlan(
  plan: DeployPlan,
  ports: DeployPorts,
  options: ApplyOptions,
): Promise<DeployResult> {
  const { manager, data } = ports;
  const log = options.log ?? (() => {});
  const now = options.now ?? new Date();
  const cloudDir = plan.hosting.cloudPath ? `${plan.hosting.cloudPath}/` : '';
  const result: DeployResult = {
    indexesCreated: [],
    indexConflicts: [],
    runtimeConflicts: [],
    accessPathsCreated: [],
    filesUploaded: 0,
    settingsCreated: false,
    adminCreated: false,
    adminPassword: null,
    adminUrl: `${options.addresses.adminOrigin}/${cloudDir}`,
  };

  log('一、数据库集合、索引、安全规则');
  await applyCollections(manager, plan, options.envId, result, log);

  log('二、云函数');
  stageFunctions(plan, options.root, options.stageDir);
  for (const fn of plan.functions) {
    // A missing function answers with an error: it is then created.
    const existing = await manager.functions.getFunctionDetail(fn.name).catch(() => null);
    if (existing && existing.Runtime !== fn.runtime)
      result.runtimeConflicts.push(`${fn.name}（${existing.Runtime}，计划 ${fn.runtime}）`);
    await manager.functions.createFunction({
      func: {
        name: fn.name,
        handler: fn.handler,
        runtime: fn.runtime,
        timeout: fn.timeout,
        memorySize: fn.memorySize,
        installDependency: fn.installDependency,
        isWaitInstall: true,
        envVariables: functionEnvValues(fn.envVariables, options.env),
      },
      functionRootPath: options.stageDir,
      force: true,
    });
    // Triggers are replaced by name (creating one that exists fails), once the code is live.
    for (const trigger of fn.triggers)
      if (existing?.Triggers?.some((t) => t.TriggerName === trigger.name))
        await manager.functions.deleteFunctionTrigger(fn.name, trigger.name);
    if (fn.triggers.length) await manager.functions.createFunctionTriggers(fn.name, fn.triggers);
    log(
      `  ${fn.name} 已${existing ? '更新' : '创建'}${fn.triggers.length ? `，触发器 ${fn.triggers.map((t) => t.name).join('、')}` : ''}`,
    );
  }

  log('三、HTTP 访问服务');
  for (const route of plan.httpAccess) {
    const { APISet = [] } = await manager.access.getAccessList({ path: route.path });
    const bound = APISet.find((api) => api.Path === route.path);
    if (bound && (bound.Name !== route.functionName || bound.Type !== 1))
      throw new Error(
        `HTTP 访问路径 ${route.path} 已绑定到 ${bound.Name}，不是云函数 ${route.functionName}：先在控制台解绑`,
      );
    if (!bound) {
      await manager.access.createAccess({ path: route.path, name: route.functionName, type: 1, auth: false });
      result.accessPathsCreated.push(route.path);
    }
    log(`  ${route.path} → ${route.functionName}${bound ? '（已存在）' : '（已创建）'}`);
  }

  log('四、静态网站托管');
  const files = plan.hosting.files.map((file) => ({
    localPath: path.join(options.root, plan.hosting.localDir, ...file.path.split('/')),
    cloudPath: `${cloudDir}${file.path}`,
  }));
  await manager.hosting.uploadFiles({ files, parallel: 10 });
  result.filesUploaded = files.length;
  log(`  已上传 ${files.length} 个文件`);

  log('五、初始数据');
  if (!(await data.exists('rules', 'settings'))) {
    const key = options.env.LEADPOOL_WECOM_ROBOT_KEY?.trim();
    const settings = deliverySettingsSchema.parse({
      adminUrl: result.adminUrl,
      robots: key
        ? [{ id: 'hq', url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`, store: '' }]
        : [],
    });
    await data.insert('rules', { _id: 'settings', ...settings, kind: 'settings', updatedAt: now });
    result.settingsCreated = true;
  }
  const { username, role } = plan.firstAdmin;
  if ((await data.count('accounts', { username })) === 0) {
    const given = options.env.LEADPOOL_ADMIN_PASSWORD;
    const password = given || crypto.randomBytes(12).toString('base64url');
    await data.insert('accounts', newAccount({ username, password, role }, now) as never);
    result.adminCreated = true;
    result.adminPassword = given ? null : password;
  }
  log(
    `  投递设置${result.settingsCreated ? '已创建' : '已存在，未改动'}；管理员账号 ${username}${result.adminCreated ? '已创建' : '已存在，未改动'}`,
  );
  return result;
}
