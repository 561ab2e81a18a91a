// One `run` call inside a worker thread. The server (pool.ts) posts a RunRequest; the worker runs
// the code in a fresh Session whose Host collects the output, has the call's grants, environment
// and working directory, and reaches the gateway's upstream servers by messages to the server;
// it posts back the RunResult. A worker runs one call at a time and is reused for the next one
// when the call ended by itself; the server ends it (terminate) after a stop or a crash. The
// memory cap is the worker's own heap limit (resourceLimits), which the session's memory check
// reads, so a hog ends with Skein's "out of memory" error, or at worst kills only this worker.
import { lazyRequire } from "../core/lazy.js";
import { LispError } from "../core/error.js";
import { timeoutError } from "../core/messages.js";
import { Session, type Host } from "../session/session.js";
import type { McpCallRecord, McpGateway } from "../session/context.js";
import type { SandboxSpec } from "../sandbox/sandbox.js";
import { closeMcpConnections } from "../host/mcp.js";
import { showValue } from "../cli/show.js";
import { runPermissions } from "./grants.js";

export interface RunRequest {
  type: "run";
  code: string;
  args: string[];
  timeoutMs: number;
  ceiling: SandboxSpec;
  /** the call's narrowed grants (already checked against the ceiling), or null for the ceiling's */
  request: SandboxSpec | null;
  cwd: string;
  env: Record<string, string>;
  /** the names of the gateway's upstream servers */
  servers: string[];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** the final value in write form; null when the run failed */
  value: string | null;
  /** the error rendered as the CLI does (position, source line, stack); null when none */
  error: string | null;
  exit: number;
  /** every MCP tool call the run made */
  calls: McpCallRecord[];
}

/** Server → worker. */
export type ToWorker =
  | RunRequest
  | { type: "stop"; reason: "timeout" | "cancelled" }
  | { type: "gateway-reply"; id: number; ok: boolean; value?: unknown; error?: string };

/** Worker → server. */
export type FromWorker =
  | { type: "result"; result: RunResult }
  | { type: "gateway"; id: number; op: "listTools"; server: string }
  | { type: "gateway"; id: number; op: "callTool"; server: string; tool: string; args: Record<string, unknown> }
  | { type: "gateway-abort"; id: number };

/** How much of its stdout, and of its stderr, a run's result carries (characters): what a
 *  program prints goes into a model's context, and the rest would only crowd it out. */
export const OUTPUT_LIMIT = 1_000_000;

/** The file name errors of a run are shown under. */
export const RUN_FILE = "<run>";

/** Serves runs on this worker's port, one at a time. */
export function mcpWorker(): void {
  // loaded here, not at the top: the CLI bundle exports this function, and a script never needs it
  const port = lazyRequire<typeof import("node:worker_threads")>("node:worker_threads").parentPort;
  if (!port) throw new Error("mcpWorker runs in a worker thread");
  const post = (m: FromWorker) => port.postMessage(m);
  let stop: ((reason: "timeout" | "cancelled") => void) | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  const gateway = (servers: string[]): McpGateway => {
    const ask = (msg: FromWorker & { type: "gateway" }, signal: AbortSignal) =>
      new Promise<unknown>((resolve, reject) => {
        pending.set(msg.id, { resolve, reject });
        signal.addEventListener("abort", () => {
          pending.delete(msg.id);
          post({ type: "gateway-abort", id: msg.id });
          reject(signal.reason instanceof Error ? signal.reason : new Error("cancelled"));
        });
        post(msg);
      });
    return {
      servers,
      listTools: (server, signal) =>
        ask({ type: "gateway", id: nextId++, op: "listTools", server }, signal) as Promise<unknown[]>,
      callTool: (server, tool, args, signal) =>
        ask({ type: "gateway", id: nextId++, op: "callTool", server, tool, args }, signal),
    };
  };

  port.on("message", (msg: ToWorker) => {
    if (msg.type === "stop") stop?.(msg.reason);
    else if (msg.type === "gateway-reply") {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.value);
      else p?.reject(new Error(msg.error));
    } else
      void run(msg, gateway(msg.servers), (s) => (stop = s)).then((result) => {
        stop = null;
        post({ type: "result", result });
      });
  });
}

async function run(
  req: RunRequest,
  gateway: McpGateway,
  onStop: (stop: (reason: "timeout" | "cancelled") => void) => void,
): Promise<RunResult> {
  const out = { stdout: "", stderr: "" };
  const cut = { stdout: 0, stderr: 0 };
  const collect = (stream: "stdout" | "stderr", t: string) => {
    const room = OUTPUT_LIMIT - out[stream].length;
    if (t.length <= room) out[stream] += t;
    else {
      out[stream] += t.slice(0, Math.max(room, 0));
      cut[stream] += t.length - Math.max(room, 0);
    }
  };
  /** the output, with a note of how much was left out past the limit */
  const shown = (stream: "stdout" | "stderr") =>
    cut[stream] === 0
      ? out[stream]
      : `${out[stream]}\n[skein mcp: ${cut[stream]} more characters of ${stream} left out; the limit is ${OUTPUT_LIMIT}]\n`;
  let exit: number | null = null;
  const calls: McpCallRecord[] = [];
  const host: Host = {
    stdout: (t) => collect("stdout", t),
    stderr: (t) => collect("stderr", t),
    stderrIsTTY: false,
    argv: req.args,
    env: req.env,
    cwd: req.cwd,
    exit: (code) => {
      exit = code;
    },
    permissions: runPermissions(req.ceiling, req.request, req.cwd),
    mcpGateway: gateway,
    mcpLog: (c) => calls.push(c),
  };
  const session = new Session(host);
  const done = (value: string | null, error: string | null, code: number): RunResult => ({
    stdout: shown("stdout"),
    stderr: shown("stderr"),
    value,
    error,
    exit: code,
    calls,
  });
  let forms;
  try {
    forms = session.read(req.code, RUN_FILE);
  } catch (e) {
    if (e instanceof LispError) return done(null, session.renderError(e), 1);
    throw e;
  }
  let stopped: string | null = null;
  const stopWith = (reason: "timeout" | "cancelled") => {
    if (stopped !== null) return;
    stopped = reason === "timeout" ? timeoutError(req.timeoutMs, "run").message : "run: cancelled by the client";
    const main = session.scheduler.main;
    if (main) session.scheduler.cancel(main);
  };
  onStop(stopWith);
  const deadline = setTimeout(() => stopWith("timeout"), req.timeoutMs);
  const o = await session.run(forms, RUN_FILE);
  clearTimeout(deadline);
  await closeMcpConnections(host);
  if (stopped !== null) return done(null, stopped, 1);
  if (o.error) return done(null, session.renderError(o.error), o.code);
  if (o.status === "exit") return done(null, null, exit ?? o.code);
  return done(showValue(o.value), null, 0);
}
