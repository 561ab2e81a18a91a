// Code generation: the function being compiled (FnCtx: its lines, pcs, constants, slots and
// temporaries) and the JavaScript state machine made of it at the end (generate).
import { type Loc, type Value } from "../core/types.js";
import { Builtin, Closure, Code, Macro, SUSPEND, TAIL } from "../vm/objects.js";

const RT = { B: Builtin, C: Closure, M: Macro, TAIL, SUSPEND };
/** In generated code: leave the switch for the function's one suspension exit (pc is set). */
export const SUSPEND_HERE = "break sw;";
/** JS stack depth (Lisp calls) after which the machine moves the stack to the heap */
const MAX_JS_DEPTH = 400;

const RESUME = "// resume";
export const SELF = "// self tail call";
export const LATE = "/* late slots */";

export class FnCtx {
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

/** The value of expr: returned when in tail position (then "" is the expression), else expr. */
export function ret(fn: FnCtx, expr: string, tail: boolean): string {
  if (tail) { fn.emit(`m.depth--; return ${expr};`); return ""; }
  return expr;
}

/** A constant as a JS expression: inline when JS spells it exactly, else from the constants. */
export function literal(fn: FnCtx, x: Value): string {
  if (x === null) return "null";
  if (x === true || x === false) return String(x);
  if (typeof x === "number" && Number.isFinite(x) && !Object.is(x, -0)) return x < 0 ? `(${x})` : String(x);
  return fn.k(x);
}

export function truthy(expr: string): string { return `((t = ${expr}) !== false && t !== null)`; }

/** An expression whose value no later code can change: a temporary or a constant. */
export function isStable(e: string, fn: FnCtx): boolean {
  return fn.stable.has(e) || /^(k\d+|\(?-?[\d.e+]+\)?|null|true|false)$/.test(e);
}

/** An expression evaluated for its effect only: emitted unless reading it can have none. */
export function emitForEffect(fn: FnCtx, e: string): void {
  if (!isStable(e, fn) && !/^s(\[\d+\])+$/.test(e)) fn.emit(`${e};`);
}

/** The Code of a compiled function body. */
export function finish(fn: FnCtx, nparams: number, rest: boolean): Code {
  return generate(fn, new Code(fn.name, nparams, rest, fn.nslots, fn.loc, fn.sites));
}

/** Generates the JavaScript for a compiled body into `code`. */
export function generate(fn: FnCtx, code: Code): Code {
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
