// The resumable machine. Compiled Lisp runs directly on the JS stack; when a task must stop
// (a builtin blocks, its step budget runs out, or the JS stack gets deep) every active Lisp
// activation saves itself as a heap Frame on the way out (SUSPEND is returned up the JS stack). The task's
// whole state is then data — a chain of frames plus a handler stack — so it can be resumed
// later, preempted, or cancelled; deep recursion is bounded by memory, not by the host stack.
import { Cancelled, LispError } from "../core/error.js";
import { arityMessage } from "../core/messages.js";
import {
  EMPTY,
  ErrorValue,
  Keyword,
  Pair,
  formatLoc,
  isVector,
  type List,
  type Loc,
  type Value,
} from "../core/types.js";
import { LMap } from "../core/map.js";
import { describe } from "../syntax/printer.js";
import { Block, Builtin, CallReq, Cell, Closure, Code, Frame, SUSPEND, Signal, TAIL } from "./objects.js";

interface Handler {
  /** the slots of the activation that owns this handler: its identity on the JS stack and the heap */
  s: Value[];
  catchPc: number;
  finPc: number;
  errSlot: number;
  kindSlot: number;
  next: Handler | null;
}

export type StepResult = "done" | "yield" | "block" | "failed" | "cancelled";

/** What a task keeps between steps (see Machine.stepState). */
export interface MachineState {
  fr: Frame | null;
  val: Value;
  handlers: unknown;
  failure: LispError | null;
  cancelRequested: boolean;
  userCall: UserCall | null;
}

/** The latest call from the user's code into the prelude in tail position (the caller's
 *  activation is gone): errors raised inside the prelude show it (toLispError). */
export interface UserCall {
  name: string;
  loc: Loc;
}

/** What the machine needs from its surroundings. */
export interface MachineHost {
  /** the hint for an unknown name ("did you mean nth?"), or undefined */
  suggest(name: string): string | undefined;
  /** prints text on stderr the first time key is given (warnings that must not flood) */
  warnOnce(key: string, text: string): void;
  /** a 2-parameter closure (f args) that applies f to the list args: every task's first frame */
  readonly applier: Closure;
  /** Asked every PULSE_WORK units of work, before a step runs: true ends the step at once (the
   *  session checks its memory limit here and ends the program when it is over it). */
  pulse(m: Machine): boolean;
}

/** The work (of any machine) between two calls of MachineHost.pulse: a step counts 1, plus 1 per
 *  1,024 calls it ran, so the host is asked every 256 short steps or about 250,000 calls. */
export const PULSE_WORK = 256;
let pulseIn = PULSE_WORK;

/** The default of Machine.maxFrames: how deep non-tail recursion may go (1,000,000 deep works). */
export const MAX_FRAMES = 2_000_000;

/** The largest budget: "no limit" within V8's small-integer range, refilled as it runs out. */
const UNLIMITED = 1 << 29;

export class Machine {
  /** the innermost captured frame: where the task resumes */
  fr: Frame | null = null;
  val: Value = null;
  handlers: Handler | null = null;
  /** set when a builtin blocks; the driver reads and clears it */
  blocked: Block | null = null;
  /** the error that ended the task, when step() returned "failed" */
  failure: LispError | null = null;
  cancelRequested = false;
  userCall: UserCall | null = null;
  /** Lisp calls run so far, for tests and diagnostics */
  steps = 0;
  /** calls left in this step; at zero the running code is captured (preemption) */
  budget = 0;
  /** Lisp activations on the JS stack */
  depth = 0;
  /** the longest frame chain a task may have: deeper recursion raises "recursion too deep" */
  maxFrames = MAX_FRAMES;
  /** the pending tail call (set with TAIL) */
  tailCode: Code | null = null;
  tailS: Value[] = NO_SLOTS;
  /** the builtin being called and where: for error positions and wait descriptions */
  private curCode: Code | null = null;
  private curPc = 0;
  /** frames saved while SUSPEND is returned up the JS stack, innermost first (one machine runs
   *  at a time and empties it before step returns, so all machines share it) */
  private readonly captured: (Frame | null)[] = CAPTURED;
  /** (code, pc) of the activations an error passed through, innermost first (shared likewise) */
  private readonly errFrames: { code: Code; pc: number }[] = ERR_FRAMES;

  /** the task state being stepped (stepState), or null */
  private current: MachineState | null = null;

  constructor(
    public task: unknown,
    readonly host: MachineHost,
  ) {}

  // ---- the task body interface the scheduler drives ------------------------------------

  /** Starts the machine on fn applied to args (nothing runs until step). */
  start(fn: Value, args: Value[]): void {
    this.fr = this.firstFrame(fn, args, this.task);
  }

  /** The frame a run of fn applied to args starts from, for `task`. */
  firstFrame(fn: Value, args: Value[], task: unknown): Frame {
    if (fn instanceof Closure && fn.code.fixed === args.length)
      return new Frame(fn.code, this.slotsFor(fn, args, task), 0, ROOT_FRAME);
    let list: List = EMPTY;
    for (let i = args.length - 1; i >= 0; i--) list = new Pair(args[i], list);
    return new Frame(this.host.applier.code, this.slotsFor(this.host.applier, [fn, list], task), 0, ROOT_FRAME);
  }

  /** Runs a task's state for about `budget` calls: a session has one machine for all its tasks,
   *  and each task keeps only this state between steps (what it must resume from). */
  stepState(st: MachineState, task: unknown, budget: number): StepResult {
    this.fr = st.fr;
    this.val = st.val;
    this.handlers = st.handlers as Handler | null;
    this.failure = st.failure;
    this.cancelRequested = st.cancelRequested;
    this.userCall = st.userCall;
    this.task = task;
    this.current = st;
    const out = this.step(budget);
    st.fr = this.fr;
    st.val = this.val;
    st.handlers = this.handlers;
    st.failure = this.failure;
    st.cancelRequested = this.cancelRequested;
    st.userCall = this.userCall;
    this.fr = null;
    this.val = null;
    this.handlers = null;
    this.failure = null;
    this.task = null;
    this.current = null;
    this.tailS = NO_SLOTS;
    this.tailCode = null;
    return out;
  }

  /** Asks the task of `st` to stop at its next step, also when it is the one running now. */
  requestCancelOf(st: MachineState): void {
    st.cancelRequested = true;
    if (this.current === st) this.cancelRequested = true;
  }

  takeWait(): unknown {
    const b = this.blocked as Block;
    this.blocked = null;
    return b.wait;
  }
  resume(v: Value): void {
    this.val = v;
  }
  requestCancel(): void {
    this.cancelRequested = true;
  }
  result(): Value {
    return this.val;
  }
  failureOf(): LispError | null {
    return this.failure;
  }

  /** Where the current builtin call is: for wait descriptions and spawn sites. */
  currentLoc(): Loc | undefined {
    if (this.curCode) return this.curCode.sites[this.curPc] ?? this.curCode.loc;
    const fr = this.fr;
    return fr ? (fr.code.sites[fr.pc] ?? fr.code.loc) : undefined;
  }

  /** Runs about `budget` calls. */
  step(budget: number): StepResult {
    if (this.blocked !== null) return "block";
    if (pulseIn <= 0) {
      pulseIn = PULSE_WORK;
      if (this.host.pulse(this)) return "yield";
    }
    // kept a small integer (V8 Smi): the budget is decremented on every call
    if (budget > UNLIMITED) budget = UNLIMITED;
    this.budget = budget;
    const out = this.run();
    // an entry that found the budget spent (it went to -1) did not run
    const ran = budget - Math.max(0, this.budget);
    this.steps += ran;
    pulseIn -= 1 + (ran >> 10);
    this.curCode = null;
    return out;
  }

  private run(): StepResult {
    for (;;) {
      if (this.cancelRequested) {
        this.cancelRequested = false;
        if (this.unwindCancel()) return "cancelled";
      }
      const fr = this.fr;
      if (fr === null || fr === ROOT_FRAME) {
        this.fr = null;
        return "done";
      }
      if (this.budget <= 0) return "yield";
      // a frame captured at its entry (pc 0) had not run yet: its call counts now
      if (fr.pc === 0) this.budget--;
      this.depth = 0;
      if (this.errFrames.length !== 0) this.errFrames.length = 0;
      try {
        let r = fr.code.fn(this, fr, fr.s);
        if (r === TAIL) r = this.runTails();
        if (r === SUSPEND) {
          this.linkCaptured(fr.parent);
          if ((this.fr as Frame).n > this.maxFrames) {
            if (this.unwindFrom(this.tooDeep(), this.fr)) return this.failure ? "failed" : "cancelled";
            continue;
          }
          if (this.blocked !== null) return "block";
          continue;
        }
        this.val = r;
        this.fr = fr.parent;
      } catch (e) {
        if (this.unwindFrom(e, fr.parent)) return this.failure ? "failed" : "cancelled";
      }
    }
  }

  /** Chains the captured frames (innermost first) onto `below`; the innermost is where to resume. */
  private linkCaptured(below: Frame | null): void {
    const cs = this.captured;
    for (let i = capturedCount - 1; i >= 0; i--) {
      const f = cs[i] as Frame;
      cs[i] = null;
      f.parent = below;
      f.n = below === null ? 1 : below.n + 1;
      below = f;
    }
    capturedCount = 0;
    this.fr = below;
  }

  // ---- called from compiled code ------------------------------------------------------

  /** Saves this activation as a heap frame resuming at pc (pc 0: it had not started) and
   *  returns SUSPEND for its caller to do the same. */
  suspend(code: Code, s: Value[], fr: Frame | null, pc: number): typeof SUSPEND {
    if (fr !== null) fr.pc = pc;
    this.captured[capturedCount++] = fr !== null ? fr : new Frame(code, s, pc, null);
    this.depth--;
    return SUSPEND;
  }

  /** suspend for a function that keeps its slots in JS locals: `s` is a fresh array of them. */
  suspendWith(code: Code, s: Value[], fr: Frame | null, pc: number): typeof SUSPEND {
    if (fr !== null) fr.s = s;
    return this.suspend(code, s, fr, pc);
  }

  /** The catch of every activation: a jump to its handler (returns the pc), or the error rethrown. */
  caught(e: unknown, code: Code, s: Value[], fr: Frame | null, pc: number): number {
    const h = this.handlers;
    if (h !== null && h.s === s) {
      const to = this.handle(e, code, pc);
      if (to >= 0) return to;
    }
    if (this.errFrames.length < 1000) this.errFrames.push({ code, pc });
    this.depth--;
    throw e;
  }

  /** Jumps to this activation's innermost handler for e; -1 if it has none that applies. */
  private handle(e: unknown, code: Code, pc: number): number {
    const cancel = e instanceof Cancelled;
    const err = cancel ? null : this.toLispError(e, { code, pc });
    const s = (this.handlers as Handler).s;
    for (let h = this.handlers; h !== null && h.s === s; h = this.handlers) {
      this.handlers = h.next;
      if (cancel) {
        if (h.finPc >= 0) {
          h.s[h.kindSlot] = 2;
          return h.finPc;
        }
        continue;
      }
      this.errFrames.length = 0;
      if (h.catchPc >= 0) {
        h.s[h.errSlot] = withTrace(err as LispError);
        return h.catchPc;
      }
      h.s[h.kindSlot] = 1;
      h.s[h.kindSlot + 1] = err;
      return h.finPc;
    }
    return -1;
  }

  /** Slots for a closure called with exactly its 0-3 parameters. */
  slots0(c: Closure): Value[] {
    const s: Value[] = new Array(c.code.nslots);
    s[0] = c.env;
    s[1] = this.task;
    return s;
  }
  slots1(c: Closure, a: Value): Value[] {
    const s: Value[] = new Array(c.code.nslots);
    s[0] = c.env;
    s[1] = this.task;
    s[2] = a;
    return s;
  }
  slots2(c: Closure, a: Value, b: Value): Value[] {
    const s: Value[] = new Array(c.code.nslots);
    s[0] = c.env;
    s[1] = this.task;
    s[2] = a;
    s[3] = b;
    return s;
  }
  slots3(c: Closure, a: Value, b: Value, d: Value): Value[] {
    const s: Value[] = new Array(c.code.nslots);
    s[0] = c.env;
    s[1] = this.task;
    s[2] = a;
    s[3] = b;
    s[4] = d;
    return s;
  }

  /** Slots for any call: arity checked, rest parameter as a list. */
  slotsFor(c: Closure, args: Value[], task: unknown = this.task): Value[] {
    const code = c.code;
    const n = code.nparams;
    const s: Value[] = new Array(code.nslots);
    s[0] = c.env;
    s[1] = task;
    if (args.length === n) {
      for (let i = 0; i < n; i++) s[i + 2] = args[i];
      if (code.rest) s[n + 2] = EMPTY;
    } else if (code.rest && args.length > n) {
      for (let i = 0; i < n; i++) s[i + 2] = args[i];
      let rest: List = EMPTY;
      for (let i = args.length - 1; i >= n; i--) rest = new Pair(args[i], rest);
      s[n + 2] = rest;
    } else {
      const err = arityError(code.name, n, code.rest ? Infinity : n, args.length);
      // a Lisp function says what it takes and where it was defined
      if (code.loc) err.hint = `${code.usage || code.name} is defined at ${formatLoc(code.loc)}`;
      throw err;
    }
    return s;
  }

  /** Any call, from compiled code at (code, pc). Returns the value; a blocking builtin captures. */
  call(f: Value, args: Value[], code: Code, pc: number): Value {
    if (f instanceof Closure) {
      const r = f.code.fn(this, null, this.slotsFor(f, args));
      return r === TAIL ? this.runTails() : r;
    }
    if (f instanceof Builtin) {
      const r = this.invokeBuiltin(f, args, code, pc);
      return r instanceof Signal ? this.signalled(r, code, pc, false) : r;
    }
    return this.applyData(f, args, code, pc);
  }

  /** call (or tailCall) with one or two arguments: a builtin's m1/m2 takes them without an array. */
  call1(f: Value, a: Value, code: Code, pc: number, tail = false): Value {
    if (f instanceof Builtin && f.m1 !== null) {
      this.curCode = code;
      this.curPc = pc;
      const r = f.m1(a, this);
      this.curCode = null;
      return r instanceof Signal ? this.signalled(r, code, pc, tail) : r;
    }
    return tail ? this.tailCall(f, [a], code, pc) : this.call(f, [a], code, pc);
  }
  call2(f: Value, a: Value, b: Value, code: Code, pc: number, tail = false): Value {
    if (f instanceof Builtin && f.m2 !== null) {
      this.curCode = code;
      this.curPc = pc;
      const r = f.m2(a, b, this);
      this.curCode = null;
      return r instanceof Signal ? this.signalled(r, code, pc, tail) : r;
    }
    return tail ? this.tailCall(f, [a, b], code, pc) : this.call(f, [a, b], code, pc);
  }

  /** What a builtin's CallReq or Block means for its caller. */
  private signalled(r: Signal, code: Code, pc: number, tail: boolean): Value {
    if (r instanceof CallReq) return tail ? this.tailCall(r.fn, r.args, code, pc) : this.call(r.fn, r.args, code, pc);
    this.blocked = r as Block;
    return SUSPEND;
  }

  /** A call in tail position: closures become TAIL (the caller's loop runs them). */
  tailCall(f: Value, args: Value[], code: Code, pc: number): Value {
    if (f instanceof Closure) {
      const at = code.sites[pc];
      if (f.code.loc?.file === PRELUDE && at !== undefined && at.file !== PRELUDE)
        this.userCall = { name: code.name, loc: at };
      this.tailS = this.slotsFor(f, args);
      this.tailCode = f.code;
      return TAIL;
    }
    if (f instanceof Builtin) {
      const r = this.invokeBuiltin(f, args, code, pc);
      return r instanceof Signal ? this.signalled(r, code, pc, true) : r;
    }
    return this.applyData(f, args, code, pc);
  }

  /** Runs pending tail calls until one returns a value: constant JS stack for any loop. */
  runTails(): Value {
    let r: Value;
    do {
      const code = this.tailCode as Code;
      r = code.fn(this, null, this.tailS);
    } while (r === TAIL);
    return r;
  }

  private invokeBuiltin(f: Builtin, args: Value[], code: Code, pc: number): Value {
    if (args.length < f.min || args.length > f.max) throw arityError(f.name, f.min, f.max, args.length);
    this.curCode = code;
    this.curPc = pc;
    const r = f.fn(args, this);
    this.curCode = null;
    return r;
  }

  /** (:status r) where r is an error value without :status: the commonest silent failure (a
   *  failed request read as if it were a response). It still gives nil, but says so on stderr,
   *  once per call site. */
  private warnErrorLookup(k: Keyword, e: ErrorValue, loc: Loc | undefined): void {
    this.host.warnOnce(
      `error-lookup ${formatLoc(loc)}`,
      `warning: ${formatLoc(loc)}: (:${k.name} ...) looked up a key of an error value, which has no :${k.name}, and gave nil; ` +
        `the value is the error: ${e.message} (test results with error? before using them)`,
    );
  }

  /** Keywords, maps and vectors used as functions. */
  private applyData(f: Value, args: Value[], code: Code, pc: number): Value {
    if (f instanceof Keyword) {
      if (args.length < 1 || args.length > 2) throw arityError(":" + f.name, 1, 2, args.length);
      const m = args[0];
      if (m instanceof LMap) return m.get(f, args.length > 1 ? args[1] : null);
      if (m instanceof ErrorValue) {
        if (f !== ERROR_KW && !m.data.has(f)) this.warnErrorLookup(f, m, code.sites[pc] ?? code.loc);
        return errorGet(m, f, args.length > 1 ? args[1] : null);
      }
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
    throw LispError.of(
      "runtime",
      `not a function: ${describe(f)}`,
      undefined,
      f instanceof ErrorValue ? `the value is an error: ${f.message}` : undefined,
    );
  }

  unbound(cell: Cell, code: Code, site: number): never {
    const hint = this.host.suggest(cell.name);
    const msg = `undefined variable: ${cell.name}${hint ? ` (${hint})` : ""}`;
    throw LispError.of("runtime", msg, code.sites[site]);
  }

  usedBeforeDefinition(name: string, code: Code, site: number): never {
    throw LispError.of(
      "runtime",
      `${name} is used before its definition ran`,
      code.sites[site],
      "move the (define ...) above its first use, or wrap the use in a function",
    );
  }

  setGlobal(cell: Cell, v: Value, code: Code, site: number): void {
    if (cell.v === undefined) {
      throw LispError.of(
        "runtime",
        `set!: undefined variable: ${cell.name}`,
        code.sites[site],
        "define it first with (define name value)",
      );
    }
    if (cell.owner !== this.task && cell.owner !== null) this.foreignSet(cell.name, code, site);
    // a builtin belongs to no task: set! on it would change it under every task at once
    if (cell.owner === null && cell.v instanceof Builtin) {
      throw LispError.of(
        "runtime",
        `set!: ${cell.name} is a builtin and cannot be changed`,
        code.sites[site],
        `define your own with (define ${cell.name} ...)`,
      );
    }
    cell.v = v;
  }

  foreignSet(name: string, code: Code, site: number): never {
    throw LispError.of("runtime", `set!: ${name} belongs to another task; share state with an atom`, code.sites[site]);
  }

  pushHandler(s: Value[], catchPc: number, finPc: number, errSlot: number, kindSlot: number): void {
    this.handlers = { s, catchPc, finPc, errSlot, kindSlot, next: this.handlers };
  }

  popHandler(): void {
    this.handlers = (this.handlers as Handler).next;
  }

  /** End of a finally block: go on as the try body ended (error or cancellation rethrown). */
  complete(kind: number, v: Value): void {
    if (kind === 1) throw v;
    if (kind === 2) throw new Cancelled();
  }

  // ---- errors and cancellation on the heap ------------------------------------------------

  /** The frame on the heap chain that owns handler h (its activation is no longer on the JS stack). */
  private ownerOf(h: Handler, from: Frame | null): Frame | null {
    for (let f = from; f !== null; f = f.parent) if (f.s === h.s) return f;
    return null;
  }

  /** The error of a frame chain longer than maxFrames (its position: the innermost call). */
  private tooDeep(): LispError {
    // the innermost frame may not have started (pc 0): its caller's call site is where it recursed
    let fr = this.fr as Frame;
    if (fr.pc === 0 && fr.parent !== null) fr = fr.parent;
    return LispError.of(
      "runtime",
      `recursion too deep (${this.maxFrames} frames)`,
      fr.code.sites[fr.pc] ?? fr.code.loc,
      "make the recursive call a tail call, or use loop or an accumulator",
    );
  }

  /** An error escaped to the machine's loop, `heap` the innermost frame still alive (the frames
   *  from there down are on the heap): jump to a handler on the heap or fail. */
  private unwindFrom(e: unknown, heap: Frame | null): boolean {
    this.blocked = null;
    if (e instanceof Cancelled) {
      this.fr = heap;
      return this.unwindCancel();
    }
    const err = this.toLispError(e, null, heap);
    for (let h = this.handlers; h !== null; h = this.handlers) {
      this.handlers = h.next;
      const owner = this.ownerOf(h, heap);
      if (owner === null) continue;
      if (h.catchPc >= 0) {
        h.s[h.errSlot] = withTrace(err);
        owner.pc = h.catchPc;
      } else {
        h.s[h.kindSlot] = 1;
        h.s[h.kindSlot + 1] = err;
        owner.pc = h.finPc;
      }
      // the owner resumes at its handler; the frames above it are dropped
      this.fr = owner;
      return false;
    }
    this.failure = err;
    this.fr = null;
    return true;
  }

  /** Cancellation: run the finally blocks from the innermost frame; true when the task is over. */
  private unwindCancel(): boolean {
    this.blocked = null;
    for (let h = this.handlers; h !== null; h = this.handlers) {
      this.handlers = h.next;
      if (h.finPc < 0) continue;
      const owner = this.ownerOf(h, this.fr);
      if (owner === null) continue;
      h.s[h.kindSlot] = 2;
      owner.pc = h.finPc;
      this.fr = owner;
      return false;
    }
    this.handlers = null;
    this.fr = null;
    this.failure = null;
    return true;
  }

  /** Gives a raised thing its location and Lisp stack, once, where it was raised. */
  private toLispError(e: unknown, here: { code: Code; pc: number } | null, heap: Frame | null = null): LispError {
    let err: LispError;
    if (e instanceof LispError) err = e;
    else if (e instanceof RangeError && e.message.includes("call stack")) {
      err = LispError.of("runtime", "host stack exhausted (a value nested too deeply to process)");
    } else if (
      e instanceof RangeError &&
      /Invalid string length|Invalid array length|Array buffer allocation failed/i.test(e.message)
    ) {
      // V8's own limits on one string (about 512 MB) or one array, in its words: say it in ours
      err = LispError.of(
        "runtime",
        "result too large: a string or list longer than the host can hold (about 512 MB of text)",
      );
    } else {
      const msg = e instanceof Error ? e.message : String(e);
      err = LispError.of("runtime", `internal error: ${msg}`);
      if (process.env.SKEIN_DEBUG && e instanceof Error) console.error(e.stack);
    }
    if (err.lispStack.length === 0) {
      const stack = this.errFrames.map(({ code, pc }) => ({ name: code.name, loc: code.sites[pc] ?? code.loc }));
      if (here) stack.push({ name: here.code.name, loc: here.code.sites[here.pc] ?? here.code.loc });
      stack.push(...lispStackOf(heap));
      const shown = stack.filter((f) => f.loc !== undefined);
      if (this.userCall !== null && shown.every((f) => f.loc!.file === PRELUDE)) shown.push(this.userCall);
      // point at the user's code, not into the prelude's map or sort
      if (!err.loc && shown.length) err.loc = (shown.find((f) => f.loc!.file !== PRELUDE) ?? shown[0]).loc;
      err.lispStack = shown.map((f) => `${f.name} (${formatLoc(f.loc)})`);
    }
    return err;
  }
}

function lispStackOf(from: Frame | null): { name: string; loc: Loc | undefined }[] {
  const out: { name: string; loc: Loc | undefined }[] = [];
  for (let f = from; f !== null && f !== ROOT_FRAME && out.length < 1000; f = f.parent) {
    const loc = f.code.sites[f.pc] ?? f.code.loc;
    if (loc) out.push({ name: f.code.name, loc });
  }
  return out;
}

/** The error value `catch` receives for a raised error. */
function withTrace(err: LispError): ErrorValue {
  const v = err.value;
  if (v.trace.length === 0 && err.lispStack.length) v.trace = err.lispStack;
  return v;
}

const ERROR_KW = Keyword.of("error");

export function errorGet(e: ErrorValue, k: Value, dflt: Value): Value {
  if (k === Keyword.of("error")) return e.message;
  return e.data.get(k, dflt);
}

export function arityError(name: string, min: number, max: number, got: number): LispError {
  return LispError.of("runtime", arityMessage(name, min, max, got));
}

const PRELUDE = "prelude.lisp";
const CAPTURED: (Frame | null)[] = [];
/** the initial tailS of every machine (no array per task) */
const NO_SLOTS: Value[] = [];
let capturedCount = 0;
const ERR_FRAMES: { code: Code; pc: number }[] = [];

/** The frame below every task's first frame: reaching it means the task is done. */
const ROOT_CODE = new Code("<root>", 0, false, 0, undefined, []);
ROOT_CODE.fn = () => {
  throw new Error("root frame resumed");
};
const ROOT_FRAME = new Frame(ROOT_CODE, [], 0, null);
