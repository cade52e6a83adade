import { Aggregator, update as applyUpdate } from 'mingo';
import { CloudError } from '../errors';
import type { SortSpec } from './planner';
import type { Connection, DocumentStore } from './store';
import { type Doc, isPlainObject, parseWire, toWire } from './values';

/** The server's page size ceiling for `get()` (PLATFORM.md: 100 by default, at most 1000). */
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;
/** The cloud aborts a transaction left open this long. */
const TRANSACTION_TIMEOUT_MS = 30_000;

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$rename',
  '$min',
  '$max',
  '$pop',
  '$currentDate',
]);

export type ProtocolRequest = Record<string, unknown>;
/** What an action answers, before `requestId` is added: `{data}` or, for transactions, `{transactionId}`. */
export type ProtocolAnswer = Record<string, unknown>;

/** A FIFO lock: one writer at a time, so a transaction is isolated from every other write. */
class WriteLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const granted = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return granted;
  }

  async run<T>(work: () => T): Promise<T> {
    const release = await this.acquire();
    try {
      return work();
    } finally {
      release();
    }
  }
}

interface OpenTransaction {
  release: () => void;
  timer: NodeJS.Timeout;
}

/** Executes the `database.*` actions of the CloudBase admin protocol against the store. */
export class DatabaseEngine {
  private readonly lock = new WriteLock();
  private readonly transactions = new Map<string, OpenTransaction>();

  /** `now`: the local cloud's clock, for `serverDate()`. */
  constructor(
    private readonly store: DocumentStore,
    private readonly now: () => number = Date.now,
  ) {}

  async handle(action: string, request: ProtocolRequest): Promise<ProtocolAnswer> {
    try {
      return await this.dispatch(action, request);
    } catch (error) {
      if (error instanceof CloudError) throw error;
      // mingo rejects unknown operators and malformed expressions by throwing plain errors.
      throw new CloudError('DATABASE_REQUEST_FAILED', `数据库请求失败: ${(error as Error).message}`);
    }
  }

  private async dispatch(action: string, request: ProtocolRequest): Promise<ProtocolAnswer> {
    switch (action) {
      case 'database.startTransaction':
        return { transactionId: await this.startTransaction() };
      case 'database.commitTransaction':
        return { transactionId: this.endTransaction(request, 'COMMIT') };
      case 'database.abortTransaction':
        return { transactionId: this.endTransaction(request, 'ROLLBACK') };
      case 'database.addCollection':
        return this.write(request, () => {
          const name = collectionName(request);
          if (this.store.has(name))
            throw new CloudError('DATABASE_COLLECTION_ALREADY_EXIST', `集合 ${name} 已存在`);
          this.store.createCollection(name);
          return {};
        });
      case 'database.getDocument':
        return { data: this.get(this.connection(request), request) };
      case 'database.calculateDocument':
        return {
          data: {
            total: this.store.count(
              this.connection(request),
              collectionName(request),
              wireObject(request.query, this.now()),
            ),
          },
        };
      case 'database.aggregateDocuments':
        return { data: { list: this.aggregate(this.connection(request), request).map(toWire) } };
      case 'database.aggregate':
        // The older client (@cloudbase/database 0.x) reads `list` as one JSON string of EJSON strings.
        return {
          data: { list: JSON.stringify(this.aggregate(this.connection(request), request).map(toWire)) },
        };
      case 'database.insertDocument':
        return this.write(request, (conn) => ({ insertedIds: this.insert(conn, request) }));
      case 'database.modifyDocument':
        return this.write(request, (conn) => {
          const { updated, upsertId } = this.modify(conn, request);
          return upsertId ? { updated, upsert_id: upsertId } : { updated };
        });
      case 'database.modifyAndReturnDoc':
        return this.write(request, (conn) => {
          const { updated, doc } = this.modify(conn, { ...request, multi: false });
          return { updated, doc: doc ? toWire(doc) : null };
        });
      case 'database.removeDocument':
        return this.write(request, (conn) => ({ deleted: this.remove(conn, request) }));
      default:
        throw new CloudError('INVALID_PARAM', `不支持的操作: ${action}`);
    }
  }

  /** Writes outside a transaction wait for the lock; inside one, the transaction already holds it. */
  private async write(
    request: ProtocolRequest,
    work: (conn: Connection) => unknown,
  ): Promise<ProtocolAnswer> {
    if (request.transactionId !== undefined) return { data: work(this.connection(request)) };
    return { data: await this.lock.run(() => this.store.main.transaction(() => work(this.store.main))()) };
  }

  private connection(request: ProtocolRequest): Connection {
    const id = request.transactionId;
    if (id === undefined || id === '') return this.store.main;
    if (typeof id !== 'string' || !this.transactions.has(id)) {
      throw new CloudError('DATABASE_TRANSACTION_FAIL', `事务 ${String(id)} 不存在或已结束`);
    }
    return this.store.tx;
  }

  private async startTransaction(): Promise<string> {
    const release = await this.lock.acquire();
    const id = this.store.newId();
    this.store.tx.exec('BEGIN IMMEDIATE');
    const timer = setTimeout(
      () => this.endTransaction({ transactionId: id }, 'ROLLBACK'),
      TRANSACTION_TIMEOUT_MS,
    );
    timer.unref();
    this.transactions.set(id, { release, timer });
    return id;
  }

  private endTransaction(request: ProtocolRequest, how: 'COMMIT' | 'ROLLBACK'): string {
    const id = request.transactionId;
    const open = typeof id === 'string' ? this.transactions.get(id) : undefined;
    if (!open || typeof id !== 'string')
      throw new CloudError('DATABASE_TRANSACTION_FAIL', `事务 ${String(id)} 不存在或已结束`);
    this.transactions.delete(id);
    clearTimeout(open.timer);
    try {
      this.store.tx.exec(how);
    } finally {
      if (how === 'ROLLBACK') this.store.forgetCounts();
      open.release();
    }
    return id;
  }

  /** Aborts whatever is open (shutdown). */
  abortAll(): void {
    for (const id of [...this.transactions.keys()]) this.endTransaction({ transactionId: id }, 'ROLLBACK');
  }

  private get(conn: Connection, request: ProtocolRequest): Doc {
    const limit = request.limit === undefined ? DEFAULT_LIMIT : nonNegativeInteger(request.limit, 'limit');
    const offset = request.offset === undefined ? 0 : nonNegativeInteger(request.offset, 'offset');
    const list = this.store.find(conn, collectionName(request), {
      filter: wireObject(request.query, this.now()),
      sort: sortSpec(request.order),
      skip: offset,
      limit: Math.min(limit, MAX_LIMIT),
      projection: request.projection === undefined ? undefined : wireObject(request.projection, this.now()),
    });
    return { list: list.map(toWire), limit: Math.min(limit, MAX_LIMIT), offset };
  }

  private insert(conn: Connection, request: ProtocolRequest): string[] {
    const collection = collectionName(request);
    const data = request.data;
    if (!Array.isArray(data) || data.length === 0)
      throw new CloudError('INVALID_PARAM', 'data 必须是非空的文档数组');
    const now = this.now();
    const docs = data.map((item) => {
      const doc = typeof item === 'string' ? parseWireSafely(item, now) : undefined;
      if (!isPlainObject(doc)) throw new CloudError('INVALID_PARAM', '每个文档必须是对象');
      return doc;
    });
    return this.store.insert(conn, collection, docs);
  }

  private modify(
    conn: Connection,
    request: ProtocolRequest,
  ): { updated: number; upsertId?: string; doc?: Doc } {
    const collection = collectionName(request);
    const filter = wireObject(request.query, this.now());
    const data = wireObject(request.data, this.now());
    const replace = request.merge === false;
    const operators = Object.keys(data).filter((key) => key.startsWith('$'));
    if (replace && operators.length > 0)
      throw new CloudError('INVALID_PARAM', 'set 的数据不能包含更新操作符');
    if (!replace && operators.length > 0 && operators.length !== Object.keys(data).length) {
      throw new CloudError('INVALID_PARAM', '更新数据不能混用操作符和普通字段');
    }
    const unknown = operators.find((operator) => !UPDATE_OPERATORS.has(operator));
    if (unknown) throw new CloudError('DATABASE_INVALID_OPERRATOR', `不支持的更新操作符: ${unknown}`);
    const modifier: Doc = replace || operators.length > 0 ? data : { $set: data };
    if (!replace && Object.values(modifier).some((fields) => isPlainObject(fields) && '_id' in fields)) {
      throw new CloudError('INVALID_PARAM', '不能修改 _id');
    }

    const targets: Doc[] = [];
    for (const doc of this.store.scan(conn, collection, filter)) {
      targets.push(doc);
      if (request.multi !== true) break;
    }
    for (const doc of targets) {
      const next = replace ? { ...data, _id: doc._id } : updated(doc, modifier);
      this.store.replace(conn, collection, next);
      if (request.multi !== true) return { updated: 1, doc: next };
    }
    if (targets.length > 0 || request.upsert !== true) return { updated: targets.length };

    const seed = Object.fromEntries(
      Object.entries(filter).filter(([key, value]) => !key.startsWith('$') && !isPlainObject(value)),
    );
    const inserted = replace ? { ...data, _id: seed._id } : updated(seed, modifier);
    const [upsertId] = this.store.insert(conn, collection, [inserted]);
    return { updated: 0, upsertId, doc: { ...inserted, _id: upsertId } };
  }

  private remove(conn: Connection, request: ProtocolRequest): number {
    const collection = collectionName(request);
    const ids: string[] = [];
    for (const doc of this.store.scan(conn, collection, wireObject(request.query, this.now()))) {
      ids.push(doc._id);
      if (request.multi !== true) break;
    }
    return this.store.remove(conn, collection, ids);
  }

  private aggregate(conn: Connection, request: ProtocolRequest): Doc[] {
    const collection = collectionName(request);
    if (!Array.isArray(request.stages)) throw new CloudError('INVALID_PARAM', 'stages 必须是数组');
    const pipeline: Doc[] = request.stages.map((stage: any) => {
      if (typeof stage?.stageKey !== 'string' || typeof stage?.stageValue !== 'string') {
        throw new CloudError('INVALID_PARAM', '每个聚合阶段需要 stageKey 和 stageValue');
      }
      return { [stage.stageKey]: parseWireSafely(stage.stageValue, this.now()) };
    });
    // A leading $match is pushed down to the store so it can use an index.
    const first = pipeline[0];
    const leadingMatch = first && isPlainObject(first.$match) ? (pipeline.shift()!.$match as Doc) : {};
    const grouped = this.groupInSql(conn, collection, leadingMatch, pipeline[0]);
    if (grouped) pipeline.shift();
    const source = grouped ?? this.store.scan(conn, collection, leadingMatch);
    try {
      const aggregator = new Aggregator(pipeline, {
        collectionResolver: (name: string) => [...this.store.scan(conn, name, {})],
      });
      return aggregator.run(source) as Doc[];
    } catch (error) {
      if (error instanceof CloudError) throw error;
      throw new CloudError('DATABASE_REQUEST_FAILED', `聚合失败: ${(error as Error).message}`);
    }
  }

  /** A `$group` by one field summing fields (a dashboard's shape) is left to SQL where it can be. */
  private groupInSql(conn: Connection, collection: string, match: Doc, stage: Doc | undefined): Doc[] | null {
    const group = stage?.$group;
    if (!isPlainObject(group) || typeof group._id !== 'string' || !group._id.startsWith('$')) return null;
    const sums: Record<string, string | number> = {};
    for (const [name, accumulator] of Object.entries(group)) {
      if (name === '_id') continue;
      const operand =
        isPlainObject(accumulator) && Object.keys(accumulator).length === 1 ? accumulator.$sum : undefined;
      if (typeof operand === 'number' && Number.isFinite(operand)) sums[name] = operand;
      else if (typeof operand === 'string' && operand.startsWith('$') && !operand.startsWith('$$'))
        sums[name] = operand.slice(1);
      else return null;
    }
    return this.store.groupSums(conn, collection, match, group._id.slice(1), sums);
  }
}

/**
 * Updates in place: `doc` is freshly decoded from the store. (A structuredClone here made Dates of
 * another realm under jest, which mingo then copied as empty objects.)
 */
function updated(doc: Doc, modifier: Doc): Doc {
  try {
    applyUpdate(doc, modifier, undefined, undefined, { cloneMode: 'deep' });
  } catch (error) {
    throw new CloudError('DATABASE_REQUEST_FAILED', `更新失败: ${(error as Error).message}`);
  }
  return doc;
}

function collectionName(request: ProtocolRequest): string {
  const name = request.collectionName;
  if (typeof name !== 'string' || name === '') throw new CloudError('INVALID_PARAM', '缺少 collectionName');
  return name;
}

function parseWireSafely(text: string, now: number): unknown {
  try {
    return parseWire(text, now);
  } catch (error) {
    throw new CloudError('INVALID_PARAM', `EJSON 格式错误: ${(error as Error).message}`);
  }
}

function wireObject(value: unknown, now: number): Doc {
  if (value === undefined || value === null || value === '') return {};
  const parsed = typeof value === 'string' ? parseWireSafely(value, now) : value;
  if (!isPlainObject(parsed)) throw new CloudError('INVALID_PARAM', '查询条件必须是对象');
  return parsed;
}

function sortSpec(order: unknown): SortSpec {
  const spec = wireObject(order, Date.now());
  return Object.entries(spec).map(([path, direction]) => {
    if (direction !== 1 && direction !== -1)
      throw new CloudError('INVALID_PARAM', `排序方向必须是 1 或 -1: ${path}`);
    return [path, direction];
  });
}

function nonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new CloudError('INVALID_PARAM', `${name} 必须是非负整数`);
  }
  return value;
}
