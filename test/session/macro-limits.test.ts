// Macro expansion cannot hang the process (issue 9, §3.2): an expansion that loops ends with an
// error after SYNC_CALLS calls, a macro that expands into itself after MAX_EXPANSIONS levels.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../helpers.js";
import { Keyword } from "../../src/core/types.js";
import { MAX_EXPANSIONS, SYNC_CALLS } from "../../src/session/session.js";

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

test("a macro whose expansion loops for ever, used through eval inside a timeout, ends with an error value", async () => {
  const src =
    "(defmacro forever () (let loop ((i 0)) (loop (+ i 1))))\n" + "(error-msg (timeout 100 (fn () (eval '(forever)))))";
  const r = await runProgram(src, { deadlineMs: 120_000 });
  assert.equal(r.outcome.status, "done", r.rendered);
  assert.equal(r.value, `macro forever did not finish within ${SYNC_CALLS} calls (an endless loop?)`);
});
