// The table of special forms: every name in it is compiled by the compiler itself, so none can be
// defined or read as a global, and a local of the same name shadows it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SPECIAL_FORMS } from "../../src/compiler/specials/index.js";
import { evalSync, lispErrorOf, runProgram, stdoutOf } from "../helpers.js";

test("no special form can be defined globally or read as a value", () => {
  assert.ok(SPECIAL_FORMS.size > 20, `the table holds ${SPECIAL_FORMS.size} forms`);
  for (const name of SPECIAL_FORMS.keys()) {
    const defined = lispErrorOf(() => evalSync("", `(define ${name} 1)`));
    assert.equal(defined.kind, "syntax");
    assert.equal(defined.message, `cannot define ${name}: it is a special form`);
    const read = lispErrorOf(() => evalSync("", `(list ${name})`));
    assert.equal(read.kind, "syntax");
    assert.equal(read.message, `${name} is a special form, not a value`);
  }
});

test("a local of the same name shadows every special form", () => {
  for (const name of SPECIAL_FORMS.keys()) {
    assert.equal(evalSync("", `((lambda (${name}) (+ ${name} 1)) 41)`), 42, name);
    assert.equal(evalSync("", `((lambda (${name}) (${name} 2)) (lambda (x) (* x 10)))`), 20, name);
  }
});

// Regression (issue 9 §5): (def x 1 2) quietly defined x as 2 (taking 1 for a doc string), and
// (cond (1 =>)) called nil at run time.
test("(def x 1 2) and (cond (1 =>)) are syntax errors; the doc-string form and => with a receiver work", async () => {
  const def = await runProgram("(def x 1 2) x");
  assert.match(
    def.rendered ?? "",
    /syntax error: def: expected \(def name value\) or \(def name "doc" value\), got 2 forms after the name/,
  );
  const cond = await runProgram("(cond (1 =>))");
  assert.match(cond.rendered ?? "", /syntax error: cond: expected \(test => receiver\), one function after =>/);
  assert.equal(await stdoutOf(`(def y "a doc" 3) (prn y (cond (5 => inc)))`), "3 6\n");
});

// Issue 11 §3: (define (f x) "doc" ...) documented nothing, where defn did.
test('a doc string in (define (f x) "doc" body) is what (doc f) shows, as with defn', async () => {
  assert.equal(
    await stdoutOf(`(define (area w h) "The area of a w by h rectangle." (* w h)) (doc area) (prn (area 2 3))
(define (plain) "just a string") (prn (plain))`),
    '(area w h)\n  The area of a w by h rectangle.\n6\n"just a string"\n',
  );
});

// Issue 10 §2: Clojure's flat (cond test expr :else expr) was a syntax error naming the clause
// "[object Object]"; (case x 1 :a :default) likewise. The flat forms are recognised by syntax (a
// Scheme clause is always a list), and the one reading nobody means is refused.
test("cond and case take Clojure's flat form as well as Scheme's clauses", async () => {
  assert.equal(
    await stdoutOf(`(define (sign x) (cond (< x 0) "neg" (> x 0) "pos" :else "zero"))
      (prn (sign -2) (sign 3) (sign 0) (cond #f 1))`),
    `"neg" "pos" "zero" nil\n`,
  );
  assert.equal(
    await stdoutOf(`(define (size n) (case n 1 :one (2 3) :few :many))
      (prn (size 1) (size 3) (size 9) (case 4 1 :one) (case 2 ((1 2) :small) (else :big)))`),
    ":one :few :many nil :small\n",
  );
  // a local predicate as a Scheme test is fine; testing a global function itself is refused
  assert.equal(await stdoutOf(`(define (f ok) (cond (ok 1) (else 2))) (prn (f #t) (f #f))`), "1 2\n");
  const allLists = await runProgram(`(define x 3) (cond (< x 0) (str "neg") (> x 0) (str "pos"))`);
  assert.match(allLists.rendered ?? "", /syntax error: cond: the clause \(< x 0\) tests the function < itself/);
  const odd = await runProgram("(cond 1 2 3)");
  assert.match(odd.rendered ?? "", /cond: 3 forms in Clojure's flat form/);
  const bad = await runProgram("(cond (= 1 2) :a :else)");
  assert.doesNotMatch(bad.rendered ?? "", /object Object/);
});
