// The everyday Clojure forms models write (issue 10 §2): loop/recur, doseq, dotimes, if-let and
// friends, and destructuring in let, loop, fn and defn, with Clojure's meaning; recur only in
// tail position, as a loop in place of the generated function.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ifLetFormDocs, ifLetForms } from "../../src/compiler/specials/if-let.js";
import { SPECIAL_FORMS } from "../../src/compiler/specials/index.js";
import { loopFormDocs, loopForms } from "../../src/compiler/specials/loops.js";
import { write } from "../../src/syntax/printer.js";
import { Closure } from "../../src/vm/objects.js";
import { evalSync, runOk, runProgram, stdoutOf } from "../helpers.js";

const show = (defs: string, expr: string) => write(evalSync(defs, expr));

test("loop/recur: sequential bindings, a recur that swaps, a million rounds in constant memory", () => {
  assert.equal(show("", "(loop [i 0 acc []] (if (< i 4) (recur (inc i) (conj acc i)) acc))"), "[0 1 2 3]");
  assert.equal(show("", "(loop [a 1 b (+ a 1)] [a b])"), "[1 2]");
  assert.equal(show("", "(loop [a 1 b 2 n 3] (if (= n 0) [a b] (recur b a (dec n))))"), "[2 1]");
  assert.equal(show("", "(loop [i 0] (if (< i 1000000) (recur (+ i 1)) i))"), "1000000");
  assert.equal(show("", "(loop [] 7)"), "7");
  // a loop in a non-tail position gives its value to the expression around it
  assert.equal(show("", "(+ 1 (loop [i 0] (if (< i 3) (recur (inc i)) i)) 1)"), "5");
});

test("recur in a fn or defn jumps back to the function itself, a variadic one taking the rest as one list", () => {
  assert.equal(
    show("(defn fact [n acc] (if (<= n 1) acc (recur (dec n) (* acc n))))", "(fact 20 1)"),
    "2432902008176640000",
  );
  assert.equal(
    show("(defn total [acc & xs] (if (empty? xs) acc (recur (+ acc (car xs)) (cdr xs))))", "(total 0 1 2 3)"),
    "6",
  );
  assert.equal(show("", "((fn [n] (if (> n 0) (recur (dec n)) :done)) 100000)"), ":done");
  assert.equal(show("", "(#(if (< % 10) (recur (* % 2)) %) 1)"), "16");
  // recur in a fn inside a loop belongs to that fn, as in Clojure
  assert.equal(
    show("", "(loop [i 0] (if (< i 2) (recur (inc i)) ((fn [n] (if (< n 5) (recur (inc n)) [i n])) 0)))"),
    "[2 5]",
  );
  // the body's definitions start afresh each time round
  assert.equal(
    show("(defn f [n seen] (define x (* n n)) (if (= n 0) seen (recur (dec n) (conj seen x))))", "(f 3 [])"),
    "[9 4 1]",
  );
});

test("recur outside tail position, with the wrong count or outside any function is a syntax error at the recur", async () => {
  const cases: [string, string, boolean][] = [
    ["(loop [i 0]\n  (+ 1 (recur i)))", "3:8: syntax error: recur: not in tail position", true],
    ["(loop [i 0]\n  (try (recur 1) (catch e e)))", "3:8: syntax error: recur: not in tail position", true],
    ["(loop [i 0]\n  (if (< i 3) (do (recur (inc i)) 1) i))", "3:19: syntax error: recur: not in tail position", true],
    ["(doseq [x [1 2]]\n  (recur x))", "3:3: syntax error: recur: not in tail position", true],
    ["(dotimes [i 2] (recur))", "2:28: syntax error: recur: not in tail position", true],
    ["(loop [i 0]\n  (recur 1 2))", "3:3: syntax error: recur: expected 1 argument, got 2", false],
    [
      "(defn f [a & more]\n  (recur 1))",
      "3:3: syntax error: recur: expected 2 arguments (1 parameters and the rest as one list), got 1",
      false,
    ],
  ];
  for (const [src, message, hint] of cases) {
    const r = await runProgram(`(println "ran")\n(define (g) ${src})`);
    assert.equal(r.outcome.status, "failed", src);
    assert.equal(r.stdout, "ran\n", `${src}: the forms before the one with the error ran`);
    assert.ok(r.rendered?.includes(`test.lisp:${message}`), `${src}\n${r.rendered}`);
    if (hint) assert.match(r.rendered ?? "", /help: recur must be the last thing/, src);
  }
  const outside = await runProgram("(recur 1)");
  assert.match(outside.rendered ?? "", /test\.lisp:1:1: syntax error: recur outside of a loop, fn or defn/);
});

test("closures made inside loop, dotimes and doseq keep the values of their own time round", () => {
  assert.equal(
    show("", "(loop [i 0 fs []] (if (< i 3) (recur (inc i) (conj fs (fn [] i))) (map #(%) fs)))"),
    "(0 1 2)",
  );
  assert.equal(
    show("", "(let [fs (atom [])] (dotimes [i 3] (atom-swap! fs conj (fn [] i))) (map #(%) @fs))"),
    "(0 1 2)",
  );
  assert.equal(
    show("", "(let [fs (atom [])] (doseq [x [:a :b]] (atom-swap! fs conj #(identity x))) (map #(%) @fs))"),
    "(:a :b)",
  );
});

test("the loop forms cannot be captured by locals named loop, recur, if or let, nor by a redefined builtin", () => {
  assert.equal(
    show(
      "",
      "(let loop ((i 0) (acc (atom []))) (if (< i 2) (begin (doseq [x [i]] (atom-swap! acc conj x)) (dotimes [k 1] (atom-swap! acc conj k)) (loop (+ i 1) acc)) @acc))",
    ),
    "[0 0 1 0]",
  );
  assert.equal(
    show(
      "",
      "((fn [if let begin recur out] (doseq [x [1 2]] (atom-swap! out conj x)) (dotimes [i 1] (atom-swap! out conj :i)) (when-let [v 5] (atom-swap! out conj v)) @out) 1 2 3 4 (atom []))",
    ),
    "[1 2 :i 5]",
  );
  assert.equal(
    show(
      "(define (car x) :mine) (define (< a b) #f) (define (seq->list x) '())",
      "(let [out (atom [])] (doseq [x [1 2]] (dotimes [i 2] (atom-swap! out conj [x i]))) @out)",
    ),
    "[[1 0] [1 1] [2 0] [2 1]]",
  );
});

test("doseq: one binding, nested bindings, :when :let :while, maps, strings and nil; returns nil", async () => {
  assert.equal(
    await stdoutOf(`(prn (doseq [x [1 2 3]] (print x "")))
(doseq [x [1 2 3] y [:a :b] :when (odd? x)] (print [x y]))
(newline)
(doseq [x (range 10) :let [y (* x x)] :while (< y 20)] (print y ""))
(newline)
(doseq [[k v] {:a 1 :b 2}] (print k v ""))
(doseq [c "hé"] (print c))
(doseq [x nil] (print "never"))
(newline)
(doseq [x [1 2] :while (< x 2) y [10 20] :while (< y 20)] (print [x y]))`),
    "1 2 3 nil\n[1 :a][1 :b][3 :a][3 :b]\n0 1 4 9 16 \n:a 1 :b 2 hé\n[1 10]",
  );
  const bad = await runProgram("(doseq [x [1] :until 2] x)");
  assert.match(
    bad.rendered ?? "",
    /test\.lisp:1:1: syntax error: doseq: unknown modifier :until \(known: :when :while :let\)/,
  );
  const notSeq = await runProgram("(doseq [x 5] x)");
  assert.match(notSeq.rendered ?? "", /test\.lisp:1:1: runtime error: seq->list: expected a list or vector, got 5/);
});

test("dotimes counts from 0; a count that is not a number is an error at the dotimes", async () => {
  assert.equal(
    await stdoutOf("(prn (dotimes [i 3] (print i)))\n(dotimes [i 0] (print :never))\n(dotimes [i -2] (print :never))"),
    "012nil\n",
  );
  assert.equal(show("", "(let [n (atom 0)] (dotimes [i 2.5] (atom-swap! n inc)) @n)"), "2");
  // a set! or define of the name in the body does not change how many times it runs
  assert.equal(show("", "(let [n (atom 0)] (dotimes [i 3] (set! i 10) (atom-swap! n inc)) @n)"), "3");
  const r = await runProgram('(println "ran")\n(dotimes [i "3"] i)');
  assert.match(r.rendered ?? "", /test\.lisp:2:1: runtime error: dotimes: expected a number of times, got "3"/);
  assert.equal(r.stdout, "ran\n");
});

test("a huge dotimes or an endless loop is preempted: a timeout stops it, task-cancel cancels it, other tasks run", async () => {
  const r = await runOk(
    `(define ticks (atom 0))
(define ticker (spawn (fn [] (dotimes [i 5] (sleep 10) (atom-swap! ticks inc)))))
(define spinner (spawn (fn [] (loop [i 0] (recur (inc i))))))
(define a (timeout 100 (fn [] (dotimes [i 1e15] i))))
(define b (timeout 100 (fn [] (doseq [x (range 1000000)] (loop [j 0] (if (< j 1000) (recur (inc j)) j))))))
(task-cancel spinner)
(task-await ticker)
(list (error-msg a) (error-msg b) (task-status spinner) @ticks)`,
    { clock: "virtual" },
  );
  assert.equal(write(r.value), '("timeout after 100ms" "timeout after 100ms" :cancelled 5)');
});

test("if-let, when-let, if-some and when-some bind a name or a pattern where the test passed", async () => {
  assert.equal(show("", "(if-let [x (get {:a 1} :a)] (inc x) :none)"), "2");
  assert.equal(show("", "(if-let [x false] x :none)"), ":none");
  assert.equal(show("", "(if-let [x nil] x)"), "nil");
  assert.equal(show("", '(when-let [[a b] (list 1 2)] (print "") (+ a b))'), "3");
  assert.equal(show("", "(when-let [{:keys [a]} nil] a)"), "nil");
  assert.equal(show("", "(if-some [x false] [:some x] :none)"), "[:some #f]");
  assert.equal(show("", "(if-some [x nil] x :none)"), ":none");
  assert.equal(show("", "(when-some [x 0] (inc x))"), "1");
  // the test is evaluated once, and the name is not bound in the else branch
  assert.equal(
    show("(define x :outer) (define n (atom 0))", "(list (if-let [x (do (atom-swap! n inc) nil)] x x) @n)"),
    "(:outer 1)",
  );
  for (const [src, message] of [
    ["(if-let [x 1 y 2] x)", /if-let: expected one name and a test, as in \(if-let \[name test\] then \[else\]\)/],
    ["(if-let [x 1])", /if-let: expected a then form and at most an else form/],
    ["(when-some x 1)", /when-some: expected one name and a test, as in \(when-some \[name test\] body\.\.\.\)/],
  ] as const) {
    const r = await runProgram(src);
    assert.match(r.rendered ?? "", new RegExp(`test\\.lisp:1:1: syntax error: ${message.source}`), src);
  }
});

test("vector destructuring: positions, & rest, :as, nesting; nil and short values give nil", () => {
  assert.equal(show("", "(let [[a b & more :as all] [1 2 3 4]] (list a b more all))"), "(1 2 (3 4) [1 2 3 4])");
  assert.equal(show("", "(let [[a [b c] d] '(1 (2 3) 4)] [a b c d])"), "[1 2 3 4]");
  assert.equal(show("", "(let [[a b] nil [c d e] [1] [f & g] [1]] [a b c d e f g])"), "[nil nil 1 nil nil 1 nil]");
  assert.equal(show("", '(let [[a b & cs] "héllo"] [a b cs])'), '["h" "é" ("l" "l" "o")]');
  assert.equal(show("", "(let [[x y] [1 2] [y x] [x y]] [x y])"), "[2 1]");
});

test("map destructuring: :keys :strs :syms, :or only for absent keys, :as, {name key}, keyword arguments", () => {
  assert.equal(show("", "(let [{:keys [a b] :or {b 2} :as m} {:a 1}] [a b m])"), "[1 2 {:a 1}]");
  assert.equal(show("", "(let [{:keys [a] :or {a 1}} {:a nil}] a)"), "nil");
  assert.equal(show("", `(let [{:strs [a] :syms [b] :keys [:c]} {"a" 1 'b 2 :c 3}] [a b c])`), "[1 2 3]");
  assert.equal(
    show("", "(let [{x :x [y z] :yz {w :w} :inner} {:x 1 :yz [2 3] :inner {:w 4}}] [x y z w])"),
    "[1 2 3 4]",
  );
  assert.equal(show("", "(let [{:keys [a]} nil {b 0} [7]] [a b])"), "[nil 7]");
  assert.equal(show("", '(let [{:keys [error]} (make-error "boom")] error)'), '"boom"');
  assert.equal(
    show("(defn f [a & {:keys [x y] :or {y 9}}] [a x y])", "(list (f 1 :x 2) (f 1) (f 1 {:x 3}))"),
    "([1 2 9] [1 nil 9] [1 3 9])",
  );
});

test("destructured fn, defn and loop parameters; (doc f) shows the patterns", async () => {
  assert.equal(show("", "((fn [[a b] {:keys [c]}] (+ a b c)) [1 2] {:c 3})"), "6");
  assert.equal(
    show(
      "(defn dist [{:keys [x y]} & [scale]] (* (+ x y) (or scale 1)))",
      "(list (dist {:x 1 :y 2}) (dist {:x 1 :y 2} 10))",
    ),
    "(3 30)",
  );
  assert.equal(show("", "(loop [[x & xs] [1 2 3] sum 0] (if x (recur xs (+ sum x)) sum))"), "6");
  assert.equal(show("", "(map (fn [[k v]] (str k v)) {:a 1})"), '(":a1")');
  assert.equal(show("(define (g [a b] . more) (list a b more))", "(g [1 2] 3)"), "(1 2 (3))");
  assert.equal(
    await stdoutOf('(defn f "Adds." [[a b] {:keys [c]} & [d]] (+ a b c))\n(doc f)'),
    "(f [a b] {:keys [c]} & [d])\n  Adds.\n",
  );
  // a fn with a pattern parameter still loops in place when it calls itself in tail position
  const f = evalSync("(define (walk [x & xs] n) (if x (walk xs (+ n x)) n))", "walk");
  assert.ok(f instanceof Closure);
  assert.match(f.code.fn.toString(), /self tail call/);
  assert.equal(show("(define (walk [x & xs] n) (if x (walk xs (+ n x)) n))", "(walk (range 100000) 0)"), "4999950000");
});

test("destructuring a value of the wrong kind is an error naming the pattern, the value and the position", async () => {
  const cases: [string, string][] = [
    ["(let [[a b] 5] a)", "destructuring [a b]: expected a list, vector, string or nil, got 5"],
    ["(let [{:keys [a]} 5] a)", "destructuring {:keys [a]}: expected a map, nil or a list of keys and values, got 5"],
    [
      "(let [{:keys [a]} '(:a 1 :b)] a)",
      "destructuring {:keys [a]}: expected a map, nil or a list of keys and values, got (:a 1 :b)",
    ],
    ["((fn [[a]] a) {:a 1})", "destructuring [a]: expected a list, vector, string or nil, got {:a 1}"],
  ];
  for (const [src, message] of cases) {
    const r = await runProgram(`(println "ran")\n${src}`);
    assert.equal(r.stdout, "ran\n", src);
    assert.match(
      r.rendered ?? "",
      new RegExp(`test\\.lisp:2:\\d+: runtime error: ${message.replace(/[[\]{}()*+.?]/g, "\\$&")}`),
      src,
    );
  }
});

test("malformed patterns are syntax errors before anything runs", async () => {
  const cases: [string, string][] = [
    ["(let [[a & b c] [1]] a)", "let: only :as may follow the & part of [a & b c]"],
    ["(let [[a &] [1]] a)", "let: & in [a &] must be followed by one name or pattern"],
    ["(let [[a :as] [1]] a)", "let: :as in [a :as] must be followed by one name, at the end"],
    ["(let [{:foo [a]} {}] a)", "let: unknown option :foo in {:foo [a]} (known: :keys :strs :syms :or :as)"],
    ["(let [{:keys a} {}] a)", "let: :keys in {:keys a} must be followed by a vector of names"],
    ["(let [{:keys [1]} {}] 1)", "let: :keys in {:keys [1]} takes names, got 1"],
    [
      "(let [{:keys [a] :or [a 1]} {}] a)",
      "let: :or in {:keys [a] :or [a 1]} must be a map of names to default values",
    ],
    ["(let [5 1] 1)", "let: expected a name, a [vector] or a {map} pattern to bind, got 5"],
    ["(loop [[a] 1 b] a)", "loop: a binding vector needs name value pairs"],
    ["(fn [a 5] a)", "parameter names must be symbols or [vector] or {map} patterns, got 5"],
  ];
  for (const [src, message] of cases) {
    const r = await runProgram(`(println "ran")\n(define (g) ${src})`);
    assert.equal(r.stdout, "ran\n", src);
    assert.ok(r.rendered?.includes(`syntax error: ${message}`), `${src}\n${r.rendered}`);
  }
});

test("recur compiles to a jump back to the top of the generated function, charged to the step budget", () => {
  const defs = "(define (sum n) (loop [i 0 acc 0] (if (< i n) (recur (+ i 1) (+ acc i)) acc)))";
  assert.equal(evalSync(defs, "(sum 10)"), 45);
  const f = evalSync("(defn count-up [i n] (if (< i n) (recur (+ i 1) n) i))", "count-up");
  assert.ok(f instanceof Closure);
  const recurs = f.code.fn
    .toString()
    .split("\n")
    .filter((line) => line.includes("// recur"));
  assert.equal(recurs.length, 1);
  assert.match(
    recurs[0],
    /^\{ const a0 = T\d+; const a1 = v3; v2 = a0; v3 = a1; +pc = 0; if \(--m\.budget < 0\) break sw; continue; \} \/\/ recur$/,
  );
});

test("every form of loops.ts and if-let.ts has a usage line and a doc string for (doc name)", () => {
  const forms = { ...loopForms, ...ifLetForms };
  const docs: Record<string, { usage: string; doc: string }> = { ...loopFormDocs, ...ifLetFormDocs };
  assert.deepEqual(Object.keys(docs).sort(), Object.keys(forms).sort());
  for (const [name, { usage, doc }] of Object.entries(docs)) {
    assert.ok(usage.startsWith(`(${name} `), `${name}: ${usage}`);
    assert.ok(doc.length > 20, name);
    assert.ok(SPECIAL_FORMS.get(name) === forms[name], `${name} is in the table of special forms`);
  }
});
