import { z } from 'zod';

/**
 * The script and material library (话术库 / 素材库): marketing writes scripts (with the same
 * variables as SOP tasks) and keeps materials (an image, an activity's mini program card, an
 * article link); staff browse, copy and share them from the staff desk, and each use is counted.
 */
export const LIBRARY_KINDS = ['script', 'image', 'card', 'link'] as const;
export type LibraryKind = (typeof LIBRARY_KINDS)[number];

export const LIBRARY_KIND_LABELS: Record<LibraryKind, string> = {
  script: '话术',
  image: '图片',
  card: '活动卡片',
  link: '文章链接',
};

const title = z.string().trim().min(1, '请填写标题').max(40, '标题最多 40 个字');
const group = z.string().trim().max(20, '分组最多 20 个字').default('');

export const libraryItemSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('script'),
      title,
      group,
      text: z.string().trim().min(1, '请填写话术内容').max(1000, '话术最多 1000 个字'),
    }),
    z.object({
      kind: z.literal('image'),
      title,
      group,
      /** A cloud storage fileID (uploaded through the admin page). */
      fileId: z
        .string()
        .trim()
        .regex(/^cloud:\/\/\S+$/, '请先上传图片'),
    }),
    z.object({
      kind: z.literal('card'),
      title,
      group,
      activityId: z.string().trim().min(1, '请选择活动').max(64),
    }),
    z.object({
      kind: z.literal('link'),
      title,
      group,
      url: z.url({ protocol: /^https$/, error: '请填写 https:// 开头的文章链接' }).max(500, '链接过长'),
    }),
  ],
  { error: '素材类型无效' },
);

export type LibraryItemInput = z.infer<typeof libraryItemSchema>;

/** An item as the admin page and the staff desk read it. */
export type LibraryItem = LibraryItemInput & {
  itemId: string;
  uses: number;
  /** An image's temporary download URL (images only). */
  imageUrl?: string;
  /** A card's activity title and share path (cards only). */
  activityTitle?: string;
  sharePath?: string;
  updatedAt: string;
};

export const libraryQuerySchema = z.object({
  kind: z.enum(LIBRARY_KINDS, { error: '素材类型无效' }).optional(),
  q: z.string().trim().max(40, '搜索词最多 40 个字').optional(),
});
