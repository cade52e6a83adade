// The end-to-end check for custom form fields: a customer answers an activity's own
// questions in the mini program (the real activity page and lead form against a real local
// cloud), and the admin's sign-up CSV and lead export show the answers under their labels.

import http from 'node:http';
import { NAME_FOR_SALES } from '../../typings/fields';
import { ADMIN_PASSWORD, activity, insert, useLocalCloud } from './local-cloud';
import { Hands, platform, postJson, render, texts, until } from './support';

useLocalCloud();

/** An admin API call as the admin page makes it (jsdom has no fetch). */
async function adminPost(path: string, body: unknown, token?: string) {
  const answer = await postJson(
    `${platform.cloudUrl}/admin-api${path}`,
    body,
    token ? { authorization: `Bearer ${token}` } : {},
  );
  return (answer as { data: any }).data;
}

function download(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      })
      .on('error', reject);
  });
}

/** A cell of a CSV (no quoted commas in these answers) under its header. */
function cell(csv: string, header: string, row = 1): string {
  const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
  return lines[row].split(',')[lines[0].split(',').indexOf(header)];
}

test('custom questions answered in the mini program are in the sign-up CSV and the lead export', async () => {
  const activityId = await insert('activities', {
    ...activity('门店开放日'),
    customFields: [
      { id: 'c_people01', label: '预计到店人数', type: 'number', required: true },
      {
        id: 'c_topics01',
        label: '感兴趣的内容',
        type: 'multiple',
        required: true,
        options: ['新品', '会员', '课程'],
      },
      { id: 'c_visit001', label: '方便的日期', type: 'date', required: false },
    ],
  });
  platform.openid = 'custom-journey';
  platform.privacyAgreed = true;
  const page = render('activity');
  page.instance.onLoad({ id: activityId });
  await until(() => texts(page, '.title').length > 0);
  const form = page.querySelector('.lead-form-host');
  const hands = new Hands();
  await hands.chooseNickname(form.querySelector('.input-name'), '小周');
  await hands.type(form.querySelector('.input-c_people01'), '3');
  await hands.tap(form.querySelector('.input-c_topics01'), 'change', { value: ['会员', '新品'] });
  await hands.tap(form.querySelector('.input-c_visit001'), 'change', { value: '2026-12-24' });
  await hands.tap(form.querySelector('.consent-box'), 'change', { value: ['yes'] });
  await hands.phoneButton(form.querySelector('.submit-phone'), { code: 'test:13600136000' });
  await until(() => texts(page, '.joined').length > 0);

  const { token } = await adminPost('/login', { username: 'admin', password: ADMIN_PASSWORD });
  const signups = await adminPost(`/activities/${activityId}/registrations/export`, {}, token);
  expect(cell(signups.csv, '预计到店人数')).toBe('3');
  expect(cell(signups.csv, '感兴趣的内容')).toBe('新品、会员');
  expect(cell(signups.csv, '方便的日期')).toBe('2026-12-24');

  // One sign-up: the export is done in its first step.
  const job = await adminPost('/exports', { filter: { activity: activityId } }, token);
  expect(job.status).toBe('done');
  const leads = await download(job.downloadUrl);
  expect(cell(leads, NAME_FOR_SALES)).toBe('小周');
  expect(cell(leads, '感兴趣的内容')).toBe('新品、会员');
}, 60_000);
