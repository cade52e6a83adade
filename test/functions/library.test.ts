// The script and material library in the staff desk: what staff see, a card shared in their name,
// uses counted, and who may not look.
import { activityDoc, clearAll, type ProjectCloud, seedStaff, startProjectCloud } from './project-cloud';

let cloud: ProjectCloud;
let db: any;

beforeAll(async () => {
  cloud = await startProjectCloud();
  db = cloud.db;
});
afterAll(() => cloud.close());
beforeEach(() => clearAll(db));

const staffCall = (event: Record<string, unknown>, openid = 'lib-staff') =>
  cloud.call('staff', event, openid);

async function seedLibrary() {
  const { _id: activityId } = await db
    .collection('activities')
    .add({ data: activityDoc({ title: '周末咖啡品鉴会' }) });
  const sdk = require('wx-server-sdk');
  const { fileID } = await sdk.uploadFile({
    cloudPath: 'library/poster.png',
    fileContent: Buffer.from('png'),
  });
  const item = (doc: Record<string, unknown>) =>
    db
      .collection('library')
      .add({ data: { group: '', uses: 0, createdAt: new Date(), updatedAt: new Date(), ...doc } });
  await item({ kind: 'script', title: '开场白', group: '首次联系', text: '您好{姓名}，我是{门店}的顾问' });
  await item({ kind: 'script', title: '价格异议', group: '异议处理', text: '这个价格包含全年服务', uses: 5 });
  await item({ kind: 'image', title: '店庆海报', fileId: fileID });
  await item({ kind: 'card', title: '品鉴会邀请', activityId });
  await item({ kind: 'link', title: '品牌故事', url: 'https://example.com/story' });
  return activityId as string;
}

test('staff browse and search the library; a card carries their own code; a use is counted', async () => {
  const activityId = await seedLibrary();
  await seedStaff(db, { inviteCode: 'LIBSTAFF1' });
  expect((await staffCall({ action: 'bind', inviteCode: 'LIBSTAFF1' })).ok).toBe(true);
  const { scene } = (await staffCall({ action: 'myCode' })).data;
  const items = (await staffCall({ action: 'library' })).data.items;
  expect(items.map((i: any) => i.title)).toEqual([
    '店庆海报',
    '品鉴会邀请',
    '品牌故事',
    '开场白',
    '价格异议',
  ]);
  const card = items.find((i: any) => i.kind === 'card');
  expect(card).toMatchObject({
    activityTitle: '周末咖啡品鉴会',
    sharePath: `pages/activity/index?id=${activityId}&ch=${scene}`,
  });
  expect(items.find((i: any) => i.kind === 'image').imageUrl).toMatch(/^http/);
  const found = (await staffCall({ action: 'library', kind: 'script', q: '价格' })).data.items;
  expect(found.map((i: any) => i.title)).toEqual(['价格异议']);
  const opener = items.find((i: any) => i.title === '开场白');
  expect((await staffCall({ action: 'useLibraryItem', itemId: opener.itemId })).ok).toBe(true);
  expect((await db.collection('library').doc(opener.itemId).get()).data.uses).toBe(1);
  expect((await staffCall({ action: 'useLibraryItem', itemId: 'gone' })).error.code).toBe('NOT_FOUND');
  expect((await staffCall({ action: 'library', kind: 'poster' })).error).toMatchObject({
    code: 'INVALID_INPUT',
    fields: [{ path: 'kind' }],
  });
});

test('a customer cannot read the library', async () => {
  await seedLibrary();
  expect((await staffCall({ action: 'library' }, 'a-customer')).error.code).toBe('FORBIDDEN');
});
