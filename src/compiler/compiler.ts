// The compiler's front: compiles top-level forms and bodies, and dispatches each expression to a
// special form (specials/), a macro, a call site (calls.ts) or a constant.
import {
  EMPTY,
  EmptyList,
  Keyword,
  Pair,
  Sym,
  isVector,
  list,
  listToArray,
  type Loc,
  type Value,
} from "../core/types.js";
import { LMap } from "../core/map.js";
import { Closure, Macro } from "../vm/objects.js";
import { compileCall } from "./calls.js";
import { FnCtx, Slot, emitForEffect, finish, js, literal, ret, type Js } from "./codegen.js";
import type { Compile, CompileEnv } from "./context.js";
import { S, syntaxError } from "./forms.js";
import { Scope, isLocal, resolve } from "./scope.js";
import { definedName } from "./specials/definitions.js";
import { SPECIAL_FORMS } from "./specials/index.js";

export type { CompileEnv } from "./context.js";

/** How deep expansions may nest inside each other (see Compiler.nested). */
export const MAX_NESTED_EXPANSIONS = 100;

function isSelfEvaluating(x: Value): boolean {
  return (
    x === null ||
    typeof x === "number" ||
    typeof x === "string" ||
    typeof x === "boolean" ||
    x instanceof Keyword ||
    x instanceof EmptyList
  );
}

export class Compiler implements Compile {
  /** compile lambda bodies on their first call (for trusted library code: the prelude) */
  lazy = false;
  constructor(readonly env: CompileEnv) {}

  /** Compiles one top-level form into a 0-argument function. */
  compileToplevel(form: Value, loc: Loc | undefined): Closure {
    const fn = new FnCtx("<toplevel>", 2, loc);
    try {
      this.compile(form, null, fn, true, loc);
    } catch (e) {
      // the compiler recurses over the form: one deep enough (a reader caps nesting, expansions
      // do not) ends here rather than as a host error with no position
      if (e instanceof RangeError)
        syntaxError(
          "form nested too deeply to compile",
          loc,
          "macros that expand inside their own expansion nest without end",
        );
      throw e;
    }
    return new Closure(finish(fn, 0, false), null);
  }

  isSpecialForm(name: string): boolean {
    return SPECIAL_FORMS.has(name);
  }

  /** The macro a form's head names, if it names one. */
  private macroFor(x: Value, sc: Scope | null): Macro | null {
    if (!(x instanceof Pair) || !(x.car instanceof Sym)) return null;
    if (isLocal(x.car, sc) || SPECIAL_FORMS.has(x.car.name)) return null;
    const v = this.env.cell(x.car.name).v;
    return v instanceof Macro ? v : null;
  }

  private expand(x: Value, sc: Scope | null): Value {
    for (;;) {
      const m = this.macroFor(x, sc);
      if (!m) return x;
      const p = x as Pair;
      const out = this.env.expandMacro(m, p, p.loc);
      if (out instanceof Pair && !out.loc) out.loc = p.loc;
      x = out;
    }
  }

  /** A top-level form with its macro calls in head position expanded. */
  expandToplevel(form: Value): Value {
    return this.expand(form, null);
  }

  /** Expansions being compiled, each inside the one before: a macro that puts a call of itself
   *  inside its expansion ends at MAX_NESTED_EXPANSIONS, not when the host stack runs out. */
  private nested = 0;

  /** Compiles x, the expansion of a use of macro `name`, as compile does. */
  private compileExpansion(
    x: Value,
    name: string,
    sc: Scope | null,
    fn: FnCtx,
    tail: boolean,
    loc: Loc | undefined,
  ): Js {
    if (this.nested >= MAX_NESTED_EXPANSIONS) {
      syntaxError(
        `macro expansion too deep (${MAX_NESTED_EXPANSIONS} expansions inside each other): ${name} expands into a form that uses it again`,
        loc,
      );
    }
    this.nested++;
    try {
      return this.compile(x, sc, fn, tail, loc);
    } finally {
      this.nested--;
    }
  }

  /** Compiles x; returns a JS expression for its value, or "" after emitting a return (tail). */
  compile(x: Value, sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): Js {
    if (x instanceof Sym) return ret(fn, this.compileRef(x, sc, fn, loc), tail);
    if (x instanceof Pair) {
      const l = x.loc ?? loc;
      if (x.car instanceof Sym && !isLocal(x.car, sc)) {
        const special = SPECIAL_FORMS.get(x.car.name);
        if (special) return special(this, listToArray(x.cdr as Pair), sc, fn, tail, l, x.car.name);
        const m = this.macroFor(x, sc);
        if (m) return this.compileExpansion(this.expand(x, sc), m.name, sc, fn, tail, l);
        // (doc if): a special form has no value to pass, so doc is given its name
        const arg = x.car.name === "doc" && x.cdr instanceof Pair ? x.cdr.car : null;
        if (arg instanceof Sym && (x.cdr as Pair).cdr === EMPTY && SPECIAL_FORMS.has(arg.name) && !isLocal(arg, sc))
          return compileCall(this, x.car, [list(S.quote, arg)], sc, fn, tail, l);
      }
      return compileCall(this, x.car, listToArray(x.cdr as Pair), sc, fn, tail, l);
    }
    if (isVector(x)) {
      if (x.every(isSelfEvaluating)) return ret(fn, fn.k(x), tail);
      return compileCall(this, this.env.prims.vector, x.toArray(), sc, fn, tail, loc);
    }
    if (x instanceof LMap) {
      const flat: Value[] = [];
      let constant = true;
      for (const [k, v] of x) {
        flat.push(k, v);
        constant &&= isSelfEvaluating(k) && isSelfEvaluating(v);
      }
      if (constant) return ret(fn, fn.k(x), tail);
      return compileCall(this, this.env.prims.hashMap, flat, sc, fn, tail, loc);
    }
    return ret(fn, literal(fn, x), tail);
  }

  private compileRef(x: Sym, sc: Scope | null, fn: FnCtx, loc: Loc | undefined): Js {
    const r = resolve(this.env, x, sc, fn);
    if (r.kind === "local") {
      const ref = new Slot(r.depth, r.slot);
      if (!r.late) return ref;
      return js`((g = ${ref}) !== undefined ? g : m.usedBeforeDefinition(${JSON.stringify(x.name)}, CODE, ${fn.newPc(loc)}))`;
    }
    if (SPECIAL_FORMS.has(x.name)) syntaxError(`${x.name} is a special form, not a value`, loc);
    const site = fn.newPc(loc);
    const c = fn.k(r.cell);
    return `((g = ${c}.v) !== undefined ? g : m.unbound(${c}, CODE, ${site}))`;
  }

  /** A body: definitions in it are local to it and visible to all of it (letrec* semantics).
   *  Its forms are expanded in order, each after the definitions before it are known, so a
   *  local definition named like a macro is a call of the local function in the forms after it. */
  compileBody(forms: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): Js {
    const body: Value[] = [];
    /** the macro each body form is the expansion of, if it is one */
    const macros: (string | null)[] = [];
    // the body's own scope, made at its first definition (a top-level body defines globals)
    let own: Scope | null = null;
    const add = (fs: Value[]): void => {
      for (const f of fs) {
        const m = this.macroFor(f, own ?? sc);
        const x = this.expand(f, own ?? sc);
        if (x instanceof Pair && (x.car === S.begin || x.car === S.do) && !isLocal(x.car as Sym, own ?? sc)) {
          add(listToArray(x.cdr as Pair));
          continue;
        }
        body.push(x);
        macros.push(m === null ? null : m.name);
        const n = sc === null ? null : definedName(x);
        if (n === null || own?.vars.has(n)) continue;
        own ??= new Scope(fn, sc);
        const slot = fn.alloc();
        own.vars.set(n, slot);
        own.late.add(n);
        fn.lateSlots.push(slot);
      }
    };
    add(forms);
    if (body.length === 0) return ret(fn, "null", tail);
    const scope = own ?? sc;
    const one = (i: number, last: boolean): Js => {
      const m = macros[i];
      const t = last && tail;
      return m === null
        ? this.compile(body[i], scope, fn, t, loc)
        : this.compileExpansion(body[i], m, scope, fn, t, loc);
    };
    for (let i = 0; i < body.length - 1; i++) emitForEffect(fn, one(i, false));
    return one(body.length - 1, true);
  }
}
