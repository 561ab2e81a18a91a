// (parallel-grep pattern paths): matches in file and line order, files read concurrently through
// read-file, so failures and the sandbox's refusals are reported, never skipped quietly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { write } from "../../src/syntax/printer.js";
import type { Capability } from "../../src/sandbox/permissions.js";
import { fakeHost, runOk, runProgram, useTempHome } from "../helpers.js";

const home = useTempHome("skein-grep-");

test("matches come as {:file :line :text} in the order of paths, then lines", async () => {
  const d = join(home(), "order");
  mkdirSync(d);
  process.chdir(d);
  writeFileSync("b.log", "ERROR first in b\nok\r\nERROR: second in b\r\n");
  writeFileSync("a.log", "fine\nan ERROR here\n");
  writeFileSync("c.log", "");
  const r = await runOk('(parallel-grep "ERROR" ["b.log" "c.log" "a.log"])');
  assert.equal(
    write(r.value),
    '({:file "b.log" :line 1 :text "ERROR first in b"} {:file "b.log" :line 3 :text "ERROR: second in b"} {:file "a.log" :line 2 :text "an ERROR here"})',
  );
  const globbed = await runOk('(map :file (parallel-grep "(?i)^an error" (glob "*.log")))');
  assert.equal(write(globbed.value), '("a.log")');
});

test("many files read concurrently keep their order", async () => {
  const d = join(home(), "many");
  mkdirSync(d);
  process.chdir(d);
  for (let i = 0; i < 300; i++)
    writeFileSync(`f${String(i).padStart(3, "0")}.txt`, `x\nhit ${i}\n`.repeat(1 + (i % 3)));
  const r = await runOk('(map (fn [m] (list (:line m) (:text m))) (parallel-grep "hit" (glob "*.txt")))');
  const expected: string[] = [];
  for (let i = 0; i < 300; i++) for (let k = 0; k <= i % 3; k++) expected.push(`(${2 * k + 2} "hit ${i}")`);
  assert.equal(write(r.value), `(${expected.join(" ")})`);
});

test("a file that cannot be read makes an error value that keeps the other matches", async () => {
  const d = join(home(), "missing");
  mkdirSync(d);
  process.chdir(d);
  writeFileSync("a.txt", "hit\n");
  writeFileSync("bin.dat", Buffer.from([0xff, 0xfe, 0x00, 0x41]));
  const r = await runOk('(parallel-grep "hit" ["a.txt" "nope.txt" "bin.dat"])');
  assert.equal(
    write(r.value),
    '{:error "parallel-grep: 2 of 3 files could not be read; the first: read-file: no such file: nope.txt" :matches ({:file "a.txt" :line 1 :text "hit"}) :failed ({:file "nope.txt" :error "read-file: no such file: nope.txt"} {:file "bin.dat" :error "read-file: not valid UTF-8 text (a binary file, or another encoding): bin.dat"})}',
  );
});

test("the sandbox's read grants apply to every file, links included", async () => {
  const d = join(home(), "sandbox");
  mkdirSync(join(d, "ok"), { recursive: true });
  process.chdir(d);
  writeFileSync(join(home(), "secret.txt"), "hit secret\n");
  writeFileSync("ok/a.txt", "hit a\n");
  symlinkSync(join(home(), "secret.txt"), "ok/link.txt");
  const host = fakeHost();
  host.cwd = d;
  host.permissions = {
    allows: (cap: Capability, target: string) => cap === "read" && target.startsWith(join(d, "ok")),
  };
  const r = await runOk('(parallel-grep "hit" ["ok/a.txt" "ok/link.txt" "../secret.txt"])', { host });
  assert.equal(
    write(r.value),
    '{:error "parallel-grep: 2 of 3 files could not be read; the first: permission denied: read-file ok/link.txt (run with --allow-read)" :matches ({:file "ok/a.txt" :line 1 :text "hit a"}) :failed ({:file "ok/link.txt" :error "permission denied: read-file ok/link.txt (run with --allow-read)"} {:file "../secret.txt" :error "permission denied: read-file ../secret.txt (run with --allow-read)"})}',
  );
});

test("a bad pattern raises at the call, before any file is read", async () => {
  const r = await runProgram('(parallel-grep "(" ["x"])');
  assert.equal(r.outcome.error?.message, 'parallel-grep: invalid regex "(": missing closing ): `(`');
  assert.equal(r.outcome.error?.loc?.file, "test.lisp");
});
