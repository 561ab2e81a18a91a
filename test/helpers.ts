// Shared helpers for the tests: a fake host that collects output, a one-call program runner (and
// the one assertion that a program finished), reader shortcuts, and a way to drive a Machine step
// by step over one form.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, before } from "node:test";
import fc from "fast-check";
import { List as IList } from "immutable";
import { LMap } from "../src/core/map.js";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LispError } from "../src/core/error.js";
import { readAll } from "../src/syntax/reader.js";
import { Machine } from "../src/vm/machine.js";
import { Session, type Host, type RunOutcome, type SessionOptions } from "../src/session/session.js";
import { Pair, arrayToList, type Value } from "../src/core/types.js";

export interface FakeHost extends Host {
  out: string;
  err: string;
  exitCodes: number[];
}

/** A host whose stdout and stderr are strings the test can read. */
export function fakeHost(argv: string[] = []): FakeHost {
  const h: FakeHost = {
    out: "",
    err: "",
    exitCodes: [],
    stdout(text: string) {
      h.out += text;
    },
    stderr(text: string) {
      h.err += text;
    },
    stderrIsTTY: false,
    cwd: process.cwd(),
    argv,
    env: {},
    exit(code: number) {
      h.exitCodes.push(code);
    },
  };
  return h;
}

export interface RunOptions {
  /** the name the program is read as (default test.lisp) */
  file?: string;
  /** the host; the result's stdout and stderr are what it collected (default a fresh fakeHost()) */
  host?: FakeHost;
  /** the session's clock (default real) */
  clock?: SessionOptions["clock"];
  /** the test fails if the program has not ended after this long in real time (default 60 s) */
  deadlineMs?: number;
}

export interface ProgramResult {
  outcome: RunOutcome;
  /** the value of the last form, when the program finished */
  value: Value;
  stdout: string;
  stderr: string;
  session: Session;
  /** the rendered error (message, position, source line, stack), when the program failed */
  rendered: string | undefined;
  /** how long the run took in real time, in ms */
  ms: number;
}

/** Runs a whole program in a fresh Session, as `skein FILE` would (a reader error raises). */
export async function runProgram(source: string, opts: RunOptions = {}): Promise<ProgramResult> {
  const { file = "test.lisp", host = fakeHost(), deadlineMs = 60_000 } = opts;
  const session = new Session(host, { clock: opts.clock });
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_r, reject) => {
    timer = setTimeout(
      () => reject(new Error(`program did not finish within ${deadlineMs} ms:\n${source}`)),
      deadlineMs,
    );
  });
  try {
    const outcome = await Promise.race([session.run(session.read(source, file), file), limit]);
    return {
      outcome,
      value: outcome.value,
      stdout: host.out,
      stderr: host.err,
      session,
      rendered: outcome.error ? session.renderError(outcome.error) : undefined,
      ms: performance.now() - t0,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Fails the test unless the program finished: status done, exit code 0. The message always
 *  carries the rendered Skein error (message, position, source line, stack) and stderr. */
export function assertFinished(r: ProgramResult): void {
  const { status, code } = r.outcome;
  if (status === "done" && code === 0) return;
  const error = r.rendered ?? (status === "exit" ? `(no error: the program called (exit ${code}))` : "(no error)");
  assert.fail(`the program did not finish: ${status}, exit code ${code}\n${error}\nstderr:\n${r.stderr}`);
}

/** Runs a program that must finish (see assertFinished). */
export async function runOk(source: string, opts: RunOptions = {}): Promise<ProgramResult> {
  const r = await runProgram(source, opts);
  assertFinished(r);
  return r;
}

/** Runs a program that must finish; its stdout. */
export async function stdoutOf(source: string, opts: RunOptions = {}): Promise<string> {
  return (await runOk(source, opts)).stdout;
}

/** Reads exactly one form. */
export function read1(text: string, file = "t.lisp"): Value {
  const forms = readAll(text, file);
  assert.equal(forms.length, 1, `expected one form from ${JSON.stringify(text)}, got ${forms.length}`);
  return forms[0];
}

/** Calls f, which must raise a LispError; returns it. */
export function lispErrorOf(f: () => unknown): LispError {
  try {
    f();
  } catch (e) {
    if (e instanceof LispError) return e;
    throw new assert.AssertionError({ message: `expected a LispError, got ${String(e)}`, actual: e });
  }
  assert.fail("expected a LispError, but nothing was raised");
}

/** Reads `text`, which must be a reader error; returns it. */
export function readError(text: string, file = "t.lisp"): LispError {
  const e = lispErrorOf(() => readAll(text, file));
  assert.equal(e.kind, "read", `expected a read error for ${JSON.stringify(text)}, got ${e.kind}: ${e.message}`);
  return e;
}

/** One session with the definitions in `defs` evaluated, plus a Machine started on `expr`. */
export function machineFor(
  defs: string,
  expr: string,
  session = new Session(fakeHost()),
): { session: Session; m: Machine } {
  for (const f of session.read(defs, "defs.lisp")) {
    const loc = f instanceof Pair ? f.loc : undefined;
    session.runSync(session.compiler.compileToplevel(f, loc), [], "test");
  }
  const [form] = session.read(expr, "expr.lisp");
  const loc = form instanceof Pair ? form.loc : undefined;
  const m = new Machine(null, session);
  m.start(session.compiler.compileToplevel(form, loc), []);
  return { session, m };
}

/** Evaluates `expr` after `defs` synchronously, with no step limit; returns the value or raises. */
export function evalSync(defs: string, expr: string): Value {
  const { m } = machineFor(defs, expr);
  const r = m.step(Infinity);
  if (r === "failed") throw m.failure;
  assert.equal(r, "done");
  return m.val;
}

/** The project root: the nearest folder above this file with a package.json (works from dist/test too). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("no package.json above the test file");
    dir = up;
  }
  return dir;
}

/** Runs the tests of a file in a fresh temporary working directory, removed at the end;
 *  returns a function giving its path. */
export function useTempHome(prefix: string): () => string {
  const startDir = process.cwd();
  let home = "";
  before(() => {
    home = mkdtempSync(join(tmpdir(), prefix));
    process.chdir(home);
  });
  after(() => {
    process.chdir(startDir);
    rmSync(home, { recursive: true, force: true });
  });
  return () => home;
}

/** Arbitrary Skein data: lists, vectors and maps nested over the given leaves. */
export function nestedData(leaf: fc.Arbitrary<Value>, maxItems: number): fc.Arbitrary<Value> {
  return fc.letrec<{ value: Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("value"), { maxLength: maxItems }).map((xs) => arrayToList(xs)),
      fc.array(tie("value"), { maxLength: maxItems }).map((xs) => IList(xs)),
      fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 4 }).map((es) => LMap.fromEntries(es)),
    ),
  })).value;
}
