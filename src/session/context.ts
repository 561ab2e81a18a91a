// What a builtin may ask of the session that runs it: the host (everything outside the
// process), the scheduler, the global cells, reading and evaluating code. Builtins in lib/ and
// host/ depend on this interface only, never on session.ts, which imports them to register them:
// so the library and the session do not form an import cycle.
import type { Loc, Value } from "../core/types.js";
import type { Machine, MachineHost } from "../vm/machine.js";
import type { Cell } from "../vm/objects.js";
import type { Scheduler } from "../runtime/scheduler.js";
import type { Task } from "../runtime/task.js";
import type { Permissions } from "../sandbox/permissions.js";

/** Everything outside the process's memory that a session may touch: its output, its
 *  arguments and environment, its exit, and its grants. The CLI gives the process's own; a test
 *  or a server run gives each session its own. */
export interface Host {
  stdout(text: string): void;
  stderr(text: string): void;
  stderrIsTTY: boolean;
  argv: string[];
  env: NodeJS.ProcessEnv;
  exit(code: number): void;
  /** the working directory: relative paths of files, globs, databases and subprocesses start here */
  cwd: string;
  /** the width of the terminal stdout writes to, when it is one ((doc name) wraps its text to it) */
  readonly columns?: number;
  /** what the script may do outside the process (the sandbox); everything when absent */
  permissions?: Permissions;
  /** the upstream MCP servers the host trusts, reached by (mcp-server "NAME") (skein mcp --server) */
  mcpGateway?: McpGateway;
  /** told of every MCP tool call the script makes (skein mcp puts them in the run's result) */
  mcpLog?: (call: McpCallRecord) => void;
  /** the worker threads that `:cores` runs items on (src/workers); without them `:cores` runs
   *  the items in this session, as inside a worker itself */
  cores?: Cores;
}

/** Upstream MCP servers that the host connects to on the script's behalf, with the host's own
 *  configuration and credentials. Tools and results are JSON as the protocol gives them. */
export interface McpGateway {
  readonly servers: readonly string[];
  listTools(server: string, signal: AbortSignal): Promise<unknown[]>;
  callTool(server: string, tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
}

/** One MCP tool call as the run's log shows it. */
export interface McpCallRecord {
  server: string;
  tool: string;
  ms: number;
  ok: boolean;
  error?: string;
}

/** Worker threads, each running Skein sessions of its own: where `(parallel-map f xs :cores n)`
 *  sends its items. Implemented by src/workers/pool.ts. */
export interface Cores {
  /** how many cores this machine has (`:cores :all`) */
  readonly available: number;
  /** Packs f (its source, the globals it reaches, its captured values) and the session's
   *  settings for the workers. Raises, before any work starts, when f cannot cross. */
  batch(s: SessionContext, op: string, f: Value, cores: number): CoreBatch;
}

/** One parallel call's items on the worker threads. */
export interface CoreBatch {
  /** how many items the batch's threads hold at once: more started items would only wait, their
   *  deadlines running, so a parallel call starts at most this many */
  readonly capacity: number;
  /** Runs f on item on a worker; done gets its result (an error value when it failed or its
   *  worker died). Returns what stops it (the item's result is then never delivered). */
  run(item: Value, done: (result: Value) => void): () => void;
  /** no more items: the workers drop the batch's sessions */
  close(): void;
}

/** The session as its builtins see it. */
export interface SessionContext extends MachineHost {
  readonly host: Host;
  readonly scheduler: Scheduler;
  readonly machine: Machine;
  /** source text per file (what errors show their line from) */
  readonly sources: ReadonlyMap<string, string>;
  /** doc strings of functions defined in Skein (the prelude and user code) */
  readonly lispDocs: Map<string, { usage: string; doc: string }>;
  /** the usage and doc string of each special form, for (doc if) */
  readonly formDocs: ReadonlyMap<string, { usage: string; doc: string }>;
  /** the deadline of HTTP, subprocess and database calls without :timeout, in ms */
  defaultTimeout: number;
  /** the memory limit in MB: a script holding more ends with "out of memory" */
  maxMemoryMb: number;
  /** the highest maxMemoryMb may go (the process's limit, skein --max-memory) */
  readonly memoryCapMb: number;
  /** the script's global cell of a name */
  cell(name: string): Cell;
  /** the library's own value of a name, whatever the script has defined under it */
  libraryValue(name: string): Value | undefined;
  loadPrelude(): void;
  read(text: string, file: string): Value[];
  /** what a builtin running on m returns to compile and run form: a call request (or a job
   *  that expands a long macro first), or the form itself when it is self-evaluating */
  evalRequest(m: Machine, form: Value, at?: Loc | null): Value;
  spawnTask(fn: Value, args: Value[], spawnedAt: Loc | string | undefined, parent: Task | null, isMain?: boolean): Task;
  exit(code: number): void;
}

/** The session of the machine a builtin runs on. */
export function contextOf(m: Machine): SessionContext {
  return m.host as SessionContext;
}
/** The task a builtin runs in (null for a macro or the prelude, which belong to no task). */
export function taskOf(m: Machine): Task | null {
  return m.task as Task | null;
}
