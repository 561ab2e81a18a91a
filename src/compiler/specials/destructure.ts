// Destructuring, as in Clojure: where a name is bound (let with a vector, loop, fn and defn
// parameters, doseq, if-let...), a vector or map pattern may stand instead. A pattern expands into
// plain bindings of names to lookups, bound one after the other, so later ones may use earlier
// ones: [a b & more :as all] takes items by position, {:keys [a] :strs [b] :syms [c] :or {a 1}
// :as m} and {x :x} look keys up. The lookups are the internal functions below: they are constants
// of the expansion, so a script that rebinds nth or get cannot change what a pattern does.
import { raise } from "../../core/error.js";
import { LMap } from "../../core/map.js";
import { expectedGot } from "../../core/messages.js";
import {
  EMPTY,
  EmptyList,
  ErrorValue,
  Keyword,
  Pair,
  Sym,
  arrayToList,
  isVector,
  list,
  type Loc,
  type Value,
} from "../../core/types.js";
import { describe as show } from "../../syntax/printer.js";
import { errorGet } from "../../vm/machine.js";
import { Builtin } from "../../vm/objects.js";
import { S, describe, located, syntaxError } from "../forms.js";

/** A plain binding: a name and the form of its value. */
export type Binding = [Sym, Value];

const AS = Keyword.of("as");
const OR = Keyword.of("or");
const KEYS = Keyword.of("keys");
const STRS = Keyword.of("strs");
const SYMS = Keyword.of("syms");

/** A vector or map pattern (not a plain name). */
export function isPattern(x: Value): boolean {
  return isVector(x) || x instanceof LMap;
}

/** Appends to out the plain bindings that bind pattern (a name, or a vector or map pattern) to
 *  the value of form. what names the binding form in syntax errors ("let", "loop"...). */
export function destructure(pattern: Value, form: Value, what: string, loc: Loc | undefined, out: Binding[]): void {
  if (pattern instanceof Sym) {
    if (pattern === S.amp) syntaxError(`${what}: & must be followed by one name or pattern`, loc);
    out.push([pattern, form]);
  } else if (isVector(pattern)) vectorPattern(pattern.toArray(), show(pattern), form, what, loc, out);
  else if (pattern instanceof LMap) mapPattern(pattern, form, what, loc, out);
  else syntaxError(`${what}: expected a name, a [vector] or a {map} pattern to bind, got ${describe(pattern)}`, loc);
}

/** (f args...): f an internal function, or a keyword that looks itself up */
function call(f: Builtin | Keyword, loc: Loc | undefined, ...args: Value[]): Value {
  return located(arrayToList([f, ...args]), loc);
}

function vectorPattern(items: Value[], label: string, form: Value, what: string, loc: Loc | undefined, out: Binding[]) {
  const whole = Sym.gensym("vec");
  out.push([whole, call(SEQUENTIAL, loc, form, label)]);
  let i = 0;
  for (let k = 0; k < items.length; k++) {
    const p = items[k];
    if (p === S.amp) {
      if (k + 1 >= items.length || items[k + 1] === AS)
        syntaxError(`${what}: & in ${label} must be followed by one name or pattern`, loc);
      destructure(items[++k], call(REST, loc, whole, i), what, loc, out);
      if (k + 1 < items.length && items[k + 1] !== AS)
        syntaxError(`${what}: only :as may follow the & part of ${label}`, loc);
    } else if (p === AS) {
      if (k !== items.length - 2 || !(items[k + 1] instanceof Sym))
        syntaxError(`${what}: :as in ${label} must be followed by one name, at the end`, loc);
      out.push([items[++k] as Sym, whole]);
    } else destructure(p, call(NTH, loc, whole, i++), what, loc, out);
  }
}

function mapPattern(pattern: LMap, form: Value, what: string, loc: Loc | undefined, out: Binding[]): void {
  const label = show(pattern);
  const m = Sym.gensym("map");
  out.push([m, call(ASSOCIATIVE, loc, form, label)]);
  if (pattern.has(AS)) {
    const as = pattern.get(AS);
    if (!(as instanceof Sym)) syntaxError(`${what}: :as in ${label} must be followed by a name`, loc);
    out.push([as, m]);
  }
  const defaults = pattern.get(OR, null);
  if (defaults !== null && !(defaults instanceof LMap))
    syntaxError(`${what}: :or in ${label} must be a map of names to default values`, loc);
  // a key's value, or the name's :or default when the key is absent (a keyword looks itself up,
  // as (:k m) does: in a map, an error value or nil)
  const lookup = (key: Value, name: Sym | null): Value => {
    const args = name !== null && defaults?.has(name) ? [m, defaults.get(name)] : [m];
    return key instanceof Keyword ? call(key, loc, ...args) : call(GET, loc, m, key, ...args.slice(1));
  };
  for (const [k, v] of pattern) {
    if (k === AS || k === OR) continue;
    if (k === KEYS || k === STRS || k === SYMS) {
      if (!isVector(v)) syntaxError(`${what}: ${show(k)} in ${label} must be followed by a vector of names`, loc);
      for (const item of v.toArray()) {
        if (!(item instanceof Sym || (k === KEYS && item instanceof Keyword)))
          syntaxError(`${what}: ${show(k)} in ${label} takes names, got ${describe(item)}`, loc);
        const name = Sym.of((item as Sym | Keyword).name);
        const key = k === KEYS ? Keyword.of(name.name) : k === STRS ? name.name : list(S.quote, name);
        out.push([name, lookup(key, name)]);
      }
    } else if (k instanceof Keyword) {
      syntaxError(`${what}: unknown option ${show(k)} in ${label} (known: :keys :strs :syms :or :as)`, loc);
    } else if (k instanceof Sym) out.push([k, lookup(v, k)]);
    else destructure(k, lookup(v, null), what, loc, out);
  }
}

/** The n-th item of a list, vector or string, or nil past its end (or of nil). */
function nth(v: Value, n: number): Value {
  if (v instanceof Pair) {
    let p: Value = v;
    for (let i = 0; i < n && p instanceof Pair; i++) p = p.cdr;
    return p instanceof Pair ? p.car : null;
  }
  if (isVector(v)) return n < v.size ? v.get(n) : null;
  if (typeof v === "string") return Array.from(v)[n] ?? null;
  return null;
}

/** The items from the n-th on, as a list, or nil when there are none (as Clojure's nthnext). */
function rest(v: Value, n: number): Value {
  let r: Value;
  if (v instanceof Pair) {
    r = v;
    for (let i = 0; i < n && r instanceof Pair; i++) r = r.cdr;
  } else if (isVector(v)) r = arrayToList(v.toArray().slice(n));
  else if (typeof v === "string") r = arrayToList(Array.from(v).slice(n));
  else r = EMPTY;
  return r instanceof EmptyList ? null : r;
}

function internal(
  name: string,
  min: number,
  max: number,
  f2: (a: Value, b: Value) => Value,
  fn = (a: Value[]) => f2(a[0], a[1]),
) {
  const b = new Builtin(name, min, max, fn);
  b.f2 = f2;
  return b;
}

/** The value a vector pattern takes apart: a list, a vector, a string or nil. */
const SEQUENTIAL = internal("destructure", 2, 2, (v, label) => {
  if (v === null || v instanceof Pair || v instanceof EmptyList || isVector(v) || typeof v === "string") return v;
  raise(expectedGot(`destructuring ${label as string}`, "a list, vector, string or nil", show(v)));
});

/** The value a map pattern looks keys up in: a map, an error value, nil, a vector (by index), or
 *  a list of keys and values, as keyword arguments (& {:keys [a b]}) are. */
const ASSOCIATIVE = internal("destructure", 2, 2, (v, label) => {
  if (v === null || v instanceof LMap || v instanceof ErrorValue || isVector(v)) return v;
  if (v instanceof EmptyList) return null;
  if (v instanceof Pair) {
    if (v.cdr instanceof EmptyList && v.car instanceof LMap) return v.car;
    const items: Value[] = [];
    for (let p: Value = v; p instanceof Pair; p = p.cdr) items.push(p.car);
    if (items.length % 2 === 0) {
      let m = LMap.EMPTY;
      for (let i = 0; i < items.length; i += 2) m = m.set(items[i], items[i + 1]);
      return m;
    }
  }
  raise(expectedGot(`destructuring ${label as string}`, "a map, nil or a list of keys and values", show(v)));
});

const NTH = internal("destructure", 2, 2, (v, n) => nth(v, n as number));
const REST = internal("destructure", 2, 2, (v, n) => rest(v, n as number));

/** (get m k [default]) over what ASSOCIATIVE lets through. */
function get(m: Value, k: Value, d: Value): Value {
  if (m instanceof LMap) return m.get(k, d);
  if (m instanceof ErrorValue) return errorGet(m, k, d);
  if (isVector(m) && typeof k === "number" && Number.isInteger(k) && k >= 0 && k < m.size) return m.get(k);
  return d;
}
const GET = internal(
  "destructure",
  2,
  3,
  (m, k) => get(m, k, null),
  (a) => get(a[0], a[1], a.length > 2 ? a[2] : null),
);
