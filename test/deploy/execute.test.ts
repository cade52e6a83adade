import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyPassword } from '../../cloudfunctions/admin/auth';
import {
  type AccessPath,
  type ApplyOptions,
  applyPlan,
  createIndex,
  type DataPort,
  discover,
  GATEWAY_CORS_OFF,
  type ManagerPort,
  reapplyVariables,
} from '../../scripts/deploy/execute';
import { buildPlan, type DeployPlan } from '../../scripts/deploy/plan';

const root = path.resolve(__dirname, '../..');

type Call = [string, ...unknown[]];

interface FakeFunction {
  Runtime: string;
  Triggers?: { TriggerName: string; Type: string }[];
  Environment?: { Variables: { Key: string; Value: string }[] };
}

/** What a CloudBase environment already holds, for the fake to answer from. */
interface CloudState {
  indexes: Record<string, { Name: string; Keys?: { Name: string; Direction: string }[]; Unique?: boolean }[]>;
  accessPaths: AccessPath[];
  /** Successive answers of DescribeStaticStore (the last one repeats). */
  hosting: { CdnDomain: string; Status: string }[][];
  gatewayEnabled: boolean;
  functions?: Record<string, FakeFunction>;
  /** CreateStaticStore's answer: anything but 0 is a refusal (manager-node maps a failure to -1). */
  hostingEnableCode?: number;
  /** Reads of the gateway after it is switched on before its default domain is assigned. */
  domainAfterReads?: number;
  /** A gateway that ignores a change of the cross-origin check on an existing path. */
  corsFlagStuck?: boolean;
  /** Keys in the static hosting bucket. */
  hostedKeys?: string[];
}

const DEFAULT_DOMAIN = 'env-1a2b-123.ap-shanghai.app.tcloudbase.com';

/**
 * A manager-node stand-in that records every call, in order, with its arguments, and behaves as
 * the service does where a deploy depends on it: the HTTP access domain is null until the service
 * is on (and for a few reads after), a path made by CreateCloudBaseGWAPI keeps the gateway's
 * cross-origin check unless EnableCheckAcrossDomain is 2, static hosting may refuse to start, and
 * a function's variables are what was last set.
 */
function fakeManager(state: CloudState) {
  const calls: Call[] = [];
  const functions = state.functions ?? {};
  const hosted = new Set(state.hostedKeys ?? []);
  let domainReads = 0;
  const record =
    <T>(name: string, answer: (...args: any[]) => T) =>
    async (...args: any[]) => {
      calls.push([name, ...args]);
      return answer(...args);
    };
  const variables = (envVariables: Record<string, string>) => ({
    Variables: Object.entries(envVariables).map(([Key, Value]) => ({ Key, Value })),
  });
  const gatewayApi = (param: Record<string, any>) => {
    const existing = state.accessPaths.find((api) => api.APIId === param.APIId);
    if (existing) {
      if (!state.corsFlagStuck) existing.EnableCheckAcrossDomain = param.EnableCheckAcrossDomain ?? 0;
      return { APIId: existing.APIId };
    }
    const APIId = `api-${state.accessPaths.length + 1}`;
    state.accessPaths.push({
      APIId,
      Path: param.Path,
      Name: param.Name,
      Type: param.Type,
      EnableCheckAcrossDomain: param.EnableCheckAcrossDomain ?? 0,
    });
    return { APIId };
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
      call: record(`commonService(${service}).call`, (options: { Action: string; Param: any }) =>
        options.Action === 'CreateCloudBaseGWAPI' ? gatewayApi(options.Param) : { RequestId: 'r' },
      ),
    }),
    functions: {
      getFunctionDetail: record('functions.getFunctionDetail', (name: string) => {
        const found = functions[name];
        if (!found)
          throw Object.assign(new Error(`[${name}] 函数不存在`), { code: 'ResourceNotFound.Function' });
        return found;
      }),
      createFunction: record('functions.createFunction', ({ func }: any) => {
        functions[func.name] = {
          ...functions[func.name],
          Runtime: functions[func.name]?.Runtime ?? func.runtime,
          Environment: variables(func.envVariables),
        };
        return {};
      }),
      deleteFunctionTrigger: record('functions.deleteFunctionTrigger', () => ({})),
      createFunctionTriggers: record('functions.createFunctionTriggers', () => ({})),
      updateFunctionConfig: record('functions.updateFunctionConfig', (func: any) => {
        functions[func.name].Environment = variables(func.envVariables);
        return {};
      }),
    },
    access: {
      getDomainList: record('access.getDomainList', () => {
        if (state.gatewayEnabled) domainReads += 1;
        const assigned = state.gatewayEnabled && domainReads > (state.domainAfterReads ?? 0);
        return { DefaultDomain: assigned ? DEFAULT_DOMAIN : null, EnableService: state.gatewayEnabled };
      }),
      switchAuth: record('access.switchAuth', (enable: boolean) => {
        state.gatewayEnabled = enable;
        return {};
      }),
      getAccessList: record('access.getAccessList', (options: { path?: string }) => ({
        APISet: state.accessPaths.filter((api) => api.Path === options?.path).map((api) => ({ ...api })),
      })),
    },
    hosting: {
      getInfo: record('hosting.getInfo', () =>
        state.hosting.length > 1 ? state.hosting.shift() : (state.hosting[0] ?? []),
      ),
      enableService: record('hosting.enableService', () => ({
        code: state.hostingEnableCode ?? 0,
        requestId: 'req-enable',
      })),
      uploadFiles: record('hosting.uploadFiles', ({ files }: { files: { cloudPath: string }[] }) => {
        for (const file of files) hosted.add(file.cloudPath);
        return {};
      }),
      // COS answers a page of keys under the prefix, IsTruncated as a string.
      findFiles: record('hosting.findFiles', ({ prefix, maxKeys, marker }: any) => {
        const keys = [...hosted].filter((key) => key.startsWith(prefix) && (!marker || key > marker)).sort();
        const page = keys.slice(0, maxKeys);
        return {
          Contents: page.map((Key) => ({ Key })),
          IsTruncated: String(keys.length > maxKeys),
          NextMarker: keys.length > maxKeys ? page[page.length - 1] : '',
        };
      }),
      deleteFiles: record('hosting.deleteFiles', ({ cloudPath }: { cloudPath: string }) => {
        hosted.delete(cloudPath);
        return { Deleted: [{ Key: cloudPath }], Error: [] };
      }),
    },
  };
  return { manager, calls, functions, hosted };
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
    const safeRules = calls.filter(
      ([n, o]: any) => n.startsWith('commonService(') && o.Action === 'ModifySafeRule',
    );
    const routes = calls.filter(([, o]: any) => o?.Action === 'CreateCloudBaseGWAPI');
    expect(last('database.')).toBeLessThan(first('functions.'));
    expect(calls.indexOf(safeRules[safeRules.length - 1])).toBeLessThan(first('functions.'));
    expect(last('functions.')).toBeLessThan(first('access.'));
    expect(calls.indexOf(routes[0])).toBeGreaterThan(first('access.'));
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
    expect(
      calls.filter(([n, o]: any) => n.startsWith('database.') || o?.Action === 'ModifySafeRule'),
    ).toEqual(perCollection);
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

  test('the admin function is reachable at /admin-api without CloudBase auth and without the gateway’s CORS check, and the page is uploaded under admin/', async () => {
    const state: CloudState = { indexes: {}, accessPaths: [], hosting: [], gatewayEnabled: true };
    const { manager, calls } = fakeManager(state);
    const result = await applyPlan(plan, { manager, data: fakeData().data }, options());
    expect(
      calls.filter(([n, o]: any) => n.startsWith('access.') || o?.Action === 'CreateCloudBaseGWAPI'),
    ).toEqual(
      plan.httpAccess.flatMap((route) => [
        ['access.getAccessList', { path: route.path }],
        [
          'commonService(tcb).call',
          {
            Action: 'CreateCloudBaseGWAPI',
            Param: {
              ServiceId: 'env-1a2b',
              Path: route.path,
              Type: 1,
              Name: route.functionName,
              AuthSwitch: 2,
              EnableCheckAcrossDomain: 2,
            },
          },
        ],
        ['access.getAccessList', { path: route.path }],
      ]),
    );
    // The functions own CORS: every path exists with the gateway's check off.
    expect(state.accessPaths.find((api) => api.Path === '/admin-api')).toEqual({
      APIId: 'api-1',
      Path: '/admin-api',
      Name: 'admin',
      Type: 1,
      EnableCheckAcrossDomain: GATEWAY_CORS_OFF,
    });
    expect(state.accessPaths.map((api) => api.EnableCheckAcrossDomain)).toEqual(
      plan.httpAccess.map(() => GATEWAY_CORS_OFF),
    );
    expect(result.accessPathsCreated).toEqual(plan.httpAccess.map((route) => route.path));
    const uploads = calls.filter(([n]) => n === 'hosting.uploadFiles');
    expect(uploads).toHaveLength(1);
    const { files } = uploads[0][1] as { files: { localPath: string; cloudPath: string }[] };
    expect(files.map((f) => f.cloudPath)).toEqual(plan.hosting.files.map((f) => `admin/${f.path}`));
    for (const file of files) expect(fs.existsSync(file.localPath)).toBe(true);
    expect(result.filesUploaded).toBe(plan.hosting.files.length);
    expect(result.adminUrl).toBe(`${addresses.adminOrigin}/admin/`);
  });

  test('a path made with the gateway’s CORS check on (the createAccess default) is switched to the function’s CORS in place', async () => {
    const state: CloudState = {
      indexes: {},
      accessPaths: [
        { APIId: 'api-old', Path: '/admin-api', Name: 'admin', Type: 1, EnableCheckAcrossDomain: 0 },
      ],
      hosting: [],
      gatewayEnabled: true,
    };
    const { manager, calls } = fakeManager(state);
    const result = await applyPlan(plan, { manager, data: fakeData().data }, options());
    const changes = calls.filter(
      ([, o]: any) => o?.Action === 'CreateCloudBaseGWAPI' && o.Param.Path === '/admin-api',
    );
    expect(changes.map(([, o]: any) => [o.Param.APIId, o.Param.EnableCheckAcrossDomain])).toEqual([
      ['api-old', 2],
    ]);
    expect(state.accessPaths.filter((api) => api.Path === '/admin-api')).toEqual([
      expect.objectContaining({ APIId: 'api-old', EnableCheckAcrossDomain: GATEWAY_CORS_OFF }),
    ]);
    expect(result.accessPathsCreated).not.toContain('/admin-api');

    // Switched off already: only read.
    const again = fakeManager(state);
    await applyPlan(plan, { manager: again.manager, data: fakeData().data }, options());
    expect(again.calls.filter(([, o]: any) => o?.Action === 'CreateCloudBaseGWAPI')).toEqual([]);
  });

  test('a gateway that keeps its CORS check on stops the deploy with the console step', async () => {
    const { manager } = fakeManager({
      indexes: {},
      accessPaths: [
        { APIId: 'api-old', Path: '/admin-api', Name: 'admin', Type: 1, EnableCheckAcrossDomain: 1 },
      ],
      hosting: [],
      gatewayEnabled: true,
      corsFlagStuck: true,
    });
    await expect(applyPlan(plan, { manager, data: fakeData().data }, options())).rejects.toThrow(
      /跨域校验仍是开启的.*关闭“跨域校验”/,
    );
  });

  test('files an earlier build left in the page’s folder are removed after the upload; others stay', async () => {
    const stale = ['admin/assets/index-OLDHASH1.js', 'admin/assets/LeadsPage-OLDHASH2.css'];
    // More than one page of listing, to follow COS's marker.
    const many = Array.from({ length: 1200 }, (_v, i) => `admin/assets/old-${String(i).padStart(4, '0')}.js`);
    const { manager, calls, hosted } = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [],
      gatewayEnabled: true,
      hostedKeys: [...stale, ...many, 'other-site/index.html', 'admin/index.html'],
    });
    const result = await applyPlan(plan, { manager, data: fakeData().data }, options());
    const planned = plan.hosting.files.map((f) => `admin/${f.path}`);
    expect([...hosted].sort()).toEqual([...planned, 'other-site/index.html'].sort());
    expect(result.filesRemoved.sort()).toEqual([...stale, ...many].sort());
    // Removed only after the new page was uploaded.
    const firstDelete = calls.findIndex(([n]) => n === 'hosting.deleteFiles');
    expect(firstDelete).toBeGreaterThan(calls.findIndex(([n]) => n === 'hosting.uploadFiles'));
    expect(calls.filter(([n]) => n === 'hosting.findFiles').length).toBeGreaterThan(1);
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
      accessPaths: plan.httpAccess.map((route, i) => ({
        APIId: `api-${i + 1}`,
        Path: route.path,
        Name: route.functionName,
        Type: 1,
        EnableCheckAcrossDomain: GATEWAY_CORS_OFF,
      })),
      hosting: [],
      gatewayEnabled: true,
      functions,
    });
    const { data, inserted } = fakeData({ settings: true, admin: true });
    const result = await applyPlan(plan, { manager, data }, options());
    expect(names(calls)).not.toContain('database.updateCollection');
    expect(calls.filter(([, o]: any) => o?.Action === 'CreateCloudBaseGWAPI')).toEqual([]);
    expect(names(calls).filter((n) => n === 'functions.createFunction')).toHaveLength(plan.functions.length);
    // An existing trigger is replaced by name: deleted, then created again; a missing one is created.
    expect(calls.filter(([n]) => n.includes('Trigger'))).toEqual(
      plan.functions
        .filter((fn) => fn.triggers.length)
        .flatMap((fn) => [
          ...(fn.name === 'dispatch' ? [['functions.deleteFunctionTrigger', 'dispatch', 'tick']] : []),
          ['functions.createFunctionTriggers', fn.name, fn.triggers],
        ]),
    );
    expect(calls).toContainEqual([
      'functions.createFunctionTriggers',
      'dispatch',
      [{ name: 'tick', type: 'timer', config: '0 */1 * * * * *' }],
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
  test('a new environment: switches on static hosting and the HTTP access service, and waits until each is ready and the domain is assigned', async () => {
    const { manager, calls } = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [
        [],
        [{ CdnDomain: '', Status: 'init' }],
        // Online a moment before its domain is filled in.
        [{ CdnDomain: '', Status: 'online' }],
        [{ CdnDomain: 'https://env.tcloudbaseapp.com/', Status: 'online' }],
      ],
      gatewayEnabled: false,
      // The service is on, but its default domain shows up two reads later.
      domainAfterReads: 2,
    });
    const waits: number[] = [];
    const found = await discover(manager, plan, {}, { wait: async (ms) => waits.push(ms), pollMs: 5 });
    expect(found).toEqual({
      apiBase: `https://${DEFAULT_DOMAIN}/admin-api`,
      adminOrigin: 'https://env.tcloudbaseapp.com',
    });
    expect(calls).toEqual([
      ['hosting.getInfo'],
      ['hosting.enableService'],
      ['hosting.getInfo'],
      ['hosting.getInfo'],
      ['hosting.getInfo'],
      ['access.getDomainList'],
      ['access.switchAuth', true],
      ['access.getDomainList'],
      ['access.getDomainList'],
      ['access.getDomainList'],
    ]);
    expect(waits).toEqual([5, 5, 5, 5]);
  });

  test('a domain that never comes gives up with advice instead of building for https://null', async () => {
    const { manager } = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [[{ CdnDomain: 'env.tcloudbaseapp.com', Status: 'online' }]],
      gatewayEnabled: false,
      domainAfterReads: 1000,
    });
    await expect(
      discover(manager, plan, {}, { wait: async () => {}, pollMs: 1, timeoutMs: 3 }),
    ).rejects.toThrow(/HTTP 访问服务的默认域名.*稍后重新运行 npm run deploy/);
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
      hosting: [[{ CdnDomain: 'x', Status: 'init' }]],
      gatewayEnabled: true,
    });
    await expect(
      discover(manager, plan, {}, { wait: async () => {}, pollMs: 1, timeoutMs: 3 }),
    ).rejects.toThrow(/稍后重新运行 npm run deploy/);
  });

  test('a refused or failed hosting activation fails at once with the reason, not after the timeout', async () => {
    const refused = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [[]],
      gatewayEnabled: true,
      hostingEnableCode: -1,
    });
    const waits: number[] = [];
    const wait = async (ms: number) => waits.push(ms);
    await expect(discover(refused.manager, plan, {}, { wait })).rejects.toThrow(
      /静态网站托管开通被拒绝.*req-enable/,
    );
    expect(names(refused.calls)).toEqual(['hosting.getInfo', 'hosting.enableService']);

    const failed = fakeManager({
      indexes: {},
      accessPaths: [],
      hosting: [[], [{ CdnDomain: '', Status: 'init' }], [{ CdnDomain: '', Status: 'create_fail' }]],
      gatewayEnabled: true,
    });
    await expect(discover(failed.manager, plan, {}, { wait })).rejects.toThrow(
      /静态网站托管开通失败（状态 create_fail）/,
    );
    // One wait between the two reads, none of the 10 minutes.
    expect(waits).toEqual([10_000]);
  });
});

describe('after the DevTools upload', () => {
  const withCache = { ...env, LEADPOOL_CONFIG_CACHE_MS: '30000' };
  const deployed = async () => {
    const fake = fakeManager({ indexes: {}, accessPaths: [], hosting: [], gatewayEnabled: true });
    await applyPlan(plan, { manager: fake.manager, data: fakeData().data }, { ...options(), env: withCache });
    return fake;
  };

  test('variables an upload replaced are set again and read back; values are never logged', async () => {
    const { manager, calls, functions } = await deployed();
    const asDeployed = structuredClone(
      Object.fromEntries(Object.entries(functions).map(([n, f]) => [n, f.Environment])),
    );
    // DevTools uploads customer and staff with config.json, which has no variables.
    functions.customer.Environment = { Variables: [] };
    functions.admin.Environment = {
      Variables: [{ Key: 'LEADPOOL_TOKEN_SECRET', Value: 'some-other-secret-value' }],
    };
    const lines: string[] = [];
    const before = calls.length;
    const restored = await reapplyVariables(plan, manager, withCache, (line) => lines.push(line));
    expect(restored.sort()).toEqual(['admin', 'customer'].sort());
    const updates = calls.slice(before).filter(([n]) => n === 'functions.updateFunctionConfig');
    expect(updates.map(([, f]: any) => f.name).sort()).toEqual(['admin', 'customer']);
    expect(updates.find(([, f]: any) => f.name === 'admin')![1]).toEqual({
      name: 'admin',
      envVariables: {
        LEADPOOL_TOKEN_SECRET: env.LEADPOOL_TOKEN_SECRET,
        LEADPOOL_ADMIN_ORIGIN: addresses.adminOrigin,
        LEADPOOL_CONFIG_CACHE_MS: '30000',
        LEADPOOL_EXPORT_STEP_MS: '8000',
      },
    });
    // Back to exactly what the deploy set.
    for (const fn of ['admin', 'customer']) expect(functions[fn].Environment).toEqual(asDeployed[fn]);
    expect(lines.join('\n')).toMatch(/admin：重新设置了 LEADPOOL_TOKEN_SECRET/);
    expect(lines.join('\n')).not.toContain(env.LEADPOOL_TOKEN_SECRET);

    // Nothing lost: only read.
    const quiet = calls.length;
    expect(await reapplyVariables(plan, manager, withCache)).toEqual([]);
    expect(calls.slice(quiet).map(([n]) => n)).not.toContain('functions.updateFunctionConfig');
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
