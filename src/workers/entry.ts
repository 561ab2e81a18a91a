// A worker thread's main: Skein sessions, each with its own scheduler, running the items of the
// parallel calls the pool sends (one session per call, made at its first item on this worker),
// and isolated programs (one fresh session per run, one run at a time: skein mcp's `run` calls),
// with their own deadline, cancellation, output limit and gateway to the calling thread's
// upstream MCP servers. Loaded by the pool as a file: this module's own file from the tsc output,
// the CLI bundle (which includes it) from the bundle.
import { lazyRequire } from "../core/lazy.js";
import { LispError } from "../core/error.js";
import { timeoutError } from "../core/messages.js";
import { ErrorValue, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { write } from "../syntax/printer.js";
import { showValue } from "../syntax/show.js";
import { Sandbox, type SandboxSpec } from "../sandbox/sandbox.js";
import { bothAllow } from "../sandbox/permissions.js";
import type { Task, Wait } from "../runtime/task.js";
import { Block, Builtin } from "../vm/objects.js";
import { Session, type Host, type RunOutcome } from "../session/session.js";
import type { McpCallRecord, McpGateway } from "../session/context.js";
import type { TaskMachine } from "../session/task-machine.js";
import { closeMcpConnections } from "../host/mcp.js";
import { dataOnly, decode, encode, type Enc } from "./codec.js";
import { unpack } from "./crossing.js";
import type { FromWorker, GatewayCall, RunResult, SessionConfig, ToWorker } from "./protocol.js";

/** The error of a run cancelled through its signal (MCP cancellation). */
export const RUN_CANCELLED = "run: cancelled";

/** workerData (and an argument) that marks a thread as a Skein worker (the bundle is loaded by
 *  the CLI too). */
export const WORKER_MARK = "skein-worker";

/** A session that tells its owner when it ends on its own (out of memory, exit). */
class WorkerSession extends Session {
  onEnd: (o: RunOutcome) => void = () => {};
  override end(o: RunOutcome): void {
    super.end(o);
    const f = this.onEnd;
    this.onEnd = () => {};
    f(o);
  }
}

/** A worker's session. A run's also has `more` of the Host (its gateway and call log) and may be
 *  held to a second, narrower sandbox. */
function makeSession(
  config: SessionConfig,
  stdout: (t: string) => void,
  stderr: (t: string) => void,
  more: Partial<Host> = {},
  narrow: SandboxSpec | null = null,
): WorkerSession {
  const host: Host = {
    stdout,
    stderr,
    stderrIsTTY: false,
    argv: config.argv,
    env: config.env,
    cwd: config.cwd,
    // exit ends this session (the owner reports it), never the worker or the process
    exit: () => {},
    ...more,
  };
  if (config.sandbox) host.permissions = Sandbox.create(config.sandbox, { cwd: config.cwd });
  if (narrow) host.permissions = bothAllow(host.permissions, Sandbox.create(narrow, { cwd: config.cwd }));
  const s = new WorkerSession(host, { maxMemoryMb: config.maxMemoryMb });
  s.defaultTimeout = config.defaultTimeout;
  return s;
}

const notData = (v: Value): Enc => {
  throw new ErrorValue(`the result cannot cross back from another core: it holds ${write(v).slice(0, 40)}`, LMap.EMPTY);
};

/** A result as it crosses back: a value that is not data becomes an error value saying so. */
function encodeResult(v: Value): Enc {
  try {
    return encode(v, notData);
  } catch (e) {
    if (e instanceof ErrorValue) return encode(e, notData);
    throw e;
  }
}

const failure = (message: string): Enc => encode(new ErrorValue(message, LMap.EMPTY), notData);

/** What a worker session's main task runs: a wait that nothing ends. */
const IDLE = new Builtin(
  "%wait-for-items",
  0,
  0,
  () => new Block({ op: "waiting for items", loc: undefined, park: () => undefined } satisfies Wait),
);

/** The worker's session for one calling session and its settings: made at its first item, kept
 *  warm between calls (its prelude loaded, the functions it rebuilt hot) until it ends. */
interface Home {
  key: string;
  session: WorkerSession;
  /** its items in flight, by job */
  jobs: Map<number, Task>;
  /** the functions rebuilt in it, by their packed definitions */
  built: Map<string, Value>;
  ended: boolean;
}

/** How many homes a worker keeps (the least recently used idle one goes first). */
const MAX_HOMES = 8;

interface Batch {
  msg: Extract<ToWorker, { t: "batch" }>;
  home: Home | null;
  fn: Value;
  /** its jobs in flight */
  jobs: Set<number>;
}

/** One output stream of a run: its first `limit` characters, and how many more were left out. */
class Kept {
  text = "";
  leftOut = 0;
  constructor(private readonly limit: number) {}
  readonly add = (t: string): void => {
    const room = Math.max(this.limit - this.text.length, 0);
    if (t.length <= room) this.text += t;
    else {
      this.text += t.slice(0, room);
      this.leftOut += t.length - room;
    }
  };
}

export function startWorker(): void {
  const {
    isMainThread,
    parentPort: port,
    workerData,
  } = lazyRequire<typeof import("node:worker_threads")>("node:worker_threads");
  if (isMainThread || port === null || workerData !== WORKER_MARK) return;
  const post = (m: FromWorker) => port.postMessage(m);
  const batches = new Map<number, Batch>();
  const homes = new Map<string, Home>();
  /** the home of each job in flight */
  const jobHome = new Map<number, Home>();

  const homeFor = (msg: Batch["msg"]): Home => {
    const key = `${msg.home}\n${JSON.stringify(msg.config)}`;
    let h = homes.get(key);
    if (h !== undefined) {
      homes.delete(key); // most recently used last
      homes.set(key, h);
      return h;
    }
    const home = msg.home;
    const session = makeSession(
      msg.config,
      (text) => post({ t: "out", home, stream: 1, text }),
      (text) => post({ t: "out", home, stream: 2, text }),
    );
    const made: Home = { key, session, jobs: new Map(), built: new Map(), ended: false };
    session.onEnd = (o) => {
      // out of memory, deadlock or exit: its items in flight fail; later ones get a new home
      made.ended = true;
      homes.delete(key);
      const why = o.error ? o.error.message : `exit ${o.code} inside an item`;
      for (const [job, t] of made.jobs) {
        jobHome.delete(job);
        const what =
          o.status === "deadlock"
            ? `deadlock: the item waits on ${t.waitingOn ?? "nothing"}, and nothing on its core can wake it`
            : why;
        post({ t: "result", job, value: failure(what) });
      }
      made.jobs.clear();
    };
    // The session's main task waits for ever; while the session has no items that wait counts as
    // host work (idle is not a deadlock), and while it has some it does not: items that all wait
    // on what nothing can wake are then a deadlock, which fails them rather than hang
    session.spawnTask(IDLE, [], "a worker thread", null, true);
    session.scheduler.hostWorkStarted();
    homes.set(key, made);
    if (homes.size > MAX_HOMES)
      for (const old of homes.values())
        if (old.jobs.size === 0 && old !== made) {
          homes.delete(old.key);
          break;
        }
    return made;
  };

  /** The batch's home, with its function rebuilt there (again if its home ended). */
  const homeOf = (b: Batch): Home => {
    if (b.home !== null && !b.home.ended) return b.home;
    const h = homeFor(b.msg);
    b.fn = unpack(h.session, b.msg.pack, h.built);
    b.home = h;
    return h;
  };

  const runItem = (m: Extract<ToWorker, { t: "item" }>) => {
    const b = batches.get(m.batch);
    if (b === undefined) {
      post({ t: "result", job: m.job, value: failure("the worker thread lost the call's function") });
      return;
    }
    let h: Home;
    try {
      h = homeOf(b);
    } catch (e) {
      b.home = null;
      const msg = e instanceof LispError ? e.message : String(e);
      post({ t: "result", job: m.job, value: failure(`the function could not be rebuilt on another core: ${msg}`) });
      return;
    }
    const s = h.session;
    const t = s.spawnTask(b.fn, [decode(m.item, dataOnly)], "a :cores item", null);
    h.jobs.set(m.job, t);
    b.jobs.add(m.job);
    jobHome.set(m.job, h);
    if (h.jobs.size === 1) s.scheduler.hostWorkEnded();
    t.onDone((d) => {
      d.supervised = true;
      b.jobs.delete(m.job);
      if (h.jobs.get(m.job) !== d) return;
      h.jobs.delete(m.job);
      jobHome.delete(m.job);
      if (h.jobs.size === 0) s.scheduler.hostWorkStarted();
      const tm = d as TaskMachine;
      if (d.state === "cancelled") post({ t: "stopped", job: m.job });
      else if (d.state === "failed")
        post({
          t: "result",
          job: m.job,
          value: encodeResult(tm.failure ? tm.failure.value : new ErrorValue("task failed", LMap.EMPTY)),
        });
      else post({ t: "result", job: m.job, value: encodeResult(tm.val) });
    });
  };

  /** how the run in progress is stopped (cancelled), by job */
  const stops = new Map<number, () => void>();
  /** the gateway calls waiting for their answer, by id */
  const asked = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextCall = 1;

  /** A run's gateway: each call is a message to the calling thread, whose gateway answers it. */
  const gatewayOf = (job: number, servers: string[]): McpGateway => {
    const ask = (call: GatewayCall, signal: AbortSignal) =>
      new Promise<unknown>((resolve, reject) => {
        const id = nextCall++;
        const onAbort = () => {
          asked.delete(id);
          post({ t: "gateway-abort", job, id });
          reject(signal.reason instanceof Error ? signal.reason : new Error("cancelled"));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        const settled = () => signal.removeEventListener("abort", onAbort);
        asked.set(id, {
          resolve: (v) => (settled(), resolve(v)),
          reject: (e) => (settled(), reject(e)),
        });
        post({ t: "gateway", job, id, call });
      });
    return {
      servers,
      listTools: (server, signal) => ask({ op: "listTools", server }, signal) as Promise<unknown[]>,
      callTool: (server, tool, args, signal) => ask({ op: "callTool", server, tool, args }, signal),
    };
  };

  const runProgram = (m: Extract<ToWorker, { t: "run" }>) => {
    post({ t: "began", job: m.job });
    const { timeoutMs, narrow, servers, outputLimit } = m.run;
    const out = new Kept(outputLimit);
    const err = new Kept(outputLimit);
    const calls: McpCallRecord[] = [];
    const more: Partial<Host> = { mcpLog: (c) => calls.push(c) };
    if (servers !== null) more.mcpGateway = gatewayOf(m.job, servers);
    const s = makeSession(m.config, out.add, err.add, more, narrow);
    const reply = (status: RunResult["status"], value: string | null, error: string | null, exitCode: number) =>
      post({
        t: "ran",
        job: m.job,
        outcome: {
          status,
          value,
          error,
          stdout: out.text,
          stderr: err.text,
          leftOut: { stdout: out.leftOut, stderr: err.leftOut },
          exitCode,
          calls,
        },
      });
    let forms: Value[];
    try {
      forms = s.read(m.source, m.file);
    } catch (e) {
      if (!(e instanceof LispError)) throw e;
      reply("failed", null, s.renderError(e), 1);
      return;
    }
    // a deadline or a cancellation cancels every task of the run, as task-cancel does: their
    // finally blocks run. (Cancelling the main task alone left a task it spawned running after
    // the main forms had returned, until the thread was ended and the output lost.)
    let stopped: { status: "timeout" | "cancelled"; error: string } | null = null;
    const stop = (status: "timeout" | "cancelled", error: string) => {
      if (stopped !== null) return;
      stopped = { status, error };
      for (const t of [...s.scheduler.live]) s.scheduler.cancel(t);
    };
    stops.set(m.job, () => stop("cancelled", RUN_CANCELLED));
    const deadline = setTimeout(() => stop("timeout", timeoutError(timeoutMs).message), timeoutMs);
    void s.run(forms, m.file).then(async (o: RunOutcome) => {
      clearTimeout(deadline);
      stops.delete(m.job);
      // the connections the run opened itself (mcp-connect) end with it
      await closeMcpConnections(s.host);
      if (stopped !== null) reply(stopped.status, null, stopped.error, 1);
      else
        reply(
          o.status,
          o.status === "done" && o.value !== undefined ? showValue(o.value) : null,
          o.error ? s.renderError(o.error) : null,
          o.code,
        );
    });
  };

  port.on("message", (m: ToWorker) => {
    switch (m.t) {
      case "batch":
        batches.set(m.batch, { msg: m, home: null, fn: null, jobs: new Set() });
        break;
      case "item":
        runItem(m);
        break;
      case "cancel": {
        const h = jobHome.get(m.job);
        const t = h?.jobs.get(m.job);
        if (h && t) h.session.scheduler.cancel(t);
        else post({ t: "stopped", job: m.job });
        break;
      }
      case "end": {
        // what still runs is cancelled (its finally blocks run); the home stays warm
        const b = batches.get(m.batch);
        batches.delete(m.batch);
        if (b?.home)
          for (const job of b.jobs) {
            const t = b.home.jobs.get(job);
            if (t) b.home.session.scheduler.cancel(t);
          }
        break;
      }
      case "run":
        runProgram(m);
        break;
      case "stop":
        stops.get(m.job)?.();
        break;
      case "gateway-reply": {
        const call = asked.get(m.id);
        asked.delete(m.id);
        if (m.ok) call?.resolve(m.value);
        else call?.reject(new Error(m.error));
        break;
      }
    }
  });
}

// the argument is seen without loading node:worker_threads, which the CLI does not pay for at
// start-up; startWorker then checks the thread for real
if (process.argv.includes(WORKER_MARK)) startWorker();
