import { randomId, stableId } from '../../cloudfunctions/runtime/store';

describe('ids', () => {
  test('stable ids are the same for the same parts and differ for others', () => {
    expect(stableId('lead', 'openid', 'req-1')).toBe(stableId('lead', 'openid', 'req-1'));
    expect(stableId('lead', 'openid', 'req-1')).not.toBe(stableId('lead', 'openid', 'req-2'));
    // Parts are separated: ('ab','c') is not ('a','bc').
    expect(stableId('ab', 'c')).not.toBe(stableId('a', 'bc'));
  });

  test('ids are letters and digits only, so an export never escapes (changes) them', () => {
    const ids = [
      ...Array.from({ length: 5000 }, (_, i) => stableId('lead', String(i))),
      ...Array.from({ length: 5000 }, () => randomId()),
    ];
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(stableId('x')).toHaveLength(24);
    // 12 random bytes are 96 bits: 17 base-62 characters hold them.
    expect(randomId()).toHaveLength(17);
    expect(randomId(9)).toHaveLength(13);
  });
});
