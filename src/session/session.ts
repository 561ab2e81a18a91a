// A session: the global environment, the compiler, the scheduler and the host, wired together.
// The CLI, the REPL and the tests each make one and run programs in it.
import { LispError, renderError } from "../core/error.js";
import { readAll, readAllWithLocs } from "../syntax/reader.js";
import { Keyword, Pair, Sym, arrayToList, list, listToArray, type Loc, type Value } from "../core/types.js";
import { Compiler } from "../compiler/compiler.js";
import { SPECIAL_FORM_DOCS } from "../compiler/specials/docs.js";
import { Machine } from "../vm/machine.js";
import { Builtin, CallReq, Cell, Closure, Macro } from "../vm/objects.js";
import { CLEANUP_BOUND_MS, Scheduler } from "../runtime/scheduler.js";
import { VirtualClock, realClock } from "../runtime/clock.js";
import type { Task, TaskBody } from "../runtime/task.js";
import { allSpecs, makeBuiltin, specFor } from "../lib/registry.js";
import { finish, runJob, type Job } from "../lib/jobs.js";
import { didYouMean } from "../lib/suggest.js";
import "../lib/index.js";
import "../host/index.js";
import "./limits.js";
import { defaultMaxMemoryMb, heapLive, heapUsed } from "./memory.js";
import type { Host, SessionContext } from "./context.js";
import { preludeNames, preludeText } from "./prelude.js";
import { TaskMachine } from "./task-machine.js";

export type { Host } from "./context.js";

const DO = Sym.of("do");
const BEGIN = Sym.of("begin");

/** How many calls a macro expansion (or the prelude) may make: about a second of work. */
export const SYNC_CALLS = 50_000_000;
/** runSync runs in steps of this many calls, so that the memory limit is checked (pulse). */
const SYNC_STEP = 100_000;
/** How many expansions in a row may each produce a call of a macro. */
export const MAX_EXPANSIONS = 1000;
/** How many calls a macro called by eval or a top-level form runs before the compilation stops
 *  and the expansion goes on in slices of its task (preempted, cancellable like any code). */
const EXPANSION_SLICE = 10_000;

/** Thrown through the compiler when a macro of a task's compilation needs more than
 *  EXPANSION_SLICE calls: the compilation goes on, from the start, once the expansion is done. */
class ExpansionPending {
  constructor(
    /** the calls the expansion ran before it stopped */
    readonly ran: number,
    /** the rest of the expansion, as a job */
    readonly rest: Generator<number, Value, void>,
    /** records the expansion's value where the next compilation attempt finds it */
    readonly record: (out: Value) => void,
  ) {}
}

/** The expansions of one compilation that runs on a task, in the order the compiler asked for
 *  them: a compilation started again after a long expansion replays them instead of running
 *  each macro again (its side effects happen once). */
interface Expansions {
  done: { macro: Macro; form: Pair; out: Value }[];
  /** how many of `done` the current attempt has used */
  next: number;
}

export interface RunOutcome {
  status: "done" | "failed" | "deadlock" | "exit" | "cancelled";
  value: Value;
  error?: LispError;
  code: number;
}

export interface SessionOptions {
  /** "virtual": time moves only when every task is blocked (to the next timer's deadline, at
   *  once) or a task is preempted (VIRTUAL_BUDGET_MS per step budget), so sleeps take no real time
   *  and timings are exact. For tests; host I/O stays real (see ARCHITECTURE.md §4). */
  clock?: "real" | "virtual";
  /** the memory limit in MB, and the highest set-max-memory! may raise it to (default: three
   *  quarters of V8's heap limit, see memory.ts) */
  maxMemoryMb?: number;
}

export class Session implements SessionContext {
  /** the script's global cells */
  readonly globals = new Map<string, Cell>();
  /** The library's own cells: what the prelude and the task starter are compiled against. A
   *  script's definitions go to `globals` and never reach these, so a script that defines
   *  reverse, length or apply cannot change map, sort, atom-swap! or spawn. */
  private readonly libraryCells = new Map<string, Cell>();
  /** one Builtin object per builtin, shared by both sets of cells */
  private readonly builtinObjects = new Map<string, Builtin>();
  readonly compiler: Compiler;
  /** compiles the library (the prelude, the task starter) against libraryCells */
  private readonly libraryCompiler: Compiler;
  /** (lambda (f args) (apply f args)): the first frame of every task */
  readonly applier: Closure;
  readonly scheduler: Scheduler;
  /** runs every task of the session, one step at a time */
  readonly machine: Machine;
  /** source text per file, for error rendering */
  readonly sources = new Map<string, string>();
  /** doc strings of functions defined in Skein (the prelude and user code) */
  readonly lispDocs = new Map<string, { usage: string; doc: string }>();
  readonly formDocs = SPECIAL_FORM_DOCS;
  defaultTimeout = 30_000;
  /** the memory limits (see SessionContext), resolved on first use: the default asks node:v8 */
  private memoryCap: number | undefined;
  private memoryMax: number | undefined;
  get memoryCapMb(): number {
    return (this.memoryCap ??= defaultMaxMemoryMb());
  }
  get maxMemoryMb(): number {
    return (this.memoryMax ??= this.memoryCapMb);
  }
  set maxMemoryMb(mb: number) {
    this.memoryMax = mb;
  }
  private finish: ((o: RunOutcome) => void) | null = null;
  private outcome: RunOutcome | null = null;

  constructor(
    readonly host: Host,
    options: SessionOptions = {},
  ) {
    const prim = (name: string) => this.builtin(name) as Builtin;
    const prims = {
      list: prim("list"),
      append: prim("append"),
      vector: prim("vector"),
      vec: prim("vec"),
      hashMap: prim("hash-map"),
      equals: prim("="),
    };
    const expandMacro = (m: Macro, form: Pair, loc: Loc | undefined) => this.expandMacro(m, form, loc);
    this.compiler = new Compiler({
      cell: (name) => this.cell(name),
      expandMacro,
      recordDoc: (name, usage, doc) => {
        // a script's (defn update "doc" ...): the prelude's own update loads first, not over it
        if (this.preludePending?.has(name)) this.loadPrelude();
        this.lispDocs.set(name, { usage, doc });
      },
      prims,
      builtin: prim,
    });
    this.libraryCompiler = new Compiler({
      cell: (name) => this.libraryCell(name),
      expandMacro,
      recordDoc: (name, usage, doc) => this.lispDocs.set(name, { usage, doc }),
      prims,
      builtin: prim,
    });
    // library lambdas compile on their first call: start-up does not pay for unused ones
    this.libraryCompiler.lazy = true;
    const applierForm = readAll("(lambda (f args) (apply f args))", "<applier>")[0];
    const boot = new Machine(null, this);
    boot.budget = 1;
    this.applier = this.libraryCompiler
      .compileToplevel(applierForm, undefined)
      .code.fn(boot, null, [null, null]) as Closure;
    this.machine = new Machine(null, this);
    this.scheduler = new Scheduler(
      {
        onUnhandledFailure: (t) => this.reportTaskFailure(t),
        onDeadlock: (main, blocked) => this.reportDeadlock(main, blocked),
        onMainFailed: (main) =>
          this.end({ status: "failed", value: null, error: (main.body as TaskMachine).failure as LispError, code: 1 }),
        onFinished: (main) => this.end({ status: "done", value: (main.body as TaskBody).result(), code: 0 }),
        onCleanupAbandoned: (t, waitingOn) =>
          this.host.stderr(
            `warning: task ${t.id} (spawned at ${t.spawnedAt}) was cancelled and its cleanup did not finish within ${CLEANUP_BOUND_MS} ms${waitingOn ? ` (waiting on ${waitingOn})` : ""}; abandoned\n`,
          ),
      },
      options.clock === "virtual" ? new VirtualClock() : realClock,
    );
    this.preludeDefines = preludeNames(preludeText());
    this.preludePending = new Set(this.preludeDefines);
    this.memoryCap = options.maxMemoryMb;
  }

  /** Every few steps: past the memory limit (after a full collection, so garbage does not
   *  count), the program ends with "out of memory" at the task and position about to run. */
  pulse(m: Machine): boolean {
    if (this.memoryError !== null) return true;
    const limit = this.maxMemoryMb * 1024 * 1024;
    if (heapUsed() <= limit || heapLive() <= limit) return false;
    const task = m.task as Task | null;
    this.memoryError = LispError.of(
      "runtime",
      `out of memory: the script used more than ${this.maxMemoryMb} MB${task ? ` (in task ${task.id})` : ""}`,
      m.currentLoc(),
      "hold less data at once, or raise the limit: skein --max-memory MB, (set-max-memory! mb)",
    );
    this.end({ status: "failed", value: null, code: 1, error: this.memoryError });
    return true;
  }

  /** The error that ended the run (or the REPL entry) at the memory limit. */
  private memoryError: LispError | null = null;

  /** The global cell of a name. A builtin's cell is made when its name is first looked up (a
   *  script that uses 20 of the 330 builtins does not make the other 310 at start-up). */
  cell(name: string): Cell {
    let c = this.globals.get(name);
    if (c === undefined && this.preludePending?.has(name)) {
      this.loadPrelude(); // which makes the cells of the library's names
      c = this.globals.get(name);
    }
    if (c === undefined) {
      c = new Cell(name);
      // a library name starts out as the library's own definition (a later define replaces it here only)
      c.v = this.preludeDefines.has(name) ? this.libraryCell(name).v : this.builtin(name);
      this.globals.set(name, c);
    }
    return c;
  }

  /** The library's cell of a name: a builtin, or what the prelude defines. */
  private libraryCell(name: string): Cell {
    let c = this.libraryCells.get(name);
    if (c === undefined) {
      c = new Cell(name);
      c.v = this.builtin(name);
      this.libraryCells.set(name, c);
    }
    return c;
  }

  /** The library's own value of a name, whatever the script defined: for builtins that call the
   *  library (atom-swap!'s compare-and-set loop). */
  libraryValue(name: string): Value | undefined {
    if (this.preludePending?.has(name)) this.loadPrelude();
    return this.libraryCell(name).v;
  }

  /** The builtin of a name (made once per session), or undefined. */
  private builtin(name: string): Builtin | undefined {
    let b = this.builtinObjects.get(name);
    if (b === undefined) {
      const spec = specFor(name);
      if (spec === undefined) return undefined;
      b = makeBuiltin(spec);
      this.builtinObjects.set(name, b);
    }
    return b;
  }

  /** The names the prelude defines, until it is loaded: it is read and run when one of them is
   *  first looked up (a script that uses none of them does not pay for it at start-up). */
  private preludePending: Set<string> | null;
  /** every name the prelude defines */
  private readonly preludeDefines: Set<string>;

  /** Loads the prelude now if it is not loaded yet (for what lists or documents every name). */
  loadPrelude(): void {
    const pending = this.preludePending;
    if (pending === null) return;
    this.preludePending = null;
    try {
      for (const form of readAll(preludeText(), "prelude.lisp")) {
        const loc = form instanceof Pair ? form.loc : undefined;
        this.runSync(this.libraryCompiler.compileToplevel(form, loc), [], "the prelude");
      }
      // calls of the prelude's functions take the machine's general call path, which sees the
      // caller's position: a tail call from the user's code records it (Machine.userCall), so an
      // error inside map or filter still names the user's line
      for (const name of pending) {
        const f = this.libraryCell(name).v;
        if (f instanceof Closure && !name.startsWith("%")) f.code.callThroughMachine();
      }
    } catch (e) {
      // tried again at the next lookup rather than left half-loaded for good
      this.preludePending = pending;
      throw e;
    }
    // the script's cells of the library's names start out as the library's definitions (a
    // name the script defined already keeps the script's)
    for (const name of this.preludeDefines) {
      const c = this.globals.get(name) ?? new Cell(name);
      if (c.v === undefined) c.v = this.libraryCell(name).v;
      this.globals.set(name, c);
    }
  }

  private readonly warned = new Set<string>();

  warnOnce(key: string, text: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.host.stderr(text + "\n");
  }

  suggest(name: string): string | undefined {
    this.loadPrelude();
    const defined = [...this.globals.values()].filter((c) => c.v !== undefined).map((c) => c.name);
    // the script's own names first: on a tie in spelling, they are the likelier meaning
    return didYouMean(name, new Set([...defined, ...allSpecs().map((spec) => spec.name), ...this.preludeDefines]));
  }

  /** A machine that belongs to no task: for macros and the prelude, which may not block, and
   *  may not run for ever either: beyond SYNC_CALLS calls they raise instead. */
  runSync(fn: Value, args: Value[], what: string): Value {
    return finish(this.syncRun(fn, args, what, SYNC_STEP));
  }

  /** runSync as a job: runs fn on a machine of its own, `slice` calls at a time, yielding the
   *  calls of each slice. */
  private *syncRun(fn: Value, args: Value[], what: string, slice: number): Job {
    const m = new Machine(null, this);
    m.start(fn, args);
    let out = m.step(slice);
    for (let left = SYNC_CALLS - slice; out === "yield" && left > 0 && this.memoryError === null; left -= slice) {
      yield slice;
      out = m.step(slice);
    }
    if (this.memoryError !== null) throw this.memoryError;
    if (out === "done") return m.val;
    if (out === "failed") throw m.failure;
    if (out === "yield")
      throw LispError.of("runtime", `${what} did not finish within ${SYNC_CALLS} calls (an endless loop?)`);
    throw LispError.of("runtime", `${what} cannot wait on channels, timers or I/O`);
  }

  /** The last macro expansion and how many expansions in a row led to it: each one's form is
   *  the expansion of the one before (the compiler expands a form until its head is no macro). */
  private lastExpansion: Value = null;
  private expansionDepth = 0;

  /** The expansions of the compilation running now on a task (see evalRequest), or null: the
   *  compiler's other callers (the prelude, the program runner) expand in one go. */
  private expansions: Expansions | null = null;

  private expandMacro(m: Macro, form: Pair, loc: Loc | undefined): Value {
    const args = listToArray(form.cdr as Pair);
    this.expansionDepth = this.expandsLast(m, args) ? this.expansionDepth + 1 : 1;
    this.lastExpansion = null;
    if (this.expansionDepth > MAX_EXPANSIONS) {
      throw LispError.of(
        "syntax",
        `macro expansion too deep (${MAX_EXPANSIONS} levels): ${m.name} keeps expanding into another macro call`,
        loc,
      );
    }
    const record = (out: Value): Value => {
      this.lastExpansion = out;
      return out;
    };
    const ex = this.expansions;
    if (ex === null) return record(finish(this.expansion(m, args, loc, SYNC_STEP)));
    // a compilation started again replays what the attempts before it expanded, in order
    const known = ex.done[ex.next];
    if (known !== undefined && known.form === form && known.macro === m) {
      ex.next++;
      return record(known.out);
    }
    ex.done.length = ex.next; // something changed in between (another task defined a macro)
    const keep = (out: Value): void => {
      ex.done.push({ macro: m, form, out });
      ex.next++;
    };
    const job = this.expansion(m, args, loc, EXPANSION_SLICE);
    const first = job.next();
    if (first.done === true) {
      keep(first.value);
      return record(first.value);
    }
    throw new ExpansionPending(first.value, job, keep);
  }

  /** Runs macro m on args, as a job; an error names the macro. */
  private *expansion(m: Macro, args: Value[], loc: Loc | undefined, slice: number): Job {
    try {
      return yield* this.syncRun(m.fn, args, `macro ${m.name}`, slice);
    } catch (e) {
      if (e instanceof LispError) {
        e.loc ??= loc;
        if (!e.message.startsWith(`${m.name}:`) && !e.message.startsWith("macro ")) {
          throw LispError.of("syntax", `in macro ${m.name}: ${e.message}`, loc ?? e.loc);
        }
      }
      throw e;
    }
  }

  /** True when (m args...) is the last expansion itself: a call of m with its very arguments. */
  private expandsLast(m: Macro, args: Value[]): boolean {
    const last = this.lastExpansion;
    if (!(last instanceof Pair) || !(last.car instanceof Sym) || this.globals.get(last.car.name)?.v !== m) return false;
    let p: Value = last.cdr;
    for (const a of args) {
      if (!(p instanceof Pair) || p.car !== a) return false;
      p = p.cdr;
    }
    return !(p instanceof Pair);
  }

  /** Where each top-level form read by `read` starts (atoms have no position of their own). */
  private readonly formLocs = new WeakMap<Value[], Loc[]>();

  /** Reads source text; records it for error rendering. Raises reader errors. */
  read(text: string, file: string): Value[] {
    this.sources.set(file, text);
    const { forms, locs } = readAllWithLocs(text, file);
    this.formLocs.set(forms, locs);
    return forms;
  }

  /** A task that evaluates the forms one after another, compiling each just before it runs (so
   *  a macro defined by one form applies to the next). Any number of forms: a loop over them,
   *  not one expression of them all. */
  private spawnForms(forms: Value[], file: string): Task {
    const locs = this.formLocs.get(forms);
    const items = arrayToList(forms.map((f, i) => list(f, locs?.[i] ?? null)));
    return this.spawnTask((this.runner ??= this.makeRunner()), [items], file, null, true);
  }

  /** (lambda (forms) ...): evaluates each (form loc) in turn and returns the last value. It holds
   *  its builtins themselves (a script that redefines car cannot break it) and has no positions
   *  (it does not show in a Lisp stack). */
  private runner: Closure | undefined;
  private makeRunner(): Closure {
    const text = `(lambda (fs)
      (define (run fs)
        (if (empty? (cdr fs))
          (%eval-form (car (car fs)) (car (cdr (car fs))))
          (begin (%eval-form (car (car fs)) (car (cdr (car fs)))) (run (cdr fs)))))
      (if (empty? fs) nil (run fs)))`;
    const prims = new Map(["empty?", "car", "cdr", "%eval-form"].map((n) => [n, this.builtin(n) as Builtin]));
    const plain = (x: Value): Value => {
      if (x instanceof Sym) return prims.get(x.name) ?? x;
      if (x instanceof Pair) return new Pair(plain(x.car), plain(x.cdr) as Pair);
      return x;
    };
    return this.runSync(
      this.compiler.compileToplevel(plain(readAll(text, "<runner>")[0]), undefined),
      [],
      "the program runner",
    ) as Closure;
  }

  /** Compiles one form into a call request: how %eval-form and eval run it on machine m. A
   *  number, string, boolean, keyword or nil is its own value, with nothing to compile. A macro
   *  that runs long is expanded in slices of the task (a job): it is preempted, and a timeout or
   *  a cancellation stops it, as any code. A top-level `do` or `begin` runs its forms one after
   *  another, each compiled just before it runs (as a program's forms are), so a macro it
   *  defines applies to the forms after it. */
  evalRequest(m: Machine, form: Value, at?: Loc | null): Value {
    if (
      form === null ||
      typeof form === "number" ||
      typeof form === "string" ||
      typeof form === "boolean" ||
      form instanceof Keyword
    )
      return form;
    const loc = (form instanceof Pair ? form.loc : undefined) ?? at ?? undefined;
    return runJob(m, "eval", this.compileJob(form, loc));
  }

  /** Compiles form, starting again after each long expansion has run in slices (see expandMacro). */
  private *compileJob(form: Value, loc: Loc | undefined): Job {
    const ex: Expansions = { done: [], next: 0 };
    for (;;) {
      const outer = this.expansions;
      this.expansions = ex;
      ex.next = 0;
      let pending: ExpansionPending;
      try {
        return this.compileOrSplit(form, loc);
      } catch (e) {
        if (!(e instanceof ExpansionPending)) throw e;
        pending = e;
      } finally {
        this.expansions = outer;
      }
      yield pending.ran;
      pending.record(yield* pending.rest);
    }
  }

  /** A call of the compiled form; a top-level (do forms...) becomes a run of its forms. */
  private compileOrSplit(form: Value, loc: Loc | undefined): Value {
    const x = this.compiler.expandToplevel(form);
    if (x instanceof Pair && (x.car === DO || x.car === BEGIN)) {
      const forms = listToArray(x.cdr as Pair);
      const at = x.loc ?? loc ?? null;
      return new CallReq((this.runner ??= this.makeRunner()), [
        arrayToList(forms.map((f) => list(f, (f instanceof Pair ? f.loc : undefined) ?? at))),
      ]);
    }
    return new CallReq(this.compiler.compileToplevel(x, (x instanceof Pair ? x.loc : undefined) ?? loc), []);
  }

  /** Runs a whole program as the main task; resolves when it and every task that can still
   *  make progress are finished, or on deadlock or exit. */
  run(forms: Value[], file: string): Promise<RunOutcome> {
    return new Promise((resolve) => {
      this.finish = (o) => {
        this.reportUnread();
        resolve(o);
      };
      this.spawnForms(forms, file);
    });
  }

  /** Evaluates one REPL entry as the main task; resolves when it finishes or is cancelled
   *  (cancelEntry). The tasks it spawned go on running, also while the REPL waits for input. */
  evalEntry(
    text: string,
    file: string,
  ): Promise<{ value?: Value; error?: LispError; exit?: number; cancelled?: true }> {
    let forms: Value[];
    try {
      forms = this.read(text, file);
    } catch (e) {
      if (e instanceof LispError) return Promise.resolve({ error: e });
      throw e;
    }
    return new Promise((resolve) => {
      this.outcome = null;
      this.memoryError = null;
      this.entries = true;
      this.scheduler.restart();
      this.finish = (o) =>
        resolve(
          o.status === "exit"
            ? { exit: o.code }
            : o.status === "cancelled"
              ? { cancelled: true }
              : o.error
                ? { error: o.error }
                : { value: o.value },
        );
      const t = this.spawnForms(forms, file);
      t.onDone((d) => {
        if (d.state === "done") this.end({ status: "done", value: (d.body as TaskMachine).val, code: 0 });
        else if (d.state === "cancelled") this.end({ status: "cancelled", value: null, code: 130 });
      });
    });
  }

  /** Cancels the running REPL entry (Ctrl-C): its finally blocks run, the tasks it owns are
   *  cancelled, the tasks it spawned go on. False when no entry is running. */
  cancelEntry(): boolean {
    const main = this.scheduler.main;
    if (!this.entries || main === null || main.finished || this.outcome !== null) return false;
    this.scheduler.cancel(main);
    return true;
  }

  /** Set by the first REPL entry: from then on the end of an entry does not stop the scheduler. */
  private entries = false;

  /** Spawns a task running fn. The machine's task identity is the Task itself. */
  spawnTask(fn: Value, args: Value[], spawnedAt: Loc | string | undefined, parent: Task | null, isMain = false): Task {
    return this.scheduler.admit(new TaskMachine(this, fn, args, spawnedAt, parent), isMain);
  }

  end(o: RunOutcome): void {
    if (this.outcome) return;
    this.outcome = o;
    // a REPL entry's end leaves its background tasks running; an exit or the memory limit stops all
    if (!this.entries || o.status === "exit" || (o.error !== undefined && o.error === this.memoryError))
      this.scheduler.stop();
    this.finish?.(o);
  }

  exit(code: number): void {
    // (exit) in a background task while the REPL waits for input: no entry to end, so the host does
    if (this.entries && this.outcome !== null) this.host.exit(code);
    else this.end({ status: "exit", value: null, code });
  }

  renderError(e: LispError): string {
    return renderError(e, (f) => this.sources.get(f));
  }

  private reportTaskFailure(t: Task, unread = false): void {
    const err = (t.body as TaskMachine).failure as LispError;
    this.host.stderr(
      `error in task ${t.id} (spawned at ${t.spawnedAt})${unread ? ", sent on a channel and never received" : ""}:\n${this.renderError(err)}\n`,
    );
  }

  /** At the end of the program: the failures sent on channels that nobody received. */
  private reportUnread(): void {
    const unread = this.scheduler.unread;
    for (const t of unread.values()) this.reportTaskFailure(t, true);
    unread.clear();
  }

  private reportDeadlock(main: Task, blocked: Task[]): void {
    const lines = [`deadlock: main task waits on ${main.waitingOn ?? "nothing"}; no other task can run`];
    const others = blocked.filter((t) => t !== main);
    if (others.length) {
      lines.push("blocked tasks:");
      for (const t of others.slice(0, 20))
        lines.push(`  task ${t.id} (spawned at ${t.spawnedAt}) waits on ${t.waitingOn}`);
      if (others.length > 20) lines.push(`  ... ${others.length - 20} more`);
    }
    const err = LispError.of("deadlock", lines.join("\n"));
    this.end({ status: "deadlock", value: null, error: err, code: 1 });
  }
}
