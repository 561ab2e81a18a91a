// The binding forms let (with named let), let*, letrec and letrec*: each name a fresh slot of
// the enclosing function; a named let is a local function called at once.
import { EmptyList, Pair, Sym, arrayToList, isVector, listToArray, type Loc, type Value } from "../../core/types.js";
import { compileArgs, emitCall } from "../calls.js";
import { Slot, join, js } from "../codegen.js";
import type { SpecialForm } from "../context.js";
import { describe, syntaxError } from "../forms.js";
import { Scope } from "../scope.js";
import { destructure, type Binding } from "./destructure.js";
import { bindSequentially, compileLambda, compileNamed } from "./lambda.js";

/** The bindings of a let form; with patterns (let and let* with a vector), a vector or map
 *  pattern may stand for a name, and comes out as the plain bindings it expands into. */
function parseBindings(b: Value, what: string, loc: Loc | undefined, patterns = false): Binding[] {
  const out: Binding[] = [];
  if (isVector(b)) {
    const items = b.toArray();
    if (items.length % 2 !== 0) syntaxError(`${what}: a binding vector needs name value pairs`, loc);
    for (let i = 0; i < items.length; i += 2) {
      const name = items[i];
      if (patterns) destructure(name, items[i + 1], what, loc, out);
      else if (!(name instanceof Sym)) syntaxError(`${what}: expected a name, got ${describe(name)}`, loc);
      else out.push([name, items[i + 1]]);
    }
    return out;
  }
  if (!(b instanceof Pair || b instanceof EmptyList))
    syntaxError(`${what}: expected a list of bindings, got ${describe(b)}`, loc);
  for (const item of listToArray(b)) {
    const parts = item instanceof Pair ? listToArray(item) : null;
    if (!parts || parts.length < 1 || parts.length > 2 || !(parts[0] instanceof Sym)) {
      syntaxError(
        `${what}: each binding must look like (name value), got ${describe(item)}`,
        item instanceof Pair ? (item.loc ?? loc) : loc,
      );
    }
    out.push([parts[0], parts.length === 2 ? parts[1] : null]);
  }
  return out;
}

const letForm: SpecialForm = (c, args, sc, fn, tail, loc, name) => {
  if (args.length < 1) syntaxError("let: expected bindings and a body", loc);
  if (args[0] instanceof Sym) return namedLet(c, args, sc, fn, tail, loc, name);
  if (isVector(args[0])) return letStar(c, args, sc, fn, tail, loc, name);
  const bindings = parseBindings(args[0], "let", loc);
  // every init is evaluated before any name is bound; the new slots are fresh, so no init reads them
  const values = compileArgs(
    c,
    bindings.map((b) => b[1]),
    sc,
    fn,
    loc,
  );
  const scope = new Scope(fn, sc);
  fn.emit(
    join(
      bindings.map(([name], i) => {
        const slot = fn.alloc();
        scope.vars.set(name, slot);
        return js`${new Slot(0, slot)} = ${values[i]};`;
      }),
      " ",
    ),
  );
  return c.compileBody(args.slice(1), scope, fn, tail, loc);
};

// name: the form as written, so that (let [x 1 y] ...) is reported as let, not let*
const letStar: SpecialForm = (c, args, sc, fn, tail, loc, name) => {
  if (args.length < 1) syntaxError(`${name}: expected bindings and a body`, loc);
  const scope = bindSequentially(c, parseBindings(args[0], name, loc, isVector(args[0])), sc, fn, loc);
  return c.compileBody(args.slice(1), scope ?? sc ?? new Scope(fn, sc), fn, tail, loc);
};

const letrec: SpecialForm = (c, args, sc, fn, tail, loc) => {
  if (args.length < 1) syntaxError("letrec: expected bindings and a body", loc);
  const bindings = parseBindings(args[0], "letrec", loc);
  const scope = new Scope(fn, sc);
  for (const [name] of bindings) {
    const slot = fn.alloc();
    scope.vars.set(name, slot);
    scope.late.add(name);
    fn.lateSlots.push(slot);
  }
  for (const [name, form] of bindings) {
    const v = compileNamed(c, form, scope, fn, loc, name.name);
    fn.emit(js`${new Slot(0, scope.vars.get(name) as number)} = ${v};`);
  }
  return c.compileBody(args.slice(1), scope, fn, tail, loc);
};

/** (let loop ((i 0)) body...): a local function loop, called with the initial values. */
const namedLet: SpecialForm = (c, args, sc, fn, tail, loc) => {
  const name = args[0] as Sym;
  if (args.length < 2) syntaxError(`let ${name.name}: expected bindings and a body`, loc);
  const bindings = parseBindings(args[1], `let ${name.name}`, loc);
  const inits = bindings.map((b) => b[1]);
  const scope = new Scope(fn, sc);
  const slot = fn.alloc();
  scope.vars.set(name, slot);
  const params = arrayToList(bindings.map((b) => b[0]));
  fn.emit(js`${new Slot(0, slot)} = ${compileLambda(c, params, args.slice(2), scope, fn, name.name, loc)};`);
  // the initial values are evaluated outside the loop's scope
  return emitCall(new Slot(0, slot), compileArgs(c, inits, sc, fn, loc), fn, tail, loc);
};

export const bindingForms: Record<string, SpecialForm> = { let: letForm, "let*": letStar, letrec, "letrec*": letrec };
