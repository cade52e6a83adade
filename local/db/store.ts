import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { find as mingoFind, Query } from 'mingo';
import { CloudError } from '../errors';
import type { CollectionSpec, IndexSpec } from '../schema';
import { jsonPath, keyExpression, planQuery, type SortSpec, type SqlPlan } from './planner';
import { type Doc, decodeStored, encodeStored, readPath } from './values';

export type Connection = Database.Database;

export interface FindOptions {
  filter: Doc;
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: Doc;
}

interface CollectionState {
  table: string;
  indexes: IndexSpec[];
  indexed: Set<string>;
  multikey: Set<string>;
  count: number | undefined;
}

const COLLECTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Above this size a query the indexes cannot serve is worth a warning (PLATFORM.md: it would scan and time out). */
export const ADVISOR_THRESHOLD = 10_000;

/**
 * The durable half of the local cloud: one SQLite table of JSON documents per collection,
 * declared indexes as expression indexes, WAL so an acknowledged write survives `kill -9`.
 * Two connections: `main` for everything outside transactions and `tx` for the one
 * transaction that may be open (the engine serializes writers), so other readers keep seeing
 * only committed data.
 */
export class DocumentStore {
  readonly main: Connection;
  readonly tx: Connection;
  private readonly collections = new Map<string, CollectionState>();
  private readonly advised = new Set<string>();
  private readonly statements = new Map<Connection, Map<string, Database.Statement>>();

  constructor(
    dataDir: string,
    private readonly warn: (message: string) => void = console.warn,
  ) {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'database.sqlite');
    this.main = openConnection(file);
    this.main.exec(`CREATE TABLE IF NOT EXISTS _collections (name TEXT PRIMARY KEY, indexes TEXT NOT NULL DEFAULT '[]');
      CREATE TABLE IF NOT EXISTS _multikey (collection TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (collection, path));`);
    this.tx = openConnection(file);
    const rows = this.main.prepare('SELECT name, indexes FROM _collections').all() as {
      name: string;
      indexes: string;
    }[];
    for (const row of rows) this.remember(row.name, JSON.parse(row.indexes));
    const multikey = this.main.prepare('SELECT collection, path FROM _multikey').all() as {
      collection: string;
      path: string;
    }[];
    for (const row of multikey) this.collections.get(row.collection)?.multikey.add(row.path);
  }

  close(): void {
    this.tx.close();
    this.main.close();
  }

  has(name: string): boolean {
    return this.collections.has(name);
  }

  names(): string[] {
    return [...this.collections.keys()].sort();
  }

  /** Creates or updates collections and their indexes from the declared schema. */
  declare(specs: CollectionSpec[]): void {
    for (const spec of specs) this.createCollection(spec.name, spec.indexes);
  }

  createCollection(name: string, indexes: IndexSpec[] = []): void {
    if (!COLLECTION_NAME.test(name)) {
      throw new CloudError('DATABASE_INVALID_PARAM', `集合名不合法: ${name}`);
    }
    const table = tableName(name);
    const all = [...(this.collections.get(name)?.indexes ?? [])];
    const changed: IndexSpec[] = [];
    for (const index of indexes) {
      const existing = all.findIndex((known) => known.name === index.name);
      // Rebuilding an index over a big collection is slow: only touch the ones whose definition changed.
      if (existing >= 0 && JSON.stringify(all[existing]) === JSON.stringify(index)) continue;
      changed.push(index);
      if (existing >= 0) all[existing] = index;
      else all.push(index);
    }
    if (this.collections.has(name) && changed.length === 0) return;
    this.main.transaction(() => {
      this.main.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)`);
      for (const index of changed) {
        const keys = Object.entries(index.keys)
          .map(([field, direction]) => `${keyExpression(field)} ${direction === -1 ? 'DESC' : 'ASC'}`)
          .join(', ');
        const sqlName = `"ix_${name}_${index.name}"`;
        this.main.exec(`DROP INDEX IF EXISTS ${sqlName}`);
        this.main.exec(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${sqlName} ON ${table} (${keys})`);
      }
      this.main
        .prepare(
          'INSERT INTO _collections (name, indexes) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET indexes = excluded.indexes',
        )
        .run(name, JSON.stringify(all));
    })();
    this.remember(name, all);
  }

  private remember(name: string, indexes: IndexSpec[]): void {
    const known = this.collections.get(name);
    const indexed = new Set(indexes.flatMap((index) => Object.keys(index.keys)));
    if (known) Object.assign(known, { indexes, indexed });
    else
      this.collections.set(name, {
        table: tableName(name),
        indexes,
        indexed,
        multikey: new Set(),
        count: undefined,
      });
  }

  private state(name: string): CollectionState {
    const state = this.collections.get(name);
    if (!state) {
      throw new CloudError(
        'DATABASE_COLLECTION_NOT_EXIST',
        `Db or Table not exist: ${name}. 集合 ${name} 不存在，请先创建`,
      );
    }
    return state;
  }

  newId(): string {
    return randomBytes(16).toString('hex');
  }

  /**
   * Prepared statements are reused per connection (preparing costs as much as a small query).
   * A statement still iterating (an open scan) cannot run again, so a busy one gets a fresh twin.
   */
  private statement(conn: Connection, sql: string): Database.Statement {
    let cache = this.statements.get(conn);
    if (!cache) {
      cache = new Map();
      this.statements.set(conn, cache);
    }
    const cached = cache.get(sql);
    if (cached && !cached.busy) return cached;
    const fresh = conn.prepare(sql);
    if (!cached) cache.set(sql, fresh);
    return fresh;
  }

  insert(conn: Connection, collection: string, docs: Doc[]): string[] {
    const state = this.state(collection);
    const insert = this.statement(conn, `INSERT INTO ${state.table} (id, doc) VALUES (?, ?)`);
    const ids = docs.map((doc) => {
      const id = doc._id === undefined ? this.newId() : String(doc._id);
      const stored = { ...doc, _id: id };
      this.checkUniqueNulls(conn, collection, state, stored, id);
      this.noteMultikey(conn, collection, state, stored);
      runWrite(() => insert.run(id, encodeStored(stored)), collection, state, stored);
      return id;
    });
    if (state.count !== undefined) state.count += ids.length;
    return ids;
  }

  replace(conn: Connection, collection: string, doc: Doc): void {
    const state = this.state(collection);
    this.checkUniqueNulls(conn, collection, state, doc, doc._id);
    this.noteMultikey(conn, collection, state, doc);
    const update = this.statement(conn, `UPDATE ${state.table} SET doc = ? WHERE id = ?`);
    runWrite(() => update.run(encodeStored(doc), doc._id), collection, state, doc);
  }

  remove(conn: Connection, collection: string, ids: string[]): number {
    const state = this.state(collection);
    const statement = this.statement(conn, `DELETE FROM ${state.table} WHERE id = ?`);
    let removed = 0;
    for (const id of ids) removed += statement.run(id).changes;
    if (state.count !== undefined) state.count -= removed;
    return removed;
  }

  /** Streams matching documents in sort order without holding the collection in memory. */
  *scan(conn: Connection, collection: string, filter: Doc, sort: SortSpec = []): Generator<Doc> {
    const state = this.state(collection);
    const plan = planQuery(filter, sort, state);
    this.advise(conn, collection, state, plan, filter, sort);
    const query = plan.exact ? null : new Query(filter);
    const rows = this.statement(conn, selectSql(state.table, plan))
      .pluck()
      .iterate(...(plan.params as unknown[]));
    for (const text of rows as Iterable<string>) {
      const doc = decodeStored(text);
      if (!query || query.test(doc)) yield doc;
    }
  }

  find(conn: Connection, collection: string, options: FindOptions): Doc[] {
    const { filter, sort = [], skip = 0, limit = 100, projection } = options;
    const state = this.state(collection);
    const plan = planQuery(filter, sort, state);
    if (sort.length !== plan.orderBy.length) {
      // A sort SQL cannot express (array or odd paths): let mingo order the matches.
      const matches = [...this.scan(conn, collection, filter)];
      return project(
        mingoFind(matches, {}).sort(Object.fromEntries(sort)).skip(skip).limit(limit).all() as Doc[],
        projection,
      );
    }
    const out: Doc[] = [];
    if (plan.exact) {
      this.advise(conn, collection, state, plan, filter, sort);
      const sql = `${selectSql(state.table, plan)} LIMIT ? OFFSET ?`;
      for (const text of this.statement(conn, sql)
        .pluck()
        .all(...(plan.params as unknown[]), limit, skip) as string[]) {
        out.push(decodeStored(text));
      }
      return project(out, projection);
    }
    let skipped = 0;
    for (const doc of this.scan(conn, collection, filter, sort)) {
      if (skipped++ < skip) continue;
      if (out.length >= limit) break;
      out.push(doc);
    }
    return project(out, projection);
  }

  count(conn: Connection, collection: string, filter: Doc): number {
    const state = this.state(collection);
    const plan = planQuery(filter, [], state);
    if (plan.exact) {
      this.advise(conn, collection, state, plan, filter, []);
      const where = plan.where.length ? ` WHERE ${plan.where.join(' AND ')}` : '';
      return this.statement(conn, `SELECT COUNT(*) FROM ${state.table}${where}`)
        .pluck()
        .get(...(plan.params as unknown[])) as number;
    }
    let total = 0;
    for (const _ of this.scan(conn, collection, filter)) total++;
    return total;
  }

  /**
   * `{$match} {$group: {_id: "$key", x: {$sum: "$field" | n}}}` answered by SQL's GROUP BY when
   * the match is exact and the key and summed fields are top-level; null when it cannot be (the
   * caller then runs the stages itself). Keys holding objects or arrays also give null: SQL would
   * not group them as the database does.
   */
  groupSums(
    conn: Connection,
    collection: string,
    filter: Doc,
    key: string,
    sums: Record<string, string | number>,
  ): Doc[] | null {
    const state = this.state(collection);
    const plan = planQuery(filter, [], state);
    const fields = [key, ...Object.values(sums).filter((v): v is string => typeof v === 'string')];
    if (!plan.exact || fields.some((f) => f !== '_id' && (f.includes('.') || !jsonPath(f)))) return null;
    this.advise(conn, collection, state, plan, filter, []);
    const keyType = key === '_id' ? `'text'` : `json_type(doc,'${jsonPath(key)}')`;
    const keyValue = key === '_id' ? 'id' : `json_extract(doc,'${jsonPath(key)}')`;
    const names = Object.keys(sums);
    const totals = names.map((name) => {
      const source = sums[name];
      if (typeof source === 'number') return `${source} * COUNT(*)`;
      const json = jsonPath(source);
      return `SUM(CASE WHEN json_type(doc,'${json}') IN ('integer','real') THEN json_extract(doc,'${json}') ELSE 0 END)`;
    });
    const where = plan.where.length ? ` WHERE ${plan.where.join(' AND ')}` : '';
    const sql = `SELECT ${keyType}, ${keyValue}, ${totals.join(', ')} FROM ${state.table}${where} GROUP BY 1, 2`;
    const rows = this.statement(conn, sql)
      .raw()
      .all(...(plan.params as unknown[])) as unknown[][];
    const groups = new Map<string, Doc>();
    for (const [type, value, ...sumsOfRow] of rows) {
      if (type === 'object' || type === 'array') return null;
      // Missing and null group together, as booleans stay booleans.
      const id =
        type === null || type === 'null' ? null : type === 'true' ? true : type === 'false' ? false : value;
      const groupKey = `${typeof id}:${String(id)}`;
      const group = groups.get(groupKey) ?? { _id: id, ...Object.fromEntries(names.map((n) => [n, 0])) };
      names.forEach((name, i) => {
        group[name] += Number(sumsOfRow[i]);
      });
      groups.set(groupKey, group);
    }
    return [...groups.values()];
  }

  /** Counts are cached for the advisor; a rolled-back transaction makes them unknown again. */
  forgetCounts(): void {
    for (const state of this.collections.values()) state.count = undefined;
  }

  private size(conn: Connection, state: CollectionState): number {
    if (state.count === undefined)
      state.count = this.statement(conn, `SELECT COUNT(*) FROM ${state.table}`).pluck().get() as number;
    return state.count;
  }

  /** Index advisor: on a big collection, a query SQLite would answer by a full scan gets a warning. */
  private advise(
    conn: Connection,
    collection: string,
    state: CollectionState,
    plan: SqlPlan,
    filter: Doc,
    sort: SortSpec,
  ): void {
    if (Object.keys(filter).length === 0 && sort.length === 0) return;
    if (this.size(conn, state) <= ADVISOR_THRESHOLD) return;
    const shape = `${collection} ${queryShape(filter)} sort ${JSON.stringify(sort)}`;
    if (this.advised.has(shape)) return;
    this.advised.add(shape);
    const explained = conn
      .prepare(`EXPLAIN QUERY PLAN ${selectSql(state.table, plan)}`)
      .all(...(plan.params as unknown[])) as { detail: string }[];
    const scans = explained.some(
      (row) => /^SCAN /.test(row.detail) && !/USING (COVERING )?INDEX/.test(row.detail),
    );
    const sorts = sort.length > 0 && explained.some((row) => row.detail.includes('TEMP B-TREE'));
    if (scans || sorts) {
      this.warn(
        `[index advisor] ${collection}（${state.count} 条）上的查询没有可用的声明索引：${queryShape(filter)} 排序 ${JSON.stringify(sort)}。` +
          '在云端这会全表扫描并超时，请在 schema 中为它声明索引。',
      );
    }
  }

  /** SQLite treats NULLs in a unique index as distinct; the cloud treats a missing field as null. */
  private checkUniqueNulls(
    conn: Connection,
    collection: string,
    state: CollectionState,
    doc: Doc,
    id: string,
  ): void {
    for (const index of state.indexes) {
      if (!index.unique) continue;
      const fields = Object.keys(index.keys);
      const values = fields.map((field) => readPath(doc, field).value ?? null);
      if (!values.includes(null)) continue;
      const where = fields.map((field) => `${keyExpression(field)} IS ?`).join(' AND ');
      const params = values.map((value) => (value instanceof Date ? value.getTime() : value));
      const clash = this.statement(conn, `SELECT id FROM ${state.table} WHERE ${where} AND id != ? LIMIT 1`)
        .pluck()
        .get(...params, id);
      if (clash) throw duplicateKey(collection, index, doc);
    }
  }

  private noteMultikey(conn: Connection, collection: string, state: CollectionState, doc: Doc): void {
    for (const index of state.indexes) {
      for (const field of Object.keys(index.keys)) {
        if (state.multikey.has(field) || !readPath(doc, field).throughArray) continue;
        state.multikey.add(field);
        this.statement(conn, 'INSERT OR IGNORE INTO _multikey (collection, path) VALUES (?, ?)').run(
          collection,
          field,
        );
      }
    }
  }
}

function openConnection(file: string): Connection {
  const conn = new Database(file);
  conn.pragma('journal_mode = WAL');
  // NORMAL keeps every committed transaction across a process crash (kill -9); only an OS crash may lose the last ones.
  conn.pragma('synchronous = NORMAL');
  conn.pragma('busy_timeout = 5000');
  return conn;
}

function tableName(collection: string): string {
  return `"c_${collection}"`;
}

function selectSql(table: string, plan: SqlPlan): string {
  const where = plan.where.length ? ` WHERE ${plan.where.join(' AND ')}` : '';
  const order = plan.orderBy.length ? ` ORDER BY ${plan.orderBy.join(', ')}` : '';
  return `SELECT doc FROM ${table}${where}${order}`;
}

function runWrite(write: () => unknown, collection: string, state: CollectionState, doc: Doc): void {
  try {
    write();
  } catch (error) {
    // Not `instanceof Error`: native-module errors may come from another realm (jest's sandbox).
    const message = String((error as { message?: unknown })?.message ?? error);
    if (!message.startsWith('UNIQUE constraint failed')) throw error;
    const indexName = /index '([^']+)'/.exec(message)?.[1]?.replace(`ix_${collection}_`, '');
    const index = state.indexes.find((known) => known.name === indexName) ?? {
      name: '_id_',
      keys: { _id: 1 as const },
    };
    throw duplicateKey(collection, index, doc);
  }
}

function duplicateKey(collection: string, index: IndexSpec, doc: Doc): CloudError {
  const key = Object.fromEntries(
    Object.keys(index.keys).map((field) => [field, readPath(doc, field).value ?? null]),
  );
  return new CloudError(
    'DATABASE_REQUEST_FAILED',
    `E11000 duplicate key error collection: ${collection} index: ${index.name} dup key: ${JSON.stringify(key)}`,
  );
}

function project(docs: Doc[], projection: Doc | undefined): Doc[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  return mingoFind(docs, {}, projection).all() as Doc[];
}

/** The filter with every value replaced by its type: what the advisor reports. */
export function queryShape(filter: unknown): string {
  const shape = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
    if (value instanceof Date) return '<date>';
    if (value instanceof RegExp) return '<regex>';
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
    return `<${typeof value}>`;
  };
  return JSON.stringify(shape(filter));
}
