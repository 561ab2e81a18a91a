// Files: read-file write-file append-file read-lines file-size file-exists? list-dir make-dir
// delete-file glob.
//
// Every operation is a host operation (hostOp): the task parks while node:fs/promises works, so
// thousands of reads overlap. The exception: read-file and read-lines of a regular file of at
// most 64 KB read it at once, synchronously — microseconds, cheaper than the thread pool's four
// round trips (this halves a grep over 10,000 small files). All of them share ONE limit of open operations (FS_LIMIT), so
// 10,000 parallel reads queue instead of failing with EMFILE; an EMFILE/ENFILE caused by
// something else (sockets, subprocesses) is retried with a short backoff.
//
// Deadlines: file operations have no deadline of their own (timeout: null) — a queued read of
// file 9,000 must not fail because files 1..8,999 took 30 s. Wrap them in (timeout ms thunk) to
// bound them; cancelling the task aborts a queued or running operation.
//
// Failures (missing file, is a directory, permission) return error values
// `op: cause: path` with {:op :path :code} in the data; a wrong argument type raises.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, join, resolve } from "node:path";
import { ErrorValue, Keyword, arrayToList, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import type { Machine } from "../vm/machine.js";
import { builtins } from "../lib/registry.js";
import { options, seq, str, truthy, typeError } from "../lib/args.js";
import { ERROR_REASONS, hostOp, maxBytesOpt, tooLarge, tooLargeReason } from "./host-op.js";
import { lazyRequire } from "../core/lazy.js";
import { absolute, guardPath } from "./guard.js";
import { pathWithin, physicalPath } from "../sandbox/paths.js";
import { contextOf } from "../session/context.js";
import { splitLines } from "../lib/strings.js";

/** node:fs/promises, loaded on the first asynchronous file operation (start-up does not pay for it) */
const fsp = () => lazyRequire<typeof import("node:fs/promises")>("node:fs/promises");
/** node:crypto, for temp file names */
const crypto = () => lazyRequire<typeof import("node:crypto")>("node:crypto");

const def = builtins("fs");
const kw = Keyword.of;

// ---- the shared limit --------------------------------------------------------------------

/** How many file operations may be in flight at once, process-wide. */
export const FS_LIMIT = 64;

interface Queued {
  start: () => void;
  dead: boolean;
}

/** A counting semaphore whose waiters can be aborted (a cancelled task leaves the queue). */
export class Limiter {
  private active = 0;
  private readonly queue: Queued[] = [];
  private head = 0;
  constructor(readonly max: number) {}

  get running(): number {
    return this.active;
  }
  get waiting(): number {
    return this.queue.length - this.head;
  }

  run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.max) {
      this.active++;
      return this.go(work);
    }
    return new Promise<T>((resolvePromise, reject) => {
      const onAbort = () => {
        entry.dead = true;
        reject(abortReason(signal));
      };
      const entry: Queued = {
        dead: false,
        start: () => {
          signal.removeEventListener("abort", onAbort);
          this.go(work).then(resolvePromise, reject);
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  private go<T>(work: () => Promise<T>): Promise<T> {
    let p: Promise<T>;
    try {
      p = work();
    } catch (e) {
      p = Promise.reject(e);
    }
    return p.finally(() => this.release());
  }

  /** Hands the slot to the next live waiter, or frees it. */
  private release(): void {
    while (this.head < this.queue.length) {
      const next = this.queue[this.head];
      this.queue[this.head++] = undefined as unknown as Queued;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (!next.dead) {
        next.start();
        return;
      }
    }
    this.active--;
  }
}

const fsLimit = new Limiter(FS_LIMIT);

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : Object.assign(new Error("aborted"), { code: "ABORT_ERR" });
}

/** True for "out of file descriptors" errors, which go away when other operations finish. */
export function isFdShortage(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === "EMFILE" || code === "ENFILE";
}

/** Waits ms, or rejects when the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(t);
      reject(abortReason(signal));
    };
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolvePromise();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs work, retrying with backoff while it fails for lack of file descriptors (about 10 s in all). */
export async function retryFdShortage<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (!isFdShortage(e) || attempt >= 60 || signal.aborted) throw e;
      await pause(Math.min(5 * 2 ** attempt, 200), signal);
    }
  }
}

// ---- errors ------------------------------------------------------------------------------

/** `op: reason: path`, with {:op :path :code} in the data. `shown` overrides the path in the message. */
export function fsError(op: string, path: string, e: unknown, reason?: string, shown = path): ErrorValue {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = typeof err?.code === "string" ? err.code : undefined;
  const why =
    reason ??
    tooLargeReason(e) ??
    (code ? (ERROR_REASONS[code] ?? code.toLowerCase()) : err instanceof Error ? err.message : String(e));
  let data = LMap.EMPTY.set(kw("op"), op).set(kw("path"), path);
  if (code) data = data.set(kw("code"), code);
  return new ErrorValue(`${op}: ${why}: ${shown}`, data);
}

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;
const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

// ---- the bridge --------------------------------------------------------------------------

/**
 * Checks the sandbox with the resolved absolute path, then runs work(abs, signal) as a host
 * operation under the shared limit. onError turns a rejection into the error value.
 */
function fileOp(
  m: Machine,
  op: string,
  cap: "read" | "write",
  path: string,
  work: (abs: string, signal: AbortSignal) => Promise<Value>,
  onError: (e: unknown) => ErrorValue = (e) => fsError(op, path, e),
  check = true,
  quick?: (abs: string) => Value | undefined,
  entry = false,
): Value {
  const abs = check ? guardPath(m, op, cap, path, { entry }) : absolute(contextOf(m).host.cwd, path);
  if (abs instanceof ErrorValue) return abs;
  const done = quick?.(abs);
  if (done !== undefined) return done;
  return hostOp(m, op, (signal) => fsLimit.run(signal, () => retryFdShortage(() => work(abs, signal), signal)), {
    timeout: null,
    onError,
  });
}

const pathArg = (op: string, v: Value): string => str(op, v);
const contentArg = (op: string, v: Value): string =>
  typeof v === "string" ? v : typeError(op, "a string to write", v);

/** The message for a missing parent directory of a file being written. */
function writeError(op: string, path: string) {
  return (e: unknown) =>
    codeOf(e) === "ENOENT" ? fsError(op, path, e, "no such directory", dirname(path)) : fsError(op, path, e);
}

/** Files up to this size are read at once, synchronously: reading a few kilobytes takes
 *  microseconds, less than the thread pool's round trips (open, stat, read, close) would. */
const QUICK_READ_MAX = 64 * 1024;

/** A small regular file's text, read synchronously; undefined for anything else (a missing or
 *  large file, a directory, any error), which then takes the asynchronous path and its messages. */
function readSmallFile(abs: string): Buffer | undefined {
  let fd: number;
  try {
    // never open a FIFO here: even a non-blocking open lets a waiting writer in, and closing it
    // then breaks that writer's pipe (readFifo reads them)
    if (statSync(abs).isFIFO()) return undefined;
    // O_NONBLOCK: a FIFO made between the stat and the open must not wait for a writer either
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    // size 0 is also what pseudo-files (/proc/loadavg) report: the general path reads them to the end
    if (!st.isFile() || st.size === 0 || st.size > QUICK_READ_MAX) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let n = 0;
    while (n < st.size) {
      const got = readSync(fd, buf, n, st.size - n, n);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Bytes as UTF-8 text; throws EILSEQ for bytes that are not (a binary file, or another encoding):
 *  text is never changed quietly (no U+FFFD in place of what could not be decoded). */
export function utf8Text(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (e) {
    // a TypeError is bytes that are not UTF-8; a RangeError, text longer than a string can hold
    throw e instanceof TypeError
      ? errno("EILSEQ", "not valid UTF-8")
      : errno("ERR_STRING_TOO_LONG", "too large for a string");
  }
}
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The bytes of a file, at most limit of them (else a tooLarge error): read to the end, since
 *  pseudo-files (/proc/loadavg) say they are empty and some (/dev/zero) never end. */
export async function readBounded(abs: string, limit: number, signal: AbortSignal): Promise<Buffer> {
  // one stat before opening decides all: a FIFO must not be opened here (see readFifo)
  const st = await fsp().stat(abs);
  if (st.isFIFO()) return readFifo(abs, limit, signal);
  if (st.isDirectory()) throw errno("EISDIR", "is a directory");
  if (st.isFile() && st.size > limit) throw tooLarge(limit);
  const fh = await fsp().open(abs, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      if (signal.aborted) throw abortReason(signal);
      const want = Math.min(Math.max(st.size - total + 1, 64 * 1024), 1024 * 1024);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw tooLarge(limit);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

/** A FIFO's bytes, without ever leaving a thread of the pool blocked (a blocked thread keeps the
 *  process from exiting, and stops every later file operation once the pool's four are taken).
 *  Opening waits for a writer, as `cat` does; a cancellation meanwhile opens and closes the write
 *  end, which lets that open return. The reading is then done on a non-blocking descriptor, which
 *  says "nothing yet" (EAGAIN) instead of waiting: it is asked again every few milliseconds, so a
 *  writer that never writes holds no thread either. */
async function readFifo(abs: string, limit: number, signal: AbortSignal): Promise<Buffer> {
  const release = () => {
    try {
      closeSync(openSync(abs, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader waits any more (ENXIO): nothing to release
    }
  };
  signal.addEventListener("abort", release, { once: true });
  let waiting;
  try {
    waiting = await fsp().open(abs, constants.O_RDONLY);
  } finally {
    signal.removeEventListener("abort", release);
  }
  let fh;
  try {
    if (signal.aborted) throw abortReason(signal);
    // a second, non-blocking descriptor; the first one kept the pipe's data until it was open
    fh = await fsp().open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } finally {
    await waiting.close();
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      if (signal.aborted) throw abortReason(signal);
      const buf = Buffer.allocUnsafe(64 * 1024);
      let got: number;
      try {
        got = (await fh.read(buf, 0, buf.length, null)).bytesRead;
      } catch (e) {
        if (codeOf(e) !== "EAGAIN") throw e;
        await new Promise((wake) => setTimeout(wake, FIFO_POLL_MS));
        continue;
      }
      if (got === 0) return Buffer.concat(chunks, total);
      total += got;
      if (total > limit) throw tooLarge(limit);
      chunks.push(buf.subarray(0, got));
    }
  } finally {
    await fh.close();
  }
}
const FIFO_POLL_MS = 5;

/** A file's text: the quick synchronous read of a small regular file, else a host operation. */
function readText(m: Machine, op: string, path: string, limit: number, shape: (text: string) => Value): Value {
  return fileOp(
    m,
    op,
    "read",
    path,
    async (abs, signal) => shape(utf8Text(await readBounded(abs, limit, signal))),
    undefined,
    true,
    (abs) => {
      const bytes = readSmallFile(abs);
      if (bytes === undefined) return undefined;
      try {
        if (bytes.length > limit) throw tooLarge(limit);
        return shape(utf8Text(bytes));
      } catch (e) {
        return fsError(op, path, e);
      }
    },
  );
}

// ---- atomic write ------------------------------------------------------------------------

/**
 * Writes content to a temp file beside the target, fsyncs it and renames it over the target, so
 * a reader or a crash (kill -9 included) sees the old content or the new, never a torn file.
 * A symlinked target is written through (its real path is replaced); an existing file keeps its
 * mode. A target that is not a regular file (a FIFO, a terminal, /dev/stderr) is written in place,
 * never replaced by a file. Temp files a killed writer left beside the target are removed.
 * mayWrite says where the sandbox lets the script write: when the temp file beside the target is
 * not allowed (a grant of the one file, not of its directory), no other file is made, and the
 * target is written in place (truncated, written, fsynced: not atomic).
 */
export async function atomicWrite(
  abs: string,
  content: string,
  signal?: AbortSignal,
  mayWrite: (path: string) => boolean = () => true,
): Promise<void> {
  let mode: number | undefined;
  try {
    // stat follows every link the kernel follows (/dev/stderr -> /proc/self/fd/2 -> a pipe)
    const st = await fsp().stat(abs);
    if (st.isDirectory()) throw errno("EISDIR", "is a directory");
    if (!st.isFile()) {
      await fsp().writeFile(abs, content, { encoding: "utf8", flag: "w", signal });
      return;
    }
    mode = st.mode & 0o7777;
  } catch (e) {
    if (codeOf(e) !== "ENOENT") throw e;
  }
  let target = abs;
  try {
    target = await fsp().realpath(abs);
  } catch (e) {
    if (codeOf(e) !== "ENOENT") throw e;
  }
  const prefix = `.${basename(target).slice(0, 100)}.`;
  const tmp = join(dirname(target), `${prefix}${process.pid}.${crypto().randomBytes(6).toString("hex")}.tmp`);
  if (!mayWrite(tmp)) {
    const fh = await fsp().open(target, "w", mode ?? 0o666);
    try {
      await fh.writeFile(content, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    return;
  }
  await removeStaleTemps(dirname(target), prefix, mayWrite);
  const fh = await fsp().open(tmp, "wx", mode ?? 0o666);
  try {
    await fh.writeFile(content, "utf8");
    if (mode !== undefined) await fh.chmod(mode);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp()
      .unlink(tmp)
      .catch(() => undefined);
    throw e;
  }
  await fh.close();
  try {
    if (signal?.aborted) throw abortReason(signal);
    await fsp().rename(tmp, target);
  } catch (e) {
    await fsp()
      .unlink(tmp)
      .catch(() => undefined);
    throw e;
  }
}

/** Removes the temp files of earlier writes to a target (prefix) whose writer process is gone. */
async function removeStaleTemps(dir: string, prefix: string, mayDelete: (path: string) => boolean): Promise<void> {
  let names: string[];
  try {
    names = await fsp().readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const pid = Number(name.slice(prefix.length).split(".")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    if (!mayDelete(join(dir, name))) continue; // the sandbox: only what the write grant covers
    await fsp()
      .unlink(join(dir, name))
      .catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return codeOf(e) === "EPERM";
  }
}

/** A filter of glob matches (relative to dir, or absolute): the match and every directory between
 *  a pattern's base and it are readable, each judged at its physical path. */
function readableMatch(dir: string, bases: string[], allows: (physical: string) => boolean): (f: string) => boolean {
  const seen = new Map<string, boolean>();
  const ok = (p: string): boolean => {
    let v = seen.get(p);
    if (v === undefined) {
      const real = physicalPath(p);
      v = real !== null && allows(real);
      seen.set(p, v);
    }
    return v;
  };
  return (f) => {
    const full = resolve(dir, f);
    if (!ok(full)) return false;
    for (let d = dirname(full); d !== dirname(d); d = dirname(d)) {
      if (bases.some((b) => pathWithin(b, d))) return true; // named by the pattern: the script knows it
      if (!ok(d)) return false;
    }
    return true;
  };
}

/** The directory a glob pattern cannot leave: its leading fixed segments, or / when ".." follows a wildcard. */
export function patternBase(cwd: string, pattern: string): string {
  const segs = pattern.split("/");
  const fixed: string[] = [];
  let i = 0;
  for (; i < segs.length - 1 && !/[*?[\]{}()!+@\\]/.test(segs[i]); i++) fixed.push(segs[i]);
  if (segs.slice(i).includes("..")) return "/";
  return resolve(cwd, fixed.join("/") || ".");
}

// ---- builtins ----------------------------------------------------------------------------

def(
  {
    name: "read-file",
    arity: [1, 3],
    usage: "(read-file path [:max-bytes n])",
    capability: "read",
    doc: 'The contents of the file as a string (UTF-8). A file that is not valid UTF-8 (a binary file, or text in another encoding) returns an error value with :code "EILSEQ" rather than text with replaced characters. A file larger than 128 MB (:max-bytes sets another limit) returns an error value with :code "EFBIG", also for files that never end (/dev/zero). A missing file, a directory or a permission problem returns an error value naming the path, e.g. {:error "read-file: no such file: logs/a.log" :op "read-file" :path "logs/a.log" :code "ENOENT"}.',
    examples: [
      ['(error? (read-file "definitely-missing.txt"))', "#t"],
      ['(error-msg (read-file "definitely-missing.txt"))', '"read-file: no such file: definitely-missing.txt"'],
    ],
  },
  (a, m) => {
    const { pos, opts } = options("read-file", a, 1, ["max-bytes"]);
    if (pos.length !== 1) typeError("read-file", "one path", pos[1]);
    const path = pathArg("read-file", pos[0]);
    return readText(m, "read-file", path, maxBytesOpt("read-file", opts), (text) => text);
  },
);

def(
  {
    name: "read-lines",
    arity: [1, 3],
    usage: "(read-lines path [:max-bytes n])",
    capability: "read",
    doc: "The file's lines as strings; a last newline adds no empty line. Without their terminators (\\n or \\r\\n). Failures (and files over the read limit, 128 MB unless :max-bytes says otherwise) return an error value, as for read-file.",
    examples: [['(error? (read-lines "definitely-missing.txt"))', "#t"]],
  },
  (a, m) => {
    const { pos, opts } = options("read-lines", a, 1, ["max-bytes"]);
    if (pos.length !== 1) typeError("read-lines", "one path", pos[1]);
    const path = pathArg("read-lines", pos[0]);
    return readText(m, "read-lines", path, maxBytesOpt("read-lines", opts), splitLines);
  },
);

def(
  {
    name: "write-file",
    arity: [2, 2],
    usage: "(write-file path content)",
    capability: "write",
    doc: "Replaces the file's contents with the string content (creating the file), atomically: it writes a temp file in the same directory, fsyncs it and renames it over the target, so a reader or a crash mid-write sees the old content or the new, never a torn file. In the sandbox, a write grant of the file alone (not of its directory) lets no other file be made: the file is then written in place. Returns nil; a missing directory or a permission problem returns an error value.",
    examples: [
      [
        '(error-msg (write-file "definitely-missing-dir/x.txt" "hi"))',
        '"write-file: no such directory: definitely-missing-dir"',
      ],
    ],
  },
  (a, m) => {
    const path = pathArg("write-file", a[0]);
    const content = contentArg("write-file", a[1]);
    return fileOp(
      m,
      "write-file",
      "write",
      path,
      async (abs, signal) => {
        const perms = contextOf(m).host.permissions;
        await atomicWrite(abs, content, signal, (p) => perms === undefined || perms.allows("write", p));
        return null;
      },
      writeError("write-file", path),
    );
  },
);

def(
  {
    name: "append-file",
    arity: [2, 2],
    usage: "(append-file path content)",
    capability: "write",
    doc: "Appends the string content to the file, creating it if missing. Returns nil; a missing directory or a permission problem returns an error value.",
    examples: [['(error? (append-file "definitely-missing-dir/x.txt" "hi"))', "#t"]],
  },
  (a, m) => {
    const path = pathArg("append-file", a[0]);
    const content = contentArg("append-file", a[1]);
    return fileOp(
      m,
      "append-file",
      "write",
      path,
      async (abs) => {
        await fsp().appendFile(abs, content, "utf8");
        return null;
      },
      writeError("append-file", path),
    );
  },
);

def(
  {
    name: "file-size",
    arity: [1, 1],
    usage: "(file-size path)",
    capability: "read",
    doc: "The size of the file in bytes; an error value for a missing file or a directory.",
    examples: [
      ['(error-msg (file-size "definitely-missing.txt"))', '"file-size: no such file: definitely-missing.txt"'],
    ],
  },
  (a, m) => {
    const path = pathArg("file-size", a[0]);
    return fileOp(m, "file-size", "read", path, async (abs) => {
      const st = await fsp().stat(abs);
      if (st.isDirectory()) throw errno("EISDIR", "is a directory");
      return st.size;
    });
  },
);

def(
  {
    name: "file-exists?",
    arity: [1, 1],
    usage: "(file-exists? path)",
    capability: "read",
    doc: "True when something (a file or a directory) exists at path; #f when it does not or cannot be looked at.",
    examples: [
      ['(file-exists? "definitely-missing.txt")', "#f"],
      ['(file-exists? ".")', "#t"],
    ],
  },
  (a, m) => {
    const path = pathArg("file-exists?", a[0]);
    return fileOp(m, "file-exists?", "read", path, async (abs) => {
      try {
        await fsp().stat(abs);
        return true;
      } catch (e) {
        if (isFdShortage(e)) throw e;
        return false;
      }
    });
  },
);

// ---- paths: text only, nothing is touched (no grant needed) ----------------------------

def(
  {
    name: "basename",
    arity: [1, 2],
    usage: "(basename path [suffix])",
    doc: "The last part of path (the file's name), without the suffix when given and path ends with it; a trailing / is ignored.",
    examples: [
      ['(basename "logs/archive/old.log")', '"old.log"'],
      ['(basename "logs/archive/old.log" ".log")', '"old"'],
      ['(basename "logs/archive/")', '"archive"'],
    ],
  },
  (a) =>
    a.length === 2 ? basename(pathArg("basename", a[0]), str("basename", a[1])) : basename(pathArg("basename", a[0])),
);

def.unary(
  {
    name: "dirname",
    usage: "(dirname path)",
    doc: 'The folder part of path: all but its last part ("." when there is none).',
    examples: [
      ['(dirname "logs/archive/old.log")', '"logs/archive"'],
      ['(dirname "old.log")', '"."'],
    ],
  },
  (p) => dirname(pathArg("dirname", p)),
);

def.unary(
  {
    name: "extension",
    usage: "(extension path)",
    doc: 'The extension of the last part of path, without its dot ("" when it has none).',
    examples: [
      ['(extension "logs/app.log")', '"log"'],
      ['(extension "archive.tar.gz")', '"gz"'],
      ['(extension "Makefile")', '""'],
    ],
  },
  (p) => extname(pathArg("extension", p)).slice(1),
);

def(
  {
    name: "path-join",
    arity: [1, Infinity],
    usage: "(path-join part ...)",
    doc: "The parts joined with /, with . and .. resolved and doubled slashes removed (an absolute part does not restart the path, as in node's path.join).",
    examples: [
      ['(path-join "logs" "archive" "old.log")', '"logs/archive/old.log"'],
      ['(path-join "logs/" "../data" "x.csv")', '"data/x.csv"'],
    ],
  },
  (a) => join(...a.map((p) => pathArg("path-join", p))),
);

def(
  {
    name: "list-dir",
    arity: [1, 1],
    usage: "(list-dir path)",
    capability: "read",
    doc: "The names (not paths) of the entries of the directory, sorted; an error value for a missing directory or a file.",
    examples: [
      ['(error-msg (list-dir "definitely-missing-dir"))', '"list-dir: no such directory: definitely-missing-dir"'],
    ],
  },
  (a, m) => {
    const path = pathArg("list-dir", a[0]);
    return fileOp(
      m,
      "list-dir",
      "read",
      path,
      async (abs) => arrayToList((await fsp().readdir(abs)).sort()),
      (e) => fsError("list-dir", path, e, codeOf(e) === "ENOENT" ? "no such directory" : undefined),
    );
  },
);

def(
  {
    name: "make-dir",
    arity: [1, 1],
    usage: "(make-dir path)",
    capability: "write",
    doc: "Creates the directory and any missing parents (like mkdir -p); nil, also when it exists already. An error value when a file is in the way or permission is missing.",
    examples: [['(make-dir ".")', "nil"]],
  },
  (a, m) => {
    const path = pathArg("make-dir", a[0]);
    return fileOp(
      m,
      "make-dir",
      "write",
      path,
      async (abs) => {
        await fsp().mkdir(abs, { recursive: true });
        return null;
      },
      (e) =>
        fsError(
          "make-dir",
          path,
          e,
          codeOf(e) === "EEXIST" || codeOf(e) === "ENOTDIR" ? "a file is in the way" : undefined,
        ),
      true,
      undefined,
      true,
    );
  },
);

def(
  {
    name: "delete-file",
    arity: [1, 3],
    usage: "(delete-file path [:recursive #t])",
    capability: "write",
    doc: "Deletes the file; nil. A directory is deleted (with everything in it) only with :recursive #t. A missing file returns an error value.",
    examples: [
      ['(error-msg (delete-file "definitely-missing.txt"))', '"delete-file: no such file: definitely-missing.txt"'],
    ],
  },
  (a, m) => {
    const { pos, opts } = options("delete-file", a, 1, ["recursive"]);
    if (pos.length !== 1) typeError("delete-file", "one path", pos[1]);
    const path = pathArg("delete-file", pos[0]);
    const recursive = truthy(opts.get("recursive") ?? false);
    return fileOp(
      m,
      "delete-file",
      "write",
      path,
      async (abs) => {
        if (recursive) {
          const st = await fsp().stat(abs);
          if (st.isDirectory()) {
            await fsp().rm(abs, { recursive: true });
            return null;
          }
        }
        await fsp().unlink(abs);
        return null;
      },
      (e) =>
        codeOf(e) === "EISDIR"
          ? fsError("delete-file", path, e, "is a directory (use :recursive #t to delete it and its contents)")
          : fsError("delete-file", path, e),
      true,
      undefined,
      true,
    );
  },
);

def(
  {
    name: "glob",
    arity: [1, Infinity],
    usage: "(glob pattern [:cwd dir] [:dot #t])",
    capability: "read",
    doc: 'The files (not directories) matching the pattern, as a sorted list of paths relative to the working directory, or to dir with :cwd. `*` matches within a name, `**` any depth of directories, `{a,b}` either; names starting with a dot only match with :dot #t. pattern may be a list of patterns, where "!pat" excludes. An absolute pattern gives absolute paths. A missing :cwd directory returns an error value.',
    examples: [['(glob "*.definitely-no-such-extension")', "()"]],
  },
  (a, m) => {
    const { pos, opts } = options("glob", a, 1, ["cwd", "dot"]);
    if (pos.length !== 1) typeError("glob", "one pattern (or a list of patterns)", pos[1]);
    const patterns = typeof pos[0] === "string" ? [pos[0]] : seq("glob", pos[0]).map((p) => str("glob", p));
    const cwdOpt = opts.get("cwd");
    const dir = cwdOpt === undefined || cwdOpt === null ? "." : str("glob", cwdOpt);
    const dot = truthy(opts.get("dot") ?? false);
    const positive = patterns.filter((p) => !p.startsWith("!"));
    const absolute = positive.length > 0 && positive.every((p) => isAbsolute(p));
    // the sandbox is asked for an explicit :cwd, for the fixed directory each pattern starts from
    // ("../x/*"), and for every match; the default working directory itself is not read
    const bases = positive.map((p) => patternBase(resolve(contextOf(m).host.cwd, dir), p));
    for (const [i, base] of bases.entries()) {
      const no = guardPath(m, "glob", "read", base, { shown: positive[i] });
      if (no instanceof ErrorValue) return no;
    }
    return fileOp(
      m,
      "glob",
      "read",
      dir,
      async (abs, signal) => {
        const st = await fsp().stat(abs);
        if (!st.isDirectory()) throw errno("ENOTDIR", "not a directory");
        // loaded on first use: start-up does not pay for the glob library
        const { glob: tinyglob } = lazyRequire<typeof import("tinyglobby")>("tinyglobby");
        const found = await tinyglob(patterns, {
          cwd: abs,
          dot,
          absolute,
          onlyFiles: true,
          expandDirectories: false,
          signal,
        });
        // the pattern check above cannot see everything (escaped dots "\\.\\./x", braces "{..,a}",
        // symbolic links the walk follows): each match is checked too, and so is every directory
        // the walk listed to find it (below the directories the patterns name), since its name
        // tells what that directory holds; a match with anything denied is left out
        const perms = contextOf(m).host.permissions;
        const allowed = perms ? found.filter(readableMatch(abs, bases, (p) => perms.allows("read", p))) : found;
        return arrayToList(allowed.sort());
      },
      (e) => fsError("glob", dir, e, codeOf(e) === "ENOENT" ? "no such directory" : undefined),
      cwdOpt !== undefined && cwdOpt !== null,
    );
  },
);
