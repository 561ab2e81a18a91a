// Regression tests for issue 9 §2.3 and §3.6: raw host behaviour that leaked through builtins.
// An out-of-range exit status wrapped around to success; nan passed for a deadline; a timer
// beyond the host's 2^31-1 ms overflowed into a 1 ms busy loop with a warning per firing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot, runProgram } from "../helpers.js";

/** A program that defines (nan): not-a-number, which has no literal. */
const withNan = (src: string) => runProgram(`(define (nan) (- (* 1e300 1e300) (* 1e300 1e300))) ${src}`);

const skein = (...args: string[]) =>
  spawnSync(process.execPath, [join(projectRoot(), "bin", "skein"), ...args], { encoding: "utf8", timeout: 20_000 });

test("an exit status outside 0..255, or not a whole number, raises instead of wrapping to success", async () => {
  for (const bad of ["256", "1e10", "1.7", "(nan)", "-1", '"1"']) {
    const r = await withNan(`(exit ${bad})`);
    assert.equal(r.outcome.status, "failed", `(exit ${bad}) ended ${r.outcome.status}`);
    assert.match(r.rendered ?? "", /exit: expected a status from 0 to 255|exit: expected a number/);
  }
  assert.equal(skein("-e", "(exit 256)").status, 1);
  assert.equal(skein("-e", "(exit 3)").status, 3);
});

test("nan is not a deadline: sleep, timeout and :timeout refuse it", async () => {
  for (const src of [
    "(sleep (nan))",
    "(timeout (nan) (fn [] 1))",
    "(task-await (spawn (fn [] 1)) :timeout (nan))",
    "(set-default-timeout! (nan))",
    // the host's :timeout options share the one check (db-query's let nan through as no deadline)
    '(db-query (db-open "sqlite::memory:") "SELECT 1" :timeout (nan))',
    '(sh "true" :timeout (nan))',
    '(http-get "http://127.0.0.1:9/" :timeout (nan))',
  ]) {
    const r = await withNan(src);
    assert.equal(r.outcome.status, "failed", src);
    assert.match(r.rendered ?? "", /expected a timeout of 0 ms or more, got \+nan\.0/, src);
  }
});

test("a deadline beyond 2^31-1 ms neither fires early nor floods stderr with overflow warnings", () => {
  const r = skein(
    "-e",
    `(define t (spawn (fn [] (sleep 3000000000) :late)))
(println (timeout 4000000000 (fn [] (sleep 200) :in-time)))
(sleep 300)
(println (task-status t))
(exit 0)`,
  );
  assert.equal(r.stdout, ":in-time\n:blocked\n");
  assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning/);
});

// Regression (issue 9 §4.6): V8's "Invalid string length" reached the user as an internal error.
test("a string too long for the host is a Skein error, not a host message", async () => {
  const r = await runProgram(`(define (grow x n) (if (> n 40) x (grow (str x x) (inc n)))) (grow "ab" 0)`);
  assert.equal(r.outcome.status, "failed");
  assert.match(r.rendered ?? "", /result too large: a string or list longer than the host can hold/);
  assert.doesNotMatch(r.rendered ?? "", /internal error|Invalid string length/);
});
