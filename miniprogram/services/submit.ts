import type { ApiResult } from '../../typings/api';
import { callFunction } from './cloud';
import { fieldErrors } from './errors';
import { newRequestId } from './request-id';

/**
 * Sends one form submission with a request id that survives retries of the same attempt (so a
 * timeout then a retry is one lead on the server) and is renewed once the server has answered.
 * Field errors come back by field key, for display next to the field.
 */
function createSubmitter() {
  let requestId: string | undefined;
  return async function submit<T>(
    data: Record<string, unknown>,
  ): Promise<{ result: ApiResult<T>; errors: Record<string, string> }> {
    requestId = requestId ?? newRequestId();
    const result = await callFunction<T>('customer', { ...data, requestId });
    // A network failure may have reached the server: only then is the same id reused.
    if (result.ok || result.error.code !== 'INTERNAL') requestId = undefined;
    return { result, errors: result.ok ? {} : fieldErrors(result.error) };
  };
}

type Submitter = ReturnType<typeof createSubmitter>;
const submitters = new WeakMap<object, Submitter>();

/** The submitter of one page instance: two pages open at once never share a request id. */
export function submitterFor(page: object): Submitter {
  let submitter = submitters.get(page);
  if (!submitter) {
    submitter = createSubmitter();
    submitters.set(page, submitter);
  }
  return submitter;
}
