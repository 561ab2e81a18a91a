// The messages between the pool (pool.ts, in the calling thread) and a worker (entry.ts).
import type { SandboxSpec } from "../sandbox/sandbox.js";
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
  /** a program in a fresh session of its own (isolated runs) */
  | { t: "run"; job: number; config: SessionConfig; source: string; file: string };

export type FromWorker =
  | { t: "result"; job: number; value: Enc }
  /** the job was cancelled and has stopped */
  | { t: "stopped"; job: number }
  | { t: "out"; home: number; stream: 1 | 2; text: string }
  | { t: "ran"; job: number; outcome: RunResult };

/** The outcome of an isolated run (Pool.run). */
export interface RunResult {
  status: "done" | "failed" | "deadlock" | "exit" | "cancelled" | "timeout" | "crashed";
  /** the value, printed as Skein writes it (when done) */
  value: string | null;
  /** the error, rendered with its position and source line (when it failed) */
  error: string | null;
  stdout: string;
  stderr: string;
  exitCode: number;
}
