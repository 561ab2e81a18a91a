// Property tests of channels: random interleavings of trySend / tryRecv / addSender / addReceiver /
// select-style shared waiters / waiter cancellation / close, on channels of capacity 0..5, checked
// step by step against a small reference model and, at the end, against model-free invariants
// (FIFO, no loss, no duplication, buffer within capacity, close semantics). Then select fairness,
// measured on a real Skein program.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CLOSED, Channel, NOTHING, Waiter } from "../../src/runtime/channel.js";
import type { Value } from "../../src/core/types.js";
import { write } from "../../src/syntax/printer.js";
import { runOk } from "../helpers.js";

const SEED = 1_234_567;

// ---- the reference model -----------------------------------------------------------------

type Op =
  | { kind: "send"; c: number } // trySend; if full, park a sender (addSender)
  | { kind: "trySend"; c: number } // trySend only
  | { kind: "recv"; c: number } // tryRecv; if nothing, park a receiver (addReceiver)
  | { kind: "tryRecv"; c: number } // tryRecv only
  | { kind: "select"; cs: number[] } // tryRecv on each in order; if none ready, one waiter on all
  | { kind: "cancel"; k: number } // a parked waiter gives up (timeout / task cancelled)
  | { kind: "close"; c: number };

/** What a waiter was told when it fired. */
interface Fired {
  waiter: number;
  ch: number;
  value: unknown;
}

interface MWaiter {
  id: number;
  active: boolean;
}
interface MChan {
  cap: number;
  buf: number[];
  senders: { w: MWaiter; v: number }[];
  receivers: MWaiter[];
  closed: boolean;
}

/** A deliberately plain model: arrays, scanned from the front, skipping inactive waiters. */
class Model {
  readonly chans: MChan[];
  readonly fired: Fired[] = [];
  constructor(caps: number[]) {
    this.chans = caps.map((cap) => ({ cap, buf: [], senders: [], receivers: [], closed: false }));
  }
  private fire(w: MWaiter, ch: number, value: unknown): void {
    w.active = false;
    this.fired.push({ waiter: w.id, ch, value });
  }
  private firstActive<T>(q: T[], get: (x: T) => MWaiter): T | undefined {
    while (q.length) {
      const x = q.shift() as T;
      if (get(x).active) return x;
    }
    return undefined;
  }
  trySend(c: number, v: number): "ok" | "full" | "closed" {
    const ch = this.chans[c];
    if (ch.closed) return "closed";
    const r = this.firstActive(ch.receivers, (w) => w);
    if (r) {
      this.fire(r, c, v);
      return "ok";
    }
    if (ch.buf.length < ch.cap) {
      ch.buf.push(v);
      return "ok";
    }
    return "full";
  }
  tryRecv(c: number): unknown {
    const ch = this.chans[c];
    if (ch.buf.length > 0) {
      const v = ch.buf.shift();
      while (ch.buf.length < ch.cap) {
        const s = this.firstActive(ch.senders, (x) => x.w);
        if (!s) break;
        ch.buf.push(s.v);
        this.fire(s.w, c, true);
      }
      return v;
    }
    const s = this.firstActive(ch.senders, (x) => x.w);
    if (s) {
      this.fire(s.w, c, true);
      return s.v;
    }
    return ch.closed ? CLOSED : NOTHING;
  }
  addSender(c: number, w: MWaiter, v: number): void {
    this.chans[c].senders.push({ w, v });
  }
  addReceiver(c: number, w: MWaiter): void {
    this.chans[c].receivers.push(w);
  }
  close(c: number): void {
    const ch = this.chans[c];
    if (ch.closed) return;
    ch.closed = true;
    for (let r = this.firstActive(ch.receivers, (w) => w); r; r = this.firstActive(ch.receivers, (w) => w))
      this.fire(r, c, CLOSED);
    for (let s = this.firstActive(ch.senders, (x) => x.w); s; s = this.firstActive(ch.senders, (x) => x.w))
      this.fire(s.w, c, CLOSED);
  }
  readyToRecv(c: number): boolean {
    const ch = this.chans[c];
    return ch.buf.length > 0 || ch.closed || ch.senders.some((s) => s.w.active);
  }
}

// ---- the system under test, driven in lockstep --------------------------------------------

interface WaiterInfo {
  id: number;
  kind: "send" | "recv";
  value?: number;
  ch: number[];
  real: Waiter;
  model: MWaiter;
  cancelled: boolean;
  firings: number;
}

/** Runs ops on real channels and on the model; checks every step; returns what the run saw. */
function runLockstep(caps: number[], ops: Op[]) {
  const chans = caps.map((c) => new Channel(c));
  const chIndex = new Map(chans.map((c, i) => [c, i]));
  const model = new Model(caps);
  const realFired: Fired[] = [];
  const waiters: WaiterInfo[] = [];
  /** values accepted by a channel (trySend ok, or a parked sender fired true) */
  const accepted = new Set<number>();
  /** values delivered to a receiver, in delivery order, per channel */
  const delivered: number[][] = caps.map(() => []);
  const sentOn = new Map<number, number>();
  let nextValue = 1;

  const newWaiter = (kind: "send" | "recv", chs: number[], value?: number): WaiterInfo => {
    const id = waiters.length;
    const info: WaiterInfo = {
      id,
      kind,
      value,
      ch: chs,
      cancelled: false,
      firings: 0,
      model: { id, active: true },
      real: new Waiter((ch, v) => {
        info.firings++;
        assert.ok(!info.cancelled, `waiter ${id} fired after it was cancelled`);
        assert.equal(info.firings, 1, `waiter ${id} fired twice`);
        const c = chIndex.get(ch) as number;
        assert.ok(chs.includes(c), `waiter ${id} fired by a channel it never waited on`);
        realFired.push({ waiter: id, ch: c, value: v });
        if (kind === "recv" && v !== CLOSED) delivered[c].push(v as number);
        if (kind === "send" && v === true) accepted.add(value as number);
      }),
    };
    waiters.push(info);
    return info;
  };
  const noteRecv = (c: number, v: unknown) => {
    if (v !== NOTHING && v !== CLOSED) delivered[c].push(v as number);
  };

  let firedSeen = 0;
  ops.forEach((op, step) => {
    const where = `step ${step} ${JSON.stringify(op)}`;
    switch (op.kind) {
      case "send":
      case "trySend": {
        const v = nextValue++;
        sentOn.set(v, op.c);
        const r = chans[op.c].trySend(v);
        assert.equal(r, model.trySend(op.c, v), `${where}: trySend result`);
        if (r === "ok") accepted.add(v);
        if (r === "full" && op.kind === "send") {
          const w = newWaiter("send", [op.c], v);
          chans[op.c].addSender(w.real, v);
          model.addSender(op.c, w.model, v);
        }
        break;
      }
      case "recv":
      case "tryRecv": {
        const r = chans[op.c].tryRecv();
        assert.equal(r, model.tryRecv(op.c), `${where}: tryRecv result`);
        noteRecv(op.c, r);
        if (r === NOTHING && op.kind === "recv") {
          const w = newWaiter("recv", [op.c]);
          chans[op.c].addReceiver(w.real);
          model.addReceiver(op.c, w.model);
        }
        break;
      }
      case "select": {
        let got = false;
        for (const c of op.cs) {
          const r = chans[c].tryRecv();
          assert.equal(r, model.tryRecv(c), `${where}: select's tryRecv on channel ${c}`);
          noteRecv(c, r);
          if (r !== NOTHING) {
            got = true;
            break;
          }
        }
        if (!got) {
          const w = newWaiter("recv", op.cs);
          for (const c of op.cs) {
            chans[c].addReceiver(w.real);
            model.addReceiver(c, w.model);
          }
        }
        break;
      }
      case "cancel": {
        const parked = waiters.filter((w) => w.real.active);
        assert.deepEqual(
          parked.map((w) => w.id),
          waiters.filter((w) => w.model.active).map((w) => w.id),
          `${where}: parked waiters`,
        );
        if (parked.length === 0) break;
        const w = parked[op.k % parked.length];
        w.real.active = false;
        w.model.active = false;
        w.cancelled = true;
        break;
      }
      case "close":
        chans[op.c].close();
        model.close(op.c);
        break;
    }
    assert.deepEqual(realFired.slice(firedSeen), model.fired.slice(firedSeen), `${where}: waiters fired`);
    firedSeen = realFired.length;
    chans.forEach((ch, i) => {
      const m = model.chans[i];
      assert.ok(ch.size <= ch.capacity, `${where}: channel ${i} holds ${ch.size} > capacity ${ch.capacity}`);
      assert.equal(ch.size, m.buf.length, `${where}: channel ${i} size`);
      assert.equal(ch.closed, m.closed, `${where}: channel ${i} closed flag`);
      assert.equal(ch.readyToRecv, model.readyToRecv(i), `${where}: channel ${i} readyToRecv`);
      // nobody waits needlessly: no parked receiver while a value is available, no parked sender while there is room
      const parkedRecv = waiters.some((w) => w.kind === "recv" && w.real.active && w.ch.includes(i));
      const parkedSend = waiters.some((w) => w.kind === "send" && w.real.active && w.ch.includes(i));
      if (parkedRecv)
        assert.ok(
          ch.size === 0 && !parkedSend && !ch.closed,
          `${where}: channel ${i} has a receiver parked beside a value`,
        );
      if (parkedSend)
        assert.ok(
          ch.size === ch.capacity && !ch.closed,
          `${where}: channel ${i} has a sender parked while there is room`,
        );
    });
  });
  return { chans, model, waiters, accepted, delivered, sentOn, realFired };
}

const opArb = (nch: number): fc.Arbitrary<Op> => {
  const c = fc.nat({ max: nch - 1 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("send" as const), c }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("trySend" as const), c }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("recv" as const), c }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("tryRecv" as const), c }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant("select" as const), cs: fc.array(c, { minLength: 1, maxLength: 4 }) }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), k: fc.nat({ max: 100 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("close" as const), c }) },
  );
};

const scenarioArb = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    caps: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n }),
    ops: fc.array(opArb(n), { maxLength: 120 }),
  }),
);

test("channels agree with the reference model at every step of random interleavings (capacity 0..5)", () => {
  fc.assert(
    fc.property(scenarioArb, ({ caps, ops }) => {
      runLockstep(caps, ops);
    }),
    { seed: SEED, numRuns: 600 },
  );
});

test("channels deliver in FIFO order with no loss and no duplication, and close wakes every parked waiter", () => {
  fc.assert(
    fc.property(scenarioArb, ({ caps, ops }) => {
      const { chans, waiters, accepted, delivered, sentOn, realFired } = runLockstep(caps, ops);
      // close everything, then drain: buffered values are still delivered after close, then CLOSED
      chans.forEach((ch) => ch.close());
      chans.forEach((ch, i) => {
        let guard = 0;
        for (let v = ch.tryRecv(); v !== CLOSED; v = ch.tryRecv()) {
          assert.notEqual(v, NOTHING, `closed channel ${i} answered NOTHING instead of CLOSED`);
          delivered[i].push(v as number);
          assert.ok(++guard <= 10, "a closed channel keeps producing values");
        }
        assert.equal(ch.size, 0);
        assert.equal(ch.tryRecv(), CLOSED, "CLOSED is sticky");
        assert.equal(ch.trySend(-1), "closed", "sending on a closed channel answers closed");
      });
      // FIFO: per channel, values come out in the order they were sent (values increase with send order)
      delivered.forEach((vs, i) => {
        for (let k = 1; k < vs.length; k++)
          assert.ok(vs[k - 1] < vs[k], `channel ${i} delivered ${vs[k - 1]} before ${vs[k]}`);
        for (const v of vs)
          assert.equal(sentOn.get(v), i, `value ${v} came out of channel ${i} but was sent elsewhere`);
      });
      // no duplication, no loss: delivered == accepted, exactly once each
      const all = delivered.flat();
      assert.equal(new Set(all).size, all.length, "a value was delivered twice");
      assert.deepEqual(new Set(all), accepted, "accepted and delivered values differ");
      // every waiter either was cancelled or fired exactly once; none is left hanging after close
      for (const w of waiters) {
        if (w.cancelled) assert.equal(w.firings, 0);
        else
          assert.equal(
            w.firings,
            1,
            `waiter ${w.id} (${w.kind} on ${w.ch}) never fired although every channel is closed`,
          );
      }
      // a parked sender told CLOSED never had its value delivered
      for (const f of realFired) {
        const w = waiters[f.waiter];
        if (w.kind === "send" && f.value === CLOSED)
          assert.ok(
            !all.includes(w.value as number),
            `value ${w.value} was delivered although its sender was told CLOSED`,
          );
      }
    }),
    { seed: SEED + 1, numRuns: 600 },
  );
});

test("a bounded channel never holds more than its capacity, with many parked senders", () => {
  for (let cap = 0; cap <= 5; cap++) {
    const ch = new Channel(cap);
    const woke: number[] = [];
    for (let i = 0; i < 50; i++) {
      if (ch.trySend(i) === "full") ch.addSender(new Waiter(() => woke.push(i)), i);
      assert.ok(ch.size <= cap);
    }
    assert.equal(ch.size, cap);
    const got: unknown[] = [];
    for (let v = ch.tryRecv(); v !== NOTHING; v = ch.tryRecv()) {
      got.push(v);
      assert.ok(ch.size <= cap);
    }
    assert.deepEqual(
      got,
      Array.from({ length: 50 }, (_x, i) => i),
    );
    assert.deepEqual(
      woke,
      Array.from({ length: 50 - cap }, (_x, i) => i + cap),
    );
  }
});

test("close delivers buffered values first, then CLOSED, and wakes parked senders with CLOSED", () => {
  const ch = new Channel(2);
  assert.equal(ch.trySend("a"), "ok");
  assert.equal(ch.trySend("b"), "ok");
  assert.equal(ch.trySend("c"), "full");
  const told: unknown[] = [];
  ch.addSender(new Waiter((_c, v) => told.push(v)), "c");
  ch.close();
  ch.close(); // idempotent
  assert.deepEqual(told, [CLOSED]);
  assert.equal(ch.trySend("d"), "closed");
  assert.equal(ch.tryRecv(), "a");
  assert.equal(ch.tryRecv(), "b");
  assert.equal(ch.tryRecv(), CLOSED);
  assert.equal(ch.tryRecv(), CLOSED);
});

test("close wakes parked receivers (including a select waiter on several channels) with CLOSED exactly once", () => {
  const a = new Channel(0),
    b = new Channel(3);
  const seen: [number, unknown][] = [];
  const w = new Waiter((ch, v) => seen.push([ch.id, v]));
  a.addReceiver(w);
  b.addReceiver(w);
  b.close();
  a.close();
  assert.deepEqual(seen, [[b.id, CLOSED]]);
  assert.equal(w.active, false);
});

// ---- select fairness on a real program -----------------------------------------------------

/** The counts, as a JS array, of a Skein list of numbers. */
function numbers(v: Value): number[] {
  return write(v).replace(/[()]/g, " ").split(/\s+/).filter(Boolean).map(Number);
}

const SELECT_COUNT = `
(define (count-picks chans n)
  ;; selects n times from always-ready channels (each refilled after a pick);
  ;; returns how often each channel was picked, in the order of chans
  (let loop ((i 0) (counts (map (lambda (c) 0) chans)))
    (if (= i n)
        counts
        (let* ((r (apply select chans))
               (ch (map-get r :channel)))
          (channel-send ch (map-get r :value))
          (loop (+ i 1) (map (lambda (c k) (if (eq? c ch) (+ k 1) k)) chans counts))))))
`;

test("select picks fairly between two always-ready buffered channels (each 30%..70% of 2000 picks)", async () => {
  const r = await runOk(`${SELECT_COUNT}
    (define a (make-channel 1)) (define b (make-channel 1))
    (channel-send a :a) (channel-send b :b)
    (list (count-picks (list a b) 2000) (count-picks (list b a) 2000))`);
  const [ab1, ab2, ba1, ba2] = numbers(r.value);
  for (const [x, y, order] of [
    [ab1, ab2, "a b"],
    [ba1, ba2, "b a"],
  ] as const) {
    assert.equal(x + y, 2000);
    assert.ok(x >= 600 && x <= 1400, `(select ${order}) picked the first channel ${x} of 2000 times`);
  }
});

test("select picks fairly between two closed channels (always ready with the closed error; 30%..70%)", async () => {
  const r = await runOk(`
    (define a (make-channel)) (define b (make-channel 3))
    (channel-close a) (channel-close b)
    (let loop ((i 0) (na 0))
      (if (= i 2000)
          (list na (- 2000 na))
          (let ((r (select a b)))
            (loop (+ i 1) (if (eq? (map-get r :channel) a) (+ na 1) na)))))`);
  const [x, y] = numbers(r.value);
  assert.equal(x + y, 2000);
  assert.ok(x >= 600 && x <= 1400, `select picked the first closed channel ${x} of 2000 times`);
});

test("select over 2..4 ready channels spreads its picks evenly whatever the order (property, fixed seed)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 4 }),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }),
      async (n, caps) => {
        const names = Array.from({ length: n }, (_x, i) => `c${i}`);
        const total = 1500 * n;
        const r = await runOk(`${SELECT_COUNT}
        ${names.map((c, i) => `(define ${c} (make-channel ${caps[i]})) (channel-send ${c} ${i})`).join("\n")}
        (count-picks (list ${names.join(" ")}) ${total})`);
        const counts = numbers(r.value);
        assert.equal(counts.length, n);
        assert.equal(
          counts.reduce((s, k) => s + k, 0),
          total,
        );
        for (const [i, k] of counts.entries()) {
          const share = k / total;
          assert.ok(
            share >= 0.6 / n && share <= 1.4 / n,
            `channel ${i} of ${n} got ${(share * 100).toFixed(1)}% of the picks`,
          );
        }
      },
    ),
    { seed: SEED, numRuns: 6 },
  );
});

test("select with :timeout on empty channels returns the timeout error and leaves no timer or waiter behind", async () => {
  const r = await runOk(`
    (define a (make-channel)) (define b (make-channel 2))
    (define r (select a b :timeout 20))
    (channel-send b :late)
    (list (error-msg r) (channel-recv b))`);
  assert.equal(write(r.value), `("timeout after 20ms" :late)`);
  assert.equal(r.session.scheduler.timers.pending, 0);
  assert.equal(r.session.scheduler.live.size, 0);
});

test("select on a closed channel yields {:channel ch :value <channel closed error>}", async () => {
  const r = await runOk(`
    (define a (make-channel)) (define b (make-channel))
    (channel-close b)
    (let ((r (select a b)))
      (list (eq? (map-get r :channel) b) (error? (map-get r :value)) (error-msg (map-get r :value))))`);
  assert.equal(write(r.value), `(#t #t "channel closed")`);
});
