// CloudBase timer triggers use a 7-field cron: second minute hour day-of-month month
// day-of-week year, e.g. `0 */1 * * * * *` (every minute).
export interface CronSchedule {
  matches(at: Date): boolean;
}

const RANGES: [min: number, max: number][] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
  [1970, 2099],
];

function parseField(field: string, [min, max]: [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let [from, to] = [min, max];
    if (range !== '*') {
      const [a, b] = range.split('-').map(Number);
      from = a;
      to = b ?? (stepText === undefined ? a : max);
    }
    if (![from, to, step].every(Number.isInteger) || step < 1 || from < min || to > max || from > to) {
      throw new Error(`invalid cron field "${field}"`);
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 7) throw new Error(`timer trigger needs 7 cron fields: "${expression}"`);
  const sets = fields.map((field, i) => parseField(field, RANGES[i]));
  return {
    matches(at: Date) {
      const parts = [
        at.getSeconds(),
        at.getMinutes(),
        at.getHours(),
        at.getDate(),
        at.getMonth() + 1,
        at.getDay(),
        at.getFullYear(),
      ];
      return parts.every((value, i) => sets[i].has(value));
    },
  };
}
