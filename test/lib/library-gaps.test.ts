// The helpers models used to write by hand: CSV, frequencies and group-by, endless sources for
// take and stream-map (issue 10 §2). Format and padding are in builtins.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { write } from "../../src/syntax/printer.js";
import { runOk, runProgram } from "../helpers.js";

async function value(src: string, clock: "real" | "virtual" = "real"): Promise<string> {
  return write((await runOk(src, { clock })).value);
}

async function failure(src: string): Promise<string> {
  const r = await runProgram(src);
  assert.equal(r.outcome.status, "failed", `expected ${src} to fail`);
  return r.outcome.error!.message;
}

// ---- CSV ---------------------------------------------------------------------------------

test("csv-parse reads RFC 4180: quoted separators, quotes, line breaks, CRLF, a BOM, blank lines", async () => {
  assert.equal(
    await value(String.raw`(csv-parse "\uFEFFa,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\r\n1,,3")`),
    String.raw`(["a" "b" "c"] ["x, y" "say \"hi\"" "two\nlines"] ["1" "" "3"])`,
  );
  assert.equal(await value(`(csv-parse "")`), "()");
  assert.equal(await value(`(csv-parse "a,b,\\n")`), `(["a" "b" ""])`, "a trailing separator is an empty field");
  assert.equal(await value(`(csv-parse "x\\n\\"\\"\\ny")`), `(["x"] [""] ["y"])`, "a quoted empty field is a record");
  assert.equal(await value(`(csv-parse "a\\"b,c")`), `(["a\\"b" "c"])`, "a quote inside an unquoted field is kept");
  assert.equal(await value(`(csv-parse "a\\tb" :separator "\\t")`), `(["a" "b"])`);
  assert.equal(await value(`(csv-parse "a\\rb")`), `(["a"] ["b"])`, "a lone CR ends a record too");
});

test("csv-parse :header #t gives maps with keyword keys, and refuses ragged records and repeated columns", async () => {
  assert.equal(
    await value(`(csv-parse "name,age\\nAda,36\\nBo,7\\n" :header #t)`),
    `({:name "Ada" :age "36"} {:name "Bo" :age "7"})`,
  );
  assert.equal(await value(`(map :age (csv-parse "name,age\\nAda,36" :header #t))`), `("36")`);
  assert.equal(
    await failure(`(csv-parse "a,b\\n1,2\\n3" :header #t)`),
    `csv-parse: the record on line 3 has 1 field but the header has 2: ["3"]`,
  );
  assert.equal(
    await failure(`(csv-parse "a,b\\n\\n1,\\"x\\ny\\"\\r\\n\\n\\n3" :header #t)`),
    `csv-parse: the record on line 7 has 1 field but the header has 2: ["3"]`,
    "lines count blank lines and the line breaks inside quoted fields",
  );
  assert.equal(await failure(`(csv-parse "a,a\\n1,2" :header #t)`), `csv-parse: the header names the column "a" twice`);
});

test("csv-parse reports malformed input with its line", async () => {
  assert.equal(
    await failure(`(csv-parse "a\\nb,\\"open\\nstill")`),
    "csv-parse: the quoted field that starts on line 2 is not closed",
  );
  assert.equal(
    await failure(`(csv-parse "a\\n\\"q\\"x,b")`),
    `csv-parse: line 2 has text after the closing quote of a field: "x,b"`,
  );
  assert.match(await failure(`(csv-parse "a" :separator "\\"")`), /^csv-parse: expected a one-character :separator/);
  assert.match(await failure(`(csv-parse "a" :seperator ";")`), /^csv-parse: unknown option :seperator/);
  assert.match(await failure(`(csv-parse 42)`), /^csv-parse: expected a string, got 42/);
});

test("csv-stringify quotes what needs it, writes maps under a header, and round-trips any strings", async () => {
  assert.equal(
    await value(`(csv-stringify [["a" "b,c"] ["say \\"hi\\"" "x\\ny"] [nil 1.5 :k]])`),
    String.raw`"a,\"b,c\"\n\"say \"\"hi\"\"\",\"x\ny\"\n,1.5,k\n"`,
  );
  assert.equal(
    await value(`(csv-stringify [{:a 1 :b 2} {:b 3 :c 4}])`),
    String.raw`"a,b,c\n1,2,\n,3,4\n"`,
    "columns in first-seen order, missing keys empty",
  );
  assert.equal(await value(`(csv-stringify '((1 2)) :separator ";")`), String.raw`"1;2\n"`);
  assert.match(
    await failure(`(csv-stringify [{:a 1} [1]])`),
    /^csv-stringify: expected every row to be a map, or none/,
  );
  assert.match(
    await failure(`(csv-stringify [1 2])`),
    /^csv-stringify: expected a row as a list, vector or map, got 1/,
  );

  // any table of strings survives stringify then parse (rows of one empty field aside, which
  // are blank lines)
  const field = fc.string({ unit: fc.constantFrom("a", ",", '"', "\n", "\r", " ", "é", ";") });
  const row = fc.array(field, { minLength: 2, maxLength: 4 });
  await fc.assert(
    fc.asyncProperty(fc.array(row, { maxLength: 5 }), async (rows) => {
      const lit = (s: string) => JSON.stringify(s).replaceAll("\\r", "\\r");
      const src = `[${rows.map((r) => `[${r.map(lit).join(" ")}]`).join(" ")}]`;
      assert.equal(await value(`(= (map seq->list (csv-parse (csv-stringify ${src}))) (map seq->list ${src}))`), "#t");
    }),
    { numRuns: 60 },
  );
});

test("a large CSV parses in slices: other tasks run meanwhile", async () => {
  const out = await value(
    `(define text (string-join (map (fn [i] (str i ",\\"x " i "\\"")) (range 20000)) "\\n"))
     (define ticks (atom 0))
     (define ticker (spawn (fn [] (let loop () (atom-swap! ticks inc) (sleep 0) (loop)))))
     (define rows (csv-parse text))
     (task-cancel ticker)
     (list (count rows) (last rows) (> (atom-deref ticks) 0))`,
  );
  assert.equal(out, `(20000 ["19999" "x 19999"] #t)`);
});

// ---- frequencies and group-by ------------------------------------------------------------

test("frequencies and group-by follow Clojure: counts and groups by =, keys in first-seen order", async () => {
  assert.equal(await value(`(frequencies [:b :a :b [1] '(1) 1.0 1])`), `{:b 2 :a 1 [1] 1 (1) 1 1 2}`);
  assert.equal(await value(`(frequencies nil)`), `{}`);
  assert.equal(
    await value(`(group-by :dept [{:dept "x" :n 1} {:dept "y" :n 2} {:dept "x" :n 3}])`),
    `{"x" ({:dept "x" :n 1} {:dept "x" :n 3}) "y" ({:dept "y" :n 2})}`,
  );
  assert.equal(await value(`(group-by odd? (range 5))`), `{#f (0 2 4) #t (1 3)}`);
  assert.match(await failure(`(frequencies 5)`), /^frequencies: expected a list or vector, got 5/);
});

// ---- endless sources -----------------------------------------------------------------------

test("iterate, repeat, cycle and (range) are endless sources that take reads from", async () => {
  assert.equal(
    await value(`(list (take 4 (iterate (fn [x] (* 2 x)) 1)) (take 2 (repeat :x)) (take 5 (cycle '(a b)))
                       (take 3 (range)) (repeat 2 "s") (take 3 (cycle [])))`),
    `((1 2 4 8) (:x :x) (a b a b a) (0 1 2) ("s" "s") ())`,
  );
  assert.equal(
    await value(`(let [src (range)] (list (take 2 src) (take 2 src)))`),
    `((0 1) (2 3))`,
    "a source is consumed as it is read",
  );
});

test("a source computes at most one value ahead of its reader", async () => {
  assert.equal(
    await value(`(define calls (atom 0))
                 (define src (iterate (fn [x] (atom-swap! calls inc) (inc x)) 0))
                 (take 3 src)
                 (sleep 10)
                 (atom-deref calls)`),
    "3",
    "3 values read: the function ran for the 2nd, the 3rd, and the 4th waiting to be read; not more while the reader slept",
  );
});

test("an error in iterate's function arrives as the last item", async () => {
  assert.equal(
    await value(`(take 5 (iterate (fn [x] (if (= x 2) (error "two is enough") (inc x))) 0))`),
    `(0 1 2 {:error "two is enough"})`,
  );
});

test("stream-map reads an endless source, and take reads stream-map's output", async () => {
  assert.equal(
    await value(
      `(take 5 (stream-map (fn [x] (sleep (- 50 (* 10 x))) (* x x)) (range) :workers 3 :ordered #t))`,
      "virtual",
    ),
    "(0 1 4 9 16)",
  );
});

test("a source's producer ends with the task that made it, and the channel closes", async () => {
  assert.equal(
    await value(`(define src (task-await (spawn (fn [] (iterate inc 0)))))
                 (sleep 1)
                 (list (take 3 src) (channel-closed? src))`),
    "(() #t)",
  );
  const r = await runOk(`(define src (iterate inc 0)) (channel-close src) (take 2 src)`);
  assert.equal(write(r.value), "()", "closing a source ends it");
});

test("at the task limit a source holds the limit's error value, then ends", async () => {
  assert.equal(
    await value(
      `(set-max-threads! 1)
       (define gate (make-channel))
       (define held (spawn (fn [] (channel-recv gate))))
       (define src (iterate inc 0))
       (channel-close gate)
       (map (fn [x] (if (error? x) (error-msg x) x)) (take 3 src))`,
      "virtual",
    ),
    `("task limit reached (1)")`,
  );
});

test("(repeat n x) takes an integer count", async () => {
  assert.equal(await value(`(list (repeat 0 1) (repeat -1 1))`), "(() ())");
  assert.equal(await failure(`(repeat 2.5 :x)`), "repeat: expected an integer count, got 2.5");
});

test("take of a source takes an integer, in either order", async () => {
  assert.equal(await value(`(take (iterate inc 5) 2)`), "(5 6)");
  assert.match(await failure(`(take "2" (range))`), /^take: expected an integer, got "2"/);
});
