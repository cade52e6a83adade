import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv, parseEnvFile, resolveTemplate, templateNames } from '../../scripts/deploy/env';
import {
  adminApiPath,
  buildPlan,
  bundleEnvNames,
  bundleOpenApis,
  bundleRequires,
  type DeployPlan,
  devtoolsUploads,
  PlanError,
} from '../../scripts/deploy/plan';
import { defaultDomainAddresses, functionEnvValues, preflight } from '../../scripts/deploy/settings';

const root = path.resolve(__dirname, '../..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

/** Every file under a folder, walked independently of the plan's own listing. */
function walk(dir: string, rel = ''): { path: string; size: number }[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((entry) => {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      return entry.isDirectory()
        ? walk(dir, child)
        : [{ path: child, size: fs.statSync(path.join(dir, child)).size }];
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

const functionNames = fs
  .readdirSync(path.join(root, 'cloudfunctions'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, 'cloudfunctions', e.name, 'index.ts')))
  .filter((e) => fs.existsSync(path.join(root, 'cloudfunctions', e.name, 'package.json')))
  .map((e) => e.name)
  .sort();

let plan: DeployPlan;
beforeAll(() => {
  plan = buildPlan(root);
});

describe('the deploy plan is the repository', () => {
  test('every collection, its security rules and every index of database.schema.json, in order', () => {
    const schema = readJson('cloudfunctions/database.schema.json') as {
      collections: {
        name: string;
        rules: unknown;
        indexes: { name: string; keys: unknown; unique?: boolean }[];
      }[];
    };
    expect(plan.collections.map((c) => c.name)).toEqual(schema.collections.map((c) => c.name));
    for (const declared of schema.collections) {
      const planned = plan.collections.find((c) => c.name === declared.name)!;
      expect(planned.rules).toEqual(declared.rules);
      expect(planned.indexes.map((i) => [i.name, i.keys, i.unique ?? false])).toEqual(
        declared.indexes.map((i) => [i.name, i.keys, i.unique ?? false]),
      );
    }
  });

  test('customers read nothing directly: every collection denies client reads and writes', () => {
    for (const collection of plan.collections)
      expect(collection.rules).toEqual({ read: false, write: false });
  });

  test('the functions are the folders of cloudfunctions/, with runtime, handler and their config.json', () => {
    expect(plan.functions.map((f) => f.name).sort()).toEqual(functionNames);
    expect(functionNames).toEqual(expect.arrayContaining(['admin', 'customer', 'dispatch', 'staff']));
    for (const fn of plan.functions) {
      const config = readJson(`cloudfunctions/${fn.name}/config.json`);
      const pkg = readJson(`cloudfunctions/${fn.name}/package.json`);
      expect(fn.runtime).toBe('Nodejs18.15');
      expect(fn.handler).toBe('index.main');
      expect(fn.installDependency).toBe(true);
      expect(fn.timeout).toBe(config.timeout);
      expect(fn.timeout).toBeLessThanOrEqual(60);
      expect([128, 256, 512, 1024, 2048]).toContain(fn.memorySize);
      expect(fn.triggers).toEqual(config.triggers ?? []);
      expect(fn.permissions).toEqual(config.permissions?.openapi ?? []);
      expect(fn.dependencies).toEqual(pkg.dependencies);
      // Uploaded: the bundle, its package.json and config.json; never the TypeScript sources.
      expect(fn.files.map((f) => f.path)).toEqual(['config.json', 'index.js', 'package.json']);
      for (const file of fn.files)
        expect(file.size).toBe(fs.statSync(path.join(root, 'cloudfunctions', fn.name, file.path)).size);
    }
    expect(plan.functions.find((f) => f.name === 'dispatch')!.triggers).toEqual([
      { name: 'tick', type: 'timer', config: '0 */1 * * * * *' },
    ]);
  });

  test('config.json permissions are exactly the open APIs each bundle calls', () => {
    for (const fn of plan.functions) {
      const code = fs.readFileSync(path.join(root, 'cloudfunctions', fn.name, 'index.js'), 'utf8');
      expect([...fn.permissions].sort()).toEqual(bundleOpenApis(code));
    }
    expect(plan.functions.find((f) => f.name === 'customer')!.permissions).toEqual(
      expect.arrayContaining(['phonenumber.getPhoneNumber', 'security.msgSecCheck']),
    );
  });

  test('each function gets exactly the LEADPOOL_ variables its bundle reads, as {{env.NAME}} from .env', () => {
    for (const fn of plan.functions) {
      const code = fs.readFileSync(path.join(root, 'cloudfunctions', fn.name, 'index.js'), 'utf8');
      expect(fn.envVariables.map((v) => v.name).sort()).toEqual(bundleEnvNames(code));
      for (const { name, template } of fn.envVariables) expect(template).toBe(`{{env.${name}}}`);
    }
    expect(plan.functions.find((f) => f.name === 'admin')!.envVariables.map((v) => v.name)).toEqual(
      expect.arrayContaining(['LEADPOOL_TOKEN_SECRET', 'LEADPOOL_ADMIN_ORIGIN']),
    );
  });

  test('.env.example documents every variable the functions and the deploy read', () => {
    const example = parseEnvFile(fs.readFileSync(path.join(root, '.env.example'), 'utf8'));
    const documented = new Set([
      ...Object.keys(example),
      ...[
        ...fs.readFileSync(path.join(root, '.env.example'), 'utf8').matchAll(/^#\s*([A-Z][A-Z0-9_]+)=/gm),
      ].map((m) => m[1]),
    ]);
    const read = new Set(plan.functions.flatMap((fn) => fn.envVariables.map((v) => v.name)));
    for (const name of templateNames(plan.envId)) read.add(name);
    for (const name of [
      'TENCENTCLOUD_SECRETID',
      'TENCENTCLOUD_SECRETKEY',
      'VITE_ADMIN_API_BASE',
      'LEADPOOL_ADMIN_PASSWORD',
      'LEADPOOL_WECOM_ROBOT_KEY',
    ])
      read.add(name);
    for (const name of read) expect(documented).toContain(name);
    // No secret is filled in in the committed example.
    for (const name of ['TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY', 'LEADPOOL_TOKEN_SECRET'])
      expect(example[name]).toBe('');
  });

  test('the HTTP access path /admin-api reaches the admin function; every path reaches a planned function', () => {
    expect(plan.httpAccess).toContainEqual({ path: '/admin-api', functionName: 'admin' });
    expect(adminApiPath(plan)).toBe('/admin-api');
    for (const route of plan.httpAccess)
      expect(plan.functions.map((fn) => fn.name)).toContain(route.functionName);
  });

  test('the open APIs are registered by a DevTools upload of exactly the functions that call them', () => {
    const names = devtoolsUploads(plan).map((fn) => fn.name);
    expect(names).toEqual(expect.arrayContaining(['customer', 'staff']));
    // The admin function asks staff for code images: it calls no open API and needs no upload.
    expect(names).not.toContain('admin');
    for (const fn of plan.functions) expect(names.includes(fn.name)).toBe(fn.permissions.length > 0);
  });

  test('the tcb framework builds the page through the deploy, never with an empty API base', () => {
    const rc = readJson('cloudbaserc.json');
    const website = Object.values(rc.framework.plugins as Record<string, any>).find(
      (plugin) => plugin.use === '@cloudbase/framework-plugin-website',
    );
    expect(website.inputs.buildCommand).toBe('npm run deploy -- --build-admin');
    expect(JSON.stringify(website.inputs)).not.toContain('{{env.');
  });

  test('static hosting uploads exactly the built admin/dist files, under /admin/ (Vite base)', () => {
    const dist = path.join(root, 'admin', 'dist');
    expect(plan.hosting.localDir).toBe('admin/dist');
    expect(plan.hosting.cloudPath).toBe('admin');
    expect(plan.hosting.files).toEqual(walk(dist));
    expect(plan.hosting.files.map((f) => f.path)).toContain('index.html');
    expect(plan.hosting.totalBytes).toBe(walk(dist).reduce((sum, f) => sum + f.size, 0));
  });

  test('cloudbaserc.json names its environment and secrets only through {{env.X}}', () => {
    const rc = readJson('cloudbaserc.json');
    expect(rc.envId).toBe('{{env.LEADPOOL_ENV_ID}}');
    expect(rc.functionRoot).toBe('cloudfunctions');
    for (const fn of rc.functions)
      for (const value of Object.values(fn.envVariables ?? {}))
        expect(value).toMatch(/^\{\{env\.[A-Z0-9_]+\}\}$/);
  });
});

describe('npm run deploy -- --dry-run', () => {
  const secrets = {
    LEADPOOL_TOKEN_SECRET: 'token-secret-VALUE-never-printed',
    TENCENTCLOUD_SECRETID: 'AKID-VALUE-never-printed',
    TENCENTCLOUD_SECRETKEY: 'secretkey-VALUE-never-printed',
    LEADPOOL_ADMIN_PASSWORD: 'first-password-VALUE-never-printed',
    LEADPOOL_WECOM_ROBOT_KEY: 'robot-key-VALUE-never-printed',
  };
  let output = '';
  let status: number | null = null;

  beforeAll(() => {
    const cli = path.join(root, 'build', 'deploy', 'cli.js');
    if (!fs.existsSync(cli))
      throw new Error('build/deploy/cli.js is missing: run node scripts/build.mjs first');
    // The dry run must not touch the network: every socket and DNS lookup throws.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-dry-run-'));
    const offline = path.join(dir, 'offline.js');
    fs.writeFileSync(
      offline,
      `const block = () => { throw new Error('network used in a dry run'); };
       const net = require('net'); net.Socket.prototype.connect = block; net.connect = block; net.createConnection = block;
       require('tls').connect = block; globalThis.fetch = block;
       for (const m of ['http', 'https']) { require(m).request = block; require(m).get = block; }
       const dns = require('dns'); dns.lookup = block; dns.resolve = block;`,
    );
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...secrets,
      LEADPOOL_ENV_ID: 'leadpool-test-1a2b',
    };
    delete env.VITE_ADMIN_API_BASE;
    delete env.LEADPOOL_ADMIN_ORIGIN;
    const run = spawnSync(process.execPath, ['--require', offline, cli, '--dry-run', '--no-env-file'], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    output = `${run.stdout}${run.stderr}`;
    status = run.status;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('prints the whole plan offline and exits 0', () => {
    expect(status).toBe(0);
    expect(output).toContain('--dry-run');
    expect(output).toContain('目标环境    leadpool-test-1a2b');
    for (const collection of plan.collections) {
      expect(output).toContain(`  ${collection.name} `);
      for (const index of collection.indexes) expect(output).toContain(` ${index.name} `);
    }
    for (const fn of plan.functions) {
      expect(output).toContain(
        `  ${fn.name}  Nodejs18.15  index.main  超时 ${fn.timeout} s  内存 ${fn.memorySize} MB`,
      );
      for (const permission of fn.permissions) expect(output).toContain(permission);
      for (const variable of fn.envVariables) expect(output).toContain(variable.name);
    }
    expect(output).toContain('tick（timer，0 */1 * * * * *）');
    expect(output).toContain('/admin-api → 云函数 admin');
    for (const file of plan.hosting.files) expect(output).toContain(`admin/${file.path}`);
    expect(output).toContain('LEADPOOL_TOKEN_SECRET 已设置');
  });

  test('says who answers CORS and asks for the DevTools upload, then the variables step', () => {
    expect(output).toMatch(
      /跨域（CORS）\s+由云函数负责.*admin 只允许 LEADPOOL_ADMIN_ORIGIN，并自己应答 OPTIONS 预检/,
    );
    for (const route of plan.httpAccess)
      expect(output).toContain(
        `${route.path} → 云函数 ${route.functionName}（不开 CloudBase 鉴权，网关跨域校验关闭）`,
      );
    expect(output).toContain('六、云调用权限');
    for (const fn of devtoolsUploads(plan))
      expect(output).toContain(
        `右键 cloudfunctions/${fn.name} → 上传并部署：云端安装依赖    （${fn.permissions.join('，')}）`,
      );
    expect(output).toContain('npm run deploy -- --variables-only');
  });

  test('names the WeCom callback path and the trusted IP step when the wecom function has an HTTP path', () => {
    const wecomPath = plan.httpAccess.find((route) => route.functionName === 'wecom')?.path;
    expect(wecomPath).toBe('/wecom/callback');
    expect(output).toContain('七、企业微信回调');
    expect(output).toContain(`https://<HTTP 访问服务域名>${wecomPath}`);
    expect(output).toMatch(/企业可信 IP.*固定出口 IP.*60020/);
  });

  test('warns that the default domains are for testing when no custom domain is set', () => {
    expect(output).toMatch(/VITE_ADMIN_API_BASE、LEADPOOL_ADMIN_ORIGIN 用的是 CloudBase 默认域名/);
  });

  test('names secrets, never their values', () => {
    for (const value of Object.values(secrets)) expect(output).not.toContain(value);
  });

  test('with everything set there is nothing to fix', () => {
    expect(output).not.toContain('部署前必须处理');
  });
});

describe('environment and checks', () => {
  test('.env lines: comments, export, quotes; the shell wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-env-'));
    fs.writeFileSync(
      path.join(dir, '.env'),
      [
        '# comment',
        'A=1',
        'export B="two words"',
        "C='x # not a comment'",
        'D=value # comment',
        'E=',
        'bad line',
      ].join('\n'),
    );
    const env = loadEnv(dir, { A: 'from shell' });
    expect(env).toMatchObject({ A: 'from shell', B: 'two words', C: 'x # not a comment', D: 'value', E: '' });
    expect(loadEnv(dir, {}, []).B).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('{{env.X}} templates: names and values; empty values stay unset on the function', () => {
    expect(templateNames('{{env.A}}-{{ env.B }}')).toEqual(['A', 'B']);
    expect(resolveTemplate('{{env.A}}-{{ env.B }}', { A: 'x' })).toBe('x-');
    expect(
      functionEnvValues(
        [
          { name: 'A', template: '{{env.A}}' },
          { name: 'B', template: '{{env.B}}' },
        ],
        { A: '1', B: '' },
      ),
    ).toEqual({ A: '1' });
  });

  test('a real deploy needs the env id, the API key and a token secret of 16+ characters', () => {
    const missing = preflight(plan, {});
    expect(missing.errors.join('\n')).toMatch(/LEADPOOL_ENV_ID/);
    expect(missing.errors.join('\n')).toMatch(/TENCENTCLOUD_SECRETID/);
    expect(missing.errors.join('\n')).toMatch(/TENCENTCLOUD_SECRETKEY/);
    expect(missing.errors.join('\n')).toMatch(/LEADPOOL_TOKEN_SECRET/);
    const ready = preflight(plan, {
      LEADPOOL_ENV_ID: 'env-1',
      TENCENTCLOUD_SECRETID: 'id',
      TENCENTCLOUD_SECRETKEY: 'key',
      LEADPOOL_TOKEN_SECRET: 'x'.repeat(16),
    });
    expect(ready.errors).toEqual([]);
    expect(preflight(plan, { LEADPOOL_ADMIN_PASSWORD: 'short' }).errors.join('\n')).toMatch(/至少 10 个字符/);
    expect(preflight(plan, { LEADPOOL_ADMIN_PASSWORD: 'password123' }).errors.join('\n')).toMatch(/太常见/);
  });
});

describe('production domains', () => {
  test('unset or CloudBase-assigned addresses are flagged; custom domains are not', () => {
    expect(defaultDomainAddresses({})).toEqual(['VITE_ADMIN_API_BASE', 'LEADPOOL_ADMIN_ORIGIN']);
    expect(
      defaultDomainAddresses({
        VITE_ADMIN_API_BASE: 'https://env-1a2b-123.ap-shanghai.app.tcloudbase.com/admin-api',
        LEADPOOL_ADMIN_ORIGIN: 'https://admin.example.com',
      }),
    ).toEqual(['VITE_ADMIN_API_BASE']);
    expect(
      defaultDomainAddresses({
        VITE_ADMIN_API_BASE: 'https://api.example.com/admin-api',
        LEADPOOL_ADMIN_ORIGIN: 'https://env-1a2b-1300000000.tcloudbaseapp.com',
      }),
    ).toEqual(['LEADPOOL_ADMIN_ORIGIN']);
    const custom = {
      VITE_ADMIN_API_BASE: 'https://api.example.com/admin-api',
      LEADPOOL_ADMIN_ORIGIN: 'https://admin.example.com',
    };
    expect(defaultDomainAddresses(custom)).toEqual([]);
    expect(preflight(plan, custom).warnings.join('\n')).not.toContain('默认域名');
    expect(preflight(plan, {}).warnings.join('\n')).toContain('默认域名只供测试');
  });

  test('an empty tuning variable is left out by npm run deploy and flagged for the tcb path', () => {
    expect(
      functionEnvValues(
        [{ name: 'LEADPOOL_CONFIG_CACHE_MS', template: '{{env.LEADPOOL_CONFIG_CACHE_MS}}' }],
        { LEADPOOL_CONFIG_CACHE_MS: '' },
      ),
    ).toEqual({});
    expect(preflight(plan, { LEADPOOL_CONFIG_CACHE_MS: '' }).warnings.join('\n')).toMatch(
      /LEADPOOL_CONFIG_CACHE_MS 在 \.env 里是空的.*tcb fn deploy/,
    );
    expect(preflight(plan, { LEADPOOL_CONFIG_CACHE_MS: '30000' }).warnings.join('\n')).not.toContain(
      'tcb fn deploy',
    );
  });
});

describe('npm run deploy -- --build-admin (the tcb framework build command)', () => {
  test('refuses without VITE_ADMIN_API_BASE instead of building a page that calls /admin-api on the hosting domain', () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    delete env.VITE_ADMIN_API_BASE;
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'build', 'deploy', 'cli.js'), '--build-admin', '--no-env-file'],
      { env, encoding: 'utf8', timeout: 30_000 },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('没有 VITE_ADMIN_API_BASE');
  });
});

describe('the plan refuses an inconsistent repository', () => {
  /** A one-function repository; `change` breaks it in one way. */
  function fixture(change: (dir: string) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-plan-'));
    const write = (file: string, content: unknown) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
    };
    write('cloudbaserc.json', {
      envId: '{{env.LEADPOOL_ENV_ID}}',
      functionRoot: 'cloudfunctions',
      functions: [
        {
          name: 'fn',
          runtime: 'Nodejs18.15',
          timeout: 10,
          memorySize: 256,
          ignore: ['*.ts'],
          envVariables: { LEADPOOL_A: '{{env.LEADPOOL_A}}' },
        },
      ],
      gateway: { routes: [{ path: '/fn-api', target: 'function:fn' }] },
      framework: {
        name: 'x',
        plugins: {
          web: { use: '@cloudbase/framework-plugin-website', inputs: { outputPath: 'web', cloudPath: '/' } },
        },
      },
    });
    write('cloudfunctions/fn/index.ts', '');
    write('cloudfunctions/fn/package.json', { dependencies: { 'wx-server-sdk': '4.0.2' } });
    write('cloudfunctions/fn/config.json', {
      timeout: 10,
      permissions: { openapi: ['wxacode.getUnlimited'] },
    });
    write(
      'cloudfunctions/fn/index.js',
      'const cloud = require("wx-server-sdk"); const fs = require("node:fs");\n' +
        'exports.main = () => [process.env.LEADPOOL_A, cloud.openapi.wxacode.getUnlimited({})];\n',
    );
    write('cloudfunctions/database.schema.json', {
      collections: [{ name: 'things', rules: { read: false, write: false }, indexes: [] }],
    });
    write('web/index.html', '<script src="/app.js"></script>');
    write('web/app.js', '');
    change(dir);
    return dir;
  }

  function problemsOf(dir: string): string[] {
    try {
      buildPlan(dir);
      return [];
    } catch (error) {
      if (error instanceof PlanError) return error.problems;
      throw error;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a consistent one-function repository plans cleanly', () => {
    const dir = fixture(() => {});
    const fixturePlan = buildPlan(dir);
    expect(fixturePlan.functions[0].files.map((f) => f.path)).toEqual([
      'config.json',
      'index.js',
      'package.json',
    ]);
    expect(fixturePlan.hosting.files.map((f) => f.path)).toEqual(['app.js', 'index.html']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    [
      'timeouts differ',
      (d: string) => fs.writeFileSync(path.join(d, 'cloudfunctions/fn/config.json'), '{"timeout":3}'),
      /timeout/,
    ],
    [
      'an open API without permission',
      (d: string) => fs.writeFileSync(path.join(d, 'cloudfunctions/fn/config.json'), '{"timeout":10}'),
      /wxacode\.getUnlimited/,
    ],
    [
      'an environment variable not declared',
      (d: string) => fs.appendFileSync(path.join(d, 'cloudfunctions/fn/index.js'), 'process.env.LEADPOOL_B;'),
      /LEADPOOL_B/,
    ],
    [
      'a require of an undeclared package',
      (d: string) => fs.appendFileSync(path.join(d, 'cloudfunctions/fn/index.js'), 'require("lodash");'),
      /lodash/,
    ],
    [
      'a function folder missing from cloudbaserc.json',
      (d: string) => {
        fs.mkdirSync(path.join(d, 'cloudfunctions/other'));
        fs.writeFileSync(path.join(d, 'cloudfunctions/other/index.ts'), '');
        fs.writeFileSync(path.join(d, 'cloudfunctions/other/package.json'), '{}');
      },
      /other/,
    ],
    [
      'an unbuilt bundle',
      (d: string) => fs.rmSync(path.join(d, 'cloudfunctions/fn/index.js')),
      /npm run build/,
    ],
    [
      'a page built for another base path',
      (d: string) =>
        fs.writeFileSync(path.join(d, 'web/index.html'), '<script src="/admin/app.js"></script>'),
      /\/admin\/app\.js/,
    ],
  ])('%s', (_name, change, message) => {
    const problems = problemsOf(fixture(change));
    expect(problems.join('\n')).toMatch(message);
  });

  test('a new function folder with an HTTP path (the WeCom callback) joins the plan once cloudbaserc.json declares it', () => {
    const addFunction = (d: string) => {
      const dir = path.join(d, 'cloudfunctions/wecom');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'index.ts'), '');
      fs.writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({ dependencies: { 'wx-server-sdk': '4.0.2' } }),
      );
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ timeout: 20 }));
      fs.writeFileSync(
        path.join(dir, 'index.js'),
        'require("wx-server-sdk"); exports.main = () => process.env.LEADPOOL_WECOM_X;\n',
      );
    };
    const declare = (d: string) => {
      const file = path.join(d, 'cloudbaserc.json');
      const rc = JSON.parse(fs.readFileSync(file, 'utf8'));
      rc.functions.push({
        name: 'wecom',
        runtime: 'Nodejs18.15',
        timeout: 20,
        memorySize: 256,
        ignore: ['*.ts'],
        envVariables: { LEADPOOL_WECOM_X: '{{env.LEADPOOL_WECOM_X}}' },
      });
      // Listed before the API's path: the page's API base is still found by its function.
      rc.functions[0].name = 'admin';
      rc.gateway.routes = [
        { path: '/wecom/callback', target: 'function:wecom' },
        { path: '/admin-api', target: 'function:admin' },
      ];
      fs.renameSync(path.join(d, 'cloudfunctions/fn'), path.join(d, 'cloudfunctions/admin'));
      fs.writeFileSync(file, JSON.stringify(rc));
    };
    expect(problemsOf(fixture(addFunction)).join('\n')).toMatch(/cloudfunctions\/wecom 是一个云函数/);
    const dir = fixture((d) => {
      addFunction(d);
      declare(d);
    });
    const joined = buildPlan(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(joined.functions.map((fn) => fn.name)).toEqual(['admin', 'wecom']);
    expect(joined.httpAccess).toEqual([
      { path: '/wecom/callback', functionName: 'wecom' },
      { path: '/admin-api', functionName: 'admin' },
    ]);
    expect(adminApiPath(joined)).toBe('/admin-api');
    expect(joined.functions[1]).toMatchObject({
      timeout: 20,
      envVariables: [{ name: 'LEADPOOL_WECOM_X', template: '{{env.LEADPOOL_WECOM_X}}' }],
      files: [
        { path: 'config.json', size: expect.any(Number) },
        { path: 'index.js', size: expect.any(Number) },
        { path: 'package.json', size: expect.any(Number) },
      ],
    });
    // Without its route to the admin function the page would have no API.
    const noAdminRoute = fixture((d) => {
      addFunction(d);
      declare(d);
      const file = path.join(d, 'cloudbaserc.json');
      const rc = JSON.parse(fs.readFileSync(file, 'utf8'));
      rc.gateway.routes = rc.gateway.routes.slice(0, 1);
      fs.writeFileSync(file, JSON.stringify(rc));
    });
    expect(problemsOf(noAdminRoute).join('\n')).toMatch(/没有指向云函数 admin 的路由/);
  });

  test('bundle scanners see requires, settings and open APIs', () => {
    const code =
      'require("node:fs");require("zlib");require("wx-server-sdk");require("@cloudbase/node-sdk/lib/x");require("./local");' +
      'process.env.LEADPOOL_X; process.env.OTHER; numberFromEnv("LEADPOOL_Y", 5); a.openapi.security.msgSecCheck({}); callOpenApi2("wxacode.getUnlimited", {})';
    expect(bundleRequires(code)).toEqual(['@cloudbase/node-sdk', 'wx-server-sdk']);
    expect(bundleEnvNames(code)).toEqual(['LEADPOOL_X', 'LEADPOOL_Y']);
    expect(bundleOpenApis(code)).toEqual(['security.msgSecCheck', 'wxacode.getUnlimited']);
  });
});
