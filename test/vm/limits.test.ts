// The machine's limits (issue 9, "nothing crashes the host"): non-tail recursion ends with a
// catchable "recursion too deep" error at the frame limit, and 1,000,000 deep still works.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_FRAMES } from "../../src/vm/machine.js";
import { runOk, runProgram } from "../helpers.js";

const INFINITE = "(define (f n) (+ 1 (f n)))\n";

test("infinite non-tail recursion raises recursion too deep at the recursive call", async () => {
  const r = await runProgram(INFINITE + "(f 1)");
  assert.equal(r.outcome.status, "failed", r.rendered);
  assert.equal(r.outcome.error?.message, `recursion too deep (${MAX_FRAMES} frames)`);
  assert.match(r.rendered ?? "", /^test\.lisp:1:20: runtime error: recursion too deep/);
});

test("recursion too deep is an ordinary error: catch receives it and the program goes on", async () => {
  const r = await runOk(INFINITE + "(define msg (try (f 1) (catch e (error-msg e))))\n(list msg (+ 1 2))");
  assert.equal(r.stdout, "");
  assert.equal((r.value as { car: unknown }).car, `recursion too deep (${MAX_FRAMES} frames)`);
});

test("1,000,000-deep non-tail recursion returns its result", async () => {
  const r = await runOk("(define (g n) (if (= n 0) 0 (+ 1 (g (- n 1)))))\n(g 1000000)");
  assert.equal(r.value, 1_000_000);
});
