import { z } from 'zod';

/**
 * Personal posters (导购海报): marketing keeps templates (a background image and where a staff
 * member's code and name go), per activity or general; each staff member gets the poster drawn on
 * the server with their own live code and name. Coordinates are pixels of the background image.
 */
const id = z.string().trim().min(1, '缺少编号').max(64, '编号过长');
const pixel = (label: string) =>
  z
    .number({ error: `${label}应为数字` })
    .int(`${label}应为整数像素`)
    .min(0, `${label}不能为负`)
    .max(4000, `${label}超出图片范围`);

export const posterLayoutSchema = z.object({
  /** The code's square: its top-left corner and side. */
  codeBox: z.object({
    x: pixel('活码横坐标'),
    y: pixel('活码纵坐标'),
    size: pixel('活码边长').min(120, '活码边长至少 120 像素，否则难以识别'),
  }),
  /** The name is centred in a box this wide with its top at y, shrunk to fit. */
  nameBox: z.object({
    x: pixel('姓名横坐标'),
    y: pixel('姓名纵坐标'),
    width: pixel('姓名区域宽度').min(40, '姓名区域至少 40 像素宽'),
    fontSize: pixel('字号').min(12, '字号至少 12').max(200, '字号最大 200'),
    color: z
      .string()
      .trim()
      .regex(/^#[0-9a-fA-F]{6}$/, '文字颜色应为 #RRGGBB'),
  }),
});
export type PosterLayout = z.infer<typeof posterLayoutSchema>;

export const posterTemplateSchema = posterLayoutSchema.extend({
  name: z.string().trim().min(1, '请填写模板名称').max(30, '模板名称最多 30 个字'),
  /** The activity whose code the poster carries; null: the staff member's general code. */
  activityId: id.nullable().default(null),
  /** The background, uploaded as library images are (PNG or JPG). */
  backgroundFileId: z
    .string()
    .trim()
    .regex(/^cloud:\/\/\S+$/, '请先上传背景图'),
  enabled: z.boolean().default(true),
});
export type PosterTemplateInput = z.infer<typeof posterTemplateSchema>;

/** A template as the admin page reads it. */
export type PosterTemplate = PosterTemplateInput & {
  templateId: string;
  /** Raised by every edit: posters are cached per version, so an edit draws them anew. */
  version: number;
  width: number;
  height: number;
  backgroundUrl: string;
  activityTitle: string | null;
  updatedAt: string;
};

/** A template as the staff desk lists it. */
export interface StaffPosterTemplate {
  templateId: string;
  name: string;
  activityId: string | null;
  activityTitle: string | null;
  backgroundUrl: string;
  width: number;
  height: number;
}

export interface StaffPoster {
  templateId: string;
  /** The drawn poster in cloud storage (the page downloads it by file id to save or share). */
  fileId: string;
  imageUrl: string;
}

export const posterRequestSchemas = {
  posters: z.object({}),
  myPoster: z.object({ templateId: id }),
} as const;
