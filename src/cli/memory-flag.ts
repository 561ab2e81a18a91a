// --max-memory MB: the memory limit of the run (src/session/memory.ts). V8 aborts the process
// when its own heap limit is reached, so the limit must stay below V8's by a margin: a limit
// above the default re-runs the program in a node with a heap limit raised to match.
import { lazyRequire } from "../core/lazy.js";
import { USABLE, heapFor, heapLimitMb } from "../session/memory.js";

export class MemoryFlagError extends Error {}

/** Takes --max-memory MB (or --max-memory=MB) out of the flags at the front of argv (before
 *  FILE, -e or repl); the limit is undefined when there is none (the session's default). */
export function parseMemoryFlag(argv: readonly string[]): { maxMemoryMb: number | undefined; rest: string[] } {
  const rest = [...argv];
  let maxMemoryMb: number | undefined;
  for (let i = 0; i < rest.length && rest[i].startsWith("--"); i++) {
    const m = /^--max-memory(?:=(.*))?$/s.exec(rest[i]);
    if (m === null) continue;
    const text = m[1] ?? rest[i + 1];
    rest.splice(i, m[1] === undefined ? 2 : 1);
    i--;
    if (text === undefined || !/^[1-9][0-9]*$/.test(text))
      throw new MemoryFlagError(
        `--max-memory needs a whole number of MB, got ${text === undefined ? "nothing" : JSON.stringify(text)}`,
      );
    maxMemoryMb = Number(text);
  }
  return { maxMemoryMb, rest };
}

/** When maxMemoryMb leaves V8 too little room above it, runs this same command again in a node
 *  whose heap limit fits it and returns its exit status; undefined when this process will do. */
export function rerunWithHeapFor(maxMemoryMb: number | undefined): number | undefined {
  if (maxMemoryMb === undefined || maxMemoryMb <= heapLimitMb() * USABLE) return undefined;
  const heap = heapFor(maxMemoryMb);
  // loaded only here: a run that needs no larger heap does not pay for child_process at start-up
  const { spawnSync } = lazyRequire<typeof import("node:child_process")>("node:child_process");
  const r = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heap}`, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: "inherit" },
  );
  if (r.error) throw r.error;
  if (r.signal) {
    process.kill(process.pid, r.signal);
  }
  return r.status ?? 1;
}
