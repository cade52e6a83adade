import path from 'node:path';
import { PortInUseError, startLocalCloud } from './index';

/** `npm start`: the local cloud with this project's functions, schema and admin page. */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const port = process.env.PORT ? Number(process.env.PORT) : 3000;
  const dataDir = path.resolve(process.env.LEADPOOL_DATA_DIR ?? path.join(root, '.data'));
  const cloud = await startLocalCloud({
    port,
    dataDir,
    functionsDir: path.join(root, 'cloudfunctions'),
    schemaFile: path.join(root, 'cloudfunctions', 'database.schema.json'),
    adminDir: path.join(root, 'admin', 'dist'),
    httpRoutes: { '/admin-api': 'admin' },
  });
  const functions = cloud.functions.list().map((fn) => fn.name);
  console.log(
    [
      `LeadPool 本地云已启动 (env ${cloud.envId}, 数据目录 ${dataDir})`,
      `  管理后台      ${cloud.url}/admin/`,
      `  云函数调用    POST ${cloud.url}/api/functions/<name>  (请求头 x-wx-openid 指定调用者)`,
      `  管理 API      ${cloud.url}/admin-api/`,
      `  SDK 接入点    ${cloud.url}/admin  (TCB_CONTEXT_CNFG)`,
      `  状态          ${cloud.url}/__local/health`,
      `  云函数        ${functions.join(', ') || '（无）'}`,
      '按 Ctrl-C 停止。',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n收到 ${signal}，正在停止本地云…`);
    await cloud.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(
    error instanceof PortInUseError ? error.message : `本地云启动失败: ${error.stack ?? error.message}`,
  );
  process.exit(1);
});
