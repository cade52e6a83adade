import cloud from 'wx-server-sdk';

/**
 * The one place a function meets wx-server-sdk. `init` runs once per process; the environment is
 * whichever one invoked the function (the SDK's typings say string, its runtime takes the symbol).
 */
let initialised = false;

export function wxCloud(): typeof cloud {
  if (!initialised) {
    cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });
    initialised = true;
  }
  return cloud;
}

/** The SDK's database handle, typed loosely: its own typings cover little of the query API. */
export type Database = any;

export function database(): Database {
  return wxCloud().database();
}

export interface Caller {
  openid: string | null;
  unionid: string | null;
  envId: string;
  source: string | null;
}

/** Who called: only ever from the platform's context, never from the request body. */
export function callerContext(): Caller {
  const context = wxCloud().getWXContext() as Record<string, string | undefined>;
  return {
    openid: context.OPENID || null,
    unionid: context.UNIONID || null,
    envId: context.ENV || process.env.TCB_ENV || 'unknown',
    source: context.SOURCE || null,
  };
}
