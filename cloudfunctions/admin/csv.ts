/**
 * CSV for spreadsheets: UTF-8 with a BOM so Excel reads Chinese, RFC 4180 quoting, and no cell a
 * spreadsheet would run as a formula (a leading = + - @ tab or carriage return gets a `'`).
 */
export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined ? '' : value instanceof Date ? chinaTime(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** A time as China wall time `2026-12-01 09:30:00`, as people read it in a spreadsheet ('' for none). */
export function chinaTime(at: Date | string | null | undefined): string {
  if (!at) return '';
  return new Date(new Date(at).getTime() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
}
