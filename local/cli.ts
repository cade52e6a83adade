import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PortInUseError, startLocalCloud, stopOnSignals } from './index';

const USAGE = `用法: npm run local-cloud -- --functions <dir> [--schema <file>] [--port <p>] [--data <dir>]
                          [--http <prefix>=<function>]... [--env <id>] [--no-timers]

  --functions  云函数目录：每个 <name>/index.js（及 config.json、node_modules）是一个云函数，原样运行
  --schema     集合与索引的声明文件（见 local/README.md）；不给时集合由 db.createCollection 创建
  --port       端口，默认 3000（0 = 任选空闲端口）
  --data       数据目录（数据库、云存储、本地密钥），默认 <functions 的上一级>/.local-cloud
  --http       HTTP 访问服务：URL 前缀 → 云函数，例如 --http /api=gateway，可重复
  --env        环境 ID，默认 local-env
  --no-timers  不运行定时触发器`;

/** Paths are the caller's: `npm run` moves to the package folder but keeps where it was in INIT_CWD. */
const here = (file: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file);

/** `npm run local-cloud`: hosts any project's function folder as CloudBase would. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      functions: { type: 'string' },
      schema: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      http: { type: 'string', multiple: true },
      env: { type: 'string' },
      'no-timers': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help || !values.functions) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const functionsDir = here(values.functions);
  if (!fs.existsSync(functionsDir) || !fs.statSync(functionsDir).isDirectory())
    throw new UsageError(`--functions ${values.functions} 不是目录`);
  const port = values.port === undefined ? 3000 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port ${values.port} 不是端口号`);
  const httpRoutes: Record<string, string> = {};
  for (const route of values.http ?? []) {
    const match = /^(\/[^=]*)=([A-Za-z0-9_-]+)$/.exec(route);
    if (!match) throw new UsageError(`--http ${route} 应为 <以 / 开头的前缀>=<云函数名>`);
    httpRoutes[match[1].replace(/\/+$/, '') || '/'] = match[2];
  }
  const dataDir = values.data ? here(values.data) : path.join(functionsDir, '..', '.local-cloud');
  const cloud = await startLocalCloud({
    port,
    dataDir,
    functionsDir,
    schemaFile: values.schema ? here(values.schema) : undefined,
    httpRoutes,
    envId: values.env,
    timers: !values['no-timers'],
  });
  const functions = cloud.functions.list().map((fn) => fn.name);
  console.log(
    [
      `本地云已启动 (env ${cloud.envId}, 数据目录 ${dataDir})`,
      `  云函数目录    ${functionsDir}`,
      `  云函数        ${functions.join(', ') || '（无）'}`,
      `  云函数调用    POST ${cloud.url}/api/functions/<name>  (JSON；请求头 x-wx-openid 指定调用者)`,
      ...Object.entries(httpRoutes).map(([prefix, fn]) => `  HTTP 访问     ${cloud.url}${prefix}/ → ${fn}`),
      `  SDK 接入点    ${cloud.url}/admin  (TCB_CONTEXT_CNFG；须用 ${path.join(dataDir, 'local-secret.json')} 的密钥签名)`,
      `  集合          ${values.schema ? `按 ${here(values.schema)} 声明` : '无声明：由 db.createCollection 创建'}`,
      `  状态          ${cloud.url}/__local/health`,
      '按 Ctrl-C 停止。',
    ].join('\n'),
  );
  stopOnSignals(cloud);
}

class UsageError extends Error {}

main().catch((error: Error) => {
  if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(
    error instanceof PortInUseError ? error.message : `本地云启动失败: ${error.stack ?? error.message}`,
  );
  process.exit(1);
});
