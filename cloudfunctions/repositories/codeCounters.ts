import type { CodeDayRow } from '../core/codeStats';
import type { Database } from '../runtime/cloud';
import { stableId, upsertById } from '../runtime/store';

/** Per code × China-time day counts (core/codeStats), kept by the dispatcher's pending-count pass. */
const CODE_COUNTERS = 'codeCounters';
const PAGE = 1000;
/** Documents one statistics request reads at most (a code with activity on each day of the range). */
const MAX_DAYS_READ = 50_000;

/** One document per code and day. */
export const codeDayId = (codeId: string, day: string) => stableId('code-day', codeId, day);

export async function addToCodeDay(db: Database, row: CodeDayRow): Promise<void> {
  const _ = db.command;
  const inc = Object.fromEntries(Object.entries(row.counts).map(([name, by]) => [name, _.inc(by)]));
  await upsertById(db, CODE_COUNTERS, codeDayId(row.codeId, row.day), inc, {
    codeId: row.codeId,
    day: row.day,
    ...row.counts,
  });
}

/** The day documents of a range (served by the day_code index), a page at a time after (day, codeId). */
export async function codeDaysBetween(db: Database, from: string, to: string): Promise<CodeDayRow[]> {
  const _ = db.command;
  const rows: CodeDayRow[] = [];
  let after: { day: string; codeId: string } | null = null;
  while (rows.length < MAX_DAYS_READ) {
    const range = _.gte(from).and(_.lte(to));
    const where = after
      ? _.or([{ day: _.eq(after.day), codeId: _.gt(after.codeId) }, { day: _.gt(after.day).and(_.lte(to)) }])
      : { day: range };
    const { data } = await db
      .collection(CODE_COUNTERS)
      .where(where)
      .orderBy('day', 'asc')
      .orderBy('codeId', 'asc')
      .limit(PAGE)
      .get();
    for (const { _id, codeId, day, ...counts } of data as ({ _id: string } & CodeDayRow['counts'] & {
        codeId: string;
        day: string;
      })[])
      rows.push({ codeId, day, counts });
    if (data.length < PAGE) break;
    const last = rows[rows.length - 1];
    after = { day: last.day, codeId: last.codeId };
  }
  return rows;
}
