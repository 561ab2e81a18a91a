// Unit tests of the runtime below the evaluator: the timer heap (ordering, cancel, arming the one
// host timer) and the Scheduler driven by fake task bodies (round-robin preemption, blocking and
// waking, stale wake-ups, cancellation, deadlock, failure hooks, task limits, the virtual clock).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { TimerHeap, type Timer } from "../../src/runtime/timers.js";
import { Scheduler, STEP_BUDGET, VIRTUAL_BUDGET_MS, type SchedulerHooks } from "../../src/runtime/scheduler.js";
import { VirtualClock, type Clock } from "../../src/runtime/clock.js";
import type { BodyOutcome, Task, TaskBody, Wait } from "../../src/runtime/task.js";
import type { Loc } from "../../src/core/types.js";

const SEED = 424_242;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- TimerHeap -------------------------------------------------------------------------

/** A heap on a fake clock; every test cancels what it leaves so no host timer outlives it. */
function fakeClockHeap() {
  let now = 0;
  let fired = 0;
  const heap = new TimerHeap(
    () => now,
    () => {
      fired++;
    },
  );
  return {
    heap,
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
    get hostFires() {
      return fired;
    },
  };
}

test("timer heap runs due timers in deadline order, whatever the insertion order", () => {
  const c = fakeClockHeap();
  const ran: number[] = [];
  for (const ms of [50, 10, 40, 20, 30, 0, 25]) c.heap.add(ms, () => ran.push(ms));
  assert.equal(c.heap.pending, 7);
  assert.equal(c.heap.runDue(), 1, "only the 0 ms timer is due at time 0");
  assert.deepEqual(ran, [0]);
  c.advance(25);
  assert.equal(c.heap.runDue(), 3);
  assert.deepEqual(ran, [0, 10, 20, 25]);
  c.advance(100);
  assert.equal(c.heap.runDue(), 3);
  assert.deepEqual(ran, [0, 10, 20, 25, 30, 40, 50]);
  assert.equal(c.heap.pending, 0);
});

test("a cancelled timer never runs and no longer counts as pending", () => {
  const c = fakeClockHeap();
  const ran: string[] = [];
  const a = c.heap.add(10, () => ran.push("a"));
  const b = c.heap.add(20, () => ran.push("b"));
  const d = c.heap.add(30, () => ran.push("d"));
  c.heap.cancel(b);
  assert.equal(c.heap.pending, 2);
  c.heap.cancel(b); // idempotent
  assert.equal(c.heap.pending, 2);
  c.advance(100);
  c.heap.runDue();
  assert.deepEqual(ran, ["a", "d"]);
  c.heap.cancel(a); // cancelling a timer that already ran is harmless
  c.heap.cancel(d);
  assert.equal(c.heap.pending, 0);
});

test("a timer callback that cancels a later due timer stops it from running", () => {
  const c = fakeClockHeap();
  const ran: string[] = [];
  let second: Timer | null = null;
  c.heap.add(5, () => {
    ran.push("first");
    if (second) c.heap.cancel(second);
  });
  second = c.heap.add(6, () => ran.push("second"));
  c.heap.add(7, () => ran.push("third"));
  c.advance(10);
  assert.equal(c.heap.runDue(), 2);
  assert.deepEqual(ran, ["first", "third"]);
  assert.equal(c.heap.pending, 0);
});

test("timer heap matches a model over random add/cancel/advance sequences", () => {
  type Op = { kind: "add"; ms: number } | { kind: "cancel"; k: number } | { kind: "advance"; ms: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("add" as const), ms: fc.integer({ min: 0, max: 200 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), k: fc.nat({ max: 1000 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 80 }) }) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
      const c = fakeClockHeap();
      interface Entry {
        id: number;
        at: number;
        timer: Timer;
        state: "pending" | "ran" | "cancelled";
      }
      const entries: Entry[] = [];
      let ranOrder: Entry[] = [];
      try {
        for (const o of ops) {
          if (o.kind === "add") {
            const e: Entry = {
              id: entries.length,
              at: c.now + o.ms,
              timer: null as unknown as Timer,
              state: "pending",
            };
            e.timer = c.heap.add(o.ms, () => {
              assert.equal(e.state, "pending", `timer ${e.id} ran after being ${e.state}`);
              e.state = "ran";
              ranOrder.push(e);
            });
            entries.push(e);
          } else if (o.kind === "cancel") {
            const pend = entries.filter((e) => e.state === "pending");
            if (pend.length === 0) continue;
            const e = pend[o.k % pend.length];
            c.heap.cancel(e.timer);
            e.state = "cancelled";
          } else {
            c.advance(o.ms);
            ranOrder = [];
            const due = entries.filter((e) => e.state === "pending" && e.at <= c.now);
            const n = c.heap.runDue();
            assert.equal(n, due.length, "runDue runs exactly the due timers");
            assert.deepEqual(new Set(ranOrder.map((e) => e.id)), new Set(due.map((e) => e.id)));
            for (let i = 1; i < ranOrder.length; i++) {
              assert.ok(ranOrder[i - 1].at <= ranOrder[i].at, "due timers run in deadline order");
            }
          }
          assert.equal(c.heap.pending, entries.filter((e) => e.state === "pending").length);
        }
      } finally {
        for (const e of entries) if (e.state === "pending") c.heap.cancel(e.timer);
      }
      assert.equal(c.heap.pending, 0);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test("timer heap arms one host timer that calls onFire near the earliest deadline", async () => {
  let fires = 0;
  let firedAt = 0;
  const heap = new TimerHeap(
    () => performance.now(),
    () => {
      fires++;
      firedAt = performance.now();
    },
  );
  const t0 = performance.now();
  const late = heap.add(5_000, () => {});
  heap.add(20, () => {}); // an earlier deadline must re-arm the host timer sooner
  await sleep(400);
  assert.equal(fires, 1, "onFire runs once for the 20 ms deadline, not at 5 s");
  assert.ok(firedAt - t0 >= 19, `fired too early: after ${firedAt - t0} ms`);
  assert.equal(heap.runDue(), 1);
  heap.cancel(late);
  assert.equal(heap.pending, 0);
});

test("cancelling every timer disarms the host timer (onFire never runs)", async () => {
  let fires = 0;
  const heap = new TimerHeap(
    () => performance.now(),
    () => {
      fires++;
    },
  );
  const a = heap.add(10, () => {});
  const b = heap.add(15, () => {});
  heap.cancel(a);
  heap.cancel(b);
  await sleep(60);
  assert.equal(fires, 0);
});

// ---- Scheduler with fake bodies ----------------------------------------------------------

/** A wait described as "op at file:line:col" (or just op). */
function wait(what: string, park: Wait["park"], io = false): Wait {
  const m = /^(.*) at (.*):(\d+):(\d+)$/.exec(what);
  const loc: Loc | undefined = m ? { file: m[2], line: Number(m[3]), col: Number(m[4]) } : undefined;
  return { op: m ? m[1] : what, loc, park, io };
}

/** A task body that yields `yields` times and then finishes, logging every step. */
class FakeBody implements TaskBody {
  steps = 0;
  budgets: number[] = [];
  cancelRequested = false;
  resumed: unknown[] = [];
  private wait: Wait | null = null;
  /** called at each step before the default behaviour; may return an outcome to override it */
  onStep: ((b: FakeBody) => BodyOutcome | void) | null = null;
  failure: unknown = null;

  constructor(
    readonly name: string,
    readonly yields: number,
    readonly log: string[],
  ) {}

  step(budget: number): BodyOutcome {
    this.log.push(this.name);
    this.budgets.push(budget);
    if (this.cancelRequested) return "cancelled";
    this.steps++;
    const o = this.onStep?.(this);
    if (o) return o;
    return this.steps <= this.yields ? "yield" : "done";
  }
  blockOn(w: Wait): BodyOutcome {
    this.wait = w;
    return "block";
  }
  takeWait(): Wait {
    const w = this.wait as Wait;
    this.wait = null;
    return w;
  }
  resume(value: unknown): void {
    this.resumed.push(value);
  }
  requestCancel(): void {
    this.cancelRequested = true;
  }
  result(): unknown {
    return `${this.name}-result`;
  }
  failureOf(): unknown {
    return this.failure;
  }
}

interface Ended {
  kind: "finished" | "deadlock" | "main-failed";
  main: Task;
  blocked?: Task[];
}

function makeScheduler(clock?: Clock) {
  const unhandled: Task[] = [];
  let resolve!: (e: Ended) => void;
  const ended = new Promise<Ended>((r) => {
    resolve = r;
  });
  const hooks: SchedulerHooks = {
    onUnhandledFailure: (t) => {
      unhandled.push(t);
    },
    onDeadlock: (main, blocked) => resolve({ kind: "deadlock", main, blocked }),
    onMainFailed: (main) => resolve({ kind: "main-failed", main }),
    onFinished: (main) => resolve({ kind: "finished", main }),
    onCleanupAbandoned: () => {},
  };
  const s = new Scheduler(hooks, clock);
  /** the scheduler's end, or a failure after ms */
  const end = async (ms = 5_000) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`scheduler did not end within ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([ended, limit]);
    } finally {
      clearTimeout(timer);
    }
  };
  return { s, unhandled, end };
}

test("scheduler runs bodies round-robin, one step budget each, until all are done", async () => {
  const { s, end } = makeScheduler();
  const log: string[] = [];
  const main = new FakeBody("M", 0, log);
  const a = new FakeBody("A", 3, log),
    b = new FakeBody("B", 3, log),
    c = new FakeBody("C", 3, log);
  s.spawn(main, "main", null, true);
  s.spawn(a, "a", null);
  s.spawn(b, "b", null);
  s.spawn(c, "c", null);
  const e = await end();
  assert.equal(e.kind, "finished");
  assert.deepEqual(log.join(""), "MABCABCABCABC");
  for (const body of [main, a, b, c])
    assert.ok(
      body.budgets.every((x) => x === STEP_BUDGET),
      "each step gets STEP_BUDGET",
    );
  assert.equal(s.live.size, 0);
  assert.equal(s.spawnedLive, 0);
});

test("scheduler interleaves bodies of different lengths fairly (a finished body leaves the rotation)", async () => {
  const { s, end } = makeScheduler();
  const log: string[] = [];
  s.spawn(new FakeBody("M", 0, log), "main", null, true);
  s.spawn(new FakeBody("A", 1, log), "a", null);
  s.spawn(new FakeBody("B", 4, log), "b", null);
  s.spawn(new FakeBody("C", 2, log), "c", null);
  assert.equal((await end()).kind, "finished");
  assert.equal(log.join(""), "MABCABCBCBB");
});

test("scheduler keeps rotating 200 never-ending bodies so each gets a turn before any gets two", async () => {
  const { s, end } = makeScheduler();
  const log: string[] = [];
  const bodies: FakeBody[] = [];
  const main = new FakeBody("M", 0, log);
  s.spawn(main, "main", null, true);
  let cancelled = false;
  for (let i = 0; i < 200; i++) {
    const b = new FakeBody(`t${i}`, Infinity, log);
    b.onStep = (self) => {
      // after 10 full rounds, the first body cancels everybody
      if (!cancelled && self === bodies[0] && self.steps === 11) {
        cancelled = true;
        for (const t of [...s.live]) if (t.body !== self && t.body !== main) s.cancel(t);
        return "done";
      }
    };
    bodies.push(b);
    s.spawn(b, `t${i}`, null);
  }
  assert.equal((await end()).kind, "finished");
  for (const b of bodies) assert.ok(b.steps >= 10, `${b.name} ran only ${b.steps} steps`);
  // within each window of 200 consecutive steps after main, every body appears exactly once
  for (let round = 0; round < 10; round++) {
    const window = log.slice(1 + round * 200, 1 + (round + 1) * 200);
    assert.equal(new Set(window).size, 200, `round ${round} is not a full rotation`);
  }
  assert.equal(s.live.size, 0);
});

test("a CPU-bound body does not starve timers: the scheduler yields to the event loop", async () => {
  const { s, end } = makeScheduler();
  const log: string[] = [];
  const spinner = new FakeBody("S", Infinity, log);
  const main = new FakeBody("M", 0, log);
  let spinnerTask!: Task;
  let hostTimerRanWhileSpinning = false;
  // once the spinner runs, a host timer must still get its turn while it spins
  spinner.onStep = (self) => {
    if (self.steps === 1)
      setTimeout(() => {
        hostTimerRanWhileSpinning = !spinner.cancelRequested;
      }, 5);
  };
  const t0 = performance.now();
  let wokeAt = 0;
  main.onStep = (self) => {
    if (self.steps === 1) {
      return self.blockOn(
        wait("sleep at fake:1:1", (_t, wake) => {
          const tm = s.after(30, () => wake("slept"));
          return () => s.timers.cancel(tm);
        }),
      );
    }
    wokeAt = performance.now();
    s.cancel(spinnerTask);
    return "done";
  };
  s.spawn(main, "main", null, true);
  spinnerTask = s.spawn(spinner, "spin", null);
  const e = await end();
  assert.equal(e.kind, "finished");
  assert.deepEqual(main.resumed, ["slept"]);
  assert.ok(spinner.steps > 1, "the spinner ran while main slept");
  assert.ok(hostTimerRanWhileSpinning, "a host setTimeout callback ran while the spinner was spinning");
  const late = wokeAt - t0 - 30;
  // generous: a starved timer would never fire at all (the stress tests check punctuality)
  assert.ok(late < 500, `the 30 ms timer woke main ${late.toFixed(1)} ms late beside a spinning task`);
  assert.equal(spinnerTask.state, "cancelled");
  assert.equal(s.timers.pending, 0);
});

test("a blocked body is woken with the value, a second (stale) wake is ignored, and waitingOn describes the wait", async () => {
  const { s, end } = makeScheduler();
  const log: string[] = [];
  const main = new FakeBody("M", 0, log);
  let wakeFn!: (v: unknown) => void;
  let parkedSignal!: () => void;
  const parked = new Promise<void>((r) => {
    parkedSignal = r;
  });
  main.onStep = (self) => {
    if (self.steps === 1)
      return self.blockOn(
        wait(
          "read-file at fake:2:3",
          (_t, wake) => {
            wakeFn = wake;
            parkedSignal();
          },
          true,
        ),
      );
    return "done";
  };
  const mt = s.spawn(main, "main", null, true);
  await parked;
  assert.equal(mt.state, "blocked");
  assert.equal(mt.waitingOn, "read-file at fake:2:3");
  wakeFn("first");
  wakeFn("second");
  assert.equal((await end()).kind, "finished");
  assert.deepEqual(main.resumed, ["first"]);
  assert.equal(log.join(""), "MM");
});

test("cancelling a blocked task undoes its wait, ignores a later wake, and finishes it as cancelled", async () => {
  const { s, end, unhandled } = makeScheduler();
  const log: string[] = [];
  const main = new FakeBody("M", 0, log);
  const victim = new FakeBody("V", 0, log);
  let undone = 0;
  let victimWake!: (v: unknown) => void;
  victim.onStep = (self) =>
    self.blockOn(
      wait("sleep at fake:3:1", (_t, wake) => {
        victimWake = wake;
        return () => {
          undone++;
        };
      }),
    );
  let victimTask!: Task;
  main.onStep = (self) => {
    if (self.steps === 1)
      return self.blockOn(
        wait("sleep at fake:1:1", (_t, wake) => {
          const tm = s.after(10, () => wake(null));
          return () => s.timers.cancel(tm);
        }),
      );
    assert.equal(victimTask.state, "blocked");
    s.cancel(victimTask);
    victimWake("too late");
    return "done";
  };
  s.spawn(main, "main", null, true);
  victimTask = s.spawn(victim, "victim", null);
  assert.equal((await end()).kind, "finished");
  assert.equal(undone, 1, "the wait's undo ran once");
  assert.deepEqual(victim.resumed, [], "a wake after cancellation is stale");
  assert.equal(victimTask.state, "cancelled");
  assert.equal(unhandled.length, 0, "cancellation is not an unhandled failure");
  assert.equal(s.live.size, 0);
});

test("cancelling a task cancels the tasks it owns (children), recursively", async () => {
  const { s, end } = makeScheduler();
  const log: string[] = [];
  const blockForever = (b: FakeBody) => b.blockOn(wait(`channel-recv (${b.name})`, () => {}));
  const main = new FakeBody("M", 0, log);
  const parentBody = new FakeBody("P", 0, log);
  const childBody = new FakeBody("C", 0, log);
  const grandBody = new FakeBody("G", 0, log);
  for (const b of [parentBody, childBody, grandBody]) b.onStep = blockForever;
  let parent!: Task, child!: Task, grand!: Task;
  main.onStep = (self) => {
    if (self.steps === 1) return "yield";
    s.cancel(parent);
    return "done";
  };
  s.spawn(main, "main", null, true);
  parent = s.spawn(parentBody, "p", null);
  child = s.spawn(childBody, "c", parent);
  parent.children.add(child);
  grand = s.spawn(grandBody, "g", child);
  child.children.add(grand);
  assert.equal((await end()).kind, "finished");
  assert.deepEqual([parent.state, child.state, grand.state], ["cancelled", "cancelled", "cancelled"]);
  assert.equal(s.live.size, 0);
});

test("deadlock: main blocked with nothing runnable, no timer and no I/O calls onDeadlock with the blocked tasks", async () => {
  const { s, end } = makeScheduler();
  const log: string[] = [];
  const main = new FakeBody("M", 0, log);
  const other = new FakeBody("O", 0, log);
  main.onStep = (b) => b.blockOn(wait("channel-recv at main.lisp:3:1", () => {}));
  other.onStep = (b) => b.blockOn(wait("channel-send at main.lisp:2:10", () => {}));
  const mt = s.spawn(main, "main", null, true);
  const ot = s.spawn(other, "main.lisp:2:1", null);
  const e = await end();
  assert.equal(e.kind, "deadlock");
  assert.equal(e.main, mt);
  assert.equal(mt.waitingOn, "channel-recv at main.lisp:3:1");
  assert.deepEqual(new Set(e.blocked), new Set([mt, ot]));
});

test("no deadlock while a blocked wait is host I/O in flight: the program waits for it", async () => {
  const { s, end } = makeScheduler();
  const main = new FakeBody("M", 0, []);
  main.onStep = (b) => {
    if (b.steps === 1)
      return b.blockOn(
        wait(
          "http-get at fake:1:1",
          (_t, wake) => {
            setTimeout(() => wake("response"), 30);
          },
          true,
        ),
      );
    return "done";
  };
  s.spawn(main, "main", null, true);
  const e = await end();
  assert.equal(e.kind, "finished");
  assert.deepEqual(main.resumed, ["response"]);
});

test("main finishing first still lets spawned tasks run to the end (and pending timers fire)", async () => {
  const { s, end } = makeScheduler();
  const log: string[] = [];
  const main = new FakeBody("M", 0, log);
  const sleeper = new FakeBody("Z", 0, log);
  sleeper.onStep = (b) => {
    if (b.steps === 1)
      return b.blockOn(
        wait("sleep", (_t, wake) => {
          const tm = s.after(20, () => wake(null));
          return () => s.timers.cancel(tm);
        }),
      );
    return "done";
  };
  s.spawn(main, "main", null, true);
  const z = s.spawn(sleeper, "z", null);
  const e = await end();
  assert.equal(e.kind, "finished");
  assert.equal(z.state, "done");
  assert.equal(log.join(""), "MZZ");
});

test("failure hooks: an unsupervised failed task is reported, a supervised one is not, a failed main ends the run", async () => {
  const { s, end, unhandled } = makeScheduler();
  const log: string[] = [];
  const main = new FakeBody("M", 0, log);
  const bad = new FakeBody("B", 0, log);
  const watched = new FakeBody("W", 0, log);
  bad.onStep = () => "failed";
  watched.onStep = () => "failed";
  main.onStep = (b) => (b.steps < 3 ? "yield" : "failed");
  const mt = s.spawn(main, "main", null, true);
  const bt = s.spawn(bad, "b", null);
  const wt = s.spawn(watched, "w", null);
  wt.supervised = true;
  const e = await end();
  assert.equal(e.kind, "main-failed");
  assert.equal(e.main, mt);
  assert.deepEqual(unhandled, [bt]);
  assert.equal(wt.state, "failed");
});

test("the task limit counts live spawned tasks only (not main) and frees slots as tasks finish", async () => {
  const { s, end } = makeScheduler();
  s.maxTasks = 3;
  const main = new FakeBody("M", 0, []);
  s.spawn(main, "main", null, true);
  assert.equal(s.spawnedLive, 0);
  assert.equal(s.atTaskLimit, false);
  const bodies = [0, 1, 2].map((i) => new FakeBody(`t${i}`, 2, []));
  for (const b of bodies) s.spawn(b, "t", null);
  assert.equal(s.spawnedLive, 3);
  assert.equal(s.atTaskLimit, true);
  assert.equal((await end()).kind, "finished");
  assert.equal(s.spawnedLive, 0);
  assert.equal(s.atTaskLimit, false);
});

test("onDone callbacks run once when a task finishes, and immediately for a finished task", async () => {
  const { s, end } = makeScheduler();
  const main = new FakeBody("M", 1, []);
  const mt = s.spawn(main, "main", null, true);
  const seen: string[] = [];
  const off = mt.onDone(() => seen.push("removed"));
  off();
  mt.onDone((t) => seen.push(`done:${t.state}`));
  await end();
  mt.onDone((t) => seen.push(`late:${t.state}`));
  assert.deepEqual(seen, ["done:done", "late:done"]);
});

// ---- the virtual clock -----------------------------------------------------------------------

/** A wait that sleeps ms on the scheduler's timers. */
const sleepWait = (s: Scheduler, ms: number) =>
  wait("sleep", (_t, wake) => {
    const tm = s.after(ms, () => wake(s.now()));
    return () => s.timers.cancel(tm);
  });

test("virtual clock: when every body is blocked the clock jumps to the next deadline, in deadline order, with no real waiting", async () => {
  const clock = new VirtualClock();
  const { s, end } = makeScheduler(clock);
  const log: string[] = [];
  const main = new FakeBody("M", 0, log);
  const a = new FakeBody("A", 0, log),
    b = new FakeBody("B", 0, log);
  main.onStep = (self) => (self.steps === 1 ? self.blockOn(sleepWait(s, 10_000)) : "done");
  a.onStep = (self) => (self.steps === 1 ? self.blockOn(sleepWait(s, 30_000)) : "done");
  b.onStep = (self) => (self.steps === 1 ? self.blockOn(sleepWait(s, 20_000)) : "done");
  const t0 = performance.now();
  s.spawn(main, "main", null, true);
  s.spawn(a, "a", null);
  s.spawn(b, "b", null);
  assert.equal((await end()).kind, "finished");
  assert.deepEqual(
    [main.resumed, b.resumed, a.resumed],
    [[10_000], [20_000], [30_000]],
    "each wakes exactly at its deadline",
  );
  assert.equal(log.join(""), "MABMBA");
  assert.equal(clock.now(), 30_000);
  // a minute of virtual sleeping; a loaded machine still does it in far less than a second
  assert.ok(performance.now() - t0 < 1000, `took ${(performance.now() - t0).toFixed(0)} ms of real time`);
});

test("virtual clock: each preemption of a CPU-bound body costs VIRTUAL_BUDGET_MS; the body a timer due by then wakes queues behind the spinner", async () => {
  const clock = new VirtualClock();
  const { s, end } = makeScheduler(clock);
  const log: string[] = [];
  const main = new FakeBody("M", 0, log);
  const spinner = new FakeBody("S", Infinity, log);
  let spinnerTask!: Task;
  const ms = 5 * VIRTUAL_BUDGET_MS;
  main.onStep = (self) => {
    if (self.steps === 1) return self.blockOn(sleepWait(s, ms));
    s.cancel(spinnerTask);
    return "done";
  };
  s.spawn(main, "main", null, true);
  spinnerTask = s.spawn(spinner, "spin", null);
  assert.equal((await end()).kind, "finished");
  assert.deepEqual(main.resumed, [ms], "the timer fired exactly at its deadline");
  assert.equal(log.join(""), "MSSSSSSMS", "the 5th preemption made main due; it ran after the spinner's next budget");
  assert.equal(spinnerTask.state, "cancelled");
  assert.equal(clock.now(), ms + VIRTUAL_BUDGET_MS);
});

test("virtual clock: the clock does not jump while host I/O is in flight", async () => {
  const clock = new VirtualClock();
  const { s, end } = makeScheduler(clock);
  const main = new FakeBody("M", 0, []);
  const sleeper = new FakeBody("Z", 0, []);
  let clockAtResponse = -1;
  main.onStep = (b) => {
    if (b.steps === 1)
      return b.blockOn(
        wait(
          "http-get",
          (_t, wake) => {
            setTimeout(() => {
              clockAtResponse = clock.now();
              wake("response");
            }, 30);
          },
          true,
        ),
      );
    return "done";
  };
  sleeper.onStep = (b) => (b.steps === 1 ? b.blockOn(sleepWait(s, 1000)) : "done");
  s.spawn(main, "main", null, true);
  s.spawn(sleeper, "z", null);
  assert.equal((await end()).kind, "finished");
  assert.equal(clockAtResponse, 0, "the 1000 ms sleep did not run out while the request was in flight");
  assert.deepEqual(main.resumed, ["response"]);
  assert.deepEqual(sleeper.resumed, [1000]);
});
