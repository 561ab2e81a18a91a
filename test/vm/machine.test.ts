// Tests for the evaluator and the resumable machine: step budgets and suspension, tail calls,
// deep recursion, try/catch/finally, cancellation, set! ownership, macros, internal define,
// and the wording and positions of errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LispError } from "../../src/core/error.js";
import { write } from "../../src/syntax/printer.js";
import { equals } from "../../src/core/equality.js";
import { ErrorValue, Keyword, type Value } from "../../src/core/types.js";
import type { Machine } from "../../src/vm/machine.js";
import { evalSync, lispErrorOf, machineFor, read1, runOk, runProgram, stdoutOf } from "../helpers.js";

const SUM_LOOP = "(let loop ((i 1) (acc 0)) (if (> i 100000) acc (loop (+ i 1) (+ acc i))))";
const FIB = "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))";

function frameDepth(m: Machine): number {
  let d = 0;
  for (let f = m.fr; f !== null; f = f.parent) d++;
  return d;
}

/** Runs the machine to the end in slices of `budget` steps; returns how many slices yielded. */
function runInSlices(m: Machine, budget: number, onYield?: () => void): { result: string; yields: number } {
  let yields = 0;
  for (;;) {
    const before = m.steps;
    const r = m.step(budget);
    if (r !== "yield") return { result: r, yields };
    assert.equal(m.steps - before, budget, "a slice that yields ran exactly its budget of steps");
    yields++;
    onYield?.();
  }
}

function failureOf(defs: string, expr: string): LispError {
  const { m } = machineFor(defs, expr);
  assert.equal(m.step(Infinity), "failed");
  assert.ok(m.failure instanceof LispError);
  return m.failure;
}

// ---- step budget and suspension ----------------------------------------------------------

test("a loop run in slices of steps yields, resumes and gets the uninterrupted result", () => {
  const whole = machineFor("", SUM_LOOP).m;
  assert.equal(whole.step(Infinity), "done");
  assert.equal(whole.val, 5000050000);
  assert.ok(whole.steps > 100_000, `expected at least one step per iteration, got ${whole.steps}`);

  const sliced = machineFor("", SUM_LOOP).m;
  assert.equal(sliced.step(1000), "yield");
  assert.equal(sliced.steps, 1000);
  const { result, yields } = runInSlices(sliced, 1000);
  assert.equal(result, "done");
  assert.equal(sliced.val, 5000050000);
  assert.ok(yields > 50);
  assert.equal(sliced.steps, whole.steps, "slicing does not change the work done");
});

test("fib 20 in slices of 777 steps gives 6765 with the same step count as one run", () => {
  const whole = machineFor(FIB, "(fib 20)").m;
  assert.equal(whole.step(Infinity), "done");
  assert.equal(whole.val, 6765);
  const sliced = machineFor(FIB, "(fib 20)").m;
  const { result, yields } = runInSlices(sliced, 777);
  assert.equal(result, "done");
  assert.equal(sliced.val, 6765);
  assert.ok(yields > 10);
  assert.equal(sliced.steps, whole.steps);
});

test("parameters, lets, temporaries and inner defines kept in JS locals survive suspension at every step", () => {
  // g makes no closure and has no try, so its slots are JS locals that a suspension saves
  const defs = `(define (h n) (if (< n 1) 0 (+ 1 (h (- n 1)))))
    (define (g a b c) (let ((x (+ a 1)) (y (* b 2))) (define z (+ x y c)) (list (h x) (+ (h y) (h z)) x y z)))
    (define (loop-g i acc) (if (= i 0) acc (loop-g (- i 1) (cons (g i (+ i 1) (+ i 2)) acc))))`;
  const whole = machineFor(defs, "(loop-g 5 '())").m;
  assert.equal(whole.step(Infinity), "done");
  for (const budget of [1, 2, 3, 7]) {
    const sliced = machineFor(defs, "(loop-g 5 '())").m;
    assert.equal(runInSlices(sliced, budget).result, "done");
    assert.deepEqual(sliced.val, whole.val, `budget ${budget}`);
    assert.equal(sliced.steps, whole.steps);
  }
  assert.equal(write(whole.val).slice(0, 34), "((2 13 2 4 9) (3 19 3 6 13) (4 25 ");
});

test("a machine stopped mid-run stays put until stepped again", () => {
  const { m } = machineFor("", SUM_LOOP);
  assert.equal(m.step(5000), "yield");
  const steps = m.steps;
  const depth = frameDepth(m);
  // nothing happens between step() calls
  assert.equal(m.steps, steps);
  assert.equal(frameDepth(m), depth);
  assert.equal(m.step(0), "yield");
  assert.equal(m.steps, steps, "a zero budget runs nothing");
  assert.equal(runInSlices(m, 10_000).result, "done");
  assert.equal(m.val, 5000050000);
});

test("two machines interleaved slice by slice both finish correctly", () => {
  const a = machineFor(FIB, "(fib 18)").m;
  const b = machineFor("", SUM_LOOP).m;
  let ra = "yield",
    rb = "yield";
  while (ra === "yield" || rb === "yield") {
    if (ra === "yield") ra = a.step(100);
    if (rb === "yield") rb = b.step(100);
  }
  assert.equal(ra, "done");
  assert.equal(rb, "done");
  assert.equal(a.val, 2584);
  assert.equal(b.val, 5000050000);
});

test("an infinite loop yields at every budget instead of hanging the host", () => {
  const { m } = machineFor("", "(let forever ((i 0)) (forever (+ i 1)))");
  for (let k = 0; k < 20; k++) assert.equal(m.step(10_000), "yield");
  assert.equal(m.steps, 200_000);
});

test("a machine that has finished reports done again and keeps its value", () => {
  const { m } = machineFor("", "(+ 1 2)");
  assert.equal(m.step(Infinity), "done");
  assert.equal(m.step(10), "done");
  assert.equal(m.val, 3);
});

// ---- tail calls --------------------------------------------------------------------------

test("a 1,000,000-iteration named-let loop runs in constant frame depth", () => {
  const { m } = machineFor("", "(let loop ((i 0)) (if (< i 1000000) (loop (+ i 1)) i))");
  let maxDepth = 0;
  const { result } = runInSlices(m, 50_000, () => {
    maxDepth = Math.max(maxDepth, frameDepth(m));
  });
  assert.equal(result, "done");
  assert.equal(m.val, 1_000_000);
  assert.ok(maxDepth <= 4, `frame depth grew to ${maxDepth}`);
});

test("mutual tail recursion a million deep runs in constant frame depth", () => {
  const defs = `(define (ev? n) (if (= n 0) #t (od? (- n 1))))
                (define (od? n) (if (= n 0) #f (ev? (- n 1))))`;
  const { m } = machineFor(defs, "(ev? 1000001)");
  let maxDepth = 0;
  const { result } = runInSlices(m, 50_000, () => {
    maxDepth = Math.max(maxDepth, frameDepth(m));
  });
  assert.equal(result, "done");
  assert.equal(m.val, false);
  assert.ok(maxDepth <= 4, `frame depth grew to ${maxDepth}`);
});

test("calls in tail position of cond, case, when, and, or, begin and let are tail calls", () => {
  const bodies = [
    "(cond ((= n 0) :done) (else (f (- n 1))))",
    "(case n ((0) :done) (else (f (- n 1))))",
    "(if (= n 0) :done (when #t (f (- n 1))))",
    "(if (= n 0) :done (unless #f (f (- n 1))))",
    "(or (and (= n 0) :done) (f (- n 1)))",
    "(if (= n 0) :done (and #t (f (- n 1))))",
    "(if (= n 0) :done (begin 1 (f (- n 1))))",
    "(if (= n 0) :done (let ((k (- n 1))) (f k)))",
    "(if (= n 0) :done (let* ((k (- n 1))) (f k)))",
    "(if (= n 0) :done (-> n (- 1) f))",
  ];
  for (const body of bodies) {
    const { m } = machineFor(`(define (f n) ${body})`, "(f 200000)");
    let maxDepth = 0;
    const { result } = runInSlices(m, 20_000, () => {
      maxDepth = Math.max(maxDepth, frameDepth(m));
    });
    assert.equal(result, "done", body);
    assert.equal(m.val, Keyword.of("done"), body);
    assert.ok(maxDepth <= 4, `${body}: frame depth grew to ${maxDepth}`);
  }
});

test("apply in tail position of a loop does not grow the stack", () => {
  const { m } = machineFor("(define (f n) (if (= n 0) :done (apply f (list (- n 1)))))", "(f 100000)");
  let maxDepth = 0;
  const { result } = runInSlices(m, 20_000, () => {
    maxDepth = Math.max(maxDepth, frameDepth(m));
  });
  assert.equal(result, "done");
  assert.equal(m.val, Keyword.of("done"));
  assert.ok(maxDepth <= 6, `frame depth grew to ${maxDepth}`);
});

// ---- deep non-tail recursion -------------------------------------------------------------

test("non-tail recursion 200,000 deep works: frames live on the heap", () => {
  const { m } = machineFor("(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))", "(count 200000)");
  let maxDepth = 0;
  const { result } = runInSlices(m, 50_000, () => {
    maxDepth = Math.max(maxDepth, frameDepth(m));
  });
  assert.equal(result, "done");
  assert.equal(m.val, 200_000);
  assert.ok(maxDepth > 100_000, `expected deep frames, saw ${maxDepth}`);
});

test("building a 300,000-element list by non-tail recursion works in one run", () => {
  const v = evalSync("(define (build n) (if (= n 0) '() (cons n (build (- n 1)))))", "(length (build 300000))");
  assert.equal(v, 300_000);
});

test("prelude map and filter handle 200,000 items", () => {
  assert.equal(evalSync("", "(length (map inc (range 200000)))"), 200_000);
  assert.equal(evalSync("", "(length (filter even? (range 200000)))"), 100_000);
});

test("a value nested 200,000 deep prints (the printer is iterative), not a host crash", () => {
  const defs = "(define (nest n acc) (if (= n 0) acc (nest (- n 1) (list acc))))";
  const v = evalSync(defs, "(str (nest 200000 1))");
  assert.equal(v, "(".repeat(200000) + "1" + ")".repeat(200000));
});

// ---- try / catch / finally ---------------------------------------------------------------

test("catch receives the error value with the message of what was raised", () => {
  assert.equal(evalSync("", "(try (car 1) (catch e (error-msg e)))"), "car: expected a list, got 1");
  const e = evalSync("", '(try (error "boom") (catch e e))');
  assert.ok(e instanceof ErrorValue);
  assert.equal(e.message, "boom");
  assert.equal(
    write(evalSync("", '(try (raise (make-error "m" {:a 1})) (catch e [(error-msg e) (error-data e) (error? e)]))')),
    '["m" {:a 1} #t]',
  );
});

test("try returns the body's value when nothing is raised, and finally does not change it", () => {
  assert.equal(evalSync("", "(try 1 (finally 2))"), 1);
  assert.equal(evalSync("", "(try (+ 1 2) (catch e :caught))"), 3);
  assert.equal(evalSync("", '(try (error "x") (catch e 5) (finally 6))'), 5);
});

test("finally runs on success, on a caught error and on an escaping error", () => {
  const defs = "(define log (atom []))";
  assert.equal(write(evalSync(defs, "(begin (try :ok (finally (atom-swap! log conj :fin))) @log)")), "[:fin]");
  assert.equal(
    write(
      evalSync(
        defs,
        '(begin (try (error "e") (catch e (atom-swap! log conj :catch)) (finally (atom-swap! log conj :fin))) @log)',
      ),
    ),
    "[:catch :fin]",
  );
  const v = evalSync(
    defs,
    '(try (try (error "boom") (finally (atom-swap! log conj :fin))) (catch e [(error-msg e) @log]))',
  );
  assert.equal(write(v), '["boom" [:fin]]');
});

test("an error escaping try/finally still fails the machine after finally ran", () => {
  const { m, session } = machineFor("(define log (atom []))", "(try (car 5) (finally (atom-reset! log :cleaned)))");
  assert.equal(m.step(Infinity), "failed");
  assert.equal(m.failure?.message, "car: expected a list, got 5");
  assert.equal(write((session.cell("log").v as { value: Value }).value), ":cleaned");
});

test("an error raised deep in callees unwinds to the try and runs finally on the way", () => {
  const defs = `(define log (atom []))
                (define (inner n) (if (= n 0) (error "deep") (+ 1 (inner (- n 1)))))
                (define (middle) (try (inner 1000) (finally (atom-swap! log conj :middle-fin))))`;
  assert.equal(write(evalSync(defs, "(try (middle) (catch e [(error-msg e) @log]))")), '["deep" [:middle-fin]]');
});

test("an error in a catch handler runs finally and propagates the new error", () => {
  const defs = "(define log (atom []))";
  const v = evalSync(
    defs,
    '(try (try (error "a") (catch e (error "b")) (finally (atom-swap! log conj :fin))) (catch e [(error-msg e) @log]))',
  );
  assert.equal(write(v), '["b" [:fin]]');
});

test("a try that completed leaves no handler behind to catch later errors", () => {
  const e = failureOf("(define (f) (try 1 (catch e :caught)))", "(begin (f) (car 1))");
  assert.equal(e.message, "car: expected a list, got 1");
  const { m } = machineFor(
    "",
    "(let loop ((i 0)) (if (< i 100000) (begin (try (+ i 1) (catch e 0) (finally 1)) (loop (+ i 1))) :done))",
  );
  assert.equal(m.step(Infinity), "done");
  assert.equal(m.val, Keyword.of("done"));
  assert.equal(m.handlers, null, "100,000 tries left handlers on the stack");
});

test("a recursive call inside try is caught by the innermost try", () => {
  assert.equal(evalSync('(define (f n) (try (if (= n 0) (error "x") (f (- n 1))) (catch e n)))', "(f 3)"), 0);
});

test("raising a non-error value gives an error value that carries it", () => {
  assert.equal(
    write(evalSync("", "(try (raise 42) (catch e [(error-msg e) (error? e)]))")),
    '["raised a non-error value: 42" #t]',
  );
});

test("try/catch survives being stepped a few steps at a time", () => {
  const defs = `(define (work n acc) (if (= n 0) (error "done working") (work (- n 1) (+ acc n))))`;
  const { m } = machineFor(defs, '(try (work 5000 0) (catch e (str "caught " (error-msg e))) (finally 0))');
  const { result } = runInSlices(m, 7);
  assert.equal(result, "done");
  assert.equal(m.val, "caught done working");
});

// ---- cancellation --------------------------------------------------------------------------

test("cancelling a running machine runs finally and is not caught by catch", () => {
  const { m, session } = machineFor(
    "(define log (atom []))",
    "(try (let loop ((i 0)) (loop (+ i 1))) (catch e (atom-swap! log conj :caught)) (finally (atom-swap! log conj :finally)))",
  );
  assert.equal(m.step(10_000), "yield");
  m.requestCancel();
  assert.equal(m.step(10_000), "cancelled");
  assert.equal(write((session.cell("log").v as { value: Value }).value), "[:finally]");
  assert.equal(m.failure, null);
});

test("cancelling a sleeping task runs its finally block", async () => {
  const out = await stdoutOf(`
    (define a (atom :untouched))
    (define t (spawn (lambda () (try (sleep 10000) (finally (atom-reset! a :cleaned))))))
    (sleep 5)
    (task-cancel t)
    (sleep 5)
    (prn @a (task-status t))`);
  assert.equal(out, ":cleaned :cancelled\n");
});

test("a task that cancels itself stops at its next wait instead of waiting it out; its finally blocks may still wait", async () => {
  const r = await runOk(
    `
    (define c (make-channel 1))
    (define t (spawn (lambda ()
      (try (begin (task-cancel (current-task)) (sleep 10000) (println "not reached"))
        (finally (channel-send c :cleanup) (sleep 1) (println "finally done"))))))
    (prn (task-await t) (task-status t) (channel-recv c))`,
    { clock: "virtual" },
  );
  assert.equal(r.stdout, 'finally done\n{:error "task cancelled" :task 2} :cancelled :cleanup\n');
  assert.equal(
    r.session.scheduler.now(),
    1,
    "the sleep after the self-cancel was cut short: only the finally block's (sleep 1) passed",
  );
});

// ---- set! ownership ----------------------------------------------------------------------

test("set! of a global from another task raises and leaves the value alone", async () => {
  const out = await stdoutOf(`
    (define x 0)
    (define t (spawn (lambda () (set! x 1))))
    (prn (task-await t))
    (prn x)`);
  assert.equal(out, '{:error "set!: x belongs to another task; share state with an atom"}\n0\n');
});

test("set! of a captured local from another task raises", async () => {
  const out = await stdoutOf(`
    (define (make-counter) (let ((n 0)) (lambda () (set! n (+ n 1)) n)))
    (define c (make-counter))
    (c)
    (prn (task-await (spawn (lambda () (c)))))
    (prn (c))`);
  assert.equal(out, '{:error "set!: n belongs to another task; share state with an atom"}\n2\n');
});

test("a task may set! its own variables", async () => {
  const out = await stdoutOf(`
    (prn (task-await (spawn (lambda () (let ((n 0)) (set! n 5) (set! n (+ n 1)) n)))))`);
  assert.equal(out, "6\n");
});

test("an uncaught set! error in a spawned task is reported on stderr with its task", async () => {
  const r = await runOk("(define x 0)\n(spawn (lambda () (set! x 1)))\n(sleep 10)\n(prn x)\n", { file: "own.lisp" });
  assert.equal(r.stdout, "0\n");
  assert.match(r.stderr, /error in task \d+ \(spawned at own\.lisp:2:1\)/);
  assert.match(r.stderr, /own\.lisp:2:19: runtime error: set!: x belongs to another task; share state with an atom/);
});

test("set! of an undefined variable raises with a hint", () => {
  const e = failureOf("", "(set! nowhere 2)");
  assert.equal(e.message, "set!: undefined variable: nowhere");
  assert.match(e.hint ?? "", /define it first/);
});

// ---- macros ------------------------------------------------------------------------------

test("a defmacro with quasiquote, unquote and splicing expands and runs", () => {
  assert.equal(write(evalSync("(defmacro lst (& xs) `(list ,@xs 0))", "(lst 1 2 (+ 1 2))")), "(1 2 3 0)");
  assert.equal(write(evalSync("(defmacro m (x) `(list ,x (quote ,x)))", "(m (+ 1 2))")), "(3 (+ 1 2))");
  assert.equal(write(evalSync("(define x 5)", "`[1 ,x ,@(list 2 3)]")), "[1 5 2 3]");
  assert.equal(write(evalSync("", "`{:a ,(+ 1 2)}")), "{:a 3}");
  assert.equal(write(evalSync("", "`(1 (2 ,(+ 1 2)) ,@'() 4)")), "(1 (2 3) 4)");
});

test("gensym keeps a macro's temporary from capturing the caller's variable", () => {
  const defs = `(defmacro my-or2 (a b) (let ((t (gensym "t"))) \`(let ((,t ,a)) (if ,t ,t ,b))))
                (defmacro swap! (a b) (let ((tmp (gensym))) \`(let ((,tmp ,a)) (set! ,a ,b) (set! ,b ,tmp))))`;
  assert.equal(evalSync(defs, "(let ((t 5)) (my-or2 #f t))"), 5);
  assert.equal(write(evalSync(defs, "(let ((tmp 1) (y 2)) (swap! tmp y) [tmp y])")), "[2 1]");
  assert.equal(evalSync("", "(eq? (gensym) (gensym))"), false);
});

test("a macro defined by one form applies to the forms after it in the same program", async () => {
  const out = await stdoutOf(`
    (defmacro unless2 (c & body) \`(if ,c nil (begin ,@body)))
    (unless2 #f (println "ran"))
    (unless2 #t (println "skipped"))
    (defmacro defconst (name v) \`(define ,name ,v))
    (defconst answer 42)
    (prn answer)`);
  assert.equal(out, "ran\n42\n");
});

test("an error inside a macro expansion names the macro", () => {
  const e = lispErrorOf(() => machineFor("(defmacro bad (x) (car x))", "(bad 5)"));
  assert.match(e.message, /bad/);
  assert.match(e.message, /car: expected a list, got 5/);
});

// ---- internal define ---------------------------------------------------------------------

test("define inside lambda, let, when, unless, cond and begin bodies binds locally", () => {
  assert.equal(evalSync("(define (f) (define a 1) (define (g) (+ a 1)) (g))", "(f)"), 2);
  assert.equal(evalSync("", "(let ((x 1)) (define y 2) (+ x y))"), 3);
  assert.equal(evalSync("", "(when #t (define z 5) (* z 2))"), 10);
  assert.equal(evalSync("", "(unless #f (define q 3) (+ q 1))"), 4);
  assert.equal(evalSync("", "(cond (#t (define q 3) (* q 2)))"), 6);
  assert.equal(evalSync("", "((lambda (x) (define y (* x 2)) (define z (+ y 1)) z) 4)"), 9);
  assert.equal(evalSync("", "(let loop ((i 0)) (define j (+ i 1)) (if (< j 10) (loop j) j))"), 10);
});

test("internal definitions may be mutually recursive and are captured by inner lambdas", () => {
  const defs = `(define (f n)
                  (define (ev? n) (if (= n 0) #t (od? (- n 1))))
                  (define (od? n) (if (= n 0) #f (ev? (- n 1))))
                  (define k (lambda () (ev? n)))
                  (k))`;
  assert.equal(evalSync(defs, "(f 10)"), true);
  assert.equal(evalSync(defs, "(f 7)"), false);
});

test("an internal define does not leak into the global environment", () => {
  const e = failureOf("(define (f) (define secret 1) secret)", "(begin (f) secret)");
  assert.match(e.message, /^undefined variable: secret/);
});

test("Clojure spellings: defn with a vector, fn with &, let with a vector, :else in cond", () => {
  assert.equal(write(evalSync("(defn k [a & r] [a r])", "(k 1 2 3)")), "[1 (2 3)]");
  assert.equal(evalSync("", "((fn [x y] (- x y)) 5 3)"), 2);
  assert.equal(evalSync("", "(let [a 1 b (+ a 1)] (* a b 10))"), 20);
  assert.equal(evalSync("", "(cond ((= 1 2) :no) (:else :yes))"), Keyword.of("yes"));
  assert.equal(evalSync("", "(not= 1 2)"), true);
  assert.equal(evalSync("", "(nil? nil)"), true);
});

// ---- errors: positions, suggestions, arity ---------------------------------------------------

test("an unbound variable names file:line:col and suggests the close name", async () => {
  const r = await runProgram("(define files 1)\n(define (f)\n  (print fies))\n(f)\n", { file: "s.lisp" });
  assert.equal(r.outcome.status, "failed");
  assert.equal(r.outcome.code, 1);
  assert.equal(r.outcome.error?.message, "undefined variable: fies (did you mean files?)");
  assert.match(r.rendered ?? "", /^s\.lisp:3:3: runtime error: undefined variable: fies \(did you mean files\?\)/);
  assert.match(r.rendered ?? "", /3 \|   \(print fies\)\)/);
  assert.match(r.rendered ?? "", /at f \(s\.lisp:3:3\)/);
});

test("a misspelled builtin suggests the builtin", () => {
  const e = failureOf("", '(string-lenght "abc")');
  assert.equal(e.message, "undefined variable: string-lenght (did you mean string-length?)");
});

test("an unbound variable alone on a top-level line still names file:line:col", async () => {
  // A bare symbol is not a list and carries no position of its own; the error must still say where.
  const r = await runProgram("(define files 1)\nfies\n", { file: "bare.lisp" });
  assert.equal(r.outcome.status, "failed");
  assert.match(r.outcome.error?.message ?? "", /undefined variable: fies \(did you mean files\?\)/);
  assert.ok(r.outcome.error?.loc, `no position in: ${r.rendered}`);
  assert.equal(r.outcome.error?.loc?.file, "bare.lisp");
  assert.equal(r.outcome.error?.loc?.line, 2);
});

test("a runtime error in a callee names the call's position and the Lisp call stack", async () => {
  const r = await runProgram("(define (f x)\n  (+ 1 (car x)))\n(define (g y) (+ 1 (f y)))\n(g 5)\n", {
    file: "stack.lisp",
  });
  assert.equal(r.outcome.status, "failed");
  assert.equal(r.outcome.error?.message, "car: expected a list, got 5");
  assert.deepEqual(r.outcome.error?.loc, { file: "stack.lisp", line: 2, col: 8 });
  const rendered = r.rendered ?? "";
  assert.match(rendered, /^stack\.lisp:2:8: runtime error: car: expected a list, got 5/);
  // (g 5) is the last call of its top-level form, a tail call, so no <toplevel> frame remains
  assert.match(
    rendered,
    /call stack \(innermost first\):\n {2}at f \(stack\.lisp:2:8\)\n {2}at g \(stack\.lisp:3:20\)/,
  );
});

test("arity errors name the function and the counts", () => {
  assert.equal(failureOf("(define (f a b) a)", "(f 1)").message, "f: expected 2 arguments, got 1");
  assert.equal(failureOf("(define g (lambda (x) x))", "(g)").message, "g: expected 1 argument, got 0");
  assert.equal(failureOf("", "(car 1 2)").message, "car: expected 1 argument, got 2");
  assert.equal(failureOf("(defn k [a b & r] a)", "(k 1)").message, "k: expected at least 2 arguments, got 1");
});

test("an arity error for a variadic function with one required argument is singular", () => {
  assert.equal(failureOf("(define (h a . rest) a)", "(h)").message, "h: expected at least 1 argument, got 0");
});

test("calling a non-function names the value", () => {
  assert.match(failureOf("", "(5 1)").message, /^not a function: 5/);
  const e = failureOf("", '((make-error "gone") 1)');
  assert.match(e.message, /^not a function: \{:error "gone"\}/);
  assert.match(e.hint ?? "", /the value is an error: gone/);
});

test("keywords, maps and vectors can be called as functions", () => {
  assert.equal(evalSync("", '(:name {:name "ann"})'), "ann");
  assert.equal(evalSync("", '(:missing {:name "ann"} :dflt)'), Keyword.of("dflt"));
  assert.equal(evalSync("", "({:a 1} :a)"), 1);
  assert.equal(evalSync("", "([10 20 30] 1)"), 20);
  assert.equal(evalSync("", '(:status (make-error "nf" {:status 404}))'), 404);
  assert.match(failureOf("", "([1 2] 5)").message, /vector index out of range: 5 \(size 2\)/);
});

test("syntax errors in special forms are raised before anything runs", () => {
  const e = lispErrorOf(() => machineFor("", "(if)"));
  assert.equal(e.kind, "syntax");
  assert.match(e.message, /if/);
});

test("the read datum of a form is plain data: a quoted program is not evaluated", () => {
  const form = read1("(car (quote (1 2)))");
  assert.ok(equals(evalSync("", "'(car (quote (1 2)))"), form));
});

// ---- literals and deep code ----------------------------------------------------------------

test("vector and map literal elements are evaluated left to right", () => {
  const defs = "(define log (atom [])) (define (t x) (atom-swap! log conj x) x)";
  assert.equal(
    write(evalSync(defs, "[[(t 1) (t 2)] {(t :a) (t 3) (t :b) (t 4)} @log]")),
    "[[1 2] {:a 3 :b 4} [1 2 :a 3 :b 4]]",
  );
});

test("a map literal never silently drops an entry whose key form repeats", () => {
  // {(f) 1 (f) 2}: the two key forms are equal as data, so the reader used to merge them into
  // one entry before anything ran; the first key's side effect and entry vanished. Either
  // evaluating every entry or rejecting the duplicate key (as Clojure's reader does) is fine.
  const defs = "(define n (atom 0))";
  let result: string;
  try {
    result = write(evalSync(defs, "[{(atom-swap! n inc) :x (atom-swap! n inc) :y} @n]"));
  } catch (e) {
    assert.ok(e instanceof LispError, String(e));
    assert.equal(e.kind, "read");
    assert.match(e.message, /duplicate/i);
    return;
  }
  assert.equal(result, "[{1 :x 2 :y} 2]");
});

test("code nested up to the reader's depth limit compiles and runs", () => {
  const n = 990;
  assert.equal(evalSync("", "(+ 1 ".repeat(n) + "0" + ")".repeat(n)), n);
  assert.equal(evalSync("", "(let ((x 1)) ".repeat(n) + "x" + ")".repeat(n)), 1);
  assert.equal(evalSync("", "(if #t ".repeat(n) + "1" + " 2)".repeat(n)), 1);
});

// regression: a function that loops in place (a self tail call reusing its slots) must clear its
// inner defines, or a read before the define sees the previous iteration's value
test("a function looping in place still reports a define read before it ran", () => {
  const err = failureOf("(define (f n) (define y (if (= n 2) x 0)) (define x n) (if (< n 2) (f (+ n 1)) y))", "(f 0)");
  assert.match(err.message, /x is used before its definition ran/);
});

test("a function looping in place gives the same results as fresh activations", () => {
  assert.equal(
    write(evalSync("(define (swap a b n) (if (= n 0) (list a b) (swap b a (- n 1))))", "(swap 1 2 3)")),
    "(2 1)",
  );
  assert.equal(
    evalSync("", "(let loop ((i 0) (acc 0)) (define sq (* i i)) (if (= i 100000) acc (loop (+ i 1) (+ acc sq))))"),
    333328333350000,
  );
});
