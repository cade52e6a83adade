/**
 * One id per attempt at a form: kept across retries of the same attempt so the server answers a
 * repeated submission with the first answer instead of storing it twice.
 */
export function newRequestId(): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `r${Date.now().toString(36)}${random}`.padEnd(12, '0');
}
