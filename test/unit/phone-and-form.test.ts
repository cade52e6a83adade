import { buildLeadForm, mergeProfile, missingRequired } from '../../cloudfunctions/core/form';
import { maskPhone, normalizePhone } from '../../cloudfunctions/core/phone';
import { POLICY_VERSION } from '../../typings/privacy';

describe('normalizePhone', () => {
  test.each([
    ['13800138000', '13800138000'],
    ['138 0013 8000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['+8613800138000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['（138）0013.8000', '13800138000'],
    ['１３８００１３８０００', '13800138000'],
    ['12800138000', null],
    ['1380013800', null],
    ['138001380001', null],
    ['phone', null],
    ['', null],
  ])('%s → %s', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  test('masks the middle four digits', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone(null)).toBeNull();
  });
});

describe('progressive profiling', () => {
  const stranger = { profile: {}, phone: null, consentVersion: null };
  const known = { profile: { name: '张三' }, phone: '13800138000', consentVersion: POLICY_VERSION };

  test('a stranger is asked every field and for consent', () => {
    const form = buildLeadForm('a1', ['name', 'phone', 'company'], stranger);
    expect(form.fields.map((f) => f.key)).toEqual(['name', 'phone', 'company']);
    expect(form.fields.find((f) => f.key === 'phone')?.pattern).toBeDefined();
    expect(form.consentRequired).toBe(true);
    expect(form.known).toEqual([]);
  });

  test('what we hold is shown, not asked; consent of the current policy is not asked again', () => {
    const form = buildLeadForm(null, ['name', 'phone', 'company', 'note'], known);
    expect(form.fields.map((f) => [f.key, f.required])).toEqual([
      ['company', true],
      ['note', false],
    ]);
    expect(form.known.map((k) => k.display)).toEqual(['张三', '138****8000']);
    expect(form.consentRequired).toBe(false);
    expect(buildLeadForm(null, ['name'], { ...known, consentVersion: '2020-01-01' }).consentRequired).toBe(
      true,
    );
  });

  test('the store is picked from the open stores, or typed while there is no store list', () => {
    const picked = buildLeadForm('a1', ['store'], stranger, ['徐汇店', '静安旗舰店']).fields[0];
    expect(picked).toMatchObject({ key: 'store', kind: 'choice', options: ['徐汇店', '静安旗舰店'] });
    const typed = buildLeadForm('a1', ['store'], stranger, []).fields[0];
    expect(typed.kind).toBe('text');
    expect(typed.options).toBeUndefined();
  });

  test('missing required fields take the profile and a phone code into account', () => {
    expect(missingRequired(['name', 'phone', 'note'], stranger, {})).toEqual(['name', 'phone']);
    expect(missingRequired(['name', 'phone'], stranger, { name: '李四', phoneCode: 'c' })).toEqual([]);
    expect(missingRequired(['name', 'phone', 'city'], known, {})).toEqual(['city']);
  });

  test('answers fill gaps and replace what the customer changed', () => {
    expect(mergeProfile({ name: '张三', city: '上海' }, { city: '杭州', company: 'A' })).toEqual({
      name: '张三',
      city: '杭州',
      company: 'A',
    });
  });
});
