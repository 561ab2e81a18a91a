// Forms as the compiler reads and writes them: the symbols expansions are made of, source
// locations on generated lists, and syntax errors.
import { LispError } from "../core/error.js";
import { Pair, Sym, isVector, type Loc, type Value } from "../core/types.js";
import { describe as describeValue } from "../syntax/printer.js";

const sym = Sym.of;
/** Symbols the compiler recognises inside forms or writes into expansions. */
export const S = {
  quote: sym("quote"),
  quasiquote: sym("quasiquote"),
  unquote: sym("unquote"),
  unquoteSplicing: sym("unquote-splicing"),
  if: sym("if"),
  define: sym("define"),
  def: sym("def"),
  defn: sym("defn"),
  lambda: sym("lambda"),
  fn: sym("fn"),
  let: sym("let"),
  letrec: sym("letrec"),
  begin: sym("begin"),
  do: sym("do"),
  or: sym("or"),
  cond: sym("cond"),
  catch: sym("catch"),
  finally: sym("finally"),
  else: sym("else"),
  dot: sym("."),
  amp: sym("&"),
  arrow: sym("=>"),
};

export function syntaxError(msg: string, loc: Loc | undefined, hint?: string): never {
  throw LispError.of("syntax", msg, loc, hint);
}

/** x, given loc when it is a list without one. */
export function located<T>(x: T, loc: Loc | undefined): T {
  if (x instanceof Pair && !x.loc) x.loc = loc;
  return x;
}

/** A form as a syntax error names it. */
export function describe(x: Value): string {
  if (x === null) return "nil";
  if (x instanceof Sym) return `symbol ${x.name}`;
  if (x instanceof Pair) return "a list";
  if (typeof x === "string") return `string ${JSON.stringify(x)}`;
  if (isVector(x)) return "a vector";
  return describeValue(x);
}
