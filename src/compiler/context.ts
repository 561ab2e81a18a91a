// The seams between the parts of the compiler: what it needs from the global environment, what
// special forms and call sites need from the compiler, and the one signature of a special form.
import type { Loc, Pair, Value } from "../core/types.js";
import type { Builtin, Cell, Macro } from "../vm/objects.js";
import type { FnCtx, Js } from "./codegen.js";
import type { Scope } from "./scope.js";

/** What the compiler needs from the global environment. */
export interface CompileEnv {
  cell(name: string): Cell;
  /** runs a macro's function on the unevaluated arguments of form, a call of it */
  expandMacro(macro: Macro, form: Pair, loc: Loc | undefined): Value;
  /** builtins used by expansions of literals and quasiquote */
  prims: { list: Builtin; append: Builtin; vector: Builtin; vec: Builtin; hashMap: Builtin; equals: Builtin };
  /** the builtin of a name as the session made it, whatever a script has bound to the name since:
   *  what the expansions of loop forms call (seq->list, car, <...) */
  builtin(name: string): Builtin;
  /** a doc string given to defn or defmacro, for (doc name) */
  recordDoc(name: string, usage: string, doc: string): void;
}

/** The compiler as special forms and call sites see it (passed in, so they need not import it). */
export interface Compile {
  readonly env: CompileEnv;
  /** compile lambda bodies on their first call (for trusted library code: the prelude) */
  readonly lazy: boolean;
  /** Compiles x; returns a JS expression for its value, or "" after emitting a return (tail). */
  compile(x: Value, sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): Js;
  /** A body: definitions in it are local to it and visible to all of it (letrec* semantics). */
  compileBody(forms: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): Js;
  isSpecialForm(name: string): boolean;
}

/** Compiles one use of a special form, `(name ...args)`, as Compile.compile does any form. */
export type SpecialForm = (
  c: Compile,
  args: Value[],
  sc: Scope | null,
  fn: FnCtx,
  tail: boolean,
  loc: Loc | undefined,
  name: string,
) => Js;
