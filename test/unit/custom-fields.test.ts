// Custom form fields' pure parts (core/customFields, typings/customFields): ids kept and given,
// fields removed kept readable, answers checked by the schema built from the definitions, and
// the answer columns of one activity and of many.
import {
  customFormField,
  readCustomAnswers,
  retiredAfter,
  withFieldIds,
} from '../../cloudfunctions/core/customFields';
import {
  activityAnswerColumns,
  answerHeader,
  answerIn,
  type CustomField,
  customAnswerColumns,
  customFieldsSchema,
} from '../../typings/customFields';

const field = (id: string, label: string, type: CustomField['type'], extra: Partial<CustomField> = {}) =>
  ({ id, label, type, required: false, ...extra }) as CustomField;

test('new fields get ids, edited ones keep theirs; a text field drops the options it had as a choice', () => {
  const parsed = customFieldsSchema.parse([
    { id: 'c_keep0001', label: '预算', type: 'text', options: ['甲', '乙'] },
    { label: '口味', type: 'single', required: true, options: [' 甜 ', '咸'] },
  ]);
  expect(withFieldIds(parsed, () => 'abcd1234')).toEqual([
    { id: 'c_keep0001', label: '预算', type: 'text', required: false },
    { id: 'c_abcd1234', label: '口味', type: 'single', required: true, options: ['甜', '咸'] },
  ]);
});

test('a removed field is retired until it is added back', () => {
  const a = field('c_aaaa', '甲', 'text');
  const b = field('c_bbbb', '乙', 'text');
  const c = field('c_cccc', '丙', 'text');
  expect(retiredAfter([a, b], [], [a])).toEqual([b]);
  expect(retiredAfter([a], [b], [a, c])).toEqual([b]);
  expect(retiredAfter([a, c], [b], [b, c])).toEqual([a]);
  // Renamed while retired again: the newer definition's label is the one kept.
  expect(retiredAfter([{ ...b, label: '乙二' }], [b], [])).toEqual([{ ...b, label: '乙二' }]);
});

describe('answers', () => {
  const fields = [
    field('c_num', '人数', 'number', { required: true }),
    field('c_multi', '品类', 'multiple', { options: ['咖啡', '茶', '甜点'] }),
    field('c_day', '日期', 'date'),
    field('c_store', '门店', 'store'),
    field('c_text', '备注', 'text'),
  ];
  const read = (answers: Record<string, unknown>, stores = ['一店', '二店']) =>
    readCustomAnswers(fields, answers, stores);

  test.each([
    [{ c_num: '12' }, { c_num: '12' }],
    [{ c_num: 12.5 }, { c_num: '12.5' }],
    [{ c_num: ' 007 ' }, { c_num: '7' }],
    [
      { c_num: '1', c_multi: ['甜点', '咖啡', '甜点'] },
      { c_num: '1', c_multi: '咖啡、甜点' },
    ],
    [{ c_num: '1', c_multi: [], c_day: '', c_text: '  ' }, { c_num: '1' }],
    [
      { c_num: '1', c_day: '2024-02-29', c_store: '二店' },
      { c_num: '1', c_day: '2024-02-29', c_store: '二店' },
    ],
  ])('%j is kept as %j', (answers, kept) => {
    expect(read(answers)).toMatchObject({ answers: kept, errors: [] });
  });

  test.each([
    [{}, 'fields.c_num', '请填写人数'],
    [{ c_num: '十二' }, 'fields.c_num', '人数应为数字'],
    [{ c_num: '1', c_multi: ['酒'] }, 'fields.c_multi', '请从选项中选择品类'],
    [{ c_num: '1', c_multi: '咖啡' }, 'fields.c_multi', '请选择品类'],
    [{ c_num: '1', c_day: '2026-02-30' }, 'fields.c_day', '日期应为日期'],
    [{ c_num: '1', c_store: '三店' }, 'fields.c_store', '请从列表中选择门店'],
    [{ c_num: '1', c_text: 'x'.repeat(101) }, 'fields.c_text', '备注不能超过 100 个字'],
  ])('%j is refused at %s: %s', (answers, path, message) => {
    expect(read(answers).errors).toEqual([{ path, message }]);
  });

  test('typed answers go to content security; a store typed while there is no store list is typed text', () => {
    expect(read({ c_num: '1', c_text: '你好', c_store: '二店' }).freeTexts).toEqual([
      { path: 'fields.c_text', text: '你好' },
    ]);
    expect(read({ c_num: '1', c_store: '随便写的店' }, []).freeTexts).toEqual([
      { path: 'fields.c_store', text: '随便写的店' },
    ]);
    expect(customFormField(fields[3], [])).toMatchObject({ kind: 'text', custom: true });
    expect(customFormField(fields[3], ['一店'])).toMatchObject({ kind: 'choice', options: ['一店'] });
  });
});

test('answer columns: catalogue, custom, removed; many activities share a column per label', () => {
  const activity = {
    fields: ['name', 'phone', 'company'],
    customFields: [field('c_1', '预算', 'number')],
    retiredFields: [field('c_0', '旧问题', 'text')],
  };
  const columns = activityAnswerColumns(activity, (key) => (key === 'company' ? '公司' : key));
  expect(columns.map((c) => c.label)).toEqual(['公司', '预算', '旧问题（已移除）']);
  expect(answerIn({ c_0: '旧回答' }, columns[2])).toBe('旧回答');

  const shared = customAnswerColumns([
    { customFields: [field('c_1', '预算', 'number')] },
    { customFields: [field('c_2', '预算', 'text'), field('c_3', '口味', 'single')] },
  ]);
  expect(shared).toEqual([
    { label: '预算', keys: ['c_1', 'c_2'] },
    { label: '口味', keys: ['c_3'] },
  ]);
  expect(answerIn({ c_2: '五千' }, shared[0])).toBe('五千');
  // A question named like an export column of its own is told apart in the header.
  expect(answerHeader({ label: '状态', keys: ['c_9'] }, ['姓名', '状态'])).toBe('状态（问题）');
  expect(answerHeader(shared[0], ['姓名', '状态'])).toBe('预算');
});
