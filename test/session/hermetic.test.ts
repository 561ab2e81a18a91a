// Regression tests for issue 9 §5: the library cannot be broken by user definitions. The
// prelude and the task starter were compiled against the script's own global cells, so a
// script that defined reverse, length or apply changed map, sort, atom-swap! and spawn.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runProgram, stdoutOf } from "../helpers.js";

test("defining reverse does not change map", async () => {
  assert.equal(
    await stdoutOf(`(define (reverse x) (list 'mine x)) (prn (map inc '(1 2 3))) (prn (reverse [1]))`),
    "(2 3 4)\n(mine [1])\n",
  );
});

test("defining length does not change sort (which never returned)", async () => {
  assert.equal(
    await stdoutOf(`(define (length xs) 0) (prn (sort [3 1 2] <)) (prn (length [1 2]))`, { deadlineMs: 10_000 }),
    "(1 2 3)\n0\n",
  );
});

test("defining apply changes neither atom-swap! nor the start of a task", async () => {
  assert.equal(
    await stdoutOf(`(define (apply f & a) :hijacked)
(define a (atom 1))
(prn (atom-swap! a (fn [x] (+ x 1))))
(prn (task-await (spawn (fn [] :ran))))
(prn (parallel-map inc [1 2]))
(prn (apply + [1 2]))`),
    "2\n:ran\n(2 3)\n:hijacked\n",
  );
});

test("defining a library name before the prelude loads keeps both: the script's, and the library's inside the library", async () => {
  assert.equal(
    await stdoutOf(`(define (filter f xs) :mine) (prn (filter odd? [1 2 3])) (prn (remove odd? [1 2 3]))`),
    ":mine\n(2)\n",
  );
});

test("a task may not set! a builtin's global (it would change it under every task)", async () => {
  const r = await runProgram(`(define t (spawn (fn [] (set! + -)))) (prn (task-await t)) (prn (+ 1 2))`);
  assert.match(r.stdout, /^\{:error "set!: \+ is a builtin and cannot be changed"/);
  assert.match(r.stdout, /\n3\n$/);
});

test("a macro named cdr changes neither map, filter, sort nor atom-swap!", async () => {
  assert.equal(
    await stdoutOf(`(defmacro cdr (x) (list 'quote :hijacked))
      (prn (map inc '(1 2 3)) (filter odd? [1 2 3]) (sort [3 1 2] <))
      (define a (atom 1)) (atom-swap! a (fn [x] (+ x 1)))
      (prn @a (cdr '(1 2)))`),
    "(2 3 4) (1 3) (1 2 3)\n2 :hijacked\n",
  );
});
