// The workers that run `run` calls (worker.ts), one call per worker at a time. A worker that
// finished a call by itself waits, warm, for the next; one that was stopped (deadline,
// cancellation), ran out of memory or crashed is ended and replaced on demand. Concurrent calls
// take separate workers, up to MAX_WORKERS; calls beyond that wait for one to be free.
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import type { FromWorker, RunRequest, RunResult, ToWorker } from "./worker.js";

/** How many calls run at once. */
export const MAX_WORKERS = 64;
/** How long a stopped run may take to unwind (its finally blocks, closing its servers) before
 *  its worker is ended regardless. */
export const STOP_GRACE_MS = 1000;

/** Answers the gateway requests of a run (the server's upstream connections). */
export type GatewayHandler = (msg: FromWorker & { type: "gateway" }, signal: AbortSignal) => Promise<unknown>;

/** The code a worker starts with: the CLI bundle when the server runs from it (one file loads
 *  much faster than the module graph), else the compiled module. */
function workerSource(): string {
  const here = import.meta.url;
  if (here.endsWith(".cjs")) return `require(${JSON.stringify(fileURLToPath(here))}).mcpWorker();`;
  const worker = new URL("./worker.js", here).href;
  return `import(${JSON.stringify(worker)}).then((m) => m.mcpWorker());`;
}

export class RunPool {
  private readonly idle: Worker[] = [];
  private busy = 0;
  private readonly queue: (() => void)[] = [];
  private readonly source = workerSource();

  constructor(
    /** each worker's heap limit, in MB: a run's memory cap */
    private readonly memoryMb: number,
    private readonly gateway: GatewayHandler,
  ) {}

  /** Starts n workers ahead of the first calls. */
  warm(n: number): void {
    for (let i = this.idle.length; i < n; i++) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    const w = new Worker(this.source, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb },
      stdout: true,
      stderr: true,
    });
    // whatever the worker's own console writes is dropped: stdout is the protocol's channel
    w.stdout.resume();
    w.stderr.resume();
    w.unref();
    return w;
  }

  /** Runs one call; the signal stops it (MCP cancellation). Never rejects. */
  async run(req: RunRequest, signal: AbortSignal): Promise<RunResult> {
    if (this.busy >= MAX_WORKERS) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.busy++;
    try {
      return await this.runOn(this.idle.pop() ?? this.spawn(), req, signal);
    } finally {
      this.busy--;
      this.queue.shift()?.();
    }
  }

  private runOn(w: Worker, req: RunRequest, signal: AbortSignal): Promise<RunResult> {
    return new Promise((resolve) => {
      const aborts = new Map<number, AbortController>();
      let settled = false;
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      const failed = (error: string): RunResult => ({ stdout: "", stderr: "", value: null, error, exit: 1, calls: [] });
      const finish = (result: RunResult, reusable: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(killTimer);
        signal.removeEventListener("abort", onAbort);
        w.off("message", onMessage);
        w.off("error", onError);
        w.off("exit", onExit);
        for (const ac of aborts.values()) ac.abort();
        if (reusable) this.idle.push(w);
        else void w.terminate();
        resolve(result);
      };
      const stop = (reason: "timeout" | "cancelled") => {
        if (killTimer !== undefined) return;
        w.postMessage({ type: "stop", reason } satisfies ToWorker);
        killTimer = setTimeout(
          () =>
            finish(
              failed(
                reason === "timeout"
                  ? `run: timeout after ${req.timeoutMs}ms (the run did not stop in time and was ended)`
                  : "run: cancelled by the client",
              ),
              false,
            ),
          STOP_GRACE_MS,
        );
      };
      const onMessage = (msg: FromWorker) => {
        if (msg.type === "result") finish(msg.result, killTimer === undefined);
        else if (msg.type === "gateway-abort") aborts.get(msg.id)?.abort();
        else {
          const ac = new AbortController();
          aborts.set(msg.id, ac);
          this.gateway(msg, ac.signal)
            .then(
              (value) => ({ type: "gateway-reply", id: msg.id, ok: true, value }) as const,
              (e: unknown) =>
                ({
                  type: "gateway-reply",
                  id: msg.id,
                  ok: false,
                  error: e instanceof Error ? e.message : String(e),
                }) as const,
            )
            .then((reply: ToWorker) => {
              aborts.delete(msg.id);
              if (!settled) w.postMessage(reply);
            });
        }
      };
      const onError = (e: Error & { code?: string }) =>
        finish(
          failed(
            e.code === "ERR_WORKER_OUT_OF_MEMORY"
              ? `out of memory: the run used more than its ${this.memoryMb} MB (skein mcp --max-memory MB)`
              : `internal error: the run's worker failed: ${e.message}`,
          ),
          false,
        );
      const onExit = (code: number) => finish(failed(`internal error: the run's worker exited (${code})`), false);
      const onAbort = () => stop("cancelled");
      // the worker enforces the deadline itself; this one only ends a run that did not stop
      const deadline = setTimeout(() => stop("timeout"), req.timeoutMs + STOP_GRACE_MS);
      w.on("message", onMessage);
      w.on("error", onError);
      w.on("exit", onExit);
      if (signal.aborted) return finish(failed("run: cancelled by the client"), true);
      signal.addEventListener("abort", onAbort);
      w.postMessage(req satisfies ToWorker);
    });
  }

  /** Ends every worker. */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }
}
