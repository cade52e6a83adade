import fs from 'node:fs';
import { z } from 'zod';

/**
 * The one declaration of collections, indexes and security rules. The local cloud creates them
 * on start; the deploy script applies the same file to CloudBase.
 */
const indexSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_]+$/),
  keys: z.record(z.string().min(1), z.union([z.literal(1), z.literal(-1)])),
  unique: z.boolean().optional(),
});

const collectionSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  description: z.string().optional(),
  /** CloudBase security rules (安全规则) as JSON, e.g. {"read": false, "write": false}. */
  rules: z.record(z.string(), z.unknown()),
  indexes: z.array(indexSchema).default([]),
});

export const databaseSchema = z.object({ collections: z.array(collectionSchema) });

export type IndexSpec = z.infer<typeof indexSchema>;
export type CollectionSpec = z.infer<typeof collectionSchema>;
export type DatabaseSchema = z.infer<typeof databaseSchema>;

export function loadSchema(file: string): DatabaseSchema {
  const parsed = databaseSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `schema ${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
