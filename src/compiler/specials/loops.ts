// loop and recur, doseq and dotimes, as in Clojure. A loop is a local function called at once
// with its initial values (Scheme's named let, with the parameters as patterns). recur, only in
// tail position, assigns the parameters of the innermost loop, fn or defn and jumps back to its
// start: a JavaScript loop inside the generated function, charged to the step budget like a
// call, so a long loop is preempted and can be cancelled or timed out like any other. doseq and
// dotimes expand into loop.
import { raise } from "../../core/error.js";
import { expectedGot } from "../../core/messages.js";
import { List as IList } from "immutable";
import { Keyword, Sym, arrayToList, isVector, type Loc, type Value } from "../../core/types.js";
import { describe as show } from "../../syntax/printer.js";
import { Builtin } from "../../vm/objects.js";
import { compileArgs, emitCall } from "../calls.js";
import { SUSPEND_HERE, Slot, join, js } from "../codegen.js";
import type { SpecialForm } from "../context.js";
import { located, syntaxError } from "../forms.js";
import { destructure, type Binding } from "./destructure.js";
import { bindSequentially, compileLambda, recurTargetOf } from "./lambda.js";

/** The name value pairs of a binding vector: (what [name value ...] body...). */
function bindingPairs(b: Value, what: string, loc: Loc | undefined): [Value, Value][] {
  if (!isVector(b)) syntaxError(`${what}: expected a binding vector, as in (${what} [name value ...] body...)`, loc);
  const items = b.toArray();
  if (items.length % 2 !== 0) syntaxError(`${what}: a binding vector needs name value pairs`, loc);
  const out: [Value, Value][] = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i], items[i + 1]]);
  return out;
}

/** (loop [pattern value ...] body...): the values are bound one after the other, as in let; the
 *  loop is a function of the patterns, called with them. */
const loopForm: SpecialForm = (c, args, sc, fn, tail, loc) => {
  const pairs = bindingPairs(args[0], "loop", loc);
  const outer: Binding[] = [];
  const passed: Sym[] = [];
  for (const [pattern, init] of pairs) {
    if (pattern instanceof Sym) {
      outer.push([pattern, init]);
      passed.push(pattern);
    } else {
      // the whole value is what the loop is called with; its parts are visible to later values
      const whole = Sym.gensym("loop");
      outer.push([whole, init]);
      destructure(pattern, whole, "loop", loc, outer);
      passed.push(whole);
    }
  }
  const scope = bindSequentially(c, outer, sc, fn, loc) ?? sc;
  const values = passed.map((p) => c.compile(p, scope, fn, false, loc));
  const params = arrayToList(pairs.map((p) => p[0]));
  const loopFn = compileLambda(c, params, args.slice(1), scope, fn, "loop", loc);
  return emitCall(loopFn, values, fn, tail, loc);
};

const RECUR_HINT =
  "recur must be the last thing its loop, fn or defn does: the last form of its body, or of an if, cond, when, let... in that place (never inside try, or as an argument)";

const recur: SpecialForm = (c, args, sc, fn, tail, loc) => {
  const target = recurTargetOf(fn);
  if (target === undefined) syntaxError("recur outside of a loop, fn or defn", loc, RECUR_HINT);
  if (!tail) syntaxError("recur: not in tail position", loc, RECUR_HINT);
  const n = target.fixed + (target.rest ? 1 : 0);
  if (args.length !== n) {
    const what = target.rest ? ` (${target.fixed} parameters and the rest as one list)` : "";
    syntaxError(`recur: expected ${n} argument${n === 1 ? "" : "s"}${what}, got ${args.length}`, loc);
  }
  const values = compileArgs(c, args, sc, fn, loc);
  // all values first, then the parameters: (recur b a) swaps them
  const assign = [
    join(
      values.map((e, i) => js`const a${i} = ${e};`),
      " ",
    ),
    " ",
    join(
      values.map((_, i) => js`${new Slot(0, i + 2)} = a${i};`),
      " ",
    ),
  ];
  // in place: the slots of inner defines are cleared in between (FnCtx.selfTailCall)
  fn.selfTailCall(js`{ ${assign} `, ` pc = 0; if (--m.budget < 0) ${SUSPEND_HERE} continue; } // recur`);
  // a closure captured this activation's slots (then the loop in place above is left out): a
  // fresh activation, so each closure keeps the values of its own time round
  const fresh = values.map((e, i) => js`s2[${i + 2}] = ${e}; `);
  fn.emit(
    js`{ const s2 = new Array(CODE.nslots); s2[0] = ${new Slot(0, 0)}; s2[1] = m.task; ${fresh}m.depth--; m.tailS = s2; m.tailCode = CODE; return TAIL; }`,
  );
  return "";
};

/** Heads of the forms the expansions below are made of: uninterned, so that a local named loop
 *  (a named let's, say) or if cannot capture them. */
export const H = {
  loop: Sym.uninterned("loop"),
  recur: Sym.uninterned("recur"),
  let: Sym.uninterned("let"),
  if: Sym.uninterned("if"),
  begin: Sym.uninterned("begin"),
};

const WHEN = Keyword.of("when");
const WHILE = Keyword.of("while");
const LET = Keyword.of("let");

/** (doseq [x xs y ys :when test :let [...] :while test] body...): the body for each x of xs
 *  and, for each, each y of ys (nested loops); :when skips an item, :let binds names, :while
 *  ends the loop of the binding before it. Returns nil. */
const doseq: SpecialForm = (c, args, sc, fn, tail, loc) => {
  const pairs = bindingPairs(args[0], "doseq", loc);
  if (pairs.length === 0 || pairs[0][0] instanceof Keyword)
    syntaxError("doseq: expected (doseq [name collection ...] body...)", loc);
  const b = (name: string) => c.env.builtin(name);
  const at = (...items: Value[]) => located(arrayToList(items), loc);
  // each binding's loop, innermost first: the body inside the modifiers that follow the binding
  let inner: Value = at(H.begin, ...args.slice(1));
  let mods: [Keyword, Value][] = [];
  for (let i = pairs.length - 1; i >= 0; i--) {
    const [k, v] = pairs[i];
    if (k instanceof Keyword) {
      if (k !== WHEN && k !== WHILE && k !== LET)
        syntaxError(`doseq: unknown modifier ${show(k)} (known: :when :while :let)`, loc);
      mods.unshift([k, v]);
      continue;
    }
    // one item's part: whether to go on with the next item (#f only when a :while test fails)
    let step: Value = at(H.begin, inner, true);
    for (let j = mods.length - 1; j >= 0; j--) {
      const [mk, mv] = mods[j];
      if (mk === LET) {
        if (!isVector(mv)) syntaxError("doseq: :let must be followed by a binding vector", loc);
        step = at(H.let, mv, step);
      } else step = at(H.if, mv, step, mk === WHEN);
    }
    mods = [];
    const items = Sym.gensym("items");
    inner = at(
      H.loop,
      IList([items, at(b("seq->list"), v)]),
      at(
        H.if,
        at(b("null?"), items),
        null,
        at(H.if, at(H.let, IList([k, at(b("car"), items)]), step), at(H.recur, at(b("cdr"), items)), null),
      ),
    );
  }
  return c.compile(at(H.begin, inner, null), sc, fn, tail, loc);
};

/** The count of dotimes, checked once; a fraction is cut to a whole number, as Clojure does. */
const TIMES = new Builtin("dotimes", 1, 1, (a) => times(a[0]));
TIMES.f1 = times;
function times(n: Value): Value {
  if (typeof n !== "number") raise(expectedGot("dotimes", "a number of times", show(n)));
  return Math.trunc(n);
}

/** (dotimes [i n] body...): the body with i from 0 to n - 1; returns nil. */
const dotimes: SpecialForm = (c, args, sc, fn, tail, loc) => {
  const pairs = bindingPairs(args[0], "dotimes", loc);
  if (pairs.length !== 1 || !(pairs[0][0] instanceof Sym))
    syntaxError("dotimes: expected (dotimes [name count] body...)", loc);
  const [[name, count]] = pairs;
  const at = (...items: Value[]) => located(arrayToList(items), loc);
  const n = Sym.gensym("n");
  const i = Sym.gensym("i");
  // the body binds its own name to the count, so neither a set! nor a define of it in the body
  // changes how many times it runs
  const form = at(
    H.let,
    IList([n, at(TIMES, count)]),
    at(
      H.loop,
      IList([i, 0]),
      at(
        H.if,
        at(c.env.builtin("<"), i, n),
        at(H.begin, at(H.let, IList([name, i]), ...args.slice(1)), at(H.recur, at(c.env.builtin("+"), i, 1))),
        null,
      ),
    ),
  );
  return c.compile(form, sc, fn, tail, loc);
};

export const loopForms: Record<string, SpecialForm> = { loop: loopForm, recur, doseq, dotimes };

/** What (doc loop) shows for these forms: { usage, doc } as in the special-form doc table
 *  (SPECIAL_FORM_DOCS), which takes them in. */
export const loopFormDocs: Record<string, { usage: string; doc: string }> = {
  loop: {
    usage: "(loop [name value ...] body...)",
    doc: "Binds the names one after the other, as a vector let does (a name may be a destructuring pattern), and runs the body; (recur v ...) in its tail position binds them again and goes back to the start. Its value is the value of the body that did not recur.",
  },
  recur: {
    usage: "(recur value ...)",
    doc: "In tail position only: goes back to the start of the innermost loop, fn or defn with new values for its names (a variadic function takes the rest as one list). A jump, not a call: any number of rounds in constant memory, preempted and cancellable like any loop. Anywhere else, or with the wrong number of values, it is a syntax error.",
  },
  doseq: {
    usage: "(doseq [x xs ...] body...)",
    doc: "Runs the body for each item of a list, vector, map ([key value] entries), string or nil, for its effects; more bindings nest. After a binding, :when test skips an item, :let [...] binds names, :while test ends that binding's loop. Returns nil.",
  },
  dotimes: {
    usage: "(dotimes [i n] body...)",
    doc: "Runs the body with i from 0 to n - 1, for its effects. Returns nil.",
  },
};
