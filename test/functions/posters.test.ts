// Personal posters drawn by the staff function, the codes' print ZIP and per-code statistics,
// through the local cloud: what a phone's camera reads off the images, and counts checked by hand.
import { unzipSync } from 'fflate';
import { dayOf } from '../../cloudfunctions/core/funnel';
import { type AdminCloud, startAdminCloud } from './admin-cloud';
import { activityDoc, clearAll, decodeQr, seedStaff } from './project-cloud';

let cloud: AdminCloud;
let db: any;
let admin: string;
const POLICY = { version: '2026-11-01', accepted: true };
const BACKGROUND = { width: 600, height: 900, rgb: [200, 225, 250] };
const NAME_BOX = { x: 100, y: 760, width: 400, fontSize: 48, color: '#202020' };

beforeAll(async () => {
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  admin = await cloud.login('poster-admin', 'admin');
});

/** A plain light-blue background, uploaded as the admin page uploads images. */
async function uploadBackground(): Promise<string> {
  const { PNG } = require('pngjs');
  const png = new PNG({ width: BACKGROUND.width, height: BACKGROUND.height });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([...BACKGROUND.rgb, 255], i);
  const res = await cloud.api(
    'POST',
    '/library/images',
    { name: 'bg.png', content: PNG.sync.write(png).toString('base64') },
    admin,
  );
  expect(res.body.ok).toBe(true);
  return res.body.data.fileId;
}

const template = (backgroundFileId: string, overrides: Record<string, unknown> = {}) => ({
  name: '门店海报',
  backgroundFileId,
  codeBox: { x: 150, y: 300, size: 300 },
  nameBox: NAME_BOX,
  ...overrides,
});

async function boundStaff(openid: string, name: string) {
  const inviteCode = `INV${openid.replace(/[^a-z0-9]/gi, '').toUpperCase()}`.slice(0, 16);
  const staffId = await seedStaff(db, { inviteCode, name });
  expect((await cloud.call('staff', { action: 'bind', inviteCode }, openid)).ok).toBe(true);
  return staffId;
}

const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

/** Pixels inside the name box that are not the background's colour. */
function inkInNameBox(png: Buffer): number {
  const { PNG } = require('pngjs');
  const image = PNG.sync.read(png);
  let ink = 0;
  for (let y = NAME_BOX.y; y < NAME_BOX.y + NAME_BOX.fontSize * 1.4; y += 1)
    for (let x = NAME_BOX.x; x < NAME_BOX.x + NAME_BOX.width; x += 1) {
      const at = (y * image.width + x) * 4;
      if (BACKGROUND.rgb.some((c, i) => Math.abs(image.data[at + i] - c) > 40)) ink += 1;
    }
  return ink;
}

describe('personal posters', () => {
  test('a staff member gets the poster with their own live code and name, drawn once per template version', async () => {
    const backgroundFileId = await uploadBackground();
    const { _id: activityId } = await db
      .collection('activities')
      .add({ data: activityDoc({ title: '品鉴会' }) });
    const general = await cloud.api('POST', '/poster-templates', template(backgroundFileId), admin);
    expect(general.body).toMatchObject({ ok: true, data: { version: 1 } });
    const forActivity = await cloud.api(
      'POST',
      '/poster-templates',
      template(backgroundFileId, { name: '品鉴会海报', activityId }),
      admin,
    );
    expect(forActivity.body.ok).toBe(true);

    await boundStaff('poster-li', '李小红');
    const listed = await cloud.call('staff', { action: 'posters' }, 'poster-li');
    expect(listed.data.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: '门店海报', activityId: null, width: 600, height: 900 }),
        expect.objectContaining({ name: '品鉴会海报', activityId, activityTitle: '品鉴会' }),
      ]),
    );

    const poster = await cloud.call(
      'staff',
      { action: 'myPoster', templateId: general.body.data.templateId },
      'poster-li',
    );
    expect(poster.ok).toBe(true);
    const png = await download(poster.data.imageUrl);
    const own = (await cloud.call('staff', { action: 'myCode' }, 'poster-li')).data;
    expect(decodeQr(png)).toBe(`pages/home/index?scene=${own.scene}`);
    expect(inkInNameBox(await download(await backgroundUrl(backgroundFileId)))).toBe(0);
    expect(inkInNameBox(png)).toBeGreaterThan(300);

    const activityPoster = await cloud.call(
      'staff',
      { action: 'myPoster', templateId: forActivity.body.data.templateId },
      'poster-li',
    );
    const activityCode = (await cloud.call('staff', { action: 'myCode', activityId }, 'poster-li')).data;
    expect(decodeQr(await download(activityPoster.data.imageUrl))).toBe(
      `pages/activity/index?scene=${activityCode.scene}`,
    );

    // Kept: asked again, the same file; the template edited, a new one with the new layout.
    const again = await cloud.call(
      'staff',
      { action: 'myPoster', templateId: general.body.data.templateId },
      'poster-li',
    );
    expect(again.data.fileId).toBe(poster.data.fileId);
    const edited = await cloud.api(
      'PUT',
      `/poster-templates/${general.body.data.templateId}`,
      template(backgroundFileId, { codeBox: { x: 100, y: 200, size: 400 } }),
      admin,
    );
    expect(edited.body.data.version).toBe(2);
    const redrawn = await cloud.call(
      'staff',
      { action: 'myPoster', templateId: general.body.data.templateId },
      'poster-li',
    );
    expect(redrawn.data.fileId).not.toBe(poster.data.fileId);
    expect(decodeQr(await download(redrawn.data.imageUrl))).toBe(`pages/home/index?scene=${own.scene}`);
  });

  test('another staff member gets their own code and name on the same template', async () => {
    const backgroundFileId = await uploadBackground();
    const { templateId } = (await cloud.api('POST', '/poster-templates', template(backgroundFileId), admin))
      .body.data;
    await boundStaff('poster-a', '甲');
    await boundStaff('poster-b', '乙乙乙乙');
    const [a, b] = await Promise.all(
      ['poster-a', 'poster-b'].map(async (openid) => {
        const poster = (await cloud.call('staff', { action: 'myPoster', templateId }, openid)).data;
        const code = (await cloud.call('staff', { action: 'myCode' }, openid)).data;
        return { png: await download(poster.imageUrl), scene: code.scene };
      }),
    );
    expect(decodeQr(a.png)).toBe(`pages/home/index?scene=${a.scene}`);
    expect(decodeQr(b.png)).toBe(`pages/home/index?scene=${b.scene}`);
    // Four characters leave more ink than one.
    expect(inkInNameBox(b.png)).toBeGreaterThan(inkInNameBox(a.png) * 2);
  });

  test('templates with boxes outside the background or bad values are refused field by field', async () => {
    const backgroundFileId = await uploadBackground();
    const refused = async (body: unknown) => {
      const res = await cloud.api('POST', '/poster-templates', body, admin);
      expect(res.status).toBe(400);
      return res.body.error.fields.map((f: { path: string }) => f.path);
    };
    expect(await refused(template(backgroundFileId, { codeBox: { x: 400, y: 300, size: 300 } }))).toEqual([
      'codeBox.x',
    ]);
    expect(await refused(template(backgroundFileId, { nameBox: { ...NAME_BOX, y: 880 } }))).toEqual([
      'nameBox.y',
    ]);
    expect(
      await refused(template(backgroundFileId, { nameBox: { ...NAME_BOX, color: 'red' }, name: '' })),
    ).toEqual(expect.arrayContaining(['nameBox.color', 'name']));
    expect(await refused(template('not-a-file'))).toEqual(['backgroundFileId']);
    expect(await refused(template(backgroundFileId, { activityId: 'no-such-activity' }))).toEqual([
      'activityId',
    ]);
    const staffPoster = await boundStaff('poster-c', '丙').then(() =>
      cloud.call('staff', { action: 'myPoster', templateId: '' }, 'poster-c'),
    );
    expect(staffPoster.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'templateId' }] });
    expect(
      (await cloud.call('staff', { action: 'myPoster', templateId: 'poster-none' }, 'poster-c')).error.code,
    ).toBe('NOT_FOUND');
  });

  test('only marketing edits templates; only bound staff draw posters', async () => {
    const backgroundFileId = await uploadBackground();
    const viewer = await cloud.login('poster-viewer', 'viewer');
    const sales = await cloud.login('poster-sales', 'sales');
    expect((await cloud.api('POST', '/poster-templates', template(backgroundFileId), viewer)).status).toBe(
      403,
    );
    expect((await cloud.api('GET', '/poster-templates', undefined, sales)).status).toBe(403);
    const created = await cloud.api('POST', '/poster-templates', template(backgroundFileId), admin);
    expect((await cloud.api('GET', '/poster-templates', undefined, viewer)).body.data.items).toHaveLength(1);
    const { templateId } = created.body.data;
    expect((await cloud.call('staff', { action: 'myPoster', templateId }, 'a-customer')).error.code).toBe(
      'FORBIDDEN',
    );
    expect((await cloud.call('staff', { action: 'posters' }, null)).error.code).toBe('UNAUTHENTICATED');
  });
});

async function backgroundUrl(fileId: string): Promise<string> {
  const sdk = require('wx-server-sdk');
  const { fileList } = await sdk.getTempFileURL({ fileList: [fileId] });
  return fileList[0].tempFileURL;
}

async function createCode(name: string, extra: Record<string, unknown> = {}) {
  const res = await cloud.api('POST', '/codes', { channelType: 'poster', name, ...extra }, admin);
  expect(res.body.ok).toBe(true);
  return res.body.data as { codeId: string; scene: string };
}

async function zipOf(body: unknown, token = admin) {
  let job = (await cloud.api('POST', '/codes/zip', body, token)).body;
  expect(job.ok).toBe(true);
  for (let i = 0; i < 20 && job.data.status === 'running'; i += 1)
    job = (await cloud.api('GET', `/codes/zip/${job.data.jobId}`, undefined, token)).body;
  expect(job.data).toMatchObject({ status: 'done', processed: job.data.total });
  return unzipSync(new Uint8Array(await download(job.data.downloadUrl)));
}

describe('codes for print', () => {
  test('the ZIP holds one captioned PNG per code, each reading back its own scene', async () => {
    const staffId = await seedStaff(db, { name: '王导购', store: '静安店' });
    const codes = [
      await createCode('静安店门口/海报*1'),
      await createCode('地铁广告'),
      await createCode('导购王', { staffId }),
    ];
    const files = await zipOf({ codeIds: codes.map((c) => c.codeId) });
    expect(Object.keys(files)).toEqual([
      `静安店门口_海报_1-${codes[0].scene}.png`,
      `地铁广告-${codes[1].scene}.png`,
      `导购王-${codes[2].scene}.png`,
    ]);
    for (const [i, code] of codes.entries()) {
      const png = Buffer.from(Object.values(files)[i]);
      expect(decodeQr(png)).toBe(`pages/home/index?scene=${code.scene}`);
    }
    // The captioned card is taller than the square code: the caption is under it.
    const { PNG } = require('pngjs');
    const card = PNG.sync.read(Buffer.from(Object.values(files)[2]));
    expect(card.height).toBeGreaterThan(card.width + 100);

    const filtered = await zipOf({ filter: { staffId } });
    expect(Object.keys(filtered)).toEqual([`导购王-${codes[2].scene}.png`]);
  });

  test('a ZIP needs codes, existing ones, and a role that may read codes', async () => {
    const code = await createCode('门店台卡');
    const empty = await cloud.api('POST', '/codes/zip', {}, admin);
    expect(empty.body.error.fields).toEqual([expect.objectContaining({ path: 'codeIds' })]);
    const gone = await cloud.api('POST', '/codes/zip', { codeIds: [code.codeId, 'code-gone'] }, admin);
    expect(gone.body.error.fields).toEqual([expect.objectContaining({ path: 'codeIds.1' })]);
    const sales = await cloud.login('zip-sales', 'sales');
    expect((await cloud.api('POST', '/codes/zip', { codeIds: [code.codeId] }, sales)).status).toBe(403);
    const viewer = await cloud.login('zip-viewer', 'viewer');
    expect(Object.keys(await zipOf({ codeIds: [code.codeId] }, viewer))).toHaveLength(1);
    const started = (await cloud.api('POST', '/codes/zip', { codeIds: [code.codeId] }, admin)).body.data;
    expect((await cloud.api('GET', `/codes/zip/${started.jobId}`, undefined, viewer)).status).toBe(404);
  });
});

describe('per-code statistics', () => {
  const touch = (scene: string, openid: string) =>
    cloud.call(
      'customer',
      { action: 'touch', entry: { scene: 1047, path: 'pages/home/index', query: { scene } } },
      openid,
    );

  test('scans, visitors, leads and sign-ups per code equal the touches, leads and sign-ups counted by hand', async () => {
    const a = await createCode('海报A');
    const b = await createCode('海报B');
    const { _id: activityId } = await db.collection('activities').add({ data: activityDoc() });
    // A: c1 twice, c2, c3 → 4 scans, 3 visitors. B: c1 once (after A) → 1 scan, 1 visitor.
    await touch(a.scene, 'c1');
    await touch(a.scene, 'c1');
    await touch(a.scene, 'c2');
    await touch(a.scene, 'c3');
    await touch(b.scene, 'c1');
    // c1's lead goes to B (the last code), c2's to A; c3 signs up through A.
    for (const [openid, phone] of [
      ['c1', '13900000001'],
      ['c2', '13900000002'],
    ]) {
      const lead = { action: 'submitLead', requestId: `request-${openid}`, fields: { name: '顾客', phone } };
      const answer = await cloud.call('customer', { ...lead, consent: POLICY }, openid);
      expect(answer.error ?? null).toBeNull();
    }
    const joined = await cloud.call(
      'customer',
      {
        action: 'joinActivity',
        requestId: 'join-c3-request',
        activityId,
        fields: { name: '报名人', phone: '13900000003' },
        consent: POLICY,
      },
      'c3',
    );
    expect(joined.error ?? null).toBeNull();
    await cloud.call('dispatch', { action: 'tick' }, null);

    const today = dayOf(new Date());
    const stats = await cloud.api(
      'GET',
      `/codes/stats?from=${today}&to=${today}&codeId=${a.codeId}`,
      undefined,
      admin,
    );
    const byCode = Object.fromEntries(stats.body.data.items.map((row: any) => [row.codeId, row]));
    expect(byCode[a.codeId]).toEqual({
      codeId: a.codeId,
      scans: 4,
      visitors: 3,
      leads: 2,
      signups: 1,
      wecomAdded: 0,
    });
    expect(byCode[b.codeId]).toEqual({
      codeId: b.codeId,
      scans: 1,
      visitors: 1,
      leads: 1,
      signups: 0,
      wecomAdded: 0,
    });
    expect(stats.body.data.trend).toEqual([
      { day: today, scans: 4, visitors: 3, leads: 2, signups: 1, wecomAdded: 0 },
    ]);

    // Counted once: another tick adds nothing.
    await cloud.call('dispatch', { action: 'tick' }, null);
    const again = await cloud.api('GET', `/codes/stats?from=${today}&to=${today}`, undefined, admin);
    expect(again.body.data.items).toEqual(expect.arrayContaining([byCode[a.codeId], byCode[b.codeId]]));
    expect(again.body.data.trend[0]).toMatchObject({ scans: 5, leads: 3 });
  });

  test('a range must be real days, in order, at most 92 of them; sales may not read code statistics', async () => {
    const fields = async (query: string) =>
      (await cloud.api('GET', `/codes/stats?${query}`, undefined, admin)).body.error.fields.map(
        (f: { path: string }) => f.path,
      );
    expect(await fields('from=2026-02-30&to=2026-03-01')).toEqual(['from']);
    expect(await fields('from=2026-03-02&to=2026-03-01')).toEqual(['to']);
    expect(await fields('from=2026-01-01&to=2026-06-01')).toEqual(['to']);
    const sales = await cloud.login('stats-sales', 'sales');
    expect(
      (await cloud.api('GET', '/codes/stats?from=2026-03-01&to=2026-03-01', undefined, sales)).status,
    ).toBe(403);
  });
});
