import { z } from 'zod';

/**
 * Page cursors of the admin API: base64url JSON tuples the server hands out and takes back. A
 * cursor is input like any other: decoded and checked against its schema before a query sees it.
 */

/** Instants the data can hold (2000-01-01 to 2100-01-01, epoch ms). */
export const INSTANT_MIN = Date.UTC(2000, 0, 1);
export const INSTANT_MAX = Date.UTC(2100, 0, 1);
const instant = z.number().int().min(INSTANT_MIN).max(INSTANT_MAX);

/** The lead list's cursor: [createdAt of the last lead shown, its _id, 1 when leads of that instant follow]. */
export const leadCursorSchema = z.tuple([
  instant,
  z.string().min(1).max(64),
  z.union([z.literal(0), z.literal(1)]),
]);

/** A time-ordered list's cursor: [time of the last item shown, how many items of that time were shown]. */
export const pageCursorSchema = z.tuple([instant, z.number().int().min(0).max(10_000)]);

/** base64url without Buffer: the page shares these schemas. */
function fromBase64url(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The cursor `text` carries, or null when it is not one of `schema`'s. */
export function readCursor<S extends z.ZodType>(schema: S, text: string): z.infer<S> | null {
  if (!/^[A-Za-z0-9_-]{1,300}$/.test(text)) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(fromBase64url(text)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const BAD_CURSOR = '分页游标无效，请从第一页重新加载';

/** A `cursor` query parameter: refused unless it decodes to one of `schema`'s cursors. */
export const cursorParam = (schema: z.ZodType) =>
  z
    .string({ error: BAD_CURSOR })
    .refine((text) => readCursor(schema, text) !== null, BAD_CURSOR)
    .optional();
