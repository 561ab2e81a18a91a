// Call sites: the head and then the arguments evaluated left to right, then the builtin fast paths, a direct JS call
// of a closure, a self tail call looping in place, or the general call through the machine.
import { Sym, type Loc, type Value } from "../core/types.js";
import { Builtin } from "../vm/objects.js";
import { SUSPEND_HERE, Slot, isStable, join, js, type FnCtx, type Js } from "./codegen.js";
import type { Compile } from "./context.js";
import { isLocal, type Scope } from "./scope.js";

/** Builtins tried inline on two numbers (t and g), with the result they give for numbers. */
const NUMERIC_OPS: Record<string, string> = {
  "+": "t + g",
  "-": "t - g",
  "*": "t * g",
  "<": "t < g",
  ">": "t > g",
  "<=": "t <= g",
  ">=": "t >= g",
  "==": "t === g",
  "=": "(t === g || (t !== t && g !== g))",
};

/** The arguments' expressions, in order; an argument read from a variable is copied into a
 *  temporary when a later argument runs code (a set! there must not change it). */
export function compileArgs(c: Compile, args: Value[], sc: Scope | null, fn: FnCtx, loc: Loc | undefined): Js[] {
  const exprs: Js[] = [];
  const marks: number[] = [];
  const emitted: boolean[] = [];
  for (const a of args) {
    const before = fn.lines.length;
    exprs.push(c.compile(a, sc, fn, false, loc));
    emitted.push(fn.lines.length !== before);
    marks.push(fn.lines.length);
  }
  // an argument read from a variable must be read before a later argument's code runs
  let laterEmits = false;
  for (let i = args.length - 1; i >= 0; i--) {
    if (laterEmits && !isStable(exprs[i])) {
      const t = fn.temp();
      fn.lines.splice(marks[i], 0, js`${t} = ${exprs[i]};`);
      exprs[i] = t;
    }
    laterEmits ||= emitted[i];
  }
  return exprs;
}

/** (head args...), head a form or a builtin an expansion calls. */
export function compileCall(
  c: Compile,
  head: Value,
  args: Value[],
  sc: Scope | null,
  fn: FnCtx,
  tail: boolean,
  loc: Loc | undefined,
): Js {
  // the head is evaluated before the arguments, as the first of them
  const exprs =
    head instanceof Builtin
      ? [fn.k(head), ...compileArgs(c, args, sc, fn, loc)]
      : compileArgs(c, [head, ...args], sc, fn, loc);
  const [fexpr, ...argExprs] = exprs;
  const builtin = head instanceof Builtin ? head : boundBuiltin(c, head, sc);
  return emitCall(fexpr, argExprs, fn, tail, loc, builtin, inlineOp(builtin, args.length, fn));
}

/** The builtin a global name holds now (it may be redefined later: call sites only use this
 *  to leave out paths that are unlikely, never to skip the general one). */
function boundBuiltin(c: Compile, head: Value, sc: Scope | null): Builtin | undefined {
  if (!(head instanceof Sym) || isLocal(head, sc)) return undefined;
  const b = c.env.cell(head.name).v;
  return b instanceof Builtin ? b : undefined;
}

/** (+ a b), (< a b)...: when the name is the global builtin now, the call site first tries the
 *  operator on two numbers inline, guarded by the builtin's identity (a redefinition turns the
 *  guard off). Returns the guarded test and the result, with the arguments in t and g. */
function inlineOp(b: Builtin | undefined, nargs: number, fn: FnCtx): { guard: string; expr: string } | undefined {
  const expr = b !== undefined && nargs === 2 ? NUMERIC_OPS[b.name] : undefined;
  return expr === undefined ? undefined : { guard: `f === ${fn.k(b as Builtin)}`, expr };
}

/** A call site: builtin fast paths, direct closure calls on the JS stack, the general case
 *  through the machine. `case pc:` after it is where a captured frame resumes with m.val. */
export function emitCall(
  fexpr: Js,
  argExprs: Js[],
  fn: FnCtx,
  tail: boolean,
  loc: Loc | undefined,
  builtin?: Builtin,
  op?: { guard: string; expr: string },
): Js {
  const pc = fn.newPc(loc);
  const list = join(argExprs, ", ");
  const n = argExprs.length;
  const numbers = op
    ? js`${op.guard} && typeof (t = ${argExprs[0]}) === "number" && typeof (g = ${argExprs[1]}) === "number"`
    : "";
  // a head bound to a builtin when compiled gets no direct-closure path, and no f1/f2 path if
  // that builtin has none (the general path still serves whatever the name holds at run time):
  // smaller functions for V8 to compile and optimize
  let fast: "f1" | "f2" | null = n === 1 ? "f1" : n === 2 ? "f2" : null;
  if (fast !== null && builtin !== undefined && builtin[fast] === null) fast = null;
  const slots = n <= 3 && builtin === undefined ? js`m.slots${n}(f${n ? ", " : ""}${list})` : null;
  fn.emit(js`pc = ${pc}; f = ${fexpr};`);
  if (tail) {
    if (n === fn.arity) {
      // a loop: the function calling itself in tail position reuses its slots and jumps to the
      // top; the slots of inner defines are cleared in between (FnCtx.selfTailCall)
      const assign = [
        join(
          argExprs.map((e, i) => js`const a${i} = ${e};`),
          " ",
        ),
        " ",
        join(
          argExprs.map((_, i) => js`${new Slot(0, i + 2)} = a${i};`),
          " ",
        ),
      ];
      fn.selfTailCall(
        js`if (f instanceof C && f.code === CODE && f.env === ${new Slot(0, 0)}) { ${assign} `,
        ` pc = 0; if (--m.budget < 0) ${SUSPEND_HERE} continue; } // self tail call`,
      );
    }
    if (op) fn.emit(js`if (${numbers}) { m.depth--; return ${op.expr}; }`);
    if (slots)
      fn.emit(
        js`if (f instanceof C && f.code.fixed === ${n}) { m.depth--; m.tailS = ${slots}; m.tailCode = f.code; return TAIL; }`,
      );
    if (fast) fn.emit(js`if (f instanceof B && f.${fast} !== null) { m.depth--; return f.${fast}(${list}); }`);
    const general =
      n === 1 || n === 2 ? js`m.call${n}(f, ${list}, CODE, ${pc}, true)` : js`m.tailCall(f, [${list}], CODE, ${pc})`;
    fn.emit(js`t = ${general}; if (t === SUSPEND) ${SUSPEND_HERE} m.depth--; return t;`);
    fn.resumeLabel(pc);
    fn.emit(`m.depth--; return t;`);
    return "";
  }
  const suspend = `if (t === SUSPEND) ${SUSPEND_HERE}`;
  const direct = [
    op ? js`if (${numbers}) t = ${op.expr}; else ` : "",
    fast ? js`if (f instanceof B && f.${fast} !== null) t = f.${fast}(${list}); else ` : "",
    slots
      ? js`if (f instanceof C && f.code.fixed === ${n}) { t = f.code.fn(m, null, null, f.env${n ? js`, ${list}` : ""}); if (t === TAIL) t = m.runTails(); ${suspend} } else `
      : "",
  ];
  const general = n === 1 || n === 2 ? js`m.call${n}(f, ${list}, CODE, ${pc})` : js`m.call(f, [${list}], CODE, ${pc})`;
  fn.emit(js`${direct}{ t = ${general}; ${suspend} }`);
  fn.resumeLabel(pc);
  const r = fn.temp();
  fn.emit(js`${r} = t;`);
  return r;
}
