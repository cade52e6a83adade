/**
 * Local stand-ins for where leads go: a WeCom group robot (`/__local/wecom/send?key=K`) and a
 * CRM webhook receiver (`/__local/webhook/<name>`). They record what they got, can be told to fail
 * (HTTP 500, errcode 45009, a timeout) for tests and demos, and the robot enforces WeCom's
 * 20 messages per minute per robot like the real one.
 */
export type FaultMode = 'http500' | 'errcode45009' | 'timeout';

export interface ReceivedMessage {
  target: string;
  at: string;
  headers: Record<string, string>;
  body: unknown;
  /** What the fake answered: 'ok' or the fault. */
  outcome: 'ok' | FaultMode | 'rate_limited';
}

export interface SalesAnswer {
  status: number;
  body: unknown;
  /** Milliseconds to hold the answer back (a timeout fault). */
  delayMs: number;
}

const ROBOT_LIMIT_PER_MINUTE = 20;
const TIMEOUT_HOLD_MS = 10_000;

export class SalesFakes {
  readonly received: ReceivedMessage[] = [];
  private readonly faults = new Map<string, { mode: FaultMode; remaining: number }>();
  /** null: no limit (tests that run a simulated clock check the sender's own budget instead). */
  robotLimitPerMinute: number | null = ROBOT_LIMIT_PER_MINUTE;

  /** The next `count` requests to `target` (`robot:<key>` or `webhook:<name>`) fail with `mode`. */
  setFault(target: string, mode: FaultMode | 'ok', count = Number.POSITIVE_INFINITY): void {
    if (mode === 'ok') this.faults.delete(target);
    else this.faults.set(target, { mode, remaining: count });
  }

  clear(): void {
    this.received.length = 0;
    this.faults.clear();
  }

  private fault(target: string): FaultMode | null {
    const fault = this.faults.get(target);
    if (!fault) return null;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.delete(target);
    return fault.mode;
  }

  private record(
    target: string,
    headers: Record<string, string>,
    body: unknown,
    outcome: ReceivedMessage['outcome'],
  ) {
    this.received.push({ target, at: new Date().toISOString(), headers, body, outcome });
  }

  robot(key: string, headers: Record<string, string>, body: unknown): SalesAnswer {
    const target = `robot:${key}`;
    const fault = this.fault(target);
    if (fault) {
      this.record(target, headers, body, fault);
      if (fault === 'http500')
        return { status: 500, body: { errcode: -1, errmsg: 'system error' }, delayMs: 0 };
      if (fault === 'timeout')
        return { status: 504, body: { errcode: -1, errmsg: 'timeout' }, delayMs: TIMEOUT_HOLD_MS };
      return { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' }, delayMs: 0 };
    }
    const minuteAgo = Date.now() - 60_000;
    const recent = this.received.filter(
      (m) => m.target === target && m.outcome === 'ok' && new Date(m.at).getTime() > minuteAgo,
    ).length;
    if (this.robotLimitPerMinute !== null && recent >= this.robotLimitPerMinute) {
      this.record(target, headers, body, 'rate_limited');
      return { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' }, delayMs: 0 };
    }
    const message = body as { msgtype?: string; markdown?: { content?: string } } | null;
    if (message?.msgtype !== 'markdown' || typeof message.markdown?.content !== 'string') {
      return { status: 200, body: { errcode: 40008, errmsg: 'invalid message type' }, delayMs: 0 };
    }
    this.record(target, headers, body, 'ok');
    return { status: 200, body: { errcode: 0, errmsg: 'ok' }, delayMs: 0 };
  }

  webhook(name: string, headers: Record<string, string>, body: unknown): SalesAnswer {
    const target = `webhook:${name}`;
    const fault = this.fault(target);
    this.record(target, headers, body, fault ?? 'ok');
    if (fault === 'timeout') return { status: 504, body: { ok: false }, delayMs: TIMEOUT_HOLD_MS };
    if (fault) return { status: 500, body: { ok: false }, delayMs: 0 };
    return { status: 200, body: { ok: true }, delayMs: 0 };
  }
}
