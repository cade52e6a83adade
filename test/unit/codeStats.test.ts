// Per-code counting, the poster background's size from its header, and ZIP entry names.
import { safeFileName, zipEntries } from '../../cloudfunctions/admin/codeZip';
import { CodeTally, codeCountsOf, daysBetween, sumCodeCounts } from '../../cloudfunctions/core/codeStats';
import { imageSize } from '../../cloudfunctions/core/imageSize';

test.each([
  ['first entry of the day', true, { entries: 1 }, { scans: 1, visitors: 1 }],
  ['repeat entry', true, {}, { scans: 1 }],
  ['rejected repeat', true, { rejectedCodes: 1 }, { scans: 1 }],
  ['lead', false, { leads: 1, assigned: 1, mql: 1 }, { leads: 1 }],
  ['sign-up', false, { leads: 1, signups: 1 }, { leads: 1, signups: 1 }],
  ['WeCom add', false, { wecomAdded: 1 }, { wecomAdded: 1 }],
  ['form view', false, { formViews: 1 }, {}],
] as const)('a %s counts for its code as expected', (_name, isEntry, counters, expected) => {
  expect(codeCountsOf(isEntry, counters)).toEqual(expected);
});

test('a tally sums per code and China-time day; totals group by code or by day', () => {
  const tally = new CodeTally();
  const morning = new Date('2026-11-22T01:00:00Z');
  const lateNight = new Date('2026-11-22T17:00:00Z'); // 01:00 on the 23rd in China
  tally.add('a', morning, { scans: 1, visitors: 1 });
  tally.add('a', morning, { scans: 1 });
  tally.add('a', lateNight, { leads: 1 });
  tally.add('b', morning, {});
  const rows = tally.result();
  expect(rows).toEqual([
    { codeId: 'a', day: '2026-11-22', counts: { scans: 2, visitors: 1 } },
    { codeId: 'a', day: '2026-11-23', counts: { leads: 1 } },
  ]);
  expect(sumCodeCounts(rows, (r) => r.codeId).get('a')).toEqual({
    scans: 2,
    visitors: 1,
    leads: 1,
    signups: 0,
    wecomAdded: 0,
  });
  expect([...sumCodeCounts(rows, (r) => r.day).keys()]).toEqual(['2026-11-22', '2026-11-23']);
  expect(daysBetween('2026-02-27', '2026-03-02')).toEqual([
    '2026-02-27',
    '2026-02-28',
    '2026-03-01',
    '2026-03-02',
  ]);
});

test('the size of a PNG and a JPEG comes from their headers; anything else is refused', () => {
  const { PNG } = require('pngjs');
  const png = PNG.sync.write(new PNG({ width: 75, height: 1334 }));
  expect(imageSize(png)).toEqual({ width: 75, height: 1334 });
  // SOI, an APP0 segment, then SOF0 with height 600 and width 800.
  const jpeg = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20,
    0x03, 0x01, 0x22, 0x00,
  ]);
  expect(imageSize(jpeg)).toEqual({ width: 800, height: 600 });
  expect(imageSize(Buffer.from('GIF89a........'))).toBeNull();
  expect(imageSize(Buffer.from([0xff, 0xd8, 0x00]))).toBeNull();
});

test('ZIP entries are safe to unpack anywhere and unique by scene', () => {
  expect(safeFileName('静安/店:海报*1?')).toBe('静安_店_海报_1_');
  expect(safeFileName('..\u0007')).toBe('_');
  expect(safeFileName('...')).toBe('活码');
  expect(safeFileName('长'.repeat(100))).toHaveLength(60);
  expect(
    zipEntries([
      { _id: 'c1', name: '同名', scene: 'Aa1' },
      { _id: 'c2', name: '同名', scene: 'Bb2' },
    ]).map((e) => e.fileName),
  ).toEqual(['同名-Aa1.png', '同名-Bb2.png']);
});
