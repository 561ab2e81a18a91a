// Code generation: the function being compiled (FnCtx: structured lines, pcs, constants, slots,
// temporaries) and the JavaScript state machine rendered from it at the end (generate).
import type { Loc, Sym, Value } from "../core/types.js";
import { Builtin, Closure, Code, Macro, SUSPEND, TAIL } from "../vm/objects.js";

const RT = { B: Builtin, C: Closure, M: Macro, TAIL, SUSPEND };
/** In generated code: leave the switch for the function's one suspension exit (pc is set). */
export const SUSPEND_HERE = "break sw;";
/** JS stack depth (Lisp calls) after which the machine moves the stack to the heap */
const MAX_JS_DEPTH = 400;

/** A slot of the activation `depth` functions out: `s[i]` (`s[0][i]` one function out...), or
 *  the JS local `vi` (`v0[i]`...) when the function keeps its slots in locals, which is known
 *  only when it is generated. */
export class Slot {
  constructor(
    readonly depth: number,
    readonly index: number,
  ) {}
}

/** A temporary: a JS local, or a slot when its value must survive a suspension (see placeTemps). */
export class Temp {
  /** set by placeTemps: the local's name, or the slot */
  place!: string | Slot;
  constructor(readonly n: number) {}
}

/** Generated JavaScript: text, with the slots and temporaries in it kept as objects until the
 *  function is generated; nested as it was put together. */
export type Js = string | Slot | Temp | readonly Js[];

/** Js from a template, as a template literal would make text: js`${slot} = ${expr};` */
export function js(text: TemplateStringsArray, ...parts: (Js | number)[]): Js[] {
  const out: Js[] = [text[0]];
  parts.forEach((p, i) => out.push(typeof p === "number" ? String(p) : p, text[i + 1]));
  return out;
}

/** items with sep between them. */
export function join(items: readonly Js[], sep: string): Js[] {
  const out: Js[] = [];
  items.forEach((x, i) => {
    if (i > 0) out.push(sep);
    out.push(x);
  });
  return out;
}

/** `case pc:`: a jump target, or a resume point when a suspended activation can continue there
 *  (then temporaries live across it must be in slots). */
class Label {
  constructor(
    readonly pc: number,
    readonly resume: boolean,
  ) {}
}

/** A self tail call that loops in place: left out when the function's slots escape, and the
 *  slots of inner definitions are cleared between `before` and `after`. */
class SelfTailCall {
  constructor(
    readonly before: Js,
    readonly after: Js,
  ) {}
}

type Line = Js | Label | SelfTailCall;

export class FnCtx {
  lines: Line[] = [];
  nextPc = 1;
  sites: (Loc | undefined)[] = [undefined];
  consts: Value[] = [];
  constIndex = new Map<Value, number>();
  /** the fixed parameter count (-1 with a rest parameter): self tail calls with it can loop in place */
  arity = -1;
  /** its slots may outlive the call (a closure captures them): then a self tail call must make
   *  a fresh activation instead of looping in place */
  slotsEscape = false;
  /** slots of inner defines (read before set is an error): cleared when the function loops in place */
  lateSlots: number[] = [];
  /** it has try: its handlers name its slots array, which must then exist */
  hasHandlers = false;
  /** the names its body uses from outside it (resolve adds them): what its closure needs
   *  when it is rebuilt elsewhere (Code.origin) */
  readonly free = new Set<Sym>();
  constructor(
    readonly name: string,
    public nslots: number,
    readonly loc: Loc | undefined,
  ) {}
  alloc(): number {
    return this.nslots++;
  }
  private temps = 0;
  temp(): Temp {
    return new Temp(++this.temps);
  }
  /** a label the code jumps to */
  label(pc: number): void {
    this.lines.push(new Label(pc, false));
  }
  /** a label where a suspended frame can resume */
  resumeLabel(pc: number): void {
    this.lines.push(new Label(pc, true));
  }
  selfTailCall(before: Js, after: Js): void {
    this.lines.push(new SelfTailCall(before, after));
  }
  newPc(loc: Loc | undefined): number {
    const pc = this.nextPc++;
    this.sites[pc] = loc;
    return pc;
  }
  k(v: Value): string {
    let i = this.constIndex.get(v);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(v);
      this.constIndex.set(v, i);
    }
    return `k${i}`;
  }
  emit(code: Js): void {
    this.lines.push(code);
  }
}

/** The value of expr: returned when in tail position (then "" is the expression), else expr. */
export function ret(fn: FnCtx, expr: Js, tail: boolean): Js {
  if (tail) {
    fn.emit(js`m.depth--; return ${expr};`);
    return "";
  }
  return expr;
}

/** A constant as a JS expression: inline when JS spells it exactly, else from the constants. */
export function literal(fn: FnCtx, x: Value): string {
  if (x === null) return "null";
  if (x === true || x === false) return String(x);
  if (typeof x === "number" && Number.isFinite(x) && !Object.is(x, -0)) return x < 0 ? `(${x})` : String(x);
  return fn.k(x);
}

export function truthy(expr: Js): Js {
  return js`((t = ${expr}) !== false && t !== null)`;
}

/** An expression whose value no later code can change: a temporary or a constant (as literal
 *  and FnCtx.k write them). */
export function isStable(e: Js): boolean {
  return e instanceof Temp || (typeof e === "string" && /^(k\d+|\(?-?[\d.e+]+\)?|null|true|false)$/.test(e));
}

/** An expression evaluated for its effect only: emitted unless reading it can have none. */
export function emitForEffect(fn: FnCtx, e: Js): void {
  if (!isStable(e) && !(e instanceof Slot)) fn.emit(js`${e};`);
}

/** The Code of a compiled function body. */
export function finish(fn: FnCtx, nparams: number, rest: boolean): Code {
  return generate(fn, new Code(fn.name, nparams, rest, fn.nslots, fn.loc, fn.sites));
}

/** Generates the JavaScript for a compiled body into `code`. */
export function generate(fn: FnCtx, code: Code): Code {
  const lines = fn.slotsEscape ? fn.lines.filter((line) => !(line instanceof SelfTailCall)) : fn.lines;
  const locals = placeTemps(fn, lines);
  const decls = fn.consts.map((_, i) => `k${i} = K[${i}]`).join(", ");
  const n = fn.nslots;
  // a direct call (s === null) passes the env and 0-3 arguments
  const direct = code.fixed >= 0 && code.fixed <= 3 ? Array.from({ length: code.fixed }, (_, i) => `a${i}`) : [];
  const params = ["m", "fr", "s", "env", ...direct].join(", ");
  // Slots that no closure or handler can see live in JS locals v0..vN: a call allocates no
  // array, and a suspension saves them into one (m.suspendWith).
  const inLocals = !fn.slotsEscape && !fn.hasHandlers;
  // looping in place: the inner defines start undefined again, as in a fresh activation
  const reset = join(
    fn.lateSlots.map((i) => js`${new Slot(0, i)} = undefined;`),
    " ",
  );
  const body = lines.map((line) =>
    line instanceof Label
      ? `case ${line.pc}:${line.resume ? " // resume" : ""}`
      : line instanceof SelfTailCall
        ? render([line.before, reset, line.after], inLocals)
        : render(line, inLocals),
  );
  const vs = Array.from({ length: n }, (_, i) => `v${i}`);
  let entry: string;
  let suspendAt = "m.suspend(CODE, s, fr, pc)";
  if (inLocals) {
    const save = `[${vs.join(", ")}]`;
    // a resumed activation stores its locals back into its frame's array
    const saveInto = `(fr === null ? ${save} : (s = fr.s, ${vs.map((v, i) => `s[${i}] = ${v}, `).join("")}s))`;
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
${body.join("\n")}
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

/**
 * Places each temporary: a JS local when no resume label lies between its first and last
 * mention (the code only jumps forward, so line order is execution order), else a frame slot,
 * since only slots survive a suspension. Returns the locals to declare.
 */
function placeTemps(fn: FnCtx, lines: Line[]): string[] {
  const resumes: number[] = [];
  const first = new Map<Temp, number>();
  const last = new Map<Temp, number>();
  const mention = (x: Js, i: number): void => {
    if (x instanceof Temp) {
      if (!first.has(x)) first.set(x, i);
      last.set(x, i);
    } else if (typeof x !== "string" && !(x instanceof Slot)) for (const part of x) mention(part, i);
  };
  lines.forEach((line, i) => {
    if (line instanceof Label) {
      if (line.resume) resumes.push(i);
    } else if (line instanceof SelfTailCall) {
      mention(line.before, i);
      mention(line.after, i);
    } else mention(line, i);
  });
  const locals: string[] = [];
  for (const [temp, from] of first) {
    const to = last.get(temp) as number;
    if (resumes.some((r) => r > from && r <= to)) temp.place = new Slot(0, fn.alloc());
    else {
      temp.place = `T${temp.n}`;
      locals.push(temp.place);
    }
  }
  return locals;
}

/** The text of x: a slot is `s[i]`, or the local `vi` when the slots are in locals. */
function render(x: Js, inLocals: boolean): string {
  const out: string[] = [];
  const write = (y: Js): void => {
    if (typeof y === "string") out.push(y);
    else if (y instanceof Slot) {
      const outer = "[0]".repeat(y.depth);
      out.push(!inLocals ? `s${outer}[${y.index}]` : y.depth === 0 ? `v${y.index}` : `v0${outer.slice(3)}[${y.index}]`);
    } else if (y instanceof Temp) write(y.place);
    else for (const part of y) write(part);
  };
  write(x);
  return out.join("");
}
