import type { ApiError } from '../../typings/api';

/** Server errors by form field key (`fields.phone` → `phone`), to show next to the field. */
export function fieldErrors(error: ApiError): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const { path, message } of error.fields ?? []) {
    const key = path.startsWith('fields.') ? path.slice('fields.'.length) : path;
    if (!byField[key]) byField[key] = message;
  }
  return byField;
}
