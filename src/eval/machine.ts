// The resumable machine: a task's whole evaluation state is data (a linked list of heap
// frames plus a handler stack), so it can stop after any step, block, resume and be cancelled.
import { Cancelled, LispError } from "../errors/error.js";
import { EMPTY, ErrorValue, Keyword, Pair, formatLoc, isVector, type List, type Loc, type Value } from "../values/types.js";
import { LMap } from "../values/map.js";
import { write } from "../reader/printer.js";
import { Block, Builtin, CallReq, Cell, Closure, Code, Frame, Signal } from "./objects.js";

interface Handler {
  fr: Frame;
  catchPc: number;
  finPc: number;
  errSlot: number;
  pendSlot: number;
  next: Handler | null;
}

export type StepResult = "done" | "yield" | "block" | "failed" | "cancelled";

/** What the machine needs from its surroundings: globals for errors and the owning task's identity. */
export interface MachineHost {
  suggest(name: string): string | undefined;
}

export class Machine {
  fr: Frame | null = null;
  val: Value = null;
  handlers: Handler | null = null;
  /** set when a builtin blocks; the driver reads and clears it */
  blocked: Block | null = null;
  /** the error that ended the task, when step() returned "failed" */
  failure: LispError | null = null;
  cancelRequested = false;
  /** steps run so far (calls and returns), for tests and diagnostics */
  steps = 0;

  constructor(public task: unknown, readonly host: MachineHost) {}

  // ---- the task body interface the scheduler drives ------------------------------------

  takeWait(): unknown {
    const b = this.blocked as Block;
    this.blocked = null;
    return b.wait;
  }
  requestCancel(): void { this.cancelRequested = true; }
  result(): Value { return this.val; }
  failureOf(): LispError | null { return this.failure; }

  /** Where the current call is: for wait descriptions and errors raised by builtins. */
  currentLoc(): Loc | undefined {
    const fr = this.fr;
    return fr ? fr.code.sites[fr.pc] ?? fr.code.loc : undefined;
  }

  /** Starts the machine on fn applied to args. */
  start(fn: Value, args: Value[]): void {
    this.fr = ROOT_FRAME;
    if (!this.call(fn, args)) { this.fr = null; }
  }

  /** Delivers the value a blocked builtin was waiting for. */
  resume(v: Value): void { this.val = v; }

  /** Runs at most `budget` steps. */
  step(budget: number): StepResult {
    if (this.blocked !== null) return "block";
    for (;;) {
      if (this.cancelRequested) {
        this.cancelRequested = false;
        if (this.unwind(new Cancelled())) return "cancelled";
      }
      const fr = this.fr;
      if (fr === null || fr.code === ROOT_CODE) { this.fr = null; return "done"; }
      if (--budget < 0) return "yield";
      this.steps++;
      try {
        fr.code.fn(this, fr, fr.s);
      } catch (e) {
        const end = this.unwind(e);
        if (end) return this.failure ? "failed" : "cancelled";
        continue;
      }
      if (this.blocked !== null) return "block";
    }
  }

  // ---- called from compiled code ------------------------------------------------------

  /** Non-tail call. Returns true when the caller must return to the loop (a frame was pushed
   *  or the task blocked); false when the result is already in `val`. */
  call(f: Value, args: Value[]): boolean {
    if (f instanceof Closure) { this.fr = this.enter(f, args, this.fr); return true; }
    if (f instanceof Builtin) {
      const r = this.invokeBuiltin(f, args);
      if (r instanceof Signal) return this.signal(r);
      this.val = r;
      return false;
    }
    this.val = this.applyData(f, args);
    return false;
  }

  /** Tail call: the callee returns straight to this frame's caller. */
  tail(f: Value, args: Value[]): void {
    const fr = this.fr as Frame;
    if (f instanceof Closure) { this.fr = this.enter(f, args, fr.parent); return; }
    if (f instanceof Builtin) {
      const r = this.invokeBuiltin(f, args);
      this.fr = fr.parent;
      if (r instanceof Signal) this.signal(r);
      else this.val = r;
      return;
    }
    this.val = this.applyData(f, args);
    this.fr = fr.parent;
  }

  ret(v: Value): void {
    this.val = v;
    this.fr = (this.fr as Frame).parent;
  }

  private signal(r: Signal): boolean {
    if (r instanceof CallReq) return this.call(r.fn, r.args);
    this.blocked = r as Block;
    return true;
  }

  private invokeBuiltin(f: Builtin, args: Value[]): Value {
    if (args.length < f.min || args.length > f.max) throw arityError(f.name, f.min, f.max, args.length);
    return f.fn(args, this);
  }

  enter(c: Closure, args: Value[], parent: Frame | null): Frame {
    const code = c.code;
    const n = code.nparams;
    const s: Value[] = new Array(code.nslots);
    s[0] = c.env;
    s[1] = this.task;
    if (args.length === n) {
      for (let i = 0; i < n; i++) s[i + 2] = args[i];
      if (code.rest) s[n + 2] = EMPTY;
    } else if (code.rest && args.length > n) {
      for (let i = 0; i < n; i++) s[i + 2] = args[i];
      let rest: List = EMPTY;
      for (let i = args.length - 1; i >= n; i--) rest = new Pair(args[i], rest);
      s[n + 2] = rest;
    } else {
      throw arityError(code.name, n, code.rest ? Infinity : n, args.length);
    }
    return new Frame(code, s, parent);
  }

  /** Frames for closures called with exactly their 0-3 parameters: no argument array. */
  frame0(c: Closure, parent: Frame | null): Frame {
    const s: Value[] = new Array(c.code.nslots);
    s[0] = c.env; s[1] = this.task;
    return new Frame(c.code, s, parent);
  }
  frame1(c: Closure, a: Value, parent: Frame | null): Frame {
    const s: Value[] = new Array(c.code.nslots);
    s[0] = c.env; s[1] = this.task; s[2] = a;
    return new Frame(c.code, s, parent);
  }
  frame2(c: Closure, a: Value, b: Value, parent: Frame | null): Frame {
    const s: Value[] = new Array(c.code.nslots);
    s[0] = c.env; s[1] = this.task; s[2] = a; s[3] = b;
    return new Frame(c.code, s, parent);
  }
  frame3(c: Closure, a: Value, b: Value, d: Value, parent: Frame | null): Frame {
    const s: Value[] = new Array(c.code.nslots);
    s[0] = c.env; s[1] = this.task; s[2] = a; s[3] = b; s[4] = d;
    return new Frame(c.code, s, parent);
  }

  /** Keywords, maps and vectors used as functions. */
  private applyData(f: Value, args: Value[]): Value {
    if (f instanceof Keyword) {
      if (args.length < 1 || args.length > 2) throw arityError(":" + f.name, 1, 2, args.length);
      const m = args[0];
      if (m instanceof LMap) return m.get(f, args.length > 1 ? args[1] : null);
      if (m instanceof ErrorValue) return errorGet(m, f, args.length > 1 ? args[1] : null);
      return args.length > 1 ? args[1] : null;
    }
    if (f instanceof LMap) {
      if (args.length < 1 || args.length > 2) throw arityError("map lookup", 1, 2, args.length);
      return f.get(args[0], args.length > 1 ? args[1] : null);
    }
    if (isVector(f) && args.length === 1 && typeof args[0] === "number") {
      const i = args[0];
      if (Number.isInteger(i) && i >= 0 && i < f.size) return f.get(i);
      throw LispError.of("runtime", `vector index out of range: ${i} (size ${f.size})`);
    }
    throw LispError.of("runtime", `not a function: ${shortWrite(f)}`, undefined,
      f instanceof ErrorValue ? `the value is an error: ${f.message}` : undefined);
  }

  unbound(cell: Cell, site: number): never {
    const hintName = this.host.suggest(cell.name);
    const msg = `undefined variable: ${cell.name}${hintName ? ` (did you mean ${hintName}?)` : ""}`;
    throw LispError.of("runtime", msg, this.siteLoc(site));
  }

  usedBeforeDefinition(name: string, site: number): never {
    throw LispError.of("runtime", `${name} is used before its definition ran`, this.siteLoc(site),
      "move the (define ...) above its first use, or wrap the use in a function");
  }

  setGlobal(cell: Cell, v: Value, site: number): void {
    if (cell.v === undefined) {
      throw LispError.of("runtime", `set!: undefined variable: ${cell.name}`, this.siteLoc(site), "define it first with (define name value)");
    }
    if (cell.owner !== this.task && cell.owner !== null) this.foreignSet(cell.name, site);
    cell.v = v;
  }

  foreignSet(name: string, site: number): never {
    throw LispError.of("runtime", `set!: ${name} belongs to another task; share state with an atom`, this.siteLoc(site));
  }

  private siteLoc(site: number): Loc | undefined {
    return this.fr ? this.fr.code.sites[site] : undefined;
  }

  // ---- errors and handlers ------------------------------------------------------------

  pushHandler(fr: Frame, catchPc: number, finPc: number, errSlot: number, pendSlot: number): void {
    this.handlers = { fr, catchPc, finPc, errSlot, pendSlot, next: this.handlers };
  }

  popHandler(): void {
    this.handlers = (this.handlers as Handler).next;
  }

  /** End of a finally block: go on as the try body ended (value, error or cancellation). */
  complete(kind: number, v: Value): Value {
    if (kind === 0) return v;
    if (kind === 1) throw v;
    throw new Cancelled();
  }

  /** Unwinds to the nearest handler. Returns true when the task has ended (failed or cancelled). */
  private unwind(e: unknown): boolean {
    this.blocked = null;
    if (e instanceof Cancelled) {
      let h = this.handlers;
      while (h !== null && h.finPc < 0) h = h.next;
      if (h === null) { this.handlers = null; this.fr = null; this.failure = null; return true; }
      this.handlers = h.next;
      h.fr.s[h.pendSlot] = 2;
      h.fr.pc = h.finPc;
      this.fr = h.fr;
      return false;
    }
    const err = this.toLispError(e);
    const h = this.handlers;
    if (h === null) { this.failure = err; this.fr = null; return true; }
    this.handlers = h.next;
    const s = h.fr.s;
    if (h.catchPc >= 0) {
      s[h.errSlot] = withTrace(err);
      h.fr.pc = h.catchPc;
    } else {
      s[h.pendSlot] = 1;
      s[h.pendSlot + 1] = err;
      h.fr.pc = h.finPc;
    }
    this.fr = h.fr;
    return false;
  }

  /** Gives a raised thing its location and Lisp stack, once, at the place it was raised. */
  private toLispError(e: unknown): LispError {
    let err: LispError;
    if (e instanceof LispError) err = e;
    else if (e instanceof RangeError && /call stack/i.test(e.message)) {
      err = LispError.of("runtime", "host stack exhausted (a value nested too deeply to process)");
    } else {
      const msg = e instanceof Error ? e.message : String(e);
      err = LispError.of("runtime", `internal error: ${msg}`);
      if (process.env.SKEIN_DEBUG && e instanceof Error) console.error(e.stack);
    }
    if (err.lispStack.length === 0) {
      const stack = this.lispStack();
      // point at the user's code, not into the prelude's map or sort
      if (!err.loc && stack.length) err.loc = (stack.find((f) => f.loc && f.loc.file !== "prelude.lisp") ?? stack[0]).loc;
      err.lispStack = stack.map((f) => `${f.name} (${formatLoc(f.loc)})`);
    }
    return err;
  }

  /** The call stack, innermost first: each frame's function and the call it is in. */
  lispStack(): { name: string; loc: Loc | undefined }[] {
    const out: { name: string; loc: Loc | undefined }[] = [];
    for (let f = this.fr; f !== null && out.length < 1000; f = f.parent) {
      if (f.code === ROOT_CODE) continue;
      if (!f.code.sites[f.pc] && !f.code.loc) continue;
      out.push({ name: f.code.name, loc: f.code.sites[f.pc] ?? f.code.loc });
    }
    return out;
  }
}

/** The error value `catch` receives for a raised error. */
function withTrace(err: LispError): ErrorValue {
  const v = err.value;
  if (v.trace.length === 0 && err.lispStack.length) v.trace = err.lispStack;
  return v;
}

export function errorGet(e: ErrorValue, k: Value, dflt: Value): Value {
  if (k === Keyword.of("error")) return e.message;
  return e.data.get(k, dflt);
}

export function arityError(name: string, min: number, max: number, got: number): LispError {
  const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  const plural = (max === Infinity ? min : max) === 1 ? "" : "s";
  return LispError.of("runtime", `${name}: expected ${want} argument${plural}, got ${got}`);
}

export function shortWrite(v: Value): string {
  const s = write(v);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

/** The frame below every task's first frame: reaching it means the task is done. */
const ROOT_CODE = new Code("<root>", 0, false, 0, undefined, []);
ROOT_CODE.fn = () => { throw new Error("root frame resumed"); };
/** Shared by every machine: it is never resumed or written to. */
const ROOT_FRAME = new Frame(ROOT_CODE, [], null);
