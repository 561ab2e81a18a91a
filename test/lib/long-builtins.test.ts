// Builtins whose work grows with their input share the CPU: a long sort, distinct, range, str,
// string-join, printing, json-parse, json-stringify, apply or hash-map runs in slices
// (src/lib/jobs.ts), and so does a long macro expansion, so a ticker task keeps ticking beside it
// and a timeout stops it.
// On a virtual clock every spent step budget is 1 ms, so the figures are exact on any machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runOk } from "../helpers.js";
import { write } from "../../src/syntax/printer.js";
import { listToArray, type List } from "../../src/core/types.js";
import fc from "fast-check";
import { NATIVE_PARSE_MAX, parseJson } from "../../src/lib/json.js";

/** Runs `expr` under (timeout 100 ...) beside a task ticking every 10 ms, on a virtual clock:
 *  (what timeout returned, ticks during the call, virtual ms the call took). */
async function besideTicker(setup: string, expr: string): Promise<string> {
  const r = await runOk(
    `
    ${setup}
    (define ticks (atom 0))
    (define ticker (spawn (fn [] (let loop () (sleep 10) (atom-swap! ticks inc) (loop)))))
    (sleep 1)
    (define before @ticks)
    (define t0 (monotonic-ms))
    (define r (timeout 100 (fn [] ${expr})))
    (task-cancel ticker)
    (list (if (error? r) (error-msg r) :finished) (- @ticks before) (- (monotonic-ms) t0))`,
    { clock: "virtual" },
  );
  return write(r.value);
}

const LONG: [string, string, string][] = [
  ["sort of numbers", "(define xs (reverse (range 300000)))", "(sort xs)"],
  ["sort of strings", "(define xs (map str (range 150000)))", "(sort xs)"],
  ["distinct", "(define xs (map (fn [i] (modulo i 1000)) (range 100000)))", "(distinct xs)"],
  ["range", "", "(range 3000000)"],
  ["string-join", "(define xs (range 300000))", '(string-join xs ",")'],
  ["str of many arguments", "(define xs (range 400000))", "(apply str xs)"],
  ["json-parse", "(define text (json-stringify (range 400000)))", "(json-parse text)"],
  ["str of a long list", "(define xs (range 400000))", "(str xs)"],
  ["println of a long list", "(define xs (range 400000))", "(println xs)"],
  ["json-stringify", "(define v (map (fn [i] {:i i}) (range 200000)))", "(json-stringify v)"],
  ["apply hash-map", "(define kvs (range 600000))", "(apply hash-map kvs)"],
  ["a looping macro expanded by eval", "(defmacro forever () (let loop ((i 0)) (loop (+ i 1))))", "(eval '(forever))"],
];

for (const [what, setup, expr] of LONG) {
  test(`${what}: a timeout stops it and a 10 ms ticker ticks meanwhile`, async () => {
    // ticks at 10, 20, ... 90 ms of the timeout's 100 at least; the one at 100 may come first or not
    assert.match(await besideTicker(setup, expr), /^\("timeout after 100ms" (9|10) 100\)$/);
  });
}

test("results over many slices are those of one go", async () => {
  const r = await runOk(
    `
    (define xs (map (fn [i] (modulo (* i 7919) 1009)) (range 6000)))
    (list (= (sort xs) (sort xs <))
          (= (sort (map str xs)) (sort (map str xs) (fn [a b] (< (compare a b) 0))))
          (= (sort (map vector xs)) (map vector (sort xs)))
          (= (distinct xs) (take 1009 xs))
          (= (distinct (map (fn [i] (modulo i 1000)) (range 6000))) (range 1000))
          (= (range 5 30000 3) (map (fn [i] (+ 5 (* 3 i))) (range 9999)))
          (let ((v (into [] (map (fn [i] {:a i :b [i "x" nil #t {:c []}]}) (range 3000)))))
            (= (json-parse (json-stringify v)) v))
          (= (string-join xs ",") (let loop ((ys (cdr xs)) (acc (str (car xs)))) (if (null? ys) acc (loop (cdr ys) (str acc "," (car ys))))))
          (try (sort (append (range 5000) '("a"))) (catch e (error-msg e)))
          (= (str (range 5000)) (str "(" (string-join (range 5000) " ") ")"))
          (= (apply hash-map (range 6000)) (reduce (fn [m i] (assoc m (* 2 i) (+ 1 (* 2 i)))) (range 3000) {}))
          (json-stringify (list (map (fn [i] {:i [i]}) (range 2)) {}) :pretty #t))`,
    { clock: "virtual" },
  );
  assert.equal(
    write(r.value),
    '(#t #t #t #t #t #t #t #t "sort: cannot compare 4999 with \\"a\\"" #t #t ' +
      '"[\\n  [\\n    {\\n      \\"i\\": [\\n        0\\n      ]\\n    },\\n    {\\n      \\"i\\": [\\n        1\\n      ]\\n    }\\n  ],\\n  {}\\n]")',
  );
});

test("real time: a 10 ms ticker keeps ticking during a long sort", async () => {
  const r = await runOk(`
    (define xs (reverse (range 300000)))
    (define ticks (atom 0))
    (define ticker (spawn (fn [] (let loop () (sleep 10) (atom-swap! ticks inc) (loop)))))
    (define before @ticks)
    (define t0 (monotonic-ms))
    (define n (length (sort xs)))
    (task-cancel ticker)
    (list n (- @ticks before) (- (monotonic-ms) t0))`);
  const [n, ticks, ms] = listToArray(r.value as List) as number[];
  assert.equal(n, 300000);
  // however slow the machine, a tick is due every 10 ms; allow a wide margin of lateness
  assert.ok(ticks >= Math.floor(ms / 40), `${ticks} ticks in ${ms} ms`);
});

test("json-parse of a long text reads it in slices: long strings cost their length, a 1 ms ticker ticks", async () => {
  // 5,000 strings of 1,000 characters: few values, but 5 MB that JSON.parse would read in one call
  const r = await runOk(
    `
    (define text (json-stringify (map (fn [i] (string-join (map (fn [j] "x") (range 1000)))) (range 5000))))
    (define ticks (atom 0))
    (define ticker (spawn (fn [] (let loop () (sleep 1) (atom-swap! ticks inc) (loop)))))
    (sleep 1)
    (define before @ticks)
    (define t0 (monotonic-ms))
    (define r (timeout 10 (fn [] (json-parse text))))
    (task-cancel ticker)
    (list (if (error? r) (error-msg r) :finished) (>= (- @ticks before) 5) (- (monotonic-ms) t0))`,
    { clock: "virtual" },
  );
  assert.equal(write(r.value), '("timeout after 10ms" #t 10)');
});

test("json-parse reads a text longer than NATIVE_PARSE_MAX as JSON.parse reads it", () => {
  // spaces after the text make it long enough for the sliced reader; the value must not change
  const pad = " ".repeat(NATIVE_PARSE_MAX);
  fc.assert(
    fc.property(fc.json(), (text) => {
      assert.equal(write(parseJson(text + pad)), write(parseJson(text)));
    }),
    { seed: 20261207, numRuns: 300 },
  );
  // and rejects what JSON.parse rejects
  fc.assert(
    fc.property(
      fc.json(),
      fc.nat(),
      fc.constantFrom("", ",", "]", "}", '"', "\\", ":", "x", "\u0001"),
      (text, at, junk) => {
        const i = at % (text.length + 1);
        const bad = text.slice(0, i) + junk + text.slice(i + (junk === "" ? 1 : 0));
        let valid = true;
        try {
          JSON.parse(bad);
        } catch {
          valid = false;
        }
        const r = parseJson(bad + pad);
        assert.equal(write(r).startsWith('{:error "json-parse: invalid JSON: '), !valid, JSON.stringify(bad));
      },
    ),
    { seed: 20261207, numRuns: 500 },
  );
});
