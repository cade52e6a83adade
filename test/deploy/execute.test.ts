import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyPassword } from '../../cloudfunctions/admin/auth';
import {
  type ApplyOptions,
  applyPlan,
  createIndex,
  type DataPort,
  discover,
  type ManagerPort,
} from '../../scripts/deploy/execute';
import { buildPlan, type DeployPlan } from '../../scripts/deploy/plan';

const root = path.resolve(__dirname, '../..');

type Call = [string, ...unknown[]];

/** What a CloudBase environment already holds, for the fake to answer from. */
interface CloudState {
  indexes: Record<string, { Name: string; Keys?: { Name: string; Direction: string }[]; Unique?: boolean }[]>;
  accessPaths: { Path: string; Name: string; Type: number }[];
  hosting: { CdnDomain: string; Status: string }[][];
  gatewayEnabled: boolean;
  functions?: Record<string, { Runtime: string; Triggers?: { TriggerName: string; Type: string }[] }>;
}

/** A manager-node stand-in that records every call, in order, with its arguments. */
function fakeManager(state: CloudState) {
  const calls: Call[] = [];
  const record =
    <T>(name: string, answer: (...args: any[]) => T) =>
    async (...args: any[]) => {
      calls.push([name, ...args]);
      return answer(...args);
    };
  const manager: ManagerPort = {
    database: {
      createCollectionIfNotExists: record('database.createCollectionIfNotExists', () => ({})),
      describeCollection: record('database.describeCollection', (name: string) => ({
        Indexes: state.indexes[name] ?? [{ Name: '_id_' }],
      })),
      updateCollection: record('database.updateCollection', () => ({})),
    },
    commonService: (service?: string) => ({
      call: record(`commonService(${service}).call`, () => ({ RequestId: 'r' })),
    }),
    functions: {
      getFunctionDetail: record('functions.getFunctionDetail', (name: string) => {
        const found = state.functions?.[name];
        if (!found)
          throw Object.assign(new Error(`[${name}] 函数不存在`), { code: 'ResourceNotFound.Function' });
        return found;
      }),
      createFunction: record('functions.createFunction', () => ({})),
      deleteFunctionTrigger: record('functions.deleteFunctionTrigger', () => ({})),
      createFunctionTriggers: record('functions.createFunctionTriggers', () => ({})),
    },
    access: {
      getDomainList: record('access.getDomainList', () => ({
        DefaultDomain: 'env-1a2b-123.ap-shanghai.app.tcloudbase.com',
        EnableService: state.gatewayEnabled,
      })),
      switchAuth: record('access.switchAuth', () => ({})),
      getAccessList: record('access.getAccessList', (options: { path?: string }) => ({
        APISet: state.accessPaths.filter((api) => api.Path === options?.path),
      })),
      createAccess: record('access.createAccess', () => ({})),
    },
    hosting: {
      getInfo: record('hosting.getInfo', () => state.hosting.shift() ?? []),
      enableService: record('hosting.enableService', () => ({})),
      uploadFiles: record('hosting.uploadFiles', () => ({})),
    },
  };
  return { manager, calls };
}

function fakeData(existing: { settings?: boolean; admin?: boolean } = {}) {
  const inserted: { collection: string; doc: Record<string, unknown> }[] = [];
  const data: DataPort = {
    count: async (collection, where) =>
      collection === 'accounts' && where.username === 'admin' && existing.admin ? 1 : 0,
    exists: async (collection, id) =>
      collection === 'rules' && id === 'settings' && Boolean(existing.settings),
    insert: async (collection, doc) => {
      inserted.push({ collection, doc });
    },
  };
  return { data, inserted };
}

let plan: DeployPlan;
let stageDir: string;
beforeAll(() => {
  plan = buildPlan(root);
});
beforeEach(() => {
  stageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadpool-stage-'));
});
afterEach(() => fs.rmSync(stageDir, { recursive: true, force: true }));

const addresses = {
  apiBase: 'https://env-1a2b-123.ap-shanghai.app.tcloudbase.com/admin-api',
  adminOrigin: 'https://env-1a2b-123.tcloudbaseapp.com',
};
const env = {
  LEADPOOL_TOKEN_SECRET: 'a-token-secret-of-enough-length',
  LEADPOOL_ADMIN_ORIGIN: addresses.adminOrigin,
  LEADPOOL_CONFIG_CACHE_MS: '',
  LEADPOOL_EXPORT_STEP_MS: '8000',
  LEADPOOL_WECOM_ROBOT_KEY: 'robot-key-1',
};
const options = (): ApplyOptions => ({
  root,
  envId: 'env-1a2b',
  stageDir,
  env,
  addresses,
  now: new Date('2025-01-02T03:04:05Z'),
});

const names = (calls: Call[]) => calls.map((call) => call[0]);

describe('applying the plan through manager-node', () => {
  test('collections, then functions, then the HTTP access path, then hosting: in that order', async () => {
    const { manager, calls } = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [],
      gatewayEnabled: true,
    });
    const { data } = fakeData();
    await applyPlan(plan, { manager, data }, options());

    const order = names(calls);
    const last = (prefix: string) => order.map((n) => n.startsWith(prefix)).lastIndexOf(true);
    const first = (prefix: string) => order.findIndex((n) => n.startsWith(prefix));
    expect(last('database.')).toBeLessThan(first('functions.'));
    expect(last('commonService(')).toBeLessThan(first('functions.'));
    expect(last('functions.')).toBeLessThan(first('access.'));
    expect(last('access.')).toBeLessThan(first('hosting.'));

    // Per collection: create if missing, read its indexes, add the missing ones, set its rules.
    const perCollection = plan.collections.flatMap((c) => [
      ['database.createCollectionIfNotExists', c.name],
      ['database.describeCollection', c.name],
      ...(c.indexes.length
        ? [['database.updateCollection', c.name, { CreateIndexes: c.indexes.map(createIndex) }]]
        : []),
      [
        'commonService(tcb).call',
        {
          Action: 'ModifySafeRule',
          Param: {
            EnvId: 'env-1a2b',
            CollectionName: c.name,
            AclTag: 'CUSTOM',
            Rule: '{"read":false,"write":false}',
          },
        },
      ],
    ]);
    expect(calls.filter(([n]) => n.startsWith('database.') || n.startsWith('commonService('))).toEqual(
      perCollection,
    );
  });

  test('indexes are sent in manager-node’s shape', () => {
    expect(createIndex({ name: 'owner_created', keys: { ownerStaffId: 1, createdAt: -1 } })).toEqual({
      IndexName: 'owner_created',
      MgoKeySchema: {
        MgoIndexKeys: [
          { Name: 'ownerStaffId', Direction: '1' },
          { Name: 'createdAt', Direction: '-1' },
        ],
        MgoIsUnique: false,
      },
    });
    expect(createIndex({ name: 'openid', keys: { openid: 1 }, unique: true }).MgoKeySchema.MgoIsUnique).toBe(
      true,
    );
  });

  test('each function is created or updated with its runtime, limits, variables and triggers from a folder of just its files', async () => {
    const { manager, calls } = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [],
      gatewayEnabled: true,
    });
    await applyPlan(plan, { manager, data: fakeData().data }, options());
    const created = calls.filter(([n]) => n === 'functions.createFunction').map((call) => call[1] as any);
    expect(created.map((c) => c.func.name)).toEqual(plan.functions.map((f) => f.name));
    for (const call of created) {
      const fn = plan.functions.find((f) => f.name === call.func.name)!;
      expect(call).toEqual({
        func: {
          name: fn.name,
          handler: 'index.main',
          runtime: 'Nodejs18.15',
          timeout: fn.timeout,
          memorySize: fn.memorySize,
          installDependency: true,
          isWaitInstall: true,
          envVariables: expect.any(Object),
        },
        functionRootPath: stageDir,
        force: true,
      });
      // The upload folder holds exactly the planned files, byte for byte.
      const staged = fs.readdirSync(path.join(stageDir, fn.name)).sort();
      expect(staged).toEqual(fn.files.map((f) => f.path));
      for (const file of staged)
        expect(
          fs
            .readFileSync(path.join(stageDir, fn.name, file))
            .equals(fs.readFileSync(path.join(root, fn.dir, file))),
        ).toBe(true);
    }
    const admin = created.find((c) => c.func.name === 'admin')!;
    // Empty values are left out so the function keeps its default (an empty number reads as 0).
    expect(admin.func.envVariables).toEqual({
      LEADPOOL_TOKEN_SECRET: env.LEADPOOL_TOKEN_SECRET,
      LEADPOOL_ADMIN_ORIGIN: addresses.adminOrigin,
      LEADPOOL_EXPORT_STEP_MS: '8000',
    });
    // New functions: looked up (not found), created, then given their triggers.
    expect(
      calls
        .filter(([n]) => n.startsWith('functions.'))
        .map(([n, arg, more]) => [n, typeof arg === 'string' ? arg : undefined, more]),
    ).toEqual(
      plan.functions.flatMap((fn) => [
        ['functions.getFunctionDetail', fn.name, undefined],
        ['functions.createFunction', undefined, undefined],
        ...(fn.triggers.length ? [['functions.createFunctionTriggers', fn.name, fn.triggers]] : []),
      ]),
    );
    expect(plan.functions.find((f) => f.name === 'dispatch')!.triggers).toEqual([
      { name: 'tick', type: 'timer', config: '0 */1 * * * * *' },
    ]);
    expect(created.find((c) => c.func.name === 'staff')!.func.envVariables).toEqual({});
  });

  test('the admin function is reachable at /admin-api without CloudBase auth, and the page is uploaded under admin/', async () => {
    const { manager, calls } = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [],
      gatewayEnabled: true,
    });
    const result = await applyPlan(plan, { manager, data: fakeData().data }, options());
    expect(calls.filter(([n]) => n.startsWith('access.'))).toEqual([
      ['access.getAccessList', { path: '/admin-api' }],
      ['access.createAccess', { path: '/admin-api', name: 'admin', type: 1, auth: false }],
    ]);
    const uploads = calls.filter(([n]) => n === 'hosting.uploadFiles');
    expect(uploads).toHaveLength(1);
    const { files } = uploads[0][1] as { files: { localPath: string; cloudPath: string }[] };
    expect(files.map((f) => f.cloudPath)).toEqual(plan.hosting.files.map((f) => `admin/${f.path}`));
    for (const file of files) expect(fs.existsSync(file.localPath)).toBe(true);
    expect(result.filesUploaded).toBe(plan.hosting.files.length);
    expect(result.adminUrl).toBe(`${addresses.adminOrigin}/admin/`);
  });

  test('first data: the settings document and an admin account with a password printed once', async () => {
    const { manager } = fakeManager({ indexes: {}, accessPaths: [], hosting: [], gatewayEnabled: true });
    const { data, inserted } = fakeData();
    const result = await applyPlan(plan, { manager, data }, options());

    const settings = inserted.find((i) => i.collection === 'rules')!.doc;
    expect(settings).toMatchObject({
      _id: 'settings',
      kind: 'settings',
      adminUrl: `${addresses.adminOrigin}/admin/`,
      robots: [
        { id: 'hq', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-1', store: '' },
      ],
      webhooks: [],
      mqlThreshold: 60,
      slaHours: 2,
    });

    const account = inserted.find((i) => i.collection === 'accounts')!.doc;
    expect(account).toMatchObject({
      username: 'admin',
      role: 'admin',
      active: true,
      staffId: null,
      tokenVersion: 1,
    });
    expect(result.adminCreated).toBe(true);
    expect(result.adminPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(verifyPassword(result.adminPassword!, String(account.passwordHash))).toBe(true);

    const given = fakeData();
    const withPassword = await applyPlan(
      plan,
      { manager, data: given.data },
      { ...options(), env: { ...env, LEADPOOL_ADMIN_PASSWORD: 'chosen-password' } },
    );
    expect(withPassword.adminPassword).toBeNull();
    const chosen = given.inserted.find((i) => i.collection === 'accounts')!.doc;
    expect(verifyPassword('chosen-password', String(chosen.passwordHash))).toBe(true);
  });

  test('a second deploy keeps what exists: indexes, the access path, settings and the admin account', async () => {
    const indexes = Object.fromEntries(
      plan.collections.map((c) => [
        c.name,
        [
          { Name: '_id_' },
          ...c.indexes.map((i) => ({
            Name: i.name,
            Keys: Object.entries(i.keys).map(([Name, d]) => ({ Name, Direction: String(d) })),
            Unique: i.unique ?? false,
          })),
        ],
      ]),
    );
    // One index exists under a declared name with other keys: reported, not dropped.
    indexes.leads = indexes.leads.map((i) =>
      i.Name === 'created' ? { ...i, Keys: [{ Name: 'at', Direction: '-1' }] } : i,
    );
    const functions: CloudState['functions'] = Object.fromEntries(
      plan.functions.map((fn) => [fn.name, { Runtime: 'Nodejs18.15', Triggers: [] }]),
    );
    functions.dispatch = { Runtime: 'Nodejs18.15', Triggers: [{ TriggerName: 'tick', Type: 'timer' }] };
    functions.staff = { Runtime: 'Nodejs16.13', Triggers: [] };
    const { manager, calls } = fakeManager({
      indexes,
      accessPaths: [{ Path: '/admin-api', Name: 'admin', Type: 1 }],
      hosting: [],
      gatewayEnabled: true,
      functions,
    });
    const { data, inserted } = fakeData({ settings: true, admin: true });
    const result = await applyPlan(plan, { manager, data }, options());
    expect(names(calls)).not.toContain('database.updateCollection');
    expect(names(calls)).not.toContain('access.createAccess');
    expect(names(calls).filter((n) => n === 'functions.createFunction')).toHaveLength(plan.functions.length);
    // An existing trigger is replaced by name: deleted, then created again.
    expect(calls.filter(([n]) => n.includes('Trigger'))).toEqual([
      ['functions.deleteFunctionTrigger', 'dispatch', 'tick'],
      [
        'functions.createFunctionTriggers',
        'dispatch',
        [{ name: 'tick', type: 'timer', config: '0 */1 * * * * *' }],
      ],
    ]);
    expect(inserted).toEqual([]);
    expect(result).toMatchObject({
      indexesCreated: [],
      indexConflicts: ['leads.created'],
      runtimeConflicts: ['staff（Nodejs16.13，计划 Nodejs18.15）'],
      adminCreated: false,
    });
  });

  test('an access path bound to another function stops the deploy', async () => {
    const { manager } = fakeManager({
      indexes: {},
      accessPaths: [{ Path: '/admin-api', Name: 'other', Type: 1 }],
      hosting: [],
      gatewayEnabled: true,
    });
    await expect(applyPlan(plan, { manager, data: fakeData().data }, options())).rejects.toThrow(
      /已绑定到 other/,
    );
  });
});

describe('finding the addresses before the build', () => {
  test('switches on static hosting and the HTTP access service of a new environment and waits for them', async () => {
    const { manager, calls } = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [
        [],
        [{ CdnDomain: 'env.tcloudbaseapp.com', Status: 'init' }],
        [{ CdnDomain: 'https://env.tcloudbaseapp.com/', Status: 'online' }],
      ],
      gatewayEnabled: false,
    });
    const waits: number[] = [];
    const found = await discover(manager, plan, {}, { wait: async (ms) => waits.push(ms), pollMs: 5 });
    expect(found).toEqual({
      apiBase: 'https://env-1a2b-123.ap-shanghai.app.tcloudbase.com/admin-api',
      adminOrigin: 'https://env.tcloudbaseapp.com',
    });
    expect(calls).toEqual([
      ['hosting.getInfo'],
      ['hosting.enableService'],
      ['hosting.getInfo'],
      ['hosting.getInfo'],
      ['access.getDomainList'],
      ['access.switchAuth', true],
    ]);
    expect(waits).toEqual([5, 5]);
  });

  test('an environment that is ready is only read; addresses set in .env win', async () => {
    const { manager, calls } = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [[{ CdnDomain: 'env.tcloudbaseapp.com', Status: 'online' }]],
      gatewayEnabled: true,
    });
    const found = await discover(manager, plan, {
      VITE_ADMIN_API_BASE: 'https://api.example.com/admin-api',
      LEADPOOL_ADMIN_ORIGIN: 'https://admin.example.com',
    });
    expect(found).toEqual({
      apiBase: 'https://api.example.com/admin-api',
      adminOrigin: 'https://admin.example.com',
    });
    expect(names(calls)).toEqual(['hosting.getInfo', 'access.getDomainList']);
  });

  test('gives up with advice when hosting does not come online', async () => {
    const { manager } = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: Array.from({ length: 10 }, () => [{ CdnDomain: 'x', Status: 'init' }]),
      gatewayEnabled: true,
    });
    await expect(
      discover(manager, plan, {}, { wait: async () => {}, pollMs: 1, timeoutMs: 3 }),
    ).rejects.toThrow(/稍后重新运行 npm run deploy/);
  });
});

test('the real manager-node and node-sdk offer every method the executor calls (no network: they connect lazily)', () => {
  const CloudBase = require('@cloudbase/manager-node');
  const real = new CloudBase({ secretId: 'id', secretKey: 'key', envId: 'env-1a2b' });
  const { manager } = fakeManager({ indexes: {}, accessPaths: [], hosting: [], gatewayEnabled: true });
  for (const [service, methods] of Object.entries(manager)) {
    if (typeof methods === 'function') {
      expect(typeof real[service]).toBe('function');
      continue;
    }
    for (const method of Object.keys(methods))
      expect(`${service}.${method}: ${typeof real[service][method]}`).toBe(`${service}.${method}: function`);
  }
  expect(typeof real.commonService('tcb').call).toBe('function');
});
