// quote and quasiquote: a quoted form is a constant; a quasiquoted one expands into calls of
// list, append, vec and hash-map. unquote and unquote-splicing outside it are errors.
import { LMap } from "../../core/map.js";
import { EmptyList, Pair, Sym, arrayToList, isVector, list, listToArray, type Value } from "../../core/types.js";
import { literal, ret } from "../codegen.js";
import type { CompileEnv, SpecialForm } from "../context.js";
import { S, syntaxError } from "../forms.js";

const quote: SpecialForm = (_c, args, _sc, fn, tail, loc) => {
  if (args.length !== 1) syntaxError("quote: expected exactly one form", loc);
  return ret(fn, literal(fn, args[0]), tail);
};

const quasiquote: SpecialForm = (c, args, sc, fn, tail, loc) => {
  if (args.length !== 1) syntaxError("quasiquote: expected exactly one form", loc);
  return c.compile(quasi(c.env.prims, args[0], 1), sc, fn, tail, loc);
};

const unquote: SpecialForm = (_c, _args, _sc, _fn, _tail, loc, name) =>
  syntaxError(`${name} outside of a quasiquote`, loc, "use , and ,@ only inside `");

function quasi(prims: CompileEnv["prims"], x: Value, depth: number): Value {
  const { list: listFn, append, vec, hashMap } = prims;
  const quoted = (v: Value) => list(S.quote, v);
  if (x instanceof Pair) {
    if (x.car === S.unquote) {
      const arg = (x.cdr as Pair).car;
      return depth === 1 ? arg : list(listFn, quoted(S.unquote), quasi(prims, arg, depth - 1));
    }
    if (x.car === S.quasiquote) {
      return list(listFn, quoted(S.quasiquote), quasi(prims, (x.cdr as Pair).car, depth + 1));
    }
    const segments: Value[] = [];
    let run: Value[] = [];
    for (const item of listToArray(x)) {
      if (item instanceof Pair && item.car === S.unquoteSplicing && depth === 1) {
        if (run.length) {
          segments.push(arrayToList([listFn, ...run]));
          run = [];
        }
        segments.push((item.cdr as Pair).car);
      } else run.push(quasi(prims, item, depth));
    }
    if (run.length) segments.push(arrayToList([listFn, ...run]));
    return segments.length === 1 ? segments[0] : arrayToList([append, ...segments]);
  }
  if (isVector(x)) {
    const asList = quasi(prims, arrayToList(x.toArray()), depth);
    return list(vec, asList);
  }
  if (x instanceof LMap) {
    const flat: Value[] = [];
    for (const [k, v] of x) flat.push(quasi(prims, k, depth), quasi(prims, v, depth));
    return arrayToList([hashMap, ...flat]);
  }
  if (x instanceof Sym || x instanceof EmptyList) return quoted(x);
  return x;
}

export const quotingForms: Record<string, SpecialForm> = { quote, quasiquote, unquote, "unquote-splicing": unquote };
