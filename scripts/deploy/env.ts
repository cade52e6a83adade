import fs from 'node:fs';
import path from 'node:path';

/**
 * Configuration for a deploy comes from the environment and from `.env` at the repository root
 * (git-ignored; `.env.example` documents every name). The shell wins over the file, as with the
 * tcb CLI and Vite.
 */
export type Env = Record<string, string | undefined>;

export const ENV_FILES = ['.env'];

/** `KEY=value` lines; `#` comments, `export ` prefixes and single or double quotes allowed. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.indexOf(quote, 1) > 0) {
      value = value.slice(1, value.indexOf(quote, 1));
      if (quote === '"') value = value.replace(/\\n/g, '\n');
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    values[match[1]] = value;
  }
  return values;
}

/** The env files' values under the process environment; `files: []` reads none. */
export function loadEnv(root: string, processEnv: Env = process.env, files: string[] = ENV_FILES): Env {
  const merged: Env = {};
  for (const file of files) {
    const at = path.resolve(root, file);
    if (fs.existsSync(at)) Object.assign(merged, parseEnvFile(fs.readFileSync(at, 'utf8')));
  }
  for (const [key, value] of Object.entries(processEnv)) if (value !== undefined) merged[key] = value;
  return merged;
}

const TEMPLATE = /\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The names a `{{env.NAME}}` template reads (cloudbaserc.json's dynamic variables). */
export function templateNames(template: string): string[] {
  return [...template.matchAll(TEMPLATE)].map((match) => match[1]);
}

/** Fills `{{env.NAME}}` from the environment; an unset name becomes the empty string. */
export function resolveTemplate(template: string, env: Env): string {
  return template.replace(TEMPLATE, (_all, name: string) => env[name] ?? '');
}
