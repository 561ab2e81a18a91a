// if-let, when-let, if-some and when-some, as in Clojure: test one value, and bind it (a name or
// a pattern) only where it passed: a true value for if-let and when-let, any value but nil for
// if-some and when-some.
import { List as IList } from "immutable";
import { Sym, arrayToList, isVector, type Value } from "../../core/types.js";
import type { SpecialForm } from "../context.js";
import { located, syntaxError } from "../forms.js";
import { H } from "./loops.js";

const ifLet: SpecialForm = (c, args, sc, fn, tail, loc, name) => {
  const isIf = name.startsWith("if-");
  const usage = isIf ? `(${name} [name test] then [else])` : `(${name} [name test] body...)`;
  const b = args[0];
  if (!isVector(b) || b.size !== 2) syntaxError(`${name}: expected one name and a test, as in ${usage}`, loc);
  if (isIf && (args.length < 2 || args.length > 3))
    syntaxError(`${name}: expected a then form and at most an else form, as in ${usage}`, loc);
  const at = (...items: Value[]) => located(arrayToList(items), loc);
  const [pattern, test] = b.toArray();
  const v = Sym.gensym("test");
  const passed = name.endsWith("-some") ? at(c.env.builtin("not"), at(c.env.builtin("nil?"), v)) : v;
  const then = at(H.let, IList([pattern, v]), ...(isIf ? [args[1]] : args.slice(1)));
  const otherwise = isIf && args.length === 3 ? args[2] : null;
  return c.compile(at(H.let, IList([v, test]), at(H.if, passed, then, otherwise)), sc, fn, tail, loc);
};

export const ifLetForms: Record<string, SpecialForm> = {
  "if-let": ifLet,
  "when-let": ifLet,
  "if-some": ifLet,
  "when-some": ifLet,
};

/** What (doc if-let) shows for these forms: { usage, doc } as in the special-form doc table
 *  (SPECIAL_FORM_DOCS), which takes them in. */
export const ifLetFormDocs: Record<string, { usage: string; doc: string }> = {
  "if-let": {
    usage: "(if-let [name test] then [else])",
    doc: "then with name bound to the value of test (a name or a destructuring pattern) when it is true, else else (nil without one). test is evaluated once.",
  },
  "when-let": {
    usage: "(when-let [name test] body...)",
    doc: "The body with name bound to the value of test when it is true, else nil.",
  },
  "if-some": {
    usage: "(if-some [name test] then [else])",
    doc: "As if-let, but then runs for any value of test except nil (#f included).",
  },
  "when-some": {
    usage: "(when-some [name test] body...)",
    doc: "As when-let, but the body runs for any value of test except nil (#f included).",
  },
};
