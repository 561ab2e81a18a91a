// Unit tests for the printer: write form vs display form (SPEC §3 and §7).
import { test } from "node:test";
import assert from "node:assert/strict";
import { List as IList } from "immutable";
import { display, formatNumber, write } from "../../src/syntax/printer.js";
import { Atom, EMPTY, ErrorValue, Keyword, Sym, list, type Value } from "../../src/core/types.js";
import { LMap } from "../../src/core/map.js";
import { readAll } from "../../src/syntax/reader.js";
import { ESCAPE_LETTER, STRING_ESCAPES } from "../../src/syntax/escapes.js";
import { stdoutOf } from "../helpers.js";

const kw = Keyword.of;

test("nil, booleans, symbols and keywords print as their literals", () => {
  assert.equal(write(null), "nil");
  assert.equal(write(undefined), "nil");
  assert.equal(write(true), "#t");
  assert.equal(write(false), "#f");
  assert.equal(write(Sym.of("string->list")), "string->list");
  assert.equal(write(kw("name")), ":name");
});

test("integral numbers print without a point, others in shortest form", () => {
  assert.equal(write(2), "2");
  assert.equal(write(-7), "-7");
  assert.equal(write(3.5), "3.5");
  assert.equal(write(0.1 + 0.2), "0.30000000000000004");
  assert.equal(write(1e6), "1000000");
  assert.equal(write(1e20), "100000000000000000000");
  assert.equal(write(2 ** 53), "9007199254740992");
  assert.equal(write(1e21), "1e+21");
  assert.equal(write(1.5e-7), "1.5e-7");
  assert.equal(write(-0), "0");
});

test("non-finite numbers print in Scheme notation", () => {
  assert.equal(formatNumber(NaN), "+nan.0");
  assert.equal(formatNumber(Infinity), "+inf.0");
  assert.equal(formatNumber(-Infinity), "-inf.0");
});

test("write escapes quote, backslash, newline, tab and return in strings", () => {
  assert.equal(write("hi"), '"hi"');
  assert.equal(write('say "hi"\\ \n\t\r'), '"say \\"hi\\"\\\\ \\n\\t\\r"');
  assert.equal(write(""), '""');
});

test("write prints other characters of a string as they are", () => {
  assert.equal(write("héllo 😀 日本"), '"héllo 😀 日本"');
  assert.equal(write("a\u0000b"), '"a\u0000b"');
});

test("display prints a string raw and everything else as write does", () => {
  assert.equal(display('a "b"\n'), 'a "b"\n');
  assert.equal(display(42), "42");
  assert.equal(display(kw("k")), ":k");
  assert.equal(display(null), "nil");
});

test("strings nested in collections keep write form even in display", () => {
  const v = IList(["a", list("b\n", LMap.EMPTY.set(kw("k"), '"q"'))]);
  assert.equal(write(v), '["a" ("b\\n" {:k "\\"q\\""})]');
  assert.equal(display(v), write(v));
});

test("lists, vectors and the empty list print with single spaces", () => {
  assert.equal(write(list(1, 2, list(3))), "(1 2 (3))");
  assert.equal(write(EMPTY), "()");
  assert.equal(write(IList([1, IList(), "x"])), '[1 [] "x"]');
});

test("maps print in insertion order with no commas", () => {
  const m = LMap.EMPTY.set(kw("b"), 1)
    .set(kw("a"), 2)
    .set("s", IList([3]));
  assert.equal(write(m), '{:b 1 :a 2 "s" [3]}');
  assert.equal(write(LMap.EMPTY), "{}");
});

test("an error value prints as a map with :error first, then its data", () => {
  assert.equal(write(new ErrorValue("not found", LMap.EMPTY)), '{:error "not found"}');
  const data = LMap.EMPTY.set(kw("status"), 404).set(kw("url"), "http://x");
  assert.equal(write(new ErrorValue("not found", data)), '{:error "not found" :status 404 :url "http://x"}');
  assert.equal(display(new ErrorValue("m\n", LMap.EMPTY)), '{:error "m\\n"}');
});

test("an atom prints its current value in write form", () => {
  assert.equal(write(new Atom("x")), '#<atom "x">');
  assert.equal(write(new Atom(IList([1]))), "#<atom [1]>");
});

test("prn, print and display follow the write and display rules end to end", async () => {
  const out = await stdoutOf(`
    (prn "a\\nb" [1 "x" {:k "v"}] (/ 6 3) (/ 7 2))
    (print "raw" "two" ["in" "vec"])
    (newline)
    (display "disp\\ty")
    (newline)
    (println (str "a" nil 1 "b" :k [1 "s"]))
    (prn (make-error "not found" {:status 404}))
    (write "w\\"")
    (newline)
    (prn (lambda (x) x) (atom 0))
    (define (named) 1)
    (prn named car)
  `);
  assert.equal(
    out,
    '"a\\nb" [1 "x" {:k "v"}] 2 3.5\n' +
      'raw two ["in" "vec"]\n' +
      "disp\ty\n" +
      'a1b:k[1 "s"]\n' +
      '{:error "not found" :status 404}\n' +
      '"w\\""\n' +
      "#<function anonymous> #<atom 0>\n" +
      "#<function named> #<function car>\n",
  );
});

// The reader and the printer share one escape table (syntax/escapes.ts): every escape the printer
// writes is one the reader decodes, and every character the reader can decode reads back.
test("the printer's escapes are the reader's, and every escapable character reads back", () => {
  for (const [c, letter] of ESCAPE_LETTER) {
    assert.equal(STRING_ESCAPES.get(letter), c);
    assert.equal(write(`a${c}b`), `"a\\${letter}b"`);
  }
  for (const c of STRING_ESCAPES.values()) assert.equal(readAll(write(`a${c}b`), "<test>")[0], `a${c}b`);
});

test("printing is iterative: a value nested 200,000 deep prints, an atom holding itself prints once", () => {
  let deep: Value = EMPTY;
  for (let i = 0; i < 200_000; i++) deep = list(deep);
  const text = write(deep);
  assert.equal(text.length, 2 * 200_001);
  assert.ok(text.startsWith("((((") && text.endsWith("))))"));
  const a = new Atom(null);
  a.value = IList([1, LMap.EMPTY.set(kw("self"), a)]);
  assert.equal(write(a), "#<atom [1 {:self #<atom ...>}]>");
  assert.equal(write(IList([a, a])), "[#<atom [1 {:self #<atom ...>}]> #<atom [1 {:self #<atom ...>}]>]");
});
