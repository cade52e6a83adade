import { z } from 'zod';
import { FIELD_CATALOGUE } from './fields';

/**
 * Custom form fields: questions an activity asks beyond the field catalogue (typings/fields),
 * defined in the admin page. Answers are stored by the field's id, so a field renamed keeps its
 * answers and a field removed from the form keeps them readable (the activity keeps its definition
 * among `retiredFields`). Read by the admin page and the functions; the mini program is told how
 * to ask each one by the server (typings/customer `FormField`).
 */
export const CUSTOM_FIELD_TYPES = [
  'text',
  'longtext',
  'single',
  'multiple',
  'date',
  'number',
  'store',
] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export const CUSTOM_FIELD_TYPE_LABELS: Record<CustomFieldType, string> = {
  text: '单行文本',
  longtext: '多行文本',
  single: '单选',
  multiple: '多选',
  date: '日期',
  number: '数字',
  store: '门店选择',
};

/** Limits that keep a form answerable on a phone and its answers a sane size. */
export const CUSTOM_FIELD_LIMITS = {
  fields: 20,
  options: 20,
  labelLength: 20,
  optionLength: 30,
  textLength: 100,
  longtextLength: 500,
} as const;

/** `c_` and 4–16 lowercase letters or digits: never one of the catalogue's keys. */
export const CUSTOM_FIELD_ID = /^c_[a-z0-9]{4,16}$/;

const L = CUSTOM_FIELD_LIMITS;
const CATALOGUE_LABELS = new Set(Object.values(FIELD_CATALOGUE).map((spec) => spec.label));
const withOptions = (type: CustomFieldType) => type === 'single' || type === 'multiple';

export const customFieldSchema = z
  .object({
    /** Left out for a new field: the server gives it one. */
    id: z.string().regex(CUSTOM_FIELD_ID, '字段编号无效').optional(),
    label: z
      .string()
      .trim()
      .min(1, '请填写字段名称')
      .max(L.labelLength, `字段名称不能超过 ${L.labelLength} 个字`),
    type: z.enum(CUSTOM_FIELD_TYPES, { error: '字段类型无效' }),
    required: z.boolean().default(false),
    options: z
      .array(
        z.string().trim().min(1, '选项不能为空').max(L.optionLength, `选项不能超过 ${L.optionLength} 个字`),
      )
      .max(L.options, `选项最多 ${L.options} 个`)
      .optional(),
  })
  .superRefine((field, ctx) => {
    if (CATALOGUE_LABELS.has(field.label))
      ctx.addIssue({
        code: 'custom',
        path: ['label'],
        message: `「${field.label}」是常用字段，请直接添加常用字段`,
      });
    const options = field.options ?? [];
    if (withOptions(field.type) && options.length < 2)
      ctx.addIssue({ code: 'custom', path: ['options'], message: '单选或多选至少需要 2 个选项' });
    if (new Set(options).size !== options.length)
      ctx.addIssue({ code: 'custom', path: ['options'], message: '选项不能重复' });
  })
  // Options belong to choices only: a text field switched from a choice drops them.
  .transform((field) => (withOptions(field.type) ? field : { ...field, options: undefined }));

export const customFieldsSchema = z
  .array(customFieldSchema)
  .max(L.fields, `自定义字段最多 ${L.fields} 个`)
  .superRefine((fields, ctx) => {
    const labels = new Set<string>();
    const ids = new Set<string>();
    fields.forEach((field, index) => {
      if (labels.has(field.label))
        ctx.addIssue({ code: 'custom', path: [index, 'label'], message: `字段名称「${field.label}」重复` });
      if (field.id && ids.has(field.id))
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: '字段编号重复' });
      labels.add(field.label);
      if (field.id) ids.add(field.id);
    });
  });

export type CustomFieldInput = z.input<typeof customFieldSchema>;

/** A custom field as stored on an activity (and a template): its id is always set. */
export interface CustomField {
  id: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  options?: string[];
}

/** How the answers of a multiple choice are kept (answers are text, read as text everywhere). */
export const MULTIPLE_SEPARATOR = '、';

/** What an answer column is headed by, and which answers fill it. */
export interface AnswerColumn {
  label: string;
  /** Answer keys: a catalogue key, or custom field ids (copies of one form share them). */
  keys: string[];
}

/**
 * The answer columns of an activity's sign-ups, after name and phone: the catalogue fields asked,
 * its custom fields, then removed custom fields (their answers stay readable, marked as removed).
 */
export function activityAnswerColumns(
  activity: {
    fields: readonly string[];
    customFields?: readonly CustomField[];
    retiredFields?: readonly CustomField[];
  },
  catalogueLabel: (key: string) => string,
): AnswerColumn[] {
  return [
    ...activity.fields
      .filter((key) => key !== 'name' && key !== 'phone')
      .map((key) => ({ label: catalogueLabel(key), keys: [key] })),
    ...(activity.customFields ?? []).map((f) => ({ label: f.label, keys: [f.id] })),
    ...(activity.retiredFields ?? []).map((f) => ({ label: `${f.label}（已移除）`, keys: [f.id] })),
  ];
}

/**
 * Columns for the custom answers of many activities (the lead export): one per label, so the
 * copies of a form and forms asking the same question share a column; live fields come first.
 */
export function customAnswerColumns(
  activities: readonly { customFields?: readonly CustomField[]; retiredFields?: readonly CustomField[] }[],
): AnswerColumn[] {
  const byLabel = new Map<string, Set<string>>();
  const fields = [
    ...activities.flatMap((a) => a.customFields ?? []),
    ...activities.flatMap((a) => a.retiredFields ?? []),
  ];
  for (const field of fields) byLabel.set(field.label, (byLabel.get(field.label) ?? new Set()).add(field.id));
  return [...byLabel].map(([label, ids]) => ({ label, keys: [...ids] }));
}

/** A column's header beside the export's own columns: a question named like one of them (状态, 日期) says it is a question. */
export function answerHeader(column: AnswerColumn, fixed: readonly string[]): string {
  return fixed.includes(column.label) ? `${column.label}（问题）` : column.label;
}

/** The answer a column shows for one sign-up or lead. */
export function answerIn(answers: Record<string, string>, column: AnswerColumn): string {
  for (const key of column.keys) if (answers[key]) return answers[key];
  return '';
}
