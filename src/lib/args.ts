// Shared typed readers for builtin arguments, so every bad argument gets the same message shape:
// "name: expected a number, got "x"". An error value where data is expected keeps its message.
import { List as IList } from "immutable";
import { raise } from "../core/error.js";
import { expectedGot } from "../core/messages.js";
import { describe, isPrintable, truncate } from "../syntax/printer.js";
import {
  Atom,
  EMPTY,
  EmptyList,
  ErrorValue,
  Keyword,
  Pair,
  Sym,
  isVector,
  listToArray,
  type List,
  type Value,
} from "../core/types.js";
import { LMap } from "../core/map.js";
import { Builtin, Closure } from "../vm/objects.js";

export function typeName(v: Value): string {
  if (v === null || v === undefined) return "nil";
  switch (typeof v) {
    case "number":
      return "number";
    case "string":
      return "string";
    case "boolean":
      return "boolean";
  }
  if (v instanceof Pair || v instanceof EmptyList) return "list";
  if (isVector(v)) return "vector";
  if (v instanceof LMap) return "map";
  if (v instanceof Keyword) return "keyword";
  if (v instanceof Sym) return "symbol";
  if (v instanceof ErrorValue) return "error";
  if (v instanceof Atom) return "atom";
  if (v instanceof Closure || v instanceof Builtin) return "function";
  return isPrintable(v) ? v.printTag().replace(/^#<(\w+).*$/, "$1") : typeof v;
}

/** Raises "op: expected WHAT, got VALUE". */
export function typeError(op: string, what: string, v: Value): never {
  // a failed result passed on where data was expected: say so, rather than print the error's map
  raise(expectedGot(op, what, v instanceof ErrorValue ? truncate(`an error value: ${v.message}`) : describe(v)));
}

export function num(op: string, v: Value): number {
  if (typeof v !== "number") typeError(op, "a number", v);
  return v;
}

export function int(op: string, v: Value): number {
  if (typeof v !== "number" || !Number.isInteger(v)) typeError(op, "an integer", v);
  return v;
}

export function str(op: string, v: Value): string {
  if (typeof v !== "string") typeError(op, "a string", v);
  return v;
}

export function isList(v: Value): v is List {
  return v instanceof Pair || v instanceof EmptyList;
}

/** A list, vector or nil as a JS array. */
export function seq(op: string, v: Value): Value[] {
  if (v instanceof Pair || v instanceof EmptyList) return listToArray(v);
  if (isVector(v)) return v.toArray();
  if (v === null) return [];
  typeError(op, "a list or vector", v);
}

/** Like seq, but also accepts maps (as [k v] vectors) and strings (as one-character strings). */
export function seqable(op: string, v: Value): Value[] {
  if (v instanceof LMap) return [...v.entries()].map(([k, x]) => IList([k, x]));
  if (typeof v === "string") return [...v];
  return seq(op, v);
}

export function map(op: string, v: Value): LMap {
  if (v instanceof LMap) return v;
  if (v === null) return LMap.EMPTY;
  typeError(op, "a map", v);
}

export function fn(op: string, v: Value): Value {
  if (v instanceof Closure || v instanceof Builtin || v instanceof Keyword || v instanceof LMap) return v;
  typeError(op, "a function", v);
}

export function truthy(v: Value): boolean {
  return v !== false && v !== null;
}

/** Trailing keyword options: (f a b :timeout 100 :as :json) → the options map and the positional args. */
const NO_OPTIONS: ReadonlyMap<string, Value> = new Map();

export function options(
  op: string,
  args: Value[],
  from: number,
  known: string[],
): { pos: Value[]; opts: ReadonlyMap<string, Value> } {
  if (args.length === from) return { pos: args, opts: NO_OPTIONS };
  const pos = args.slice(0, from);
  const opts = new Map<string, Value>();
  let i = from;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Keyword && known.includes(a.name)) {
      if (i + 1 >= args.length) raise(`${op}: option :${a.name} needs a value`);
      opts.set(a.name, args[++i]);
    } else if (a instanceof Keyword) {
      raise(`${op}: unknown option :${a.name} (known: ${known.map((k) => ":" + k).join(" ")})`);
    } else pos.push(a);
  }
  return { pos, opts };
}

export { EMPTY, listToArray };

/** A deadline in ms: a number of 0 or more. NaN fails too: a deadline of nan is no deadline at all,
 *  and must not pass for one. */
export function msArg(op: string, v: Value): number {
  const n = num(op, v);
  if (!(n >= 0)) raise(expectedGot(op, "a timeout of 0 ms or more", describe(n)));
  return n;
}
