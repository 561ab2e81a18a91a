// The spellings models guess (src/lib/spellings.ts): aliases are the builtin itself, "did you mean"
// maps meaning as well as spelling in every context, and the tables point at names that exist.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ALIASES, MEANINGS } from "../../src/lib/spellings.js";
import { allSpecs, specFor } from "../../src/lib/registry.js";
import { didYouMean } from "../../src/lib/suggest.js";
import { Session } from "../../src/session/session.js";
import { SPECIAL_FORMS } from "../../src/compiler/specials/index.js";
import "../../src/lib/index.js";
import "../../src/host/index.js";
import { write } from "../../src/syntax/printer.js";
import { fakeHost, runOk, runProgram } from "../helpers.js";

function libraryNames(): Set<string> {
  const s = new Session(fakeHost());
  s.loadPrelude();
  return new Set([...allSpecs().map((x) => x.name), ...s.lispDocs.keys()]);
}

test("every alias names a registered builtin and is not a builtin, prelude function or special form itself", () => {
  const names = libraryNames();
  const builtinNames = new Set(allSpecs().map((x) => x.name));
  for (const [alias, { to }] of Object.entries(ALIASES)) {
    assert.ok(builtinNames.has(to), `alias ${alias} → ${to}: ${to} is a builtin`);
    assert.ok(!names.has(alias), `alias ${alias} is not already a name of the library`);
    assert.ok(!SPECIAL_FORMS.has(alias), `alias ${alias} is not a special form`);
    assert.equal(specFor(alias), specFor(to), `${alias} is the same spec as ${to}`);
  }
});

test("every meaning points at a name that exists (or an expression whose head exists), and shadows nothing", () => {
  const names = libraryNames();
  for (const [name, { use }] of Object.entries(MEANINGS)) {
    assert.ok(!names.has(name) && !Object.hasOwn(ALIASES, name), `${name} is not itself a known name`);
    const head = use.startsWith("(") ? use.slice(1).split(/[\s)]/)[0] : use;
    assert.ok(names.has(head) || Object.hasOwn(ALIASES, head), `${name} → ${use}: ${head} exists`);
  }
});

test("aliases work as the builtin they name, with its errors", async () => {
  const r = await runOk(
    `(list (string-append "a" "b") (list-ref '(1 2 3) 1) (vector-ref [4 5] 0) (subs "hello" 1 3)
           (mod -7 2) (quot 7 2) (delete-duplicates '(1 1 2)) (list-tail '(1 2 3) 2)
           (let [a (atom 1)] (swap! a inc) (reset! a (* 10 (atom-deref a))))
           (pmap inc [1 2]) (keyword "k") (ex-message (ex-info "m" {:a 1})) (ex-data (ex-info "m" {:a 1}))
           (try (throw (make-error "t")) (catch e (error-msg e))))`,
  );
  assert.equal(write(r.value), '("ab" 2 4 "el" 1 3 (1 2) (3) 20 (2 3) :k "m" {:a 1} "t")');
  const bad = await runProgram('(list-ref [1 2] "x")');
  assert.match(bad.outcome.error!.message, /^nth: expected an integer/);
});

test("did you mean maps meaning, then namespaces, then spelling", () => {
  const names = libraryNames();
  assert.equal(didYouMean("cancel", names), "did you mean task-cancel?");
  assert.equal(didYouMean("shell", names), 'did you mean sh? (sh "cmd ...") → {:exit :out :err}');
  assert.equal(didYouMean("sum", names), "did you mean (apply + xs)?");
  assert.match(didYouMean("foldl", names)!, /^did you mean reduce\? \(reduce f xs init\)/);
  assert.match(didYouMean("str/join", names)!, /^did you mean string-join\?/);
  assert.equal(didYouMean("clojure.string/upper-case", names), "did you mean string-upcase?");
  assert.equal(didYouMean("Thread/sleep", names), "did you mean sleep?");
  assert.equal(didYouMean("Integer/parseInt", names), "did you mean string->number? nil when the text is not a number");
  assert.equal(didYouMean("strng-length", names), "did you mean string-length?");
  assert.equal(didYouMean("string-apend", names), "did you mean string-append?");
  assert.equal(didYouMean("zzzzzz", names), undefined);
  assert.equal(didYouMean("constructor", names), undefined, "no prototype property is a meaning");
});

test("an unknown name raises with the meaning, at the top level and inside parallel-map items", async () => {
  const top = await runProgram("(define t (spawn (fn [] 1)))\n(cancel t)");
  assert.equal(top.outcome.error!.message, "undefined variable: cancel (did you mean task-cancel?)");
  assert.equal(top.outcome.error!.loc?.line, 2);
  const items = await runOk('(map error-msg (parallel-map (fn [x] (shell "ls")) [1 2]))');
  assert.equal(
    write(items.value),
    '("undefined variable: shell (did you mean sh? (sh \\"cmd ...\\") → {:exit :out :err})" "undefined variable: shell (did you mean sh? (sh \\"cmd ...\\") → {:exit :out :err})")',
  );
});

test("(doc 'name) of an unknown name gives the hint; the script's own names win a tie in spelling", async () => {
  const r = await runProgram("(define counter 0)\n(+ countr 1)");
  assert.equal(r.outcome.error!.message, "undefined variable: countr (did you mean counter?)");
  const d = await runOk("(doc 'cancel) (doc 'fold-left)");
  assert.equal(
    d.stdout,
    "no documentation for cancel (did you mean task-cancel?)\nno documentation for fold-left (did you mean reduce? (reduce f xs init): the collection before the initial value, f takes (acc item))\n",
  );
});

test("(doc alias) names the builtin; the builtin's doc lists its aliases", async () => {
  const d = await runOk("(doc 'string-append)");
  assert.match(d.stdout, /^string-append is another name for str\n\(str x ...\)\n/);
  assert.match(d.stdout, /also called: string-append\n$/);
});

test("apropos finds aliases too", async () => {
  const r = await runOk('(apropos "append")');
  assert.equal(write(r.value), '("append" "append-file" "string-append")');
});

// Standard Scheme and Clojure names that cold attempts from the seed design used and that were
// undefined: equal?, string<? (as a sort comparator), string->list, make-directory, assoc-in,
// update-in, when-not, if-not; map-set has no twin and says what to write.
test("the Scheme and Clojure everyday names work with their meaning", async () => {
  const r = await runOk(`(prn (equal? [1 {:a 2}] [1 {:a 2}]) (equal? '(1) [1]) (eqv? :a :a))
(prn (sort ["pear" "Apple" "fig"] string<?) (string>? "b" "a" "A") (string=? "x" "x" "y") (string<=? "a" "a"))
(prn (string->list "héllo"))
(prn (assoc-in {:a {:b 1}} [:a :c] 2) (assoc-in nil [:x 0] 1) (update-in {:n {:hits 1}} [:n :hits] + 10))
(prn (when-not #f :ran) (when-not #t :ran) (if-not (empty? [1]) :full :empty) (if-not #t 1))`);
  assert.equal(
    r.stdout,
    `#t #f #t
("Apple" "fig" "pear") #t #f #t
("h" "é" "l" "l" "o")
{:a {:b 1 :c 2}} {:x {0 1}} {:n {:hits 11}}
:ran nil :full nil
`,
  );
  // a predicate models invent, inside a parallel-map item as at the top level
  const rx = await runOk(`(prn (error-msg (first (parallel-map (fn [l] (regex-match? "E" l)) ["Ex"]))))`);
  assert.match(
    rx.stdout,
    /undefined variable: regex-match\? \(did you mean regex-match\? \(regex-match re s\) is the match or nil/,
  );
  const miss = await runProgram("(map-set {} :a 1)");
  assert.match(miss.rendered ?? "", /undefined variable: map-set \(did you mean assoc\?/);
  const empty = await runProgram("(assoc-in {} [] 1)");
  assert.match(empty.rendered ?? "", /assoc-in: the path must name at least one key/);
});
