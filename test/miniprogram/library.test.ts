// The staff desk's script and material library in miniprogram-simulate, the staff function stubbed.
import { flush, Hands, platform, render, texts } from './support';

const items = [
  {
    itemId: 'i1',
    kind: 'script',
    title: '开场白',
    group: '首次联系',
    text: '您好，我是静安店的顾问',
    uses: 0,
    updatedAt: '',
  },
  {
    itemId: 'i2',
    kind: 'card',
    title: '品鉴会邀请',
    group: '',
    activityId: 'a1',
    activityTitle: '周末咖啡品鉴会',
    sharePath: 'pages/activity/index?id=a1&ch=Ab3xYz9k2Q',
    uses: 2,
    updatedAt: '',
  },
  {
    itemId: 'i3',
    kind: 'link',
    title: '品牌故事',
    group: '',
    url: 'https://example.com/story',
    uses: 0,
    updatedAt: '',
  },
];
const settle = async () => {
  for (let i = 0; i < 5; i += 1) await flush();
};

test('staff copy a script, share a card in their name, and filter by kind and words; each use counted', async () => {
  const asked: any[] = [];
  platform.answer.mockImplementation((_name: string, data: any) => {
    asked.push(data);
    if (data.action === 'library')
      return {
        ok: true,
        data: {
          items: items.filter(
            (i) => (!data.kind || i.kind === data.kind) && (!data.q || i.title.includes(data.q)),
          ),
        },
      };
    return { ok: true, data: { itemId: data.itemId } };
  });
  const wx = (global as any).wx;
  wx.setClipboardData = jest.fn(({ success }: any) => success({}));
  const page = render('staff/pages/library');
  page.instance.onLoad();
  await settle();
  expect(texts(page, '.item-title')).toEqual(['开场白', '品鉴会邀请', '品牌故事']);
  const hands = new Hands();
  await hands.tap(page.querySelector('.copy'));
  await settle();
  expect(wx.setClipboardData).toHaveBeenCalledWith(
    expect.objectContaining({ data: '您好，我是静安店的顾问' }),
  );
  expect(asked).toContainEqual({ action: 'useLibraryItem', itemId: 'i1' });
  expect(page.instance.onShareAppMessage({ from: 'button', target: { dataset: { id: 'i2' } } })).toEqual({
    title: '周末咖啡品鉴会',
    path: '/pages/activity/index?id=a1&ch=Ab3xYz9k2Q',
  });
  expect(asked).toContainEqual({ action: 'useLibraryItem', itemId: 'i2' });
  await hands.tap(page.querySelectorAll('.tab')[1]);
  await settle();
  expect(texts(page, '.item-title')).toEqual(['开场白']);
  page.querySelector('.search').dispatchEvent('confirm', { detail: { value: '不存在' } });
  await settle();
  expect(texts(page, '.empty')).toEqual(['没有找到相关的话术或素材']);
});
