// checkSource (`skein check`): unknown names with the "did you mean" of the running program,
// wrong arity of known functions, unknown keyword options — without running anything — and no
// findings for correct programs (the examples, every scope a special form makes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { checkSource, formatFinding, optionsOf } from "../../src/session/check.js";
import { allSpecs } from "../../src/lib/registry.js";
import { projectRoot } from "../helpers.js";

const check = (code: string) => checkSource(code, "t.lisp").map(formatFinding);

test("unknown names are found with their meaning or spelling, at the position of the form", () => {
  assert.deepEqual(
    check(`(define t (spawn (fn [] 1)))
(cancel t)
(println (list-ref [1 2] 1) (strng-length "a"))
(str/join "," ["a"])
(println undefined-thing)`),
    [
      "t.lisp:2:1: undefined variable: cancel (did you mean task-cancel?)",
      "t.lisp:3:29: undefined variable: strng-length (did you mean string-length?)",
      "t.lisp:4:1: undefined variable: str/join (did you mean string-join? (string-join xs sep) for strings; (task-await task) for a task)",
      "t.lisp:5:1: undefined variable: undefined-thing",
    ],
  );
});

test("nothing runs: a check of a program with side effects has none", () => {
  const findings = check(`(println "printed") (exit 3) (write-file "/tmp/skein-check-must-not-exist" "x") (car 5)`);
  assert.deepEqual(findings, []);
  assert.throws(() => readFileSync("/tmp/skein-check-must-not-exist"));
});

test("wrong arity of builtins, prelude functions and the file's own functions, threading included", () => {
  assert.deepEqual(
    check(`(define (greet name) name)
(defn area "doc" [w h] (* w h))
(defn all [& xs] xs)
(define add (lambda (a b) (+ a b)))
(greet "a" "b")
(area 1)
(all)
(add 1)
(take 1 2 3)
(map)
(-> 5 (area 2 3))
(->> 5 (area 2))
(-> 1 greet)`),
    [
      "t.lisp:5:1: greet: expected 1 argument, got 2",
      "t.lisp:6:1: area: expected 2 arguments, got 1",
      "t.lisp:8:1: add: expected 2 arguments, got 1",
      "t.lisp:9:1: take: expected 2 arguments, got 3 (usage: (take n xs))",
      "t.lisp:10:1: map: expected at least 2 arguments, got 0",
      "t.lisp:11:7: area: expected 2 arguments, got 3",
    ],
  );
});

test("a function defined twice with different parameters, a local of the same name, a macro: not arity-checked", () => {
  assert.deepEqual(
    check(`(define (f x) x)
(define (f x y) x)
(f 1 2 3)
(let [take (fn [x] x)] (take 1))
(defmacro twice (x) \`(begin ,x ,x))
(twice (println 1) whatever-the-macro-makes-of-this)
(define (car x y) x)
(car 1 2)
(define (glob pattern & flags) flags)
(glob "*" :anything 1)`),
    [],
  );
});

test("unknown keyword options where the usage line lists them; the option's value is skipped", () => {
  assert.deepEqual(
    check(`(glob "*.txt" :cwdd "x")
(parallel-map inc [1] :max-thread 3 :all :the-value)
(csv-parse "a" :header #t :separator ";")
(select (make-channel) :timeout 5)
(sh "ls" :timeout 5 :input "x")`),
    [
      "t.lisp:1:1: glob: unknown option :cwdd (did you mean :cwd?) (known: :cwd :dot)",
      "t.lisp:2:1: parallel-map: unknown option :max-thread (did you mean :max-threads?) (known: :cores :max-threads :timeout :retries :rate :progress)",
      "t.lisp:2:1: parallel-map: unknown option :all (known: :cores :max-threads :timeout :retries :rate :progress)",
    ],
  );
});

test("every scope a special form makes is known: no false findings", () => {
  assert.deepEqual(
    check(`(define (f a . rest) (list a rest))
(defn g [x & more] (let* ((y x) (z (+ y 1))) (list z more)))
(let loop ((i 0) (acc '())) (if (< i 3) (loop (+ i 1) (cons i acc)) acc))
(letrec ((ev? (lambda (n) (if (= n 0) #t (od? (- n 1))))) (od? (lambda (n) (if (= n 0) #f (ev? (- n 1)))))) (ev? 4))
(let [a 1 b (+ a 1)] (* a b))
(try (raise "x") (catch e (error-msg e)) (finally (println "done")))
(cond ((assoc {} :a 1) => keys) ((= 1 2) 1) (else 2))
(case 3 ((1 2) :low) (else :high))
(when #t (define z 4) (+ z 1))
(define (h) (define inner 1) (+ inner later) (define later 2))
\`(a ,(+ 1 2) ,@(list 3) b c)
(quote (anything goes here))
(fn named [n] (if (= n 0) 0 (named (- n 1))))
(define uses-below (fn [] (defined-below 1)))
(define (defined-below x) x)
(:name {:name 1})
@(atom 1)
(string-append "a" (subs "abc" 1))`),
    [],
  );
});

test("Clojure's binding forms and destructuring bind their names", () => {
  const findings = check(`(loop [i 0 acc []] (if (< i 3) (recur-like i) acc))
(doseq [x [1 2] :let [y (* x 2)] :when (odd? y)] (println x y))
(if-let [v (get {} :k)] v :none)
(let [[a b & more] [1 2 3] {:keys [name age] :as person :or {age 0}} {:name "x"}] (list a b more name age person))
(defn h [{:keys [x]} [p q]] (+ x p q))`);
  // a form the compiler does not have (yet) is reported once, by its name; what it binds is known
  const unknown = (name: string) => findings.filter((f) => f.includes(`undefined variable: ${name}`)).length;
  for (const form of ["loop", "doseq", "if-let"]) assert.ok(unknown(form) <= 1, findings.join("\n"));
  assert.deepEqual(
    findings.filter((f) => !/undefined variable: (loop|doseq|if-let|recur-like)\b/.test(f)),
    [],
  );
});

test("a function the file defines with the name of a Clojure form is a call", () => {
  assert.deepEqual(check(`(define (for xs f) (map f xs))\n(for [1 2] inc)\n(for [1 2])`), [
    "t.lisp:3:1: for: expected 2 arguments, got 1",
  ]);
});

test("checkSource never throws, whatever the text", async () => {
  const fc = (await import("fast-check")).default;
  const token = fc.constantFrom(
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "`",
    ",",
    ",@",
    "@",
    " ",
    "\n",
    "define",
    "defn",
    "fn",
    "lambda",
    "let",
    "let*",
    "loop",
    "cond",
    "case",
    "try",
    "catch",
    "finally",
    "->",
    "->>",
    "quote",
    "quasiquote",
    "x",
    "y",
    "&",
    ".",
    ":k",
    ":as",
    ":keys",
    "1",
    '"s"',
    "else",
    "=>",
    "doseq",
    "if-let",
    "begin",
    "when",
    "set!",
    "map",
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
      const findings = checkSource(tokens.join(" "), "f.lisp");
      assert.ok(Array.isArray(findings));
    }),
    { numRuns: 2000 },
  );
});

test("a reader error is the one finding", () => {
  assert.deepEqual(check(`(println "a")\n(let [x 1]`), [
    "t.lisp:2:1: unclosed ( opened at 2:1: expected ) before the end of the file",
  ]);
});

test("the examples and the shared bench programs check clean", () => {
  const dirs = [join(projectRoot(), "examples")];
  for (const dir of dirs)
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".lisp"))) {
      const path = join(dir, name);
      assert.deepEqual(checkSource(readFileSync(path, "utf8"), path).map(formatFinding), [], name);
    }
});

test("the options a usage line lists are the ones the builtin accepts", () => {
  // every options(...) call site of src/ whose list is a literal or a constant of its file
  const root = join(projectRoot(), "src");
  const accepted = new Map<string, string[]>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );
  for (const file of walk(root)) {
    const text = readFileSync(file, "utf8");
    const consts = new Map(
      [...text.matchAll(/const (\w+) = (\[(?:\s*"[^"]*",?)*\s*\]);/g)].map((m) => [m[1], JSON.parse(m[2]) as string[]]),
    );
    for (const m of text.matchAll(/options\(\s*"([^"]+)",\s*\w+,\s*\d+,\s*(\[[^\]]*\]|\w+)\s*\)/g)) {
      const list = m[2].startsWith("[") ? (JSON.parse(m[2]) as string[]) : consts.get(m[2]);
      if (list) accepted.set(m[1], list);
    }
  }
  assert.ok(accepted.size >= 15, `found the call sites (${accepted.size})`);
  for (const spec of allSpecs()) {
    const listed = optionsOf(spec.usage);
    const real = accepted.get(spec.name);
    if (real === undefined) continue;
    assert.deepEqual(
      [...(listed?.names ?? [])].sort(),
      [...real].sort(),
      `${spec.name}: its usage line ${spec.usage} lists the options it accepts`,
    );
  }
});

test("the definitions of a loaded file count; eval or an unreadable load silences unknown names only", () => {
  const files: Record<string, string> = {
    "lib.lisp": '(define (helper x) x)\n(load "deeper.lisp")\n(load "lib.lisp")',
    "deeper.lisp": "(defn deep [a b] a)",
  };
  const read = (p: string) => files[p];
  const run = (code: string, reader?: (p: string) => string | undefined) =>
    checkSource(code, "t.lisp", reader).map(formatFinding);
  assert.deepEqual(run('(load "lib.lisp")\n(helper 1)\n(deep 1)\n(nope)', read), [
    "t.lisp:3:1: deep: expected 2 arguments, got 1",
    "t.lisp:4:1: undefined variable: nope",
  ]);
  assert.deepEqual(run('(load "lib.lisp")\n(helper 1 2)\n(nope)'), [], "no reader: names may come from the file");
  assert.deepEqual(run('(load "missing.lisp")\n(nope)', read), []);
  assert.deepEqual(run('(eval (read-string "(define made 1)"))\n(+ made 1)\n(take 1)'), [
    "t.lisp:3:1: take: expected 2 arguments, got 1 (usage: (take n xs))",
  ]);
});
