/**
 * The field catalogue an activity's form is built from. Shared by the mini program (labels,
 * input kinds), the functions (validation) and the admin page (form-field builder).
 */
export const FIELD_KEYS = ['name', 'phone', 'company', 'industry', 'role', 'city', 'store', 'note'] as const;

export type FieldKey = (typeof FIELD_KEYS)[number];

/** How a field is asked; `multichoice`, `date` and `number` are asked by custom fields only (typings/customFields). */
export type FieldKind =
  | 'nickname'
  | 'phone'
  | 'text'
  | 'choice'
  | 'longtext'
  | 'multichoice'
  | 'date'
  | 'number';

export interface FieldSpec {
  label: string;
  kind: FieldKind;
  maxLength: number;
  options?: readonly string[];
  /** Free text goes through content security before it is stored. */
  freeText: boolean;
}

export const INDUSTRIES = ['零售', '餐饮', '教育', '医疗', '制造', '互联网', '金融', '地产', '其他'] as const;

/**
 * How sales and exports name the name field: the form collects it as a WeChat nickname (one tap,
 * checked by WeChat), not a legal name; an activity that needs a real name asks in a custom field.
 */
export const NAME_FOR_SALES = '称呼（微信昵称）';

export const FIELD_CATALOGUE: Record<FieldKey, FieldSpec> = {
  name: { label: '姓名', kind: 'nickname', maxLength: 30, freeText: true },
  phone: { label: '手机号', kind: 'phone', maxLength: 20, freeText: false },
  company: { label: '公司', kind: 'text', maxLength: 60, freeText: true },
  industry: { label: '行业', kind: 'choice', maxLength: 20, options: INDUSTRIES, freeText: false },
  role: { label: '职位', kind: 'text', maxLength: 30, freeText: true },
  city: { label: '城市', kind: 'text', maxLength: 30, freeText: true },
  /** Picked from the managed store list when there is one (options added per request). */
  store: { label: '意向门店', kind: 'choice', maxLength: 40, freeText: true },
  note: { label: '留言', kind: 'longtext', maxLength: 500, freeText: true },
};

/** Fields a general inquiry (no activity) asks for. */
export const INQUIRY_FIELDS: readonly FieldKey[] = ['name', 'phone', 'note'];

/** Mainland mobile number after normalization (no +86, spaces or dashes). */
export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;
