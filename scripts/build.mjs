// Builds everything that runs: each deployable cloud function into a self-contained index.js
// (Node 18, only the SDKs and the packages its package.json declares left external), the local cloud, `npm start`'s launcher, the deploy
// command, the benchmarks, test fixture functions, and the admin page (skipped when its output is newer than its sources
// and was built for the same VITE_ADMIN_API_BASE).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...parts) => path.join(root, ...parts);
const CLOUD_SDKS = ['wx-server-sdk', '@cloudbase/node-sdk'];

/** A folder of `<name>/index.ts` + `package.json` is one deployable function each. */
function functionFolders(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(dir, entry.name))
    .filter(
      (folder) =>
        fs.existsSync(path.join(folder, 'index.ts')) && fs.existsSync(path.join(folder, 'package.json')),
    );
}

async function buildFunctions(sourceDir, outDir) {
  const folders = functionFolders(sourceDir);
  await Promise.all(
    folders.map((folder) => {
      const name = path.basename(folder);
      const target = path.join(outDir ?? sourceDir, name);
      fs.mkdirSync(target, { recursive: true });
      if (outDir) {
        for (const extra of ['package.json', 'config.json']) {
          if (fs.existsSync(path.join(folder, extra)))
            fs.copyFileSync(path.join(folder, extra), path.join(target, extra));
        }
      }
      // What the cloud installs (the SDKs, and packages declared for files esbuild cannot carry:
      // native binaries, fonts) stays a require; everything else is bundled.
      const declared = Object.keys(
        JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')).dependencies ?? {},
      );
      return esbuild.build({
        entryPoints: [path.join(folder, 'index.ts')],
        outfile: path.join(target, 'index.js'),
        bundle: true,
        platform: 'node',
        target: 'node18',
        format: 'cjs',
        external: [...new Set([...CLOUD_SDKS, ...declared])],
        logLevel: 'warning',
        legalComments: 'none',
      });
    }),
  );
  return folders.map((folder) => path.basename(folder));
}

async function buildNode(entries, outdir) {
  await esbuild.build({
    entryPoints: entries,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

function newestMtime(target) {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(target).map((name) => newestMtime(path.join(target, name))));
}

async function buildAdmin() {
  if (!fs.existsSync(at('admin', 'index.html'))) return 'no admin page';
  const sources = Math.max(
    newestMtime(at('admin', 'src')),
    newestMtime(at('admin', 'index.html')),
    newestMtime(at('admin', 'vite.config.ts')),
    // The page shares its request and answer types (and their labels) with the functions.
    newestMtime(at('typings')),
  );
  // The API base is baked into the page: a deploy builds it for the cloud's HTTP access domain,
  // a later local build must not keep that page (the stamp records which base the page has).
  const apiBase = process.env.VITE_ADMIN_API_BASE ?? '';
  const stamp = at('build', 'admin-api-base.txt');
  const stamped = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8') : '';
  if (
    newestMtime(at('admin', 'dist', 'index.html')) > sources &&
    stamped === apiBase &&
    !process.argv.includes('--force')
  )
    return 'admin up to date';
  const vite = await import('vite');
  await vite.build({ configFile: at('admin', 'vite.config.ts'), logLevel: 'warn' });
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, apiBase);
  return apiBase ? `admin built for ${apiBase}` : 'admin built';
}

const started = Date.now();
const localCloud = () =>
  buildNode(
    {
      cli: at('local', 'cli.ts'),
      index: at('local', 'index.ts'),
      worker: at('local', 'functions', 'worker.ts'),
    },
    at('build', 'local'),
  );
// `npm run local-cloud` needs only the emulator, not this project.
if (process.argv.includes('--local')) {
  await localCloud();
  console.log(`build: local cloud in ${Date.now() - started} ms`);
  process.exit(0);
}
const functions = await buildFunctions(at('cloudfunctions'));
await buildFunctions(at('test', 'fixtures', 'functions'), at('build', 'test-functions'));
await localCloud();
// `npm start`: the product's launcher (first admin account, demo data) around the local cloud.
await buildNode({ start: at('scripts', 'start.ts') }, at('build', 'scripts'));
await buildNode({ cli: at('scripts', 'deploy', 'cli.ts') }, at('build', 'deploy'));
const benches = fs.existsSync(at('bench'))
  ? fs.readdirSync(at('bench')).filter((file) => file.endsWith('.ts'))
  : [];
if (benches.length)
  await buildNode(
    benches.map((file) => at('bench', file)),
    at('build', 'bench'),
  );
const admin = await buildAdmin();
console.log(
  `build: ${functions.length} cloud functions (${functions.join(', ') || 'none'}), local cloud, ${admin} in ${Date.now() - started} ms`,
);
