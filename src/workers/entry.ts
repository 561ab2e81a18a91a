// A worker thread's main: Skein sessions, each with its own scheduler, running the items of the
// parallel calls the pool sends (one session per call, made at its first item on this worker),
// and isolated programs (one fresh session per run). Loaded by the pool as a file: this module's
// own file from the tsc output, the CLI bundle (which includes it) from the bundle.
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { LispError } from "../core/error.js";
import { ErrorValue, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { write } from "../syntax/printer.js";
import { Sandbox } from "../sandbox/sandbox.js";
import type { Task, Wait } from "../runtime/task.js";
import { Block, Builtin } from "../vm/objects.js";
import { Session, type Host, type RunOutcome } from "../session/session.js";
import type { TaskMachine } from "../session/task-machine.js";
import { dataOnly, decode, encode, type Enc } from "./codec.js";
import { unpack } from "./crossing.js";
import type { FromWorker, SessionConfig, ToWorker } from "./protocol.js";

/** workerData that marks a thread as a Skein worker (the bundle is loaded by the CLI too). */
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

function makeSession(config: SessionConfig, stdout: (t: string) => void, stderr: (t: string) => void): WorkerSession {
  const host: Host = {
    stdout,
    stderr,
    stderrIsTTY: false,
    argv: config.argv,
    env: config.env,
    cwd: config.cwd,
    // exit ends this session (the owner reports it), never the worker or the process
    exit: () => {},
  };
  if (config.sandbox) host.permissions = Sandbox.create(config.sandbox, { cwd: config.cwd });
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

interface Batch {
  msg: Extract<ToWorker, { t: "batch" }>;
  session: WorkerSession | null;
  fn: Value;
  jobs: Map<number, Task>;
}

export function startWorker(): void {
  const port = parentPort;
  if (port === null) return;
  const post = (m: FromWorker) => port.postMessage(m);
  const batches = new Map<number, Batch>();
  /** the batch of each job in flight */
  const jobBatch = new Map<number, Batch>();

  /** The batch's session, made at its first item (again after it ended on its own). */
  const sessionOf = (b: Batch): WorkerSession => {
    if (b.session !== null) return b.session;
    const id = b.msg.batch;
    const s = makeSession(
      b.msg.config,
      (text) => post({ t: "out", batch: id, stream: 1, text }),
      (text) => post({ t: "out", batch: id, stream: 2, text }),
    );
    s.onEnd = (o) => {
      // out of memory, deadlock or exit: the items in flight fail, and later ones get a new session
      b.session = null;
      const why = o.error ? o.error.message : `exit ${o.code} inside an item`;
      for (const [job, t] of b.jobs) {
        jobBatch.delete(job);
        const what =
          o.status === "deadlock"
            ? `deadlock: the item waits on ${t.waitingOn ?? "nothing"}, and nothing on its core can wake it`
            : why;
        post({ t: "result", job, value: failure(what) });
      }
      b.jobs.clear();
    };
    // The session's main task waits for ever; while the session has no items that wait counts as
    // host work (idle is not a deadlock), and while it has some it does not: items that all wait
    // on what nothing can wake are then a deadlock, which fails them rather than hang
    s.spawnTask(IDLE, [], "a worker thread", null, true);
    s.scheduler.hostWorkStarted();
    b.session = s;
    b.fn = unpack(s, b.msg.pack);
    return s;
  };

  const runItem = (m: Extract<ToWorker, { t: "item" }>) => {
    const b = batches.get(m.batch);
    if (b === undefined) {
      post({ t: "result", job: m.job, value: failure("the worker thread lost the call's function") });
      return;
    }
    let s: WorkerSession;
    try {
      s = sessionOf(b);
    } catch (e) {
      b.session = null;
      const msg = e instanceof LispError ? e.message : String(e);
      post({ t: "result", job: m.job, value: failure(`the function could not be rebuilt on another core: ${msg}`) });
      return;
    }
    const t = s.spawnTask(b.fn, [decode(m.item, dataOnly)], "a :cores item", null);
    b.jobs.set(m.job, t);
    jobBatch.set(m.job, b);
    if (b.jobs.size === 1) s.scheduler.hostWorkEnded();
    t.onDone((d) => {
      d.supervised = true;
      if (b.jobs.get(m.job) !== d) return;
      b.jobs.delete(m.job);
      jobBatch.delete(m.job);
      if (b.jobs.size === 0) s.scheduler.hostWorkStarted();
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

  const runProgram = (m: Extract<ToWorker, { t: "run" }>) => {
    let stdout = "",
      stderr = "";
    const s = makeSession(
      m.config,
      (t) => {
        stdout += t;
      },
      (t) => {
        stderr += t;
      },
    );
    const reply = (o: RunOutcome) =>
      post({
        t: "ran",
        job: m.job,
        outcome: {
          status: o.status,
          value: o.status === "done" && o.value !== undefined ? write(o.value) : null,
          error: o.error ? s.renderError(o.error) : null,
          stdout,
          stderr,
          exitCode: o.code,
        },
      });
    let forms: Value[];
    try {
      forms = s.read(m.source, m.file);
    } catch (e) {
      if (!(e instanceof LispError)) throw e;
      reply({ status: "failed", value: null, error: e, code: 1 });
      return;
    }
    void s.run(forms, m.file).then(reply);
  };

  port.on("message", (m: ToWorker) => {
    switch (m.t) {
      case "batch":
        batches.set(m.batch, { msg: m, session: null, fn: null, jobs: new Map() });
        break;
      case "item":
        runItem(m);
        break;
      case "cancel": {
        const b = jobBatch.get(m.job);
        const t = b?.jobs.get(m.job);
        if (b?.session && t) b.session.scheduler.cancel(t);
        else post({ t: "stopped", job: m.job });
        break;
      }
      case "end": {
        const b = batches.get(m.batch);
        batches.delete(m.batch);
        // what still runs is cancelled (its finally blocks run); the session goes with its last task
        if (b?.session) for (const t of b.jobs.values()) b.session.scheduler.cancel(t);
        break;
      }
      case "run":
        runProgram(m);
        break;
    }
  });
  post({ t: "ready" });
}

if (!isMainThread && workerData === WORKER_MARK) startWorker();
