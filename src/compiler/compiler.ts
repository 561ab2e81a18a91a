// The compiler: macro-expands a form and turns each lambda into a JavaScript state machine
// (`for (;;) switch (pc)`) over a heap frame. Every call site is a resume point, so a task can
// stop at any call, and every call in tail position becomes a tail call.
import { List as IList } from "immutable";
import { LispError } from "../core/error.js";
import { EMPTY, EmptyList, Keyword, Pair, Sym, isVector, listToArray, type Loc, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { Builtin, Cell, Closure, Code, Macro, SUSPEND, TAIL } from "../vm/objects.js";
import { SPECIAL_FORMS } from "./special-forms.js";

/** What the compiler needs from the global environment. */
export interface CompileEnv {
  cell(name: string): Cell;
  /** runs a macro's function on the unevaluated arguments */
  expandMacro(macro: Macro, args: Value[], loc: Loc | undefined): Value;
  /** builtins used by expansions of literals and quasiquote */
  prims: { list: Builtin; append: Builtin; vector: Builtin; vec: Builtin; hashMap: Builtin; equals: Builtin };
  /** a doc string given to defn or defmacro, for (doc name) */
  recordDoc(name: string, usage: string, doc: string): void;
}

const sym = Sym.of;
const S = {
  quote: sym("quote"), quasiquote: sym("quasiquote"), unquote: sym("unquote"), unquoteSplicing: sym("unquote-splicing"),
  if: sym("if"), define: sym("define"), def: sym("def"), defn: sym("defn"), set: sym("set!"), lambda: sym("lambda"),
  fn: sym("fn"), let: sym("let"), letStar: sym("let*"), letrec: sym("letrec"), letrecStar: sym("letrec*"),
  begin: sym("begin"), do: sym("do"), and: sym("and"), or: sym("or"), cond: sym("cond"), case: sym("case"),
  when: sym("when"), unless: sym("unless"), try: sym("try"), catch: sym("catch"), finally: sym("finally"),
  defmacro: sym("defmacro"), thread: sym("->"), threadLast: sym("->>"), else: sym("else"), dot: sym("."),
  amp: sym("&"), arrow: sym("=>"),
};
const ELSE_KW = Keyword.of("else");

const RT = { B: Builtin, C: Closure, M: Macro, TAIL, SUSPEND };
/** Builtins tried inline on two numbers (t and g), with the result they give for numbers. */
const NUMERIC_OPS: Record<string, string> = {
  "+": "t + g", "-": "t - g", "*": "t * g", "<": "t < g", ">": "t > g", "<=": "t <= g", ">=": "t >= g",
  "==": "t === g", "=": "(t === g || (t !== t && g !== g))",
};
/** In generated code: leave the switch for the function's one suspension exit (pc is set). */
const SUSPEND_HERE = "break sw;";
/** JS stack depth (Lisp calls) after which the machine moves the stack to the heap */
const MAX_JS_DEPTH = 400;

class FnCtx {
  lines: string[] = [];
  nextPc = 1;
  sites: (Loc | undefined)[] = [undefined];
  consts: Value[] = [];
  constIndex = new Map<Value, number>();
  stable = new Set<string>();
  /** the fixed parameter count (-1 with a rest parameter): self tail calls with it can loop in place */
  arity = -1;
  /** its slots may outlive the call (a closure captures them): then a self tail call must make
   *  a fresh activation instead of looping in place */
  slotsEscape = false;
  /** slots of inner defines (read before set is an error): cleared when the function loops in place */
  lateSlots: number[] = [];
  /** it has try: its handlers name its slots array, which must then exist */
  hasHandlers = false;
  constructor(readonly name: string, public nslots: number, readonly loc: Loc | undefined) {}
  alloc(): number { return this.nslots++; }
  private temps = 0;
  /** A temporary: a JS local, or a slot when its value must survive a suspension (see placeTemps). */
  temp(): string { const t = `$T${++this.temps}`; this.stable.add(t); return t; }
  /** a label where a suspended frame can resume: temps live across it must be in slots */
  resumeLabel(pc: number): void { this.emit(`case ${pc}: ${RESUME}`); }
  newPc(loc: Loc | undefined): number { const pc = this.nextPc++; this.sites[pc] = loc; return pc; }
  k(v: Value): string {
    let i = this.constIndex.get(v);
    if (i === undefined) { i = this.consts.length; this.consts.push(v); this.constIndex.set(v, i); }
    return `k${i}`;
  }
  emit(line: string): void { this.lines.push(line); }
}

class Scope {
  vars = new Map<Sym, number>();
  /** names bound by define or letrec: they may be read before their value is set */
  late = new Set<Sym>();
  constructor(readonly fn: FnCtx, readonly parent: Scope | null) {}
}

type Resolved = { kind: "local"; depth: number; slot: number; late: boolean } | { kind: "global"; cell: Cell };

function syntaxError(msg: string, loc: Loc | undefined, hint?: string): never {
  throw LispError.of("syntax", msg, loc, hint);
}

function isSelfEvaluating(x: Value): boolean {
  return x === null || typeof x === "number" || typeof x === "string" || typeof x === "boolean" ||
    x instanceof Keyword || x instanceof EmptyList;
}

export class Compiler {
  /** compile lambda bodies on their first call (for trusted library code: the prelude) */
  lazy = false;
  constructor(private readonly env: CompileEnv) {}

  /** Compiles one top-level form into a 0-argument function. */
  compileToplevel(form: Value, loc: Loc | undefined): Closure {
    const fn = new FnCtx("<toplevel>", 2, loc);
    this.compile(form, null, fn, true, loc);
    return new Closure(this.finish(fn, 0, false), null);
  }

  // ---- helpers ---------------------------------------------------------------------

  private finish(fn: FnCtx, nparams: number, rest: boolean): Code {
    return this.generate(fn, new Code(fn.name, nparams, rest, fn.nslots, fn.loc, fn.sites));
  }

  /** Generates the JavaScript for a compiled body into `code`. */
  private generate(fn: FnCtx, code: Code): Code {
    if (fn.slotsEscape) fn.lines = fn.lines.filter((line) => !line.endsWith(SELF));
    else {
      // looping in place: the inner defines start undefined again, as in a fresh activation
      const reset = fn.lateSlots.map((i) => `s[${i}] = undefined;`).join(" ");
      fn.lines = fn.lines.map((line) => (line.endsWith(SELF) ? line.replace(LATE, reset) : line));
    }
    const locals = placeTemps(fn);
    const decls = fn.consts.map((_, i) => `k${i} = K[${i}]`).join(", ");
    const n = fn.nslots;
    // a direct call (s === null) passes the env and 0-3 arguments
    const direct = code.fixed >= 0 && code.fixed <= 3 ? Array.from({ length: code.fixed }, (_, i) => `a${i}`) : [];
    const params = ["m", "fr", "s", "env", ...direct].join(", ");
    // Slots that no closure or handler can see live in JS locals v0..vN: a call allocates no
    // array, and a suspension saves them into one (m.suspendWith).
    const inLocals = !fn.slotsEscape && !fn.hasHandlers;
    const vs = Array.from({ length: n }, (_, i) => `v${i}`);
    let entry: string;
    let suspendAt = "m.suspend(CODE, s, fr, pc)";
    if (inLocals) {
      const save = `[${vs.join(", ")}]`;
      // a resumed activation stores its locals back into its frame's array
      const saveInto = `(fr === null ? ${save} : (s = fr.s, ${vs.map((v, i) => `s[${i}] = ${v}, `).join("")}s))`;
      fn.lines = fn.lines.map(toLocals);
      suspendAt = `m.suspendWith(CODE, ${saveInto}, fr, pc)`;
      entry = `if (fr === null) {
if (s === null) { v0 = env;${direct.map((a, i) => ` v${i + 2} = ${a};`).join("")} } else { ${vs.map((v, i) => (i === 1 ? "" : `${v} = s[${i}];`)).join(" ")} }
v1 = m.task;
if (++m.depth > ${MAX_JS_DEPTH} || --m.budget < 0) return m.suspendWith(CODE, ${save}, null, 0); pc = 0; }
else { ++m.depth; pc = fr.pc; t = m.val; s = fr.s; ${vs.map((v, i) => `${v} = s[${i}];`).join(" ")} }`;
    } else {
      entry = `if (fr === null) {
if (s === null) { s = new Array(${n}); s[0] = env; s[1] = m.task;${direct.map((a, i) => ` s[${i + 2}] = ${a};`).join("")} }
if (++m.depth > ${MAX_JS_DEPTH} || --m.budget < 0) return m.suspend(CODE, s, null, 0); pc = 0; }
else { ++m.depth; pc = fr.pc; t = m.val; }`;
    }
    // Runs directly on the JS stack (fr === null) or resumes a captured frame (fr !== null, the
    // pending call's value in m.val). Every call site sets pc first, so an error knows where
    // this activation stands (m.caught jumps to its handler or records the position), and a
    // call that returns SUSPEND leaves the switch (break sw) for the one place that saves this
    // activation (m.suspend) and returns SUSPEND too: one copy of the save per function keeps
    // the code V8 has to optimize small.
    const src = `"use strict";
const { B, C, M, TAIL, SUSPEND } = RT;${decls ? `\nconst ${decls};` : ""}
return function code(${params}) {
let pc, t, f, g${inLocals && n ? ", " + vs.join(", ") : ""}${locals.length ? ", " + locals.join(", ") : ""};
${entry}
for (;;) {
try { sw: switch (pc) {
case 0:
${fn.lines.join("\n")}
default: throw new Error("bad pc " + pc);
} } catch (e) { pc = m.caught(e, CODE, s, fr, pc); continue; }
return ${suspendAt};
}
};`;
    try {
      code.fn = new Function("RT", "K", "CODE", src)(RT, fn.consts, code);
    } catch (e) {
      throw new Error(`compiler produced invalid code for ${fn.name}: ${(e as Error).message}\n${src}`);
    }
    code.nslots = fn.nslots;
    return code;
  }

  private resolve(name: Sym, sc: Scope | null, fn: FnCtx): Resolved {
    let depth = 0;
    let cur: FnCtx = fn;
    for (let s = sc; s !== null; s = s.parent) {
      if (s.fn !== cur) { depth++; cur = s.fn; }
      const slot = s.vars.get(name);
      if (slot !== undefined) return { kind: "local", depth, slot, late: s.late.has(name) };
    }
    return { kind: "global", cell: this.env.cell(name.name) };
  }

  private isLocal(name: Sym, sc: Scope | null): boolean {
    for (let s = sc; s !== null; s = s.parent) if (s.vars.has(name)) return true;
    return false;
  }

  private envExpr(depth: number): string { return "s" + "[0]".repeat(depth); }

  private ret(expr: string, fn: FnCtx, tail: boolean): string {
    if (tail) { fn.emit(`m.depth--; return ${expr};`); return ""; }
    return expr;
  }

  /** The macro a form's head names, if it names one. */
  private macroFor(x: Value, sc: Scope | null): Macro | null {
    if (!(x instanceof Pair) || !(x.car instanceof Sym)) return null;
    if (this.isLocal(x.car, sc) || SPECIAL_FORMS.has(x.car.name)) return null;
    const v = this.env.cell(x.car.name).v;
    return v instanceof Macro ? v : null;
  }

  private expand(x: Value, sc: Scope | null): Value {
    for (;;) {
      const m = this.macroFor(x, sc);
      if (!m) return x;
      const p = x as Pair;
      const out = this.env.expandMacro(m, listToArray(p.cdr as Pair), p.loc);
      if (out instanceof Pair && !out.loc) out.loc = p.loc;
      x = out;
    }
  }

  // ---- expressions -------------------------------------------------------------------

  /** Compiles x; returns a JS expression for its value, or "" after emitting a return (tail). */
  compile(x: Value, sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    if (x instanceof Sym) return this.ret(this.compileRef(x, sc, fn, loc), fn, tail);
    if (x instanceof Pair) {
      const l = x.loc ?? loc;
      if (x.car instanceof Sym && !this.isLocal(x.car, sc)) {
        const special = SPECIAL_FORMS.get(x.car.name);
        if (special) return this.compileSpecial(special, x, sc, fn, tail, l);
        const m = this.macroFor(x, sc);
        if (m) return this.compile(this.expand(x, sc), sc, fn, tail, l);
      }
      return this.compileCall(x.car, listToArray(x.cdr as Pair), sc, fn, tail, l);
    }
    if (isVector(x)) {
      if (x.every(isSelfEvaluating)) return this.ret(fn.k(x), fn, tail);
      return this.compileCall(this.env.prims.vector, x.toArray(), sc, fn, tail, loc);
    }
    if (x instanceof LMap) {
      const flat: Value[] = [];
      let constant = true;
      for (const [k, v] of x) { flat.push(k, v); constant &&= isSelfEvaluating(k) && isSelfEvaluating(v); }
      if (constant) return this.ret(fn.k(x), fn, tail);
      return this.compileCall(this.env.prims.hashMap, flat, sc, fn, tail, loc);
    }
    return this.ret(this.constant(x, fn), fn, tail);
  }

  private constant(x: Value, fn: FnCtx): string {
    if (x === null) return "null";
    if (x === true || x === false) return String(x);
    if (typeof x === "number" && Number.isFinite(x) && !Object.is(x, -0)) return x < 0 ? `(${x})` : String(x);
    return fn.k(x);
  }

  private compileRef(x: Sym, sc: Scope | null, fn: FnCtx, loc: Loc | undefined): string {
    const r = this.resolve(x, sc, fn);
    if (r.kind === "local") {
      const ref = `${this.envExpr(r.depth)}[${r.slot}]`;
      if (!r.late) return ref;
      return `((g = ${ref}) !== undefined ? g : m.usedBeforeDefinition(${JSON.stringify(x.name)}, CODE, ${fn.newPc(loc)}))`;
    }
    if (SPECIAL_FORMS.has(x.name)) syntaxError(`${x.name} is a special form, not a value`, loc);
    const site = fn.newPc(loc);
    const c = fn.k(r.cell);
    return `((g = ${c}.v) !== undefined ? g : m.unbound(${c}, CODE, ${site}))`;
  }

  private compileArgs(args: Value[], sc: Scope | null, fn: FnCtx, loc: Loc | undefined): string[] {
    const exprs: string[] = [];
    const marks: number[] = [];
    const emitted: boolean[] = [];
    for (const a of args) {
      const before = fn.lines.length;
      exprs.push(this.compile(a, sc, fn, false, loc));
      emitted.push(fn.lines.length !== before);
      marks.push(fn.lines.length);
    }
    // an argument read from a variable must be read before a later argument's code runs
    let laterEmits = false;
    for (let i = args.length - 1; i >= 0; i--) {
      if (laterEmits && !this.isStable(exprs[i], fn)) {
        const t = fn.temp();
        fn.lines.splice(marks[i], 0, `${t} = ${exprs[i]};`);
        exprs[i] = t;
      }
      laterEmits ||= emitted[i];
    }
    return exprs;
  }

  private isStable(e: string, fn: FnCtx): boolean {
    return fn.stable.has(e) || /^(k\d+|\(?-?[\d.e+]+\)?|null|true|false)$/.test(e);
  }

  private compileCall(head: Value, args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    const argExprs = this.compileArgs(args, sc, fn, loc);
    const fexpr = head instanceof Builtin ? fn.k(head) : this.compile(head, sc, fn, false, loc);
    const builtin = head instanceof Builtin ? head : this.boundBuiltin(head, sc);
    return this.emitCall(fexpr, argExprs, fn, tail, loc, builtin, this.inlineOp(builtin, args.length, fn));
  }

  /** The builtin a global name holds now (it may be redefined later: call sites only use this
   *  to leave out paths that are unlikely, never to skip the general one). */
  private boundBuiltin(head: Value, sc: Scope | null): Builtin | undefined {
    if (!(head instanceof Sym) || this.isLocal(head, sc)) return undefined;
    const b = this.env.cell(head.name).v;
    return b instanceof Builtin ? b : undefined;
  }

  /** (+ a b), (< a b)...: when the name is the global builtin now, the call site first tries the
   *  operator on two numbers inline, guarded by the builtin's identity (a redefinition turns the
   *  guard off). Returns the guarded test and the result, with the arguments in t and g. */
  private inlineOp(b: Builtin | undefined, nargs: number, fn: FnCtx): { guard: string; expr: string } | undefined {
    const expr = b !== undefined && nargs === 2 ? NUMERIC_OPS[b.name] : undefined;
    return expr === undefined ? undefined : { guard: `f === ${fn.k(b as Builtin)}`, expr };
  }

  /** A call site: builtin fast paths, direct closure calls on the JS stack, the general case
   *  through the machine. `case pc:` after it is where a captured frame resumes with m.val. */
  private emitCall(fexpr: string, argExprs: string[], fn: FnCtx, tail: boolean, loc: Loc | undefined,
    builtin?: Builtin, op?: { guard: string; expr: string }): string {
    const pc = fn.newPc(loc);
    const list = argExprs.join(", ");
    const n = argExprs.length;
    const numbers = op ? `${op.guard} && typeof (t = ${argExprs[0]}) === "number" && typeof (g = ${argExprs[1]}) === "number"` : "";
    // a head bound to a builtin when compiled gets no direct-closure path, and no f1/f2 path if
    // that builtin has none (the general path still serves whatever the name holds at run time):
    // smaller functions for V8 to compile and optimize
    let fast: "f1" | "f2" | null = n === 1 ? "f1" : n === 2 ? "f2" : null;
    if (fast !== null && builtin !== undefined && builtin[fast] === null) fast = null;
    const slots = n <= 3 && builtin === undefined ? `m.slots${n}(f${n ? ", " : ""}${list})` : null;
    fn.emit(`pc = ${pc}; f = ${fexpr};`);
    if (tail) {
      if (n === fn.arity) {
        // a loop: the function calling itself in tail position reuses its slots and jumps to the top
        const assign = argExprs.map((e, i) => `const a${i} = ${e};`).join(" ") + " " + argExprs.map((_, i) => `s[${i + 2}] = a${i};`).join(" ");
        fn.emit(`if (f instanceof C && f.code === CODE && f.env === s[0]) { ${assign} ${LATE} pc = 0; if (--m.budget < 0) ${SUSPEND_HERE} continue; } ${SELF}`);
      }
      if (op) fn.emit(`if (${numbers}) { m.depth--; return ${op.expr}; }`);
      if (slots) fn.emit(`if (f instanceof C && f.code.fixed === ${n}) { m.depth--; m.tailS = ${slots}; m.tailCode = f.code; return TAIL; }`);
      if (fast) fn.emit(`if (f instanceof B && f.${fast} !== null) { m.depth--; return f.${fast}(${list}); }`);
      const general = n === 1 || n === 2 ? `m.call${n}(f, ${list}, CODE, ${pc}, true)` : `m.tailCall(f, [${list}], CODE, ${pc})`;
      fn.emit(`t = ${general}; if (t === SUSPEND) ${SUSPEND_HERE} m.depth--; return t;`);
      fn.resumeLabel(pc);
      fn.emit(`m.depth--; return t;`);
      return "";
    }
    const suspend = `if (t === SUSPEND) ${SUSPEND_HERE}`;
    const direct = [
      op ? `if (${numbers}) t = ${op.expr}; else ` : "",
      fast ? `if (f instanceof B && f.${fast} !== null) t = f.${fast}(${list}); else ` : "",
      slots ? `if (f instanceof C && f.code.fixed === ${n}) { t = f.code.fn(m, null, null, f.env${n ? ", " + list : ""}); if (t === TAIL) t = m.runTails(); ${suspend} } else ` : "",
    ].join("");
    const general = n === 1 || n === 2 ? `m.call${n}(f, ${list}, CODE, ${pc})` : `m.call(f, [${list}], CODE, ${pc})`;
    fn.emit(`${direct}{ t = ${general}; ${suspend} }`);
    fn.resumeLabel(pc);
    const r = fn.temp();
    fn.emit(`${r} = t;`);
    return r;
  }

  private truthy(expr: string): string { return `((t = ${expr}) !== false && t !== null)`; }

  // ---- special forms -----------------------------------------------------------------

  private compileSpecial(name: string, x: Pair, sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    const args = listToArray(x.cdr as Pair);
    switch (name) {
      case "quote":
        if (args.length !== 1) syntaxError("quote: expected exactly one form", loc);
        return this.ret(this.constant(args[0], fn), fn, tail);
      case "quasiquote":
        if (args.length !== 1) syntaxError("quasiquote: expected exactly one form", loc);
        return this.compile(this.quasi(args[0], 1, loc), sc, fn, tail, loc);
      case "unquote": case "unquote-splicing":
        syntaxError(`${name} outside of a quasiquote`, loc, "use , and ,@ only inside `");
      case "if": return this.compileIf(args, sc, fn, tail, loc);
      case "define": case "def": return this.compileDefine(args, sc, fn, tail, loc, name);
      case "defn": return this.compileDefn(args, sc, fn, tail, loc);
      case "set!": return this.compileSet(args, sc, fn, tail, loc);
      case "lambda": case "fn": {
        if (args.length < 1) syntaxError(`${name}: expected a parameter list and a body`, loc);
        if (name === "fn" && args[0] instanceof Sym && args.length > 1 && (isVector(args[1]) || args[1] instanceof Pair || args[1] instanceof EmptyList)) {
          // (fn name [params] body...): name is bound inside the body, for recursion
          const self = args[0];
          const lam = located(arrayToPairs([S.fn, ...args.slice(1)]), loc);
          return this.compile(located(arrayToPairs([S.letrec, arrayToPairs([arrayToPairs([self, lam])]), self]), loc), sc, fn, tail, loc);
        }
        return this.ret(this.compileLambda(args[0], args.slice(1), sc, fn, "anonymous", loc), fn, tail);
      }
      case "let": return this.compileLet(args, sc, fn, tail, loc);
      case "let*": return this.compileLetStar(args, sc, fn, tail, loc);
      case "letrec": case "letrec*": return this.compileLetrec(args, sc, fn, tail, loc);
      case "begin": case "do": return this.compileBody(args, sc, fn, tail, loc);
      case "and": return this.compileAndOr(args, sc, fn, tail, loc, true);
      case "or": return this.compileAndOr(args, sc, fn, tail, loc, false);
      case "cond": return this.compile(this.expandCond(args, loc), sc, fn, tail, loc);
      case "case": return this.compile(this.expandCase(args, loc), sc, fn, tail, loc);
      case "when": case "unless": {
        if (args.length < 1) syntaxError(`${name}: expected a test`, loc);
        const body = located(new Pair(S.begin, arrayToPairs(args.slice(1))), loc);
        const form = name === "when" ? [S.if, args[0], body, null] : [S.if, args[0], null, body];
        return this.compile(located(arrayToPairs(form), loc), sc, fn, tail, loc);
      }
      case "->": case "->>": return this.compile(this.expandThread(args, name === "->>", loc), sc, fn, tail, loc);
      case "try": return this.compileTry(args, sc, fn, tail, loc);
      case "defmacro": return this.compileDefmacro(args, sc, fn, tail, loc);
    }
    throw new Error(`special form ${name} has no compiler`);
  }

  private compileIf(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    if (args.length < 2 || args.length > 3) syntaxError(`if: expected (if test then [else]), got ${args.length} forms`, loc);
    const test = this.compile(args[0], sc, fn, false, loc);
    const elsePc = fn.newPc(loc), endPc = fn.newPc(loc);
    fn.emit(`if (!${this.truthy(test)}) { pc = ${elsePc}; continue; }`);
    if (tail) {
      this.compile(args[1], sc, fn, true, loc);
      fn.emit(`case ${elsePc}:`);
      this.compile(args.length === 3 ? args[2] : null, sc, fn, true, loc);
      return "";
    }
    const r = fn.temp();
    fn.emit(`${r} = ${this.compile(args[1], sc, fn, false, loc)}; pc = ${endPc}; continue;`);
    fn.emit(`case ${elsePc}:`);
    fn.emit(`${r} = ${this.compile(args.length === 3 ? args[2] : null, sc, fn, false, loc)};`);
    fn.emit(`case ${endPc}:`);
    return r;
  }

  private compileAndOr(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined, isAnd: boolean): string {
    if (args.length === 0) return this.ret(isAnd ? "true" : "false", fn, tail);
    const endPc = fn.newPc(loc);
    const r = tail ? "" : fn.temp();
    for (let i = 0; i < args.length; i++) {
      const last = i === args.length - 1;
      if (last) {
        if (tail) { this.compile(args[i], sc, fn, true, loc); }
        else fn.emit(`${r} = ${this.compile(args[i], sc, fn, false, loc)};`);
        break;
      }
      const e = this.compile(args[i], sc, fn, false, loc);
      const exit = tail ? `{ m.depth--; return t; }` : `{ ${r} = t; pc = ${endPc}; continue; }`;
      fn.emit(isAnd ? `if (!${this.truthy(e)}) ${exit}` : `if (${this.truthy(e)}) ${exit}`);
    }
    if (tail) return "";
    fn.emit(`case ${endPc}:`);
    return r;
  }

  private compileDefine(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined, kw: string): string {
    if (args.length < 1) syntaxError(`${kw}: expected a name`, loc);
    let target = args[0];
    let valueExpr: string;
    if (target instanceof Pair) {
      // (define (name . params) body...)
      if (!(target.car instanceof Sym)) syntaxError(`${kw}: expected a function name, got ${describe(target.car)}`, loc);
      const name = target.car;
      valueExpr = this.compileLambda(target.cdr, args.slice(1), sc, fn, name.name, loc);
      target = name;
    } else {
      if (!(target instanceof Sym)) syntaxError(`${kw}: expected a symbol to define, got ${describe(target)}`, loc);
      if (args.length > 3) syntaxError(`${kw}: expected (${kw} name value)`, loc);
      // (def name "doc" value) is allowed, as in Clojure
      const valueForm = args.length === 3 ? args[2] : args.length === 2 ? args[1] : null;
      valueExpr = this.compileNamed(valueForm, sc, fn, loc, target.name);
    }
    this.assignDefined(target as Sym, valueExpr, sc, fn);
    return this.ret("null", fn, tail);
  }

  private compileDefn(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    if (args.length < 2 || !(args[0] instanceof Sym)) syntaxError("defn: expected (defn name [params] body...)", loc);
    const name = args[0] as Sym;
    let rest = args.slice(1);
    if (typeof rest[0] === "string" && rest.length > 1) {
      this.env.recordDoc(name.name, this.usageLine(name.name, rest[1], loc), rest[0]);
      rest = rest.slice(1);
    }
    const valueExpr = this.compileLambda(rest[0], rest.slice(1), sc, fn, name.name, loc);
    this.assignDefined(name, valueExpr, sc, fn);
    return this.ret("null", fn, tail);
  }

  /** Compiles a value that is being bound to a name, so lambdas get that name. */
  private compileNamed(form: Value, sc: Scope | null, fn: FnCtx, loc: Loc | undefined, name: string): string {
    if (form instanceof Pair && (form.car === S.lambda || form.car === S.fn) && !this.isLocal(form.car, sc)) {
      const a = listToArray(form.cdr as Pair);
      if (a.length >= 1 && !(form.car === S.fn && a[0] instanceof Sym && a.length > 1)) {
        return this.compileLambda(a[0], a.slice(1), sc, fn, name, form.loc ?? loc);
      }
    }
    return this.compile(form, sc, fn, false, loc);
  }

  private assignDefined(name: Sym, valueExpr: string, sc: Scope | null, fn: FnCtx): void {
    if (sc === null) {
      if (SPECIAL_FORMS.has(name.name)) syntaxError(`cannot define ${name.name}: it is a special form`, fn.loc);
      const c = fn.k(this.env.cell(name.name));
      fn.emit(`${c}.v = ${valueExpr}; ${c}.owner = m.task;`);
      return;
    }
    let slot = sc.vars.get(name);
    if (slot === undefined) { slot = fn.alloc(); sc.vars.set(name, slot); }
    fn.emit(`s[${slot}] = ${valueExpr};`);
  }

  private compileSet(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    if (args.length !== 2 || !(args[0] instanceof Sym)) syntaxError("set!: expected (set! name value)", loc);
    const name = args[0] as Sym;
    const v = this.compile(args[1], sc, fn, false, loc);
    const r = this.resolve(name, sc, fn);
    const site = fn.newPc(loc);
    if (r.kind === "global") {
      fn.emit(`m.setGlobal(${fn.k(r.cell)}, ${v}, CODE, ${site});`);
    } else {
      const env = this.envExpr(r.depth);
      fn.emit(`if (${env}[1] !== m.task) m.foreignSet(${JSON.stringify(name.name)}, CODE, ${site}); ${env}[${r.slot}] = ${v};`);
    }
    return this.ret("null", fn, tail);
  }

  /** "(name a b & rest)" for (doc name). */
  private usageLine(name: string, params: Value, loc: Loc | undefined): string {
    const { names, rest } = this.parseParams(params, loc);
    return `(${[name, ...names.map((n) => n.name), ...(rest ? ["&", rest.name] : [])].join(" ")})`;
  }

  /** Parses a parameter list: (a b), (a . rest), args, [a b & rest], (a & rest). */
  private parseParams(params: Value, loc: Loc | undefined): { names: Sym[]; rest: Sym | null } {
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
        if (i !== items.length - 2 || !(items[i + 1] instanceof Sym)) syntaxError(`${p.name} in a parameter list must be followed by one name`, loc);
        rest = items[i + 1];
        break;
      }
      if (!(p instanceof Sym)) syntaxError(`parameter names must be symbols, got ${describe(p)}`, loc);
      if (names.includes(p)) syntaxError(`duplicate parameter ${p.name}`, loc);
      names.push(p);
    }
    return { names, rest };
  }

  private compileLambda(params: Value, body: Value[], sc: Scope | null, fn: FnCtx, name: string, loc: Loc | undefined): string {
    const { names, rest } = this.parseParams(params, loc);
    const inner = new FnCtx(name, 2, loc);
    inner.arity = rest ? -1 : names.length;
    fn.slotsEscape = true; // the new closure captures this activation's slots
    const scope = new Scope(inner, sc);
    names.forEach((n) => scope.vars.set(n, inner.alloc()));
    if (rest) scope.vars.set(rest, inner.alloc());
    let code: Code;
    if (this.lazy) {
      // compiled on its first call: start-up does not pay for library functions a script never uses
      code = new Code(name, names.length, rest !== null, inner.nslots, loc, inner.sites);
      code.fn = (m, fr, s, e, a, b, c) => {
        this.compileBody(body, scope, inner, true, loc);
        this.generate(inner, code);
        return code.fn(m, fr, s, e, a, b, c);
      };
    } else {
      this.compileBody(body, scope, inner, true, loc);
      code = this.finish(inner, names.length, rest !== null);
    }
    code.usage = this.usageLine(name, params, loc);
    return `new C(${fn.k(code)}, s)`;
  }

  /** A body: definitions in it are local to it and visible to all of it (letrec* semantics). */
  compileBody(forms: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    const expanded = this.flattenBody(forms, sc);
    if (expanded.length === 0) return this.ret("null", fn, tail);
    let scope = sc;
    if (sc !== null) {
      const defined = expanded.map((f) => this.definedName(f)).filter((n): n is Sym => n !== null);
      if (defined.length) {
        scope = new Scope(fn, sc);
        for (const n of defined) {
          if (scope.vars.has(n)) continue;
          const slot = fn.alloc();
          scope.vars.set(n, slot);
          scope.late.add(n);
          fn.lateSlots.push(slot);
        }
      }
    }
    for (let i = 0; i < expanded.length - 1; i++) {
      const e = this.compile(expanded[i], scope, fn, false, loc);
      if (e !== "null" && !this.isStable(e, fn) && !/^s(\[\d+\])+$/.test(e)) fn.emit(`${e};`);
    }
    return this.compile(expanded[expanded.length - 1], scope, fn, tail, loc);
  }

  private flattenBody(forms: Value[], sc: Scope | null): Value[] {
    const out: Value[] = [];
    for (const f of forms) {
      const x = this.expand(f, sc);
      if (x instanceof Pair && (x.car === S.begin || x.car === S.do) && !this.isLocal(x.car, sc)) {
        out.push(...this.flattenBody(listToArray(x.cdr as Pair), sc));
      } else out.push(x);
    }
    return out;
  }

  private definedName(x: Value): Sym | null {
    if (!(x instanceof Pair)) return null;
    if (x.car === S.define || x.car === S.def) {
      const t = (x.cdr as Pair).car;
      if (t instanceof Sym) return t;
      if (t instanceof Pair && t.car instanceof Sym) return t.car;
    }
    if (x.car === S.defn && x.cdr instanceof Pair && x.cdr.car instanceof Sym) return x.cdr.car;
    return null;
  }

  private parseBindings(b: Value, what: string, loc: Loc | undefined): [Sym, Value][] {
    const out: [Sym, Value][] = [];
    if (isVector(b)) {
      const items = b.toArray();
      if (items.length % 2 !== 0) syntaxError(`${what}: a binding vector needs name value pairs`, loc);
      for (let i = 0; i < items.length; i += 2) {
        if (!(items[i] instanceof Sym)) syntaxError(`${what}: expected a name, got ${describe(items[i])}`, loc);
        out.push([items[i], items[i + 1]]);
      }
      return out;
    }
    if (!(b instanceof Pair || b instanceof EmptyList)) syntaxError(`${what}: expected a list of bindings, got ${describe(b)}`, loc);
    for (const item of listToArray(b)) {
      const parts = item instanceof Pair ? listToArray(item) : null;
      if (!parts || parts.length < 1 || parts.length > 2 || !(parts[0] instanceof Sym)) {
        syntaxError(`${what}: each binding must look like (name value), got ${describe(item)}`, item instanceof Pair ? item.loc ?? loc : loc);
      }
      out.push([parts[0], parts.length === 2 ? parts[1] : null]);
    }
    return out;
  }

  private compileLet(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    if (args.length < 1) syntaxError("let: expected bindings and a body", loc);
    if (args[0] instanceof Sym) return this.compileNamedLet(args, sc, fn, tail, loc);
    if (isVector(args[0])) return this.compileLetStar(args, sc, fn, tail, loc);
    const bindings = this.parseBindings(args[0], "let", loc);
    // every init is evaluated before any name is bound; the new slots are fresh, so no init reads them
    const values = this.compileArgs(bindings.map((b) => b[1]), sc, fn, loc);
    const scope = new Scope(fn, sc);
    fn.emit(bindings.map(([name], i) => {
      const slot = fn.alloc();
      scope.vars.set(name, slot);
      return `s[${slot}] = ${values[i]};`;
    }).join(" "));
    return this.compileBody(args.slice(1), scope, fn, tail, loc);
  }

  private compileLetStar(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    if (args.length < 1) syntaxError("let*: expected bindings and a body", loc);
    const bindings = this.parseBindings(args[0], "let*", loc);
    let scope = sc;
    for (const [name, form] of bindings) {
      const v = this.compileNamed(form, scope, fn, loc, name.name);
      scope = new Scope(fn, scope);
      const slot = fn.alloc();
      scope.vars.set(name, slot);
      fn.emit(`s[${slot}] = ${v};`);
    }
    return this.compileBody(args.slice(1), scope ?? new Scope(fn, sc), fn, tail, loc);
  }

  private compileLetrec(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    if (args.length < 1) syntaxError("letrec: expected bindings and a body", loc);
    const bindings = this.parseBindings(args[0], "letrec", loc);
    const scope = new Scope(fn, sc);
    for (const [name] of bindings) {
      const slot = fn.alloc();
      scope.vars.set(name, slot);
      scope.late.add(name);
      fn.lateSlots.push(slot);
    }
    for (const [name, form] of bindings) {
      const v = this.compileNamed(form, scope, fn, loc, name.name);
      fn.emit(`s[${scope.vars.get(name)}] = ${v};`);
    }
    return this.compileBody(args.slice(1), scope, fn, tail, loc);
  }

  private compileNamedLet(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    const name = args[0] as Sym;
    if (args.length < 2) syntaxError(`let ${name.name}: expected bindings and a body`, loc);
    const bindings = this.parseBindings(args[1], `let ${name.name}`, loc);
    const inits = bindings.map((b) => b[1]);
    const scope = new Scope(fn, sc);
    const slot = fn.alloc();
    scope.vars.set(name, slot);
    const params = arrayToPairs(bindings.map((b) => b[0]));
    fn.emit(`s[${slot}] = ${this.compileLambda(params, args.slice(2), scope, fn, name.name, loc)};`);
    // the initial values are evaluated outside the loop's scope
    return this.emitCall(`s[${slot}]`, this.compileArgs(inits, sc, fn, loc), fn, tail, loc);
  }

  private compileTry(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    let catchClause: Value[] | null = null, finallyBody: Value[] | null = null;
    const body: Value[] = [];
    for (const a of args) {
      if (a instanceof Pair && a.car === S.catch) {
        const parts = listToArray(a.cdr as Pair);
        if (parts.length < 1 || !(parts[0] instanceof Sym)) syntaxError("catch: expected (catch name body...)", a.loc ?? loc);
        catchClause = parts;
      } else if (a instanceof Pair && a.car === S.finally) {
        finallyBody = listToArray(a.cdr as Pair);
      } else {
        if (catchClause || finallyBody) syntaxError("try: catch and finally must come last", loc);
        body.push(a);
      }
    }
    if (!catchClause && !finallyBody) return this.compileBody(body, sc, fn, tail, loc);
    const errSlot = fn.alloc();
    const kindSlot = fn.alloc(); fn.alloc(); // kind, then the pending value or error
    const res = fn.temp();
    const catchPc = catchClause ? fn.newPc(loc) : -1;
    const finPc = finallyBody ? fn.newPc(loc) : -1;
    const endPc = fn.newPc(loc);
    const after = finallyBody ? finPc : endPc;
    fn.hasHandlers = true;
    fn.emit(`m.pushHandler(s, ${catchPc}, ${finPc}, ${errSlot}, ${kindSlot});`);
    const b = this.compileBody(body, sc, fn, false, loc);
    fn.emit(`${res} = ${b}; m.popHandler(); s[${kindSlot}] = 0; pc = ${after}; continue;`);
    if (catchClause) {
      fn.resumeLabel(catchPc);
      if (finallyBody) fn.emit(`m.pushHandler(s, -1, ${finPc}, ${errSlot}, ${kindSlot});`);
      const scope = new Scope(fn, sc);
      scope.vars.set(catchClause[0], errSlot);
      const c = this.compileBody(catchClause.slice(1), scope, fn, false, loc);
      fn.emit(`${res} = ${c}; ${finallyBody ? "m.popHandler(); " : ""}s[${kindSlot}] = 0; pc = ${after}; continue;`);
    }
    if (finallyBody) {
      fn.resumeLabel(finPc);
      const f = this.compileBody(finallyBody, sc, fn, false, loc);
      if (f !== "null" && !this.isStable(f, fn) && !/^s(\[\d+\])+$/.test(f)) fn.emit(`${f};`);
      fn.emit(`if (s[${kindSlot}] !== 0) m.complete(s[${kindSlot}], s[${kindSlot} + 1]);`);
    }
    fn.emit(`case ${endPc}:`);
    return this.ret(res, fn, tail);
  }

  private compileDefmacro(args: Value[], sc: Scope | null, fn: FnCtx, tail: boolean, loc: Loc | undefined): string {
    if (sc !== null) syntaxError("defmacro: macros can only be defined at the top level", loc);
    if (args.length < 2 || !(args[0] instanceof Sym)) syntaxError("defmacro: expected (defmacro name (params) body...)", loc);
    const name = args[0] as Sym;
    let rest = args.slice(1);
    if (typeof rest[0] === "string" && rest.length > 2) rest = rest.slice(1);
    const lam = this.compileLambda(rest[0], rest.slice(1), sc, fn, name.name, loc);
    const c = fn.k(this.env.cell(name.name));
    fn.emit(`${c}.v = new M(${JSON.stringify(name.name)}, ${lam}); ${c}.owner = m.task;`);
    return this.ret("null", fn, tail);
  }

  // ---- source-to-source expansions -----------------------------------------------------

  private quasi(x: Value, depth: number, loc: Loc | undefined): Value {
    const { list, append, vec, hashMap } = this.env.prims;
    const quote = (v: Value) => arrayToPairs([S.quote, v]);
    if (x instanceof Pair) {
      if (x.car === S.unquote) {
        const arg = (x.cdr as Pair).car;
        return depth === 1 ? arg : arrayToPairs([list, quote(S.unquote), this.quasi(arg, depth - 1, loc)]);
      }
      if (x.car === S.quasiquote) {
        return arrayToPairs([list, quote(S.quasiquote), this.quasi((x.cdr as Pair).car, depth + 1, loc)]);
      }
      const segments: Value[] = [];
      let run: Value[] = [];
      for (const item of listToArray(x)) {
        if (item instanceof Pair && item.car === S.unquoteSplicing && depth === 1) {
          if (run.length) { segments.push(arrayToPairs([list, ...run])); run = []; }
          segments.push((item.cdr as Pair).car);
        } else run.push(this.quasi(item, depth, loc));
      }
      if (run.length) segments.push(arrayToPairs([list, ...run]));
      return segments.length === 1 ? segments[0] : arrayToPairs([append, ...segments]);
    }
    if (isVector(x)) {
      const asList = this.quasi(arrayToPairs(x.toArray()), depth, loc);
      return arrayToPairs([vec, asList]);
    }
    if (x instanceof LMap) {
      const flat: Value[] = [];
      for (const [k, v] of x) flat.push(this.quasi(k, depth, loc), this.quasi(v, depth, loc));
      return arrayToPairs([hashMap, ...flat]);
    }
    if (x instanceof Sym || x instanceof EmptyList) return quote(x);
    return x;
  }

  private expandCond(clauses: Value[], loc: Loc | undefined): Value {
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
        out = located(arrayToPairs([S.or, test, out]), l);
      } else if (body.car === S.arrow) {
        const g = Sym.gensym("cond");
        out = located(arrayToPairs([S.let, arrayToPairs([arrayToPairs([g, test])]),
          arrayToPairs([S.if, g, arrayToPairs([(body.cdr as Pair).car, g]), out])]), l);
      } else {
        out = located(arrayToPairs([S.if, test, located(new Pair(S.begin, body), l), out]), l);
      }
    }
    return out;
  }

  private expandCase(args: Value[], loc: Loc | undefined): Value {
    if (args.length < 1) syntaxError("case: expected a key and clauses", loc);
    const g = Sym.gensym("case");
    const eq = this.env.prims.equals;
    const clauses: Value[] = [];
    for (const c of args.slice(1)) {
      if (!(c instanceof Pair)) syntaxError(`case: each clause must be a list ((datum...) body...), got ${describe(c)}`, loc);
      const l = c.loc ?? loc;
      if (c.car === S.else || c.car === ELSE_KW) { clauses.push(c); continue; }
      const data = c.car instanceof Pair || c.car instanceof EmptyList ? listToArray(c.car) : [c.car];
      const test = arrayToPairs([S.or, ...data.map((d) => arrayToPairs([eq, g, arrayToPairs([S.quote, d])]))]);
      clauses.push(located(new Pair(test, c.cdr), l));
    }
    return located(arrayToPairs([S.let, arrayToPairs([arrayToPairs([g, args[0]])]),
      new Pair(S.cond, arrayToPairs(clauses))]), loc);
  }

  private expandThread(args: Value[], last: boolean, loc: Loc | undefined): Value {
    if (args.length < 1) syntaxError(`${last ? "->>" : "->"}: expected a value`, loc);
    let acc = args[0];
    for (const step of args.slice(1)) {
      if (step instanceof Pair) {
        const items = listToArray(step);
        acc = located(arrayToPairs(last ? [...items, acc] : [items[0], acc, ...items.slice(1)]), step.loc ?? loc);
      } else acc = located(arrayToPairs([step, acc]), loc);
    }
    return acc;
  }
}

const RESUME = "// resume";
const SELF = "// self tail call";
const LATE = "/* late slots */";

/**
 * Places each temporary: a JS local when no resume label lies between its first and last
 * mention (the code only jumps forward, so line order is execution order), else a frame slot,
 * since only slots survive a suspension. Returns the locals to declare.
 */
function placeTemps(fn: FnCtx): string[] {
  const resumes: number[] = [];
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  fn.lines.forEach((line, i) => {
    if (line.endsWith(RESUME)) resumes.push(i);
    for (const m of line.matchAll(/\$T\d+/g)) {
      if (!first.has(m[0])) first.set(m[0], i);
      last.set(m[0], i);
    }
  });
  const place = new Map<string, string>();
  const locals: string[] = [];
  for (const [name, from] of first) {
    const to = last.get(name) as number;
    if (resumes.some((r) => r > from && r <= to)) place.set(name, `s[${fn.alloc()}]`);
    else { const local = name.slice(1); place.set(name, local); locals.push(local); }
  }
  fn.lines = fn.lines.map((line) => line.replace(/\$T\d+/g, (m) => place.get(m) as string));
  return locals;
}

/** A line of generated code with its slot references s[i] turned into the locals vi (string
 *  literals, such as a variable's name in an error call, are left alone). */
function toLocals(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"|\bs\[(\d+)\]/g, (whole, slot: string | undefined) => (slot === undefined ? whole : `v${slot}`));
}

function arrayToPairs(xs: Value[]): Pair | EmptyList {
  let r: Pair | EmptyList = EMPTY;
  for (let i = xs.length - 1; i >= 0; i--) r = new Pair(xs[i], r);
  return r;
}

function located<T>(x: T, loc: Loc | undefined): T {
  if (x instanceof Pair && !x.loc) x.loc = loc;
  return x;
}

function describe(x: Value): string {
  if (x === null) return "nil";
  if (x instanceof Sym) return `symbol ${x.name}`;
  if (x instanceof Pair) return "a list";
  if (typeof x === "string") return `string ${JSON.stringify(x)}`;
  if (IList.isList(x)) return "a vector";
  return String(x);
}
