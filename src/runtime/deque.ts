// A ring-buffer double-ended queue: O(1) push and shift (Array.shift is O(n)). The capacity is
// a power of two, so positions wrap with a mask; `length` is a field, not a getter (it is read
// on every scheduler turn and channel operation, also before V8 has optimized anything).
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  /** the number of entries (read it; only the deque changes it) */
  length = 0;
  constructor(capacity = 8) {
    let n = 2;
    while (n < capacity) n *= 2;
    this.buf = new Array(n);
  }
  push(x: T): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & (this.buf.length - 1)] = x;
    this.length++;
  }
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const x = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return x;
  }
  peek(): T | undefined {
    return this.length === 0 ? undefined : this.buf[this.head];
  }
  /** The i-th entry from the front (no generator: for scans of long queues). */
  at(i: number): T {
    return this.buf[(this.head + i) & (this.buf.length - 1)] as T;
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
  private grow(): void {
    const next: (T | undefined)[] = new Array(this.buf.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.at(i);
    this.buf = next;
    this.head = 0;
  }
}
