// The messages between the pool (pool.ts, in the calling thread) and a worker (entry.ts).
import type { SandboxSpec } from "../sandbox/sandbox.js";
import type { McpCallRecord } from "../session/context.js";
import type { Enc } from "./codec.js";
import type { Pack } from "./crossing.js";

/** What a worker's session takes from the calling session: its Host's settings and its limits. */
export interface SessionConfig {
  cwd: string;
  env: Record<string, string | undefined>;
  argv: string[];
  /** the sandbox's grants (null: no sandbox) */
  sandbox: SandboxSpec | null;
  /** the deadline of HTTP, subprocess and database calls without :timeout, in ms */
  defaultTimeout: number;
  maxMemoryMb: number;
}

export type ToWorker =
  /** a parallel call: each worker makes a session for it when its first item comes */
  /** home: the calling session (a worker keeps one session per calling session and settings) */
  | { t: "batch"; batch: number; home: number; config: SessionConfig; pack: Pack }
  | { t: "item"; batch: number; job: number; item: Enc }
  | { t: "cancel"; job: number }
  /** the call is over: its session and any task still in it go */
  | { t: "end"; batch: number }
  /** a program in a fresh session of its own (isolated runs; a thread runs one at a time) */
  | { t: "run"; job: number; config: SessionConfig; source: string; file: string; run: RunSettings }
  /** the run is cancelled: its main task is cancelled, so its finally blocks run */
  | { t: "stop"; job: number }
  /** the calling thread's answer to a run's gateway call */
  | { t: "gateway-reply"; id: number; ok: true; value: unknown }
  | { t: "gateway-reply"; id: number; ok: false; error: string };

/** What an isolated run has besides its session's settings. */
export interface RunSettings {
  /** the deadline in ms, which the thread enforces itself (the pool only as a fallback) */
  timeoutMs: number;
  /** a second sandbox the run is held to: it may do only what both allow (null: none) */
  narrow: SandboxSpec | null;
  /** the names of the gateway's upstream MCP servers (null: no gateway) */
  servers: string[] | null;
  /** how many characters of each output stream the result keeps */
  outputLimit: number;
}

/** What a run's (mcp-server "NAME") asks of the gateway, which lives in the calling thread. */
export type GatewayCall =
  | { op: "listTools"; server: string }
  | { op: "callTool"; server: string; tool: string; args: Record<string, unknown> };

export type FromWorker =
  | { t: "result"; job: number; value: Enc }
  /** the job was cancelled and has stopped */
  | { t: "stopped"; job: number }
  | { t: "out"; home: number; stream: 1 | 2; text: string }
  /** the thread has begun the run: its deadline counts from now */
  | { t: "began"; job: number }
  | { t: "ran"; job: number; outcome: RunResult }
  /** a run asks the gateway (id: the call, unique on the thread) */
  | { t: "gateway"; job: number; id: number; call: GatewayCall }
  /** the run no longer waits for that call */
  | { t: "gateway-abort"; job: number; id: number };

/** The outcome of an isolated run (Pool.run). */
export interface RunResult {
  status: "done" | "failed" | "deadlock" | "exit" | "cancelled" | "timeout" | "crashed";
  /** the value, printed as -e shows it (write form, cut at SHOW_DEPTH levels) (when done) */
  value: string | null;
  /** the error, rendered with its position and source line (when it failed) */
  error: string | null;
  stdout: string;
  stderr: string;
  /** how many characters of each stream were left out past the run's output limit */
  leftOut: { stdout: number; stderr: number };
  exitCode: number;
  /** every MCP tool call the run made */
  calls: McpCallRecord[];
}
