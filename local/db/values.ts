import { BSONRegExp, EJSON } from 'bson';

/** A document as the engine handles it: plain JS with Date and RegExp values. */
export type Doc = Record<string, any>;

/**
 * Parses one EJSON string from the wire. Numbers become plain numbers, dates Date objects,
 * regular expressions JS RegExps, and `db.serverDate()` placeholders the server's clock.
 */
export function parseWire(text: string, now: number = Date.now()): any {
  return resolvePlaceholders(EJSON.parse(text, { relaxed: true }), now);
}

function resolvePlaceholders(value: any, now: number): any {
  if (value instanceof BSONRegExp) return new RegExp(value.pattern, jsRegexFlags(value.options));
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof RegExp)
    return value;
  if (Array.isArray(value)) return value.map((item) => resolvePlaceholders(item, now));
  if ('$tcb_server_date' in value) return new Date(now + Number(value.$tcb_server_date?.offset ?? 0));
  if (value._bsontype) return value.valueOf?.() ?? value;
  const out: Doc = {};
  for (const [key, item] of Object.entries(value)) out[key] = resolvePlaceholders(item, now);
  return out;
}

/** BSON allows flags JS does not know (x, l); keep the ones RegExp accepts. */
function jsRegexFlags(options: string): string {
  return [...options].filter((flag) => 'gimsuy'.includes(flag)).join('');
}

/** Serializes a value for the wire the way the cloud does (canonical EJSON). */
export function toWire(value: unknown): string {
  return EJSON.stringify(value, { relaxed: false });
}

/**
 * Stored form: JSON where a Date is `{"$date": <ms>}`, so SQLite's JSON functions can index and
 * compare dates as numbers.
 */
export function encodeStored(doc: Doc): string {
  return JSON.stringify(toStored(doc));
}

function toStored(value: any): any {
  if (value instanceof Date) return { $date: value.getTime() };
  if (value instanceof RegExp) return { $regex: value.source, $options: value.flags };
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toStored);
  const out: Doc = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toStored(item);
  return out;
}

export function decodeStored(text: string): Doc {
  return JSON.parse(text, (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      if (typeof value.$date === 'number' && Object.keys(value).length === 1) return new Date(value.$date);
      if (typeof value.$regex === 'string' && Object.keys(value).length === 2)
        return new RegExp(value.$regex, value.$options);
    }
    return value;
  });
}

/** Reads a dotted path; `through` tells whether the walk crossed an array (a multikey path). */
export function readPath(doc: Doc, path: string): { value: unknown; throughArray: boolean } {
  let current: any = doc;
  let throughArray = false;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) throughArray = true;
    if (current === null || typeof current !== 'object') return { value: undefined, throughArray };
    current = current[segment];
  }
  return { value: current, throughArray: throughArray || Array.isArray(current) };
}

export function isPlainObject(value: unknown): value is Doc {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof RegExp)
  );
}
