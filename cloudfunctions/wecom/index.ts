// The wecom function: WeCom's customer-contact callback behind CloudBase's HTTP access
// (/wecom/callback), and a timer that works what the callback could not finish (retries, the
// advisor's message budget), tells advisors of new journey tasks and, at night, repairs adds whose
// events never arrived.
import { isReconcileMinute } from '../core/wecomContact';
import { dueEvents, loadWecomSettings } from '../repositories/wecom';
import { database } from '../runtime/cloud';
import { acceptCallback, type CallbackAnswer, type CallbackRequest } from './callback';
import { reconcile } from './reconcile';
import { noticeTasks } from './tasks';
import { workEvent } from './work';

/** WeCom gives up on an answer after 5 s: the work gets this long before the answer goes anyway. */
const ANSWER_WITHIN_MS = 3_000;
const EVENTS_PER_TICK = 20;

async function callback(request: CallbackRequest): Promise<CallbackAnswer> {
  const db = database();
  const now = new Date();
  const { answer, work } = await acceptCallback(db, request, now);
  if (work) {
    const worked = workEvent({ db, settings: work.settings, now }, work.eventId);
    await Promise.race([worked, new Promise((resolve) => setTimeout(resolve, ANSWER_WITHIN_MS).unref())]);
  }
  return answer;
}

async function tick(at: Date) {
  const db = database();
  const settings = await loadWecomSettings(db);
  if (!settings) return { worked: 0 };
  const due = await dueEvents(db, new Date(), EVENTS_PER_TICK);
  for (const event of due) await workEvent({ db, settings, now: new Date() }, event._id);
  // The trigger's own minute: each advisor's message budget is counted per minute.
  const noticed = await noticeTasks({ db, settings, now: at });
  if (!isReconcileMinute(at)) return { worked: due.length, noticed };
  return { worked: due.length, noticed, reconciled: await reconcile({ db, settings, now: new Date() }) };
}

/** Timer triggers send `{Type: 'Timer', Time, ...}`; HTTP access sends an integration event. */
export async function main(event: Record<string, unknown>) {
  if (typeof event?.httpMethod === 'string') return callback(event as CallbackRequest);
  if (event?.Type === 'Timer' || event?.TriggerName) {
    const at = typeof event.Time === 'string' ? new Date(event.Time) : new Date();
    return { ok: true, data: await tick(Number.isNaN(at.getTime()) ? new Date() : at) };
  }
  return { ok: false, error: { code: 'UNKNOWN_ACTION', message: '企业微信回调只接受 HTTP 访问与定时触发' } };
}
