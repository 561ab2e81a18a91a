// Macro expansion cannot hang the process (issue 9, §3.2): a long expansion runs in slices of its
// task (a timeout stops it, other tasks run), an expansion that loops ends with an error after
// SYNC_CALLS calls, a macro that expands into itself after MAX_EXPANSIONS levels, one that nests
// its own use inside its expansion after MAX_NESTED_EXPANSIONS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../helpers.js";
import { Keyword } from "../../src/core/types.js";
import { MAX_EXPANSIONS, SYNC_CALLS } from "../../src/session/session.js";
import { MAX_NESTED_EXPANSIONS } from "../../src/compiler/compiler.js";
import { write } from "../../src/syntax/printer.js";

test("a self-expanding macro ends with macro expansion too deep at its use", async () => {
  const r = await runProgram("(defmacro m () '(m))\n(m)", { deadlineMs: 60_000 });
  assert.equal(r.outcome.status, "failed");
  assert.equal(
    r.outcome.error?.message,
    `macro expansion too deep (${MAX_EXPANSIONS} levels): m keeps expanding into another macro call`,
  );
  // the position of the form that kept expanding: the (m) the macro returns
  assert.match(r.rendered ?? "", /^test\.lisp:1:17: syntax error/);
});

test("a macro expanding into itself with its argument changed, 500 levels deep, expands", async () => {
  const r = await runProgram("(defmacro down (n) (if (= n 0) :bottom (list 'down (- n 1))))\n(down 500)");
  assert.equal(r.outcome.status, "done", r.rendered);
  assert.equal(r.value, Keyword.of("bottom"));
});

test("a macro whose expansion loops for ever, used through eval inside a timeout, times out while other tasks run", async () => {
  const src = `
    (defmacro forever () (let loop ((i 0)) (loop (+ i 1))))
    (define ticks (atom 0))
    (define ticker (spawn (fn [] (let loop () (sleep 10) (atom-swap! ticks inc) (loop)))))
    (define t0 (monotonic-ms))
    (define r (timeout 100 (fn () (eval '(forever)))))
    (task-cancel ticker)
    (list (error-msg r) (>= @ticks 9) (- (monotonic-ms) t0))`;
  const r = await runProgram(src, { clock: "virtual", deadlineMs: 120_000 });
  assert.equal(r.outcome.status, "done", r.rendered);
  assert.equal(write(r.value), '("timeout after 100ms" #t 100)');
});

test("a program's top-level form whose macro loops is preempted: a spawned task runs meanwhile", async () => {
  const src = `
    (define seen (atom nil))
    (spawn (fn [] (atom-reset! seen :ran)))
    (defmacro slow () (let loop ((i 0)) (if (< i 3000000) (loop (+ i 1)) (list 'quote @seen))))
    (slow)`;
  const r = await runProgram(src, { clock: "virtual" });
  assert.equal(r.outcome.status, "done", r.rendered);
  assert.equal(r.value, Keyword.of("ran"));
});

test("a looping macro still ends with an error after SYNC_CALLS calls without a timeout", async () => {
  const src =
    "(defmacro forever () (let loop ((i 0)) (loop (+ i 1))))\n(error-msg (try (eval '(forever)) (catch e e)))";
  const r = await runProgram(src, { clock: "virtual", deadlineMs: 120_000 });
  assert.equal(r.outcome.status, "done", r.rendered);
  assert.equal(r.value, `macro forever did not finish within ${SYNC_CALLS} calls (an endless loop?)`);
});

test("a form compiled again after a long expansion runs each macro once, in order", async () => {
  const src = `
    (defmacro noisy (x) (println "noisy" x) x)
    (defmacro slow () (println "slow") (let loop ((i 0)) (if (< i 100000) (loop (+ i 1)) 2)))
    (define (f) (+ (noisy 1) (slow) (noisy 3) (slow)))
    (f)`;
  const r = await runProgram(src, { clock: "virtual" });
  assert.equal(r.outcome.status, "done", r.rendered);
  assert.equal(r.stdout, "noisy 1\nslow\nnoisy 3\nslow\n");
  assert.equal(r.value, 8);
});

test("a macro that nests a use of itself inside its expansion ends with macro expansion too deep", async () => {
  const r = await runProgram("(defmacro nest (x) `(list (nest ,x)))\n(error-msg (try (eval '(nest 0)) (catch e e)))");
  assert.equal(r.outcome.status, "done", r.rendered);
  assert.equal(
    r.value,
    `macro expansion too deep (${MAX_NESTED_EXPANSIONS} expansions inside each other): nest expands into a form that uses it again`,
  );
  // each level a lambda (the compiler's recursion is deeper per level): still the count, at the use
  const top = await runProgram("(defmacro nest (x) `(list (fn [] (nest ,x))))\n(nest 0)");
  assert.equal(top.outcome.status, "failed");
  assert.match(top.rendered ?? "", /^test\.lisp:2:1: syntax error: macro expansion too deep \(100 expansions/);
});
