// The staff desk's poster page in miniprogram-simulate, the staff function stubbed: templates
// listed, a poster drawn on the server for the tapped one, saved to the album or shared.
import { flush, Hands, platform, render, texts } from './support';

const templates = [
  {
    templateId: 't1',
    name: '门店海报',
    activityId: null,
    activityTitle: null,
    backgroundUrl: 'http://local/bg1.png',
    width: 750,
    height: 1334,
  },
  {
    templateId: 't2',
    name: '品鉴会海报',
    activityId: 'a1',
    activityTitle: '周末咖啡品鉴会',
    backgroundUrl: 'http://local/bg2.png',
    width: 750,
    height: 1334,
  },
];
const poster = { templateId: 't2', fileId: 'cloud://env/posters/p2.png', imageUrl: 'http://local/p2.png' };
const settle = async () => {
  for (let i = 0; i < 5; i += 1) await flush();
};
const wx = (global as any).wx;

beforeEach(() => {
  platform.authSetting = {};
  platform.authSettingAfterSetting = {};
  wx.cloud.downloadFile.mockReset();
  wx.saveImageToPhotosAlbum.mockReset();
  wx.showToast.mockClear();
  wx.openSetting.mockClear();
  wx.showShareImageMenu = jest.fn();
});

async function posterPage(answer: (data: any) => unknown = () => ({ ok: true, data: poster })) {
  const asked: any[] = [];
  platform.answer.mockImplementation((_name: string, data: any) => {
    asked.push(data);
    return data.action === 'posters' ? { ok: true, data: { items: templates } } : answer(data);
  });
  const page = render('staff/pages/posters');
  page.instance.onLoad();
  await settle();
  return { page, asked };
}

test('templates are listed; the tapped one is drawn with my code, saved to the album and shared', async () => {
  const { page, asked } = await posterPage();
  expect(texts(page, '.template-name')).toEqual(['门店海报', '品鉴会海报']);
  expect(texts(page, '.template-activity')).toEqual(['通用海报', '周末咖啡品鉴会']);
  const hands = new Hands();
  await hands.tap(page.querySelectorAll('.template')[1]);
  await settle();
  expect(asked).toContainEqual({ action: 'myPoster', templateId: 't2' });
  expect(page.querySelector('.poster-image')).toBeDefined();
  expect(page.instance.data.poster).toEqual(poster);

  wx.cloud.downloadFile.mockImplementation(({ success }: any) =>
    success({ tempFilePath: '/tmp/p2.png', statusCode: 200 }),
  );
  wx.saveImageToPhotosAlbum.mockImplementation(({ success }: any) => success({}));
  await hands.tap(page.querySelector('.save'));
  await settle();
  expect(wx.cloud.downloadFile).toHaveBeenCalledWith(expect.objectContaining({ fileID: poster.fileId }));
  expect(wx.saveImageToPhotosAlbum).toHaveBeenCalledWith(
    expect.objectContaining({ filePath: '/tmp/p2.png' }),
  );
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已保存到相册', icon: 'success' });

  await hands.tap(page.querySelector('.share'));
  await settle();
  expect(wx.showShareImageMenu).toHaveBeenCalledWith({ path: '/tmp/p2.png' });

  await hands.tap(page.querySelector('.back'));
  await settle();
  expect(texts(page, '.template-name')).toHaveLength(2);
});

test('a refused album permission is explained and the settings page opens from a tap; granted there, it saves', async () => {
  const { page } = await posterPage();
  await new Hands().tap(page.querySelectorAll('.template')[0]);
  await settle();
  platform.authSetting = { 'scope.writePhotosAlbum': false };
  await new Hands().tap(page.querySelector('.save'));
  await settle();
  expect(wx.cloud.downloadFile).not.toHaveBeenCalled();
  expect(texts(page, '.message')).toEqual(['保存图片需要相册权限：请在设置里允许“保存到相册”']);
  platform.authSettingAfterSetting = { 'scope.writePhotosAlbum': true };
  wx.cloud.downloadFile.mockImplementation(({ success }: any) =>
    success({ tempFilePath: '/tmp/p.png', statusCode: 200 }),
  );
  wx.saveImageToPhotosAlbum.mockImplementation(({ success }: any) => success({}));
  await new Hands().tap(page.querySelector('.open-setting'));
  await settle();
  expect(wx.openSetting).toHaveBeenCalledTimes(1);
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已保存到相册', icon: 'success' });
  expect(page.querySelector('.open-setting')).toBeUndefined();
});

test('a poster the server cannot draw says why, with no save or share button', async () => {
  const { page } = await posterPage(() => ({
    ok: false,
    error: { code: 'NOT_FOUND', message: '这张海报模板已停用，请刷新列表' },
  }));
  await new Hands().tap(page.querySelectorAll('.template')[0]);
  await settle();
  expect(texts(page, '.message')).toEqual(['这张海报模板已停用，请刷新列表']);
  expect(page.querySelector('.save')).toBeUndefined();
  expect(page.querySelector('.share')).toBeUndefined();
});
