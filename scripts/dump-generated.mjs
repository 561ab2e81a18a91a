#!/usr/bin/env node
// Prints the JavaScript the compiler generates for a corpus, one Code object after another:
// its source, its constants, its slot count and its call sites. For checking that a change to
// the compiler leaves the generated code alone:
//
//   npm run build && node scripts/dump-generated.mjs > /tmp/before.txt
//   ... change the compiler ...
//   npm run build && node scripts/dump-generated.mjs > /tmp/after.txt && diff /tmp/before.txt /tmp/after.txt
//
// The corpus: the prelude, examples/*.lisp, the .lisp files of ../shared (conformance and
// bench) when present, and the program below, which uses every special form. Every function is
// compiled eagerly; top-level definitions are run (errors ignored) so that later forms see the
// macros and builtins they would see in a real run. Runs the compiled code in dist/.
import { existsSync, readFileSync, readdirSync, statSync, writeSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => pathToFileURL(join(ROOT, "dist", "src", p)).href;
const { Session } = await import(dist("session/session.js"));
const { Builtin, Cell, Code, Macro } = await import(dist("vm/objects.js"));
const { Pair, Sym, formatLoc } = await import(dist("core/types.js"));
const { write } = await import(dist("syntax/printer.js"));

const EVERY_FORM = `
(define x 1) (def y "doc" 2) (defn inc2 "adds two" [n] (+ n 2)) (define (add a b . more) (apply + a b more))
(defmacro swap! (a b) (let ((tmp (gensym))) \`(let ((,tmp ,a)) (set! ,a ,b) (set! ,b ,tmp))))
(define (every-form v xs)
  (define (helper k) (* k later))
  (define later 3)
  (let ((a 1) (b (helper v))) (swap! a b)
    (let* ((c (+ a b)) (d (* c 2)))
      (letrec ((ev? (lambda (n) (if (= n 0) #t (od? (- n 1))))) (od? (fn [n] (if (= n 0) #f (ev? (- n 1))))))
        (letrec* ((z (ev? d)))
          (begin (do (set! x (+ x 1)))
            (cond ((and z (or (> a 0) (< b 0))) => (fn [t] (list t 'yes \`(,a ,@xs ,[c d] {:k ,d}))))
                  ((when (> a 5) (unless (< b 0) a))) (else (case v ((1 2) :small) (3 :three) (else :big))))
            (-> v (+ 1) (* 2) inc2) (->> xs (map inc) (filter odd?))
            (try (helper (car xs)) (catch e (list e 'caught)) (finally (prn 'done)))
            (try (helper v) (finally (prn 'finally-only)))
            (let loop ((i 0) (acc '())) (if (< i 3) (loop (+ i 1) (cons i acc)) acc))
            ((fn self [n] (if (< n 1) 0 (self (- n 1)))) 3)
            (quote (a b c)) (quasiquote (a (unquote v) (unquote-splicing xs))) (if v 'then)))))))
(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(define (count-down n) (if (= n 0) 'done (count-down (- n 1))))
(define (reads-late) (define f (lambda () g)) (define g 1) (f))
(defn clojure-forms [[a b & more :as all] {:keys [k] :strs [s] :or {k 1} :as m}]
  (doseq [x more y [a b] :when (odd? x) :let [z (* x y)] :while (< z 100)] (prn z))
  (dotimes [i 3] (prn i))
  (if-let [v (get m :k)] v (when-let [[p] all] p))
  (if-some [v k] v (when-some [w s] w))
  (map #(+ % %2 (count %&)) all all)
  (loop [i 0 [h & t] more acc []] (if h (recur (inc i) t (conj acc h)) acc)))
(defn sum-to [n acc] (if (<= n 0) acc (recur (dec n) (+ acc n))))
`;

function lispFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...lispFiles(p));
    else if (name.endsWith(".lisp")) out.push(p);
  }
  return out;
}

const corpus = [
  ["src/prelude/prelude.lisp", readFileSync(join(ROOT, "src", "prelude", "prelude.lisp"), "utf8")],
  ...[...lispFiles(join(ROOT, "examples")), ...lispFiles(join(ROOT, "..", "shared"))].map((p) => [
    relative(ROOT, p),
    readFileSync(p, "utf8"),
  ]),
  ["every-form.lisp", EVERY_FORM],
];

// every generated function goes through new Function("RT", "K", "CODE", src)(RT, K, code)
const generated = [];
const RealFunction = globalThis.Function;
globalThis.Function = function (...args) {
  const made = Reflect.construct(RealFunction, args);
  if (args.length !== 4 || args[0] !== "RT") return made;
  return (rt, k, code) => {
    generated.push({ src: args[3], k, code });
    return made(rt, k, code);
  };
};

const quietHost = () => ({ stdout() {}, stderr() {}, stderrIsTTY: false, argv: [], env: {}, cwd: ROOT, exit() {} });
const DEFINING = new Set(["define", "def", "defn", "defmacro"]);

for (const [file, text] of corpus) {
  const session = new Session(quietHost());
  session.compiler.lazy = false;
  generated.push({ file });
  let forms;
  try {
    forms = session.read(text, file);
  } catch (e) {
    generated.push({ error: e.message });
    continue;
  }
  for (const form of forms) {
    let closure;
    try {
      closure = session.compiler.compileToplevel(form, form.loc);
    } catch (e) {
      generated.push({ error: String(e.message).split("\n")[0] });
      continue;
    }
    if (form instanceof Pair && form.car instanceof Sym && DEFINING.has(form.car.name)) {
      try {
        session.runSync(closure, [], "dump");
      } catch {
        /* what a definition needs at run time may be missing here */
      }
    }
  }
}

const describe = (v) =>
  v instanceof Cell
    ? `cell ${v.name}`
    : v instanceof Code
      ? `code ${v.name}`
      : v instanceof Builtin
        ? `builtin ${v.name}`
        : v instanceof Macro
          ? `macro ${v.name}`
          : write(v);
const out = [];
for (const g of generated) {
  if (g.file) {
    out.push(`==== ${g.file}`);
    continue;
  }
  if (g.error) {
    out.push(`error: ${g.error}`);
    continue;
  }
  const { src, k, code } = g;
  out.push(
    `---- ${code.name} (${code.nparams}${code.rest ? "+" : ""} params, ${code.nslots} slots)`,
    `consts: ${k.map(describe).join(" | ")}`,
    `sites: ${code.sites.map((l) => (l ? formatLoc(l) : "-")).join(" ")}`,
    src,
  );
}
writeSync(1, out.join("\n") + "\n");
// a definition may have left a timer or a server running
process.exit(0);
