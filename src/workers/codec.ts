// Values as they cross between threads: immutable data turned into plain arrays that
// postMessage's structured clone copies, and back. Functions and runtime objects are not data:
// the caller's `other` hook encodes them (crossing.ts) or refuses them.
import { List as IList } from "immutable";
import { EMPTY, EmptyList, ErrorValue, Keyword, Pair, Sym, isVector, type Loc, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";

/** A value on the wire: a JS primitive, or a tagged array. */
export type Enc = null | number | string | boolean | readonly unknown[];

/** Encodes what is not data (a function, an atom...): returns its encoding or throws. */
export type Other = (v: Value) => Enc;

/** How deep a value may nest to cross (the reader's own limit is 1,000): deeper ones would
 *  overflow the stack of the encoder, of structured clone or of the decoder. */
export const MAX_DEPTH = 2_000;

const tooDeep = () =>
  new ErrorValue(`a value nested more than ${MAX_DEPTH} levels deep cannot cross to another core`, LMap.EMPTY);

/** Encodes v; throws an ErrorValue when it nests deeper than MAX_DEPTH (or deeper than the
 *  stack left allows), and whatever `other` throws for what is not data. */
export function encode(v: Value, other: Other): Enc {
  try {
    return enc(v, other, 0);
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep();
    throw e;
  }
}

function enc(v: Value, other: Other, depth: number): Enc {
  if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Keyword) return ["k", v.name];
  if (v instanceof Sym) return ["s", v.name];
  if (++depth > MAX_DEPTH) throw tooDeep();
  if (v instanceof Pair) {
    const items: Enc[] = [];
    let p: Value = v;
    for (; p instanceof Pair; p = p.cdr) items.push(enc(p.car, other, depth));
    const loc = v.loc;
    return ["l", items, loc ? [loc.file, loc.line, loc.col] : null];
  }
  if (v instanceof EmptyList) return ["e"];
  if (isVector(v)) return ["v", v.toArray().map((x) => enc(x, other, depth))];
  if (v instanceof LMap) {
    const flat: Enc[] = [];
    for (const [k, x] of v) flat.push(enc(k, other, depth), enc(x, other, depth));
    return ["m", flat];
  }
  if (v instanceof ErrorValue) return ["x", v.message, enc(v.data, other, depth), v.trace];
  return other(v);
}

/** Decodes what is not data (the tags the `other` hook of encode made). */
export type DecodeOther = (tag: string, e: readonly unknown[]) => Value;

/** For values that hold data only (items and results). */
export const dataOnly: DecodeOther = (tag) => {
  throw new Error(`a value on the wire holds ${tag}, which only functions may`);
};

export function decode(e: Enc, other: DecodeOther): Value {
  if (e === null || typeof e !== "object") return e;
  const tag = e[0] as string;
  switch (tag) {
    case "k":
      return Keyword.of(e[1] as string);
    case "s":
      return Sym.of(e[1] as string);
    case "l": {
      const items = e[1] as Enc[];
      let out: Pair | EmptyList = EMPTY;
      for (let i = items.length - 1; i >= 0; i--) out = new Pair(decode(items[i], other), out);
      const loc = e[2] as [string, number, number] | null;
      if (loc && out instanceof Pair) out.loc = { file: loc[0], line: loc[1], col: loc[2] } satisfies Loc;
      return out;
    }
    case "e":
      return EMPTY;
    case "v":
      return IList((e[1] as Enc[]).map((x) => decode(x, other)));
    case "m": {
      const flat = e[1] as Enc[];
      const entries: [Value, Value][] = [];
      for (let i = 0; i < flat.length; i += 2) entries.push([decode(flat[i], other), decode(flat[i + 1], other)]);
      return LMap.fromEntries(entries);
    }
    case "x":
      return new ErrorValue(e[1] as string, decode(e[2] as Enc, other) as LMap, [...(e[3] as string[])]);
    default:
      return other(tag, e);
  }
}
