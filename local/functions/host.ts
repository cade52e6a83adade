import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LocalClock } from '../clock';
import { CloudError } from '../errors';
import { type CronSchedule, parseCron } from './cron';

/** Who is calling, as `cloud.getWXContext()` will report it inside the function. */
export interface CallerContext {
  OPENID?: string;
  APPID?: string;
  UNIONID?: string;
  CLIENTIP?: string;
  SOURCE: string;
}

export interface FunctionInfo {
  name: string;
  entry: string;
  timeoutMs: number;
  timers: { name: string; schedule: CronSchedule; config: string }[];
}

/** One finished call, with the admin-protocol requests its SDK made while it ran. */
export interface FunctionCall {
  id: number;
  function: string;
  /** `event.action` when the event has one. */
  action: string | null;
  source: string;
  /** The call that made this one with `cloud.callFunction` (its requests are counted there, not here). */
  parentId: number | null;
  /** `database.*` requests. */
  dbRequests: number;
  /** `wx.openApi` requests (`cloud.openapi.*`). */
  openApiRequests: number;
  /** Any other protocol request: storage, nested `cloud.callFunction`. */
  otherRequests: number;
  ms: number;
  ok: boolean;
  startedAt: string;
}

export type ProtocolRequestKind = 'db' | 'openApi' | 'other';

/** A call's answer, or why it failed; `call` is null when no such function exists. */
export interface Invocation {
  call: FunctionCall | null;
  result?: unknown;
  error?: CloudError;
}

export interface InvokeOptions {
  extraEnv?: Record<string, string>;
  parentId?: number;
}

interface Running {
  functionName: string;
  caller: CallerContext;
  call: FunctionCall;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface RunningFunction {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Local default when a function's config.json sets no timeout (the cloud's own default is 3 s). */
const DEFAULT_TIMEOUT_S = 20;
/** How many finished calls `calls` keeps. */
const CALL_LOG_SIZE = 500;

/**
 * Hosts cloud functions as the cloud does: each function in its own worker (no module state
 * shared across functions), each call with its own WeChat context, nested calls and timer
 * triggers included.
 */
export class FunctionHost {
  private readonly running = new Map<string, RunningFunction>();
  /**
   * Per-invocation tokens (the cloud's WX_API_TOKEN): the SDK sends the running call's token with
   * every request (`wxCloudApiToken`), so a request is traced to the exact call that made it.
   */
  private readonly invocations = new Map<string, Running>();
  /** Finished calls, oldest first, the last CALL_LOG_SIZE of them. */
  readonly calls: FunctionCall[] = [];
  private nextId = 1;
  private tickTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly functionsDir: string | undefined,
    private readonly baseEnv: () => Record<string, string>,
    private readonly log: (line: string) => void,
    private readonly clock: LocalClock,
  ) {}

  list(): FunctionInfo[] {
    if (!this.functionsDir || !fs.existsSync(this.functionsDir)) return [];
    return fs
      .readdirSync(this.functionsDir, { withFileTypes: true })
      .filter(
        (entry) =>
          entry.isDirectory() && fs.existsSync(path.join(this.functionsDir!, entry.name, 'index.js')),
      )
      .map((entry) => this.info(entry.name))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private info(name: string): FunctionInfo {
    const dir = path.join(this.functionsDir!, name);
    const configFile = path.join(dir, 'config.json');
    const config = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, 'utf8')) : {};
    const triggers: { name: string; type: string; config: string }[] = Array.isArray(config.triggers)
      ? config.triggers
      : [];
    return {
      name,
      entry: path.join(dir, 'index.js'),
      timeoutMs: Number(config.timeout ?? DEFAULT_TIMEOUT_S) * 1000,
      timers: triggers
        .filter((trigger) => trigger.type === 'timer')
        .map((trigger) => ({
          name: trigger.name,
          config: trigger.config,
          schedule: parseCron(trigger.config),
        })),
    };
  }

  callerOf(token: string | undefined): Running | undefined {
    return token ? this.invocations.get(token) : undefined;
  }

  /** Counts a protocol request against the call whose token it carries (none: not from a running call). */
  countRequest(token: string | undefined, kind: ProtocolRequestKind): void {
    const call = this.callerOf(token)?.call;
    if (!call) return;
    if (kind === 'db') call.dbRequests += 1;
    else if (kind === 'openApi') call.openApiRequests += 1;
    else call.otherRequests += 1;
  }

  async invoke(name: string, event: unknown, caller: CallerContext, options: InvokeOptions = {}) {
    const { result, error } = await this.run(name, event, caller, options);
    if (error) throw error;
    return result;
  }

  /** Runs one call and answers with its record, whether it succeeded or not. */
  async run(
    name: string,
    event: unknown,
    caller: CallerContext,
    options: InvokeOptions = {},
  ): Promise<Invocation> {
    if (
      !/^[A-Za-z0-9_-]{1,60}$/.test(name) ||
      !this.functionsDir ||
      !fs.existsSync(path.join(this.functionsDir, name, 'index.js'))
    ) {
      return { call: null, error: new CloudError('FUNCTIONS_REQUEST_FAIL', `云函数 ${name} 不存在`) };
    }
    const info = this.info(name);
    const running = this.start(info);
    const id = this.nextId++;
    const token = randomBytes(12).toString('hex');
    const action = (event as { action?: unknown } | null)?.action;
    const call: FunctionCall = {
      id,
      function: name,
      action: typeof action === 'string' ? action : null,
      source: caller.SOURCE,
      parentId: options.parentId ?? null,
      dbRequests: 0,
      openApiRequests: 0,
      otherRequests: 0,
      ms: 0,
      ok: false,
      startedAt: new Date().toISOString(),
    };
    this.invocations.set(token, { functionName: name, caller, call });
    const started = performance.now();
    const env: Record<string, string> = {
      ...options.extraEnv,
      WX_API_TOKEN: token,
      TCB_SOURCE: caller.SOURCE,
      SCF_FUNCTIONNAME: name,
    };
    for (const key of ['OPENID', 'APPID', 'UNIONID', 'CLIENTIP'] as const)
      env[`WX_${key}`] = caller[key] ?? '';
    try {
      const result = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          running.pending.delete(id);
          reject(
            new CloudError(
              'FUNCTIONS_EXECUTE_FAIL',
              `云函数 ${name} 执行超时（${info.timeoutMs / 1000} 秒）: Task timed out`,
            ),
          );
        }, info.timeoutMs);
        running.pending.set(id, { resolve, reject, timer });
        running.worker.postMessage({ id, event, env });
      });
      call.ok = true;
      return { call, result };
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      return { call, error };
    } finally {
      this.invocations.delete(token);
      call.ms = Math.round((performance.now() - started) * 10) / 10;
      this.calls.push(call);
      if (this.calls.length > CALL_LOG_SIZE) this.calls.splice(0, this.calls.length - CALL_LOG_SIZE);
    }
  }

  private start(info: FunctionInfo): RunningFunction {
    const known = this.running.get(info.name);
    if (known) return known;
    const base = this.baseEnv();
    const folder = path.dirname(info.entry);
    const worker = new Worker(workerScript(), {
      workerData: { entry: info.entry, clock: this.clock.shared },
      env: {
        ...base,
        NODE_PATH: [folder, path.join(folder, 'node_modules'), base.NODE_PATH]
          .filter(Boolean)
          .join(path.delimiter),
        WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID,WX_UNIONID,WX_CLIENTIP',
        // node-sdk 2.x reads TCB_CONTEXT_CNFG (where to send requests) only when this names it.
        TCB_CONTEXT_KEYS: 'TCB_ENV,TCB_SOURCE,TRIGGER_SRC,TCB_CONTEXT_CNFG,WX_API_TOKEN',
      },
    });
    const running: RunningFunction = { worker, pending: new Map() };
    worker.on(
      'message',
      (message: { id: number; ok: boolean; result?: unknown; message?: string; stack?: string }) => {
        const pending = running.pending.get(message.id);
        if (!pending) return;
        running.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.result);
        else {
          this.log(`[function ${info.name}] ${message.stack ?? message.message}`);
          pending.reject(
            new CloudError('FUNCTIONS_EXECUTE_FAIL', `云函数 ${info.name} 执行失败: ${message.message}`),
          );
        }
      },
    );
    const fail = (reason: string) => {
      this.running.delete(info.name);
      for (const pending of running.pending.values()) {
        clearTimeout(pending.timer);
        pending.reject(new CloudError('FUNCTIONS_EXECUTE_FAIL', `云函数 ${info.name} 进程退出: ${reason}`));
      }
      running.pending.clear();
    };
    worker.on('error', (error) => {
      this.log(`[function ${info.name}] crashed: ${error.stack ?? error.message}`);
      fail(error.message);
    });
    worker.on('exit', (code) => fail(`exit code ${code}`));
    worker.unref();
    this.running.set(info.name, running);
    return running;
  }

  /** Fires timer triggers once a second against each function's config.json. */
  startTimers(appId: string): void {
    let lastSecond = Math.floor(this.clock.now() / 1000);
    this.tickTimer = setInterval(() => {
      const second = Math.floor(this.clock.now() / 1000);
      // A clock moved back fires nothing until it passes the last second again; moved forward, a
      // jump fires the timers of its last minute only (not every minute skipped).
      for (let s = Math.max(lastSecond + 1, second - 59); s <= second; s++)
        this.fireTimers(new Date(s * 1000), appId);
      lastSecond = Math.max(lastSecond, second);
    }, 250);
    this.tickTimer.unref();
  }

  fireTimers(at: Date, appId: string): Promise<unknown>[] {
    const runs: Promise<unknown>[] = [];
    for (const fn of this.list()) {
      for (const timer of fn.timers) {
        if (!timer.schedule.matches(at)) continue;
        const event = { Type: 'Timer', TriggerName: timer.name, Time: at.toISOString(), Message: '' };
        const run = this.invoke(
          fn.name,
          event,
          { SOURCE: 'wx_timer', APPID: appId },
          { extraEnv: { TRIGGER_SRC: 'timer' } },
        ).catch((error: Error) => this.log(`[timer ${fn.name}/${timer.name}] ${error.message}`));
        runs.push(run);
      }
    }
    return runs;
  }

  async close(): Promise<void> {
    if (this.tickTimer) clearInterval(this.tickTimer);
    const workers = [...this.running.values()].map((running) => running.worker);
    this.running.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** The worker runs from the bundle next to this file, or from the build when this runs from source (tests). */
function workerScript(): string {
  const candidates = [
    path.join(__dirname, 'worker.js'),
    path.resolve(__dirname, '../local/worker.js'),
    path.resolve(__dirname, '../../build/local/worker.js'),
  ];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error('build/local/worker.js is missing: run `npm run build` first');
  return found;
}
