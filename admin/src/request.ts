import { DialogPlugin, MessagePlugin } from 'tdesign-vue-next';
import { type Ref, reactive, watch } from 'vue';
import type { ApiError } from '../../typings/api';
import { api } from './api';

type Method = Parameters<typeof api>[0];

/** The API's `fields` as `{path: message}`, for the form item each belongs to. */
export type FieldErrors = Record<string, string>;

/**
 * An empty reactive `FieldErrors` for a form, which `request` fills and clears. Given the form's
 * data, a field's error goes as soon as that field changes (the person is fixing it).
 */
export function formErrors(form?: object): FieldErrors {
  const errors: FieldErrors = reactive({});
  if (form) {
    let before = snapshot(form);
    watch(
      () => snapshot(form),
      (now) => {
        for (const key of Object.keys(now))
          if (now[key] !== before[key])
            for (const path of Object.keys(errors))
              if (path === key || path.startsWith(`${key}.`)) delete errors[path];
        before = now;
      },
    );
  }
  return errors;
}

const snapshot = (form: object): Record<string, string> =>
  Object.fromEntries(Object.entries(form).map(([key, value]) => [key, JSON.stringify(value)]));

export function clearErrors(errors: FieldErrors): void {
  for (const key of Object.keys(errors)) delete errors[key];
}

/** The field errors of one API error by field path, to show beside each field of a form. */
export function fieldErrorsOf(error: ApiError): FieldErrors {
  return Object.fromEntries((error.fields ?? []).map((f) => [f.path, f.message]));
}

/**
 * The message for one path, or for everything inside it (`items` also finds `items.1.name` and
 * `items.3.name`, each of which names its line), joined.
 */
export function errorAt(errors: FieldErrors, path: string): string | undefined {
  const messages = Object.keys(errors)
    .filter((k) => k === path || k.startsWith(`${path}.`))
    .map((k) => errors[k]);
  return messages.length > 0 ? [...new Set(messages)].join('；') : undefined;
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

/**
 * Turns a record on or off with `PATCH path {active}` (turning off is confirmed first with
 * `offConfirm`), marking `acting` with its id meanwhile; answers whether it changed.
 */
export async function switchActive(options: {
  path: string;
  id: string;
  active: boolean;
  acting: Ref<string | null>;
  offConfirm: { header: string; body: string };
  success: { on: string; off: string };
}): Promise<boolean> {
  const { offConfirm } = options;
  if (!options.active && !(await confirm(offConfirm.header, offConfirm.body, '停用', true))) return false;
  options.acting.value = options.id;
  const done = await request(
    'PATCH',
    options.path,
    { active: options.active },
    {
      success: options.active ? options.success.on : options.success.off,
    },
  );
  options.acting.value = null;
  return done !== null;
}
