// parallel-map options that the conformance suite does not pin down: :rate with :retries, on a
// virtual clock (exact times); and one real-time smoke test of :rate with a wide margin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { write } from "../../src/syntax/printer.js";
import { listToArray, type List } from "../../src/core/types.js";
import { runOk } from "../helpers.js";

// regression: retries were started on their backoff timer without waiting for :rate,
// so a rate-limited API saw the retries burst past its limit
test("retries wait for :rate like first attempts: 2 items x 3 attempts at 5 per second start exactly 200 ms apart", async () => {
  const r = await runOk(
    `
(define t0 (monotonic-ms))
(define starts (atom []))
(parallel-map (fn [x] (atom-swap! starts conj (- (monotonic-ms) t0)) (error "fail")) [1 2] :rate 5 :retries 2)
(sort (seq->list @starts))`,
    { clock: "virtual" },
  );
  // item 1 fails at 0 and is due again at 100 (backoff), item 2 at 300: the rate delays both to the next free 200 ms slot
  assert.equal(write(r.value), "(0 200 400 600 800 1000)");
});

test("real-time smoke test: :rate 20 starts item i no sooner than 50i ms, and 5 items take less than 10x the 200 ms they need", async () => {
  const r = await runOk(`
(define t0 (monotonic-ms))
(define starts (parallel-map (fn [x] (- (monotonic-ms) t0)) (range 5) :rate 20))
(list starts (- (monotonic-ms) t0))`);
  const [startList, total] = listToArray(r.value as List) as [List, number];
  const starts = listToArray(startList) as number[];
  // the i-th item starts 50 ms after the one before, at the earliest; it may run later than it started
  assert.ok(
    starts.every((t, i) => t >= 50 * i - 0.5),
    `an item started before its 50 ms slot: ${starts.map((t) => t.toFixed(1)).join(" ")}`,
  );
  assert.ok(total < 2000, `5 starts at 20 per second took ${total.toFixed(0)} ms`);
});
