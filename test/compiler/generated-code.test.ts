// The JavaScript the compiler generates: names from the program reach it unchanged, and the
// shapes the machine relies on (direct calls, resume points, loops in place, handlers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { write } from "../../src/syntax/printer.js";
import { Closure } from "../../src/vm/objects.js";
import { evalSync, runProgram, stdoutOf } from "../helpers.js";

// Temporaries used to be written `$T1`, `$T2`... into the code and placed by a regular
// expression over whole lines, string literals included: a program's own name `$T1`, which the
// code carries in a string for error messages, came out as `T1`, or as `s[4]` when the
// temporary `$T1` of that function lived in a slot.
test("a variable named like a compiler temporary keeps its name in errors", async () => {
  const early = await runProgram("(define (f) (define a $T1) (define $T1 5) a)\n(f)\n");
  assert.equal(early.outcome.status, "failed");
  assert.match(early.rendered ?? "", /runtime error: \$T1 is used before its definition ran/);

  const inSlot = await runProgram("(define (g) 1)\n(define (f) (define a (list (g) (g) $T1)) (define $T1 5) a)\n(f)\n");
  assert.equal(inSlot.outcome.status, "failed");
  assert.match(inSlot.rendered ?? "", /runtime error: \$T1 is used before its definition ran/);

  const out = await stdoutOf(`
(define (make) (let (($T1 0)) (lambda () (set! $T1 1))))
(define bump (make))
(prn (task-await (spawn bump)))
(defmacro $T2 () 2)
(prn $T2 ($T2) "$T1" '$T1 :$T1)`);
  assert.equal(
    out,
    '{:error "set!: $T1 belongs to another task; share state with an atom"}\n#<macro $T2> 2 "$T1" $T1 :$T1\n',
  );
});

/** The generated JavaScript of the function `expr` evaluates to after `defs`: the locals it
 *  declares, and the compiled body inside the pc switch (without the entry and suspension code). */
function generated(defs: string, expr: string): { locals: string[]; body: string } {
  const f = evalSync(defs, expr);
  assert.ok(f instanceof Closure, `${expr} is a function`);
  const src = f.code.fn.toString();
  const locals = (/^let pc, t, f, g(.*);$/m.exec(src)?.[1] ?? "").split(", ").filter(Boolean);
  return { locals, body: src.slice(src.indexOf("case 0:"), src.indexOf("default: throw")) };
}

test("fib: slots in JS locals, inline arithmetic, direct closure calls, a resume point per call", () => {
  const defs = "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))";
  assert.equal(evalSync(defs, "(fib 20)"), 6765);
  const { locals, body } = generated(defs, "fib");
  assert.ok(locals.includes("v2"), "the parameter is the JS local v2");
  assert.ok(!/\bs\[/.test(body), "the body never touches the slots array");
  assert.match(body, /typeof \(t = v2\) === "number" && typeof \(g = 2\) === "number"\) t = t < g;/);
  assert.match(body, /t = f\.code\.fn\(m, null, null, f\.env, T\d+\);/);
  assert.equal(body.match(/^case \d+: \/\/ resume$/gm)?.length, 6, "one for each of < - fib - fib +");
  assert.ok(!body.includes("self tail call"), "fib never calls itself in tail position");
});

test("a named let loops in place and clears the slot of its inner definition each time round", () => {
  const defs = "(define (squares n) (let loop ((i 0)) (define sq (* i i)) (if (< i n) (loop (+ i 1)) [sq loop])))";
  assert.equal(evalSync(defs, "(first (squares 5))"), 25);
  const { body } = generated(defs, "(second (squares 5))");
  const self = body.split("\n").filter((line) => line.includes("self tail call"));
  assert.equal(self.length, 1);
  assert.match(
    self[0],
    /^if \(f instanceof C && f\.code === CODE && f\.env === v0\) \{ const a0 = T\d+; v2 = a0; v3 = undefined; pc = 0; if \(--m\.budget < 0\) break sw; continue; \}/,
  );
});

test("a function whose slots a closure captures keeps them in an array and never loops in place", () => {
  const defs = "(define (count-down n acc) (if (= n 0) acc (count-down (- n 1) (cons (lambda () n) acc))))";
  assert.equal(write(evalSync(defs, "(map (lambda (f) (f)) (count-down 3 '()))")), "(1 2 3)");
  const { locals, body } = generated(defs, "count-down");
  assert.ok(!locals.some((v) => /^v\d+$/.test(v)), "no slot is a JS local");
  assert.match(body, /new C\(k\d+, s\)/);
  assert.ok(!body.includes("self tail call"));
  assert.match(body, /m\.tailS = m\.slots2\(f, s\[\d+\], T\d+\); m\.tailCode = f\.code; return TAIL;/);
});

test("try: a handler naming the slots array; values live across a call are kept in slots", () => {
  const defs = "(define (g x) x) (define (safe x) (try (list (g x) (g 2)) (catch e :caught) (finally (g 3))))";
  assert.equal(write(evalSync(defs, "(safe 1)")), "(1 2)");
  const { locals, body } = generated(defs, "safe");
  assert.match(body, /^case 0:\nm\.pushHandler\(s, 1, 2, 3, 4\);$/m);
  assert.match(body, /^case 1: \/\/ resume\nm\.pushHandler\(s, -1, 2, 3, 4\);$/m);
  // (g x) waits for (g 2): in a slot, since a suspension inside (g 2) keeps only slots
  const waiting = /^s\[(\d+)\] = t;$/m.exec(body);
  assert.ok(waiting, `the first value is stored in a slot:\n${body}`);
  assert.match(body, new RegExp(`t = m\\.call2\\(f, s\\[${waiting[1]}\\], (T\\d+),`));
  const second = /t = m\.call2\(f, s\[\d+\], (T\d+),/.exec(body)?.[1] as string;
  assert.ok(locals.includes(second), `${second}, used before the next resume point, is a JS local`);
});
