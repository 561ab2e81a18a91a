// The virtual clock of a session (new Session(host, { clock: "virtual" })): time moves only when
// every task is blocked (to the next deadline, at once) or a task is preempted (VIRTUAL_BUDGET_MS
// per step budget), so sleeps take no real time and every timing is exact. Every reader of time
// in a session reads it: sleep, timeout, the :timeout of task-await, channel-send, channel-recv,
// select and spawn-link, parallel-map :timeout and :rate, (monotonic-ms), (now); (tasks) is in
// test/runtime/stress.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { write } from "../../src/syntax/printer.js";
import { runOk } from "../helpers.js";

const VIRTUAL = { clock: "virtual" } as const;

test("(sleep 10000) on a virtual clock takes no real time and moves (monotonic-ms) and (now) by exactly 10000", async () => {
  const r = await runOk(
    `
    (define t0 (monotonic-ms))
    (define e0 (now))
    (sleep 10000)
    (list (- (monotonic-ms) t0) (- (now) e0))`,
    VIRTUAL,
  );
  assert.equal(write(r.value), "(10000 10000)");
  assert.equal(r.session.scheduler.now(), 10_000, "the program ended when main woke");
  // ten seconds of sleeping: far under a second of real time, even on a loaded machine
  assert.ok(r.ms < 1000, `the run took ${r.ms.toFixed(0)} ms of real time`);
});

test("a 10 ms ticker and a (timeout 95 ...) around it: exactly 9 ticks, at 10, 20, ... 90 ms", async () => {
  const r = await runOk(
    `
    (define ticks (atom []))
    (define t0 (monotonic-ms))
    (define result
      (timeout 95 (lambda ()
        (let loop () (sleep 10) (atom-swap! ticks conj (- (monotonic-ms) t0)) (loop)))))
    (list (error-msg result) @ticks (- (monotonic-ms) t0) (length (tasks)))`,
    VIRTUAL,
  );
  assert.equal(write(r.value), `("timeout after 95ms" [10 20 30 40 50 60 70 80 90] 95 1)`);
});

test("every timeout option fires at exactly its deadline: task-await, channel-send, channel-recv, select, spawn-link, parallel-map", async () => {
  const r = await runOk(
    `
    (define (took thunk) (let ((t0 (monotonic-ms))) (list (error-msg (thunk)) (- (monotonic-ms) t0))))
    (list
      (took (lambda () (task-await (spawn (lambda () (sleep 1000))) :timeout 7)))
      (took (lambda () (channel-send (make-channel) 1 :timeout 11)))
      (took (lambda () (channel-recv (make-channel) :timeout 13)))
      (took (lambda () (select (make-channel) (make-channel) :timeout 17)))
      (took (lambda () (channel-recv (spawn-link (lambda () (sleep 1000)) :timeout 19))))
      (took (lambda () (first (parallel-map (lambda (x) (sleep 1000)) [1] :timeout 23)))))`,
    VIRTUAL,
  );
  assert.equal(
    write(r.value),
    `(("timeout after 7ms" 7) ("timeout after 11ms" 11) ("timeout after 13ms" 13) ("timeout after 17ms" 17) ("timeout after 19ms" 19) ("timeout after 23ms" 23))`,
  );
});

test(":rate 5 over 10 items starts them exactly 200 ms of virtual time apart", async () => {
  const r = await runOk(
    `
    (define t0 (monotonic-ms))
    (define starts (parallel-map (lambda (x) (- (monotonic-ms) t0)) (range 10) :rate 5))
    (list starts (- (monotonic-ms) t0))`,
    VIRTUAL,
  );
  assert.equal(write(r.value), "((0 200 400 600 800 1000 1200 1400 1600 1800) 1800)");
});

test("CPU-bound work moves a virtual clock by VIRTUAL_BUDGET_MS (1 ms) per preemption: (timeout 100 <infinite loop>) ends at exactly 100 ms", async () => {
  const r = await runOk(
    `
    (define t0 (monotonic-ms))
    (define r (timeout 100 (lambda () (let loop () (loop)))))
    (list (error-msg r) (- (monotonic-ms) t0) (length (tasks)))`,
    VIRTUAL,
  );
  assert.equal(write(r.value), `("timeout after 100ms" 100 1)`);
});
