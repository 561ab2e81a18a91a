// Property tests: printing any readable value in write form and reading it back gives equal
// data, and quoting the printed form in a program evaluates to the same value.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { List as IList } from "immutable";
import { readAll } from "../../src/syntax/reader.js";
import { write } from "../../src/syntax/printer.js";
import { equals } from "../../src/core/equality.js";
import { EMPTY, Keyword, Pair, Sym, arrayToList, type Value } from "../../src/core/types.js";
import { LMap } from "../../src/core/map.js";
import { Session } from "../../src/session/session.js";
import { fakeHost, nestedData } from "../helpers.js";

// ---- generators ----------------------------------------------------------------------------

/** Finite float64s that have a literal: no NaN, no infinities, no -0. */
const number = fc
  .oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0.1, 1e21, 1e-7, 2 ** 53, -(2 ** 53), 1e300, 5e-324, Number.MAX_VALUE),
  )
  .filter((n) => Number.isFinite(n) && !Object.is(n, -0));

/** Strings with the characters the printer must escape, and unicode beyond the BMP. */
const tricky = fc.constantFrom(
  '"',
  "\\",
  "\n",
  "\t",
  "\r",
  " ",
  ";",
  "#|",
  "|#",
  "#;",
  "(",
  "]",
  "'",
  ",@",
  "\\u{41}",
  "é",
  "日",
  "😀",
  "\u0000",
  "\u00a0",
  "\ufeff",
  "a",
  "Z",
  "1",
);
const str = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ unit: tricky, maxLength: 10 }),
);

// Characters a symbol or keyword token may contain (no delimiters, whitespace or quote chars).
const FIRST = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!$%&*/<=>?^_~+-.λ→"];
const REST = [...FIRST, ..."0123456789:#@|"];
const NUMBERISH = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const tokenName = fc
  .tuple(fc.constantFrom(...FIRST), fc.array(fc.constantFrom(...REST), { maxLength: 10 }))
  .map(([a, rest]) => a + rest.join(""));
const symbol = fc.oneof(
  tokenName.filter((s) => !NUMBERISH.test(s) && !["nil", "true", "false"].includes(s)).map(Sym.of),
  fc.constantFrom("string->list", "atom-swap!", "+", "...", "-", "->>", "nil?", "&", "a.b", "x1").map(Sym.of),
);
const keyword = fc.oneof(
  fc.tuple(fc.constantFrom(...REST), tokenName).map(([a, b]) => Keyword.of(a + b)),
  fc.constantFrom("a", "name", "error", "1", "nil", "true", "string->list").map(Keyword.of),
);

const atom = fc.oneof(fc.constant(null), fc.boolean(), number, str, keyword, symbol);

const datum = nestedData(atom, 5);

function readOne(text: string): Value {
  const forms = readAll(text, "rt.lisp");
  assert.equal(forms.length, 1, `${JSON.stringify(text)} read as ${forms.length} forms`);
  return forms[0];
}

// ---- properties ------------------------------------------------------------------------------

test("numbers survive write then read exactly", () => {
  fc.assert(
    fc.property(number, (n) => {
      assert.equal(readOne(write(n)), n);
    }),
    { seed: 101, numRuns: 2000 },
  );
});

test("strings with escapes and unicode survive write then read exactly", () => {
  fc.assert(
    fc.property(str, (s) => {
      assert.equal(readOne(write(s)), s);
    }),
    { seed: 102, numRuns: 2000 },
  );
});

test("symbols and keywords read back as the same interned object", () => {
  fc.assert(
    fc.property(fc.oneof(symbol, keyword), (x) => {
      assert.equal(readOne(write(x)), x);
    }),
    { seed: 103, numRuns: 1000 },
  );
});

test("any nested data reads back equal to what was written", () => {
  fc.assert(
    fc.property(datum, (v) => {
      const back = readOne(write(v));
      assert.ok(equals(back, v), `${write(v)} read back as ${write(back)}`);
    }),
    { seed: 104, numRuns: 1500 },
  );
});

test("write form is canonical: printing what was read gives the same text", () => {
  fc.assert(
    fc.property(datum, (v) => {
      const text = write(v);
      assert.equal(write(readOne(text)), text);
    }),
    { seed: 105, numRuns: 1000 },
  );
});

test("read data has the expected shapes: () is the empty list, [] a vector, {} a map", () => {
  assert.equal(readOne(write(EMPTY)), EMPTY);
  assert.ok(IList.isList(readOne(write(IList()))));
  assert.ok(readOne(write(LMap.EMPTY)) instanceof LMap);
  assert.ok(readOne(write(arrayToList([1]))) instanceof Pair);
});

test("quoting the write form of any data evaluates to equal data", () => {
  const session = new Session(fakeHost());
  fc.assert(
    fc.property(datum, (v) => {
      const [form] = session.read(`(quote ${write(v)})`, "quote.lisp");
      const result = session.runSync(session.compiler.compileToplevel(form, undefined), [], "test");
      assert.ok(equals(result, v), `'${write(v)} evaluated to ${write(result)}`);
    }),
    { seed: 106, numRuns: 300 },
  );
});

test("self-evaluating data evaluates to itself without a quote", () => {
  const session = new Session(fakeHost());
  fc.assert(
    fc.property(fc.oneof(fc.constant(null), fc.boolean(), number, str, keyword), (v) => {
      const [form] = session.read(write(v), "self.lisp");
      const result = session.runSync(session.compiler.compileToplevel(form, undefined), [], "test");
      assert.ok(equals(result, v), `${write(v)} evaluated to ${write(result)}`);
    }),
    { seed: 107, numRuns: 500 },
  );
});
