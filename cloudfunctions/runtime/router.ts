import type { z } from 'zod';
import type { ApiResult, FieldError } from '../../typings/api';
import { issueMessage } from '../../typings/validation';
import { AppError } from './errors';

/** One row of a function's action table: the request schema and what to do with valid input. */
export interface Action<Ctx, S extends z.ZodType = z.ZodType, R = unknown> {
  schema: S;
  handler: (input: z.infer<S>, ctx: Ctx) => Promise<R>;
}

/** Keeps each row's handler typed by its own schema. */
export function action<Ctx, S extends z.ZodType, R>(
  schema: S,
  handler: (input: z.infer<S>, ctx: Ctx) => Promise<R>,
): Action<Ctx, S, R> {
  return { schema, handler };
}

/** Parses an entry point's input, each issue worded by the one Chinese mapping (typings/validation). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown) {
  return schema.safeParse(input, { error: issueMessage });
}

export function zodFields(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/**
 * The whole of a function's entry point: pick the action, establish the caller (identity and role
 * come only from the platform context), validate, run. Every outcome is the `{ok}` union.
 */
export function createRouter<Ctx>(
  actions: Record<string, Action<Ctx, any, unknown>>,
  establish: (actionName: string) => Promise<Ctx>,
  log: (message: string, error: unknown) => void = (message, error) => console.error(message, error),
) {
  return async function route(event: unknown): Promise<ApiResult<unknown>> {
    try {
      const name = (event as { action?: unknown } | null)?.action;
      if (typeof name !== 'string' || !Object.hasOwn(actions, name)) {
        throw new AppError('UNKNOWN_ACTION', `不支持的操作：${String(name ?? '(空)')}`, [
          { path: 'action', message: '不支持的操作' },
        ]);
      }
      const ctx = await establish(name);
      const { action: _action, ...body } = event as Record<string, unknown>;
      const parsed = parseInput(actions[name].schema, body);
      if (!parsed.success) throw new AppError('INVALID_INPUT', undefined, zodFields(parsed.error));
      return { ok: true, data: await actions[name].handler(parsed.data, ctx) };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: error.toApiError() };
      log('unexpected failure', error);
      return { ok: false, error: new AppError('INTERNAL').toApiError() };
    }
  };
}
