// A ring-buffer double-ended queue: O(1) push, shift and unshift (Array.shift is O(n)).
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private len = 0;
  constructor(capacity = 8) { this.buf = new Array(Math.max(2, capacity)); }
  get length(): number { return this.len; }
  push(x: T): void {
    if (this.len === this.buf.length) this.grow();
    this.buf[(this.head + this.len) % this.buf.length] = x;
    this.len++;
  }
  shift(): T | undefined {
    if (this.len === 0) return undefined;
    const x = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.len--;
    return x;
  }
  peek(): T | undefined { return this.len === 0 ? undefined : this.buf[this.head]; }
  /** The i-th entry from the front (no generator: for scans of long queues). */
  at(i: number): T { return this.buf[(this.head + i) % this.buf.length] as T; }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) % this.buf.length] as T;
  }
  private grow(): void {
    const next: (T | undefined)[] = new Array(this.buf.length * 2);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }
}
