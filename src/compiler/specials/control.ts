// Control forms: if, and and or compile to jumps, begin and do to a body; cond, case, when,
// unless, -> and ->> expand into those. Each passes tail position on to its last expression.
import {
  EmptyList,
  Keyword,
  Pair,
  Sym,
  arrayToList,
  list,
  listToArray,
  type Loc,
  type Value,
} from "../../core/types.js";
import type { Builtin } from "../../vm/objects.js";
import { js, ret, truthy } from "../codegen.js";
import type { SpecialForm } from "../context.js";
import { S, describe, located, syntaxError } from "../forms.js";

const ELSE_KW = Keyword.of("else");

const ifForm: SpecialForm = (c, args, sc, fn, tail, loc) => {
  if (args.length < 2 || args.length > 3)
    syntaxError(`if: expected (if test then [else]), got ${args.length} forms`, loc);
  const test = c.compile(args[0], sc, fn, false, loc);
  const elsePc = fn.newPc(loc),
    endPc = fn.newPc(loc);
  fn.emit(js`if (!${truthy(test)}) { pc = ${elsePc}; continue; }`);
  if (tail) {
    c.compile(args[1], sc, fn, true, loc);
    fn.label(elsePc);
    c.compile(args.length === 3 ? args[2] : null, sc, fn, true, loc);
    return "";
  }
  const r = fn.temp();
  fn.emit(js`${r} = ${c.compile(args[1], sc, fn, false, loc)}; pc = ${endPc}; continue;`);
  fn.label(elsePc);
  fn.emit(js`${r} = ${c.compile(args.length === 3 ? args[2] : null, sc, fn, false, loc)};`);
  fn.label(endPc);
  return r;
};

const andOr: SpecialForm = (c, args, sc, fn, tail, loc, name) => {
  const isAnd = name === "and";
  if (args.length === 0) return ret(fn, isAnd ? "true" : "false", tail);
  const endPc = fn.newPc(loc);
  const r = tail ? "" : fn.temp();
  for (let i = 0; i < args.length; i++) {
    const last = i === args.length - 1;
    if (last) {
      if (tail) {
        c.compile(args[i], sc, fn, true, loc);
      } else fn.emit(js`${r} = ${c.compile(args[i], sc, fn, false, loc)};`);
      break;
    }
    const e = c.compile(args[i], sc, fn, false, loc);
    const exit = tail ? `{ m.depth--; return t; }` : js`{ ${r} = t; pc = ${endPc}; continue; }`;
    fn.emit(isAnd ? js`if (!${truthy(e)}) ${exit}` : js`if (${truthy(e)}) ${exit}`);
  }
  if (tail) return "";
  fn.label(endPc);
  return r;
};

const begin: SpecialForm = (c, args, sc, fn, tail, loc) => c.compileBody(args, sc, fn, tail, loc);

const cond: SpecialForm = (c, args, sc, fn, tail, loc) => c.compile(expandCond(args, loc), sc, fn, tail, loc);

const caseForm: SpecialForm = (c, args, sc, fn, tail, loc) =>
  c.compile(expandCase(args, c.env.prims.equals, loc), sc, fn, tail, loc);

const whenUnless: SpecialForm = (c, args, sc, fn, tail, loc, name) => {
  if (args.length < 1) syntaxError(`${name}: expected a test`, loc);
  const body = located(new Pair(S.begin, arrayToList(args.slice(1))), loc);
  const form = name === "when" ? [S.if, args[0], body, null] : [S.if, args[0], null, body];
  return c.compile(located(arrayToList(form), loc), sc, fn, tail, loc);
};

const thread: SpecialForm = (c, args, sc, fn, tail, loc, name) =>
  c.compile(expandThread(args, name === "->>", loc), sc, fn, tail, loc);

function expandCond(clauses: Value[], loc: Loc | undefined): Value {
  let out: Value = null;
  for (let i = clauses.length - 1; i >= 0; i--) {
    const c = clauses[i];
    if (!(c instanceof Pair)) syntaxError(`cond: each clause must be a list (test body...), got ${describe(c)}`, loc);
    const test = c.car;
    const body = c.cdr as Pair | EmptyList;
    const l = c.loc ?? loc;
    if (test === S.else || test === ELSE_KW) {
      out = located(new Pair(S.begin, body), l);
    } else if (body instanceof EmptyList) {
      out = located(list(S.or, test, out), l);
    } else if (body.car === S.arrow) {
      if (!(body.cdr instanceof Pair) || !(body.cdr.cdr instanceof EmptyList))
        syntaxError("cond: expected (test => receiver), one function after =>", l);
      const g = Sym.gensym("cond");
      out = located(list(S.let, list(list(g, test)), list(S.if, g, list((body.cdr as Pair).car, g), out)), l);
    } else {
      out = located(list(S.if, test, located(new Pair(S.begin, body), l), out), l);
    }
  }
  return out;
}

function expandCase(args: Value[], eq: Builtin, loc: Loc | undefined): Value {
  if (args.length < 1) syntaxError("case: expected a key and clauses", loc);
  const g = Sym.gensym("case");
  const clauses: Value[] = [];
  for (const c of args.slice(1)) {
    if (!(c instanceof Pair))
      syntaxError(`case: each clause must be a list ((datum...) body...), got ${describe(c)}`, loc);
    const l = c.loc ?? loc;
    if (c.car === S.else || c.car === ELSE_KW) {
      clauses.push(c);
      continue;
    }
    const data = c.car instanceof Pair || c.car instanceof EmptyList ? listToArray(c.car) : [c.car];
    const test = arrayToList([S.or, ...data.map((d) => list(eq, g, list(S.quote, d)))]);
    clauses.push(located(new Pair(test, c.cdr), l));
  }
  return located(list(S.let, list(list(g, args[0])), new Pair(S.cond, arrayToList(clauses))), loc);
}

function expandThread(args: Value[], last: boolean, loc: Loc | undefined): Value {
  if (args.length < 1) syntaxError(`${last ? "->>" : "->"}: expected a value`, loc);
  let acc = args[0];
  for (const step of args.slice(1)) {
    if (step instanceof Pair) {
      const items = listToArray(step);
      acc = located(arrayToList(last ? [...items, acc] : [items[0], acc, ...items.slice(1)]), step.loc ?? loc);
    } else acc = located(list(step, acc), loc);
  }
  return acc;
}

export const controlForms: Record<string, SpecialForm> = {
  if: ifForm,
  and: andOr,
  or: andOr,
  begin,
  do: begin,
  cond,
  case: caseForm,
  when: whenUnless,
  unless: whenUnless,
  "->": thread,
  "->>": thread,
};
