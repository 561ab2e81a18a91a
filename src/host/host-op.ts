// The bridge from a builtin to host I/O: start a promise with an AbortSignal, park the task,
// wake it with the value or an error value. Cancellation and timeouts abort the operation.
import { expectedGot } from "../core/messages.js";
import { describe } from "../syntax/printer.js";
import { ErrorValue, Keyword, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { Block } from "../vm/objects.js";
import type { Machine } from "../vm/machine.js";
import type { Wait } from "../runtime/task.js";
import { contextOf } from "../session/context.js";
import { timeoutError } from "../core/messages.js";
import { raise } from "../core/error.js";
import { num } from "../lib/args.js";

/** The most bytes a read takes by default: read-file, read-lines and load of a file, each output
 *  stream of sh and run, an HTTP response body (after decompression). A read that would take
 *  more stops there and returns an error value; :max-bytes raises (or lowers) it per call. Reads of
 *  endless files (/dev/zero, /proc/self/pagemap) end with that error instead of filling memory. */
export const MAX_READ_BYTES = 128 * 1024 * 1024;

/** The :max-bytes option of a reading builtin (default MAX_READ_BYTES). */
export function maxBytesOpt(op: string, opts: ReadonlyMap<string, Value>): number {
  const v = opts.get("max-bytes");
  if (v === undefined || v === null) return MAX_READ_BYTES;
  const n = num(op, v);
  if (!Number.isSafeInteger(n) || n < 0)
    raise(expectedGot(op, ":max-bytes to be a whole number of bytes", describe(n)));
  return n;
}

/** An error thrown by a read that passed its limit (code EFBIG); hostError and fsError word it. */
export function tooLarge(limit: number): Error {
  return Object.assign(new Error(`more than ${limit} bytes`), { code: "EFBIG", limit });
}

/** The reason of an EFBIG error: the limit and how to raise it. */
export function tooLargeReason(e: unknown): string | undefined {
  const limit = (e as { limit?: unknown } | undefined)?.limit;
  return typeof limit === "number"
    ? `larger than the read limit of ${limit} bytes (raise it with :max-bytes)`
    : undefined;
}

export interface HostOpOptions {
  /** ms; null for no deadline; undefined for the session's default timeout */
  timeout?: number | null;
  /** turns a rejection into an error value (default: hostError) */
  onError?: (e: unknown) => ErrorValue;
}

/** Translates a Node error into a readable error value; the raw code stays in the data. */
export function hostError(op: string, e: unknown, target?: string): ErrorValue {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code;
  const reason =
    tooLargeReason(e) ?? (code ? (ERROR_REASONS[code] ?? code) : err instanceof Error ? err.message : String(e));
  let data = LMap.EMPTY.set(Keyword.of("op"), op);
  if (code) data = data.set(Keyword.of("code"), code);
  if (target !== undefined) data = data.set(Keyword.of("target"), target);
  return new ErrorValue(`${op}: ${reason}${target !== undefined ? `: ${target}` : ""}`, data);
}

/** Readable reasons for Node's error codes, shared by every I/O area. */
export const ERROR_REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  EEXIST: "already exists",
  ENOTEMPTY: "directory not empty",
  EMFILE: "too many open files",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  ETIMEDOUT: "connection timed out",
  EPIPE: "broken pipe",
  EPERM: "operation not permitted",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system",
  ENFILE: "too many open files",
  EBUSY: "resource busy",
  EXDEV: "cross-device link",
  EIO: "input/output error",
  ERR_INVALID_ARG_VALUE: "invalid path",
  ERR_INVALID_ARG_TYPE: "invalid path",
  ERR_FS_FILE_TOO_LARGE: "file too large to read as a string",
  ERR_STRING_TOO_LONG: "file too large to read as a string",
  ABORT_ERR: "cancelled",
  EAI_AGAIN: "host lookup failed",
  EAI_FAIL: "host lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNABORTED: "connection aborted",
  EADDRNOTAVAIL: "address not available",
  ERR_INVALID_CHAR: "invalid character in a header",
  ERR_INVALID_HTTP_TOKEN: "invalid header name",
  ERR_UNESCAPED_CHARACTERS: "invalid characters in the URL",
  EBADBODY: "cannot decode the response body",
  EILSEQ: "not valid UTF-8 text (a binary file, or another encoding)",
  EFBIG: "larger than the read limit (raise it with :max-bytes)",
};

/** Runs start(signal) as a host operation of the current task; returns the Block to hand back.
 *  The signal aborts when the task is cancelled or the deadline passes. */
export function hostOp(
  m: Machine,
  op: string,
  start: (signal: AbortSignal) => Promise<Value>,
  o: HostOpOptions = {},
): Value {
  return cancellableHostOp(
    m,
    op,
    (onCancel) => {
      const ac = new AbortController();
      onCancel(() => ac.abort());
      return start(ac.signal);
    },
    o,
  );
}

/** hostOp for an operation that stops itself: start registers what cancels it with onCancel
 *  (run at most once: the task was cancelled or the deadline passed). No AbortController, whose
 *  EventTarget costs microseconds per listener: HTTP requests use this. */
export function cancellableHostOp(
  m: Machine,
  op: string,
  start: (onCancel: (stop: () => void) => void) => Promise<Value>,
  o: HostOpOptions = {},
): Value {
  const s = contextOf(m);
  const ms = o.timeout === undefined ? s.defaultTimeout : o.timeout;
  const wait: Wait = {
    op,
    loc: m.currentLoc(),
    io: true,
    park: (_t, wake) => {
      let stop: (() => void) | null = null;
      const cancel = () => {
        const f = stop;
        stop = null;
        if (f) f();
      };
      const timer =
        ms === null
          ? null
          : s.scheduler.after(ms, () => {
              cancel();
              wake(timeoutError(ms, op));
            });
      const done = () => {
        stop = null;
        if (timer) s.scheduler.timers.cancel(timer);
      };
      let p: Promise<Value>;
      try {
        p = start((f) => {
          stop = f;
        });
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (v) => {
          done();
          wake(v);
        },
        (e) => {
          done();
          wake(o.onError ? o.onError(e) : hostError(op, e));
        },
      );
      // the task was cancelled while it waited (the scheduler undoes its wait)
      return () => {
        if (timer) s.scheduler.timers.cancel(timer);
        cancel();
      };
    },
  };
  return new Block(wait);
}
