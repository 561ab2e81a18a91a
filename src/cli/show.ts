// How -e and the REPL show a final value: its write form, or, when the value is nested too
// deeply for the printer's recursion (a list built by a loop of (list x), an atom holding
// itself), its write form cut at SHOW_DEPTH levels, the deeper parts shown as "...".
import { List as IList } from "immutable";
import { Atom, ErrorValue, Pair, Sym, arrayToList, isVector, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { write } from "../syntax/printer.js";

/** How many levels of nesting a value too deep to print whole is shown to. */
export const SHOW_DEPTH = 1000;

const CUT = Sym.of("...");

export function showValue(v: Value): string {
  try {
    return write(v);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return write(cut(v, SHOW_DEPTH));
  }
}

/** A copy of v with everything below `depth` levels replaced by the symbol `...`. */
function cut(v: Value, depth: number): Value {
  if (v instanceof Pair) {
    if (depth === 0) return CUT;
    const items: Value[] = [];
    for (let p: Value = v; p instanceof Pair; p = p.cdr) items.push(cut(p.car, depth - 1));
    return arrayToList(items);
  }
  if (isVector(v)) return depth === 0 ? CUT : IList(v.map((x) => cut(x, depth - 1)));
  if (v instanceof LMap) {
    if (depth === 0) return CUT;
    let m = LMap.EMPTY;
    for (const [k, x] of v.entries()) m = m.set(cut(k, depth - 1), cut(x, depth - 1));
    return m;
  }
  if (v instanceof ErrorValue) {
    if (depth === 0) return CUT;
    let m = LMap.EMPTY;
    for (const [k, x] of v.data.entries()) m = m.set(k, cut(x, depth - 1));
    return new ErrorValue(v.message, m);
  }
  if (v instanceof Atom) return depth === 0 ? CUT : new Atom(cut(v.value, depth - 1));
  return v;
}
