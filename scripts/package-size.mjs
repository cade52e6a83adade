// The mini program's package sizes: the main package must stay ≤ 512 KB (goal 256 KB).
// Counts what DevTools uploads from miniprogram/: every file except subpackage roots, with
// TypeScript counted at its source size (compiled JavaScript is about the same, types dropped).
// WeUI comes from `useExtendedLib` and does not count (PLATFORM.md).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT = 512 * 1024;
const GOAL = 256 * 1024;
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'miniprogram');
const app = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));
const subpackageRoots = (app.subpackages ?? app.subPackages ?? []).map((p) => p.root.replace(/\/$/, ''));
const IGNORED = new Set(['tsconfig.json', 'node_modules']);

function sizeOf(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (IGNORED.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(full) : fs.statSync(full).size;
  }
  return total;
}

const packages = [];
let main = 0;
for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
  if (IGNORED.has(entry.name)) continue;
  const full = path.join(root, entry.name);
  const size = entry.isDirectory() ? sizeOf(full) : fs.statSync(full).size;
  if (subpackageRoots.includes(entry.name)) packages.push([`subpackage ${entry.name}/`, size]);
  else main += size;
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log('| package | size | limit |');
console.log('|---|---|---|');
console.log(`| main | ${kb(main)} | ${kb(LIMIT)} (goal ${kb(GOAL)}) |`);
for (const [name, size] of packages) console.log(`| ${name} | ${kb(size)} | 2048.0 KB |`);
if (main > LIMIT) {
  console.error(`主包 ${kb(main)} 超过 ${kb(LIMIT)}：请把页面移到分包或删减资源`);
  process.exit(1);
}
