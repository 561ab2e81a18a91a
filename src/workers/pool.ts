// The process's one pool of worker threads: the threads behind `:cores` (the Cores of
// session/context.ts), and the runners of isolated runs of whole programs (skein mcp's `run`).
// Threads start on first use and stay warm: each loads the code once. A thread that dies (out of
// memory, a crash, terminated because an item or a run would not stop at its deadline) fails its
// items or its run with errors and is replaced on demand.
import type { Worker } from "node:worker_threads";
import { lazyRequire } from "../core/lazy.js";
import { raise } from "../core/error.js";
import { ErrorValue, Keyword, Pair, isVector, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import type { Cores, CoreBatch, McpGateway, SessionContext } from "../session/context.js";
import { Sandbox } from "../sandbox/sandbox.js";
import { defaultMaxMemoryMb, heapFor } from "../session/memory.js";
import { dataOnly, decode, encode, type Enc } from "./codec.js";
import { pack, refusal } from "./crossing.js";
import { RUN_CANCELLED, WORKER_MARK } from "./entry.js";
import type { FromWorker, GatewayCall, RunResult, SessionConfig, ToWorker } from "./protocol.js";

/** How long a cancelled item or run may take to stop (a run: also one past its deadline) before
 *  its thread is terminated (and replaced). */
export const STOP_GRACE_MS = 2000;
/** How many isolated runs run at once; more wait for one to end. */
export const MAX_RUNS = 64;
/** Idle runner threads kept per heap limit for good (warm: a run on one costs a round trip)... */
export const KEEP_IDLE_RUNNERS = 2;
/** ...and how long after a burst the others are kept before they end. */
export const IDLE_RUNNER_MS = 30_000;
/** How many characters of its stdout, and of its stderr, a run's result keeps by default: what a
 *  program prints may go into a model's context, and the rest would only crowd it out. */
export const OUTPUT_LIMIT = 1_000_000;
/** Items a :cores thread holds at once: one running and one ready, so a thread never waits for
 *  the round trip of its next item, and the faster threads take more of a batch. */
export const PER_THREAD = 2;

/** What a worker thread runs. From the CLI bundle (which includes entry.ts): code that loads the
 *  bundle as bin/skein does, through bin/load.cjs and the bundle's code cache (which makes a
 *  thread ready sooner). From the tsc output: entry.js beside this module. */
export interface WorkerCode {
  code: string | URL;
  eval: boolean;
}

function workerCode(): WorkerCode {
  const here = import.meta.url;
  if (!here.endsWith(".cjs")) return { code: new URL("./entry.js", here), eval: false };
  const { fileURLToPath } = lazyRequire<typeof import("node:url")>("node:url");
  const loader = fileURLToPath(new URL("../../../bin/load.cjs", here));
  return { code: `require(${JSON.stringify(loader)}).load(false);`, eval: true };
}

interface Job {
  /** gets the result; null once the job was stopped (nothing is delivered after that) */
  done: ((v: Value) => void) | null;
  killTimer: NodeJS.Timeout | null;
}

/** A run that ended without its thread's answer: nothing of its output is known. */
const ended = (status: RunResult["status"], error: string): RunResult => ({
  status,
  value: null,
  error,
  stdout: "",
  stderr: "",
  leftOut: { stdout: 0, stderr: 0 },
  exitCode: 1,
  calls: [],
});

let ownCompiles = false;

/** With a worker thread on every core, V8's background compiler threads can only take CPU from
 *  the workers (measured on 2 cores: :cores 2 about 3% slower with them). V8 reads the flag when
 *  an isolate starts, so the threads started from now on optimise their hot code on their own
 *  thread; the calling thread, started before, keeps its background compiler. */
function compileOnOwnThread(): void {
  if (ownCompiles) return;
  ownCompiles = true;
  lazyRequire<typeof import("node:v8")>("node:v8").setFlagsFromString("--no-concurrent-recompilation");
}

/** An isolated run on its thread. */
interface Run {
  gateway: McpGateway | undefined;
  /** its gateway calls in flight, by id: aborted when the run asks, or ends */
  calls: Map<number, AbortController>;
  /** the thread has begun it (a new thread first loads Skein) */
  began(): void;
  /** the thread's answer */
  ran(r: RunResult): void;
  /** the thread died under it (why: the reason its items would get) */
  died(why: string): void;
}

class Thread {
  readonly worker: Worker;
  readonly jobs = new Map<number, Job>();
  /** the batches this thread was told about */
  readonly batches = new Set<number>();
  /** its isolated run (a runner runs one at a time), by job */
  readonly runs = new Map<number, Run>();
  /** why it is being stopped (the error its items get) */
  stopReason: string | null = null;
  /** it died of V8's heap limit */
  outOfMemory = false;
  constructor(
    start: WorkerCode,
    onMessage: (t: Thread, m: FromWorker) => void,
    onExit: (t: Thread, why: string) => void,
    /** V8's own limit (heapFor): for :cores, that of the default memory limit; for a run, that of
     *  its own */
    readonly heapMb = heapFor(defaultMaxMemoryMb()),
    /** what the thread itself writes to process.stdout and stderr (never a session's output,
     *  which goes through messages) is dropped: for runs, whose caller's stdout may be a
     *  protocol's channel (skein mcp) */
    dropOwnOutput = false,
  ) {
    const { Worker } = lazyRequire<typeof import("node:worker_threads")>("node:worker_threads");
    this.worker = new Worker(start.code, {
      eval: start.eval,
      workerData: WORKER_MARK,
      argv: [WORKER_MARK],
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
      stdout: dropOwnOutput,
      stderr: dropOwnOutput,
    });
    if (dropOwnOutput) {
      this.worker.stdout.resume();
      this.worker.stderr.resume();
    }
    this.worker.unref();
    this.worker.on("message", (m: FromWorker) => onMessage(this, m));
    let gone = false;
    const exit = (why: string) => {
      if (gone) return;
      gone = true;
      onExit(this, this.stopReason ?? why);
    };
    this.worker.on("error", (e: Error & { code?: string }) => {
      this.outOfMemory = e.code === "ERR_WORKER_OUT_OF_MEMORY";
      exit(`the worker thread crashed: ${e.message}`);
    });
    this.worker.on("exit", (code) => exit(`the worker thread exited (code ${code})`));
  }
  post(m: ToWorker): void {
    this.worker.postMessage(m);
  }
  /** a thread with work keeps the process alive; an idle one does not */
  busy(): void {
    if (this.jobs.size + this.runs.size === 1) this.worker.ref();
  }
  idle(): void {
    if (this.jobs.size + this.runs.size === 0) this.worker.unref();
  }
}

/** The settings a worker's session takes from the calling session. */
function configOf(s: SessionContext, op: string): SessionConfig {
  const p = s.host.permissions;
  if (p !== undefined && !(p instanceof Sandbox))
    raise(`${op}: this session's permissions cannot be carried to worker threads; leave out :cores`);
  return {
    cwd: s.host.cwd,
    env: { ...s.host.env },
    argv: [...s.host.argv],
    sandbox: p instanceof Sandbox ? p.spec() : null,
    defaultTimeout: s.defaultTimeout,
    maxMemoryMb: s.maxMemoryMb,
  };
}

/** The encoder's hook for items: they hold data only. */
const itemsOnly =
  (op: string) =>
  (v: Value): Enc => {
    throw new ErrorValue(`${op}: an item cannot be sent to another core: it holds ${refusal(v).what}`, LMap.EMPTY);
  };

/** Options of an isolated run. */
export interface RunOptions {
  /** the file name errors show (default "<run>") */
  file?: string;
  cwd: string;
  env?: Record<string, string | undefined>;
  argv?: string[];
  /** the sandbox's grants; none: no sandbox */
  sandbox?: Sandbox;
  /** a second sandbox the run is held to as well: it may do only what both allow (skein mcp: a
   *  call's own narrower grants inside the server's) */
  narrow?: Sandbox;
  /** the run's deadline: past it the run's main task is cancelled (its finally blocks run) and
   *  the status is "timeout"; a run that does not stop within STOP_GRACE_MS more has its thread
   *  terminated */
  timeoutMs: number;
  /** cancels the run as its deadline would, with the status "cancelled" */
  signal?: AbortSignal;
  /** the memory limit of the run in MB (default: the calling process's): past it the run ends
   *  with "out of memory"; its thread's heap limit leaves room above it (heapFor), and a run
   *  that reaches even that ends with its thread alone */
  maxMemoryMb?: number;
  /** how the caller raises maxMemoryMb, named when a run reaches its thread's heap limit
   *  (e.g. "skein mcp --max-memory MB") */
  memoryFlag?: string;
  /** the default deadline of HTTP, subprocess and database calls in ms (default 30000) */
  defaultTimeout?: number;
  /** the upstream MCP servers the run reaches with (mcp-server "NAME"): it stays in this thread,
   *  and the run's calls come to it as messages */
  gateway?: McpGateway;
  /** how many characters of each output stream the result keeps (default OUTPUT_LIMIT) */
  outputLimit?: number;
}

export class Pool implements Cores {
  /** (node:os is loaded at first use, as node:worker_threads is: the CLI's start-up does not pay) */
  get available(): number {
    return lazyRequire<typeof import("node:os")>("node:os").availableParallelism();
  }
  /** the threads of :cores, by position: a call with :cores n uses the first n */
  private readonly threads: (Thread | null)[] = [];
  /** threads for isolated runs: idle ones wait here, by their heap limit (a run takes one whose
   *  limit is its own) */
  private readonly runners = new Map<number, Thread[]>();
  /** the runners with a run now */
  private readonly busyRunners = new Set<Thread>();
  /** ends the idle runners beyond KEEP_IDLE_RUNNERS per heap limit, a while after a burst */
  private trim: NodeJS.Timeout | null = null;
  /** isolated runs now, and the ones waiting for one of them to end (MAX_RUNS) */
  private running = 0;
  private readonly queued: (() => void)[] = [];
  private nextJob = 1;
  private nextBatch = 1;
  /** items of :cores calls waiting for a thread with room (each places itself, or says it cannot) */
  private readonly waiting: (() => boolean)[] = [];
  /** each calling session's number: a worker keeps one session per calling session */
  private readonly homeIds = new WeakMap<SessionContext, number>();
  private nextHome = 1;
  /** the calling sessions with open batches (and how many), for their output */
  private readonly open = new Map<number, { s: SessionContext; batches: number }>();

  constructor(
    private readonly start: WorkerCode = workerCode(),
    /** the limits of isolated runs (tests make them small) */
    private readonly limits: { maxRuns: number; idleRunnerMs: number } = {
      maxRuns: MAX_RUNS,
      idleRunnerMs: IDLE_RUNNER_MS,
    },
  ) {}

  /** How many runner threads wait, idle, for a run (for tests). */
  get idleRunnerCount(): number {
    return [...this.runners.values()].reduce((n, idle) => n + idle.length, 0);
  }

  /** Starts the first n threads of :cores now, ahead of the first call that uses them: a thread
   *  takes tens of milliseconds to load Skein, which then overlaps the rest of the start-up. */
  warm(n: number): void {
    const of = Math.min(n, this.available);
    for (let i = 0; i < of; i++) this.thread(i, of);
  }

  /** How many items the threads have now (a stopped item counts until its thread says it stopped). */
  get inFlight(): number {
    return this.threads.reduce((n, t) => n + (t?.jobs.size ?? 0), 0);
  }

  /** How many threads are running now (for tests and the bench). */
  get started(): number {
    return this.threads.filter((t) => t !== null).length;
  }

  /** The thread at position i, started if need be for a call that uses `of` threads. */
  private thread(i: number, of: number): Thread {
    let t = this.threads[i];
    if (t === null || t === undefined) {
      if (of >= this.available) compileOnOwnThread();
      t = new Thread(this.start, this.onMessage, (dead, why) => this.onExit(dead, why, i));
      this.threads[i] = t;
    }
    return t;
  }

  private readonly onMessage = (t: Thread, m: FromWorker): void => {
    switch (m.t) {
      case "result": {
        const job = t.jobs.get(m.job);
        if (job === undefined) return;
        this.finishJob(t, m.job, job);
        job.done?.(decode(m.value, dataOnly));
        return;
      }
      case "stopped": {
        const job = t.jobs.get(m.job);
        if (job !== undefined) this.finishJob(t, m.job, job);
        return;
      }
      case "out": {
        const s = this.open.get(m.home)?.s;
        if (s) (m.stream === 1 ? s.host.stdout : s.host.stderr)(m.text);
        return;
      }
      case "began":
        t.runs.get(m.job)?.began();
        return;
      case "ran":
        t.runs.get(m.job)?.ran(m.outcome);
        return;
      case "gateway": {
        const run = t.runs.get(m.job);
        if (run) this.askGateway(t, m.job, run, m.id, m.call);
        return;
      }
      case "gateway-abort":
        t.runs.get(m.job)?.calls.get(m.id)?.abort();
        return;
    }
  };

  private finishJob(t: Thread, id: number, job: Job): void {
    t.jobs.delete(id);
    if (job.killTimer) clearTimeout(job.killTimer);
    this.placeWaiting();
    t.idle();
  }

  /** Gives the items waiting for room to threads that have some now, oldest first. */
  private placeWaiting(): void {
    while (this.waiting.length > 0 && this.waiting[0]()) this.waiting.shift();
  }

  private onExit(t: Thread, why: string, i: number | null): void {
    if (i !== null && this.threads[i] === t) this.threads[i] = null;
    const idle = this.runners.get(t.heapMb) ?? [];
    const at = idle.indexOf(t);
    if (at >= 0) idle.splice(at, 1);
    for (const job of t.jobs.values()) {
      if (job.killTimer) clearTimeout(job.killTimer);
      job.done?.(new ErrorValue(why, LMap.EMPTY));
    }
    t.jobs.clear();
    for (const run of t.runs.values()) run.died(why);
    t.runs.clear();
    // the items waiting for room go to the thread that replaces it
    this.placeWaiting();
  }

  /** Stops a thread now (its items get `why` as their error); the next item starts a new one. */
  private kill(t: Thread, why: string): void {
    t.stopReason ??= why;
    // no new item goes to it while it stops
    const i = this.threads.indexOf(t);
    if (i >= 0) this.threads[i] = null;
    void t.worker.terminate();
  }

  batch(s: SessionContext, op: string, f: Value, cores: number): CoreBatch {
    let home = this.homeIds.get(s);
    if (home === undefined) this.homeIds.set(s, (home = this.nextHome++));
    const msg: ToWorker = {
      t: "batch",
      batch: this.nextBatch++,
      home,
      config: configOf(s, op),
      pack: pack(s, op, f),
    };
    const id = msg.batch;
    const open = this.open.get(home) ?? { s, batches: 0 };
    open.batches++;
    this.open.set(home, open);
    const n = Math.max(1, cores);
    let closed = false;
    const item = itemsOnly(op);
    return {
      capacity: n * PER_THREAD,
      run: (x, done) => {
        let enc: Enc;
        try {
          enc = encode(x, item);
        } catch (e) {
          if (!(e instanceof ErrorValue)) throw e;
          queueMicrotask(() => done(e));
          return () => {};
        }
        const job: Job = { done, killTimer: null };
        let placed: { t: Thread; jobId: number } | null = null;
        // on the least busy of the call's threads that has room: a thread holds at most
        // PER_THREAD items, so a thread that finishes sooner takes more of them (items given out
        // all at once, in turn, leave one thread the long ones while the other sits idle)
        const place = (): boolean => {
          let best: Thread | null = null;
          for (let i = 0; i < n; i++) {
            const t = this.thread(i, n);
            if (t.jobs.size < PER_THREAD && (best === null || t.jobs.size < best.jobs.size)) best = t;
          }
          if (best === null) return false;
          const t = best;
          if (!t.batches.has(id)) {
            t.batches.add(id);
            t.post(msg);
          }
          const jobId = this.nextJob++;
          t.jobs.set(jobId, job);
          t.busy();
          t.post({ t: "item", batch: id, job: jobId, item: enc });
          placed = { t, jobId };
          return true;
        };
        if (!place()) this.waiting.push(place);
        return () => {
          if (job.done === null) return;
          if (placed === null) {
            // still waiting for room: it never reaches a thread
            job.done = null;
            this.waiting.splice(this.waiting.indexOf(place), 1);
            return;
          }
          const { t, jobId } = placed;
          if (!t.jobs.has(jobId)) return;
          job.done = null;
          t.post({ t: "cancel", job: jobId });
          // a cancelled item stops within a step budget; one that does not (a builtin stuck in
          // JavaScript) takes its thread down with it
          job.killTimer = setTimeout(
            () => this.kill(t, "the worker thread was stopped: another item on it did not stop at its deadline"),
            STOP_GRACE_MS,
          );
          job.killTimer.unref();
        };
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (--open.batches === 0) this.open.delete(home);
        for (const t of this.threads) {
          if (t?.batches.delete(id)) t.post({ t: "end", batch: id });
        }
      },
    };
  }

  /** Runs a whole program in a fresh session on a thread of its own (a runner, with the run's
   *  heap limit), with its own grants, deadline, cancellation, memory limit and output limit:
   *  what skein mcp's `run` calls. The result has the value (printed), the rendered error, the
   *  output and the run's MCP calls. At most MAX_RUNS run at once; more wait. Never rejects. */
  async run(source: string, o: RunOptions): Promise<RunResult> {
    if (this.running >= this.limits.maxRuns) {
      // waiting for a free place: a cancellation answers at once and leaves the queue
      const place = await new Promise<boolean>((go) => {
        const take = () => {
          o.signal?.removeEventListener("abort", drop);
          go(true);
        };
        const drop = () => {
          this.queued.splice(this.queued.indexOf(take), 1);
          go(false);
        };
        this.queued.push(take);
        o.signal?.addEventListener("abort", drop, { once: true });
      });
      if (!place) return ended("cancelled", RUN_CANCELLED);
    }
    this.running++;
    try {
      return await this.runOnRunner(source, o);
    } finally {
      this.running--;
      this.queued.shift()?.();
    }
  }

  /** Starts n runners for runs with this memory limit ahead of the first runs. */
  warmRunners(n: number, maxMemoryMb = defaultMaxMemoryMb()): void {
    const heapMb = heapFor(maxMemoryMb);
    const idle = this.idleRunners(heapMb);
    while (idle.length < n) idle.push(this.newRunner(heapMb));
  }

  private idleRunners(heapMb: number): Thread[] {
    let idle = this.runners.get(heapMb);
    if (idle === undefined) this.runners.set(heapMb, (idle = []));
    return idle;
  }

  private newRunner(heapMb: number): Thread {
    return new Thread(this.start, this.onMessage, (dead, why) => this.onExit(dead, why, null), heapMb, true);
  }

  private runOnRunner(source: string, o: RunOptions): Promise<RunResult> {
    const maxMemoryMb = o.maxMemoryMb ?? defaultMaxMemoryMb();
    if (o.signal?.aborted) return Promise.resolve(ended("cancelled", RUN_CANCELLED));
    const heapMb = heapFor(maxMemoryMb);
    const t = this.idleRunners(heapMb).pop() ?? this.newRunner(heapMb);
    const job = this.nextJob++;
    return new Promise((resolve) => {
      /** its thread is then idle again, or terminated */
      const end = (r: RunResult, thread: "idle" | "terminate" | "gone") => {
        if (t.runs.get(job) !== run) return;
        t.runs.delete(job);
        clearTimeout(fallback);
        clearTimeout(grace);
        o.signal?.removeEventListener("abort", cancel);
        for (const ac of run.calls.values()) ac.abort();
        t.idle();
        this.busyRunners.delete(t);
        if (thread === "idle") {
          this.idleRunners(heapMb).push(t);
          this.trimLater();
        } else if (thread === "terminate") this.kill(t, "the run was stopped");
        resolve(r);
      };
      const run: Run = {
        gateway: o.gateway,
        calls: new Map(),
        began: () => {
          fallback ??= setTimeout(
            () =>
              end(
                ended("timeout", `timeout after ${o.timeoutMs}ms (the run did not stop, and its thread was ended)`),
                "terminate",
              ),
            o.timeoutMs + STOP_GRACE_MS,
          );
        },
        ran: (r) => end(r, "idle"),
        died: (why) =>
          end(
            ended(
              "crashed",
              t.outOfMemory
                ? `out of memory: the run used more than its ${maxMemoryMb} MB${o.memoryFlag ? ` (${o.memoryFlag})` : ""}`
                : why,
            ),
            "gone",
          ),
      };
      // the thread stops the run itself at its deadline, or when told to; one that does not
      // (a builtin stuck in JavaScript) is terminated
      let grace: NodeJS.Timeout | undefined;
      const cancel = () => {
        if (grace !== undefined) return;
        t.post({ t: "stop", job });
        grace = setTimeout(
          () => end(ended("cancelled", `${RUN_CANCELLED} (it did not stop, and its thread was ended)`), "terminate"),
          STOP_GRACE_MS,
        );
      };
      // the thread keeps the deadline itself, from when it begins the run; this one ends a run
      // that did not stop (its thread may first load Skein, which the deadline does not count)
      let fallback: NodeJS.Timeout | undefined;
      o.signal?.addEventListener("abort", cancel);
      t.runs.set(job, run);
      this.busyRunners.add(t);
      t.busy();
      t.post({
        t: "run",
        job,
        source,
        file: o.file ?? "<run>",
        config: {
          cwd: o.cwd,
          env: { ...(o.env ?? {}) },
          argv: o.argv ?? [],
          sandbox: o.sandbox ? o.sandbox.spec() : null,
          defaultTimeout: o.defaultTimeout ?? 30_000,
          maxMemoryMb,
        },
        run: {
          timeoutMs: o.timeoutMs,
          narrow: o.narrow ? o.narrow.spec() : null,
          servers: o.gateway ? [...o.gateway.servers] : null,
          outputLimit: o.outputLimit ?? OUTPUT_LIMIT,
        },
      });
    });
  }

  /** Answers a run's gateway call with the run's gateway, here in the calling thread. */
  private askGateway(t: Thread, job: number, run: Run, id: number, call: GatewayCall): void {
    const ac = new AbortController();
    run.calls.set(id, ac);
    const g = run.gateway;
    const asked =
      g === undefined
        ? Promise.reject(new Error("the run has no gateway"))
        : call.op === "listTools"
          ? g.listTools(call.server, ac.signal)
          : g.callTool(call.server, call.tool, call.args, ac.signal);
    void asked
      .then(
        (value): ToWorker => ({ t: "gateway-reply", id, ok: true, value }),
        (e: unknown): ToWorker => ({
          t: "gateway-reply",
          id,
          ok: false,
          error: e instanceof Error ? e.message : String(e),
        }),
      )
      .then((reply) => {
        run.calls.delete(id);
        if (t.runs.get(job) === run) t.post(reply);
      });
  }

  /** After a burst of runs: a while later, the idle runners beyond KEEP_IDLE_RUNNERS per heap
   *  limit end (the least recently used first), so a server does not keep a thread per run of
   *  its busiest moment for the rest of its life. */
  private trimLater(): void {
    if (this.trim !== null) return;
    this.trim = setTimeout(() => {
      this.trim = null;
      for (const idle of this.runners.values())
        while (idle.length > KEEP_IDLE_RUNNERS) void (idle.shift() as Thread).worker.terminate();
    }, this.limits.idleRunnerMs);
    this.trim.unref();
  }

  /** Terminates every thread, the busy ones too: their items and runs fail with "the pool was
   *  closed" (the pool can still be used: threads start again on demand). */
  async close(): Promise<void> {
    const all = [...this.threads, ...[...this.runners.values()].flat(), ...this.busyRunners].filter(
      (t): t is Thread => t !== null,
    );
    this.runners.clear();
    for (const t of all) t.stopReason ??= "the pool was closed";
    await Promise.all(all.map((t) => t.worker.terminate()));
  }

  /** For tests of a dying thread: terminates the thread at position i now. */
  terminateThread(i: number, why: string): void {
    const t = this.threads[i];
    if (t) this.kill(t, why);
  }
}

/** The most threads a program's forms ask for with a literal `:cores n` or `:cores :all`
 *  (0 when none do; Infinity for :all): the threads a run can start before its first call needs
 *  them (Pool.warm keeps to the machine's cores). */
export function coresAskedIn(forms: readonly Value[]): number {
  const CORES = Keyword.of("cores");
  let most = 0;
  const walk = (x: Value, depth: number): void => {
    if (depth > 100) return;
    if (isVector(x)) for (const e of x) walk(e, depth + 1);
    for (let p = x; p instanceof Pair; p = p.cdr) {
      if (p.car === CORES && p.cdr instanceof Pair) {
        const n = p.cdr.car;
        if (n === Keyword.of("all")) most = Infinity;
        else if (typeof n === "number" && Number.isInteger(n) && n > 0) most = Math.max(most, n);
      } else walk(p.car, depth + 1);
    }
  };
  for (const f of forms) walk(f, 0);
  return most;
}

let shared: Pool | null = null;

/** The process's one pool (made at first use; its threads start when items come). */
export function sharedPool(): Pool {
  return (shared ??= new Pool());
}
