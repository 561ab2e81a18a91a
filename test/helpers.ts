// Shared helpers for the tests: a fake host that collects output, a one-call program runner,
// reader shortcuts, and a way to drive a Machine step by step over one form.
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
import { Session, type Host, type RunOutcome } from "../src/session/session.js";
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
    stdout(text: string) { h.out += text; },
    stderr(text: string) { h.err += text; },
    stderrIsTTY: false, cwd: process.cwd(),
    argv,
    env: {},
    exit(code: number) { h.exitCodes.push(code); },
  };
  return h;
}

export interface ProgramResult {
  outcome: RunOutcome;
  stdout: string;
  stderr: string;
  session: Session;
  /** the rendered error, when the program failed */
  rendered: string | undefined;
}

/** Runs a whole program in a fresh Session, as `skein FILE` would. */
export async function runProgram(source: string, file = "test.lisp", argv: string[] = []): Promise<ProgramResult> {
  const host = fakeHost(argv);
  const session = new Session(host);
  const forms = session.read(source, file);
  const outcome = await session.run(forms, file);
  return {
    outcome,
    stdout: host.out,
    stderr: host.err,
    session,
    rendered: outcome.error ? session.renderError(outcome.error) : undefined,
  };
}

/** Runs a program that must succeed, and returns its stdout. */
export async function stdoutOf(source: string): Promise<string> {
  const r = await runProgram(source);
  assert.equal(r.outcome.status, "done", `program failed: ${r.rendered ?? ""}\nstderr: ${r.stderr}`);
  return r.stdout;
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
export function machineFor(defs: string, expr: string, session = new Session(fakeHost())): { session: Session; m: Machine } {
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

export interface SkeinRun { outcome: RunOutcome; stdout: string; stderr: string; session: Session; ms: number }

/** Runs a Skein program (in a fresh session unless one is given); fails if it does not end within deadlineMs. */
export async function runSkein(src: string, deadlineMs = 10_000, session?: Session): Promise<SkeinRun> {
  let stdout = "", stderr = "";
  session ??= new Session({ stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTTY: false, cwd: process.cwd(), argv: [], env: {}, exit() {} });
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`program did not finish within ${deadlineMs} ms:\n${src}`)), deadlineMs); });
  try {
    const outcome = await Promise.race([session.run(session.read(src, "t.lisp"), "t.lisp"), limit]);
    return { outcome, stdout, stderr, session, ms: performance.now() - t0 };
  } finally { clearTimeout(timer); }
}

/** The value a program run ended with; fails the test with the rendered error otherwise. */
export function valueOf(r: SkeinRun): Value {
  assert.equal(r.outcome.status, "done", `program failed: ${r.outcome.error ? r.session.renderError(r.outcome.error) : r.outcome.status}\nstderr: ${r.stderr}`);
  return r.outcome.value;
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
