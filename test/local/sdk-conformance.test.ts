// The local cloud's database semantics, exercised only through the real wx-server-sdk.
import { startTestCloud, type TestCloud, useSdkEnv } from './harness';

let test_: TestCloud;
let cloud: any;
let db: any;
let _: any;
let $: any;

beforeAll(async () => {
  test_ = await startTestCloud();
  useSdkEnv(test_.cloud);
  cloud = require('wx-server-sdk');
  cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
  db = cloud.database();
  _ = db.command;
  $ = db.command.aggregate;
});

afterAll(() => test_?.close());

beforeEach(async () => {
  await db
    .collection('things')
    .where({ _id: _.exists(true) })
    .remove();
  await db
    .collection('owners')
    .where({ _id: _.exists(true) })
    .remove();
});

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
  for (const data of rows) await things().add({ data });
}

const codes = (res: { data: { code: string }[] }) => res.data.map((row) => row.code);

describe('add and read', () => {
  test('add returns an id; doc().get returns the document with types intact', async () => {
    const { _id } = await things().add({
      data: { code: 'x', n: 3, f: 1.5, when: new Date(1700000000000), nested: { deep: [1, 'two'] } },
    });
    expect(_id).toMatch(/^[0-9a-f]{32}$/);
    const { data } = await things().doc(_id).get();
    expect(data).toEqual({
      _id,
      code: 'x',
      n: 3,
      f: 1.5,
      when: new Date(1700000000000),
      nested: { deep: [1, 'two'] },
    });
    expect(data.when).toBeInstanceOf(Date);
  });

  test('batch add through the admin SDK stores every document', async () => {
    const tcb = require('@cloudbase/node-sdk');
    const admin = tcb.init({ env: test_.cloud.envId }).database();
    const res = await admin.collection('things').add([{ code: 'p' }, { code: 'q' }]);
    expect(res.ids).toHaveLength(2);
    expect((await things().count()).total).toBe(2);
  });

  test('doc().set replaces and upserts, update merges, remove deletes', async () => {
    await things()
      .doc('fixed-id')
      .set({ data: { code: 's', a: 1, b: 2 } });
    await things()
      .doc('fixed-id')
      .set({ data: { code: 's', a: 10 } });
    expect((await things().doc('fixed-id').get()).data).toEqual({ _id: 'fixed-id', code: 's', a: 10 });
    const updated = await things()
      .doc('fixed-id')
      .update({ data: { b: 20, 'deep.x': 1 } });
    expect(updated.stats.updated).toBe(1);
    expect((await things().doc('fixed-id').get()).data).toEqual({
      _id: 'fixed-id',
      code: 's',
      a: 10,
      b: 20,
      deep: { x: 1 },
    });
    const removed = await things().doc('fixed-id').remove();
    expect(removed.stats.removed).toBe(1);
    await expect(things().doc('fixed-id').get()).rejects.toThrow();
  });

  test('dates, top-level and nested, survive an operator update', async () => {
    const at = new Date('2026-01-02T03:04:05.006Z');
    const { _id } = await things().add({ data: { code: 'd', n: 1, at, nested: { at } } });
    await things()
      .where({ _id, n: _.gt(0) })
      .update({ data: { n: _.inc(1) } });
    const { data } = await things().doc(_id).get();
    expect(data).toMatchObject({ n: 2, at, nested: { at } });
    expect(data.at).toBeInstanceOf(Date);
  });

  test('db.serverDate() is the server clock, with its offset', async () => {
    const before = Date.now();
    const { _id } = await things().add({
      data: { code: 't', at: db.serverDate(), later: db.serverDate({ offset: 60_000 }) },
    });
    const { data } = await things().doc(_id).get();
    expect(data.at).toBeInstanceOf(Date);
    expect(data.at.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(data.later.getTime() - data.at.getTime()).toBe(60_000);
  });
});

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
    const tcb = require('@cloudbase/node-sdk');
    const admin = tcb.init({ env: test_.cloud.envId }).database();
    const batch = Array.from({ length: 1100 }, (_v, i) => ({ code: `bulk-${i}` }));
    for (let i = 0; i < batch.length; i += 500) await admin.collection('things').add(batch.slice(i, i + 500));
    const res = await things().limit(5000).get();
    expect(res.data).toHaveLength(1000);
    expect((await things().get()).data).toHaveLength(100);
  });
});

describe('update operators', () => {
  test('set, inc, mul, push, pull, addToSet, remove', async () => {
    const { _id } = await things().add({
      data: {
        code: 'u',
        n: 2,
        m: 3,
        list: ['a'],
        drop: ['x', 'y'],
        uniq: ['k'],
        gone: 1,
        obj: { a: 1, b: 2 },
      },
    });
    const res = await things()
      .where({ code: 'u' })
      .update({
        data: {
          n: _.inc(5),
          m: _.mul(4),
          list: _.push(['b', 'c']),
          drop: _.pull('x'),
          uniq: _.addToSet('k'),
          gone: _.remove(),
          obj: _.set({ only: true }),
        },
      });
    expect(res.stats.updated).toBe(1);
    const { data } = await things().doc(_id).get();
    expect(data).toEqual({
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
    const res = await things()
      .where({ status: 'new' })
      .update({ data: { status: 'contacted' } });
    expect(res.stats.updated).toBe(2);
    expect((await things().where({ status: 'contacted' }).count()).total).toBe(2);
  });

  test('a conditional update is atomic under concurrency (no overbooking)', async () => {
    const { _id } = await things().add({ data: { code: 'seats', left: 10 } });
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        things()
          .where({ _id, left: _.gt(0) })
          .update({ data: { left: _.inc(-1) } }),
      ),
    );
    expect(results.filter((r: any) => r.stats.updated === 1)).toHaveLength(10);
    expect((await things().doc(_id).get()).data.left).toBe(0);
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
    expect(grouped.list).toEqual([
      { city: '上海', total: 12, n: 2 },
      { city: '北京', total: 9, n: 1 },
    ]);
    const counted = await things().aggregate().match({ status: 'new' }).count('howMany').end();
    expect(counted.list).toEqual([{ howMany: 2 }]);
  });

  test('a group of sums answers the same whether SQL or the pipeline evaluates it', async () => {
    await things().add({ data: { code: 'g1', status: 'lost', score: 'n/a', flag: true } });
    await things().add({ data: { code: 'g2', status: 'lost', score: 2.5, flag: false, kind: null } });
    await things().add({ data: { code: 'g3', status: 'new', score: 1, flag: true, kind: ['x'] } });
    const byKey = (rows: any[]) =>
      [...rows].sort((a, b) => JSON.stringify(a._id).localeCompare(JSON.stringify(b._id)));
    const grouped = async (key: string, match: object) =>
      byKey(
        (
          await things()
            .aggregate()
            .match(match)
            .group({ _id: key, total: $.sum('$score'), n: $.sum(1), twice: $.sum(2) })
            .end()
        ).list,
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
    await db.collection('owners').add({ data: { code: 'a', region: '华东' } });
    await db.collection('owners').add({ data: { code: 'b', region: '华北' } });
    const res = await things()
      .aggregate()
      .match({ status: 'new' })
      .lookup({ from: 'owners', localField: 'code', foreignField: 'code', as: 'owners' })
      .unwind('$owners')
      .project({ _id: 0, code: 1, region: '$owners.region' })
      .sort({ code: 1 })
      .end();
    expect(res.list).toEqual([
      { code: 'a', region: '华东' },
      { code: 'b', region: '华北' },
    ]);
  });
});

describe('transactions', () => {
  test('runTransaction commits reads and writes together', async () => {
    const { _id } = await things().add({ data: { code: 'acct', balance: 100 } });
    await db.runTransaction(async (tx: any) => {
      const { data } = await tx.collection('things').doc(_id).get();
      await tx
        .collection('things')
        .doc(_id)
        .update({ data: { balance: data.balance - 30 } });
    });
    expect((await things().doc(_id).get()).data.balance).toBe(70);
  });

  test('a rolled-back transaction leaves nothing behind', async () => {
    const { _id } = await things().add({ data: { code: 'rb', balance: 100 } });
    const tx = await db.startTransaction();
    await tx
      .collection('things')
      .doc(_id)
      .update({ data: { balance: 0 } });
    await tx
      .collection('things')
      .doc('new-in-tx')
      .set({ data: { code: 'tx-new' } });
    // Outside the transaction nothing is visible yet.
    expect((await things().doc(_id).get()).data.balance).toBe(100);
    await tx.rollback();
    expect((await things().doc(_id).get()).data.balance).toBe(100);
    expect((await things().where({ code: 'tx-new' }).count()).total).toBe(0);
  });

  test('concurrent transactions are serialized: no lost update', async () => {
    const { _id } = await things().add({ data: { code: 'ctr', n: 0 } });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.runTransaction(async (tx: any) => {
          const { data } = await tx.collection('things').doc(_id).get();
          await tx
            .collection('things')
            .doc(_id)
            .update({ data: { n: data.n + 1 } });
        }),
      ),
    );
    expect((await things().doc(_id).get()).data.n).toBe(20);
  });
});

describe('errors the cloud gives', () => {
  test('a unique index rejects a duplicate with the duplicate-key error and stores nothing', async () => {
    await things().add({ data: { code: 'same' } });
    await expect(things().add({ data: { code: 'same' } })).rejects.toMatchObject({
      errCode: -502001,
      errMsg: expect.stringContaining('duplicate key'),
    });
    expect((await things().where({ code: 'same' }).count()).total).toBe(1);
  });

  test('a unique index counts a missing field as null', async () => {
    await things().add({ data: { other: 1 } });
    await expect(things().add({ data: { other: 2 } })).rejects.toMatchObject({
      errMsg: expect.stringContaining('duplicate key'),
    });
  });

  test('a batch with a duplicate inserts nothing', async () => {
    const tcb = require('@cloudbase/node-sdk');
    const admin = tcb.init({ env: test_.cloud.envId }).database();
    await expect(admin.collection('things').add([{ code: 'one' }, { code: 'one' }])).rejects.toMatchObject({
      code: 'DATABASE_REQUEST_FAILED',
    });
    expect((await things().count()).total).toBe(0);
  });

  test('a missing collection fails with -502005', async () => {
    await expect(db.collection('nope').get()).rejects.toMatchObject({ errCode: -502005 });
    await expect(db.collection('nope').add({ data: { a: 1 } })).rejects.toMatchObject({ errCode: -502005 });
  });

  test('createCollection makes a new collection usable', async () => {
    const name = `made_${Date.now()}`;
    await db.createCollection(name);
    await db.collection(name).add({ data: { a: 1 } });
    expect((await db.collection(name).count()).total).toBe(1);
  });
});
