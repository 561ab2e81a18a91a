// The one error class of Skein, and the renderer used by the CLI, the REPL and the tests.
import { ErrorValue, formatLoc, type Loc } from "./types.js";
import { LMap } from "./map.js";

export type ErrorKind = "read" | "syntax" | "runtime" | "deadlock";

/** A raised error. Carries the error value that `catch` receives. */
export class LispError extends Error {
  loc: Loc | undefined;
  /** Lisp call stack, innermost first: "name (file:line:col)". */
  lispStack: string[] = [];
  hint: string | undefined;
  constructor(
    readonly kind: ErrorKind,
    readonly value: ErrorValue,
    loc?: Loc,
    hint?: string,
  ) {
    super(value.message);
    this.loc = loc;
    this.hint = hint;
  }
  static of(kind: ErrorKind, message: string, loc?: Loc, hint?: string, data: LMap = LMap.EMPTY): LispError {
    return new LispError(kind, new ErrorValue(message, data), loc, hint);
  }
}

/** A runtime error raised by a builtin: message and optional data; the machine adds the location. */
export function raise(message: string, data: LMap = LMap.EMPTY): never {
  throw new LispError("runtime", new ErrorValue(message, data));
}

/** Cancellation unwinds a task like an error but is never caught by `catch`. */
export class Cancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

/** Renders an error for a human: position, message, the source line with a caret, hint, call stack. */
export function renderError(e: LispError, source?: (file: string) => string | undefined): string {
  const lines: string[] = [];
  const where = e.loc ? formatLoc(e.loc) + ": " : "";
  lines.push(e.kind === "deadlock" ? e.message : `${where}${e.kind} error: ${e.message}`);
  if (e.loc && source) {
    const text = source(e.loc.file);
    const srcLine = text?.split("\n")[e.loc.line - 1];
    if (srcLine !== undefined) {
      const gutter = String(e.loc.line).padStart(4);
      lines.push(`${gutter} | ${srcLine}`);
      lines.push(`${" ".repeat(gutter.length)} | ${" ".repeat(Math.max(0, e.loc.col - 1))}^`);
    }
  }
  if (e.hint) lines.push(`help: ${e.hint}`);
  if (e.lispStack.length) {
    lines.push("call stack (innermost first):");
    const shown = e.lispStack.slice(0, 20);
    for (const f of shown) lines.push(`  at ${f}`);
    if (e.lispStack.length > shown.length) lines.push(`  ... ${e.lispStack.length - shown.length} more`);
  }
  return lines.join("\n");
}
