// The session's lazily loaded prelude: read and run when one of its names is first looked up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Session } from "../../src/session/session.js";
import { preludeNames } from "../../src/session/prelude.js";
import { allSpecs } from "../../src/lib/registry.js";
import { fakeHost, projectRoot, runProgram } from "../helpers.js";

const definedNames = (s: Session) =>
  new Set([...s.globals.values()].filter((c) => c.v !== undefined).map((c) => c.name));

test("the prelude's name scan lists exactly what loading the prelude defines, and no builtin", () => {
  const s = new Session(fakeHost());
  const names = preludeNames(readFileSync(join(projectRoot(), "src", "prelude", "prelude.lisp"), "utf8"));
  const builtins = new Set(allSpecs().map((spec) => spec.name));
  for (const n of names) assert.ok(!builtins.has(n), `${n} is both a builtin and a prelude name`);
  const before = definedNames(s);
  s.loadPrelude();
  const added = [...definedNames(s)].filter((n) => !before.has(n) && !builtins.has(n)).sort();
  assert.deepEqual(added, [...names].sort());
});

test("builtins get their cells when first looked up; unknown names still get suggestions from all of them", async () => {
  const s = new Session(fakeHost());
  assert.equal(s.globals.has("string-upcase"), false);
  assert.equal(s.suggest("string-upcas"), "did you mean string-upcase?");
  const r = await runProgram('(println (string-upcase "ok"))');
  assert.equal(r.stdout, "OK\n");
  assert.equal(r.session.globals.has("string-upcase"), true);
});

test("a program that uses no prelude function does not load it; one that does, loads it on first use", async () => {
  const plain = await runProgram("(println (+ 1 2))");
  assert.equal(plain.stdout, "3\n");
  assert.equal(plain.session.globals.has("map"), false);
  const uses = await runProgram("(define (twice x) (* 2 x)) (println (map twice [1 2 3]))");
  assert.equal(uses.stdout, "(2 4 6)\n");
  assert.ok(definedNames(uses.session).has("sort"));
});

test("the prelude loads when a builtin needs it while a task runs, for doc, and for suggestions", async () => {
  const swap = await runProgram("(define a (atom 1)) (atom-swap! a (lambda (x) (+ x 1))) (println @a)");
  assert.equal(swap.stdout, "2\n");
  const doc = await runProgram("(doc 'sort-by)");
  assert.match(doc.stdout, /^\(sort-by /);
  const typo = await runProgram("(sortt [2 1])");
  assert.match(typo.rendered ?? "", /did you mean sort\?/);
});

test("a script's defn of a prelude name keeps its own doc string", async () => {
  const r = await runProgram(`(defn update "Bumps x." [x] (+ x 1)) (doc update) (println (update 1))`);
  assert.match(r.stdout, /^\(update x\)\n  Bumps x\.\n/);
  assert.match(r.stdout, /\n2\n$/);
});

test("redefining a builtin before the prelude loads does not change what the prelude defines", async () => {
  const r = await runProgram(`(define (gensym & _) :sentinel)
    (define ch (make-channel 3))
    (channel-send ch 1) (channel-send ch :sentinel) (channel-send ch 2) (channel-close ch)
    (println (channel->list ch))`);
  assert.equal(r.stdout, "(1 :sentinel 2)\n");
});
