// Concurrency builtins: tasks, channels, select, sleep, timeout, parallel-map and friends,
// worker pools, stream-map and limits, on top of the scheduler of src/runtime.
import { expectedGot } from "../core/messages.js";
import { raise } from "../core/error.js";
import { describe } from "../syntax/printer.js";
import { ErrorValue, Keyword, arrayToList, type Loc, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { Block, Builtin, Closure } from "../vm/objects.js";
import type { Machine } from "../vm/machine.js";
import { CLOSED, Channel, NOTHING, Waiter } from "../runtime/channel.js";
import { Deque } from "../runtime/deque.js";
import { Task, type Wait } from "../runtime/task.js";
import type { Timer } from "../runtime/timers.js";
import { builtins } from "./registry.js";
import { fn as fnArg, msArg, num, options, seq, truthy, typeError } from "./args.js";
import { contextOf, taskOf, type SessionContext } from "../session/context.js";
import type { TaskMachine } from "../session/task-machine.js";
import { timeoutError } from "../core/messages.js";
import { progressBar } from "./progress.js";

const def = builtins("concurrency");
const kw = Keyword.of;

export const closedError = () => new ErrorValue("channel closed", LMap.EMPTY);
const block = (op: string, m: Machine, park: Wait["park"], io = false) =>
  new Block({ op, loc: m.currentLoc(), park, io } satisfies Wait);

function chanArg(op: string, v: Value): Channel {
  return v instanceof Channel ? v : typeError(op, "a channel", v);
}
function taskArg(op: string, v: Value): Task {
  return v instanceof Task ? v : typeError(op, "a task", v);
}

/** A 0-argument function, or the spawn error. */
function thunkArg(op: string, v: Value): Value {
  const f = fnArg(op, v);
  if (f instanceof Closure && f.code.nparams > 0)
    raise(expectedGot(op, "a function of 0 arguments", describe(f.code.nparams)));
  if (f instanceof Builtin && f.min > 0) raise(expectedGot(op, "a function of 0 arguments", describe(f.min)));
  return f;
}

/** What a finished task yields to whoever takes its result. */
export function taskResult(t: Task): Value {
  const m = t.body as TaskMachine;
  if (t.state === "done") return m.val;
  if (t.state === "failed") return m.failure ? m.failure.value : new ErrorValue("task failed", LMap.EMPTY);
  return new ErrorValue("task cancelled", LMap.EMPTY.set(kw("task"), t.id));
}

const limitError = (s: SessionContext) => new ErrorValue(`task limit reached (${s.scheduler.maxTasks})`, LMap.EMPTY);

/** Spawns a task owned by the current one (cancelled with it), whose result someone takes. */
function spawnChild(m: Machine, f: Value, args: Value[], at: Loc | undefined): Task {
  const s = contextOf(m);
  const parent = taskOf(m);
  const t = s.spawnTask(f, args, at, parent);
  parent?.children.add(t);
  return t;
}

/** Blocks until task t finishes (or ms pass); on timeout t is cancelled. The result taken marks
 *  a failure handled; one that comes after the caller gave up is printed. */
function awaitTask(m: Machine, t: Task, ms: number | null, op: string, cancelOnLeave: boolean): Value {
  if (t.finished) {
    t.supervised = true;
    return taskResult(t);
  }
  const s = contextOf(m);
  return block(op, m, (_task, wake) => {
    let timer: Timer | null = null;
    const off = t.onDone((d) => {
      if (timer) s.scheduler.timers.cancel(timer);
      d.supervised = true;
      wake(taskResult(d));
    });
    if (ms !== null) {
      timer = s.scheduler.after(ms, () => {
        off();
        if (cancelOnLeave) s.scheduler.cancel(t);
        wake(timeoutError(ms));
      });
    }
    return () => {
      off();
      if (timer) s.scheduler.timers.cancel(timer);
      if (cancelOnLeave) s.scheduler.cancel(t);
    };
  });
}

// ---- tasks ---------------------------------------------------------------------------

function spawn(thunk: Value, m: Machine): Value {
  const f = thunkArg("spawn", thunk);
  const s = contextOf(m);
  if (s.scheduler.atTaskLimit) return limitError(s);
  return s.spawnTask(f, [], m.currentLoc(), taskOf(m));
}
def(
  {
    name: "spawn",
    arity: [1, 1],
    usage: "(spawn thunk)",
    doc: "Runs a 0-argument function in a new task and returns the task at once. An error escaping it is printed to stderr.",
    examples: [["(task-await (spawn (lambda () 42)))", "42"]],
    m1: spawn,
  },
  (a, m) => spawn(a[0], m),
);

def(
  {
    name: "spawn-link",
    arity: [1, 3],
    usage: "(spawn-link thunk [:timeout ms])",
    doc: "Runs thunk in a new task; returns a channel that receives exactly one value: the result, or an error value if it raised or timed out.",
    examples: [["(channel-recv (spawn-link (lambda () (+ 1 2))))", "3"]],
  },
  (a, m) => {
    const { pos, opts } = options("spawn-link", a, 1, ["timeout"]);
    const f = thunkArg("spawn-link", pos[0]);
    const s = contextOf(m);
    const ch = new Channel(1);
    if (s.scheduler.atTaskLimit) {
      ch.trySend(limitError(s));
      return ch;
    }
    const t = spawnChild(m, f, [], m.currentLoc());
    taskOf(m)?.children.delete(t); // linked tasks outlive their spawner, like spawn
    let timer: Timer | null = null;
    t.onDone((d) => {
      if (timer) s.scheduler.timers.cancel(timer);
      if (!ch.closed) {
        const r = taskResult(d);
        s.scheduler.handOver(d, r, ch);
        ch.trySend(r);
      }
      ch.close();
    });
    if (opts.has("timeout")) {
      const ms = msArg("spawn-link", opts.get("timeout"));
      timer = s.scheduler.after(ms, () => {
        ch.trySend(timeoutError(ms));
        ch.close();
        s.scheduler.cancel(t);
      });
    }
    return ch;
  },
);

def(
  {
    name: "task-await",
    arity: [1, 3],
    usage: "(task-await task [:timeout ms])",
    doc: "Waits for the task and returns its result, or an error value if it failed, was cancelled or the timeout passed.",
    examples: [["(task-await (spawn (lambda () :ok)))", ":ok"]],
  },
  (a, m) => {
    const { pos, opts } = options("task-await", a, 1, ["timeout"]);
    const t = taskArg("task-await", pos[0]);
    return awaitTask(m, t, opts.has("timeout") ? msArg("task-await", opts.get("timeout")) : null, "task-await", false);
  },
);

def(
  {
    name: "task-cancel",
    arity: [1, 1],
    usage: "(task-cancel task)",
    doc: "Cancels the task: it stops at its next step, its I/O is aborted and its finally blocks run. Returns #t if it was still running.",
    examples: [],
  },
  (a, m) => {
    const t = taskArg("task-cancel", a[0]);
    if (t.finished) return false;
    contextOf(m).scheduler.cancel(t);
    return true;
  },
);

const STATE: Record<string, string> = {
  runnable: "running",
  running: "running",
  blocked: "blocked",
  done: "done",
  failed: "failed",
  cancelled: "cancelled",
};
def(
  {
    name: "task-status",
    arity: [1, 1],
    usage: "(task-status task)",
    doc: "One of :running :blocked :done :failed :cancelled. A task is :cancelled from the moment task-cancel (or its owner's end) cancels it, while it still unwinds through its finally blocks.",
    examples: [["(task-status (spawn (lambda () 1)))", ":running"]],
  },
  (a) => {
    const t = taskArg("task-status", a[0]);
    // a cancelled task is runnable until it next runs and unwinds: it reads as cancelled at once
    return kw(t.cancelling && !t.finished ? "cancelled" : STATE[t.state]);
  },
);

def(
  {
    name: "tasks",
    arity: [0, 0],
    usage: "(tasks)",
    doc: "A list of maps describing the live tasks: {:id :name :state :waiting-on :spawned-at :elapsed-ms}.",
    examples: [["(list? (tasks))", "#t"]],
  },
  (_a, m) => {
    const s = contextOf(m);
    const now = s.scheduler.now();
    return arrayToList(
      [...s.scheduler.live].map((t) =>
        LMap.fromEntries([
          [kw("id"), t.id],
          [kw("name"), t.name],
          [kw("state"), kw(STATE[t.state])],
          [kw("waiting-on"), t.waitingOn],
          [kw("spawned-at"), t.spawnedAt],
          [kw("elapsed-ms"), Math.round(now - t.startedAt)],
        ]),
      ),
    );
  },
);

def(
  {
    name: "current-task",
    arity: [0, 0],
    usage: "(current-task)",
    doc: "The task running this code (nil outside of tasks).",
    examples: [],
  },
  (_a, m) => taskOf(m),
);

// ---- channels ------------------------------------------------------------------------

def(
  {
    name: "make-channel",
    arity: [0, 1],
    usage: "(make-channel [n])",
    doc: "A channel: unbuffered (rendezvous) without n, else holding up to n values.",
    examples: [["(channel? (make-channel 10))", "#t"]],
  },
  (a) => {
    const n = a.length ? num("make-channel", a[0]) : 0;
    if (!Number.isInteger(n) || n < 0) raise(expectedGot("make-channel", "a capacity of 0 or more", describe(n)));
    return new Channel(n);
  },
);
def.unary(
  { name: "channel?", usage: "(channel? x)", doc: "True for channels.", examples: [["(channel? 1)", "#f"]] },
  (x) => x instanceof Channel,
);

/** A task parked on one channel operation: the Block, its Wait and the channel's waiter in one
 *  object (the hot path of every blocking send and receive allocates just this). */
class ChannelWait extends Block implements Wait {
  active = true;
  private task: TaskMachine | null = null;
  private gen = 0;
  private timer: Timer | null = null;
  constructor(
    readonly op: string,
    readonly loc: Loc | undefined,
    private readonly ch: Channel,
    private readonly ms: number | null,
    /** the value to send, or RECEIVE */
    private readonly value: Value,
    private readonly closed: () => Value,
  ) {
    super();
  }

  parkDirect(task: Task, gen: number): (this: Wait) => void {
    this.task = task as TaskMachine;
    this.gen = gen;
    if (this.value === RECEIVE) this.ch.addReceiver(this);
    else this.ch.addSender(this, this.value);
    if (this.ms !== null) this.timer = this.task.session.scheduler.after(this.ms, () => this.expire());
    return this.undo as (this: Wait) => void;
  }
  private wake(v: unknown): void {
    const t = this.task as TaskMachine;
    t.session.scheduler.wake(t, this.gen, v);
  }
  fire(_c: Channel, v: unknown): void {
    if (this.timer) this.cancelTimer();
    this.wake(v === CLOSED ? this.closed() : v);
  }
  private cancelTimer(): void {
    (this.task as TaskMachine).session.scheduler.timers.cancel(this.timer as Timer);
  }
  private expire(): void {
    if (!this.active) return;
    this.active = false;
    this.wake(timeoutError(this.ms as number));
  }
  undo(this: ChannelWait): void {
    this.active = false;
    if (this.timer) this.cancelTimer();
  }
}

const RECEIVE = Symbol("receive");

function sendOn(m: Machine, ch: Channel, v: Value, ms: number | null, op: string): Value {
  const r = ch.trySend(v);
  if (r === "ok") return true;
  if (r === "closed") return closedError();
  return new ChannelWait(op, m.currentLoc(), ch, ms, v, closedError);
}

/** Receives; `closed` is what a closed, drained channel yields. */
function recvOn(m: Machine, ch: Channel, ms: number | null, op: string, closed: () => Value): Value {
  const r = ch.tryRecv();
  if (r === CLOSED) return closed();
  if (r !== NOTHING) return r;
  return new ChannelWait(op, m.currentLoc(), ch, ms, RECEIVE, closed);
}

const timeoutOpt = (op: string, opts: ReadonlyMap<string, Value>) =>
  opts.has("timeout") ? msArg(op, opts.get("timeout")) : null;

const send2 = (ch: Value, v: Value, m: Machine) => sendOn(m, chanArg("channel-send", ch), v, null, "channel-send");
def(
  {
    name: "channel-send",
    arity: [2, 4],
    usage: "(channel-send ch v [:timeout ms])",
    doc: "Sends v, waiting while the channel is full; #t, or an error value if the channel is closed or the timeout passed.",
    examples: [["(channel-send (make-channel 1) :x)", "#t"]],
    m2: send2,
  },
  (a, m) => {
    if (a.length === 2) return send2(a[0], a[1], m);
    const { pos, opts } = options("channel-send", a, 2, ["timeout"]);
    return sendOn(m, chanArg("channel-send", pos[0]), pos[1], timeoutOpt("channel-send", opts), "channel-send");
  },
);
const recv1 = (ch: Value, m: Machine) => recvOn(m, chanArg("channel-recv", ch), null, "channel-recv", closedError);
def(
  {
    name: "channel-recv",
    arity: [1, 3],
    usage: "(channel-recv ch [:timeout ms])",
    doc: 'Receives a value, waiting until one arrives; {:error "channel closed"} once the channel is closed and drained.',
    examples: [["(let ((c (make-channel 1))) (channel-send c 5) (channel-recv c))", "5"]],
    m1: recv1,
  },
  (a, m) => {
    if (a.length === 1) return recv1(a[0], m);
    const { pos, opts } = options("channel-recv", a, 1, ["timeout"]);
    return recvOn(m, chanArg("channel-recv", pos[0]), timeoutOpt("channel-recv", opts), "channel-recv", closedError);
  },
);
def(
  {
    name: "%channel-recv-or",
    arity: [2, 2],
    usage: "(%channel-recv-or ch closed-value)",
    doc: "Receives a value, or closed-value once the channel is closed and drained.",
    examples: [],
  },
  (a, m) => recvOn(m, chanArg("channel->list", a[0]), null, "channel->list", () => a[1]),
);
def(
  {
    name: "channel-close",
    arity: [1, 1],
    usage: "(channel-close ch)",
    doc: "Closes the channel (idempotent): waiting receivers get the channel closed error once it is drained.",
    examples: [["(channel-close (make-channel))", "nil"]],
  },
  (a) => {
    chanArg("channel-close", a[0]).close();
    return null;
  },
);
def.unary(
  {
    name: "channel-closed?",
    usage: "(channel-closed? ch)",
    doc: "True once the channel was closed.",
    examples: [["(channel-closed? (make-channel))", "#f"]],
  },
  (ch) => chanArg("channel-closed?", ch).closed,
);

def(
  {
    name: "select",
    arity: [1, Infinity],
    usage: "(select ch ... [:timeout ms])",
    doc: "Waits for the first channel with a value; returns {:channel ch :value v}. Fair among ready channels; a closed channel yields its channel closed error.",
    examples: [],
  },
  (a, m) => {
    const { pos, opts } = options("select", a, 0, ["timeout"]);
    const chans = pos.map((c) => chanArg("select", c));
    const ms = timeoutOpt("select", opts);
    const picked = (ch: Channel, v: Value) =>
      LMap.fromEntries([
        [kw("channel"), ch],
        [kw("value"), v === CLOSED ? closedError() : v],
      ]);
    // fair: start the scan at a random channel
    const start = Math.floor(Math.random() * chans.length);
    for (let i = 0; i < chans.length; i++) {
      const ch = chans[(start + i) % chans.length];
      const r = ch.tryRecv();
      if (r !== NOTHING) return picked(ch, r);
    }
    const s = contextOf(m);
    return block("select", m, (_t, wake) => {
      let timer: Timer | null = null;
      const w = new Waiter((ch, v) => {
        if (timer) s.scheduler.timers.cancel(timer);
        wake(picked(ch, v));
      });
      for (const ch of chans) ch.addReceiver(w);
      if (ms !== null)
        timer = s.scheduler.after(ms, () => {
          if (w.active) {
            w.active = false;
            wake(timeoutError(ms));
          }
        });
      return () => {
        w.active = false;
        if (timer) s.scheduler.timers.cancel(timer);
      };
    });
  },
);

// ---- time ------------------------------------------------------------------------------

def(
  {
    name: "sleep",
    arity: [1, 1],
    usage: "(sleep ms)",
    doc: "Pauses the current task for ms milliseconds; other tasks go on.",
    examples: [["(sleep 1)", "nil"]],
  },
  (a, m) => {
    const ms = msArg("sleep", a[0]);
    const s = contextOf(m);
    return block("sleep", m, (_t, wake) => {
      const timer = s.scheduler.after(ms, () => wake(null));
      return () => s.scheduler.timers.cancel(timer);
    });
  },
);

def(
  {
    name: "timeout",
    arity: [2, 2],
    usage: "(timeout ms thunk)",
    doc: "The thunk's value, or {:error \"timeout after <ms>ms\"}; on timeout the thunk's work is cancelled. A thunk that raises yields its error value.",
    examples: [["(timeout 1000 (lambda () (+ 1 2)))", "3"]],
  },
  (a, m) => {
    const ms = msArg("timeout", a[0]);
    const f = thunkArg("timeout", a[1]);
    const s = contextOf(m);
    if (s.scheduler.atTaskLimit) return limitError(s);
    return awaitTask(m, spawnChild(m, f, [], m.currentLoc()), ms, "timeout", true);
  },
);

def(
  {
    name: "set-max-threads!",
    arity: [1, 1],
    usage: "(set-max-threads! n)",
    doc: "Caps the number of live spawned tasks (default 100000); a spawn past the cap returns an error value.",
    examples: [],
  },
  (a, m) => {
    const n = num("set-max-threads!", a[0]);
    if (!Number.isInteger(n) || n < 1) raise(expectedGot("set-max-threads!", "a positive integer", describe(n)));
    contextOf(m).scheduler.maxTasks = n;
    return n;
  },
);
def(
  {
    name: "set-default-timeout!",
    arity: [1, 1],
    usage: "(set-default-timeout! ms)",
    doc: "The default deadline of every I/O operation (initially 30000 ms).",
    examples: [],
  },
  (a, m) => (contextOf(m).defaultTimeout = msArg("set-default-timeout!", a[0])),
);

// ---- data parallelism ------------------------------------------------------------------

interface ParallelOptions {
  /** :cores: how many worker threads (ALL_CORES for :all), or null: this session's scheduler */
  cores: number | null;
  max: number;
  timeout: number | null;
  retries: number;
  rate: number | null;
  progress: boolean;
}

function parallelOptions(op: string, opts: ReadonlyMap<string, Value>): ParallelOptions {
  const max = opts.has("max-threads") ? num(op, opts.get("max-threads")) : 100;
  if (!Number.isInteger(max) || max < 1) raise(`${op}: :max-threads must be a positive integer, got ${max}`);
  const rate = opts.has("rate") ? num(op, opts.get("rate")) : null;
  if (rate !== null && !(rate > 0)) raise(`${op}: :rate must be positive, got ${rate}`);
  return {
    cores: coresOption(op, opts),
    max,
    timeout: opts.has("timeout") ? msArg(op, opts.get("timeout")) : null,
    retries: opts.has("retries") ? num(op, opts.get("retries")) : 0,
    rate,
    progress: truthy(opts.get("progress") ?? null),
  };
}

const ALL_CORES = -1;

function coresOption(op: string, opts: ReadonlyMap<string, Value>): number | null {
  if (!opts.has("cores")) return null;
  const v = opts.get("cores");
  if (v === kw("all")) return ALL_CORES;
  const n = num(op, v);
  if (!Number.isInteger(n) || n < 1) raise(`${op}: :cores must be a positive integer or :all, got ${describe(v)}`);
  return n;
}

/** The cap of set-max-cores!, per session (default: every core). */
const maxCores = new WeakMap<SessionContext, number>();

def(
  {
    name: "set-max-cores!",
    arity: [1, 1],
    usage: "(set-max-cores! n)",
    doc: "Caps how many worker threads :cores uses (default: every core of the machine); :cores :all and larger :cores n get n. Returns n.",
    examples: [["(set-max-cores! 2)", "2"]],
  },
  (a, m) => {
    const n = num("set-max-cores!", a[0]);
    if (!Number.isInteger(n) || n < 1) raise(expectedGot("set-max-cores!", "a positive integer", describe(a[0])));
    maxCores.set(contextOf(m), n);
    return n;
  },
);

/** Starts f on one item; done gets its result (once). Returns what stops it: after that nothing
 *  is delivered. */
type Launch = (item: Value, done: (r: Value) => void) => () => void;

/** How a parallel call runs its items: as tasks of this session, or on worker threads (:cores). */
interface Launcher {
  launch: Launch;
  /** how many items it takes at once (the threads' room; no bound for tasks here) */
  capacity: number;
  /** the items wait on other threads: the caller's wait counts as I/O (no deadlock) */
  remote: boolean;
  close(): void;
}

function launcher(m: Machine, op: string, f: Value, cores: number | null): Launcher {
  const s = contextOf(m);
  const pool = s.host.cores;
  if (cores !== null && pool !== undefined) {
    const cap = maxCores.get(s) ?? pool.available;
    const batch = pool.batch(s, op, f, Math.min(cores === ALL_CORES ? pool.available : cores, cap));
    return {
      launch: (item, done) => batch.run(item, done),
      capacity: batch.capacity,
      remote: true,
      close: () => batch.close(),
    };
  }
  // without worker threads (inside a worker, or a session made without them) :cores runs here
  const at = m.currentLoc();
  const parent = taskOf(m);
  return {
    launch: (item, done) => {
      if (s.scheduler.atTaskLimit) {
        // delivered later, as every result is: the caller has its stop function first
        const timer = s.scheduler.after(0, () => done(limitError(s)));
        return () => s.scheduler.timers.cancel(timer);
      }
      const t = s.spawnTask(f, [item], at, parent);
      parent?.children.add(t);
      let stopped = false;
      t.onDone((d) => {
        // a result taken marks a failure handled; one that comes after the caller gave up is printed
        if (stopped) return;
        d.supervised = true;
        done(taskResult(d));
      });
      return () => {
        stopped = true;
        s.scheduler.cancel(t);
      };
    },
    capacity: Infinity,
    remote: false,
    close: () => {},
  };
}

/** An item's own error (message and data kept) with :input added. */
function withInput(e: ErrorValue, item: Value): ErrorValue {
  return new ErrorValue(e.message, e.data.set(kw("input"), item), e.trace);
}

/** Runs f over items with the options; blocks the caller until every item has a result. */
function runParallel(
  m: Machine,
  op: string,
  f: Value,
  items: Value[],
  o: ParallelOptions,
  done: (results: Value[]) => Value,
): Value {
  const s = contextOf(m);
  // raises here, before any work (and whatever the items), when f cannot cross to the threads
  const run = launcher(m, op, f, o.cores);
  if (items.length === 0) {
    run.close();
    return done([]);
  }
  const park: Wait["park"] = (_t, wake) => {
    const results: Value[] = new Array(items.length);
    const running = new Set<() => void>();
    const timers = new Set<Timer>();
    let next = 0,
      active = 0,
      finished = 0,
      lastStart = -Infinity,
      pumpTimer: Timer | null = null;
    /** set when the waiting task is cancelled: nothing new starts or retries after that */
    let abandoned = false;
    const later = (ms: number, fn: () => void) => {
      const t = s.scheduler.after(ms, () => {
        timers.delete(t);
        fn();
      });
      timers.add(t);
      return t;
    };
    const progress = o.progress ? progressBar(s.host, op, items.length, s.scheduler.now) : null;
    let failed = 0;
    const record = (i: number, v: Value) => {
      if (abandoned) return;
      results[i] = v;
      finished++;
      if (v instanceof ErrorValue) failed++;
      active--;
      progress?.(finished, failed);
      if (finished === items.length) {
        run.close();
        wake(done(results));
      } else pump();
    };
    const start = (i: number, attempt: number) => {
      let timer: Timer | null = null;
      /** the item's result is settled: by its end, or at its deadline */
      let settled = false;
      const settle = (r: Value) => {
        settled = true;
        if (r instanceof ErrorValue && attempt < o.retries) {
          // a retry keeps its slot during the backoff, and waits for the rate like a first start
          later(100 * 2 ** attempt, () => admit(() => start(i, attempt + 1)));
          return;
        }
        record(i, r instanceof ErrorValue ? withInput(r, items[i]) : r);
      };
      const stop = run.launch(items[i], (r) => {
        running.delete(stop);
        if (timer) {
          s.scheduler.timers.cancel(timer);
          timers.delete(timer);
        }
        if (abandoned || settled) return;
        settle(r);
      });
      running.add(stop);
      if (o.timeout !== null) {
        const ms = o.timeout;
        // the item times out at its deadline; its finally blocks run on in the background
        timer = later(ms, () => {
          running.delete(stop);
          stop();
          settle(timeoutError(ms));
        });
      }
    };
    // :rate: starts (first tries and retries alike) leave this queue at most `rate` per second
    const rateQueue = new Deque<() => void>();
    const drainRate = () => {
      while (rateQueue.length) {
        const wait = lastStart + 1000 / (o.rate as number) - s.scheduler.now();
        if (wait > 0) {
          if (!pumpTimer)
            pumpTimer = later(wait, () => {
              pumpTimer = null;
              drainRate();
            });
          return;
        }
        lastStart = s.scheduler.now();
        (rateQueue.shift() as () => void)();
      }
    };
    const admit = (go: () => void) => {
      if (o.rate === null) {
        go();
        return;
      }
      rateQueue.push(go);
      drainRate();
    };
    const pump = () => {
      while (active < Math.min(o.max, run.capacity) && next < items.length) {
        active++;
        const i = next++;
        admit(() => start(i, 0));
      }
    };
    pump();
    return () => {
      abandoned = true;
      for (const t of timers) s.scheduler.timers.cancel(t);
      for (const stop of running) stop();
      run.close();
    };
  };
  return block(op, m, park, run.remote);
}

const PARALLEL_OPTS = ["cores", "max-threads", "timeout", "retries", "rate", "progress"];

def(
  {
    name: "parallel-map",
    arity: [2, Infinity],
    usage:
      "(parallel-map f xs [:cores n|:all] [:max-threads n] [:timeout ms] [:retries r] [:rate per-second] [:progress #t])",
    doc: "Applies f to every item concurrently (at most n at a time, default 100) and returns the results in input order; a failed item yields an error value with :input in its place. :cores runs the items on n worker threads (CPU-bound work in parallel; f crosses as code, see docs/concurrency.md).",
    examples: [["(parallel-map inc [1 2 3])", "(2 3 4)"]],
  },
  (a, m) => {
    const { pos, opts } = options("parallel-map", a, 2, PARALLEL_OPTS);
    const f = fnArg("parallel-map", pos[0]);
    return runParallel(m, "parallel-map", f, seq("parallel-map", pos[1]), parallelOptions("parallel-map", opts), (r) =>
      arrayToList(r),
    );
  },
);

def(
  {
    name: "parallel-for-each",
    arity: [2, Infinity],
    usage:
      "(parallel-for-each f xs [:cores n|:all] [:max-threads n] [:timeout ms] [:retries r] [:rate per-second] [:progress #t])",
    doc: "Like parallel-map, for the effects; returns nil.",
    examples: [["(parallel-for-each inc [1 2])", "nil"]],
  },
  (a, m) => {
    const { pos, opts } = options("parallel-for-each", a, 2, PARALLEL_OPTS);
    const f = fnArg("parallel-for-each", pos[0]);
    return runParallel(
      m,
      "parallel-for-each",
      f,
      seq("parallel-for-each", pos[1]),
      parallelOptions("parallel-for-each", opts),
      () => null,
    );
  },
);

def(
  {
    name: "parallel-filter",
    arity: [2, Infinity],
    usage:
      "(parallel-filter pred xs [:cores n|:all] [:max-threads n] [:timeout ms] [:retries r] [:rate per-second] [:progress #t])",
    doc: "The items for which pred returned true, in input order, testing concurrently. If pred fails for an item, the result is an error value naming the item and the cause.",
    examples: [["(parallel-filter even? (range 6))", "(0 2 4)"]],
  },
  (a, m) => {
    const { pos, opts } = options("parallel-filter", a, 2, PARALLEL_OPTS);
    const f = fnArg("parallel-filter", pos[0]);
    const items = seq("parallel-filter", pos[1]);
    return runParallel(m, "parallel-filter", f, items, parallelOptions("parallel-filter", opts), (r) => {
      const bad = r.findIndex((x) => x instanceof ErrorValue);
      if (bad >= 0) {
        const e = r[bad] as ErrorValue;
        return new ErrorValue(
          `parallel-filter: predicate failed for ${describe(items[bad], 40)}: ${e.message}`,
          e.data,
        );
      }
      return arrayToList(items.filter((_x, i) => truthy(r[i])));
    });
  },
);

// ---- worker pools ----------------------------------------------------------------------

interface Job {
  thunk: Value;
  out: Channel;
}

class WorkerPool {
  readonly queue = new Deque<Job>();
  running = 0;
  completed = 0;
  failed = 0;
  shutdown = false;
  /** submitters waiting for room in the queue (inactive once cancelled), and for the pool to drain */
  readonly roomWaiters = new Deque<{ active: boolean; admit: () => void }>();
  readonly drainWaiters: (() => void)[] = [];
  constructor(
    readonly workers: number,
    readonly capacity: number,
    readonly session: SessionContext,
    readonly owner: Task | null,
    readonly at: Loc | undefined,
  ) {}

  printTag(): string {
    return `#<worker-pool ${this.workers}>`;
  }

  get hasRoom(): boolean {
    return this.running < this.workers || this.queue.length < this.capacity;
  }

  /** Lets blocked submitters in while there is room; cancelled ones are skipped. */
  admitWaiting(): void {
    while (this.hasRoom && this.roomWaiters.length) {
      const w = this.roomWaiters.shift() as { active: boolean; admit: () => void };
      if (w.active) {
        w.active = false;
        w.admit();
      }
    }
  }

  /** Starts the job now or queues it; the caller checked there is room. */
  submit(job: Job): void {
    if (this.running < this.workers) this.start(job);
    else this.queue.push(job);
  }

  start(job: Job): void {
    this.running++;
    const t = this.session.spawnTask(job.thunk, [], this.at, this.owner);
    this.owner?.children.add(t);
    t.onDone((d) => {
      const r = taskResult(d);
      if (d.state === "done" && !(r instanceof ErrorValue)) this.completed++;
      else this.failed++;
      this.session.scheduler.handOver(d, r, job.out);
      job.out.trySend(r);
      job.out.close();
      this.running--;
      const nextJob = this.queue.shift();
      if (nextJob) this.start(nextJob);
      this.admitWaiting();
      if (this.running === 0 && this.queue.length === 0) for (const w of this.drainWaiters.splice(0)) w();
    });
  }
}

const poolArg = (op: string, v: Value): WorkerPool => (v instanceof WorkerPool ? v : typeError(op, "a worker pool", v));

def(
  {
    name: "make-worker-pool",
    arity: [1, 3],
    usage: "(make-worker-pool n [:queue m])",
    doc: "A pool of n workers with a queue of at most m waiting jobs (default 1000).",
    examples: [],
  },
  (a, m) => {
    const { pos, opts } = options("make-worker-pool", a, 1, ["queue"]);
    const n = num("make-worker-pool", pos[0]);
    if (!Number.isInteger(n) || n < 1)
      raise(expectedGot("make-worker-pool", "a positive number of workers", describe(n)));
    const q = opts.has("queue") ? num("make-worker-pool", opts.get("queue")) : 1000;
    return new WorkerPool(n, q, contextOf(m), taskOf(m), m.currentLoc());
  },
);

def(
  {
    name: "worker-pool-submit",
    arity: [2, 2],
    usage: "(worker-pool-submit pool thunk)",
    doc: "Queues a job; returns a channel that receives its result or error. Waits while the queue is full; after shutdown returns an error value.",
    examples: [],
  },
  (a, m) => {
    const pool = poolArg("worker-pool-submit", a[0]);
    const thunk = thunkArg("worker-pool-submit", a[1]);
    if (pool.shutdown) return new ErrorValue("worker-pool-submit: the pool is shut down", LMap.EMPTY);
    const job: Job = { thunk, out: new Channel(1) };
    if (pool.hasRoom) {
      pool.submit(job);
      return job.out;
    }
    return block("worker-pool-submit", m, (_t, wake) => {
      const w = {
        active: true,
        admit: () => {
          pool.submit(job);
          wake(job.out);
        },
      };
      pool.roomWaiters.push(w);
      return () => {
        w.active = false;
      };
    });
  },
);

def(
  {
    name: "worker-pool-shutdown",
    arity: [1, 1],
    usage: "(worker-pool-shutdown pool)",
    doc: "Waits for every submitted job, then stops the workers; later submits return an error value.",
    examples: [],
  },
  (a, m) => {
    const pool = poolArg("worker-pool-shutdown", a[0]);
    pool.shutdown = true;
    if (pool.running === 0 && pool.queue.length === 0) return null;
    return block("worker-pool-shutdown", m, (_t, wake) => {
      const w = () => wake(null);
      pool.drainWaiters.push(w);
      return () => {
        const i = pool.drainWaiters.indexOf(w);
        if (i >= 0) pool.drainWaiters.splice(i, 1);
      };
    });
  },
);

def(
  {
    name: "worker-pool-stats",
    arity: [1, 1],
    usage: "(worker-pool-stats pool)",
    doc: "{:workers :running :queued :completed :failed} (completed counts successes).",
    examples: [],
  },
  (a) => {
    const p = poolArg("worker-pool-stats", a[0]);
    return LMap.fromEntries([
      [kw("workers"), p.workers],
      [kw("running"), p.running],
      [kw("queued"), p.queue.length],
      [kw("completed"), p.completed],
      [kw("failed"), p.failed],
    ]);
  },
);

// ---- streams ---------------------------------------------------------------------------

def(
  {
    name: "stream-map",
    arity: [2, 8],
    usage: "(stream-map f in-ch [:workers n] [:ordered #t] [:cores n|:all])",
    doc: "A channel of the results of f on each value read from in-ch, with at most n in flight (default 4); it closes when in-ch is closed and drained. :ordered #t keeps input order. :cores runs f on worker threads, as parallel-map does.",
    examples: [],
  },
  (a, m) => {
    const { pos, opts } = options("stream-map", a, 2, ["workers", "ordered", "cores"]);
    const f = fnArg("stream-map", pos[0]);
    const input = chanArg("stream-map", pos[1]);
    const n = opts.has("workers") ? num("stream-map", opts.get("workers")) : 4;
    if (!Number.isInteger(n) || n < 1) raise(`stream-map: :workers must be a positive integer, got ${n}`);
    const ordered = truthy(opts.get("ordered") ?? null);
    const cores = coresOption("stream-map", opts);
    const s = contextOf(m);
    // on worker threads: their items are host work in flight for the scheduler (no deadlock
    // while a reader waits for them), and stop when the caller ends
    const remote = cores !== null && s.host.cores !== undefined ? launcher(m, "stream-map", f, cores) : null;
    const stops = new Set<() => void>();
    const owner = taskOf(m);
    const at = m.currentLoc();
    const out = new Channel(n);
    const outbox = new Deque<Value>();
    const finishedByIndex = new Map<number, Value>();
    let inFlight = 0,
      nextIndex = 0,
      nextEmit = 0,
      inputDone = false,
      reading = false,
      sending = false;

    const flush = () => {
      while (!sending && outbox.length) {
        const r = out.trySend(outbox.peek());
        if (r === "ok") {
          outbox.shift();
          inFlight--;
          continue;
        }
        if (r === "closed") {
          outbox.shift();
          inFlight--;
          continue;
        }
        sending = true;
        out.addSender(
          new Waiter(() => {
            sending = false;
            outbox.shift();
            inFlight--;
            flush();
            pull();
          }),
          outbox.peek(),
        );
      }
      if (inputDone && inFlight === 0 && !outbox.length) {
        out.close();
        remote?.close();
      }
    };
    const emit = (i: number, v: Value) => {
      if (!ordered) {
        outbox.push(v);
        flush();
        return;
      }
      finishedByIndex.set(i, v);
      while (finishedByIndex.has(nextEmit)) {
        outbox.push(finishedByIndex.get(nextEmit));
        finishedByIndex.delete(nextEmit++);
      }
      flush();
    };
    const handle = (v: Value) => {
      if (v === CLOSED || stopped) {
        inputDone = true;
        flush();
        return;
      }
      const i = nextIndex++;
      inFlight++;
      if (remote !== null) {
        s.scheduler.hostWorkStarted();
        const stop = remote.launch(v, (r) => {
          stops.delete(stop);
          s.scheduler.hostWorkEnded();
          emit(i, r instanceof ErrorValue ? withInput(r, v) : r);
          pull();
        });
        stops.add(stop);
        pull();
        return;
      }
      const t = s.spawnTask(f, [v], at, owner);
      owner?.children.add(t);
      t.onDone((d) => {
        const r = taskResult(d);
        const sent = r instanceof ErrorValue ? withInput(r, v) : r;
        s.scheduler.handOver(d, sent, out);
        emit(i, sent);
        pull();
      });
      pull();
    };
    let stopped = false;
    // structured: when the task that called stream-map ends or is cancelled, no new work starts
    owner?.onDone(() => {
      stopped = true;
      inputDone = true;
      for (const stop of stops) {
        stop();
        s.scheduler.hostWorkEnded();
      }
      stops.clear();
      flush();
    });
    const pull = () => {
      if (stopped || reading || inputDone || inFlight >= n) return;
      const r = input.tryRecv();
      if (r !== NOTHING) {
        handle(r);
        return;
      }
      reading = true;
      input.addReceiver(
        new Waiter((_c, v) => {
          reading = false;
          handle(v);
        }),
      );
    };
    pull();
    return out;
  },
);

// ---- endless sources -------------------------------------------------------------------
// (iterate f x), (repeat x), (cycle xs) and (range) are channels a producer task fills one value
// at a time, as they are received (the prelude writes the producers). The producer is owned by
// the task that made the source, so it ends with it; the channel then closes, so a reader
// elsewhere sees the end instead of waiting for ever.

def(
  {
    name: "%endless",
    arity: [1, 1],
    usage: "(%endless fill)",
    doc: "A rendezvous channel, and a task owned by the caller running (fill ch); the channel closes when that task ends.",
    examples: [],
  },
  (a, m) => {
    const fill = fnArg("%endless", a[0]);
    const s = contextOf(m);
    if (s.scheduler.atTaskLimit) {
      // no producer: the source holds the error, then ends
      const full = new Channel(1);
      full.trySend(limitError(s));
      full.close();
      return full;
    }
    const ch = new Channel(0);
    const t = spawnChild(m, fill, [ch], m.currentLoc());
    t.onDone((d) => {
      // a producer's own error was sent as an item (the prelude catches it); what is left is a
      // cancellation, which ends the source
      d.supervised = true;
      ch.close();
    });
    return ch;
  },
);
