// System builtins: the script's arguments and environment, exit, clocks, the working
// directory, and reading source files for load.
import { expectedGot } from "../core/messages.js";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { LispError, raise } from "../core/error.js";
import { ErrorValue, arrayToList } from "../core/types.js";
import { describe } from "../syntax/printer.js";
import { Block } from "../vm/objects.js";
import { builtins } from "../lib/registry.js";
import { num, str } from "../lib/args.js";
import { contextOf } from "../session/context.js";
import { denied, guardPath } from "./guard.js";
import { MAX_READ_BYTES } from "./host-op.js";

const def = builtins("system");

// ---- system --------------------------------------------------------------------------

def(
  {
    name: "command-line-args",
    arity: [0, 0],
    usage: "(command-line-args)",
    doc: 'The arguments after the script: skein s.lisp a b → ("a" "b").',
    examples: [],
  },
  (_a, m) => arrayToList(contextOf(m).host.argv),
);
def(
  {
    name: "getenv",
    arity: [1, 1],
    usage: "(getenv name)",
    doc: 'The environment variable\'s value, or nil. In the sandbox it needs --allow-env (or --allow-env=NAME); without it the result is an error value such as {:error "permission denied: getenv HOME (run with --allow-env)"}.',
    examples: [],
    capability: "env",
  },
  (a, m) => {
    const name = str("getenv", a[0]);
    const no = denied(m, "getenv", "env", name);
    if (no) return no;
    const env = contextOf(m).host.env;
    return Object.hasOwn(env, name) ? (env[name] ?? null) : null; // not "constructor" from the prototype
  },
);
def(
  {
    name: "exit",
    arity: [0, 1],
    usage: "(exit [code])",
    doc: "Ends the program with the exit status, a whole number from 0 to 255 (default 0). Any other status raises: a failure is never turned into a success by the operating system's wrap-around.",
    examples: [],
  },
  (a, m) => {
    const code = a.length ? num("exit", a[0]) : 0;
    if (!Number.isInteger(code) || code < 0 || code > 255)
      raise(expectedGot("exit", "a status from 0 to 255", describe(code)));
    contextOf(m).exit(code);
    return new Block({ op: "exit", loc: undefined, park: () => undefined });
  },
);
def(
  {
    name: "now",
    arity: [0, 0],
    usage: "(now)",
    doc: "Milliseconds since the Unix epoch.",
    examples: [["(number? (now))", "#t"]],
  },
  (_a, m) => contextOf(m).scheduler.clock.epochMs(),
);
def(
  {
    name: "monotonic-ms",
    arity: [0, 0],
    usage: "(monotonic-ms)",
    doc: "A monotonic clock in milliseconds, for measuring durations.",
    examples: [["(number? (monotonic-ms))", "#t"]],
  },
  (_a, m) => contextOf(m).scheduler.now(),
);
def(
  {
    name: "cwd",
    arity: [0, 0],
    usage: "(cwd)",
    doc: "The current working directory.",
    examples: [["(string? (cwd))", "#t"]],
  },
  (_a, m) => contextOf(m).host.cwd,
);

def(
  {
    name: "%read-file-forms",
    capability: "read",
    arity: [1, 1],
    usage: "(%read-file-forms path)",
    doc: "Reads every form of a source file (for load).",
    examples: [],
  },
  (a, m) => {
    const path = str("load", a[0]);
    const abs = guardPath(m, "load", "read", path);
    if (abs instanceof ErrorValue) raise(abs.message, abs.data);
    return arrayToList(contextOf(m).read(readSource(abs, path), path));
  },
);

/** The text of a source file; raises when it cannot be read, is not a regular file (opened
 *  without waiting, so that a FIFO cannot stop every task) or is larger than the read limit (a
 *  pseudo-file such as /proc/self/pagemap says it is empty and goes on for gigabytes). */
function readSource(abs: string, path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) raise(`load: not a regular file: ${path}`);
    const tooBig = () => raise(`load: larger than the read limit of ${MAX_READ_BYTES} bytes: ${path}`);
    if (st.size > MAX_READ_BYTES) tooBig();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size - total + 1, 64 * 1024), 1024 * 1024));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_READ_BYTES) tooBig();
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } catch (e) {
    if (e instanceof LispError) throw e;
    return raise(`load: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
