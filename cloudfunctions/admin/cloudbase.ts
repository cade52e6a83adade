import tcb from '@cloudbase/node-sdk';
import type { Database } from '../runtime/cloud';

/**
 * The one place the admin function meets @cloudbase/node-sdk (HTTP-access calls carry no WeChat
 * context, so wx-server-sdk has nothing to offer here). The repositories are written against
 * wx-server-sdk's database dialect (`add({data})`, `update({data})`, `stats.updated`, a single
 * document from `doc().get()`); `wxDialect` speaks it over the node SDK so they are shared as is.
 */
let app: ReturnType<typeof tcb.init> | null = null;

export function cloudApp(): ReturnType<typeof tcb.init> {
  if (!app) app = tcb.init({ env: tcb.SYMBOL_CURRENT_ENV as unknown as string });
  return app;
}

export function database(): Database {
  return wxDialect(cloudApp().database());
}

const CHAINS = new Set(['collection', 'doc', 'where', 'orderBy', 'limit', 'skip', 'field', 'options']);
const WRAPPED_ARGUMENT = new Set(['add', 'update', 'set']);

function unwrapData(arg: unknown): unknown {
  if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
    const keys = Object.keys(arg);
    if (keys.length === 1 && keys[0] === 'data') return (arg as { data: unknown }).data;
  }
  return arg;
}

function normalize(method: string, result: any, isDoc: boolean): any {
  if (!result || typeof result !== 'object') return result;
  switch (method) {
    case 'add':
      return { ...result, _id: result.id };
    case 'update':
    case 'set':
      return { ...result, stats: { updated: result.updated ?? 0 } };
    case 'remove':
      return { ...result, stats: { removed: result.deleted ?? 0 } };
    case 'get':
      if (!isDoc) return result;
      {
        const doc = Array.isArray(result.data) ? result.data[0] : result.data;
        if (!doc) throw new Error('document does not exist');
        return { ...result, data: doc };
      }
    default:
      return result;
  }
}

function wxDialect<T extends object>(target: T, isDoc = false): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        if (WRAPPED_ARGUMENT.has(property)) args[0] = unwrapData(args[0]);
        if (property === 'runTransaction') {
          const body = args[0] as (tx: unknown) => unknown;
          return value.call(object, (tx: object) => body(wxDialect(tx)), ...args.slice(1));
        }
        const result = value.apply(object, args);
        if (CHAINS.has(property) && result && typeof result === 'object')
          return wxDialect(result, property === 'doc');
        if (result instanceof Promise) return result.then((r) => normalize(property, r, isDoc));
        return result;
      };
    },
  });
}

/** Stores a file in cloud storage; answers its fileID. */
export async function storeFile(cloudPath: string, content: Buffer): Promise<string> {
  const { fileID } = await cloudApp().uploadFile({ cloudPath, fileContent: content });
  return fileID;
}

/** Deletes stored files (an export's parts once joined; expired exports). */
export async function removeFiles(fileIDs: string[]): Promise<void> {
  if (fileIDs.length > 0) await cloudApp().deleteFile({ fileList: fileIDs });
}

/** A temporary download URL for a stored file. */
export async function fileUrl(fileID: string): Promise<string> {
  const { fileList } = await cloudApp().getTempFileURL({ fileList: [fileID] });
  const url = (fileList[0] as { tempFileURL?: string } | undefined)?.tempFileURL;
  if (!url) throw new Error(`no download URL for ${fileID}`);
  return url;
}

/** A stored file's bytes, fetched through its temporary URL (an export's parts, a poster's background). */
export async function readStoredFile(fileID: string): Promise<Buffer> {
  const res = await fetch(await fileUrl(fileID));
  if (!res.ok) throw new Error(`${fileID}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Calls another of the project's functions (the dispatch function's jobs and retries). */
export async function callFunction<T>(name: string, data: Record<string, unknown>): Promise<T> {
  const { result } = await cloudApp().callFunction({ name, data });
  return result as T;
}
