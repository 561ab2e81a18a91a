// Whole programs run through Session.run with a fake host: stdout is checked exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fakeHost, runOk, runProgram, stdoutOf } from "../helpers.js";

test("closures keep independent counters and capture their arguments", async () => {
  const out = await stdoutOf(`
(define (make-counter)
  (let ((n 0))
    (lambda () (set! n (+ n 1)) n)))
(define a (make-counter))
(define b (make-counter))
(a) (a) (b)
(println "a:" (a) "b:" (b))
(define (adder k) (fn [x] (+ x k)))
(println (map (adder 10) [1 2 3]))
(define shared (atom 0))
(define (make-acc) (lambda (d) (atom-swap! shared + d)))
((make-acc) 5)
((make-acc) 7)
(prn @shared)
`);
  assert.equal(out, "a: 3 b: 2\n(11 12 13)\n12\n");
});

test("higher-order prelude functions over records: map filter reduce sort-by group-by", async () => {
  const out = await stdoutOf(`
(define people [{:name "ann" :age 31 :dept :eng}
                {:name "bob" :age 25 :dept :ops}
                {:name "cy" :age 40 :dept :eng}])
(println (map :name (sort-by :age people)))
(prn (group-by :dept people))
(prn (reduce + (map :age people) 0) (reduce + (map :age people)))
(prn (map :name (filter (lambda (p) (> (:age p) 30)) people)))
(prn (map :name (remove (lambda (p) (> (:age p) 30)) people)))
(prn (some even? [1 3 4 5]) (some even? [1 3]) (every? odd? [1 3]) (apply + 1 2 [3 4]))
(prn ((comp inc inc) 1) ((partial * 3) 5) (take 2 (range 10)) (drop 8 (range 10)) (zip [1 2] '(a b)))
(prn (distinct [1 2 1 3 2]) (flatten [1 [2 [3 '(4)]]]) (reverse [1 2 3]) (into [] '(1 2)) (count {:a 1}))
(prn (map + [1 2 3] [10 20 30]) (reduce (lambda (acc x) (conj acc (* x x))) (range 5) []))
(prn (sort [3 1 2]) (sort ["b" "a"]) (sort [3 1 2] >) (nth [1 2 3] 1) (member 2 '(1 2 3)) (member 9 '(1 2)))
(prn (range 3) (range 1 4) (range 0 10 3) (first '()) (rest '()) (empty? []) (length "abc"))
`);
  assert.equal(
    out,
    [
      '("bob" "ann" "cy")',
      '{:eng ({:name "ann" :age 31 :dept :eng} {:name "cy" :age 40 :dept :eng}) :ops ({:name "bob" :age 25 :dept :ops})}',
      "96 96",
      '("ann" "cy")',
      '("bob")',
      "#t nil #t 10",
      "3 15 (0 1) (8 9) ((1 a) (2 b))",
      "(1 2 3) (1 2 3 4) (3 2 1) [1 2] 1",
      "(11 22 33) [0 1 4 9 16]",
      '(1 2 3) ("a" "b") (3 2 1) 2 (2 3) #f',
      "(0 1 2) (1 2 3) (0 3 6 9) nil () #t 3",
      "",
    ].join("\n"),
  );
});

test("map, filter and friends return lists whatever sequence they were given", async () => {
  const out = await stdoutOf(`(prn (map inc [1 2]) (filter odd? [1 2 3]) (map inc '(1 2)))`);
  assert.equal(out, "(2 3) (1 3) (2 3)\n");
});

test("string functions: split, join, trim, case, search, replace, format, regex", async () => {
  const out = await stdoutOf(`
(define s "  Hello, World  ")
(prn (string-trim s) (string-upcase "abc") (string-downcase "ABC") (string-length "héllo"))
(prn (string-split "a,b,,c" ",") (string-join ["x" "y" "z"] ", ") (string-lines "l1\\nl2\\n"))
(prn (substring "hello" 1 3) (string-replace "a-b-c" "-" "+") (string-contains? "hello" "ell"))
(prn (string-starts-with? "hello" "he") (string-ends-with? "hello" "lo"))
(prn (string->number "42") (string->number "x") (number->string 3.5) (str "n=" 1 " " :k " " nil "end"))
(println (format "~a has ~s items" "cart" "3"))
(prn (regex-match "(\\\\d+)-(\\\\d+)" "tel 12-34") (regex-find-all "\\\\d" "a1b2c3") (regex-replace "\\\\s+" "a  b   c" " "))
`);
  assert.equal(
    out,
    [
      '"Hello, World" "ABC" "abc" 5',
      '("a" "b" "" "c") "x, y, z" ("l1" "l2")',
      '"el" "a+b+c" #t',
      "#t #t",
      '42 nil "3.5" "n=1 :k end"',
      'cart has "3" items',
      '("12-34" "12" "34") ("1" "2" "3") "a b c"',
      "",
    ].join("\n"),
  );
});

test("numbers print integral results without a point and others with one", async () => {
  const out = await stdoutOf(
    `(prn (/ 6 3) (/ 7 2) (* 1.5 2) 1e6 (+ 0.1 0.2) (quotient 7 2) (modulo -7 3) (expt 2 10))`,
  );
  assert.equal(out, "2 3.5 3 1000000 0.30000000000000004 3 2 1024\n");
});

test("failed operations return error values; programming errors raise", async () => {
  const out = await stdoutOf(`
(define e (make-error "not found" {:status 404}))
(prn (error? e) (error-msg e) (error-data e) (map-get e :error) (map-get e :status) (:status e))
(prn (error? {:error "x"}))
(define ch (make-channel 1))
(channel-close ch)
(define r (channel-recv ch))
(prn r (error? r))
(prn (error? (json-parse "{bad")))
(prn (timeout 20 (lambda () (sleep 1000) :late)))
(prn (try (/ 1 0) (catch err (error-msg err))))
(prn (try (+ 1 e) (catch err (error-msg err))))
(prn (try (error "custom") (catch err err)))
(prn (try (car '()) (catch err (error-msg err))))
`);
  assert.equal(
    out,
    [
      '#t "not found" {:status 404} "not found" 404 404',
      "#f",
      '{:error "channel closed"} #t',
      "#t",
      '{:error "timeout after 20ms"}',
      '"division by zero"',
      '"+: expected a number, got an error value: not found"',
      '{:error "custom"}',
      '"car: expected a non-empty list, got ()"',
      "",
    ].join("\n"),
  );
});

test("an error escaping the main task stops the program after what it printed", async () => {
  const r = await runProgram(`(println "before")\n(car '())\n(println "never")\n`, { file: "main.lisp" });
  assert.equal(r.stdout, "before\n");
  assert.equal(r.outcome.status, "failed");
  assert.equal(r.outcome.code, 1);
  assert.match(r.rendered ?? "", /^main\.lisp:2:1: runtime error: car: expected a non-empty list, got \(\)/);
});

test("a producer, a pool of workers and a results channel compute every square", async () => {
  const out = await stdoutOf(`
(define jobs (make-channel 10))
(define results (make-channel 10))
(define (worker id)
  (let loop ()
    (let ((j (channel-recv jobs)))
      (unless (error? j)
        (channel-send results (* j j))
        (loop)))))
(define ws (map (lambda (i) (spawn (lambda () (worker i)))) (range 3)))
(for-each (lambda (j) (channel-send jobs j)) (range 1 11))
(channel-close jobs)
(for-each task-await ws)
(channel-close results)
(prn (sort (channel->list results)))
(prn (channel-recv (spawn-link (lambda () (+ 1 2)))))
(prn (channel-recv (spawn-link (lambda () (car 1)))))
(prn (parallel-map (lambda (x) (if (= x 2) (error "two") (* x 10))) [1 2 3]))
`);
  assert.equal(
    out,
    [
      "(1 4 9 16 25 36 49 64 81 100)",
      "3",
      '{:error "car: expected a list, got 1"}',
      '(10 {:error "two" :input 2} 30)',
      "",
    ].join("\n"),
  );
});

test("atom-swap! from 20 tasks x 1,000 increments loses no update", async () => {
  const out = await stdoutOf(`
(define c (atom 0))
(define ts (map (lambda (_) (spawn (lambda () (for-each (lambda (_) (atom-swap! c inc)) (range 1000))))) (range 20)))
(for-each task-await ts)
(prn @c)`);
  assert.equal(out, "20000\n");
});

test("exit stops the program with its status and runs nothing after it", async () => {
  const r = await runProgram(`(println "one")\n(exit 3)\n(println "two")\n`);
  assert.equal(r.stdout, "one\n");
  assert.equal(r.outcome.status, "exit");
  assert.equal(r.outcome.code, 3);
});

test("a main task blocked forever reports a deadlock naming where it waits", async () => {
  const r = await runProgram('(define ch (make-channel))\n(println "waiting")\n(channel-recv ch)\n', {
    file: "dl.lisp",
  });
  assert.equal(r.stdout, "waiting\n");
  assert.equal(r.outcome.status, "deadlock");
  assert.equal(r.outcome.code, 1);
  assert.match(
    r.outcome.error?.message ?? "",
    /^deadlock: main task waits on channel-recv at dl\.lisp:3:1; no other task can run/,
  );
});

test("command-line-args returns the script's arguments as strings", async () => {
  const r = await runProgram("(prn (command-line-args))", { file: "args.lisp", host: fakeHost(["a", "b c"]) });
  assert.equal(r.stdout, '("a" "b c")\n');
});

test("a spawned task's uncaught error goes to stderr and the program goes on", async () => {
  const r = await runOk('(spawn (lambda () (error "bg failed")))\n(sleep 10)\n(println "main done")\n', {
    file: "bg.lisp",
  });
  assert.equal(r.stdout, "main done\n");
  assert.match(r.stderr, /error in task \d+ \(spawned at bg\.lisp:1:1\)/);
  assert.match(r.stderr, /bg failed/);
});

test("work spawned last is not lost when the main task finishes", async () => {
  const r = await runOk('(spawn (lambda () (sleep 20) (println "late")))\n(println "main")\n');
  assert.equal(r.stdout, "main\nlate\n");
});

test("builtins called directly (arguments without an array) and through apply (an array) behave alike", async () => {
  const out = await stdoutOf(`
    (define ch (make-channel 2))
    (prn (channel-send ch 1) (apply channel-send (list ch 2)))
    (prn (channel-recv ch) (apply channel-recv (list ch)))
    (define a (atom 1))
    (prn (atom-swap! a inc) (apply atom-swap! (list a inc)) (atom-swap! a (lambda (x) (* x 10))) (atom-swap! a + 5))
    (define t1 (spawn (lambda () (channel-send ch :from-task))))
    (define t2 (apply spawn (list (lambda () :second))))
    (prn (channel-recv ch) (task-await t1) (task-await t2))
    (channel-close ch)
    (prn (error? (channel-send ch 3)) (error? (apply channel-send (list ch 3))) (error? (channel-recv ch)))
    (define (last-send c v) (channel-send c v))
    (define c2 (make-channel))
    (spawn (lambda () (last-send c2 :tail)))
    (prn (channel-recv c2))`);
  assert.equal(out, "#t #t\n1 2\n2 3 30 35\n:from-task #t :second\n#t #t #t\n:tail\n");
});

test("arithmetic and comparisons tried inline on numbers keep the builtins' meaning", async () => {
  const out = await stdoutOf(`
    (define (add a b) (+ a b))
    (define (less a b) (< a b))
    (define (same a b) (= a b))
    (prn (add 1 2) (add 0.5 0.25) (less 1 2) (less 2 1) (same 3 3.0) (same [1] [1]) (same 1 "1"))
    (prn (try (add "a" 1) (catch e (error-msg e))) (try (less 1 :k) (catch e (error-msg e))))
    (prn (let ((+ -)) (+ 5 3)))
    (define (double x) (* x 2))
    (prn (double 5))
    (define * (lambda (a b) (list a b)))
    (prn (double 5))`);
  assert.equal(
    out,
    '3 0.75 #t #f #t #t #f\n"+: expected a number, got \\"a\\"" "<: expected a number, got :k"\n2\n10\n(5 2)\n',
  );
});

test("a call compiled while its name held a builtin still calls whatever the name holds later", async () => {
  const out = await stdoutOf(`
    (define (g x) (first x))
    (define (spin n) (if (= n 0) :done (inc n)))
    (prn (g [1 2]) (spin 0))
    (define first (lambda (x) (list :mine x)))
    (define inc (lambda (n) (spin (- n 2))))
    (prn (g [1 2]) (spin 100000))`);
  assert.equal(out, "1 :done\n(:mine [1 2]) :done\n");
});

test("the head of a call is evaluated before its arguments (issue 9, §5)", async () => {
  const out = await stdoutOf(`
(define (say x v) (println x) v)
(println ((say "f" +) (say "a" 1) (say "b" 2)))
(define g (fn [x] (list :old x)))
(println (g (begin (set! g (fn [x] (list :new x))) 1)))
(println (try (undefined-fn (say "arg" 1)) (catch e (error-msg e))))
`);
  assert.equal(out, "f\na\nb\n3\n(:old 1)\nundefined variable: undefined-fn\n");
});

test("a body's macro expansion sees the body's own definitions (issue 9, §5)", async () => {
  const out = await stdoutOf(`
(defmacro twice (x) \`(list ,x ,x))
(define (f) (define (twice x) (* 2 x)) (twice 5))
(println (f) (let [] (define (twice x) (* 3 x)) (twice 5)) (twice 1))
(define (g) (when #t (define (twice x) (- x)) (twice 4)))
(println (g))
(do (defmacro one () 1) (println (+ (one) 1)))
(begin (defmacro two () 2) (define three (+ (two) 1)) (println three))
(println (eval '(do (defmacro four () 4) (four))))
`);
  assert.equal(out, "10 15 (1 1)\n-4\n2\n3\n4\n");
});
