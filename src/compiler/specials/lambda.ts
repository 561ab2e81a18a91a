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
import { FnCtx, finish, generate, js, ret, type Js } from "../codegen.js";
import type { Compile, SpecialForm } from "../context.js";
import { S, describe, located, syntaxError } from "../forms.js";
import { Scope, isLocal, resolve } from "../scope.js";

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
  const { names, rest } = parseParams(params, loc);
  const inner = new FnCtx(name, 2, loc);
  inner.arity = rest ? -1 : names.length;
  fn.slotsEscape = true; // the new closure captures this activation's slots
  const scope = new Scope(inner, sc);
  names.forEach((n) => scope.vars.set(n, inner.alloc()));
  if (rest) scope.vars.set(rest, inner.alloc());
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
      c.compileBody(body, scope, inner, true, loc);
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
    c.compileBody(body, scope, inner, true, loc);
    code = finish(inner, names.length, rest !== null);
    code.origin = origin(params, body, outsideNames());
  }
  code.usage = usageLine(name, params, loc);
  return `new C(${fn.k(code)}, s)`;
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
  if (form instanceof Pair && (form.car === S.lambda || form.car === S.fn) && !isLocal(form.car, sc)) {
    const a = listToArray(form.cdr as Pair);
    if (a.length >= 1 && !(form.car === S.fn && a[0] instanceof Sym && a.length > 1)) {
      return compileLambda(c, a[0], a.slice(1), sc, fn, name, form.loc ?? loc);
    }
  }
  return c.compile(form, sc, fn, false, loc);
}

/** "(name a b & rest)" for (doc name). */
export function usageLine(name: string, params: Value, loc: Loc | undefined): string {
  const { names, rest } = parseParams(params, loc);
  return `(${[name, ...names.map((n) => n.name), ...(rest ? ["&", rest.name] : [])].join(" ")})`;
}

/** Parses a parameter list: (a b), (a . rest), args, [a b & rest], (a & rest). */
function parseParams(params: Value, loc: Loc | undefined): { names: Sym[]; rest: Sym | null } {
  if (params instanceof Sym) return { names: [], rest: params };
  let items: Value[];
  if (params instanceof Pair || params instanceof EmptyList) items = listToArray(params);
  else if (isVector(params)) items = params.toArray();
  else syntaxError(`expected a parameter list, got ${describe(params)}`, loc);
  const names: Sym[] = [];
  let rest: Sym | null = null;
  for (let i = 0; i < items.length; i++) {
    const p = items[i];
    if (p === S.dot || p === S.amp) {
      if (i !== items.length - 2 || !(items[i + 1] instanceof Sym))
        syntaxError(`${p.name} in a parameter list must be followed by one name`, loc);
      rest = items[i + 1];
      break;
    }
    if (!(p instanceof Sym)) syntaxError(`parameter names must be symbols, got ${describe(p)}`, loc);
    if (names.includes(p)) syntaxError(`duplicate parameter ${p.name}`, loc);
    names.push(p);
  }
  return { names, rest };
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
  if (typeof rest[0] === "string" && rest.length > 2) rest = rest.slice(1);
  const lam = compileLambda(c, rest[0], rest.slice(1), sc, fn, name.name, loc);
  const cell = fn.k(c.env.cell(name.name));
  fn.emit(js`${cell}.v = new M(${JSON.stringify(name.name)}, ${lam}); ${cell}.owner = m.task;`);
  return ret(fn, "null", tail);
};

export const lambdaForms: Record<string, SpecialForm> = { lambda, fn: lambda, defmacro };
