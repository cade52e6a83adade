import { numberFromEnv } from '../../cloudfunctions/runtime/env';

test('a number variable left empty, unset or garbled takes its default, never 0', () => {
  const name = 'LEADPOOL_TEST_NUMBER';
  for (const [raw, expected] of [
    [undefined, 30],
    ['', 30],
    ['  ', 30],
    ['abc', 30],
    ['0', 0],
    ['1500', 1500],
  ] as const) {
    if (raw === undefined) delete process.env[name];
    else process.env[name] = raw;
    expect({ raw, value: numberFromEnv(name, 30) }).toEqual({ raw, value: expected });
  }
  delete process.env[name];
});
