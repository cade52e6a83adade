/**
 * The local cloud's clock: real time, or real time moved by an offset (`PUT /__local/clock`), so
 * timers, SLAs and day boundaries are tested without waiting. Function workers read the offset
 * from shared memory, so a move reaches code already running; the database's `serverDate()` and
 * the timer triggers read it too.
 */
export class LocalClock {
  /** One float: the offset in milliseconds, shared with every function worker. */
  readonly shared = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT);
  private readonly offset = new Float64Array(this.shared);

  now(): number {
    return Date.now() + this.offset[0];
  }

  get offsetMs(): number {
    return this.offset[0];
  }

  /** From now on the clock reads `at` and runs on from there. */
  set(at: Date): void {
    this.offset[0] = at.getTime() - Date.now();
  }

  reset(): void {
    this.offset[0] = 0;
  }
}

/**
 * Makes this thread's `Date` read a shared offset (a function worker's, before the function's code
 * is loaded): `new Date()` and `Date.now()` move with the local cloud's clock; dates built from a
 * value are untouched.
 */
export function followSharedClock(shared: SharedArrayBuffer): void {
  const offset = new Float64Array(shared);
  const RealDate = Date;
  class ClockDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offset[0]);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return RealDate.now() + offset[0];
    }
  }
  globalThis.Date = ClockDate as DateConstructor;
}
