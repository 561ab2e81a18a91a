// Channels: unbuffered (rendezvous) or bounded, with blocking send/receive, close, and the
// waiter records that `select` shares across several channels. All queues are O(1).
// A closed channel answers CLOSED; the library turns that into the "channel closed" error value.
import { Deque } from "./deque.js";

/** One parked operation on channels: inactive once it fired or was given up. */
export interface ChannelWaiter {
  active: boolean;
  fire(ch: Channel, value: unknown): void;
}

/** A waiter made of a function. A select registers one Waiter on several channels; the first to fire wins. */
export class Waiter implements ChannelWaiter {
  active = true;
  constructor(readonly fire: (ch: Channel, value: unknown) => void) {}
}

export const NOTHING: unique symbol = Symbol("nothing");
export const CLOSED: unique symbol = Symbol("closed");

let nextChannelId = 1;

/** Drops the waiters given up on (timed out, cancelled, or won by another select arm). */
function purge<T>(q: Deque<T>, keep: (x: T) => boolean): Deque<T> {
  let kept = 0;
  for (let i = 0; i < q.length; i++) if (keep(q.at(i))) kept++;
  // mostly live waiters (100,000 senders queued on one channel): keep the queue as it is
  if (kept * 2 > q.length) return q;
  const out = new Deque<T>(kept);
  for (let i = 0; i < q.length; i++) if (keep(q.at(i))) out.push(q.at(i));
  return out;
}

/** purge for the senders queue: (waiter, value) pairs, kept when the waiter is active */
function purgePairs(q: Deque<unknown>): Deque<unknown> {
  let kept = 0;
  for (let i = 0; i < q.length; i += 2) if ((q.at(i) as ChannelWaiter).active) kept++;
  if (kept * 4 > q.length) return q;
  const out = new Deque<unknown>(kept * 2);
  for (let i = 0; i < q.length; i += 2) {
    if (!(q.at(i) as ChannelWaiter).active) continue;
    out.push(q.at(i));
    out.push(q.at(i + 1));
  }
  return out;
}

export class Channel {
  readonly id = nextChannelId++;
  private readonly buf = new Deque<unknown>();
  private receivers = new Deque<ChannelWaiter>();
  /** waiting senders as pairs of entries, waiter then value: no object per blocked send */
  private senders = new Deque<unknown>();
  closed = false;
  /** called with each value as a receiver takes it (see Scheduler.handOver) */
  onTake: ((v: unknown) => void) | null = null;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.buf.length;
  }

  /** Sends without blocking: true if delivered or buffered, false if the caller must wait.
   *  Throws nothing; a closed channel answers "closed". */
  trySend(v: unknown): "ok" | "full" | "closed" {
    if (this.closed) return "closed";
    for (let r = this.receivers.shift(); r !== undefined; r = this.receivers.shift()) {
      if (!r.active) continue;
      r.active = false;
      if (this.onTake !== null) this.onTake(v);
      r.fire(this, v);
      return "ok";
    }
    if (this.buf.length < this.capacity) {
      this.buf.push(v);
      return "ok";
    }
    return "full";
  }

  /** Receives without blocking: the value, CLOSED once closed and drained, or NOTHING. */
  tryRecv(): unknown {
    if (this.buf.length > 0) {
      const v = this.buf.shift();
      this.refillFromSenders();
      if (this.onTake !== null) this.onTake(v);
      return v;
    }
    while (this.senders.length) {
      const w = this.senders.shift() as ChannelWaiter;
      const v = this.senders.shift();
      if (!w.active) continue;
      w.active = false;
      w.fire(this, true);
      if (this.onTake !== null) this.onTake(v);
      return v;
    }
    if (this.closed) return CLOSED;
    return NOTHING;
  }

  /** True when a receive would not block. */
  get readyToRecv(): boolean {
    if (this.buf.length > 0 || this.closed) return true;
    for (let i = 0; i < this.senders.length; i += 2) if ((this.senders.at(i) as ChannelWaiter).active) return true;
    return false;
  }

  private refillFromSenders(): void {
    while (this.buf.length < this.capacity && this.senders.length) {
      const w = this.senders.shift() as ChannelWaiter;
      const v = this.senders.shift();
      if (!w.active) continue;
      w.active = false;
      this.buf.push(v);
      w.fire(this, true);
    }
  }

  // a queue is purged of given-up waiters when it doubles past its size after the last purge,
  // so a select that loses forever, or polling with :timeout, cannot grow it without bound
  private receiversMark = 64;
  private sendersMark = 128;

  addReceiver(w: ChannelWaiter): void {
    this.receivers.push(w);
    if (this.receivers.length >= this.receiversMark) {
      this.receivers = purge(this.receivers, (x) => x.active);
      this.receiversMark = Math.max(64, 2 * this.receivers.length);
    }
  }
  addSender(w: ChannelWaiter, value: unknown): void {
    this.senders.push(w);
    this.senders.push(value);
    if (this.senders.length >= this.sendersMark) {
      this.senders = purgePairs(this.senders);
      this.sendersMark = Math.max(128, 2 * this.senders.length);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let r = this.receivers.shift(); r !== undefined; r = this.receivers.shift()) {
      if (!r.active) continue;
      r.active = false;
      r.fire(this, CLOSED);
    }
    while (this.senders.length) {
      const w = this.senders.shift() as ChannelWaiter;
      this.senders.shift();
      if (!w.active) continue;
      w.active = false;
      w.fire(this, CLOSED);
    }
  }

  printTag(): string {
    return `#<channel ${this.id}>`;
  }
}
