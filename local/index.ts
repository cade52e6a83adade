import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { LocalClock } from './clock';
import { DatabaseEngine } from './db/engine';
import { DocumentStore } from './db/store';
import { type CallerContext, type FunctionCall, FunctionHost } from './functions/host';
import { OpenApiFakes } from './openapi/fakes';
import { SalesFakes } from './sales';
import { loadSchema } from './schema';
import { createServer } from './server';
import { type LocalCredentials, localCredentials } from './signature';
import { LocalStorage } from './storage';
import { WecomFake } from './wecom';

export interface LocalCloudOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  dataDir: string;
  /** Folder of built functions: `<name>/index.js` (+ optional `config.json`). */
  functionsDir?: string;
  /** The declared collections, indexes and rules (see local/README.md). */
  schemaFile?: string;
  /** Static files served at /admin/. */
  adminDir?: string;
  envId?: string;
  appId?: string;
  /** URL prefix → function reached through the HTTP access service, e.g. {'/admin-api': 'admin'}. */
  httpRoutes?: Record<string, string>;
  /** Run timer triggers (off in tests that fire them by hand). */
  timers?: boolean;
  log?: (line: string) => void;
}

export interface LocalCloud {
  url: string;
  port: number;
  envId: string;
  store: DocumentStore;
  functions: FunctionHost;
  openapi: OpenApiFakes;
  sales: SalesFakes;
  /** The fake WeCom server API and callback driver (`/__local/wecom/...`). */
  wecom: WecomFake;
  /**
   * The data dir's key (`<dataDir>/local-secret.json`): the admin endpoint answers only requests
   * signed with it. `sdkEnv()` carries it; `protocolRequest()` signs with it.
   */
  credentials: LocalCredentials;
  /** Environment variables (with the key) that point the real wx-server-sdk / @cloudbase/node-sdk at this server. */
  sdkEnv(): Record<string, string>;
  /**
   * Runs a function as the mini program would (SOURCE wx_client) and answers with its result and
   * its record: the protocol requests it made (`dbRequests`, `openApiRequests`, …) and its time.
   * Recent records of every call are in `functions.calls` and at `GET /__local/calls`.
   */
  callFunction(
    name: string,
    event: Record<string, unknown>,
    caller?: Partial<CallerContext>,
  ): Promise<{ result: unknown; call: FunctionCall }>;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`端口 ${port} 已被占用：请关闭占用它的程序，或换一个端口`);
  }
}

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const envId = options.envId ?? 'local-env';
  const appId = options.appId ?? 'wx0000000000local';
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => console.log(line));
  const store = new DocumentStore(path.join(options.dataDir, 'db'), log);
  if (options.schemaFile) store.declare(loadSchema(options.schemaFile).collections);
  const clock = new LocalClock();
  const engine = new DatabaseEngine(store, () => clock.now());
  const credentials = localCredentials(options.dataDir);
  let url = '';
  const sdkEnv = (): Record<string, string> => ({
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${url}/admin` }),
    TENCENTCLOUD_SECRETID: credentials.secretId,
    TENCENTCLOUD_SECRETKEY: credentials.secretKey,
    TENCENTCLOUD_RUNENV: 'SCF',
    TENCENTCLOUD_REGION: 'ap-shanghai',
    SCF_NAMESPACE: envId,
    TCB_ENV: envId,
  });
  const functions = new FunctionHost(
    options.functionsDir,
    () => ({ ...(process.env as Record<string, string>), ...sdkEnv() }),
    log,
    clock,
  );
  const storage = new LocalStorage(path.join(options.dataDir, 'storage'), envId, () => url);
  const openapi = new OpenApiFakes(appId);
  const sales = new SalesFakes();
  const wecom = new WecomFake(() => url);
  const server = createServer({
    envId,
    appId,
    host,
    credentials,
    store,
    engine,
    functions,
    storage,
    openapi,
    sales,
    wecom,
    clock,
    adminDir: options.adminDir,
    httpRoutes: options.httpRoutes ?? {},
    log,
  });
  // The SDK's keep-alive agent drops idle sockets after 4.8 s, just under Node's 5 s server
  // default; a function worker busy past that margin reuses a socket the server is closing
  // (ECONNRESET, seen under a 500-call burst on two cores). The server waits longer instead.
  server.keepAliveTimeout = 30_000;
  try {
    await listen(server, options.port ?? 3000, host);
  } catch (error) {
    store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  url = `http://${host}:${port}`;
  if (options.timers !== false) functions.startTimers(appId);
  return {
    url,
    port,
    envId,
    store,
    functions,
    openapi,
    sales,
    wecom,
    credentials,
    sdkEnv,
    async callFunction(name, event, caller = {}) {
      const { call, result, error } = await functions.run(name, event, {
        APPID: appId,
        ...caller,
        SOURCE: caller.SOURCE ?? 'wx_client',
      });
      if (error) throw error;
      return { result, call: call! };
    },
    async close() {
      await functions.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      engine.abortAll();
      store.close();
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error),
    );
    server.listen(port, host, () => resolve());
  });
}

/** Closes the cloud once on Ctrl-C or SIGTERM, says so, and ends the process. */
export function stopOnSignals(cloud: Pick<LocalCloud, 'close'>): void {
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
