// The local cloud's database semantics, exercised only through the real SDKs: every supported
// generation (installed side by side as npm aliases) runs the same suite against one local cloud.
import { startTestCloud, type TestCloud, useSdkEnv } from './harness';

interface Generation {
  /** The npm name it is installed under. */
  module: string;
  /** wx-server-sdk (`cloud.database()`, `add({data})`, errCode) or @cloudbase/node-sdk (`add(data)`, code). */
  kind: 'wx' | 'node';
  major: number;
}

const GENERATIONS: Generation[] = [
  { module: 'wx-server-sdk', kind: 'wx', major: 4 },
  { module: 'wx-server-sdk-3', kind: 'wx', major: 3 },
  { module: 'wx-server-sdk-2', kind: 'wx', major: 2 },
  { module: '@cloudbase/node-sdk', kind: 'node', major: 3 },
  { module: 'cloudbase-node-sdk-2', kind: 'node', major: 2 },
];

let test_: TestCloud;

beforeAll(async () => {
  test_ = await startTestCloud();
  useSdkEnv(test_.cloud);
});

afterAll(() => test_?.close());

describe.each(GENERATIONS)('$module', (generation) => {
  const wx = generation.kind === 'wx';
  /** `cloud` for wx-server-sdk, the initialised app for node-sdk: storage and functions hang off it. */
  let app: any;
  let db: any;
  let _: any;
  let $: any;

  beforeAll(() => {
    const sdk = require(generation.module);
    if (wx) {
      sdk.init({ env: sdk.DYNAMIC_CURRENT_ENV });
      app = sdk;
    } else {
      app = sdk.init({ env: test_.cloud.envId });
    }
    db = app.database();
    _ = db.command;
    $ = db.command.aggregate;
  });

  test(`is version ${generation.major}.x`, () => {
    expect(require(`${generation.module}/package.json`).version.split('.')[0]).toBe(String(generation.major));
  });

  beforeEach(async () => {
    await removeWhere(db.collection('things').where({ _id: _.exists(true) }));
    await removeWhere(db.collection('owners').where({ _id: _.exists(true) }));
  });

  // The two families differ in argument and answer shapes only; these speak both.
  const data = (value: unknown) => (wx ? { data: value } : value);
  const add = async (collection: any, value: unknown): Promise<string> => {
    const res = await collection.add(data(value));
    return wx ? res._id : res.id;
  };
  const getDoc = async (collection: any, id: string): Promise<any> => {
    const res = await collection.doc(id).get();
    return Array.isArray(res.data) ? (res.data[0] ?? null) : res.data;
  };
  const setDoc = (collection: any, id: string, value: unknown) => collection.doc(id).set(data(value));
  const updated = (res: any): number => (wx ? res.stats.updated : res.updated);
  const update = async (target: any, value: unknown) => updated(await target.update(data(value)));
  async function removeWhere(target: any): Promise<number> {
    const res = await target.remove();
    return wx ? res.stats.removed : res.deleted;
  }
  const listOf = (res: any): any[] => (wx ? res.list : res.data);
  /** The same cloud error as each family reports it. */
  const cloudError = (errCode: number, code: string, message?: string) =>
    wx
      ? { errCode, ...(message ? { errMsg: expect.stringContaining(message) } : {}) }
      : { code, ...(message ? { message: expect.stringContaining(message) } : {}) };
  /** Seeds documents straight into the store (what is seeded is not what is tested). */
  const seedDirect = (docs: Record<string, unknown>[]) =>
    test_.cloud.store.insert(test_.cloud.store.main, 'things', docs as never);

  const things = () => db.collection('things');

  async function seed() {
    const rows = [
      {
        code: 'a',
        status: 'new',
        score: 5,
        tags: ['x', 'y'],
        owner: { name: '张三', city: '上海' },
        createdAt: new Date('2026-01-01'),
      },
      {
        code: 'b',
        status: 'new',
        score: 9,
        tags: ['y'],
        owner: { name: '李四', city: '北京' },
        createdAt: new Date('2026-01-02'),
      },
      {
        code: 'c',
        status: 'won',
        score: 7,
        tags: [],
        owner: { name: '王五', city: '上海' },
        createdAt: new Date('2026-01-03'),
      },
      {
        code: 'd',
        status: 'lost',
        score: 1.5,
        owner: { name: 'Zoe', city: '深圳' },
        createdAt: new Date('2026-01-04'),
      },
    ];
    for (const row of rows) await add(things(), row);
  }

  const codes = (res: { data: { code: string }[] }) => res.data.map((row) => row.code);

  describe('add and read', () => {
    test('add returns an id; doc().get returns the document with types intact', async () => {
      const _id = await add(things(), {
        code: 'x',
        n: 3,
        f: 1.5,
        when: new Date(1700000000000),
        nested: { deep: [1, 'two'] },
      });
      expect(_id).toMatch(/^[0-9a-f]{32}$/);
      const doc = await getDoc(things(), _id);
      expect(doc).toEqual({
        _id,
        code: 'x',
        n: 3,
        f: 1.5,
        when: new Date(1700000000000),
        nested: { deep: [1, 'two'] },
      });
      expect(doc.when).toBeInstanceOf(Date);
    });

    test('doc().set replaces and upserts, update merges, remove deletes', async () => {
      await setDoc(things(), 'fixed-id', { code: 's', a: 1, b: 2 });
      await setDoc(things(), 'fixed-id', { code: 's', a: 10 });
      expect(await getDoc(things(), 'fixed-id')).toEqual({ _id: 'fixed-id', code: 's', a: 10 });
      expect(await update(things().doc('fixed-id'), { b: 20, 'deep.x': 1 })).toBe(1);
      expect(await getDoc(things(), 'fixed-id')).toEqual({
        _id: 'fixed-id',
        code: 's',
        a: 10,
        b: 20,
        deep: { x: 1 },
      });
      expect(await removeWhere(things().doc('fixed-id'))).toBe(1);
      // wx-server-sdk throws for a missing document; node-sdk answers none.
      if (wx) await expect(things().doc('fixed-id').get()).rejects.toThrow();
      else expect(await getDoc(things(), 'fixed-id')).toBeNull();
    });

    test('dates, top-level and nested, survive an operator update', async () => {
      const at = new Date('2026-01-02T03:04:05.006Z');
      const _id = await add(things(), { code: 'd', n: 1, at, nested: { at } });
      await update(things().where({ _id, n: _.gt(0) }), { n: _.inc(1) });
      const doc = await getDoc(things(), _id);
      expect(doc).toMatchObject({ n: 2, at, nested: { at } });
      expect(doc.at).toBeInstanceOf(Date);
    });

    test('db.serverDate() is the server clock, with its offset', async () => {
      const before = Date.now();
      const _id = await add(things(), {
        code: 't',
        at: db.serverDate(),
        later: db.serverDate({ offset: 60_000 }),
      });
      const doc = await getDoc(things(), _id);
      expect(doc.at).toBeInstanceOf(Date);
      expect(doc.at.getTime()).toBeGreaterThanOrEqual(before - 5);
      expect(doc.later.getTime() - doc.at.getTime()).toBe(60_000);
    });
  });

  if (!wx) {
    test('batch add stores every document, and a duplicate in the batch stores none', async () => {
      const res = await things().add([{ code: 'p' }, { code: 'q' }]);
      expect(res.ids).toHaveLength(2);
      expect((await things().count()).total).toBe(2);
      await expect(things().add([{ code: 'one' }, { code: 'one' }])).rejects.toMatchObject({
        code: 'DATABASE_REQUEST_FAILED',
      });
      expect((await things().count()).total).toBe(2);
    });
  }

  describe('where', () => {
    beforeEach(seed);

    test.each([
      ['eq', () => ({ status: _.eq('new') }), ['a', 'b']],
      ['neq', () => ({ status: _.neq('new') }), ['c', 'd']],
      ['gt', () => ({ score: _.gt(5) }), ['b', 'c']],
      ['gte', () => ({ score: _.gte(5) }), ['a', 'b', 'c']],
      ['lt', () => ({ score: _.lt(5) }), ['d']],
      ['lte', () => ({ score: _.lte(5) }), ['a', 'd']],
      ['in', () => ({ code: _.in(['a', 'c', 'zz']) }), ['a', 'c']],
      ['nin', () => ({ code: _.nin(['a', 'c']) }), ['b', 'd']],
      ['and', () => _.and([{ status: 'new' }, { score: _.gt(6) }]), ['b']],
      ['or', () => _.or([{ status: 'won' }, { score: _.lt(2) }]), ['c', 'd']],
      ['exists', () => ({ tags: _.exists(false) }), ['d']],
      ['nested dot path', () => ({ 'owner.city': '上海' }), ['a', 'c']],
      ['nested object path', () => ({ owner: { city: '北京' } }), ['b']],
      ['array contains', () => ({ tags: 'y' }), ['a', 'b']],
      ['RegExp', () => ({ 'owner.name': /^z/i }), ['d']],
      ['db.RegExp', () => ({ 'owner.name': db.RegExp({ regexp: '三$', options: '' }) }), ['a']],
      [
        'date range',
        () => ({ createdAt: _.gte(new Date('2026-01-02')).and(_.lt(new Date('2026-01-04'))) }),
        ['b', 'c'],
      ],
    ])('%s', async (_name, where, expected) => {
      const res = await things().where(where()).orderBy('code', 'asc').get();
      expect(codes(res)).toEqual(expected);
    });

    test('count', async () => {
      expect((await things().where({ status: 'new' }).count()).total).toBe(2);
      expect((await things().where({ 'owner.city': '上海' }).count()).total).toBe(2);
      expect((await things().count()).total).toBe(4);
    });
  });

  describe('order, skip, limit, field', () => {
    beforeEach(seed);

    test('orderBy several keys, then skip and limit', async () => {
      const res = await things().orderBy('status', 'asc').orderBy('score', 'desc').get();
      expect(codes(res)).toEqual(['d', 'b', 'a', 'c']);
      const page = await things().orderBy('status', 'asc').orderBy('score', 'desc').skip(1).limit(2).get();
      expect(codes(page)).toEqual(['b', 'a']);
    });

    test('field() projects', async () => {
      const res = await things().where({ code: 'a' }).field({ code: true, 'owner.city': true }).get();
      expect(res.data).toEqual([{ _id: expect.any(String), code: 'a', owner: { city: '上海' } }]);
    });

    test('limit is capped at the server maximum of 1000', async () => {
      seedDirect(Array.from({ length: 1100 }, (_v, i) => ({ code: `bulk-${i}` })));
      const res = await things().limit(5000).get();
      expect(res.data).toHaveLength(1000);
      expect((await things().get()).data).toHaveLength(100);
    });
  });

  describe('update operators', () => {
    test('set, inc, mul, push, pull, addToSet, remove', async () => {
      const _id = await add(things(), {
        code: 'u',
        n: 2,
        m: 3,
        list: ['a'],
        drop: ['x', 'y'],
        uniq: ['k'],
        gone: 1,
        obj: { a: 1, b: 2 },
      });
      const count = await update(things().where({ code: 'u' }), {
        n: _.inc(5),
        m: _.mul(4),
        list: _.push(['b', 'c']),
        drop: _.pull('x'),
        uniq: _.addToSet('k'),
        gone: _.remove(),
        obj: _.set({ only: true }),
      });
      expect(count).toBe(1);
      expect(await getDoc(things(), _id)).toEqual({
        _id,
        code: 'u',
        n: 7,
        m: 12,
        list: ['a', 'b', 'c'],
        drop: ['y'],
        uniq: ['k'],
        obj: { only: true },
      });
    });

    test('where().update touches every match and reports the count', async () => {
      await seed();
      expect(await update(things().where({ status: 'new' }), { status: 'contacted' })).toBe(2);
      expect((await things().where({ status: 'contacted' }).count()).total).toBe(2);
    });

    test('a conditional update is atomic under concurrency (no overbooking)', async () => {
      const _id = await add(things(), { code: 'seats', left: 10 });
      const results = await Promise.all(
        Array.from({ length: 40 }, () => update(things().where({ _id, left: _.gt(0) }), { left: _.inc(-1) })),
      );
      expect(results.filter((n) => n === 1)).toHaveLength(10);
      expect((await getDoc(things(), _id)).left).toBe(0);
    });
  });

  describe('aggregate', () => {
    beforeEach(seed);

    test('match, group, sort, limit, skip, project, count', async () => {
      const grouped = await things()
        .aggregate()
        .match({ score: _.gt(1) })
        .group({ _id: '$owner.city', total: $.sum('$score'), n: $.sum(1) })
        .sort({ total: -1 })
        .skip(0)
        .limit(2)
        .project({ city: '$_id', total: 1, n: 1, _id: 0 })
        .end();
      expect(listOf(grouped)).toEqual([
        { city: '上海', total: 12, n: 2 },
        { city: '北京', total: 9, n: 1 },
      ]);
      const counted = await things().aggregate().match({ status: 'new' }).count('howMany').end();
      expect(listOf(counted)).toEqual([{ howMany: 2 }]);
    });

    test('a group of sums answers the same whether SQL or the pipeline evaluates it', async () => {
      await add(things(), { code: 'g1', status: 'lost', score: 'n/a', flag: true });
      await add(things(), { code: 'g2', status: 'lost', score: 2.5, flag: false, kind: null });
      await add(things(), { code: 'g3', status: 'new', score: 1, flag: true, kind: ['x'] });
      const byKey = (rows: any[]) =>
        [...rows].sort((a, b) => JSON.stringify(a._id).localeCompare(JSON.stringify(b._id)));
      const grouped = async (key: string, match: object) =>
        byKey(
          listOf(
            await things()
              .aggregate()
              .match(match)
              .group({ _id: key, total: $.sum('$score'), n: $.sum(1), twice: $.sum(2) })
              .end(),
          ),
        );
      // An indexed equality is exact (SQL groups); a $nin on an unindexed field is left to the pipeline.
      const everyStatus = { status: _.in(['new', 'won', 'lost']) };
      const unindexed = { code: _.nin(['zzz']) };
      for (const key of ['$status', '$flag', '$kind', '$owner']) {
        const fromSql = await grouped(key, everyStatus);
        expect(fromSql).toEqual(await grouped(key, unindexed));
        expect(fromSql.reduce((sum: number, g: any) => sum + g.n, 0)).toBe(7);
      }
      expect(await grouped('$status', everyStatus)).toEqual([
        { _id: 'lost', total: 4, n: 3, twice: 6 },
        { _id: 'new', total: 15, n: 3, twice: 6 },
        { _id: 'won', total: 7, n: 1, twice: 2 },
      ]);
      expect(await grouped('$flag', everyStatus)).toEqual(
        byKey([
          { _id: null, total: 22.5, n: 4, twice: 8 },
          { _id: false, total: 2.5, n: 1, twice: 2 },
          { _id: true, total: 1, n: 2, twice: 4 },
        ]),
      );
    });

    test('lookup and unwind', async () => {
      await add(db.collection('owners'), { code: 'a', region: '华东' });
      await add(db.collection('owners'), { code: 'b', region: '华北' });
      const res = await things()
        .aggregate()
        .match({ status: 'new' })
        .lookup({ from: 'owners', localField: 'code', foreignField: 'code', as: 'owners' })
        .unwind('$owners')
        .project({ _id: 0, code: 1, region: '$owners.region' })
        .sort({ code: 1 })
        .end();
      expect(listOf(res)).toEqual([
        { code: 'a', region: '华东' },
        { code: 'b', region: '华北' },
      ]);
    });
  });

  describe('transactions', () => {
    test('runTransaction commits reads and writes together', async () => {
      const _id = await add(things(), { code: 'acct', balance: 100 });
      await db.runTransaction(async (tx: any) => {
        const doc = await getDoc(tx.collection('things'), _id);
        await update(tx.collection('things').doc(_id), { balance: doc.balance - 30 });
      });
      expect((await getDoc(things(), _id)).balance).toBe(70);
    });

    test('a rolled-back transaction leaves nothing behind', async () => {
      const _id = await add(things(), { code: 'rb', balance: 100 });
      const tx = await db.startTransaction();
      await update(tx.collection('things').doc(_id), { balance: 0 });
      await setDoc(tx.collection('things'), 'new-in-tx', { code: 'tx-new' });
      // Outside the transaction nothing is visible yet.
      expect((await getDoc(things(), _id)).balance).toBe(100);
      await tx.rollback();
      expect((await getDoc(things(), _id)).balance).toBe(100);
      expect((await things().where({ code: 'tx-new' }).count()).total).toBe(0);
    });

    test('concurrent transactions are serialized: no lost update', async () => {
      const _id = await add(things(), { code: 'ctr', n: 0 });
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.runTransaction(async (tx: any) => {
            const doc = await getDoc(tx.collection('things'), _id);
            await update(tx.collection('things').doc(_id), { n: doc.n + 1 });
          }),
        ),
      );
      expect((await getDoc(things(), _id)).n).toBe(20);
    });
  });

  describe('storage', () => {
    test('upload, getTempFileURL, download and delete', async () => {
      const cloudPath = `conformance/${generation.kind}${generation.major}/报表.csv`;
      const { fileID } = await app.uploadFile({ cloudPath, fileContent: Buffer.from('a,b\n1,2\n') });
      expect(fileID).toBe(`cloud://${test_.cloud.envId}.${test_.cloud.envId}-local/${cloudPath}`);
      const { fileList } = await app.getTempFileURL({ fileList: [fileID] });
      expect(fileList[0]).toMatchObject({
        fileID,
        tempFileURL: expect.stringContaining('/__local/storage/'),
      });
      expect(await (await fetch(fileList[0].tempFileURL)).text()).toBe('a,b\n1,2\n');
      expect((await app.downloadFile({ fileID })).fileContent.toString()).toBe('a,b\n1,2\n');
      const deleted = await app.deleteFile({ fileList: [fileID] });
      expect(deleted.fileList[0]).toMatchObject({ fileID });
      const again = await app.getTempFileURL({ fileList: [fileID] });
      expect(again.fileList[0].tempFileURL).toBe('');
    });
  });

  describe('errors the cloud gives', () => {
    test('a unique index rejects a duplicate with the duplicate-key error and stores nothing', async () => {
      await add(things(), { code: 'same' });
      await expect(add(things(), { code: 'same' })).rejects.toMatchObject(
        cloudError(-502001, 'DATABASE_REQUEST_FAILED', 'duplicate key'),
      );
      expect((await things().where({ code: 'same' }).count()).total).toBe(1);
    });

    test('a unique index counts a missing field as null', async () => {
      await add(things(), { other: 1 });
      await expect(add(things(), { other: 2 })).rejects.toMatchObject(
        cloudError(-502001, 'DATABASE_REQUEST_FAILED', 'duplicate key'),
      );
    });

    test('a missing collection fails with DATABASE_COLLECTION_NOT_EXIST (-502005)', async () => {
      const missing = cloudError(-502005, 'DATABASE_COLLECTION_NOT_EXIST');
      await expect(db.collection('nope').get()).rejects.toMatchObject(missing);
      await expect(add(db.collection('nope'), { a: 1 })).rejects.toMatchObject(missing);
    });

    test('createCollection makes a new collection usable', async () => {
      const name = `made_${generation.kind}${generation.major}_${Date.now()}`;
      await db.createCollection(name);
      await add(db.collection(name), { a: 1 });
      expect((await db.collection(name).count()).total).toBe(1);
    });
  });
});

describe('the oldest database client (@cloudbase/database 0.x)', () => {
  test('database.aggregate answers list as one JSON string of EJSON documents', async () => {
    const since = new Date('2026-03-01T00:00:00.000Z');
    test_.cloud.store.insert(test_.cloud.store.main, 'owners', [
      { _id: 'old-1', region: '华东', since },
      { _id: 'old-2', region: '华北', since },
    ] as never);
    const { protocolRequest } = require('../../local/protocol-client');
    const answer = await protocolRequest(test_.cloud.url, test_.cloud.credentials, {
      action: 'database.aggregate',
      envName: test_.cloud.envId,
      collectionName: 'owners',
      // That client sends each stage as plain JSON.
      stages: [
        { stageKey: '$match', stageValue: JSON.stringify({ region: '华东' }) },
        { stageKey: '$project', stageValue: JSON.stringify({ _id: 1, since: 1 }) },
      ],
    });
    expect(typeof answer.data.list).toBe('string');
    // What that client does with it: JSON.parse(list).map(EJSON.parse).
    const { EJSON } = require('bson');
    const docs = JSON.parse(answer.data.list).map((doc: string) => EJSON.parse(doc));
    expect(docs).toEqual([{ _id: 'old-1', since }]);
    expect(docs[0].since).toBeInstanceOf(Date);
  });
});
