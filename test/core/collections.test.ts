// Tests for the value layer: persistent vectors and LMap, structural equality and hashing,
// interning, and that persistent updates stay fast at scale.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { List as IList } from "immutable";
import { equals, hashOf } from "../../src/core/equality.js";
import {
  EMPTY,
  ErrorValue,
  Keyword,
  Pair,
  Sym,
  arrayToList,
  list,
  listToArray,
  type Value,
} from "../../src/core/types.js";
import { LMap } from "../../src/core/map.js";
import { write } from "../../src/syntax/printer.js";
import { stdoutOf, nestedData } from "../helpers.js";

const kw = Keyword.of;

function mapOf(...kvs: Value[]): LMap {
  let m = LMap.EMPTY;
  for (let i = 0; i < kvs.length; i += 2) m = m.set(kvs[i], kvs[i + 1]);
  return m;
}

function assertEqualWithHash(a: Value, b: Value): void {
  assert.ok(equals(a, b), `${write(a)} should equal ${write(b)}`);
  assert.ok(equals(b, a), `equality is symmetric: ${write(b)} vs ${write(a)}`);
  assert.equal(hashOf(a), hashOf(b), `equal values ${write(a)} and ${write(b)} must hash alike`);
}

// ---- interning -------------------------------------------------------------------------

test("symbols and keywords with the same name are the same object", () => {
  assert.equal(Sym.of("abc"), Sym.of("abc"));
  assert.equal(kw("abc"), kw("abc"));
  assert.notEqual(Sym.of("abc") as Value, kw("abc") as Value);
  assert.ok(!equals(Sym.of("abc"), kw("abc")));
  assert.ok(!equals(Sym.of("abc"), "abc"));
});

test("a gensym is never equal to an interned symbol of the same name", () => {
  const g = Sym.gensym("t");
  assert.ok(!equals(g, Sym.of(g.name)));
  assert.ok(!equals(Sym.gensym("t"), Sym.gensym("t")));
});

// ---- vectors -----------------------------------------------------------------------------

test("conj and assoc on a vector return a new vector and leave the old one alone", () => {
  const v = IList<Value>([1, 2, 3]);
  const pushed = v.push(4);
  const set = v.set(0, "x");
  assert.equal(write(v), "[1 2 3]");
  assert.equal(write(pushed), "[1 2 3 4]");
  assert.equal(write(set), '["x" 2 3]');
});

test("vectors compare structurally and hash alike when equal", () => {
  assertEqualWithHash(
    IList([1, IList(["a"]), mapOf(kw("k"), list(1))]),
    IList([1, IList(["a"]), mapOf(kw("k"), list(1))]),
  );
  assert.ok(!equals(IList([1, 2]), IList([2, 1])));
  assert.ok(!equals(IList([1, 2]), IList([1, 2, 3])));
});

// ---- lists -------------------------------------------------------------------------------

test("lists compare structurally and hash alike when equal", () => {
  assertEqualWithHash(list(1, list(2, "s"), IList([kw("a")])), arrayToList([1, list(2, "s"), IList([kw("a")])]));
  assert.ok(!equals(list(1, 2), list(1, 2, 3)));
  assert.ok(!equals(list(1, 2, 3), list(1, 2)));
  assert.deepEqual(listToArray(list(1, 2, 3)), [1, 2, 3]);
});

test("a list is never equal to a vector with the same items", () => {
  assert.ok(!equals(list(1, 2), IList([1, 2])));
  assert.ok(!equals(IList([1, 2]), list(1, 2)));
  assert.ok(!equals(EMPTY, IList()));
  assert.ok(!equals(IList(), EMPTY));
});

test("the empty list is neither nil nor false", () => {
  assert.ok(!equals(EMPTY, null));
  assert.ok(!equals(null, EMPTY));
  assert.ok(!equals(EMPTY, false));
  assert.ok(equals(EMPTY, list()));
});

test("a list's source position does not affect equality", () => {
  const a = list(1, 2) as Pair;
  a.loc = { file: "a", line: 1, col: 1 };
  const b = list(1, 2) as Pair;
  b.loc = { file: "b", line: 9, col: 9 };
  assertEqualWithHash(a, b);
});

// ---- maps --------------------------------------------------------------------------------

test("assoc and dissoc on a map return new maps and leave the old one alone", () => {
  const m = mapOf(kw("a"), 1, kw("b"), 2);
  const added = m.set(kw("c"), 3);
  const changed = m.set(kw("a"), 10);
  const removed = m.delete(kw("a"));
  assert.equal(write(m), "{:a 1 :b 2}");
  assert.equal(write(added), "{:a 1 :b 2 :c 3}");
  assert.equal(write(changed), "{:a 10 :b 2}");
  assert.equal(write(removed), "{:b 2}");
  assert.equal(m.size, 2);
});

test("maps keep insertion order; replacing a value keeps the key's place", () => {
  const m = mapOf(kw("z"), 1, kw("a"), 2, kw("m"), 3).set(kw("z"), 9);
  assert.deepEqual([...m.keys()].map(write), [":z", ":a", ":m"]);
  assert.deepEqual([...m.values()], [9, 2, 3]);
});

test("a key removed and added again goes to the end", () => {
  const m = mapOf(kw("a"), 1, kw("b"), 2, kw("c"), 3).delete(kw("a")).set(kw("a"), 4);
  assert.equal(write(m), "{:b 2 :c 3 :a 4}");
});

test("many deletions keep the order of the remaining keys", () => {
  let m = LMap.EMPTY;
  for (let i = 0; i < 100; i++) m = m.set(i, `v${i}`);
  for (let i = 0; i < 100; i++) if (i % 3 !== 0) m = m.delete(i);
  const expected = [];
  for (let i = 0; i < 100; i += 3) expected.push(i);
  assert.deepEqual([...m.keys()], expected);
  assert.equal(m.size, expected.length);
  assert.equal(m.get(99), "v99");
  assert.equal(m.get(98), null);
  m = m.set(1000, "new");
  assert.deepEqual([...m.keys()].slice(-2), [99, 1000]);
});

test("deleting a missing key returns the same map", () => {
  const m = mapOf(kw("a"), 1);
  assert.equal(m.delete(kw("zz")), m);
});

test("get returns the default, or nil, for a missing key", () => {
  const m = mapOf(kw("a"), 1, kw("n"), null);
  assert.equal(m.get(kw("a")), 1);
  assert.equal(m.get(kw("b")), null);
  assert.equal(m.get(kw("b"), "dflt"), "dflt");
  assert.equal(m.get(kw("n"), "dflt"), null, "a key bound to nil is present");
  assert.ok(m.has(kw("n")));
  assert.ok(!m.has(kw("b")));
});

test("map equality ignores insertion order and hashes alike", () => {
  const a = mapOf(kw("a"), 1, kw("b"), IList([2]), "s", mapOf(1, 2, 3, 4));
  const b = mapOf("s", mapOf(3, 4, 1, 2), kw("b"), IList([2]), kw("a"), 1);
  assertEqualWithHash(a, b);
  assert.ok(!equals(a, b.set(kw("a"), 2)));
  assert.ok(!equals(a, b.delete(kw("a"))));
  assert.ok(!equals(mapOf(kw("a"), null), mapOf(kw("b"), null)));
});

test("structured values work as map keys by value", () => {
  const m = mapOf(list(1, 2), "list", IList([1, 2]), "vec", mapOf(kw("k"), 1), "map", "s", "str");
  assert.equal(m.get(list(1, 2)), "list");
  assert.equal(m.get(IList([1, 2])), "vec");
  assert.equal(m.get(mapOf(kw("k"), 1)), "map");
  assert.equal(m.get("s"), "str");
  assert.equal(m.size, 4, "a list key and a vector key with the same items are different keys");
});

test("keys that are equal but built separately replace each other", () => {
  const m = mapOf(list(1, IList([2])), "first").set(list(1, IList([2])), "second");
  assert.equal(m.size, 1);
  assert.equal(m.get(list(1, IList([2]))), "second");
});

test("a map is not equal to an error value with the same entries", () => {
  const e = new ErrorValue("x", LMap.EMPTY);
  assert.ok(!equals(mapOf(kw("error"), "x"), e));
  assert.ok(!equals(e, mapOf(kw("error"), "x")));
});

test("error values compare by message and data", () => {
  const a = new ErrorValue("nf", mapOf(kw("status"), 404, kw("url"), "u"));
  const b = new ErrorValue("nf", mapOf(kw("url"), "u", kw("status"), 404));
  assertEqualWithHash(a, b);
  assert.ok(!equals(a, new ErrorValue("other", mapOf(kw("status"), 404, kw("url"), "u"))));
  assert.ok(!equals(a, new ErrorValue("nf", LMap.EMPTY)));
});

// ---- equality and hash as properties -------------------------------------------------

const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 4 }),
  fc.constantFrom("a", "b", "c").map(kw),
  fc.constantFrom("x", "y").map(Sym.of),
);
const anyValue = nestedData(leaf, 4);

/** Rebuilds a value with fresh objects and every map's entries inserted in reverse. */
function rebuildReversed(v: Value): Value {
  if (v instanceof Pair) return arrayToList(listToArray(v).map(rebuildReversed));
  if (IList.isList(v)) return IList((v as IList<Value>).toArray().map(rebuildReversed));
  if (v instanceof LMap)
    return LMap.fromEntries(
      [...v.entries()].reverse().map(([k, x]) => [rebuildReversed(k), rebuildReversed(x)] as const),
    );
  return v;
}

test("a value equals its rebuilt copy with maps in another order, and hashes alike", () => {
  fc.assert(
    fc.property(anyValue, (v) => {
      assertEqualWithHash(v, rebuildReversed(v));
    }),
    { seed: 7, numRuns: 1000 },
  );
});

test("equal values always have equal hashes", () => {
  fc.assert(
    fc.property(anyValue, anyValue, (a, b) => {
      if (equals(a, b)) assert.equal(hashOf(a), hashOf(b));
      assert.equal(equals(a, b), equals(b, a), "equality is symmetric");
    }),
    { seed: 8, numRuns: 1000 },
  );
});

test("maps built from the same entries in any order are equal", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.string({ maxLength: 3 }), fc.integer()), { selector: (e) => e[0], maxLength: 12 }),
      fc.nat(),
      (entries, seed) => {
        const shuffled = [...entries];
        for (let i = shuffled.length - 1, s = seed; i > 0; i--, s = (s * 1103515245 + 12345) >>> 0) {
          const j = s % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const a = LMap.fromEntries(entries);
        const b = LMap.fromEntries(shuffled);
        assertEqualWithHash(a, b);
        assert.deepEqual(
          [...a.keys()],
          entries.map((e) => e[0]),
          "iteration follows insertion order",
        );
      },
    ),
    { seed: 9, numRuns: 500 },
  );
});

// ---- scale -------------------------------------------------------------------------------

test("100,000 assoc on a map and conj on a vector stay fast and keep every entry", () => {
  const t0 = Date.now();
  let m = LMap.EMPTY;
  let v = IList<Value>();
  const snapshots: LMap[] = [];
  for (let i = 0; i < 100_000; i++) {
    m = m.set(i, i * 2);
    v = v.push(i);
    if (i % 25_000 === 0) snapshots.push(m);
  }
  const elapsed = Date.now() - t0;
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
  assert.equal(m.size, 100_000);
  assert.equal(v.size, 100_000);
  assert.equal(m.get(99_999), 199_998);
  assert.equal(v.get(54_321), 54_321);
  assert.deepEqual(
    snapshots.map((s) => s.size),
    [1, 25_001, 50_001, 75_001],
    "earlier versions are untouched",
  );
});

test("100,000 dissoc on a map stays fast", () => {
  let m = LMap.EMPTY;
  for (let i = 0; i < 100_000; i++) m = m.set(i, i);
  const t0 = Date.now();
  for (let i = 0; i < 100_000; i += 2) m = m.delete(i);
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(m.size, 50_000);
  assert.equal([...m.keys()][0], 1);
});

test("assoc and conj in a Skein loop of 100,000 stay fast", async () => {
  const t0 = Date.now();
  const out = await stdoutOf(`
    (define m (reduce (lambda (acc i) (assoc acc i (* i i))) (range 100000) {}))
    (define v (reduce (lambda (acc i) (conj acc i)) (range 100000) []))
    (println (count m) (map-get m 999) (count v) (nth v 99999))
  `);
  assert.equal(out, "100000 998001 100000 99999\n");
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});

test("Skein = is structural, eq? is identity, and assoc leaves the original map alone", async () => {
  const out = await stdoutOf(`
    (prn (= [1 {:a 2}] [1 {:a 2}]) (= {:a 1 :b 2} {:b 2 :a 1}) (= '(1 2) [1 2]) (= '() nil))
    (prn (eq? 'a 'a) (eq? :k :k) (eq? [1] [1]))
    (define m {:a 1})
    (define m2 (assoc m :b 2))
    (define m3 (dissoc m2 :a))
    (prn m m2 m3)
    (define v [1 2])
    (prn (conj v 3) v)
  `);
  assert.equal(out, "#t #t #f #f\n#t #t #f\n{:a 1} {:a 1 :b 2} {:b 2}\n[1 2 3] [1 2]\n");
});

// Regression: types.ts began with valueEquals = === and valueHash = 0, and equality.ts patched the
// real functions in when it was imported; a module that used LMap without importing equality.ts
// silently got identity equality. Now map.ts and types.ts import equality.ts themselves.
test("a map keyed by lists finds its keys in a process that imports nothing but the map module", () => {
  const dir = dirname(fileURLToPath(import.meta.url));
  const url = (p: string) => pathToFileURL(join(dir, "..", "..", "src", "core", p)).href;
  const program = `
    const { LMap } = await import(${JSON.stringify(url("map.js"))});
    const { list } = await import(${JSON.stringify(url("types.js"))});
    const m = LMap.EMPTY.set(list(1, 2), "found");
    console.log(m.get(list(1, 2), "missing"), m.equals(LMap.EMPTY.set(list(1, 2), "found")));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", program], { encoding: "utf8" });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "found true\n");
});
