// Map builtins: construction, lookup (error values read like maps), assoc/dissoc, keys, vals, merge.
import { expectedGot } from "../core/messages.js";
import { describe } from "../syntax/printer.js";
import { raise } from "../core/error.js";
import { LMap } from "../core/map.js";
import { ErrorValue, Keyword, arrayToList, isVector, type Value } from "../core/types.js";
import type { List as IList } from "immutable";
import { errorGet } from "../vm/machine.js";
import { int, seq, typeError } from "./args.js";
import { builtins } from "./registry.js";
import { CHUNK, runJob, type Job } from "./jobs.js";

const def = builtins("map");
const ERROR_KEY = Keyword.of("error");

/** The entries of a map, nil (none) or an error value (:error message first, then its data). */
export function mapEntries(op: string, m: Value): Iterable<readonly [Value, Value]> {
  if (m instanceof LMap) return m.entries();
  if (m === null) return [];
  if (m instanceof ErrorValue) return [[ERROR_KEY, m.message] as const, ...m.data.entries()];
  typeError(op, "a map", m);
}

/** True when k is an integer index into a vector of this size. */
function validIndex(k: Value, size: number): k is number {
  return typeof k === "number" && Number.isInteger(k) && k >= 0 && k < size;
}

/** Looks k up in a map, an error value or nil; `get` also indexes vectors. Raises for other types. */
function lookup(op: string, coll: Value, k: Value, dflt: Value): Value {
  if (coll instanceof LMap) return coll.get(k, dflt);
  if (coll === null) return dflt;
  if (coll instanceof ErrorValue) return errorGet(coll, k, dflt);
  if (op === "get" && isVector(coll)) {
    return validIndex(k, coll.size) ? coll.get(k) : dflt;
  }
  typeError(op, op === "get" ? "a map or vector" : "a map", coll);
}

function hasKey(op: string, m: Value, k: Value): boolean {
  if (m instanceof LMap) return m.has(k);
  if (m === null) return false;
  if (m instanceof ErrorValue) return k === ERROR_KEY || m.data.has(k);
  if (op === "contains?" && isVector(m)) return validIndex(k, m.size);
  typeError(op, op === "contains?" ? "a map or vector" : "a map", m);
}

/** The map of the keys and values in args, as a job: an entry added costs 32 steps (a lookup). */
function* mapOf(args: Value[]): Job {
  let m = LMap.EMPTY;
  for (let i = 0; i < args.length; i += 2) {
    m = m.set(args[i], args[i + 1]);
    if ((i + 2) % (2 * CHUNK) === 0) yield 32 * CHUNK;
  }
  return m;
}

def(
  {
    name: "hash-map",
    arity: [0, Infinity],
    usage: "(hash-map k v ...)",
    doc: "A map of the key-value pairs, in that order; a later duplicate key wins. Any value can be a key.",
    examples: [
      ["(hash-map :a 1 :b 2)", "{:a 1 :b 2}"],
      ["(hash-map)", "{}"],
      ['(hash-map "k" [1])', '{"k" [1]}'],
    ],
  },
  (args, m) => {
    if (args.length % 2 !== 0)
      raise(expectedGot("hash-map", "an even number of arguments (key value ...)", describe(args.length)));
    return runJob(m, "hash-map", mapOf(args));
  },
);

def(
  {
    name: "map-get",
    arity: [2, 3],
    usage: "(map-get m k [default])",
    doc: "The value of key k in the map m, or default (nil) when absent. An error value reads as a map: :error is its message, other keys its data.",
    examples: [
      ["(map-get {:a 1} :a)", "1"],
      ["(map-get {:a 1} :z)", "nil"],
      ["(map-get {:a 1} :z 0)", "0"],
      ['(map-get (make-error "boom" {:status 404}) :status)', "404"],
    ],
    f2: (m, k) => lookup("map-get", m, k, null),
  },
  (args) => lookup("map-get", args[0], args[1], args.length > 2 ? args[2] : null),
);

def(
  {
    name: "get",
    arity: [2, 3],
    usage: "(get coll k [default])",
    doc: "Like map-get, and also reads a vector by index: the value at k, or default (nil) when absent or out of range.",
    examples: [
      ["(get {:a 1} :a)", "1"],
      ["(get [10 20] 1)", "20"],
      ["(get [10 20] 5 :none)", ":none"],
      ["(get nil :a)", "nil"],
    ],
    f2: (m, k) => lookup("get", m, k, null),
  },
  (args) => lookup("get", args[0], args[1], args.length > 2 ? args[2] : null),
);

const MISSING = Symbol("missing");
const isAssociative = (v: Value): boolean => v instanceof LMap || v instanceof ErrorValue || isVector(v);

def(
  {
    name: "get-in",
    arity: [2, 3],
    usage: "(get-in m path [default])",
    doc: "Follows the keys (and vector indices) of the list or vector path into nested maps and vectors; default (nil) when any step is missing.",
    examples: [
      ["(get-in {:x {:y [10 20]}} [:x :y 1])", "20"],
      ["(get-in {:x 1} [:q :r])", "nil"],
      ["(get-in {:x 1} [:x :y] 0)", "0"],
      ["(get-in {:a 1} [])", "{:a 1}"],
    ],
  },
  (args) => {
    const dflt = args.length > 2 ? args[2] : null;
    let cur = args[0];
    if (!(isAssociative(cur) || cur === null)) typeError("get-in", "a map or vector", cur);
    for (const k of seq("get-in", args[1])) {
      cur = isAssociative(cur) ? lookup("get", cur, k, MISSING) : MISSING;
      if (cur === MISSING) return dflt;
    }
    return cur;
  },
);

function assocVector(v: IList<Value>, iv: Value, x: Value): IList<Value> {
  const i = int("assoc", iv);
  if (i < 0 || i > v.size) raise(`assoc: index ${i} out of range for a vector of length ${v.size}`);
  return v.set(i, x);
}

def(
  {
    name: "assoc",
    arity: [3, Infinity],
    usage: "(assoc m k v ...)",
    doc: "The map m with each key k set to its value (m itself is unchanged); on a vector, sets the item at index k (the index just past the end appends).",
    examples: [
      ["(assoc {:a 1} :b 2)", "{:a 1 :b 2}"],
      ["(assoc {:a 1} :a 5 :c 3)", "{:a 5 :c 3}"],
      ["(assoc nil :a 1)", "{:a 1}"],
      ["(assoc [1 2] 0 9)", "[9 2]"],
    ],
  },
  (args) => {
    if ((args.length - 1) % 2 !== 0)
      raise(
        expectedGot("assoc", "an even number of arguments after the map (key value ...)", describe(args.length - 1)),
      );
    const first = args[0];
    if (isVector(first)) {
      let v = first;
      for (let i = 1; i < args.length; i += 2) v = assocVector(v, args[i], args[i + 1]);
      return v;
    }
    if (!(first === null || first instanceof LMap)) typeError("assoc", "a map or vector", first);
    let m = first ?? LMap.EMPTY;
    for (let i = 1; i < args.length; i += 2) m = m.set(args[i], args[i + 1]);
    return m;
  },
);

def(
  {
    name: "dissoc",
    arity: [1, Infinity],
    usage: "(dissoc m k ...)",
    doc: "The map m without the given keys.",
    examples: [
      ["(dissoc {:a 1 :b 2} :a)", "{:b 2}"],
      ["(dissoc {:a 1} :z)", "{:a 1}"],
    ],
  },
  (args) => {
    if (args[0] === null) return null;
    if (!(args[0] instanceof LMap)) typeError("dissoc", "a map", args[0]);
    let m: LMap = args[0];
    for (let i = 1; i < args.length; i++) m = m.delete(args[i]);
    return m;
  },
);

def(
  {
    name: "keys",
    arity: [1, 1],
    usage: "(keys m)",
    doc: "The keys of the map, as a list in insertion order.",
    examples: [
      ["(keys {:a 1 :b 2})", "(:a :b)"],
      ["(keys {})", "()"],
      ['(keys (make-error "x" {:n 1}))', "(:error :n)"],
    ],
  },
  (args) => arrayToList(Array.from(mapEntries("keys", args[0]), (e) => e[0])),
);

def(
  {
    name: "vals",
    arity: [1, 1],
    usage: "(vals m)",
    doc: "The values of the map, as a list in insertion order.",
    examples: [
      ["(vals {:a 1 :b 2})", "(1 2)"],
      ["(vals nil)", "()"],
    ],
  },
  (args) => arrayToList(Array.from(mapEntries("vals", args[0]), (e) => e[1])),
);

def(
  {
    name: "has-key?",
    arity: [2, 2],
    usage: "(has-key? m k)",
    doc: "True when the map m has the key k (even with a nil value).",
    examples: [
      ["(has-key? {:a 1} :a)", "#t"],
      ["(has-key? {:a nil} :a)", "#t"],
      ["(has-key? {:a 1} :b)", "#f"],
    ],
    f2: (m, k) => hasKey("has-key?", m, k),
  },
  (args) => hasKey("has-key?", args[0], args[1]),
);

def(
  {
    name: "contains?",
    arity: [2, 2],
    usage: "(contains? coll k)",
    doc: "True when the map has the key k, or when k is a valid index of the vector (as in Clojure; use string-contains? for substrings and member for list items).",
    examples: [
      ["(contains? {:a 1} :a)", "#t"],
      ["(contains? [5 6] 1)", "#t"],
      ["(contains? [5 6] 5)", "#f"],
    ],
    f2: (m, k) => hasKey("contains?", m, k),
  },
  (args) => hasKey("contains?", args[0], args[1]),
);

def(
  {
    name: "merge",
    arity: [0, Infinity],
    usage: "(merge m ...)",
    doc: "One map with the entries of all the maps; for a key in several, the later map wins. nil arguments are skipped.",
    examples: [
      ["(merge {:a 1 :b 2} {:b 20 :d 4})", "{:a 1 :b 20 :d 4}"],
      ["(merge nil {:a 1} nil)", "{:a 1}"],
      ["(merge)", "{}"],
    ],
  },
  (args) => {
    let m: LMap | null = null;
    for (const a of args) {
      if (a === null) continue;
      if (!(a instanceof LMap)) typeError("merge", "a map", a);
      if (m === null) {
        m = a;
        continue;
      }
      for (const [k, v] of a.entries()) m = m.set(k, v);
    }
    return m ?? LMap.EMPTY;
  },
);

def(
  {
    name: "select-keys",
    arity: [2, 2],
    usage: "(select-keys m ks)",
    doc: "A map of only the entries of m whose keys are in the list or vector ks, in the order of ks; absent keys are left out.",
    examples: [
      ["(select-keys {:a 1 :b 2 :c 3} [:a :c])", "{:a 1 :c 3}"],
      ["(select-keys {:a 1} [:z])", "{}"],
    ],
  },
  (args) => {
    const src = args[0] === null ? LMap.EMPTY : args[0];
    if (!(src instanceof LMap)) typeError("select-keys", "a map", src);
    let m = LMap.EMPTY;
    for (const k of seq("select-keys", args[1])) if (src.has(k)) m = m.set(k, src.get(k));
    return m;
  },
);

def(
  {
    name: "map?",
    arity: [1, 1],
    usage: "(map? x)",
    doc: "True when x is a map (an error value is not a map; use error?).",
    examples: [
      ["(map? {:a 1})", "#t"],
      ["(map? [1])", "#f"],
      ['(map? (make-error "x"))', "#f"],
    ],
    f1: (a) => a instanceof LMap,
  },
  (args) => args[0] instanceof LMap,
);
