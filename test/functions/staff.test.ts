// The staff function through the local cloud: binding, codes, referrals, numbers and check-in,
// and the code images it makes for the admin function.
import { isFunctionCall } from '../../cloudfunctions/staff/server';
import { type AdminCloud, startAdminCloud } from './admin-cloud';
import { activityDoc, clearAll, decodeQr, seedStaff } from './project-cloud';

/** An activity starting within the hour: check-in opens 2 hours before the start (typings/checkin). */
const startingSoon = () => ({
  startAt: new Date(Date.now() + 3_600_000),
  endAt: new Date(Date.now() + 3 * 3_600_000),
  deadline: new Date(Date.now() + 1_800_000),
});

let cloud: AdminCloud;
let db: any;
const POLICY = { version: '2026-11-01', accepted: true };

beforeAll(async () => {
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  await fetch(`${cloud.cloud.url}/__local/openapi`, { method: 'DELETE' });
});

const staffCall = (event: Record<string, unknown>, openid: string | null = 'staff-wang') =>
  cloud.call('staff', event, openid);

async function boundStaff(openid = 'staff-wang', overrides: Record<string, unknown> = {}) {
  const inviteCode = `INV${openid.replace(/[^a-z0-9]/gi, '').toUpperCase()}`.slice(0, 16);
  const staffId = await seedStaff(db, { inviteCode, ...overrides });
  const bound = await staffCall({ action: 'bind', inviteCode }, openid);
  expect(bound.ok).toBe(true);
  return staffId;
}

const touch = (query: Record<string, string>, scene: number, openid: string) =>
  cloud.call('customer', { action: 'touch', entry: { scene, path: 'pages/home/index', query } }, openid);
const submit = (openid: string, phone: string) =>
  cloud.call(
    'customer',
    {
      action: 'submitLead',
      requestId: `req-${openid}-${phone}`,
      fields: { name: '顾客', phone },
      consent: POLICY,
    },
    openid,
  );

describe('roles', () => {
  test('a customer calling a staff action is FORBIDDEN; no openid is UNAUTHENTICATED', async () => {
    for (const action of ['me', 'myCode', 'myReferrals', 'myStats']) {
      expect((await staffCall({ action }, 'a-customer')).error.code).toBe('FORBIDDEN');
    }
    expect((await staffCall({ action: 'checkIn', checkinCode: 'abcdefgh' }, 'a-customer')).error.code).toBe(
      'FORBIDDEN',
    );
    expect((await staffCall({ action: 'me' }, null)).error.code).toBe('UNAUTHENTICATED');
  });

  test('a deactivated staff member can no longer call anything', async () => {
    const staffId = await boundStaff();
    await db
      .collection('staff')
      .doc(staffId)
      .update({ data: { active: false } });
    expect((await staffCall({ action: 'me' })).error.code).toBe('FORBIDDEN');
  });
});

describe('bind', () => {
  test('binds once; the same invite from another WeChat is refused', async () => {
    const staffId = await seedStaff(db, { inviteCode: 'ABC12345' });
    expect((await staffCall({ action: 'bind', inviteCode: 'abc12345' })).data).toMatchObject({
      staffId,
      name: '王导购',
      role: 'sales',
    });
    expect((await staffCall({ action: 'bind', inviteCode: 'ABC12345' })).data.staffId).toBe(staffId);
    expect((await staffCall({ action: 'bind', inviteCode: 'ABC12345' }, 'someone-else')).error.code).toBe(
      'FORBIDDEN',
    );
    expect((await staffCall({ action: 'me' })).data.staffId).toBe(staffId);
  });

  test('concurrent binds of one invite by different WeChats: exactly one wins', async () => {
    await seedStaff(db, { inviteCode: 'RACE1234' });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        staffCall({ action: 'bind', inviteCode: 'RACE1234' }, `racer-${i}`),
      ),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
  });

  test('bad, unknown and deactivated invites', async () => {
    const bad = await staffCall({ action: 'bind', inviteCode: '12' });
    expect(bad.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'inviteCode' }] });
    expect((await staffCall({ action: 'bind', inviteCode: 'NOSUCH99' })).error.code).toBe('NOT_FOUND');
    await seedStaff(db, { inviteCode: 'GONE1234', active: false });
    expect((await staffCall({ action: 'bind', inviteCode: 'GONE1234' })).error.code).toBe('FORBIDDEN');
    expect(await db.collection('staff').where({ openid: 'staff-wang' }).count()).toMatchObject({ total: 0 });
  });
});

describe('codes and attribution', () => {
  test('myCode: a real mini program code of page + scene, generated once and cached', async () => {
    await boundStaff();
    const { _id: activityId } = await db.collection('activities').add({ data: activityDoc() });
    const first = await staffCall({ action: 'myCode', activityId });
    expect(first.data.scene).toMatch(/^[0-9A-Za-z]{10}$/);
    expect(first.data.sharePath).toBe(`pages/activity/index?id=${activityId}&ch=${first.data.scene}`);
    const png = Buffer.from(await (await fetch(first.data.imageUrl)).arrayBuffer());
    expect(decodeQr(png)).toBe(`pages/activity/index?scene=${first.data.scene}`);
    // The same image by its cloud file id, which the page downloads through wx.cloud.downloadFile.
    expect(first.data.fileId).toMatch(/^cloud:\/\/.+\.png$/);
    const again = await staffCall({ action: 'myCode', activityId });
    expect(again.data.scene).toBe(first.data.scene);
    expect(await cloud.openapiCalls('wxacode.getUnlimited')).toHaveLength(1);
    const home = await staffCall({ action: 'myCode' });
    expect(home.data.scene).not.toBe(first.data.scene);
    expect(home.data.sharePath).toBe(`pages/home/index?ch=${home.data.scene}`);
    expect((await staffCall({ action: 'myCode', activityId: 'no-such' })).error.code).toBe('NOT_FOUND');
  });

  test('a scan and a share card of the staff member credit them; the touch names the activity', async () => {
    const staffId = await boundStaff();
    const { _id: activityId } = await db.collection('activities').add({ data: activityDoc() });
    const code = (await staffCall({ action: 'myCode', activityId })).data;
    const scanned = await touch({ scene: code.scene }, 1047, 'scanner');
    expect(scanned.data.activityId).toBe(activityId);
    const card = Object.fromEntries(new URLSearchParams(code.sharePath.split('?')[1]));
    await touch(card, 1008, 'card-opener');
    const touches = (await db.collection('touches').get()).data;
    expect(touches.map((t: any) => [t.kind, t.staffId]).sort()).toEqual([
      ['code_scan', staffId],
      ['staff_card', staffId],
    ]);
  });

  test('a re-pointed code credits its new staff member; a deactivated one credits the store', async () => {
    const wang = await boundStaff('staff-wang');
    const li = await boundStaff('staff-li');
    const code = (await staffCall({ action: 'myCode' }, 'staff-wang')).data;
    await touch({ scene: code.scene }, 1047, 'before-repoint');
    await db
      .collection('codes')
      .doc(code.codeId)
      .update({ data: { staffId: li } });
    await touch({ scene: code.scene }, 1047, 'after-repoint');
    await db
      .collection('staff')
      .doc(li)
      .update({ data: { active: false } });
    await touch({ scene: code.scene }, 1047, 'after-leaving');
    const all = (await db.collection('touches').orderBy('at', 'asc').get()).data;
    expect(all.map((t: any) => [t.staffId, t.channelType, t.storeId])).toEqual([
      [wang, 'staff', 'store-jingan'],
      [li, 'staff', 'store-jingan'],
      [null, 'store', 'store-jingan'],
    ]);
  });
});

describe('referrals and numbers', () => {
  test('my referrals list the customers and leads I brought, phones masked', async () => {
    await boundStaff();
    const code = (await staffCall({ action: 'myCode' })).data;
    await touch({ scene: code.scene }, 1047, 'brought-1');
    await submit('brought-1', '13800138000');
    await submit('stranger', '13900139000');
    const answer = await staffCall({ action: 'myReferrals' });
    expect(answer.data.customers).toEqual([
      expect.objectContaining({ name: '顾客', phoneMasked: '138****8000' }),
    ]);
    expect(answer.data.leads).toEqual([
      expect.objectContaining({ phoneMasked: '138****8000', status: 'new' }),
    ]);
    expect(JSON.stringify(answer)).not.toContain('13800138000');
    expect(answer.data.nextBefore).toBeNull();
  });

  test('my numbers this week count entries, leads, sign-ups and check-ins', async () => {
    await boundStaff();
    const { _id: activityId } = await db.collection('activities').add({ data: activityDoc(startingSoon()) });
    const code = (await staffCall({ action: 'myCode', activityId })).data;
    // Two people scan; one scans twice: an entry counts once per customer, code and day.
    await touch({ scene: code.scene }, 1047, 'fan');
    await touch({ scene: code.scene }, 1047, 'fan');
    await touch({ scene: code.scene }, 1047, 'passer-by');
    const joined = await cloud.call(
      'customer',
      {
        action: 'joinActivity',
        requestId: 'join-fan-1',
        activityId,
        fields: { name: '粉丝', phone: '13700137000' },
        consent: POLICY,
      },
      'fan',
    );
    await staffCall({ action: 'checkIn', checkinCode: joined.data.checkinCode });
    await cloud.call('dispatch', { action: 'tick' }, null);
    const stats = await staffCall({ action: 'myStats' });
    expect(stats.data).toMatchObject({ entries: 2, leads: 1, signups: 1, checkins: 1 });
    expect(stats.data.from <= stats.data.to).toBe(true);
  });
});

describe('check-in', () => {
  async function joined(openid: string) {
    const { _id: activityId } = await db.collection('activities').add({ data: activityDoc(startingSoon()) });
    const answer = await cloud.call(
      'customer',
      {
        action: 'joinActivity',
        requestId: `join-${openid}`,
        activityId,
        fields: { name: '到场人', phone: '13600136000' },
        consent: POLICY,
      },
      openid,
    );
    return answer.data as { registrationId: string; checkinCode: string };
  }

  test('concurrent scans of one code check in once; later scans say already checked in', async () => {
    await boundStaff();
    const { checkinCode, registrationId } = await joined('guest');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => staffCall({ action: 'checkIn', checkinCode })),
    );
    expect(answers.every((a) => a.ok && a.data.registrationId === registrationId)).toBe(true);
    expect(answers.filter((a) => !a.data.alreadyCheckedIn)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.data.checkedInAt)).size).toBe(1);
    expect(answers[0].data).toMatchObject({ activityTitle: '周末咖啡品鉴会', customerName: '到场人' });
    const counters = (await db.collection('funnelCounters').get()).data;
    expect(counters.reduce((sum: number, c: any) => sum + (c.checkins ?? 0), 0)).toBe(1);
    const mine = await cloud.call('customer', { action: 'myRegistrations' }, 'guest');
    expect(mine.data.items[0].status).toBe('checked_in');
  });

  test('unknown and cancelled codes are refused', async () => {
    await boundStaff();
    expect((await staffCall({ action: 'checkIn', checkinCode: 'nosuchcode' })).error.code).toBe('NOT_FOUND');
    const { checkinCode, registrationId } = await joined('flake');
    await cloud.call('customer', { action: 'cancelRegistration', registrationId }, 'flake');
    expect((await staffCall({ action: 'checkIn', checkinCode })).error.code).toBe('ACTIVITY_CLOSED');
    const bad = await staffCall({ action: 'checkIn', checkinCode: 1234 });
    expect(bad.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'checkinCode' }] });
  });
});

describe('code images for the admin function (a server-side action)', () => {
  async function seedCode(): Promise<{ codeId: string; scene: string }> {
    const { _id: activityId } = await db.collection('activities').add({ data: activityDoc() });
    const scene = 'Pst9xK2mQa';
    const { _id: codeId } = await db.collection('codes').add({
      data: {
        scene,
        channelId: 'poster',
        channelType: 'poster',
        name: '地铁海报',
        staffId: null,
        storeId: null,
        activityId,
        disabled: false,
        envId: cloud.cloud.envId,
        imageFileId: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    return { codeId, scene };
  }

  test('the mini program cannot ask for it: a customer, a bound staff member and a call without a user are refused', async () => {
    await boundStaff();
    const { codeId } = await seedCode();
    for (const openid of ['a-customer', 'staff-wang', null]) {
      const answer = await staffCall({ action: 'codeImage', codeId }, openid);
      expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(await cloud.openapiCalls('wxacode.getUnlimited')).toEqual([]);
    expect((await db.collection('codes').doc(codeId).get()).data.imageFileId).toBeNull();
  });

  test('the admin page’s code image is made by the staff function (which holds the WeChat token), once', async () => {
    const { codeId, scene } = await seedCode();
    const admin = await cloud.login('image-admin', 'admin');
    const first = await cloud.api('GET', `/codes/${codeId}/image`, undefined, admin);
    expect(first.status).toBe(200);
    const png = Buffer.from(await (await fetch(first.body.data.imageUrl)).arrayBuffer());
    expect(decodeQr(png)).toBe(`pages/activity/index?scene=${scene}`);
    const calls = (await cloud.openapiCalls('wxacode.getUnlimited')) as any[];
    expect(calls.map((call) => [call.caller.functionName, call.params.scene])).toEqual([['staff', scene]]);
    const stored = (await db.collection('codes').doc(codeId).get()).data.imageFileId;
    expect(stored).toMatch(/^cloud:\/\/.+\.png$/);

    // Kept on the code: a second view asks nobody.
    const again = await cloud.api('GET', `/codes/${codeId}/image`, undefined, admin);
    expect(again.body.data.codeId).toBe(codeId);
    expect(await cloud.openapiCalls('wxacode.getUnlimited')).toHaveLength(1);
    expect((await cloud.api('GET', '/codes/no-such-code/image', undefined, admin)).status).toBe(404);
  });

  test('a function call is told by the platform context: no WeChat user, and SOURCE ending in a function hop', () => {
    // CloudBase appends "scf" to the caller's SOURCE for a function's call.
    expect(isFunctionCall({ openid: null, source: ',scf' })).toBe(true);
    expect(isFunctionCall({ openid: null, source: 'wx_http,scf' })).toBe(true);
    expect(isFunctionCall({ openid: null, source: 'wx_server' })).toBe(true);
    // A mini program's call, even through another function, carries the user.
    expect(isFunctionCall({ openid: 'o-1', source: 'wx_client,scf' })).toBe(false);
    expect(isFunctionCall({ openid: null, source: 'wx_client' })).toBe(false);
    expect(isFunctionCall({ openid: null, source: null })).toBe(false);
  });
});
