// Staff invites and WeChat bindings through the local cloud: who may read an invite code, binding
// and unbinding audited, the bound WeChat shown masked, a re-issued invite replacing the old one.
import { type AdminCloud, seedStores, startAdminCloud } from './admin-cloud';
import { clearAll } from './project-cloud';

let cloud: AdminCloud;
let db: any;
let admin: string;

beforeAll(async () => {
  cloud = await startAdminCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(async () => {
  await clearAll(db);
  admin = await cloud.login('boss', 'admin');
  await seedStores(db, '静安店');
});

const OPENID = 'oWxAbc1234567890xyz9';
const bind = (inviteCode: string, openid = OPENID) =>
  cloud.call('staff', { action: 'bind', inviteCode }, openid);
const staffList = async (token: string) =>
  (await cloud.api('GET', '/staff', undefined, token)).body.data.items as any[];
const audits = async (action: string) => (await db.collection('audit').where({ action }).get()).data as any[];

async function newStaff() {
  const res = await cloud.api(
    'POST',
    '/staff',
    { name: '王导购', store: '静安店', role: 'sales', mobile: '13912345678' },
    admin,
  );
  return res.body.data as { staffId: string; inviteCode: string };
}

test('invite codes and mobiles only for roles that manage staff', async () => {
  const { inviteCode } = await newStaff();
  const viewer = await cloud.login('vivian', 'viewer');
  const marketing = await cloud.login('mia', 'marketing');
  const [seen] = await staffList(viewer);
  expect(seen).toMatchObject({ name: '王导购', inviteCode: null, mobile: null, bound: false });
  const raw = JSON.stringify((await cloud.api('GET', '/staff', undefined, viewer)).body);
  expect(raw).not.toContain(inviteCode);
  expect(raw).not.toContain('13912345678');
  expect((await staffList(marketing))[0]).toMatchObject({ inviteCode, mobile: '13912345678' });
  expect((await staffList(admin))[0]).toMatchObject({ inviteCode, mobile: '13912345678' });
});

test('a bind is audited and shown masked with its time; a second WeChat is refused and audited', async () => {
  const { staffId, inviteCode } = await newStaff();
  const bound = await bind(inviteCode);
  expect(bound).toMatchObject({ ok: true, data: { staffId } });
  const [row] = await staffList(await cloud.login('vivian', 'viewer'));
  expect(row).toMatchObject({ bound: true, boundOpenid: 'oWxA…xyz9' });
  expect(Math.abs(Date.parse(row.boundAt) - Date.now())).toBeLessThan(60_000);
  expect(JSON.stringify(row)).not.toContain(OPENID);
  const [entry] = await audits('staff.bind');
  expect(entry).toMatchObject({ subject: staffId, actor: 'wechat:oWxA…xyz9', detail: { openid: OPENID } });
  // Binding again from the same WeChat changes nothing and is not a new entry.
  expect((await bind(inviteCode)).ok).toBe(true);
  expect(await audits('staff.bind')).toHaveLength(1);

  const intruder = await bind(inviteCode, 'oIntruder00000000000');
  expect(intruder.error.code).toBe('FORBIDDEN');
  expect((await audits('staff.bind.refused'))[0]).toMatchObject({
    subject: staffId,
    detail: { openid: 'oIntruder00000000000' },
  });
  expect((await db.collection('staff').doc(staffId).get()).data.openid).toBe(OPENID);
});

test('an admin unbinds: the WeChat loses staff access, the old invite stops working, all audited', async () => {
  const { staffId, inviteCode } = await newStaff();
  await bind(inviteCode);
  const viewer = await cloud.login('vivian', 'viewer');
  expect((await cloud.api('POST', `/staff/${staffId}/unbind`, {}, viewer)).status).toBe(403);

  const unbound = await cloud.api('POST', `/staff/${staffId}/unbind`, {}, admin);
  expect(unbound.status).toBe(200);
  expect(unbound.body.data).toMatchObject({
    staffId,
    bound: false,
    inviteCode: expect.stringMatching(/^[A-Z2-9]{8}$/),
  });
  expect(unbound.body.data.inviteCode).not.toBe(inviteCode);
  expect((await db.collection('staff').doc(staffId).get()).data).toMatchObject({
    openid: null,
    boundAt: null,
  });
  expect((await staffList(admin))[0]).toMatchObject({ bound: false, boundOpenid: null, boundAt: null });
  expect((await cloud.call('staff', { action: 'me' }, OPENID)).error.code).toBe('FORBIDDEN');
  expect((await bind(inviteCode, 'oSomeoneElse00000000')).error.code).toBe('NOT_FOUND');
  expect((await audits('staff.unbind'))[0]).toMatchObject({
    actor: 'account:boss',
    subject: staffId,
    detail: { unboundOpenid: OPENID },
  });
  // Unbinding what is not bound changes nothing.
  const again = await cloud.api('POST', `/staff/${staffId}/unbind`, {}, admin);
  expect(again.body.data.inviteCode).toBe(unbound.body.data.inviteCode);
  expect(await audits('staff.unbind')).toHaveLength(1);
  expect((await cloud.api('POST', '/staff/no-such-staff/unbind', {}, admin)).status).toBe(404);

  // The new code binds (again audited).
  expect((await bind(unbound.body.data.inviteCode, 'oNewPhone00000000000')).ok).toBe(true);
  expect(await audits('staff.bind')).toHaveLength(2);
});

test('a re-issued invite invalidates the old code and releases the binding', async () => {
  const { staffId, inviteCode } = await newStaff();
  await bind(inviteCode);
  const reissued = await cloud.api('POST', `/staff/${staffId}/invite`, {}, admin);
  const fresh = reissued.body.data.inviteCode;
  expect(fresh).not.toBe(inviteCode);
  expect((await bind(inviteCode, 'oLateComer0000000000')).error.code).toBe('NOT_FOUND');
  expect((await audits('staff.invite'))[0].detail).toMatchObject({ unboundOpenid: OPENID });
  expect((await bind(fresh, 'oLateComer0000000000')).data.staffId).toBe(staffId);
});

test('invite codes cannot be guessed by trying: binds are limited per WeChat', async () => {
  const answers = [];
  for (let i = 0; i < 11; i += 1)
    answers.push(await bind(`GUESS${String(i).padStart(3, '0')}`, 'oGuesser000000000000'));
  expect(answers.slice(0, 10).map((a) => a.error.code)).toEqual(Array(10).fill('NOT_FOUND'));
  expect(answers[10].error.code).toBe('RATE_LIMITED');
});

test('a WeCom account is set, shown, cleared and checked; one person is one member', async () => {
  const { staffId } = await newStaff();
  const set = await cloud.api('PATCH', `/staff/${staffId}`, { wecomUserId: 'wang.dg@shop-1' }, admin);
  expect(set.body).toMatchObject({ ok: true, data: { wecomUserId: 'wang.dg@shop-1' } });
  const viewer = await cloud.login('vivian', 'viewer');
  expect((await staffList(viewer))[0].wecomUserId).toBe('wang.dg@shop-1');

  const bad = await cloud.api('PATCH', `/staff/${staffId}`, { wecomUserId: '王 导购' }, admin);
  expect(bad.body.error.fields[0]).toMatchObject({ path: 'wecomUserId' });
  expect(bad.body.error.fields[0].message).toContain('企业微信账号');
  const tooLong = await cloud.api('PATCH', `/staff/${staffId}`, { wecomUserId: 'a'.repeat(65) }, admin);
  expect(tooLong.body.error.fields[0].path).toBe('wecomUserId');

  // The same mobile or WeCom account on a second member is the same person twice.
  const twin = await cloud.api(
    'POST',
    '/staff',
    { name: '王导购', store: '静安店', role: 'sales', mobile: '13912345678' },
    admin,
  );
  expect(twin.body.error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'mobile' }] });
  const other = await cloud.api('POST', '/staff', { name: '李导购', store: '静安店', role: 'staff' }, admin);
  const taken = await cloud.api(
    'PATCH',
    `/staff/${other.body.data.staffId}`,
    { wecomUserId: 'wang.dg@shop-1' },
    admin,
  );
  expect(taken.body.error.fields[0]).toMatchObject({
    path: 'wecomUserId',
    message: '该企业微信账号已关联另一名员工',
  });
  // Saving one's own values again is no conflict.
  const again = await cloud.api(
    'PATCH',
    `/staff/${staffId}`,
    { mobile: '13912345678', wecomUserId: 'wang.dg@shop-1' },
    admin,
  );
  expect(again.body.ok).toBe(true);

  const cleared = await cloud.api('PATCH', `/staff/${staffId}`, { wecomUserId: null }, admin);
  expect(cleared.body.data.wecomUserId).toBeNull();
});
