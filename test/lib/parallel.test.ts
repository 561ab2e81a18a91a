// parallel-map options that the conformance suite does not pin down: :rate with :retries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { stdoutOf } from "../helpers.js";

// regression: retries were started on their backoff timer without waiting for :rate,
// so a rate-limited API saw the retries burst past its limit
test("retries wait for :rate like first attempts", async () => {
  const out = await stdoutOf(`
(define t0 (monotonic-ms))
(define starts (atom []))
(parallel-map (fn [x] (atom-swap! starts conj (- (monotonic-ms) t0)) (error "fail")) [1 2] :rate 5 :retries 2)
(define ts (sort (seq->list @starts)))
(println (length ts))
(println (every? (lambda (gap) (>= gap 180)) (map - (rest ts) (take (- (length ts) 1) ts))))`);
  assert.equal(out, "6\n#t\n");
});
