// The one zod-issue → Chinese message mapping: each message names its field (and the list line)
// and the limit, on the real request schemas.
import type { z } from 'zod';
import { adminRequestSchemas as schemas } from '../../typings/admin';
import { fieldPlace, issueMessage } from '../../typings/validation';

const messages = (schema: z.ZodType, input: unknown) =>
  Object.fromEntries(
    (schema.safeParse(input, { error: issueMessage }).error?.issues ?? []).map((i) => [
      i.path.join('.'),
      i.message,
    ]),
  );

const START = '2026-12-01T09:00:00+08:00';
const END = '2026-12-01T10:00:00+08:00';

test.each([
  [['title'], '', '活动名称'],
  [['items', 3, 'name'], '第 4 行', '名称'],
  [['items', 3], '', '第 4 行'],
  [['robots', 0, 'url'], '第 1 个机器人', '地址'],
  [['fields', 1], '', '表单字段第 2 项'],
  [['mystery'], '', 'mystery'],
  [[], '', '内容'],
])('%j is on line "%s", field %s', (path, line, field) => {
  expect(fieldPlace(path)).toEqual({ line, field });
});

test.each([
  [
    'too long',
    schemas.activity,
    { title: 'x'.repeat(41), startAt: START, endAt: END, capacity: 1, fields: ['name'] },
    { title: '活动名称不能超过 40 个字' },
  ],
  [
    'capacity over the limit',
    schemas.activity,
    { title: 't', startAt: START, endAt: END, capacity: 100001, fields: ['name'] },
    { capacity: '名额不能大于 100000' },
  ],
  [
    'no capacity',
    schemas.activity,
    { title: 't', startAt: START, endAt: END, fields: ['name'] },
    { capacity: '请填写名额' },
  ],
  [
    'half a seat',
    schemas.activity,
    { title: 't', startAt: START, endAt: END, capacity: 1.5, fields: ['name'] },
    { capacity: '名额必须是整数' },
  ],
  [
    'not a time',
    schemas.activity,
    { title: 't', startAt: 'soon', endAt: END, capacity: 1, fields: ['name'] },
    { startAt: expect.stringContaining('开始时间') },
  ],
  [
    'a bulk line',
    schemas.codeBulk,
    { channelType: 'poster', items: [{ name: 'a' }, { name: 'x'.repeat(41) }] },
    { 'items.1.name': '第 2 行：名称不能超过 40 个字' },
  ],
  [
    'an empty bulk line',
    schemas.codeBulk,
    { channelType: 'poster', items: [{ name: 'a' }, { name: ' ' }] },
    { 'items.1.name': '第 2 行：请填写名称' },
  ],
  ['a negative cost', schemas.channel, { type: 'ad', name: 'n', cost: -1 }, { cost: '渠道花费不能小于 0' }],
  ['a page size of 0', schemas.leadList, { limit: '0' }, { limit: '每页条数不能小于 1' }],
  ['an unknown role', schemas.staff, { name: 'n', store: 's', role: 'boss' }, { role: '角色无效' }],
  ['a missing name', schemas.staffEdit, { name: '' }, { name: '请填写名称' }],
])('%s', (_case, schema, input, expected) => {
  expect(messages(schema as z.ZodType, input)).toEqual(expected);
});
