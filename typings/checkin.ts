/**
 * Who may check a customer in to an activity, and when: shared by the staff function (a scan at
 * the door), the admin API (a manual check-in from the sign-up list) and the pages that say it.
 */
export const CHECKIN_OPENS_BEFORE_MS = 2 * 3_600_000;
export const CHECKIN_CLOSES_AFTER_MS = 2 * 3_600_000;

export interface CheckinActivity {
  startAt: Date | string;
  endAt: Date | string;
  /** The store holding the event: only its staff check in there. Absent: any store's staff. */
  store?: string | null;
}

/** China time `12月1日 08:00`, for messages (the functions run in UTC). */
function chinaTime(at: number): string {
  const d = new Date(at + 8 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Who may check in and when, as a sentence for an activity held at `store` (or anywhere). */
export function checkinRule(store?: string | null): string {
  const who = store ? `仅「${store}」的员工` : '任何门店的员工';
  return `签到时间为活动开始前 2 小时至结束后 2 小时，${who}可以签到`;
}

/**
 * Why a check-in at `now` is refused (null: it may happen): outside the window, or by staff of
 * another store. `staffStore` is the scanning staff member's store; undefined for an admin's
 * manual check-in, which any store may make.
 */
export function checkinProblem(
  activity: CheckinActivity,
  now: Date,
  staffStore?: string,
): { reason: 'window' | 'store'; message: string } | null {
  const opens = new Date(activity.startAt).getTime() - CHECKIN_OPENS_BEFORE_MS;
  const closes = new Date(activity.endAt).getTime() + CHECKIN_CLOSES_AFTER_MS;
  if (now.getTime() < opens)
    return { reason: 'window', message: `签到尚未开始：${chinaTime(opens)} 起可以签到（活动开始前 2 小时）` };
  if (now.getTime() > closes)
    return { reason: 'window', message: `签到已结束：活动结束 2 小时后（${chinaTime(closes)}）不能再签到` };
  if (staffStore !== undefined && activity.store && staffStore !== activity.store)
    return { reason: 'store', message: `本活动在「${activity.store}」举办，仅该门店的员工可以签到` };
  return null;
}
