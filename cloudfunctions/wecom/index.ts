// The wecom function: WeCom's customer-contact callback behind CloudBase's HTTP access
// (/wecom/callback), and a timer that works what the callback could not finish (retries, the
// advisor's message budget).
import { dueEvents, loadWecomSettings } from '../repositories/wecom';
import { database } from '../runtime/cloud';
import { acceptCallback, type CallbackAnswer, type CallbackRequest } from './callback';
import { workEvent } from './work';

/** WeCom gives up on an answer after 5 s: the work gets this long before the answer goes anyway. */
const ANSWER_WITHIN_MS = 3_000;
const EVENTS_PER_TICK = 20;

async function callback(request: CallbackRequest): Promise<CallbackAnswer> {
  const db = database();
  const now = new Date();
  const { answer, eventId } = await acceptCallback(db, request, now);
  if (eventId) {
    const settings = await loadWecomSettings(db);
    if (settings) {
      const work = workEvent({ db, settings, now }, eventId);
      await Promise.race([work, new Promise((resolve) => setTimeout(resolve, ANSWER_WITHIN_MS).unref())]);
    }
  }
  return answer;
}

async function tick(): Promise<{ worked: number }> {
  const db = database();
  const settings = await loadWecomSettings(db);
  if (!settings) return { worked: 0 };
  const due = await dueEvents(db, new Date(), EVENTS_PER_TICK);
  for (const event of due) await workEvent({ db, settings, now: new Date() }, event._id);
  return { worked: due.length };
}

/** Timer triggers send `{Type: 'Timer', ...}`; HTTP access sends an integration event. */
export async function main(event: Record<string, unknown>) {
  if (typeof event?.httpMethod === 'string') return callback(event as CallbackRequest);
  if (event?.Type === 'Timer' || event?.TriggerName) return { ok: true, data: await tick() };
  return { ok: false, error: { code: 'UNKNOWN_ACTION', message: '企业微信回调只接受 HTTP 访问与定时触发' } };
}
