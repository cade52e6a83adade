/**
 * A number from an environment variable. Unset, empty (what `tcb fn deploy` writes for a variable
 * left blank) or not a number: the default, never 0 by accident.
 */
export function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(value) ? value : fallback;
}
