import { DialogPlugin, MessagePlugin } from 'tdesign-vue-next';
import { type Ref, reactive } from 'vue';
import type { ApiError } from '../../typings/api';
import { api } from './api';

type Method = Parameters<typeof api>[0];

/** The API's `fields` as `{path: message}`, for the form item each belongs to. */
export type FieldErrors = Record<string, string>;

/** An empty reactive `FieldErrors` for a form, which `request` fills and clears. */
export function formErrors(): FieldErrors {
  return reactive({});
}

export function clearErrors(errors: FieldErrors): void {
  for (const key of Object.keys(errors)) delete errors[key];
}

/** The field errors of one API error by field path, to show beside each field of a form. */
export function fieldErrorsOf(error: ApiError): FieldErrors {
  return Object.fromEntries((error.fields ?? []).map((f) => [f.path, f.message]));
}

/** The message for one path, or for anything inside it (`fields` also finds `fields.1`). */
export function errorAt(errors: FieldErrors, path: string): string | undefined {
  const key = Object.keys(errors).find((k) => k === path || k.startsWith(`${path}.`));
  return key ? errors[key] : undefined;
}

/** `status`/`tips` props of a `t-form-item` for one path (or anything inside it, `fields.1`). */
export function itemError(errors: FieldErrors, path: string) {
  const message = errorAt(errors, path);
  return message ? { status: 'error' as const, tips: message } : {};
}

/** An API error as a toast, in the Chinese the API wrote it in. */
export function toastError(error: ApiError): void {
  void MessagePlugin.error(error.message);
}

/**
 * Calls the admin API the way the admin pages do: marks `busy` while it runs, puts field errors
 * next to their fields, shows any other error as its Chinese message, and answers the data (or
 * null when it failed).
 */
export async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: { busy?: Ref<boolean>; errors?: FieldErrors; success?: string; quiet?: boolean } = {},
): Promise<T | null> {
  if (options.busy) options.busy.value = true;
  if (options.errors) clearErrors(options.errors);
  try {
    const result = await api<T>(method, path, body);
    if (result.ok) {
      if (options.success) void MessagePlugin.success(options.success);
      return result.data;
    }
    showError(result.error, options.errors, options.quiet);
    return null;
  } finally {
    if (options.busy) options.busy.value = false;
  }
}

export function showError(error: ApiError, errors?: FieldErrors, quiet = false) {
  if (errors && error.fields?.length) {
    for (const field of error.fields) errors[field.path] ??= field.message;
    // Fields a form has no place for still reach the person.
    if (!quiet) void MessagePlugin.error(error.message || '填写的信息有误，请检查后重试');
    return;
  }
  if (!quiet) toastError(error);
}

/** A confirm dialog for destructive or consequential actions; resolves true when confirmed. */
export function confirm(
  header: string,
  body: string,
  confirmText = '确定',
  danger = false,
): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = DialogPlugin.confirm({
      header,
      body,
      theme: danger ? 'warning' : 'default',
      confirmBtn: { content: confirmText, theme: danger ? 'danger' : 'primary' },
      cancelBtn: '取消',
      onConfirm: () => {
        dialog.destroy();
        resolve(true);
      },
      onClose: () => {
        dialog.destroy();
        resolve(false);
      },
    });
  });
}

/** Copies text to the clipboard (with a fallback for pages served over plain HTTP). */
export async function copyText(text: string, what = '内容'): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  void MessagePlugin.success(`${what}已复制`);
}
