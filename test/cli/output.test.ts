// The CLI writes a script's output straight to file descriptors 1 and 2 (src/cli/output.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../helpers.js";

const skein = join(projectRoot(), "bin", "skein");

test("a large output through a pipe arrives whole and in order, with stderr kept apart", () => {
  const r = spawnSync(
    process.execPath,
    [skein, "-e", '(let loop ((i 0)) (when (< i 50000) (println "line" i) (loop (+ i 1)))) (eprintln "done") (exit 4)'],
    { encoding: "utf8", maxBuffer: 1 << 26 },
  );
  const lines = r.stdout.split("\n");
  assert.equal(lines.length, 50001);
  assert.equal(lines[0], "line 0");
  assert.equal(lines[49999], "line 49999");
  assert.equal(r.stderr, "done\n");
  assert.equal(r.status, 4);
});

test("a reader that closes the pipe early (skein x.lisp | head -1) ends the program quietly with status 0", async () => {
  const child = spawn(process.execPath, [skein, "-e", "(let loop ((i 0)) (println i) (loop (+ i 1)))"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  const first = await new Promise<string>((resolve) => child.stdout.once("data", (d) => resolve(String(d))));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.match(first, /^0\n/);
  assert.equal(code, 0);
  assert.equal(err, "");
});
