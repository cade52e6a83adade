import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import {
  buildPlan,
  bundleRequires,
  type FunctionPlan,
  INSTALLABLE,
  UNBUNDLED_PACKAGES,
} from '../../scripts/deploy/plan';

/**
 * Each function as the cloud installs it: only its uploaded files in an empty folder, with only
 * the packages its package.json declares (and what they depend on) in node_modules. Loading it
 * there proves the bundle needs nothing else; the syntax check proves Node 18.15 can parse it.
 */
const root = path.resolve(__dirname, '../..');
const repoModules = path.join(root, 'node_modules');

/** Where Node would find `name` from inside `fromDir` (walking up node_modules folders to the repo). */
function resolvePackage(name: string, fromDir: string): string | null {
  for (let dir = fromDir; dir.startsWith(root); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  return null;
}

/** The top-level packages a set of dependencies needs, transitively, as the repo installed them. */
function dependencyClosure(names: string[]): string[] {
  const topLevel = new Set<string>();
  const seen = new Set<string>();
  const visit = (name: string, fromDir: string, optional: boolean) => {
    const at = resolvePackage(name, fromDir);
    if (!at) {
      if (optional) return;
      throw new Error(`${name} (needed from ${path.relative(root, fromDir)}) is not installed`);
    }
    if (seen.has(at)) return;
    seen.add(at);
    if (path.dirname(at) === repoModules || path.dirname(path.dirname(at)) === repoModules)
      topLevel.add(name);
    const pkg = JSON.parse(fs.readFileSync(path.join(at, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, at, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, at, true);
    for (const dep of Object.keys(pkg.peerDependencies ?? {})) visit(dep, at, true);
  };
  for (const name of names) visit(name, root, false);
  return [...topLevel].sort();
}

function install(fn: FunctionPlan, into: string): void {
  for (const file of fn.files)
    fs.copyFileSync(path.join(root, fn.dir, file.path), path.join(into, file.path));
  for (const name of dependencyClosure(Object.keys(fn.dependencies))) {
    const link = path.join(into, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(repoModules, name), link, 'dir');
  }
}

/** The function's folder as the cloud installs it, made once. */
function installed(fn: FunctionPlan): string {
  const dir = path.join(workDir, fn.name);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    install(fn, dir);
  }
  return dir;
}

const LOADER = `
const Module = require('module');
const path = require('path');
const bundle = path.resolve('index.js');
const requested = new Set();
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (parent && parent.filename === bundle) requested.add(request);
  return resolve.call(this, request, parent, ...rest);
};
const loaded = require(bundle);
console.log(JSON.stringify({ main: typeof loaded.main, requested: [...requested].sort() }));
`;

const plan = buildPlan(root);
let workDir: string;
beforeAll(() => {
  // Outside the repository, so no parent node_modules can supply what is missing.
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-bundles-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe.each(plan.functions.map((fn) => [fn.name, fn] as const))(
  'cloudfunctions/%s as deployed',
  (_name, fn) => {
    test('declares only the cloud SDKs (or an unbundled package) and requires nothing else', () => {
      for (const dep of Object.keys(fn.dependencies)) expect(INSTALLABLE).toContain(dep);
      const code = fs.readFileSync(path.join(root, fn.dir, 'index.js'), 'utf8');
      for (const required of bundleRequires(code)) expect(Object.keys(fn.dependencies)).toContain(required);
    });

    test('loads in an empty folder with only its declared dependencies and exports main', () => {
      const dir = installed(fn);
      expect(fs.readdirSync(path.join(dir, 'node_modules')).sort()).toEqual(
        expect.arrayContaining(Object.keys(fn.dependencies).map((d) => d.split('/')[0])),
      );
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir };
      const run = spawnSync(process.execPath, ['--preserve-symlinks', '-e', LOADER], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(run.stderr).not.toMatch(/Cannot find module/);
      expect(run.status).toBe(0);
      const answer = JSON.parse(run.stdout.trim().split('\n').pop()!);
      expect(answer.main).toBe('function');
      const builtins = new Set(require('node:module').builtinModules as string[]);
      for (const request of answer.requested as string[])
        expect(builtins.has(request.replace(/^node:/, '')) || request in fn.dependencies).toBe(true);
    });

    test('is Node 18 syntax: nothing in it would be lowered for target node18', async () => {
      const code = fs.readFileSync(path.join(root, fn.dir, 'index.js'), 'utf8');
      const [latest, node18] = await Promise.all(
        ['esnext', 'node18'].map((target) =>
          esbuild.transform(code, { loader: 'js', format: 'cjs', target }),
        ),
      );
      expect(node18.code === latest.code).toBe(true);
      expect(fn.runtime).toBe('Nodejs18.15');
    });
  },
);

/**
 * The image library is required lazily (only the poster and card actions draw), so loading the
 * bundle does not prove it is there: its native part and the font files must load from the
 * function's own folder too.
 */
const DRAW = `
const { createCanvas, GlobalFonts } = require('@napi-rs/canvas');
const path = require('path');
const css = require.resolve('@fontsource/noto-sans-sc/400.css');
const font = require('fs').readdirSync(path.join(path.dirname(css), 'files')).find((f) => f.endsWith('-400-normal.woff2'));
GlobalFonts.registerFromPath(path.join(path.dirname(css), 'files', font), 'probe');
const canvas = createCanvas(20, 20);
canvas.getContext('2d').fillRect(0, 0, 10, 10);
console.log(JSON.stringify({ png: canvas.toBuffer('image/png').subarray(1, 4).toString(), css }));
`;

test.each(
  plan.functions
    .filter((fn) => Object.keys(fn.dependencies).some((d) => UNBUNDLED_PACKAGES.includes(d)))
    .map((fn) => [fn.name, fn] as const),
)('cloudfunctions/%s draws with the image library and font it declares, from its own folder', (name) => {
  const dir = path.join(workDir, name);
  const run = spawnSync(process.execPath, ['--preserve-symlinks', '-e', DRAW], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    encoding: 'utf8',
    timeout: 15_000,
  });
  expect(run.stderr).toBe('');
  const answer = JSON.parse(run.stdout.trim());
  expect(answer.png).toBe('PNG');
  expect(answer.css.startsWith(dir)).toBe(true);
});

test('the staff function declares the image library and its font', () => {
  const staff = plan.functions.find((fn) => fn.name === 'staff');
  expect(Object.keys(staff?.dependencies ?? {})).toEqual(expect.arrayContaining(UNBUNDLED_PACKAGES));
});

test('the syntax check tells Node 18 code from newer code', async () => {
  // `using` declarations (ES2026 explicit resource management) are newer than Node 18.
  const code = 'function f(){ using x = g(); return x; }';
  const [latest, node18] = await Promise.all(
    ['esnext', 'node18'].map((target) => esbuild.transform(code, { loader: 'js', format: 'cjs', target })),
  );
  expect(node18.code === latest.code).toBe(false);
});
