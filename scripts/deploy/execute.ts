import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { newAccount } from '../../cloudfunctions/admin/accounts';
import { deliverySettingsSchema } from '../../typings/pipeline';
import type { Env } from './env';
import { adminApiPath, type CollectionPlan, type DeployPlan, type Trigger } from './plan';
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
    getFunctionDetail(name: string): Promise<{
      Runtime: string;
      Triggers?: { TriggerName: string; Type: string }[];
      Environment?: { Variables?: { Key: string; Value: string }[] };
    }>;
    createFunction(param: {
      func: DeployFunction;
      functionRootPath: string;
      force: boolean;
    }): Promise<unknown>;
    deleteFunctionTrigger(name: string, triggerName: string): Promise<unknown>;
    createFunctionTriggers(name: string, triggers: Trigger[]): Promise<unknown>;
    /** Sets configuration only (the code stays): here, the environment variables. */
    updateFunctionConfig(func: { name: string; envVariables: Record<string, string> }): Promise<unknown>;
  };
  access: {
    /** DefaultDomain is null while the HTTP access service is off (a new environment). */
    getDomainList(): Promise<{ DefaultDomain?: string | null; EnableService: boolean }>;
    switchAuth(enable: boolean): Promise<unknown>;
    getAccessList(options?: { path?: string }): Promise<{ APISet?: AccessPath[] | null }>;
  };
  hosting: {
    getInfo(): Promise<{ CdnDomain: string; Status: string }[] | null | undefined>;
    /** `code` -1: CloudBase refused to create the store (CreateStaticStore did not answer succ). */
    enableService(): Promise<{ code: number; requestId?: string }>;
    uploadFiles(options: {
      files: { localPath: string; cloudPath: string }[];
      parallel?: number;
    }): Promise<unknown>;
    /** One page of the hosting bucket under a folder (COS GetBucket). */
    findFiles(options: { prefix: string; maxKeys: number; marker?: string }): Promise<{
      Contents?: { Key: string }[];
      IsTruncated?: boolean | string;
      NextMarker?: string;
    }>;
    deleteFiles(options: { cloudPath: string; isDir: false }): Promise<unknown>;
  };
}

/** The documents a deploy seeds (through @cloudbase/node-sdk in production). */
export interface DataPort {
  count(collection: string, where: Record<string, unknown>): Promise<number>;
  exists(collection: string, id: string): Promise<boolean>;
  insert(collection: string, doc: { _id: string } & Record<string, unknown>): Promise<void>;
}

/** An HTTP access path as DescribeCloudBaseGWAPI lists it. */
export interface AccessPath {
  APIId?: string;
  Path: string;
  Name: string;
  Type: number;
  /** The gateway's cross-origin check: 0 (default) and 1 on, 2 off. */
  EnableCheckAcrossDomain?: number | null;
}

/**
 * Who answers CORS for the admin page: the admin function (it allows exactly LEADPOOL_ADMIN_ORIGIN
 * and answers the preflight itself). The gateway's own cross-origin check, on by default for a new
 * path, checks origins against the environment's safe domains and adds its own headers, so it is
 * switched off on every path this deploy binds.
 */
export const GATEWAY_CORS_OFF = 2;

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

interface Polling {
  log?: Log;
  wait?: (ms: number) => Promise<unknown>;
  pollMs?: number;
  timeoutMs?: number;
}

/**
 * Reads `read` until `settled` says the value is ready (true) or failed (a reason); waits between
 * reads and gives up after the timeout. Services CloudBase switches on take minutes to be usable.
 * `known` is a value already read (nothing was switched on since), used instead of a first read.
 */
async function pollUntil<T>(
  read: () => Promise<T>,
  settled: (value: T) => boolean | string,
  describe: (value: T) => string,
  options: Polling,
  known?: { value: T },
): Promise<T> {
  const wait = options.wait ?? sleep;
  const pollMs = options.pollMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  for (let waited = 0; ; waited += pollMs) {
    const value = waited === 0 && known ? known.value : await read();
    const state = settled(value);
    if (state === true) return value;
    if (typeof state === 'string') throw new Error(state);
    if (waited >= timeoutMs)
      throw new Error(
        `${describe(value)}：${timeoutMs / 60_000} 分钟内没有就绪，稍后重新运行 npm run deploy`,
      );
    await wait(pollMs);
  }
}

const HOSTING_FAILED = new Set(['create_fail', 'destroy_fail']);

/**
 * The admin page's domain and the HTTP access domain, asked of CloudBase. Static hosting and the
 * HTTP access service are switched on when they are off (the first deploy to a new environment);
 * a refused activation fails at once with CloudBase's answer rather than after the timeout.
 */
export async function discover(
  manager: ManagerPort,
  plan: DeployPlan,
  env: Env,
  options: Polling = {},
): Promise<Addresses> {
  const log = options.log ?? (() => {});
  const firstSite = (await manager.hosting.getInfo())?.[0];
  const switchOnHosting = !firstSite || firstSite.Status === 'offline';
  if (switchOnHosting) {
    log('开通静态网站托管（首次部署，需要几分钟）…');
    const enabled = await manager.hosting.enableService();
    if (enabled.code !== 0)
      throw new Error(
        `静态网站托管开通被拒绝（CreateStaticStore 没有成功，RequestId ${enabled.requestId ?? '无'}）：确认环境的套餐包含静态网站托管、账号已实名且未欠费，然后重新运行 npm run deploy`,
      );
  }
  const site = await pollUntil(
    async () => (await manager.hosting.getInfo())?.[0],
    // Online with its domain: the page's origin is read from it.
    (s) =>
      (s?.Status === 'online' && Boolean(s.CdnDomain?.trim())) ||
      (HOSTING_FAILED.has(s?.Status ?? '') &&
        `静态网站托管开通失败（状态 ${s?.Status}）：在云开发控制台 → 静态网站托管 查看原因，处理后重新运行 npm run deploy`),
    (s) => `静态网站托管（状态 ${s?.Status ?? '无'}）`,
    options,
    switchOnHosting ? undefined : { value: firstSite },
  );

  const gateway = await manager.access.getDomainList();
  if (!gateway.EnableService) {
    log('开通 HTTP 访问服务…');
    await manager.access.switchAuth(true);
  }
  const givenApiBase = env.VITE_ADMIN_API_BASE?.trim();
  // The default domain is assigned when the service is switched on: read it again until it is set.
  const apiDomain = givenApiBase
    ? null
    : (
        await pollUntil(
          () => manager.access.getDomainList(),
          (g) => Boolean(g.DefaultDomain?.trim()),
          () => 'HTTP 访问服务的默认域名',
          options,
          gateway.EnableService ? { value: gateway } : undefined,
        )
      ).DefaultDomain;
  return {
    apiBase: givenApiBase || `${origin(apiDomain ?? '')}${adminApiPath(plan)}`,
    adminOrigin: env.LEADPOOL_ADMIN_ORIGIN?.trim() || origin(site?.CdnDomain ?? ''),
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
  /** Files of an earlier build in the page's folder, removed after the upload. */
  filesRemoved: string[];
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

/** Every file the hosting bucket holds under `folder` (`admin/`), page by page. */
async function hostedFiles(manager: ManagerPort, folder: string): Promise<string[]> {
  const keys: string[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await manager.hosting.findFiles({ prefix: folder, maxKeys: 1000, marker });
    const contents = page.Contents ?? [];
    keys.push(...contents.map((file) => file.Key).filter((key) => !key.endsWith('/')));
    if (String(page.IsTruncated) !== 'true' || contents.length === 0) return keys;
    marker = page.NextMarker || contents[contents.length - 1].Key;
  }
}

async function accessPath(manager: ManagerPort, path: string): Promise<AccessPath | undefined> {
  const { APISet } = await manager.access.getAccessList({ path });
  return (APISet ?? []).find((api) => api.Path === path);
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
    filesRemoved: [],
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
    const bound = await accessPath(manager, route.path);
    if (bound && (bound.Name !== route.functionName || bound.Type !== 1))
      throw new Error(
        `HTTP 访问路径 ${route.path} 已绑定到 ${bound.Name}，不是云函数 ${route.functionName}：先在控制台解绑`,
      );
    if (!bound || bound.EnableCheckAcrossDomain !== GATEWAY_CORS_OFF) {
      // manager-node's createAccess cannot switch the cross-origin check off; the API action can,
      // and with the APIId of an existing path it changes that path in place.
      await manager.commonService('tcb').call({
        Action: 'CreateCloudBaseGWAPI',
        Param: {
          ServiceId: options.envId,
          Path: route.path,
          Type: 1,
          Name: route.functionName,
          AuthSwitch: 2,
          EnableCheckAcrossDomain: GATEWAY_CORS_OFF,
          ...(bound?.APIId ? { APIId: bound.APIId } : {}),
        },
      });
      if (!bound) result.accessPathsCreated.push(route.path);
      const now = await accessPath(manager, route.path);
      if (now?.EnableCheckAcrossDomain !== GATEWAY_CORS_OFF)
        throw new Error(
          `HTTP 访问路径 ${route.path} 的跨域校验仍是开启的：在云开发控制台 → HTTP 访问服务 → ${route.path} 关闭“跨域校验”（跨域由云函数 ${route.functionName} 应答），再运行 npm run deploy`,
        );
    }
    log(
      `  ${route.path} → ${route.functionName}${bound ? '（已存在）' : '（已创建）'}，网关跨域校验关闭（CORS 由函数应答）`,
    );
  }

  log('四、静态网站托管');
  const files = plan.hosting.files.map((file) => ({
    localPath: path.join(options.root, plan.hosting.localDir, ...file.path.split('/')),
    cloudPath: `${cloudDir}${file.path}`,
  }));
  await manager.hosting.uploadFiles({ files, parallel: 10 });
  result.filesUploaded = files.length;
  // Each build names its assets by content hash: what an earlier build left in the page's folder
  // is removed once the new page is up. A page at the hosting root leaves the root alone.
  if (cloudDir) {
    const uploaded = new Set(files.map((file) => file.cloudPath));
    for (const key of await hostedFiles(manager, cloudDir))
      if (!uploaded.has(key)) {
        await manager.hosting.deleteFiles({ cloudPath: key, isDir: false });
        result.filesRemoved.push(key);
      }
  }
  log(
    `  已上传 ${files.length} 个文件${result.filesRemoved.length ? `，删除旧版本留下的 ${result.filesRemoved.length} 个文件` : ''}`,
  );

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

/**
 * Sets each function's environment variables again where they differ from the plan, then reads
 * them back. Uploading a function from WeChat DevTools (the only way its open-API permissions are
 * registered) may replace its configuration with what DevTools knows, which has no variables; this
 * is the step after it, and only sets what it finds changed. Answers the functions whose variables had to be set; values are never logged.
 */
export async function reapplyVariables(
  plan: DeployPlan,
  manager: ManagerPort,
  env: Env,
  log: Log = () => {},
): Promise<string[]> {
  const restored: string[] = [];
  const differing = async (name: string, wanted: Record<string, string>) => {
    const detail = await manager.functions.getFunctionDetail(name);
    const have = new Map((detail.Environment?.Variables ?? []).map((v) => [v.Key, v.Value]));
    return Object.keys(wanted).filter((key) => have.get(key) !== wanted[key]);
  };
  for (const fn of plan.functions) {
    const wanted = functionEnvValues(fn.envVariables, env);
    if (Object.keys(wanted).length === 0) continue;
    const lost = await differing(fn.name, wanted);
    if (lost.length === 0) {
      log(`  ${fn.name}：环境变量完好（${Object.keys(wanted).join('、')}）`);
      continue;
    }
    await manager.functions.updateFunctionConfig({ name: fn.name, envVariables: wanted });
    const still = await differing(fn.name, wanted);
    if (still.length)
      throw new Error(`云函数 ${fn.name} 的环境变量 ${still.join('、')} 设置后读回仍不一致，请在控制台检查`);
    restored.push(fn.name);
    log(`  ${fn.name}：重新设置了 ${lost.join('、')}`);
  }
  return restored;
}
