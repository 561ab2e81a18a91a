// One min-heap of deadlines behind a single host setTimeout.
/** The longest delay a host setTimeout takes without overflowing to 1 ms. */
const MAX_HOST_DELAY = 2 ** 31 - 1;

export interface Timer {
  at: number;
  fn: () => void;
  cancelled: boolean;
  index: number;
}

export class TimerHeap {
  private heap: Timer[] = [];
  private handle: ReturnType<typeof setTimeout> | null = null;
  private armedAt = Infinity;
  /** onFire is called by the host timer armed for the earliest deadline; with null no host timer
   *  is armed and the owner calls runDue itself (a virtual clock, which never waits). */
  constructor(
    private readonly now: () => number,
    private readonly onFire: (() => void) | null,
  ) {}

  get pending(): number {
    return this.heap.length;
  }

  /** The earliest deadline (Infinity when no timer is pending). */
  get next(): number {
    return this.heap.length ? this.heap[0].at : Infinity;
  }

  add(ms: number, fn: () => void): Timer {
    const t: Timer = { at: this.now() + Math.max(0, ms), fn, cancelled: false, index: this.heap.length };
    this.heap.push(t);
    this.up(t.index);
    this.arm();
    return t;
  }

  cancel(t: Timer): void {
    if (t.cancelled) return;
    t.cancelled = true;
    const i = t.index;
    if (i < 0 || this.heap[i] !== t) return;
    const last = this.heap.pop() as Timer;
    if (last !== t) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    t.index = -1;
    if (this.heap.length === 0) this.disarm();
  }

  /** Runs every timer that is due; returns how many ran. */
  runDue(): number {
    let n = 0;
    const now = this.now();
    while (this.heap.length && this.heap[0].at <= now) {
      const t = this.heap[0];
      this.cancel(t);
      t.fn();
      n++;
    }
    this.arm();
    return n;
  }

  private arm(): void {
    if (this.onFire === null) return;
    if (this.heap.length === 0) {
      this.disarm();
      return;
    }
    const at = this.heap[0].at;
    if (this.handle !== null && at >= this.armedAt) return;
    this.disarm();
    this.armedAt = at;
    // the host's timers hold at most 2^31-1 ms (about 24.8 days); a later deadline wakes the loop
    // then, finds nothing due and arms again
    const ms = Math.min(MAX_HOST_DELAY, Math.max(0, Math.ceil(at - this.now())));
    const onFire = this.onFire;
    this.handle = setTimeout(() => {
      this.handle = null;
      this.armedAt = Infinity;
      onFire();
    }, ms);
  }

  private disarm(): void {
    if (this.handle !== null) {
      clearTimeout(this.handle);
      this.handle = null;
    }
    this.armedAt = Infinity;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1,
        r = l + 1;
      let m = i;
      if (l < h.length && h[l].at < h[m].at) m = l;
      if (r < h.length && h[r].at < h[m].at) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const h = this.heap;
    [h[a], h[b]] = [h[b], h[a]];
    h[a].index = a;
    h[b].index = b;
  }
}
