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
