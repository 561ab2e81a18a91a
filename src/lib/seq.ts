// Sequence builtins over lists, vectors (and, where it makes sense, strings, maps and nil):
// construction, access, slicing, combining, conj/into, natural sort and the type predicates.
import { List as IList, Map as IMap, Set as ISet } from "immutable";
import { raise } from "../core/error.js";
import { equals } from "../core/equality.js";
import { LMap } from "../core/map.js";
import { EMPTY, EmptyList, Pair, arrayToList, isVector, type List, type Value } from "../core/types.js";
import { int, isList, num, seq, seqable, truthy, typeError, typeName } from "./args.js";
import { compareStrings, compareValues } from "./numbers.js";
import { builtins, type Definer } from "./registry.js";
import { CHUNK, itemsOf, listOf, runJob, type Job } from "./jobs.js";
import { codePointAt, codePointLength } from "./strings.js";
import { Channel } from "../runtime/channel.js";
import { CallReq } from "../vm/objects.js";
import { contextOf } from "../session/context.js";

const def = builtins("seq");
const defCore = builtins("core");

// ---- construction ----------------------------------------------------------------------

def(
  {
    name: "list",
    arity: [0, Infinity],
    usage: "(list x ...)",
    doc: "A new list of the arguments.",
    examples: [
      ["(list 1 2 3)", "(1 2 3)"],
      ["(list)", "()"],
    ],
  },
  (args) => arrayToList(args),
);

function cons(x: Value, tail: Value): Pair {
  if (tail instanceof Pair || tail instanceof EmptyList) return new Pair(x, tail);
  if (tail === null) return new Pair(x, EMPTY);
  if (isVector(tail)) return new Pair(x, arrayToList(tail.toArray()));
  typeError("cons", "a list", tail);
}

def.binary(
  {
    name: "cons",
    usage: "(cons x xs)",
    doc: "A list with x in front of the list xs (a vector or nil is taken as a list). O(1) for a list.",
    examples: [
      ["(cons 0 '(1))", "(0 1)"],
      ["(cons 1 nil)", "(1)"],
      ["(cons 0 [1 2])", "(0 1 2)"],
    ],
  },
  cons,
);

def(
  {
    name: "vector",
    arity: [0, Infinity],
    usage: "(vector x ...)",
    doc: "A new vector of the arguments.",
    examples: [
      ["(vector 1 2)", "[1 2]"],
      ["(vector)", "[]"],
    ],
  },
  (args) => IList(args),
);

function vec(v: Value): IList<Value> {
  return isVector(v) ? v : IList(seqable("vec", v));
}

def.unary(
  {
    name: "vec",
    usage: "(vec coll)",
    doc: "A vector of the items of a list, vector, string (its characters), map (its [key value] entries) or nil.",
    examples: [
      ["(vec '(1 2))", "[1 2]"],
      ["(vec nil)", "[]"],
      ["(vec {:a 1})", "[[:a 1]]"],
    ],
  },
  vec,
);

// ---- access ----------------------------------------------------------------------------

/** car and cdr: lists (and non-empty vectors); the empty list raises. */
function nonEmpty(op: string, v: Value): never {
  if (v instanceof EmptyList || (isVector(v) && v.size === 0)) typeError(op, "a non-empty list", v);
  typeError(op, "a list", v);
}

function car(v: Value): Value {
  if (v instanceof Pair) return v.car;
  if (isVector(v) && v.size > 0) return v.get(0);
  nonEmpty("car", v);
}

function cdr(v: Value): Value {
  if (v instanceof Pair) return v.cdr;
  if (isVector(v) && v.size > 0) return arrayToList(v.toArray().slice(1));
  nonEmpty("cdr", v);
}

def.unary(
  {
    name: "car",
    usage: "(car xs)",
    doc: "The first item of a non-empty list; the empty list raises (use first for a nil-tolerant version).",
    examples: [["(car '(1 2))", "1"]],
  },
  car,
);

def.unary(
  {
    name: "cdr",
    usage: "(cdr xs)",
    doc: "The list after the first item of a non-empty list; the empty list raises (use rest for a tolerant version).",
    examples: [
      ["(cdr '(1 2))", "(2)"],
      ["(cdr '(1))", "()"],
    ],
  },
  cdr,
);

function first(v: Value): Value {
  if (v instanceof Pair) return v.car;
  if (v instanceof EmptyList || v === null) return null;
  if (isVector(v)) return v.size > 0 ? v.get(0) : null;
  if (typeof v === "string") return codePointAt(v, 0) ?? null;
  if (v instanceof LMap) {
    const e = v.entries().next();
    return e.done ? null : IList(e.value);
  }
  typeError("first", "a collection", v);
}

function rest(v: Value): List {
  if (v instanceof Pair) return v.cdr;
  if (v instanceof EmptyList || v === null) return EMPTY;
  return arrayToList(seqable("rest", v).slice(1));
}

def.unary(
  {
    name: "first",
    usage: "(first xs)",
    doc: "The first item of a list, vector, string or map; nil when it is empty or nil.",
    examples: [
      ["(first '(1 2 3))", "1"],
      ["(first '())", "nil"],
      ["(first [7 8])", "7"],
      ["(first nil)", "nil"],
    ],
  },
  first,
);

def.unary(
  {
    name: "rest",
    usage: "(rest xs)",
    doc: "The items after the first, as a list; () when there are none.",
    examples: [
      ["(rest '(1 2 3))", "(2 3)"],
      ["(rest '())", "()"],
      ["(rest [1 2])", "(2)"],
    ],
  },
  rest,
);

function second(v: Value): Value {
  if (v instanceof Pair) return v.cdr instanceof Pair ? v.cdr.car : null;
  const xs = seqable("second", v);
  return xs.length > 1 ? xs[1] : null;
}

def.unary(
  {
    name: "second",
    usage: "(second xs)",
    doc: "The second item of xs, or nil when there is none.",
    examples: [
      ["(second '(1 2 3))", "2"],
      ["(second [1])", "nil"],
    ],
  },
  second,
);

function last(v: Value): Value {
  if (v instanceof Pair) {
    let p: Pair = v;
    while (p.cdr instanceof Pair) p = p.cdr;
    return p.car;
  }
  if (isVector(v)) return v.size > 0 ? v.get(v.size - 1) : null;
  const xs = seqable("last", v);
  return xs.length > 0 ? xs[xs.length - 1] : null;
}

def.unary(
  {
    name: "last",
    usage: "(last xs)",
    doc: "The last item of xs, or nil when it is empty.",
    examples: [
      ["(last '(1 2 3))", "3"],
      ["(last [])", "nil"],
    ],
  },
  last,
);

const NOT_FOUND = Symbol("not found");

function nthOr(xs: Value, iv: Value, dflt: Value): Value {
  const i = int("nth", iv);
  let size: number;
  if (xs instanceof Pair || xs instanceof EmptyList) {
    let p: List = xs,
      k = 0;
    for (; p instanceof Pair; p = p.cdr, k++) if (k === i) return p.car;
    size = k;
  } else if (isVector(xs)) {
    if (i >= 0 && i < xs.size) return xs.get(i);
    size = xs.size;
  } else if (typeof xs === "string") {
    const c = i >= 0 ? codePointAt(xs, i) : undefined;
    if (c !== undefined) return c;
    size = codePointLength(xs);
  } else {
    typeError("nth", "a list, vector or string", xs);
  }
  if (dflt !== NOT_FOUND) return dflt;
  raise(`nth: index ${i} out of range for a ${typeName(xs)} of length ${size}`);
}

def(
  {
    name: "nth",
    arity: [2, 3],
    usage: "(nth xs i [default])",
    doc: "The item at index i (from 0) of a list, vector or string. Out of range raises, or returns default when one is given.",
    examples: [
      ["(nth [5 6 7] 1)", "6"],
      ["(nth '(5 6 7) 2)", "7"],
      ["(nth '(1) 5 :none)", ":none"],
    ],
    f2: (xs, i) => nthOr(xs, i, NOT_FOUND),
  },
  (args) => nthOr(args[0], args[1], args.length > 2 ? args[2] : NOT_FOUND),
);

// ---- size ------------------------------------------------------------------------------

/** The number of items in a list, vector, map or nil, or of characters in a string. */
export function countOf(op: string, v: Value): number {
  if (v instanceof Pair) {
    let n = 0;
    for (let p: List = v; p instanceof Pair; p = p.cdr) n++;
    return n;
  }
  if (v instanceof EmptyList || v === null) return 0;
  if (isVector(v)) return v.size;
  if (typeof v === "string") return codePointLength(v);
  if (v instanceof LMap) return v.size;
  typeError(op, "a collection", v);
}

for (const name of ["length", "count"]) {
  def(
    {
      name,
      arity: [1, 1],
      usage: `(${name} coll)`,
      doc: "The number of items in a list, vector or map, or of characters in a string; 0 for nil.",
      examples: [
        [`(${name} '(1 2 3))`, "3"],
        [`(${name} [1 2])`, "2"],
        [`(${name} "abc")`, "3"],
        [`(${name} {:a 1})`, "1"],
        [`(${name} nil)`, "0"],
      ],
      f1: (a) => countOf(name, a),
    },
    (args) => countOf(name, args[0]),
  );
}

function isEmpty(v: Value): boolean {
  if (v instanceof Pair) return false;
  return countOf("empty?", v) === 0;
}

def.unary(
  {
    name: "empty?",
    usage: "(empty? coll)",
    doc: "True when the list, vector, string or map has no items, or is nil.",
    examples: [
      ["(empty? '())", "#t"],
      ["(empty? [1])", "#f"],
      ["(empty? {})", "#t"],
      ['(empty? "")', "#t"],
      ["(empty? nil)", "#t"],
    ],
  },
  isEmpty,
);

// ---- combining -------------------------------------------------------------------------

/** Concatenates the collections into one list, sharing the last one when it is a list. */
function concatenate(op: string, colls: Value[], read: (op: string, v: Value) => Value[]): List {
  if (colls.length === 0) return EMPTY;
  const lastColl = colls[colls.length - 1];
  const tail = isList(lastColl) ? lastColl : arrayToList(read(op, lastColl));
  const prefix: Value[] = [];
  for (let i = 0; i < colls.length - 1; i++) for (const x of read(op, colls[i])) prefix.push(x);
  return arrayToList(prefix, tail);
}

def(
  {
    name: "append",
    arity: [0, Infinity],
    usage: "(append xs ...)",
    doc: "One list of the items of the lists or vectors, in order.",
    examples: [
      ["(append '(1) '(2 3))", "(1 2 3)"],
      ["(append '(1) [2] nil '(3))", "(1 2 3)"],
      ["(append)", "()"],
    ],
  },
  (args) => concatenate("append", args, seq),
);

def(
  {
    name: "concat",
    arity: [0, Infinity],
    usage: "(concat coll ...)",
    doc: "One list of the items of the collections (lists, vectors, strings as characters, maps as [key value] entries).",
    examples: [
      ["(concat '(1) [2] '(3))", "(1 2 3)"],
      ['(concat "ab" [1])', '("a" "b" 1)'],
    ],
  },
  (args) => concatenate("concat", args, seqable),
);

function reverse(v: Value): List {
  let r: List = EMPTY;
  if (isList(v)) {
    for (let p: List = v; p instanceof Pair; p = p.cdr) r = new Pair(p.car, r);
    return r;
  }
  for (const x of seqable("reverse", v)) r = new Pair(x, r);
  return r;
}

def.unary(
  {
    name: "reverse",
    usage: "(reverse xs)",
    doc: "A list of the items of xs in reverse order.",
    examples: [
      ["(reverse '(1 2 3))", "(3 2 1)"],
      ["(reverse [1 2])", "(2 1)"],
    ],
  },
  reverse,
);

/** The most items `range` builds, so a typo like (range 1e12) is an error instead of a crash. */
export const RANGE_LIMIT = 10_000_000;

function* range(args: Value[]): Job {
  const [start, end, step] =
    args.length === 1
      ? [0, num("range", args[0]), 1]
      : [num("range", args[0]), num("range", args[1]), args.length > 2 ? num("range", args[2]) : 1];
  if (step === 0) raise("range: step must not be zero");
  const n = Math.max(0, Math.ceil((end - start) / step));
  if (!(n <= RANGE_LIMIT)) raise(`range: too many items (${n}; the limit is ${RANGE_LIMIT})`);
  return yield* listOf(n, (i) => start + i * step);
}

def(
  {
    name: "range",
    arity: [0, 3],
    usage: "(range) (range end) (range start end [step])",
    doc: `The list of numbers from start (default 0) up to, not including, end, by step (default 1; may be negative, not zero). At most ${RANGE_LIMIT} items (a list of them takes about 400 MB). (range) with no arguments is the endless source 0, 1, 2 ... (as (iterate inc 0)).`,
    examples: [
      ["(range 3)", "(0 1 2)"],
      ["(range 1 4)", "(1 2 3)"],
      ["(range 0 10 3)", "(0 3 6 9)"],
      ["(range 3 0 -1)", "(3 2 1)"],
      ["(range 0)", "()"],
      ["(take 3 (range))", "(0 1 2)"],
    ],
  },
  (args, m) => {
    if (args.length > 0) return runJob(m, "range", range(args));
    const ctx = contextOf(m);
    return new CallReq(ctx.libraryValue("iterate"), [ctx.libraryValue("inc"), 0]);
  },
);

/** (take n xs), or SRFI-1's (take xs n): a number on one side and not on the other decides. */
function countFirst(a: Value, b: Value): [Value, Value] {
  return typeof a !== "number" && typeof b === "number" ? [b, a] : [a, b];
}

function take(nv: Value, xs: Value): List {
  const n = int("take", nv);
  const out: Value[] = [];
  if (n <= 0) return EMPTY;
  if (isList(xs)) {
    for (let p: List = xs; p instanceof Pair && out.length < n; p = p.cdr) out.push(p.car);
    return arrayToList(out);
  }
  return arrayToList(seqable("take", xs).slice(0, n));
}

function drop(nv: Value, xs: Value): List {
  const n = int("drop", nv);
  if (isList(xs)) {
    let p: List = xs;
    for (let k = 0; k < n && p instanceof Pair; k++) p = p.cdr;
    return p;
  }
  return arrayToList(seqable("drop", xs).slice(Math.max(0, n)));
}

def(
  {
    name: "take",
    arity: [2, 2],
    usage: "(take n xs)",
    doc: "A list of the first n items of xs (all of them when there are fewer). xs may be an endless source (iterate, repeat, cycle, (range), a channel): then the next n values read from it, fewer if it closes first. SRFI-1's order (take xs n) works too: the number decides.",
    examples: [
      ["(take 2 '(1 2 3))", "(1 2)"],
      ["(take 5 [1])", "(1)"],
      ["(take 0 '(1))", "()"],
      ["(take 3 (iterate inc 10))", "(10 11 12)"],
      ["(take [1 2 3] 2)", "(1 2)"],
    ],
  },
  (a, m) => {
    const [n, xs] = countFirst(a[0], a[1]);
    if (xs instanceof Channel) return new CallReq(contextOf(m).libraryValue("%take-channel"), [int("take", n), xs]);
    return take(n, xs);
  },
);

def.binary(
  {
    name: "drop",
    usage: "(drop n xs)",
    doc: "A list of the items of xs after the first n. SRFI-1's order (drop xs n) works too: the number decides.",
    examples: [
      ["(drop 2 '(1 2 3))", "(3)"],
      ["(drop 5 [1 2])", "()"],
      ["(drop [1 2 3] 1)", "(2 3)"],
    ],
  },
  (a, b) => drop(...countFirst(a, b)),
);

def(
  {
    name: "distinct",
    arity: [1, 1],
    usage: "(distinct xs)",
    doc: "A list of the items of xs without repeats (by =), keeping each first occurrence in order.",
    examples: [
      ["(distinct '(1 2 1 3 2))", "(1 2 3)"],
      ["(distinct [[1] [1] '(1)])", "([1] (1))"],
    ],
  },
  (args, m) => runJob(m, "distinct", distinct(args[0])),
);

function* distinct(v: Value): Job {
  const seen = ISet<Value>().asMutable();
  const out: Value[] = [];
  const items = yield* itemsOf("distinct", v, seqable);
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (!seen.has(x)) {
      seen.add(x);
      out.push(x);
    }
    if ((i + 1) % CHUNK === 0) yield 32 * CHUNK;
  }
  return yield* listOf(out.length, (i) => out[i]);
}

function* frequencies(v: Value): Job {
  const counts = IMap<Value, number>().asMutable();
  const order: Value[] = [];
  const items = yield* itemsOf("frequencies", v, seqable);
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    const n = counts.get(x);
    if (n === undefined) order.push(x);
    counts.set(x, (n ?? 0) + 1);
    if ((i + 1) % CHUNK === 0) yield 32 * CHUNK;
  }
  return LMap.fromEntries(order.map((x) => [x, counts.get(x) as number] as const));
}

def(
  {
    name: "frequencies",
    arity: [1, 1],
    usage: "(frequencies xs)",
    doc: "A map from each distinct item of xs (by =) to how many times it occurs, keys in first-seen order (Clojure's frequencies).",
    examples: [
      ['(frequencies ["a" "b" "a"])', '{"a" 2 "b" 1}'],
      ['(frequencies "hello")', '{"h" 1 "e" 1 "l" 2 "o" 1}'],
      ["(frequencies [])", "{}"],
    ],
  },
  (args, m) => runJob(m, "frequencies", frequencies(args[0])),
);

def(
  {
    name: "flatten",
    arity: [1, 1],
    usage: "(flatten xs)",
    doc: "A list of the non-sequence items of xs, taken from nested lists and vectors at any depth, in order.",
    examples: [
      ["(flatten '(1 (2 (3)) 4))", "(1 2 3 4)"],
      ["(flatten [1 [2 '(3)] '()])", "(1 2 3)"],
    ],
  },
  (args) => {
    const out: Value[] = [];
    // an explicit stack of iterators: nesting depth is bounded by memory, not the host stack
    const stack: Iterator<Value>[] = [seq("flatten", args[0])[Symbol.iterator]()];
    while (stack.length > 0) {
      const r = stack[stack.length - 1].next();
      if (r.done) {
        stack.pop();
        continue;
      }
      const x = r.value;
      if (isList(x) || isVector(x)) stack.push(seq("flatten", x)[Symbol.iterator]());
      else out.push(x);
    }
    return arrayToList(out);
  },
);

def(
  {
    name: "zip",
    arity: [1, Infinity],
    usage: "(zip xs ys ...)",
    doc: "A list of lists pairing the items of the sequences at the same index; stops at the shortest.",
    examples: [
      ["(zip '(1 2) '(a b))", "((1 a) (2 b))"],
      ["(zip [1 2 3] [4 5])", "((1 4) (2 5))"],
    ],
  },
  (args) => {
    const cols = args.map((a) => seqable("zip", a));
    const n = Math.min(...cols.map((c) => c.length));
    const rows: List[] = [];
    for (let i = 0; i < n; i++) rows.push(arrayToList(cols.map((c) => c[i])));
    return arrayToList(rows);
  },
);

function member(x: Value, xs: Value): Value {
  if (isList(xs)) {
    for (let p: List = xs; p instanceof Pair; p = p.cdr) if (equals(x, p.car)) return p;
    return false;
  }
  const items = seq("member", xs);
  const i = items.findIndex((y) => equals(x, y));
  return i < 0 ? false : arrayToList(items.slice(i));
}

def.binary(
  {
    name: "member",
    usage: "(member x xs)",
    doc: "The tail of xs starting at the first item equal (=) to x, as a list; #f when x is absent.",
    examples: [
      ["(member 2 '(1 2 3))", "(2 3)"],
      ["(member 9 '(1 2 3))", "#f"],
      ["(member [1] [0 [1]])", "([1])"],
    ],
  },
  member,
);

// ---- conj and into ---------------------------------------------------------------------

/** Adds one item the way the collection grows: vectors at the end, lists (and nil) at the front,
 *  maps take a [key value] vector or a map. */
function conj1(coll: Value, x: Value): Value {
  if (isVector(coll)) return coll.push(x);
  if (coll instanceof Pair || coll instanceof EmptyList) return new Pair(x, coll);
  if (coll === null) return new Pair(x, EMPTY);
  if (coll instanceof LMap) {
    if (isVector(x) && x.size === 2) return coll.set(x.get(0), x.get(1));
    if (x instanceof LMap) {
      let m = coll;
      for (const [k, v] of x.entries()) m = m.set(k, v);
      return m;
    }
    if (x === null) return coll;
    typeError("conj", "a [key value] vector", x);
  }
  typeError("conj", "a list, vector or map", coll);
}

def(
  {
    name: "conj",
    arity: [1, Infinity],
    usage: "(conj coll x ...)",
    doc: "Adds the items where the collection grows fastest: at the end of a vector, at the front of a list (nil counts as ()); a map takes [key value] vectors.",
    examples: [
      ["(conj [1 2 3] 4)", "[1 2 3 4]"],
      ["(conj '(1 2) 0)", "(0 1 2)"],
      ["(conj {:a 1} [:b 2])", "{:a 1 :b 2}"],
      ["(conj nil 1 2)", "(2 1)"],
    ],
    f2: conj1,
  },
  (args) => {
    let c = args[0];
    for (let i = 1; i < args.length; i++) c = conj1(c, args[i]);
    if (args.length === 1 && !(isList(c) || isVector(c) || c instanceof LMap || c === null))
      typeError("conj", "a list, vector or map", c);
    return c;
  },
);

function into(to: Value, from: Value): Value {
  const items = seqable("into", from);
  if (isVector(to))
    return to.withMutations((v) => {
      for (const x of items) v.push(x);
    });
  let c = to;
  for (const x of items) c = conj1(c, x);
  return c;
}

def.binary(
  {
    name: "into",
    usage: "(into to from)",
    doc: "Adds every item of the collection from to the collection to, as conj does.",
    examples: [
      ["(into [] '(1 2))", "[1 2]"],
      ["(into '() [1 2])", "(2 1)"],
      ["(into {} [[:a 1] [:b 2]])", "{:a 1 :b 2}"],
      ["(into {:a 1} {:b 2})", "{:a 1 :b 2}"],
    ],
  },
  into,
);

// ---- natural sort ----------------------------------------------------------------------

/** Sorts items (a fresh array, reused) stably: runs of CHUNK items sorted natively, then merged
 *  pairwise, a job yielding every CHUNK items merged. */
function* mergeSort(items: Value[], cmp: (a: Value, b: Value) => number): Generator<number, Value[], void> {
  const n = items.length;
  if (n <= CHUNK) return items.sort(cmp);
  for (let lo = 0; lo < n; lo += CHUNK) {
    const run = items.slice(lo, lo + CHUNK).sort(cmp);
    for (let i = 0; i < run.length; i++) items[lo + i] = run[i];
    yield CHUNK * Math.log2(CHUNK);
  }
  let src = items,
    dst: Value[] = new Array(n);
  for (let width = CHUNK; width < n; width *= 2) {
    let moved = 0;
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n),
        hi = Math.min(lo + 2 * width, n);
      let i = lo,
        j = mid;
      for (let k = lo; k < hi; k++) {
        dst[k] = j >= hi || (i < mid && cmp(src[i], src[j]) <= 0) ? src[i++] : src[j++];
        if (++moved === CHUNK) {
          moved = 0;
          yield CHUNK;
        }
      }
    }
    [src, dst] = [dst, src];
  }
  return src;
}

const byNumber = (a: number, b: number): number => a - b;
const byValue = (a: Value, b: Value): number => compareValues("sort", a, b);

/** The comparison that sorts these items: numbers, strings, or anything compare orders (or it raises). */
function* comparisonFor(items: Value[]): Generator<number, (a: Value, b: Value) => number, void> {
  // (the checks make the narrower comparisons safe for these items)
  if (items.every((x) => typeof x === "number")) return byNumber as (a: Value, b: Value) => number;
  if (items.every((x) => typeof x === "string")) return compareStrings as (a: Value, b: Value) => number;
  // comparing neighbours first reports an unsortable mix in input order: "cannot compare 1 with \"a\""
  for (let i = 1; i < items.length; i++) {
    compareValues("sort", items[i - 1], items[i]);
    if (i % CHUNK === 0) yield CHUNK;
  }
  return byValue;
}

function* sortNatural(v: Value): Job {
  const items = yield* itemsOf("sort", v, seq);
  const sorted = yield* mergeSort(items, yield* comparisonFor(items));
  return yield* listOf(sorted.length, (i) => sorted[i]);
}

def(
  {
    name: "%sort-natural",
    arity: [1, 1],
    usage: "(%sort-natural xs)",
    doc: "The items of a list or vector in ascending natural order (numbers numerically, strings by code point, then keywords, symbols and sequences as compare orders them), as a list; mixed kinds raise. Used by sort.",
    examples: [
      ["(%sort-natural '(3 1 2))", "(1 2 3)"],
      ['(%sort-natural ["b" "a"])', '("a" "b")'],
      ["(%sort-natural [:b :a])", "(:a :b)"],
    ],
    m1: (a, m) => runJob(m, "sort", sortNatural(a)),
  },
  (args, m) => runJob(m, "sort", sortNatural(args[0])),
);

// ---- predicates ------------------------------------------------------------------------

function typePredicate(
  name: string,
  area: Definer,
  doc: string,
  examples: [string, string][],
  test: (v: Value) => boolean,
): void {
  area.unary({ name, usage: `(${name} x)`, doc, examples }, test);
}

typePredicate(
  "list?",
  def,
  "True when x is a list (including the empty list).",
  [
    ["(list? '(1))", "#t"],
    ["(list? '())", "#t"],
    ["(list? [1])", "#f"],
  ],
  isList,
);
typePredicate(
  "vector?",
  def,
  "True when x is a vector.",
  [
    ["(vector? [1])", "#t"],
    ["(vector? '(1))", "#f"],
  ],
  isVector,
);
typePredicate(
  "null?",
  def,
  "True for the empty list and nil.",
  [
    ["(null? '())", "#t"],
    ["(null? nil)", "#t"],
    ["(null? '(1))", "#f"],
  ],
  (v) => v === null || v instanceof EmptyList,
);
typePredicate(
  "nil?",
  defCore,
  "True only for nil.",
  [
    ["(nil? nil)", "#t"],
    ["(nil? #f)", "#f"],
    ["(nil? '())", "#f"],
  ],
  (v) => v === null,
);
typePredicate(
  "boolean?",
  defCore,
  "True for #t and #f.",
  [
    ["(boolean? #f)", "#t"],
    ["(boolean? nil)", "#f"],
  ],
  (v) => typeof v === "boolean",
);
typePredicate(
  "not",
  defCore,
  'True when x is #f or nil; everything else (0, "", \'() included) is true.',
  [
    ["(not #f)", "#t"],
    ["(not nil)", "#t"],
    ["(not 0)", "#f"],
  ],
  (v) => !truthy(v),
);
