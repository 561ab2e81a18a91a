// Code.origin: what the compiler keeps of each lambda so that it can be rebuilt on a worker
// thread (src/workers/crossing.ts): its source and the names it uses from outside itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { write } from "../../src/syntax/printer.js";
import { Closure } from "../../src/vm/objects.js";
import { runOk } from "../helpers.js";

test("a lambda's origin: its parameters and body as written, and each outside name as a slot of its env or a global", async () => {
  const r = await runOk(`
(define g 5)
(define (make y)
  (let ((x 1) (unused 2))
    (lambda (z) (let ((w 3)) (+ x y z w g 'quoted)))))
(make 10)`);
  const c = r.value as Closure;
  assert.ok(c instanceof Closure);
  const o = c.code.origin;
  assert.ok(o !== null);
  assert.equal(write(o.params), "(z)");
  assert.equal(o.body.map(write).join(" "), "(let ((w 3)) (+ x y z w g (quote quoted)))");
  const outside = new Map(o.outside().map((n) => [n.name, n]));
  // its own parameter, its own let and a quoted symbol are not outside names; unused is not used
  assert.deepEqual([...outside.keys()].sort(), ["+", "g", "x", "y"]);
  assert.ok("global" in (outside.get("g") as object) && "global" in (outside.get("+") as object));
  // x and y are read from the closure's env: walking `depth` parents, then `slot`
  for (const [name, want] of [
    ["x", 1],
    ["y", 10],
  ] as const) {
    const ref = outside.get(name) as { depth: number; slot: number };
    let env = c.env as unknown[];
    for (let d = 0; d < ref.depth; d++) env = env[0] as unknown[];
    assert.equal(env[ref.slot], want, name);
  }
});

test("a library function's origin compiles its body on demand (the prelude is compiled lazily)", async () => {
  // (defn partial [f & args] (lambda more (apply f (append args more))))
  const r = await runOk(`(partial + 1)`);
  const c = r.value as Closure;
  const outside = c.code.origin?.outside() ?? [];
  assert.deepEqual(outside.map((n) => n.name).sort(), ["append", "apply", "args", "f"]);
  assert.equal(write(c.code.origin?.params), "more");
});
