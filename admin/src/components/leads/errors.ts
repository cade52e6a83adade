import { MessagePlugin } from 'tdesign-vue-next';
import type { ApiError } from '../../../../typings/api';

/** An API error as a toast, in the Chinese the API wrote it in. */
export function toastError(error: ApiError): void {
  void MessagePlugin.error(error.message);
}

/** Field errors by field path, to show beside each field of a form. */
export function fieldErrors(error: ApiError): Record<string, string> {
  return Object.fromEntries((error.fields ?? []).map((f) => [f.path, f.message]));
}
