import { type Doc, isPlainObject } from './values';

/**
 * Translates a MongoDB-style filter and sort into SQL over a table of JSON documents.
 *
 * The pushed-down WHERE is always a superset of the true matches; when every condition of the
 * filter could be expressed exactly (`exact`), the engine skips re-checking rows with mingo and
 * can count, skip and limit in SQL. Each document path maps to one SQL expression, the same one
 * the declared indexes are built on, so SQLite's own planner picks the index.
 */
export interface SqlPlan {
  where: string[];
  params: unknown[];
  orderBy: string[];
  exact: boolean;
}

export type SortSpec = [path: string, direction: 1 | -1][];

const JSON_PATH_SEGMENT = /^[^".\\]+$/;

export function jsonPath(path: string): string | null {
  const segments = path.split('.');
  if (segments.some((segment) => !JSON_PATH_SEGMENT.test(segment) || /^\d+$/.test(segment))) return null;
  return '$' + segments.map((segment) => `."${segment}"`).join('');
}

/** The SQL key of a document path: its scalar value, with stored dates compared as epoch ms. */
export function keyExpression(path: string): string {
  if (path === '_id') return 'id';
  const json = jsonPath(path);
  if (!json) throw new Error(`path not indexable: ${path}`);
  return `iif(json_type(doc,'${json}')='object',json_extract(doc,'${json}."$date"'),json_extract(doc,'${json}'))`;
}

type ScalarClass = 'number' | 'string' | 'date';

function scalarClass(value: unknown): ScalarClass | null {
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : null;
  if (typeof value === 'string') return 'string';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : 'date';
  return null;
}

const JSON_TYPES: Record<ScalarClass, string> = {
  number: "('integer','real')",
  string: "('text')",
  date: "('object')",
};

function sqlValue(value: unknown): unknown {
  return value instanceof Date ? value.getTime() : value;
}

const RANGE_SQL: Record<string, string> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=', $eq: '=' };

/**
 * Only paths of declared indexes are pushed down: for those the store knows whether any document
 * holds an array there (a multikey path, where SQL equality would miss array members).
 */
export interface PathKnowledge {
  indexed: ReadonlySet<string>;
  multikey: ReadonlySet<string>;
}

export function planQuery(filter: Doc, sort: SortSpec, paths: PathKnowledge): SqlPlan {
  const plan: SqlPlan = { where: [], params: [], orderBy: [], exact: true };
  pushFilter(filter, plan, paths);
  for (const [path, direction] of sort) {
    if (path !== '_id' && (!jsonPath(path) || paths.multikey.has(path))) {
      plan.exact = false;
      continue;
    }
    plan.orderBy.push(`${keyExpression(path)} ${direction === -1 ? 'DESC' : 'ASC'}`);
  }
  return plan;
}

function pushFilter(filter: Doc, plan: SqlPlan, paths: PathKnowledge): void {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const part of condition) if (isPlainObject(part)) pushFilter(part, plan, paths);
      continue;
    }
    if (key.startsWith('$') || (key !== '_id' && (!paths.indexed.has(key) || paths.multikey.has(key)))) {
      plan.exact = false;
      continue;
    }
    pushPath(key, condition, plan);
  }
}

function pushPath(path: string, condition: unknown, plan: SqlPlan): void {
  const operators = isPlainObject(condition) && Object.keys(condition).every((k) => k.startsWith('$'));
  const entries: [string, unknown][] = operators ? Object.entries(condition as Doc) : [['$eq', condition]];
  if (entries.length === 0) plan.exact = false;
  for (const [operator, operand] of entries) {
    if (!pushOperator(path, operator, operand, plan)) plan.exact = false;
  }
}

function pushOperator(path: string, operator: string, operand: unknown, plan: SqlPlan): boolean {
  const key = keyExpression(path);
  const json = path === '_id' ? null : jsonPath(path);
  const guard = (cls: ScalarClass) => (json ? ` AND json_type(doc,'${json}') IN ${JSON_TYPES[cls]}` : '');
  if (operator in RANGE_SQL) {
    const cls = scalarClass(operand);
    if (!cls || (path === '_id' && cls !== 'string')) return false;
    plan.where.push(`(${key} ${RANGE_SQL[operator]} ?${guard(cls)})`);
    plan.params.push(sqlValue(operand));
    return true;
  }
  if (operator === '$in' && Array.isArray(operand) && operand.length > 0) {
    const classes = new Set(operand.map(scalarClass));
    const [cls] = classes;
    if (classes.size !== 1 || !cls || (path === '_id' && cls !== 'string')) return false;
    plan.where.push(`(${key} IN (${operand.map(() => '?').join(',')})${guard(cls)})`);
    plan.params.push(...operand.map(sqlValue));
    return true;
  }
  return false;
}
