import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { type IndexSpec, loadSchema } from '../../local/schema';
import { templateNames } from './env';

/**
 * What a deploy does, computed from the repository's files alone (no network, no environment):
 * cloudbaserc.json (functions, HTTP access route, static hosting), each function's config.json,
 * package.json and built bundle, cloudfunctions/database.schema.json and the built admin page.
 * The same plan is printed by `--dry-run` and applied by the executor.
 */

/** The only packages a function bundle leaves external (scripts/build.mjs bundles the rest). */
export const CLOUD_SDKS = ['wx-server-sdk', '@cloudbase/node-sdk'];
/**
 * Packages esbuild cannot carry inside index.js, which a function may declare for the cloud to
 * install: the image library (its prebuilt native binary comes as a per-platform optional package,
 * no install script) and the CJK font files it draws with. Each at the version the repository tests.
 */
export const UNBUNDLED_PACKAGES = ['@napi-rs/canvas', '@fontsource/noto-sans-sc'];
/** What a function's package.json may declare. */
export const INSTALLABLE = [...CLOUD_SDKS, ...UNBUNDLED_PACKAGES];
/** The function behind the admin page's API: its HTTP access path is baked into the page. */
export const ADMIN_FUNCTION = 'admin';
/** The function behind WeCom's callback: its HTTP path goes into the WeCom app's settings. */
export const WECOM_FUNCTION = 'wecom';
/** The admin account the deploy creates when none exists (as `npm start` does locally). */
export const FIRST_ADMIN = { username: 'admin', role: 'admin' } as const;

export interface FileEntry {
  /** Relative to its base folder, `/`-separated. */
  path: string;
  size: number;
}

export interface Trigger {
  name: string;
  type: string;
  config: string;
}

export interface CollectionPlan {
  name: string;
  rules: Record<string, unknown>;
  indexes: IndexSpec[];
}

export interface FunctionPlan {
  name: string;
  /** The function's folder, relative to the repository. */
  dir: string;
  handler: string;
  runtime: string;
  timeout: number;
  memorySize: number;
  installDependency: boolean;
  /** Names and their cloudbaserc.json templates; values are filled from the environment at deploy. */
  envVariables: { name: string; template: string }[];
  triggers: Trigger[];
  /** Open APIs the function may call (config.json `permissions.openapi`). */
  permissions: string[];
  dependencies: Record<string, string>;
  /** What is uploaded: the folder less cloudbaserc.json's `ignore` patterns. */
  files: FileEntry[];
}

export interface DeployPlan {
  /** cloudbaserc.json's envId, usually the template `{{env.LEADPOOL_ENV_ID}}`. */
  envId: string;
  schemaFile: string;
  collections: CollectionPlan[];
  functions: FunctionPlan[];
  httpAccess: { path: string; functionName: string }[];
  hosting: { localDir: string; cloudPath: string; files: FileEntry[]; totalBytes: number };
  firstAdmin: typeof FIRST_ADMIN;
  /** Facts about the mini program a person must fix before uploading it. */
  miniprogram: { appid: string | null; cloudEnv: string | null; localCloudEnabled: boolean | null };
}

/** The HTTP access path of a function (empty: it has none). */
export function httpPathOf(plan: Pick<DeployPlan, 'httpAccess'>, functionName: string): string {
  return plan.httpAccess.find((route) => route.functionName === functionName)?.path ?? '';
}

/** The HTTP access path of the admin page's API (other functions may have paths of their own). */
export function adminApiPath(plan: Pick<DeployPlan, 'httpAccess'>): string {
  return httpPathOf(plan, ADMIN_FUNCTION);
}

/** Functions whose open-API permissions only a WeChat DevTools upload registers (config.json). */
export function devtoolsUploads(plan: Pick<DeployPlan, 'functions'>): FunctionPlan[] {
  return plan.functions.filter((fn) => fn.permissions.length > 0);
}

/** The repository does not describe a deployable system; each problem says what to fix. */
export class PlanError extends Error {
  constructor(readonly problems: string[]) {
    super(`部署配置有 ${problems.length} 处问题：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const triggerSchema = z.object({
  name: z.string().min(1),
  type: z.string().min(1),
  config: z.string().min(1),
});

const rcFunctionSchema = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,59}$/),
  handler: z.string().default('index.main'),
  runtime: z.string().min(1),
  timeout: z.number().int().min(1).max(900),
  memorySize: z.number().int().min(64).max(3072),
  installDependency: z.boolean().default(true),
  ignore: z.union([z.string(), z.array(z.string())]).optional(),
  envVariables: z.record(z.string(), z.string()).default({}),
  triggers: z.array(triggerSchema).default([]),
});

const cloudbasercSchema = z.object({
  version: z.string().optional(),
  envId: z.string().min(1),
  functionRoot: z.string().min(1),
  functions: z.array(rcFunctionSchema).min(1),
  gateway: z
    .object({
      routes: z.array(z.object({ path: z.string().regex(/^\/[A-Za-z0-9._\-/]*$/), target: z.string() })),
    })
    .optional(),
  framework: z
    .object({
      name: z.string(),
      plugins: z.record(
        z.string(),
        z.object({ use: z.string(), inputs: z.record(z.string(), z.unknown()).default({}) }),
      ),
    })
    .optional(),
});

const functionConfigSchema = z.object({
  timeout: z.number().optional(),
  triggers: z.array(triggerSchema).default([]),
  permissions: z.object({ openapi: z.array(z.string()).default([]) }).default({ openapi: [] }),
});

const WEBSITE_PLUGIN = '@cloudbase/framework-plugin-website';

export type Cloudbaserc = z.infer<typeof cloudbasercSchema>;

export function readCloudbaserc(root: string): Cloudbaserc {
  const file = path.join(root, 'cloudbaserc.json');
  const parsed = cloudbasercSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new PlanError(
      parsed.error.issues.map((issue) => `cloudbaserc.json ${issue.path.join('.')}: ${issue.message}`),
    );
  return parsed.data;
}

/** Every file under `dir` (sorted, `/`-separated), with its size. */
export function listFiles(dir: string, ignore: string[] = []): FileEntry[] {
  const patterns = ignore.map(globToRegExp);
  const skipped = (rel: string) => patterns.some((pattern) => pattern.test(rel));
  const out: FileEntry[] = [];
  const walk = (at: string, rel: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (skipped(childRel)) continue;
      const child = path.join(at, entry.name);
      if (entry.isDirectory()) walk(child, childRel);
      else if (entry.isFile()) out.push({ path: childRel, size: fs.statSync(child).size });
    }
  };
  walk(dir, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `*` within a segment, `**` across segments; a pattern without `/` matches at any depth. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/^\.\//, '')
    .replace(/\/+$/, '')
    .split(/(\*\*|\*|\?)/)
    .map((part) =>
      part === '**'
        ? '.*'
        : part === '*'
          ? '[^/]*'
          : part === '?'
            ? '[^/]'
            : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(glob.includes('/') ? `^${body}$` : `(^|/)${body}$`);
}

const BUILTINS = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Packages (not Node built-ins, not relative files) a bundle `require`s. */
export function bundleRequires(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
    const specifier = match[1].replace(/^node:/, '');
    if (specifier.startsWith('.') || specifier.startsWith('/')) continue;
    if (BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0])) continue;
    found.add(packageOf(specifier));
  }
  return [...found].sort();
}

/** The project's own settings a bundle reads (`process.env.LEADPOOL_*`, or by name: `numberFromEnv('LEADPOOL_*')`). */
export function bundleEnvNames(code: string): string[] {
  const read = /process\.env\.(LEADPOOL_[A-Z0-9_]+)|numberFromEnv\(\s*["'](LEADPOOL_[A-Z0-9_]+)["']/g;
  return [...new Set([...code.matchAll(read)].map((m) => m[1] ?? m[2]))].sort();
}

/**
 * WeChat open APIs a bundle calls: `cloud.openapi.<group>.<api>(` through wx-server-sdk, or the
 * admin function's `callOpenApi("<group>.<api>"` envelope through @cloudbase/node-sdk.
 */
export function bundleOpenApis(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/\.openapi\.([A-Za-z]+)\.([A-Za-z]+)\s*\(/g)) found.add(`${m[1]}.${m[2]}`);
  for (const m of code.matchAll(/callOpenApi\d*\(\s*["']([A-Za-z]+\.[A-Za-z]+)["']/g)) found.add(m[1]);
  return [...found].sort();
}

/** Folders with `index.ts` + `package.json`: the deployable functions (scripts/build.mjs's rule). */
export function functionFolders(functionRoot: string): string[] {
  if (!fs.existsSync(functionRoot)) return [];
  return fs
    .readdirSync(functionRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter(
      (name) =>
        fs.existsSync(path.join(functionRoot, name, 'index.ts')) &&
        fs.existsSync(path.join(functionRoot, name, 'package.json')),
    )
    .sort();
}

/** The version of a package the repository installed (what its tests ran against). */
function testedVersion(root: string, name: string): string | null {
  const file = path.join(root, 'node_modules', name, 'package.json');
  return fs.existsSync(file) ? (readJson(file) as { version: string }).version : null;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function planFunction(
  root: string,
  functionRoot: string,
  rc: z.infer<typeof rcFunctionSchema>,
  problems: string[],
): FunctionPlan {
  const dir = path.join(root, functionRoot, rc.name);
  const rel = path.relative(root, dir).split(path.sep).join('/');
  const configFile = path.join(dir, 'config.json');
  const config = functionConfigSchema.parse(fs.existsSync(configFile) ? readJson(configFile) : {});
  const pkg = readJson(path.join(dir, 'package.json')) as { dependencies?: Record<string, string> };
  const dependencies = pkg.dependencies ?? {};
  const ignore = rc.ignore === undefined ? [] : Array.isArray(rc.ignore) ? rc.ignore : [rc.ignore];
  // Dependencies are installed in the cloud (installDependency), never uploaded.
  const files = fs.existsSync(dir) ? listFiles(dir, [...ignore, 'node_modules']) : [];

  if (config.timeout !== rc.timeout)
    problems.push(
      `${rel}: config.json timeout ${config.timeout ?? '(未写)'} ≠ cloudbaserc.json timeout ${rc.timeout}（两处要一致：本地云读 config.json，部署读 cloudbaserc.json）`,
    );
  if (!sameJson(config.triggers, rc.triggers))
    problems.push(`${rel}: config.json triggers 与 cloudbaserc.json triggers 不一致`);
  for (const [name, version] of Object.entries(dependencies)) {
    if (!INSTALLABLE.includes(name))
      problems.push(
        `${rel}/package.json: 依赖 ${name} 应当打进 index.js（只允许 ${INSTALLABLE.join('、')}）`,
      );
    else if (UNBUNDLED_PACKAGES.includes(name) && version !== testedVersion(root, name))
      problems.push(
        `${rel}/package.json: ${name} 应写成仓库安装并测试过的版本 ${testedVersion(root, name) ?? '(未安装)'}，而不是 ${version}`,
      );
  }
  for (const [name, template] of Object.entries(rc.envVariables))
    if (templateNames(template).length === 0 && /secret|key|password/i.test(name))
      problems.push(`cloudbaserc.json ${rc.name}.envVariables.${name}: 密钥要写成 {{env.${name}}}，不能写死`);

  const bundleFile = path.join(dir, 'index.js');
  if (!fs.existsSync(bundleFile)) {
    problems.push(`${rel}/index.js 不存在：先运行 npm run build`);
  } else {
    const code = fs.readFileSync(bundleFile, 'utf8');
    for (const name of bundleRequires(code))
      if (!(name in dependencies))
        problems.push(`${rel}/index.js require("${name}")，但 package.json 没有声明这个依赖`);
    for (const name of bundleEnvNames(code))
      if (!(name in rc.envVariables))
        problems.push(`${rel} 读取 ${name}，cloudbaserc.json 的 envVariables 没有它`);
    for (const api of bundleOpenApis(code))
      if (!config.permissions.openapi.includes(api))
        problems.push(`${rel} 调用 ${api}，config.json permissions.openapi 没有它`);
  }

  return {
    name: rc.name,
    dir: rel,
    handler: rc.handler,
    runtime: rc.runtime,
    timeout: rc.timeout,
    memorySize: rc.memorySize,
    installDependency: rc.installDependency,
    envVariables: Object.entries(rc.envVariables).map(([name, template]) => ({ name, template })),
    triggers: rc.triggers,
    permissions: config.permissions.openapi,
    dependencies,
    files,
  };
}

function miniprogramFacts(root: string): DeployPlan['miniprogram'] {
  const projectFile = path.join(root, 'project.config.json');
  const appid = fs.existsSync(projectFile)
    ? ((readJson(projectFile) as { appid?: string }).appid ?? null)
    : null;
  const configFile = path.join(root, 'miniprogram', 'config.ts');
  const source = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : '';
  const cloudEnv = /cloudEnv:\s*['"]([^'"]*)['"]/.exec(source)?.[1] ?? null;
  const enabled = /localCloud:\s*\{[^}]*enabled:\s*(true|false)/.exec(source)?.[1];
  return { appid, cloudEnv, localCloudEnabled: enabled === undefined ? null : enabled === 'true' };
}

/** The deploy plan; throws PlanError listing every inconsistency found. */
export function buildPlan(root: string): DeployPlan {
  const problems: string[] = [];
  const rc = readCloudbaserc(root);
  const functionRoot = path.join(root, rc.functionRoot);

  const declared = rc.functions.map((fn) => fn.name);
  const found = functionFolders(functionRoot);
  for (const name of found)
    if (!declared.includes(name))
      problems.push(`${rc.functionRoot}/${name} 是一个云函数，cloudbaserc.json 的 functions 没有它`);
  for (const name of declared)
    if (!found.includes(name))
      problems.push(
        `cloudbaserc.json 声明了 ${name}，但 ${rc.functionRoot}/${name} 没有 index.ts + package.json`,
      );
  const functions = rc.functions
    .filter((fn) => found.includes(fn.name))
    .map((fn) => planFunction(root, rc.functionRoot, fn, problems));

  const schemaFile = path.join(functionRoot, 'database.schema.json');
  const schema = loadSchema(schemaFile);
  const collections = schema.collections.map((c) => ({ name: c.name, rules: c.rules, indexes: c.indexes }));

  const httpAccess = (rc.gateway?.routes ?? []).map((route) => {
    const functionName = /^function:(.+)$/.exec(route.target)?.[1];
    if (!functionName || !declared.includes(functionName))
      problems.push(
        `cloudbaserc.json gateway 路由 ${route.path} 的 target ${route.target} 不是已声明的云函数`,
      );
    return { path: route.path, functionName: functionName ?? route.target };
  });
  if (declared.includes(ADMIN_FUNCTION) && !adminApiPath({ httpAccess }))
    problems.push(`cloudbaserc.json gateway 没有指向云函数 ${ADMIN_FUNCTION} 的路由（管理后台的 API）`);

  const website = Object.values(rc.framework?.plugins ?? {}).find((plugin) => plugin.use === WEBSITE_PLUGIN);
  const localDir = String(website?.inputs.outputPath ?? 'admin/dist');
  const cloudPath = String(website?.inputs.cloudPath ?? '/').replace(/^\/+|\/+$/g, '');
  const hostingDir = path.join(root, localDir);
  if (!website) problems.push(`cloudbaserc.json 没有 ${WEBSITE_PLUGIN} 插件（管理后台的静态托管）`);
  if (!fs.existsSync(path.join(hostingDir, 'index.html')))
    problems.push(`${localDir}/index.html 不存在：先运行 npm run build`);
  const hostingFiles = fs.existsSync(hostingDir) ? listFiles(hostingDir) : [];
  // The page's asset URLs carry Vite's `base`: it must be the folder the page is uploaded to.
  if (fs.existsSync(path.join(hostingDir, 'index.html'))) {
    const html = fs.readFileSync(path.join(hostingDir, 'index.html'), 'utf8');
    const uploaded = new Set(hostingFiles.map((file) => `/${cloudPath ? `${cloudPath}/` : ''}${file.path}`));
    for (const [, url] of html.matchAll(/(?:src|href)="(\/[^"]*)"/g))
      if (!uploaded.has(url))
        problems.push(
          `${localDir}/index.html 引用 ${url}，但上传到 /${cloudPath} 后没有这个文件（Vite base 与 cloudPath 不一致？）`,
        );
  }

  if (problems.length) throw new PlanError(problems);
  return {
    envId: rc.envId,
    schemaFile: path.relative(root, schemaFile).split(path.sep).join('/'),
    collections,
    functions,
    httpAccess,
    hosting: {
      localDir,
      cloudPath,
      files: hostingFiles,
      totalBytes: hostingFiles.reduce((sum, file) => sum + file.size, 0),
    },
    firstAdmin: FIRST_ADMIN,
    miniprogram: miniprogramFacts(root),
  };
}
