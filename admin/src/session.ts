import { reactive } from 'vue';
import type { LoginAnswer, MeAnswer, Permission } from '../../typings/admin';
import type { ApiResult } from '../../typings/api';
import { api, storedToken, storeToken } from './api';

/** Who is signed in, shared by the layout, the router guard and the pages. */
export const session = reactive({
  me: null as MeAnswer | null,
  /** The stored token was checked against `/me` (once per page load). */
  checked: false,
});

export function can(permission: Permission): boolean {
  return !!session.me?.permissions.includes(permission);
}

/** Reads the account behind a stored token; a stale token is dropped. */
export async function restoreSession(): Promise<void> {
  if (session.checked) return;
  if (storedToken()) {
    const result = await api<MeAnswer>('GET', '/me');
    session.me = result.ok ? result.data : null;
  }
  session.checked = true;
}

export async function login(username: string, password: string): Promise<ApiResult<LoginAnswer>> {
  const result = await api<LoginAnswer>('POST', '/login', { username, password });
  if (!result.ok) return result;
  storeToken(result.data.token);
  session.checked = false;
  await restoreSession();
  return result;
}

export async function logout(): Promise<void> {
  await api('POST', '/logout', {});
  forgetSession();
}

export function forgetSession(): void {
  storeToken(null);
  session.me = null;
}
