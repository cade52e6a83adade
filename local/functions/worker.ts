import { AsyncLocalStorage } from 'node:async_hooks';
import Module from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { followSharedClock } from '../clock';

/**
 * Runs one cloud function's unchanged code. Each invocation's WeChat context lives in its own
 * async context, and `process.env` reads through it, so concurrent calls never see each other's
 * OPENID even though the SDK reads identity from environment variables.
 */
interface Invocation {
  id: number;
  event: unknown;
  env: Record<string, string>;
}

const invocationEnv = new AsyncLocalStorage<Record<string, string>>();
const baseEnv: Record<string, string | undefined> = { ...process.env };

process.env = new Proxy(baseEnv, {
  get(target, key) {
    const own = invocationEnv.getStore();
    if (typeof key === 'string' && own && key in own) return own[key];
    return Reflect.get(target, key);
  },
  has(target, key) {
    const own = invocationEnv.getStore();
    return (typeof key === 'string' && own !== undefined && key in own) || Reflect.has(target, key);
  },
  ownKeys(target) {
    return [...new Set([...Reflect.ownKeys(target), ...Object.keys(invocationEnv.getStore() ?? {})])];
  },
  getOwnPropertyDescriptor(target, key) {
    const own = invocationEnv.getStore();
    if (typeof key === 'string' && own && key in own) {
      return { value: own[key], writable: true, enumerable: true, configurable: true };
    }
    return Reflect.getOwnPropertyDescriptor(target, key);
  },
}) as NodeJS.ProcessEnv;

const { entry, clock } = workerData as { entry: string; clock: SharedArrayBuffer };
followSharedClock(clock);
// CloudBase's runtime puts the code folder and its node_modules on NODE_PATH, and projects rely on
// it (`require('lib/util.js')`): the host sets it in this worker's env; the loader must reread it.
(Module as unknown as { _initPaths(): void })._initPaths();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fn = require(entry) as { main?: (event: unknown, context: unknown) => unknown };

parentPort!.on('message', (invocation: Invocation) => {
  invocationEnv.run(invocation.env, async () => {
    try {
      if (typeof fn.main !== 'function') throw new Error(`${entry} does not export main`);
      const context = {
        request_id: `local-${invocation.id}`,
        function_name: invocation.env.SCF_FUNCTIONNAME,
      };
      const result = await fn.main(invocation.event, context);
      parentPort!.postMessage({ id: invocation.id, ok: true, result: result === undefined ? null : result });
    } catch (error) {
      const err = error as Error;
      parentPort!.postMessage({
        id: invocation.id,
        ok: false,
        message: err?.message ?? String(error),
        stack: err?.stack,
      });
    }
  });
});
