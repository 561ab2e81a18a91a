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
import { describe as describeForm } from "../../syntax/printer.js";
import { Builtin, Closure } from "../../vm/objects.js";
import { js, ret, truthy } from "../codegen.js";
import type { Compile, SpecialForm } from "../context.js";
import { S, describe, located, syntaxError } from "../forms.js";
import { isLocal, type Scope } from "../scope.js";

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

const cond: SpecialForm = (c, args, sc, fn, tail, loc) =>
  c.compile(expandCond(schemeCondClauses(c, args, sc, loc), loc), sc, fn, tail, loc);

const caseForm: SpecialForm = (c, args, sc, fn, tail, loc) =>
  c.compile(expandCase(args, c.env.prims.equals, loc), sc, fn, tail, loc);

const whenUnless: SpecialForm = (c, args, sc, fn, tail, loc, name) => {
  if (args.length < 1) syntaxError(`${name}: expected a test`, loc);
  const body = located(new Pair(S.begin, arrayToList(args.slice(1))), loc);
  const form = name === "when" ? [S.if, args[0], body, null] : [S.if, args[0], null, body]; // unless, when-not
  return c.compile(located(arrayToList(form), loc), sc, fn, tail, loc);
};

/** (if-not test then [else]), Clojure's: if with the branches swapped. */
const ifNot: SpecialForm = (c, args, sc, fn, tail, loc) => {
  if (args.length < 2 || args.length > 3)
    syntaxError(`if-not: expected (if-not test then [else]), got ${args.length} forms`, loc);
  return c.compile(located(list(S.if, args[0], args[2] ?? null, args[1]), loc), sc, fn, tail, loc);
};

const thread: SpecialForm = (c, args, sc, fn, tail, loc, name) =>
  c.compile(expandThread(args, name === "->>", loc), sc, fn, tail, loc);

/** cond's clauses in Scheme's shape. Clojure's flat form, (cond test expr ... :else expr), is
 *  recognised by its syntax alone: a Scheme clause is always a list, so any clause that is not one
 *  means the flat form, read two by two. When every clause is a list but one tests a global
 *  function itself, as (cond (< x 0) (f) ...) read as Scheme would, that is refused with the two
 *  spellings rather than run with a meaning nobody wrote. */
function schemeCondClauses(c: Compile, args: Value[], sc: Scope | null, loc: Loc | undefined): Value[] {
  if (args.some((a) => !(a instanceof Pair))) {
    if (args.length % 2 !== 0)
      syntaxError(
        `cond: ${args.length} forms in Clojure's flat form (cond test expr ... :else expr), which takes them in pairs`,
        loc,
      );
    const clauses: Value[] = [];
    for (let i = 0; i < args.length; i += 2) clauses.push(located(list(args[i], args[i + 1]), loc));
    return clauses;
  }
  for (const clause of args as Pair[]) {
    const test = clause.car;
    if (test instanceof Sym && !isLocal(test, sc) && clause.cdr instanceof Pair && isGlobalFunction(c, test))
      syntaxError(
        `cond: the clause ${describeForm(clause)} tests the function ${test.name} itself; write Scheme's ` +
          `(cond ((test) body...) (else ...)) or Clojure's flat (cond (test) expr :else expr)`,
        clause.loc ?? loc,
      );
  }
  return args;
}

function isGlobalFunction(c: Compile, name: Sym): boolean {
  if (c.isSpecialForm(name.name)) return false;
  const v = c.env.cell(name.name).v;
  return v instanceof Builtin || v instanceof Closure;
}

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

/** case's clauses in Scheme's shape. As for cond, any clause that is not a list means Clojure's
 *  flat form, (case key datum expr ... default): a datum may be a list of alternatives, and an odd
 *  last form is the default. */
function schemeCaseClauses(args: Value[], loc: Loc | undefined): Value[] {
  if (args.every((a) => a instanceof Pair)) return args;
  const clauses: Value[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    const datum = args[i];
    clauses.push(located(list(datum instanceof Pair ? datum : list(datum), args[i + 1]), loc));
  }
  if (args.length % 2 === 1) clauses.push(located(list(S.else, args[args.length - 1]), loc));
  return clauses;
}

function expandCase(args: Value[], eq: Builtin, loc: Loc | undefined): Value {
  if (args.length < 1) syntaxError("case: expected a key and clauses", loc);
  const g = Sym.gensym("case");
  const clauses: Value[] = [];
  for (const c of schemeCaseClauses(args.slice(1), loc)) {
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
  "when-not": whenUnless,
  "if-not": ifNot,
  "->": thread,
  "->>": thread,
};
