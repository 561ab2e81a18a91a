// Fuzz tests for the reader: random and adversarial input never raises a host exception.
// Every input either reads, or raises a LispError of kind "read"; whatever reads, writes
// back to text that reads as the same data.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { LispError } from "../../src/core/error.js";
import { readAll } from "../../src/syntax/reader.js";
import { write } from "../../src/syntax/printer.js";
import { equals } from "../../src/core/equality.js";
import type { Value } from "../../src/core/types.js";

const SEED = 20240607;

type Outcome = { ok: true; forms: Value[] } | { ok: false; error: LispError };

/** Reads text; fails the test on anything but success or a reader error. */
function readSafely(text: string): Outcome {
  try {
    return { ok: true, forms: readAll(text, "fuzz.lisp") };
  } catch (e) {
    if (e instanceof LispError && e.kind === "read") {
      assert.ok(e.loc, `reader error without a position: ${e.message}`);
      assert.equal(e.loc.file, "fuzz.lisp");
      assert.ok(e.loc.line >= 1 && e.loc.col >= 1, `bad position ${JSON.stringify(e.loc)}`);
      assert.ok(e.message.length > 0);
      return { ok: false, error: e };
    }
    const what = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
    assert.fail(
      `host exception for input ${JSON.stringify(text.slice(0, 200))}${text.length > 200 ? "..." : ""}: ${what}`,
    );
  }
}

/** Whatever reads must print as text that reads back to equal data. */
function assertRereads(text: string): void {
  const r = readSafely(text);
  if (!r.ok) return;
  const printed = r.forms.map(write).join("\n");
  const again = readSafely(printed);
  assert.ok(
    again.ok,
    `printed form does not read back: ${JSON.stringify(printed.slice(0, 200))} (from ${JSON.stringify(text.slice(0, 200))}): ${again.ok ? "" : again.error.message}`,
  );
  assert.equal(again.forms.length, r.forms.length);
  for (let i = 0; i < r.forms.length; i++) {
    assert.ok(equals(again.forms[i], r.forms[i]), `re-read differs: ${printed.slice(0, 200)}`);
  }
}

const ADVERSARIAL: string[] = [
  "(".repeat(10_000),
  "[".repeat(10_000),
  "{".repeat(10_000),
  ")".repeat(10_000),
  "'".repeat(10_000) + "x",
  "`,".repeat(10_000) + "x",
  ",@".repeat(10_000) + "x",
  "@".repeat(10_000) + "x",
  "#;".repeat(10_000) + "x",
  "#;".repeat(100_000) + "1 ".repeat(100_000),
  "#;(".repeat(10_000),
  "#|".repeat(10_000),
  "#|".repeat(10_000) + "|#".repeat(10_000) + "ok",
  "([{".repeat(5_000),
  "([{".repeat(300) + "}])".repeat(300),
  "1".repeat(400),
  "-" + "9".repeat(400),
  "1e999",
  "-1e999",
  "1e-999",
  "0." + "0".repeat(400) + "1",
  "#x" + "f".repeat(400),
  "#b" + "1".repeat(2000),
  '"',
  '"\\',
  '"abc',
  '"\\u{',
  '"\\u{1F600',
  '"\\u{FFFFFFFFFFFF}"',
  '"\\uD83D\\uDE00"',
  '"\\x"',
  "#|",
  "#| #| |#",
  ";",
  "#;",
  "#",
  "#\\a",
  "#(1 2)",
  "\u0000",
  "\uFEFF(a)",
  "\uD800",
  "(a . b . c)",
  "{:a}",
  "{(x) 1 (x) 2}",
  ",",
  ",@",
  "(,)",
  "a".repeat(100_000),
  '"' + "x".repeat(100_000),
  "; comment without newline".repeat(1000),
];

test("adversarial inputs read or raise a reader error, never a host exception", () => {
  for (const text of ADVERSARIAL) readSafely(text);
});

test("10,000 open parentheses is a nesting error with a position", () => {
  const r = readSafely("(".repeat(10_000));
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error.message, /nesting too deep/);
});

test("a run of 100,000 #; datum comments is a reader error, not a stack overflow", () => {
  const r = readSafely("#;".repeat(100_000) + "1 ".repeat(100_000));
  assert.equal(r.ok, false);
});

test("huge numbers are reader errors and tiny ones read as zero", () => {
  for (const s of ["1".repeat(400), "1e999", "-1e999", "#x" + "f".repeat(400)]) {
    const r = readSafely(s);
    assert.equal(r.ok, false, s);
  }
  const tiny = readSafely("1e-999");
  assert.ok(tiny.ok);
  if (tiny.ok) assert.equal(tiny.forms[0], 0);
});

test("random binary bytes decoded as latin1 or utf8 never crash the reader", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const buf = Buffer.from(bytes);
      readSafely(buf.toString("latin1"));
      readSafely(buf.toString("utf8"));
    }),
    { seed: SEED, numRuns: 2000 },
  );
});

test("random strings of any code units never crash the reader", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 120 }), (s) => {
      readSafely(s);
    }),
    { seed: SEED + 1, numRuns: 1500 },
  );
});

const PIECES = [
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  '"',
  "'",
  "`",
  ",",
  ",@",
  "@",
  "#",
  "#|",
  "|#",
  "#;",
  ";",
  "\\",
  "\\u{",
  "\\u",
  "1F600}",
  "\n",
  " ",
  "\t",
  "\r\n",
  "a",
  "x1",
  "1",
  "-",
  ".",
  "1e",
  "1e5",
  "#x",
  "#t",
  "#f",
  ":k",
  ":",
  "nil",
  "true",
  "0.5",
  "\\n",
  '\\"',
  "é",
  "😀",
  "\u0000",
  "\uD800",
];

const tokenSoup = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((xs) => xs.join(""));

test("random mixes of brackets, quotes, hashes and escapes never crash the reader", () => {
  fc.assert(
    fc.property(tokenSoup, (s) => {
      readSafely(s);
    }),
    { seed: SEED + 2, numRuns: 3000 },
  );
});

test("whatever the reader accepts prints back to text that reads as equal data", () => {
  fc.assert(
    fc.property(tokenSoup, (s) => {
      assertRereads(s);
    }),
    { seed: SEED + 3, numRuns: 3000 },
  );
});

test("truncating a valid program anywhere gives data or a reader error", () => {
  const program = `; a program
(define (f x) #| block |# (+ x 1))
(let ((m {:a [1 2 "s\\n\\u{1F600}"], :b '(x ,y ,@z)}))
  #;(ignored form)
  (print @atom \`(q ,m)))
"multi
line" #x1F -7 3.14 1e6 :kw`;
  for (let i = 0; i <= program.length; i++) {
    readSafely(program.slice(0, i));
    readSafely(program.slice(i));
  }
});
