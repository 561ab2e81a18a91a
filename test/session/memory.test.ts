// The memory limit (issue 9, §2.1): a script that holds more than its limit ends with "out of
// memory" naming the limit, the task and the position, instead of V8's native heap crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot, runOk } from "../helpers.js";
import { defaultMaxMemoryMb, heapLimitMb } from "../../src/session/memory.js";

const skein = join(projectRoot(), "bin", "skein");
const run = (...args: string[]) =>
  spawnSync(process.execPath, [skein, ...args], { encoding: "utf8", timeout: 120_000 });
const GROW = "(define (grow acc) (grow (cons (list 1 2 3) acc)))\n(grow '())";

test("skein --max-memory 100: a list built for ever ends with out of memory, status 1", () => {
  const t0 = Date.now();
  const r = run("--max-memory", "100", "-e", GROW);
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stderr,
    /^<-e>:1:\d+: runtime error: out of memory: the script used more than 100 MB \(in task \d+\)\n/,
  );
  assert.doesNotMatch(r.stderr, /FATAL|heap limit/);
  assert.ok(Date.now() - t0 < 60_000);
});

test("--max-memory=N is the same flag; a bad value is a usage error (status 2)", () => {
  const r = run("--max-memory=100", "-e", GROW);
  assert.match(r.stderr, /out of memory: the script used more than 100 MB/);
  const bad = run("--max-memory", "lots", "-e", "1");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^skein: --max-memory needs a whole number of MB, got "lots"/);
});

test("set-max-memory! lowers the limit at run time; above the process's limit it raises", async () => {
  const r = run("--max-memory", "2000", "-e", "(set-max-memory! 100)\n" + GROW);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /out of memory: the script used more than 100 MB/);
  const over = await runOk(`(error-msg (try (set-max-memory! ${defaultMaxMemoryMb() + 1}) (catch e e)))`);
  assert.equal(
    over.value,
    `set-max-memory!: ${defaultMaxMemoryMb() + 1} MB is above the process's limit of ${defaultMaxMemoryMb()} MB; start skein with --max-memory ${defaultMaxMemoryMb() + 1}`,
  );
});

test("a limit above what node's heap leaves room for runs the program in a node with a larger heap", () => {
  const want = heapLimitMb() + 100;
  const r = run("--max-memory", String(want), "-e", "(+ 1 2)");
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "3\n");
  assert.equal(r.status, 0);
});

test("garbage does not count: a loop that allocates far more than the limit in total finishes", () => {
  const r = run(
    "--max-memory",
    "100",
    "-e",
    "(let loop ((i 0)) (if (< i 3000000) (begin (list i i i i i) (loop (+ i 1))) :done))",
  );
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, ":done\n");
});
