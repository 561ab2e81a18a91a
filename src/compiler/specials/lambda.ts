// lambda, fn and defmacro: a function's own FnCtx and Code (compiled now, or on its first call
// when the compiler is lazy), parameter lists, and values bound to a name taking that name.
import {
  EmptyList,
  Pair,
  Sym,
  arrayToList,
  isVector,
  list,
  listToArray,
  type Loc,
  type Value,
} from "../../core/types.js";
import { Code, type OutsideName } from "../../vm/objects.js";
import { write } from "../../syntax/printer.js";
import { FnCtx, Slot, finish, generate, js, ret, type Js } from "../codegen.js";
import type { Compile, SpecialForm } from "../context.js";
import { S, describe, located, syntaxError } from "../forms.js";
import { Scope, isLocal, resolve } from "../scope.js";
import { destructure, isPattern, type Binding } from "./destructure.js";

/** Compiles a function; returns the expression that makes its closure over this activation. */
export function compileLambda(
  c: Compile,
  params: Value,
  body: Value[],
  sc: Scope | null,
  fn: FnCtx,
  name: string,
  loc: Loc | undefined,
): string {
  const { names, rest, patterns } = parseParams(params, loc, name);
  const inner = new FnCtx(name, 2, loc);
  inner.arity = rest ? -1 : names.length;
  recurTargets.set(inner, { fixed: names.length, rest: rest !== null });
  fn.slotsEscape = true; // the new closure captures this activation's slots
  const scope = new Scope(inner, sc);
  names.forEach((n) => scope.vars.set(n, inner.alloc()));
  if (rest) scope.vars.set(rest, inner.alloc());
  // the parameters given as patterns are taken apart first, as a let of them would
  const compileBody = () =>
    c.compileBody(body, bindSequentially(c, patterns, scope, inner, loc) ?? scope, inner, true, loc);
  /** the names the body uses from outside, resolved from the enclosing function (depth 0 is
   *  the closure's env): known once the body is compiled */
  const outsideNames = (): OutsideName[] =>
    [...inner.free].map((n) => {
      const r = resolve(c.env, n, sc, fn);
      return r.kind === "global"
        ? { name: n.name, global: true as const }
        : { name: n.name, depth: r.depth, slot: r.slot };
    });
  let code: Code;
  if (c.lazy) {
    // compiled on its first call: start-up does not pay for library functions a script never uses
    code = new Code(name, names.length, rest !== null, inner.nslots, loc, inner.sites);
    let outside: OutsideName[] | null = null;
    const compileNow = () => {
      compileBody();
      generate(inner, code);
      outside = outsideNames();
    };
    code.fn = (m, fr, s, e, a0, a1, a2) => {
      compileNow();
      return code.fn(m, fr, s, e, a0, a1, a2);
    };
    code.origin = {
      params,
      body,
      outside: () => {
        if (outside === null) compileNow();
        return outside as OutsideName[];
      },
    };
  } else {
    compileBody();
    code = finish(inner, names.length, rest !== null);
    code.origin = origin(params, body, outsideNames());
  }
  code.usage = usageLine(name, params, loc);
  return `new C(${fn.k(code)}, s)`;
}

/** The shape of a function's parameters, for recur (which assigns them and jumps back). */
export interface RecurTarget {
  fixed: number;
  rest: boolean;
}
const recurTargets = new WeakMap<FnCtx, RecurTarget>();

/** The parameters recur assigns in fn, or undefined when fn is not a function's (the top level). */
export function recurTargetOf(fn: FnCtx): RecurTarget | undefined {
  return recurTargets.get(fn);
}

/** Compiles plain bindings one after the other, each in the scope of the ones before (let*);
 *  returns the scope with all of them, or null when there are none. */
export function bindSequentially(
  c: Compile,
  bindings: Binding[],
  sc: Scope | null,
  fn: FnCtx,
  loc: Loc | undefined,
): Scope | null {
  let scope: Scope | null = null;
  for (const [name, form] of bindings) {
    const v = compileNamed(c, form, scope ?? sc, fn, loc, name.name);
    scope = new Scope(fn, scope ?? sc);
    const slot = fn.alloc();
    scope.vars.set(name, slot);
    fn.emit(js`${new Slot(0, slot)} = ${v};`);
  }
  return scope;
}

/** An origin that holds only what it names (not the compiler's state of the function). */
function origin(params: Value, body: Value[], outside: OutsideName[]): Code["origin"] {
  return { params, body, outside: () => outside };
}

/** Compiles a value that is being bound to a name, so lambdas get that name. */
export function compileNamed(
  c: Compile,
  form: Value,
  sc: Scope | null,
  fn: FnCtx,
  loc: Loc | undefined,
  name: string,
): Js {
  if (form instanceof Pair && (form.car === S.lambda || form.car === S.fn) && !isLocal(form.car as Sym, sc)) {
    const a = listToArray(form.cdr as Pair);
    if (a.length >= 1 && !(form.car === S.fn && a[0] instanceof Sym && a.length > 1)) {
      return compileLambda(c, a[0], a.slice(1), sc, fn, name, form.loc ?? loc);
    }
  }
  return c.compile(form, sc, fn, false, loc);
}

/** "(name a b & rest)" for (doc name); a destructured parameter shows as its pattern. */
export function usageLine(name: string, params: Value, loc: Loc | undefined): string {
  parseParams(params, loc, name);
  if (params instanceof Sym) return `(${name} & ${params.name})`;
  const items = isVector(params) ? params.toArray() : listToArray(params as Pair);
  return `(${[name, ...items.map((p) => (p === S.dot ? "&" : write(p)))].join(" ")})`;
}

/** Parses a parameter list: (a b), (a . rest), args, [a b & rest], (a & rest); a parameter (the
 *  rest too) may be a vector or map pattern, which gets a fresh name bound to the pattern. */
function parseParams(
  params: Value,
  loc: Loc | undefined,
  what: string,
): { names: Sym[]; rest: Sym | null; patterns: Binding[] } {
  const patterns: Binding[] = [];
  if (params instanceof Sym) return { names: [], rest: params, patterns };
  let items: Value[];
  if (params instanceof Pair || params instanceof EmptyList) items = listToArray(params);
  else if (isVector(params)) items = params.toArray();
  else syntaxError(`expected a parameter list, got ${describe(params)}`, loc);
  const names: Sym[] = [];
  let rest: Sym | null = null;
  const param = (p: Value): Sym => {
    if (!isPattern(p)) return p as Sym;
    const g = Sym.gensym("arg");
    destructure(p, g, what, loc, patterns);
    return g;
  };
  for (let i = 0; i < items.length; i++) {
    const p = items[i];
    if (p instanceof Sym && (p === S.dot || p === S.amp)) {
      if (i !== items.length - 2 || !(items[i + 1] instanceof Sym || isPattern(items[i + 1])))
        syntaxError(`${p.name} in a parameter list must be followed by one name or pattern`, loc);
      rest = param(items[i + 1]);
      break;
    }
    if (!(p instanceof Sym || isPattern(p)))
      syntaxError(`parameter names must be symbols or [vector] or {map} patterns, got ${describe(p)}`, loc);
    if (names.includes(p as Sym)) syntaxError(`duplicate parameter ${(p as Sym).name}`, loc);
    names.push(param(p));
  }
  return { names, rest, patterns };
}

const lambda: SpecialForm = (c, args, sc, fn, tail, loc, name) => {
  if (args.length < 1) syntaxError(`${name}: expected a parameter list and a body`, loc);
  if (
    name === "fn" &&
    args[0] instanceof Sym &&
    args.length > 1 &&
    (isVector(args[1]) || args[1] instanceof Pair || args[1] instanceof EmptyList)
  ) {
    // (fn name [params] body...): name is bound inside the body, for recursion
    const self = args[0];
    const lam = located(arrayToList([S.fn, ...args.slice(1)]), loc);
    return c.compile(located(list(S.letrec, list(list(self, lam)), self), loc), sc, fn, tail, loc);
  }
  return ret(fn, compileLambda(c, args[0], args.slice(1), sc, fn, "anonymous", loc), tail);
};

const defmacro: SpecialForm = (c, args, sc, fn, tail, loc) => {
  if (sc !== null) syntaxError("defmacro: macros can only be defined at the top level", loc);
  if (args.length < 2 || !(args[0] instanceof Sym))
    syntaxError("defmacro: expected (defmacro name (params) body...)", loc);
  const name = args[0] as Sym;
  let rest = args.slice(1);
  if (typeof rest[0] === "string" && rest.length > 2) {
    // (defmacro name "doc" (params) body...): the doc string is what (doc name) shows
    c.env.recordDoc(name.name, usageLine(name.name, rest[1], loc), rest[0]);
    rest = rest.slice(1);
  }
  const lam = compileLambda(c, rest[0], rest.slice(1), sc, fn, name.name, loc);
  const cell = fn.k(c.env.cell(name.name));
  fn.emit(js`${cell}.v = new M(${JSON.stringify(name.name)}, ${lam}); ${cell}.owner = m.task;`);
  return ret(fn, "null", tail);
};

export const lambdaForms: Record<string, SpecialForm> = { lambda, fn: lambda, defmacro };
