// Activities through the local cloud: no start in the past, ended ones closed (and saying so),
// check-in only around the event and by the holding store's staff, a manual check-in from the
// sign-up list, the list with every answer and its CSV export; lead exports in China time with
// every answer a column.
import { adminCloudPerFile, seedStores } from './admin-cloud';
import { activityDoc, seedStaff } from './project-cloud';

// Lead exports finish in one call: each step takes one page.
process.env.LEADPOOL_EXPORT_STEP_MS = '0';
const env = adminCloudPerFile((db) => seedStores(db, '静安店', '徐汇店'));

const HOUR = 3_600_000;
const POLICY = { version: '2026-11-01', accepted: true };
const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const post = async (path: string, body: unknown = {}) =>
  (await env.cloud.api('POST', path, body, env.admin)).body;

async function activity(startIn: number, extra: Record<string, unknown> = {}) {
  const { _id } = await env.db.collection('activities').add({
    data: activityDoc({
      startAt: new Date(Date.now() + startIn),
      endAt: new Date(Date.now() + startIn + 2 * HOUR),
      deadline: new Date(Date.now() + startIn),
      fields: ['name', 'phone', 'store', 'company'],
      ...extra,
    }),
  });
  return _id as string;
}

async function join(activityId: string, openid: string, answers: Record<string, string> = {}) {
  const answer = await env.cloud.call(
    'customer',
    {
      action: 'joinActivity',
      requestId: `join-${openid}-${activityId}`.slice(0, 64),
      activityId,
      fields: {
        name: `顾客${openid}`,
        phone: '13800138000',
        store: '静安店',
        company: '某公司',
        ...answers,
      },
      consent: POLICY,
    },
    openid,
  );
  expect(answer.error).toBeUndefined();
  return answer.data as { registrationId: string; checkinCode: string };
}

test('a start in the past is refused; a published activity whose end passed is closed and says so', async () => {
  const past = await post('/activities', {
    title: '昨天的活动',
    startAt: at(-HOUR),
    endAt: at(HOUR),
    capacity: 10,
    fields: ['name'],
    status: 'published',
  });
  expect(past.error.fields).toEqual([{ path: 'startAt', message: '开始时间已经过去，请选择将来的时间' }]);

  const ended = await activity(-5 * HOUR);
  const running = await activity(-HOUR);
  const { data } = (await env.cloud.api('GET', '/activities', undefined, env.admin)).body;
  const byId = new Map(data.items.map((a: any) => [a.activityId, a]));
  expect(byId.get(ended)).toMatchObject({ status: 'closed', closedReason: 'ended' });
  expect(byId.get(running)).toMatchObject({ status: 'published', closedReason: null });

  // A draft whose sign-up deadline passed is not published as it is.
  const draft = await activity(HOUR, { status: 'draft', deadline: new Date(Date.now() - HOUR) });
  const publish = await post(`/activities/${draft}/publish`);
  expect(publish.error.fields[0]).toMatchObject({ path: 'deadline' });
});

test('staff check in around the event only, and only for the store holding it', async () => {
  await seedStaff(env.db, { name: '静安王', store: '静安店', openid: 'staff-jingan' });
  await seedStaff(env.db, { name: '徐汇李', store: '徐汇店', openid: 'staff-xuhui' });
  const later = await activity(3 * 24 * HOUR, { store: '静安店' });
  const early = await join(later, 'guest-a');
  const tooEarly = await env.cloud.call(
    'staff',
    { action: 'checkIn', checkinCode: early.checkinCode },
    'staff-jingan',
  );
  expect(tooEarly.error).toMatchObject({
    code: 'ACTIVITY_CLOSED',
    message: expect.stringContaining('签到尚未开始'),
  });

  const soon = await activity(HOUR, { store: '静安店' });
  const { checkinCode } = await join(soon, 'guest-b');
  const otherStore = await env.cloud.call('staff', { action: 'checkIn', checkinCode }, 'staff-xuhui');
  expect(otherStore.error).toMatchObject({
    code: 'FORBIDDEN',
    message: '本活动在「静安店」举办，仅该门店的员工可以签到',
  });
  const ok = await env.cloud.call('staff', { action: 'checkIn', checkinCode }, 'staff-jingan');
  expect(ok.data).toMatchObject({ alreadyCheckedIn: false });
});

test('the sign-up list shows every answer and who checked in; a manual check-in counts once', async () => {
  const soon = await activity(HOUR, { store: '静安店' });
  const { registrationId } = await join(soon, 'guest-c', { store: '静安店', company: '星河科技' });
  const checked = await post(`/activities/${soon}/registrations/${registrationId}/checkin`);
  expect(checked.data).toMatchObject({
    status: 'checked_in',
    checkedInBy: '后台 boss',
    alreadyCheckedIn: false,
  });
  expect(
    (await post(`/activities/${soon}/registrations/${registrationId}/checkin`)).data.alreadyCheckedIn,
  ).toBe(true);
  const [audit] = (await env.db.collection('audit').where({ action: 'registration.checkin' }).get()).data;
  expect(audit).toMatchObject({ subject: registrationId, actor: 'account:boss' });

  const list = (await env.cloud.api('GET', `/activities/${soon}/registrations`, undefined, env.admin)).body
    .data;
  expect(list.items[0]).toMatchObject({
    answers: { store: '静安店', company: '星河科技' },
    checkedInBy: '后台 boss',
  });
  expect(list.counts).toMatchObject({ joined: 1, checkedIn: 1 });

  // Outside the window nobody checks in, not even from the admin page.
  const later = await activity(3 * 24 * HOUR);
  const early = await join(later, 'guest-d');
  const refused = await post(`/activities/${later}/registrations/${early.registrationId}/checkin`);
  expect(refused.error.message).toContain('签到尚未开始');

  const exported = await post(`/activities/${soon}/registrations/export`);
  const [header, row] = exported.data.csv.replace(/^\uFEFF/, '').split('\r\n');
  expect(header).toBe('称呼（微信昵称）,手机号（已打码）,状态,报名时间,签到时间,签到人,意向门店,公司');
  expect(row).toMatch(/^顾客guest-c,138\*\*\*\*\d{4},已签到,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,/);
  expect(row.endsWith(',后台 boss,静安店,星河科技')).toBe(true);
  // China time: the sign-up was just now, 8 hours ahead of UTC.
  const signedUp = row.split(',')[3];
  expect(Math.abs(Date.parse(`${signedUp.replace(' ', 'T')}+08:00`) - Date.now())).toBeLessThan(60_000);
  expect(
    (await env.db.collection('audit').where({ action: 'registrations.export' }).get()).data,
  ).toHaveLength(1);
  const viewer = await env.cloud.login('vivian', 'viewer');
  expect((await env.cloud.api('POST', `/activities/${soon}/registrations/export`, {}, viewer)).status).toBe(
    403,
  );
});

test('a lead export is in China time and has a column for every answer', async () => {
  const soon = await activity(HOUR);
  await join(soon, 'guest-e', { store: '徐汇店', company: '星河科技' });
  let job = (await post('/exports', {})).data;
  for (let i = 0; i < 20 && job.status === 'running'; i += 1)
    job = (await env.cloud.api('GET', `/jobs/${job.jobId}`, undefined, env.admin)).body.data;
  const text = Buffer.from(await (await fetch(job.downloadUrl)).arrayBuffer())
    .toString('utf8')
    .slice(1);
  const [header, row] = text.split('\r\n');
  const columns = header.split(',');
  expect(columns).toEqual(expect.arrayContaining(['公司', '行业', '职位', '城市', '意向门店', '留言']));
  const cells = row.split(',');
  expect(cells[columns.indexOf('意向门店')]).toBe('徐汇店');
  const submitted = cells[columns.indexOf('提交时间')];
  expect(submitted).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  expect(Math.abs(Date.parse(`${submitted.replace(' ', 'T')}+08:00`) - Date.now())).toBeLessThan(60_000);
});
