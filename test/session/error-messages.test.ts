// Issue 11 §4, errors that point at the user's code: an arity error says where the function
// was defined and what it takes; (reduce + 0 xs) in Clojure's order names reduce, the user's
// call and the order Skein expects (it said "seq->list: expected a list or vector, got 0" at
// prelude.lisp:38:16); (let [x 1 y] ...) is reported as let, not let*.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../helpers.js";

test("an arity error names the function's parameters and where it was defined", async () => {
  const r = await runProgram("(define (area w h) (* w h))\n(area 3)");
  assert.match(r.rendered ?? "", /^test\.lisp:2:1: runtime error: area: expected 2 arguments, got 1/);
  assert.match(r.rendered ?? "", /help: \(area w h\) is defined at test\.lisp:1:1/);
});

test("reduce in Clojure's argument order says which order Skein expects, at the user's call", async () => {
  const r = await runProgram("(define xs [1 2 3])\n(reduce + 0 xs)");
  assert.match(
    r.rendered ?? "",
    /^test\.lisp:2:1: runtime error: reduce: the collection comes before the initial value in Skein: \(reduce f xs init\), not Clojure's \(reduce f init xs\); got 0 where the collection goes/,
  );
  const notColl = await runProgram("(reduce + 5)");
  assert.match(
    notColl.rendered ?? "",
    /reduce: expected a collection as the second argument, as in \(reduce f xs init\), got 5/,
  );
});

test("a bad binding vector names the form as written", async () => {
  assert.match(
    (await runProgram("(let [x 1 y] x)")).rendered ?? "",
    /syntax error: let: a binding vector needs name value pairs/,
  );
  assert.match(
    (await runProgram("(let* [x 1 y] x)")).rendered ?? "",
    /syntax error: let\*: a binding vector needs name value pairs/,
  );
});
