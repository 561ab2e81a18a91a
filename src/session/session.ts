// A session: the global environment, the compiler, the scheduler and the host, wired together.
// The CLI, the REPL and the tests each make one and run programs in it.
import { LispError, renderError } from "../core/error.js";
import { readAll, readAllWithLocs } from "../syntax/reader.js";
import { Pair, Sym, list, type Loc, type Value } from "../core/types.js";
import { Compiler, type CompileEnv } from "../compiler/compiler.js";
import { Machine } from "../vm/machine.js";
import { Builtin, CallReq, Cell, Closure, Macro } from "../vm/objects.js";
import { CLEANUP_BOUND_MS, Scheduler } from "../runtime/scheduler.js";
import { VirtualClock, realClock } from "../runtime/clock.js";
import type { Task, TaskBody } from "../runtime/task.js";
import { allSpecs, makeBuiltin, specFor } from "../lib/registry.js";
import { suggestName } from "../lib/suggest.js";
import "../lib/index.js";
import "../host/index.js";
import type { Host, SessionContext } from "./context.js";
import { preludeNames, preludeText } from "./prelude.js";
import { TaskMachine } from "./task-machine.js";

export type { Host } from "./context.js";

export interface RunOutcome { status: "done" | "failed" | "deadlock" | "exit"; value: Value; error?: LispError; code: number }

export interface SessionOptions {
  /** "virtual": time moves only when every task is blocked (to the next timer's deadline, at
   *  once) or a task is preempted (VIRTUAL_BUDGET_MS per step budget), so sleeps take no real time
   *  and timings are exact. For tests; host I/O stays real (see ARCHITECTURE.md §4). */
  clock?: "real" | "virtual";
}

export class Session implements SessionContext {
  readonly globals = new Map<string, Cell>();
  readonly compiler: Compiler;
  /** (lambda (f args) (apply f args)): the first frame of every task */
  readonly applier: Closure;
  readonly scheduler: Scheduler;
  /** runs every task of the session, one step at a time */
  readonly machine: Machine;
  /** source text per file, for error rendering */
  readonly sources = new Map<string, string>();
  /** doc strings of functions defined in Skein (the prelude and user code) */
  readonly lispDocs = new Map<string, { usage: string; doc: string }>();
  defaultTimeout = 30_000;
  private finish: ((o: RunOutcome) => void) | null = null;
  private outcome: RunOutcome | null = null;

  constructor(readonly host: Host, options: SessionOptions = {}) {
    const prim = (name: string) => this.cell(name).v as Builtin;
    const env: CompileEnv = {
      cell: (name) => this.cell(name),
      expandMacro: (m, args, loc) => this.expandMacro(m, args, loc),
      recordDoc: (name, usage, doc) => {
        // a script's (defn update "doc" ...): the prelude's own update loads first, not over it
        if (this.preludePending?.has(name)) this.loadPrelude();
        this.lispDocs.set(name, { usage, doc });
      },
      prims: { list: prim("list"), append: prim("append"), vector: prim("vector"), vec: prim("vec"), hashMap: prim("hash-map"), equals: prim("=") },
    };
    this.compiler = new Compiler(env);
    const applierForm = readAll("(lambda (f args) (apply f args))", "<applier>")[0];
    const boot = new Machine(null, this);
    boot.budget = 1;
    this.applier = this.compiler.compileToplevel(applierForm, undefined).code.fn(boot, null, [null, null]) as Closure;
    this.machine = new Machine(null, this);
    this.scheduler = new Scheduler({
      onUnhandledFailure: (t) => this.reportTaskFailure(t),
      onDeadlock: (main, blocked) => this.reportDeadlock(main, blocked),
      onMainFailed: (main) => this.end({ status: "failed", value: null, error: (main.body as TaskMachine).failure as LispError, code: 1 }),
      onFinished: (main) => this.end({ status: "done", value: (main.body as TaskBody).result(), code: 0 }),
      onCleanupAbandoned: (t, waitingOn) => this.host.stderr(
        `warning: task ${t.id} (spawned at ${t.spawnedAt}) was cancelled and its cleanup did not finish within ${CLEANUP_BOUND_MS} ms${waitingOn ? ` (waiting on ${waitingOn})` : ""}; abandoned\n`),
    }, options.clock === "virtual" ? new VirtualClock() : realClock);
    this.preludePending = preludeNames(preludeText());
  }

  /** The global cell of a name. A builtin's cell is made when its name is first looked up (a
   *  script that uses 20 of the 330 builtins does not make the other 310 at start-up). */
  cell(name: string): Cell {
    let c = this.globals.get(name);
    if (c === undefined) {
      if (this.preludePending?.has(name)) { this.loadPrelude(); return this.cell(name); }
      c = new Cell(name);
      const spec = specFor(name);
      if (spec !== undefined) c.v = makeBuiltin(spec);
      this.globals.set(name, c);
    }
    return c;
  }

  /** The names the prelude defines, until it is loaded: it is read and run when one of them is
   *  first looked up (a script that uses none of them does not pay for it at start-up). */
  private preludePending: Set<string> | null;

  /** Loads the prelude now if it is not loaded yet (for what lists or documents every name). */
  loadPrelude(): void {
    const pending = this.preludePending;
    if (pending === null) return;
    this.preludePending = null;
    const wasLazy = this.compiler.lazy;
    this.compiler.lazy = true;
    try {
      for (const form of readAll(preludeText(), "prelude.lisp")) {
        const loc = form instanceof Pair ? form.loc : undefined;
        this.runSync(this.compiler.compileToplevel(form, loc), [], "the prelude");
      }
      // calls of the prelude's functions take the machine's general call path, which sees the
      // caller's position: a tail call from the user's code records it (Machine.userCall), so an
      // error inside map or filter still names the user's line
      for (const name of pending) {
        const f = this.globals.get(name)?.v;
        if (f instanceof Closure && !name.startsWith("%")) (f.code as { fixed: number }).fixed = -1;
      }
    } catch (e) {
      // tried again at the next lookup rather than left half-loaded for good
      this.preludePending = pending;
      throw e;
    } finally {
      this.compiler.lazy = wasLazy;
    }
  }

  suggest(name: string): string | undefined {
    this.loadPrelude();
    const defined = [...this.globals.values()].filter((c) => c.v !== undefined).map((c) => c.name);
    return suggestName(name, [...new Set([...allSpecs().map((spec) => spec.name), ...defined])]);
  }

  /** A machine that belongs to no task: for macros and the prelude, which may not block. */
  runSync(fn: Value, args: Value[], what: string): Value {
    const m = new Machine(null, this);
    m.start(fn, args);
    let out = m.step(Infinity);
    while (out === "yield") out = m.step(Infinity);
    if (out === "done") return m.val;
    if (out === "failed") throw m.failure;
    throw LispError.of("runtime", `${what} cannot wait on channels, timers or I/O`);
  }

  private expandMacro(m: Macro, args: Value[], loc: Loc | undefined): Value {
    try {
      return this.runSync(m.fn, args, `macro ${m.name}`);
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

  /** Where each top-level form read by `read` starts (atoms have no position of their own). */
  private readonly formLocs = new WeakMap<Value[], Loc[]>();

  /** Reads source text; records it for error rendering. Raises reader errors. */
  read(text: string, file: string): Value[] {
    this.sources.set(file, text);
    const { forms, locs } = readAllWithLocs(text, file);
    this.formLocs.set(forms, locs);
    return forms;
  }

  /** A closure that evaluates the forms one after another, compiling each just before it runs
   *  (so a macro defined by one form applies to the next). */
  formsRunner(forms: Value[]): Closure {
    const evalForm = this.cell("%eval-form").v as Builtin;
    const quote = Sym.of("quote");
    const locs = this.formLocs.get(forms);
    const body = forms.map((f, i) => list(evalForm, list(quote, f), list(quote, locs?.[i] ?? null)));
    return this.compiler.compileToplevel(new Pair(Sym.of("begin"), list(...body) as Pair), undefined);
  }

  /** Compiles one form into a call request: how %eval-form runs it. */
  evalRequest(form: Value, at?: Loc | null): CallReq {
    const loc = (form instanceof Pair ? form.loc : undefined) ?? at ?? undefined;
    return new CallReq(this.compiler.compileToplevel(form, loc), []);
  }

  /** Runs a whole program as the main task; resolves when it and every task that can still
   *  make progress are finished, or on deadlock or exit. */
  run(forms: Value[], file: string): Promise<RunOutcome> {
    return new Promise((resolve) => {
      this.finish = (o) => { this.reportUnread(); resolve(o); };
      this.spawnTask(this.formsRunner(forms), [], file, null, true);
    });
  }

  /** Evaluates one REPL entry as the main task; resolves when it finishes (background tasks go on). */
  evalEntry(text: string, file: string): Promise<{ value?: Value; error?: LispError; exit?: number }> {
    let forms: Value[];
    try { forms = this.read(text, file); } catch (e) {
      if (e instanceof LispError) return Promise.resolve({ error: e });
      throw e;
    }
    return new Promise((resolve) => {
      this.outcome = null;
      this.scheduler.restart();
      this.finish = (o) => resolve(o.status === "exit" ? { exit: o.code } : o.error ? { error: o.error } : { value: o.value });
      const t = this.spawnTask(this.formsRunner(forms), [], file, null, true);
      t.onDone((d) => { if (d.state === "done") this.end({ status: "done", value: (d.body as TaskMachine).val, code: 0 }); });
    });
  }

  /** Spawns a task running fn. The machine's task identity is the Task itself. */
  spawnTask(fn: Value, args: Value[], spawnedAt: Loc | string | undefined, parent: Task | null, isMain = false): Task {
    return this.scheduler.admit(new TaskMachine(this, fn, args, spawnedAt, parent), isMain);
  }

  end(o: RunOutcome): void {
    if (this.outcome) return;
    this.outcome = o;
    this.scheduler.stop();
    this.finish?.(o);
  }

  exit(code: number): void {
    this.end({ status: "exit", value: null, code });
  }

  renderError(e: LispError): string {
    return renderError(e, (f) => this.sources.get(f));
  }

  private reportTaskFailure(t: Task, unread = false): void {
    const err = (t.body as TaskMachine).failure as LispError;
    this.host.stderr(`error in task ${t.id} (spawned at ${t.spawnedAt})${unread ? ", sent on a channel and never received" : ""}:\n${this.renderError(err)}\n`);
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
      for (const t of others.slice(0, 20)) lines.push(`  task ${t.id} (spawned at ${t.spawnedAt}) waits on ${t.waitingOn}`);
      if (others.length > 20) lines.push(`  ... ${others.length - 20} more`);
    }
    const err = LispError.of("deadlock", lines.join("\n"));
    this.end({ status: "deadlock", value: null, error: err, code: 1 });
  }
}

