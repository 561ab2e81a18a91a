// The memory limit of a run: how much JavaScript heap a script may use (skein --max-memory,
// set-max-memory!). V8 itself aborts the process with a native "heap limit" crash; the session
// ends the program with a Skein error well before V8's own limit is reached.
import { lazyRequire } from "../core/lazy.js";

// loaded on first use: node:v8 costs milliseconds at start-up, which a short script never needs
const v8 = () => lazyRequire<typeof import("node:v8")>("node:v8");

const MB = 1024 * 1024;

/** V8's heap limit for this process, in MB (set by node --max-old-space-size, else by the
 *  machine's memory). */
export function heapLimitMb(): number {
  return Math.floor(v8().getHeapStatistics().heap_size_limit / MB);
}

/** The part of V8's limit a script may use: the rest is room for one large allocation (a file
 *  read, a JSON parse) that happens between two checks. */
export const USABLE = 0.75;

/** The default memory limit: three quarters of V8's heap limit, which V8 derives from the
 *  machine's memory (a quarter of it, at most about 4 GB): about 3 GB on a 16 GB machine. */
export function defaultMaxMemoryMb(): number {
  return Math.floor(heapLimitMb() * USABLE);
}

/** The largest single allocation V8 makes, in MB: a string of its greatest length (2^29 - 24
 *  characters) two bytes each, or an array of its greatest length, about 1 GB either way. */
export const LARGEST_ALLOCATION_MB = 1024;

/** The heap limit for a memory limit of limitMb: a quarter of the heap above it, as the default
 *  leaves, plus the largest single allocation. The session checks its memory between steps, so
 *  one builtin call (string-upcase of a huge string) can allocate far past the limit at once;
 *  and a thread whose one allocation reaches V8's own limit does not fail alone, it takes the
 *  whole process down (nodejs/node#47224): an MCP server and every run in it. With the room, the
 *  allocation succeeds and the session's next check ends the run with "out of memory". What
 *  skein --max-memory gives a node of its own, and the pool its threads. */
export function heapFor(limitMb: number): number {
  return Math.ceil(limitMb / USABLE) + 1 + LARGEST_ALLOCATION_MB;
}

/** The JavaScript heap in use, in bytes. */
export function heapUsed(): number {
  return v8().getHeapStatistics().used_heap_size;
}

let gc: (() => void) | undefined;

/** The heap in use after a full garbage collection: what the script really holds (the heap in
 *  use also counts garbage that V8 has not collected yet). */
export function heapLive(): number {
  if (gc === undefined) {
    v8().setFlagsFromString("--expose-gc");
    gc = lazyRequire<typeof import("node:vm")>("node:vm").runInNewContext("gc") as () => void;
  }
  gc();
  return heapUsed();
}

export function mb(bytes: number): number {
  return bytes / MB;
}
