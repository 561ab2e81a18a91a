// define, def, defn and set!: a global cell at the top level, a slot of the body inside a
// function (compileBody gives a body's definitions their slots before it runs).
import { Pair, Sym, type Value } from "../../core/types.js";
import { Slot, js, ret, type FnCtx, type Js } from "../codegen.js";
import type { Compile, SpecialForm } from "../context.js";
import { S, describe, syntaxError } from "../forms.js";
import { resolve, type Scope } from "../scope.js";
import { compileLambda, compileNamed, usageLine } from "./lambda.js";

const define: SpecialForm = (c, args, sc, fn, tail, loc, kw) => {
  if (args.length < 1) syntaxError(`${kw}: expected a name`, loc);
  let target = args[0];
  let valueExpr: Js;
  if (target instanceof Pair) {
    // (define (name . params) body...)
    if (!(target.car instanceof Sym)) syntaxError(`${kw}: expected a function name, got ${describe(target.car)}`, loc);
    const name = target.car;
    // (define (f x) "doc" body...) documents f, as defn does (the string stays a harmless first form)
    if (sc === null && typeof args[1] === "string" && args.length > 2)
      c.env.recordDoc(name.name, usageLine(name.name, target.cdr, loc), args[1]);
    valueExpr = compileLambda(c, target.cdr, args.slice(1), sc, fn, name.name, loc);
    target = name;
  } else {
    if (!(target instanceof Sym)) syntaxError(`${kw}: expected a symbol to define, got ${describe(target)}`, loc);
    // three forms only as (def name "doc" value): (def x 1 2) is a mistake, not x = 2
    if (args.length > 3 || (args.length === 3 && typeof args[1] !== "string")) {
      syntaxError(
        `${kw}: expected (${kw} name value) or (${kw} name "doc" value), got ${args.length - 1} forms after the name`,
        loc,
      );
    }
    // (def name "doc" value) is allowed, as in Clojure
    const valueForm = args.length === 3 ? args[2] : args.length === 2 ? args[1] : null;
    valueExpr = compileNamed(c, valueForm, sc, fn, loc, target.name);
  }
  assignDefined(c, target as Sym, valueExpr, sc, fn);
  return ret(fn, "null", tail);
};

const defn: SpecialForm = (c, args, sc, fn, tail, loc) => {
  if (args.length < 2 || !(args[0] instanceof Sym)) syntaxError("defn: expected (defn name [params] body...)", loc);
  const name = args[0] as Sym;
  let rest = args.slice(1);
  if (typeof rest[0] === "string" && rest.length > 1) {
    c.env.recordDoc(name.name, usageLine(name.name, rest[1], loc), rest[0]);
    rest = rest.slice(1);
  }
  const valueExpr = compileLambda(c, rest[0], rest.slice(1), sc, fn, name.name, loc);
  assignDefined(c, name, valueExpr, sc, fn);
  return ret(fn, "null", tail);
};

function assignDefined(c: Compile, name: Sym, valueExpr: Js, sc: Scope | null, fn: FnCtx): void {
  if (sc === null) {
    if (c.isSpecialForm(name.name)) syntaxError(`cannot define ${name.name}: it is a special form`, fn.loc);
    const cell = fn.k(c.env.cell(name.name));
    fn.emit(js`${cell}.v = ${valueExpr}; ${cell}.owner = m.task;`);
    return;
  }
  let slot = sc.vars.get(name);
  if (slot === undefined) {
    slot = fn.alloc();
    sc.vars.set(name, slot);
  }
  fn.emit(js`${new Slot(0, slot)} = ${valueExpr};`);
}

const set: SpecialForm = (c, args, sc, fn, tail, loc) => {
  if (args.length !== 2 || !(args[0] instanceof Sym)) syntaxError("set!: expected (set! name value)", loc);
  const name = args[0] as Sym;
  const v = c.compile(args[1], sc, fn, false, loc);
  const r = resolve(c.env, name, sc, fn);
  const site = fn.newPc(loc);
  if (r.kind === "global") {
    fn.emit(js`m.setGlobal(${fn.k(r.cell)}, ${v}, CODE, ${site});`);
  } else {
    // slot 1 of an activation is the task that made it
    fn.emit(
      js`if (${new Slot(r.depth, 1)} !== m.task) m.foreignSet(${JSON.stringify(name.name)}, CODE, ${site}); ${new Slot(r.depth, r.slot)} = ${v};`,
    );
  }
  return ret(fn, "null", tail);
};

/** The name a body form defines, if it is a definition: compileBody gives it a slot first. */
export function definedName(x: Value): Sym | null {
  if (!(x instanceof Pair)) return null;
  if (x.car === S.define || x.car === S.def) {
    const t = (x.cdr as Pair).car;
    if (t instanceof Sym) return t;
    if (t instanceof Pair && t.car instanceof Sym) return t.car;
  }
  if (x.car === S.defn && x.cdr instanceof Pair && x.cdr.car instanceof Sym) return x.cdr.car;
  return null;
}

export const definitionForms: Record<string, SpecialForm> = { define, def: define, defn, "set!": set };
