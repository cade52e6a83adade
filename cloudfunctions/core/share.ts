/**
 * Mini program pages a code or share card opens. A code opens the page with only its `scene`;
 * a share card carries its attribution in the query: `ch` (a staff or channel code) or `ref`
 * (a customer's share token).
 */
export const HOME_PAGE = 'pages/home/index';
export const ACTIVITY_PAGE = 'pages/activity/index';

export function codePage(activityId: string | null): string {
  return activityId ? ACTIVITY_PAGE : HOME_PAGE;
}

export function sharePath(activityId: string | null, attribution: { ch: string } | { ref: string }): string {
  const query = new URLSearchParams(activityId ? { id: activityId } : {});
  if ('ch' in attribution) query.set('ch', attribution.ch);
  else query.set('ref', attribution.ref);
  return `${codePage(activityId)}?${query.toString()}`;
}
