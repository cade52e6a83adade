/**
 * CSV for spreadsheets: UTF-8 with a BOM so Excel reads Chinese, RFC 4180 quoting, and no cell a
 * spreadsheet would run as a formula (a leading = + - @ tab or carriage return gets a `'`).
 */
export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
