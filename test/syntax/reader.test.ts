// Unit tests for the reader: every syntax of SPEC §2, source positions, and reader errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { List as IList } from "immutable";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAll, readAllWithLocs, MAX_DEPTH } from "../../src/syntax/reader.js";
import { write } from "../../src/syntax/printer.js";
import { EMPTY, Keyword, Pair, Sym, isVector, list, listToArray, type Value } from "../../src/core/types.js";
import { LMap } from "../../src/core/map.js";
import { equals } from "../../src/core/equality.js";
import { lispErrorOf, projectRoot, read1, readError, runOk } from "../helpers.js";

const sym = Sym.of;
const kw = Keyword.of;

function assertData(actual: Value, expected: Value, what = ""): void {
  assert.ok(equals(actual, expected), `${what} expected ${write(expected)}, got ${write(actual)}`);
}

// ---- comments ------------------------------------------------------------------------

test("a ; comment runs to the end of the line", () => {
  assert.deepEqual(readAll("1 ; two 2\n3 ;; four\n;only a comment", "t"), [1, 3]);
});

test("#| block comments |# may span lines and nest", () => {
  assert.deepEqual(readAll("1 #| a\n #| nested |# still comment\n |# 2", "t"), [1, 2]);
  assert.deepEqual(readAll("#|#||#|#3", "t"), [3]);
});

test("#; comments out exactly the next datum, however large", () => {
  assertData(read1("(a #;b c)"), list(sym("a"), sym("c")));
  assertData(read1("(a #; (b (c d) [e]) f)"), list(sym("a"), sym("f")));
  assert.deepEqual(readAll('#;1 2 #; "str" 3', "t"), [2, 3]);
  assertData(read1("[1 #; 2]"), IList([1]));
  assertData(read1("{:a #;:b 1}"), LMap.EMPTY.set(kw("a"), 1));
});

test("two #; in a row comment out the two data that follow", () => {
  assert.deepEqual(readAll("#; #; 1 2 3", "t"), [3]);
});

test("comment markers inside strings are string content", () => {
  assert.equal(read1('"a ; b #| c |# #; d"'), "a ; b #| c |# #; d");
});

// ---- numbers -------------------------------------------------------------------------

test("decimal, negative, fractional and exponent numbers read as float64", () => {
  assert.deepEqual(
    readAll("42 -7 3.14 1e6 1.5e3 -2.5E-2 +3 .5 -.5 0 007", "t"),
    [42, -7, 3.14, 1e6, 1500, -0.025, 3, 0.5, -0.5, 0, 7],
  );
});

test("#x reads hexadecimal in either case, #b binary and #o octal", () => {
  assert.deepEqual(readAll("#x1F #x1f #X1F #xff #b101 #o17", "t"), [31, 31, 31, 255, 5, 15]);
});

test("tokens that only resemble numbers are symbols", () => {
  for (const s of ["1e", "1.2.3", "0x10", "1/2", "1+", "-", "+", "--1", "1-"]) {
    assert.equal(read1(s), sym(s), s);
  }
});

test("a number too large for a float64 is a reader error, not Infinity", () => {
  for (const s of ["1e999", "-1e400", "1".repeat(400), "#x" + "F".repeat(300)]) {
    const e = readError(s);
    assert.match(e.message, /number out of range/, s);
    assert.deepEqual(e.loc, { file: "t.lisp", line: 1, col: 1 });
  }
});

test("a long number token is shortened in the error message", () => {
  const e = readError("1".repeat(400));
  assert.ok(e.message.length < 100, e.message);
  assert.match(e.message, /\.\.\.$/);
});

// ---- strings -------------------------------------------------------------------------

test('string escapes \\n \\t \\r \\\\ \\" read as the characters they name', () => {
  assert.equal(read1('"tab\\tcr\\rnl\\nbs\\\\q\\""'), 'tab\tcr\rnl\nbs\\q"');
});

test("\\u{...} escapes read any code point, including astral ones", () => {
  assert.equal(read1('"\\u{1F600}"'), "\u{1F600}");
  assert.equal(read1('"a\\u{e9}b\\u00e9"'), "a\u00e9b\u00e9");
  assert.equal(read1('"\\u{41}\\u{10FFFF}"'), "A\u{10FFFF}");
  assert.equal([...(read1('"\\u{1F600}"') as string)].length, 1);
});

test("strings may span lines and keep their newlines", () => {
  assert.equal(read1('"line1\nline2\n  line3"'), "line1\nline2\n  line3");
});

test("a string keeps unicode characters as they are", () => {
  assert.equal(read1('"héllo wörld 日本 😀"'), "héllo wörld 日本 😀");
  assert.equal(read1('""'), "");
});

// ---- booleans, nil, symbols, keywords --------------------------------------------------

test("#t #f true false and nil read as booleans and nil", () => {
  assert.deepEqual(readAll("#t #f true false nil #true #false", "t"), [true, false, true, false, null, true, false]);
});

test("symbols with punctuation read as one interned symbol", () => {
  for (const s of [
    "foo",
    "string->list",
    "atom-swap!",
    "+",
    "...",
    "nil?",
    "<=",
    "a.b",
    "*x*",
    "a/b",
    "λ",
    "a@b",
    "->>",
    "&",
  ]) {
    const v = read1(s);
    assert.ok(v instanceof Sym, s);
    assert.equal(v.name, s);
    assert.equal(v, sym(s), `${s} is interned`);
  }
});

test("keywords read as interned keywords", () => {
  const [a, b] = readAll(":name :name", "t");
  assert.ok(a instanceof Keyword);
  assert.equal(a.name, "name");
  assert.equal(a, b);
  assert.equal(a, kw("name"));
  assert.equal(read1(":string->list"), kw("string->list"));
});

// ---- collections -----------------------------------------------------------------------

test("lists read as cons lists; () is the empty list, not nil", () => {
  assertData(read1("(1 (2 3) ())"), list(1, list(2, 3), EMPTY));
  assert.equal(read1("()"), EMPTY);
  assert.notEqual(read1("()"), null);
});

test("vectors read as immutable vectors, distinct from lists", () => {
  const v = read1("[1 [2] (3)]");
  assert.ok(isVector(v));
  assertData(v, IList([1, IList([2]), list(3)]));
  assert.ok(!equals(read1("[1 2]"), read1("(1 2)")));
  assertData(read1("[]"), IList());
});

test("maps read in insertion order with any keys", () => {
  const m = read1('{:b 1 :a 2 "s" [3] (x) {}}');
  assert.ok(m instanceof LMap);
  assert.equal(m.size, 4);
  assert.deepEqual([...m.keys()].map(write), [":b", ":a", '"s"', "(x)"]);
  assert.equal(m.get(kw("a")), 2);
  assertData(m.get(list(sym("x"))), LMap.EMPTY);
});

test("commas followed by whitespace are whitespace, Clojure style", () => {
  const m = read1("{:a 1, :b 2}");
  assertData(m, LMap.EMPTY.set(kw("a"), 1).set(kw("b"), 2));
  assertData(read1("[1, 2, 3,]"), IList([1, 2, 3]));
  assertData(read1("(f a,\n b)"), list(sym("f"), sym("a"), sym("b")));
});

test("a map literal with an odd number of forms is a reader error at the brace", () => {
  const e = readError("\n  {:a 1 :b}");
  assert.match(e.message, /even number/);
  assert.deepEqual(e.loc, { file: "t.lisp", line: 2, col: 3 });
});

// ---- quote family ----------------------------------------------------------------------

test("quote, quasiquote, unquote, unquote-splicing and @ read as their long forms", () => {
  assertData(read1("'x"), list(sym("quote"), sym("x")));
  assertData(
    read1("`(a ,b ,@c)"),
    list(sym("quasiquote"), list(sym("a"), list(sym("unquote"), sym("b")), list(sym("unquote-splicing"), sym("c")))),
  );
  assertData(read1("@a"), list(sym("atom-deref"), sym("a")));
  assertData(read1("''x"), list(sym("quote"), list(sym("quote"), sym("x"))));
  assertData(read1("'(1 [2])"), list(sym("quote"), list(1, IList([2]))));
});

test("a comma directly before a form is unquote, before whitespace it is whitespace", () => {
  assertData(read1(",a"), list(sym("unquote"), sym("a")));
  assert.equal(read1(", a"), sym("a"));
});

test("a quote with nothing after it is a reader error", () => {
  assert.match(readError("'").message, /expected a form after quote/);
  assert.match(readError("(a ')").message, /expected a form after quote/);
  assert.match(readError("@").message, /expected a form after @/);
});

// ---- positions -------------------------------------------------------------------------

test("every list form carries the file, line and column of its opening bracket", () => {
  const src = "(a\n  (b (c\n        d)) [e (f)])\n\n   (g)";
  const [outer, g] = readAll(src, "pos.lisp") as Pair[];
  assert.deepEqual(outer.loc, { file: "pos.lisp", line: 1, col: 1 });
  const [, b, vec] = listToArray(outer) as [unknown, Pair, IList<Value>];
  assert.deepEqual(b.loc, { file: "pos.lisp", line: 2, col: 3 });
  const c = listToArray(b)[1] as Pair;
  assert.deepEqual(c.loc, { file: "pos.lisp", line: 2, col: 6 });
  const f = vec.get(1);
  assert.ok(f instanceof Pair);
  assert.deepEqual(f.loc, { file: "pos.lisp", line: 3, col: 16 });
  assert.deepEqual(g.loc, { file: "pos.lisp", line: 5, col: 4 });
});

test("quote forms carry the position of the quote character", () => {
  const q = read1("\n  'x") as Pair;
  assert.deepEqual(q.loc, { file: "t.lisp", line: 2, col: 3 });
});

test("positions count lines after comments, strings with newlines and CRLF endings", () => {
  const src = '#| one\ntwo |# "a\nb" ; c\r\n  (x)';
  const forms = readAll(src, "t");
  assert.deepEqual((forms[1] as Pair).loc, { file: "t", line: 4, col: 3 });
});

// ---- errors ----------------------------------------------------------------------------

test("an unclosed ( names where it was opened", () => {
  const e = readError("(define (f x)\n  (+ x 1)\n\n(g)");
  assert.match(e.message, /^unclosed \( opened at 1:1/);
  assert.match(e.message, /expected \)/);
  assert.deepEqual(e.loc, { file: "t.lisp", line: 1, col: 1 });
  const inner = readError("(ok)\n(a\n  (b\n    (c)");
  // the innermost bracket still open at the end of the file is the one reported
  assert.match(inner.message, /^unclosed \( opened at 3:3/);
});

test("an unclosed [ or { names its opening position too", () => {
  assert.match(readError("  [1 2").message, /^unclosed \[ opened at 1:3: expected \]/);
  assert.match(readError("\n{:a 1").message, /^unclosed \{ opened at 2:1: expected \}/);
});

test("a stray closing bracket is a reader error at its position", () => {
  const e = readError("(a)\n  )");
  assert.match(e.message, /unexpected \)/);
  assert.deepEqual(e.loc, { file: "t.lisp", line: 2, col: 3 });
  assert.match(readError("a]").message, /unexpected \]/);
  assert.match(readError("}").message, /unexpected \}/);
});

test("a mismatched closing bracket names the expected one and the opening position", () => {
  const e = readError("[a b)");
  assert.match(e.message, /mismatched \): expected \] to close the \[ opened at 1:1/);
  assert.deepEqual(e.loc, { file: "t.lisp", line: 1, col: 5 });
  assert.match(readError("(a\n {b c])").message, /mismatched \]: expected \} to close the \{ opened at 2:2/);
});

test("an unclosed string names where it was opened", () => {
  const e = readError('(print "abc)\n(foo)');
  assert.match(e.message, /unclosed string opened at 1:8/);
  assert.deepEqual(e.loc, { file: "t.lisp", line: 1, col: 8 });
});

// Regression: a backslash as the very last character of the file reported
// "bad escape \undefined" instead of an unclosed string.
test("a string ending in a lone backslash at end of file is an unclosed string", () => {
  const e = readError('"abc\\');
  assert.match(e.message, /unclosed string opened at 1:1/);
  assert.doesNotMatch(e.message, /undefined/);
});

test("an unknown escape names the escape and its position", () => {
  const e = readError('"ab\\q"');
  assert.match(e.message, /bad escape \\q/);
  assert.deepEqual(e.loc, { file: "t.lisp", line: 1, col: 5 });
});

test("malformed \\u escapes are reader errors", () => {
  for (const s of ['"\\u{zz}"', '"\\u12"', '"\\u{110000}"', '"\\u{12345678}"', '"\\u{}"', '"\\u{41"']) {
    assert.match(readError(s).message, /bad \\u escape/, s);
  }
});

test("an unclosed block comment names where it was opened", () => {
  const e = readError("1\n  #| never #| closed |#");
  assert.match(e.message, /unclosed #\| comment opened at 2:3/);
});

test("#; with nothing to comment out is a reader error", () => {
  assert.match(readError("1 #;").message, /#; needs a datum/);
  assert.match(readError("(a #;)").message, /#; needs a datum/);
});

test("unknown # syntax is a reader error naming the token", () => {
  assert.match(readError("#z").message, /unknown syntax "#z"/);
  assert.match(readError("#").message, /unknown syntax/);
  assert.match(readError("#xZZ").message, /unknown syntax/);
});

test("nesting deeper than the limit is a reader error, not a host stack overflow", () => {
  for (const open of ["(", "[", "{", "'", "`", "@", ",", "#;", "#;(", "(#;", "#;'"]) {
    const text = open.repeat(100_000) + "x";
    const e = lispErrorOf(() => readAll(text, "deep.lisp"));
    assert.equal(e.kind, "read", open);
    assert.match(e.message, /nesting too deep|unclosed|needs a datum/, open);
  }
});

test("nesting up to the limit reads fine", () => {
  const depth = MAX_DEPTH - 1;
  const v = read1("(".repeat(depth) + ")".repeat(depth));
  let d = 0;
  for (let x = v; x instanceof Pair; x = x.car) d++;
  assert.equal(d, depth - 1);
});

test("reader errors raise LispError of kind read with the file name", () => {
  const e = readError("(", "script.lisp");
  assert.equal(e.loc?.file, "script.lisp");
  assert.ok(e instanceof Error);
});

// Issue 11 §2: a "#!/usr/bin/env skein" first line was a read error, so a script could not be
// made executable.
test("a #! first line is a comment, and only on the first line", () => {
  assert.deepEqual(readAll("#!/usr/bin/env skein\n(+ 1 2)", "x.lisp").map(write), ["(+ 1 2)"]);
  assert.equal(readAllWithLocs("#!/usr/bin/env skein\n(+ 1 2)", "x.lisp").locs[0].line, 2);
  assert.throws(() => readAll("(+ 1 2)\n#!/usr/bin/env skein", "x.lisp"));
});

test("an executable script with a #! line runs as a command", () => {
  const dir = mkdtempSync(join(tmpdir(), "skein-shebang-"));
  try {
    // the #! line names bin/skein itself: PATH need not hold a skein
    const script = join(dir, "hello");
    writeFileSync(script, `#!${join(projectRoot(), "bin", "skein")}\n(println "hi" (first (command-line-args)))\n`);
    chmodSync(script, 0o755);
    const r = spawnSync(script, ["there"], { encoding: "utf8" });
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "hi there\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('#"..." reads a regular expression as Clojure writes it: the string of its text, backslashes kept', async () => {
  const r = await runOk(
    String.raw`(list #"\d+" #"a\"b" #"\\" (regex-find-all #"\d+" "a1b22") (regex-replace #"\s+" "a  b" "-"))`,
  );
  assert.equal(write(r.value), String.raw`("\\d+" "a\\\"b" "\\\\" ("1" "22") "a-b")`);
  assert.throws(() => readAll('#"\\d+', "t"), /unclosed #" regex opened at 1:1/);
  assert.throws(() => readAll("#q", "t"), /known: .*#"regex"/);
});
