import { z } from 'zod';
import type { FormField } from '../../typings/customer';
import {
  CUSTOM_FIELD_LIMITS,
  type CustomField,
  type CustomFieldInput,
  MULTIPLE_SEPARATOR,
} from '../../typings/customFields';
import { FIELD_CATALOGUE } from '../../typings/fields';

/**
 * An activity's custom fields as the form asks them, and the zod schema their answers are checked
 * with, both built from the definitions (typings/customFields). Answers are kept as text by field
 * id (a multiple choice as its options joined, a number as written), so every reader of answers
 * (sign-up list, export, lead drawer, the customer's own data) shows them as they are.
 */

const L = CUSTOM_FIELD_LIMITS;
const STORE_MAX = FIELD_CATALOGUE.store.maxLength;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d{1,12}(\.\d{1,6})?$/;

/** Gives each new field an id (`c_` and 8 characters), keeping the ids of the fields it had. */
export function withFieldIds(fields: CustomFieldInput[], newId: () => string): CustomField[] {
  return fields.map((field) => ({
    id: field.id ?? `c_${newId()}`,
    label: field.label,
    type: field.type,
    required: field.required ?? false,
    ...(field.options ? { options: field.options } : {}),
  }));
}

/**
 * The fields a form had that its new definition drops, added to the ones dropped before: their
 * answers stay readable under their last label. A field added back is live again.
 */
export function retiredAfter(
  before: readonly CustomField[],
  retiredBefore: readonly CustomField[],
  after: readonly CustomField[],
): CustomField[] {
  const live = new Set(after.map((f) => f.id));
  const dropped = before.filter((f) => !live.has(f.id));
  const droppedIds = new Set(dropped.map((f) => f.id));
  return [...retiredBefore.filter((f) => !live.has(f.id) && !droppedIds.has(f.id)), ...dropped];
}

/** How the mini program asks a custom field (a store picker types the store while there is no list). */
export function customFormField(field: CustomField, stores: readonly string[]): FormField {
  const asked = { key: field.id, label: field.label, required: field.required, custom: true as const };
  switch (field.type) {
    case 'text':
      return { ...asked, kind: 'text', maxLength: L.textLength };
    case 'longtext':
      return { ...asked, kind: 'longtext', maxLength: L.longtextLength };
    case 'single':
      return { ...asked, kind: 'choice', maxLength: L.optionLength, options: field.options ?? [] };
    case 'multiple':
      return { ...asked, kind: 'multichoice', maxLength: L.optionLength, options: field.options ?? [] };
    case 'date':
      return { ...asked, kind: 'date', maxLength: 10 };
    case 'number':
      return { ...asked, kind: 'number', maxLength: 20 };
    case 'store':
      return stores.length > 0
        ? { ...asked, kind: 'choice', maxLength: STORE_MAX, options: stores }
        : { ...asked, kind: 'text', maxLength: STORE_MAX };
  }
}

const blank = (value: unknown) =>
  value === undefined ||
  value === null ||
  (typeof value === 'string' && value.trim() === '') ||
  (Array.isArray(value) && value.length === 0);

function isDay(value: string): boolean {
  const at = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === value;
}

/** One answer's schema: what it accepts, as the text it is kept as. */
function answerSchema(field: CustomField, stores: readonly string[]): z.ZodType<string> {
  const { label } = field;
  const picked = field.type === 'single' || field.type === 'multiple' || field.type === 'date';
  const missing =
    picked || (field.type === 'store' && stores.length > 0) ? `请选择${label}` : `请填写${label}`;
  // A missing answer reaches the schema as undefined: that is the one message it needs.
  const say = (message: string) => ({
    error: (issue: { input?: unknown }) => (issue.input === undefined ? missing : message),
  });
  const text = (max: number) =>
    z
      .string(say(`${label}应为文字`))
      .trim()
      .max(max, `${label}不能超过 ${max} 个字`);
  const options = field.options ?? [];
  switch (field.type) {
    case 'text':
      return text(L.textLength);
    case 'longtext':
      return text(L.longtextLength);
    case 'single':
      return z.enum(options as [string, ...string[]], say(`请从选项中选择${label}`));
    case 'store':
      return stores.length > 0
        ? z.enum(stores as [string, ...string[]], say(`请从列表中选择${label}`))
        : text(STORE_MAX);
    case 'multiple':
      return z
        .array(z.enum(options as [string, ...string[]], say(`请从选项中选择${label}`)), say(`请选择${label}`))
        .max(options.length, `请从选项中选择${label}`)
        .transform((chosen) => options.filter((o) => chosen.includes(o)).join(MULTIPLE_SEPARATOR));
    case 'date':
      return z
        .string(say(`${label}应为日期`))
        .regex(DAY, `${label}应为日期`)
        .refine(isDay, `${label}应为日期`);
    case 'number': {
      const notNumber = `${label}应为数字`;
      return z
        .union(
          [z.number(notNumber).finite(notNumber), z.string(notNumber).trim().regex(DECIMAL, notNumber)],
          say(notNumber),
        )
        .transform((n) => String(Number(n)));
    }
  }
}

/** Schemas by the definitions they check (a warm function instance checks the same forms again). */
const schemas = new Map<string, ReturnType<typeof buildAnswersSchema>>();
const SCHEMAS_KEPT = 200;

/** The schema of a form's custom answers, by field id; blank answers count as not given. */
function customAnswersSchema(fields: readonly CustomField[], stores: readonly string[]) {
  const key = JSON.stringify([fields, stores]);
  let schema = schemas.get(key);
  if (!schema) {
    if (schemas.size >= SCHEMAS_KEPT) schemas.clear();
    schema = buildAnswersSchema(fields, stores);
    schemas.set(key, schema);
  }
  return schema;
}

function buildAnswersSchema(fields: readonly CustomField[], stores: readonly string[]) {
  return z.object(
    Object.fromEntries(
      fields.map((field) => {
        const answer = answerSchema(field, stores);
        return [
          field.id,
          z.preprocess(
            (value) => (blank(value) ? undefined : value),
            field.required ? answer : answer.optional(),
          ),
        ];
      }),
    ),
  );
}

export interface CustomAnswers {
  /** The answers given, as kept. */
  answers: Record<string, string>;
  /** Field errors, at `fields.<id>` as the form shows them. */
  errors: { path: string; message: string }[];
  /** Typed answers, for content security. */
  freeTexts: { path: string; text: string }[];
}

export function readCustomAnswers(
  fields: readonly CustomField[],
  submitted: Record<string, unknown>,
  stores: readonly string[],
): CustomAnswers {
  const parsed = customAnswersSchema(fields, stores).safeParse(submitted);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({
      path: `fields.${String(issue.path[0])}`,
      message: issue.message,
    }));
    // One message a field: the first one said.
    const byPath = new Map(errors.reverse().map((e) => [e.path, e]));
    return { answers: {}, errors: [...byPath.values()].reverse(), freeTexts: [] };
  }
  const answers = Object.fromEntries(
    Object.entries(parsed.data).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const typed = new Set(
    fields
      .filter(
        (f) => f.type === 'text' || f.type === 'longtext' || (f.type === 'store' && stores.length === 0),
      )
      .map((f) => f.id),
  );
  return {
    answers,
    errors: [],
    freeTexts: Object.entries(answers)
      .filter(([id]) => typed.has(id))
      .map(([id, text]) => ({ path: `fields.${id}`, text })),
  };
}
