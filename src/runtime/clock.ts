// The clocks of the runtime, in milliseconds. The real one reads the process's monotonic clock
// through process.hrtime rather than performance.now: the global `performance` loads perf_hooks
// when it is first touched, about a millisecond of a 60 ms start-up.
const [originS, originNs] = process.hrtime();

/** Milliseconds since the program started, on the process's monotonic clock. */
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return (s - originS) * 1e3 + (ns - originNs) / 1e6;
}

/** What a scheduler, and every builtin that reads the time, reads it from. */
export interface Clock {
  /** monotonic milliseconds: deadlines, durations, (monotonic-ms) */
  now(): number;
  /** milliseconds since the Unix epoch: (now) */
  epochMs(): number;
}

/** The process's clocks. */
export const realClock: Clock = { now: monotonicMs, epochMs: () => Date.now() };

/** A clock that moves only when its scheduler moves it (see Scheduler): it starts at 0, at the
 *  epoch time of its creation, and never waits for real time to pass. */
export class VirtualClock implements Clock {
  private t = 0;
  private readonly origin = Date.now();
  now(): number {
    return this.t;
  }
  epochMs(): number {
    return this.origin + this.t;
  }
  /** Moves the clock forward to t; never back. */
  advanceTo(t: number): void {
    if (t > this.t) this.t = t;
  }
}
