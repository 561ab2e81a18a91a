// `skein check FILE...`: findings on stdout as file:line:col: message, exit 0 clean, 1 with
// findings, 2 when a file cannot be read; nothing in the file runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../helpers.js";

const skein = (args: string[], input?: string) =>
  spawnSync(process.execPath, [join(projectRoot(), "bin", "skein"), ...args], {
    encoding: "utf8",
    input,
    timeout: 20_000,
  });

test("skein check reports each finding with file:line:col and exits 1; a clean file exits 0", () => {
  const dir = mkdtempSync(join(tmpdir(), "skein-check-"));
  try {
    const bad = join(dir, "bad.lisp");
    const marker = join(dir, "ran");
    writeFileSync(
      bad,
      `(write-file "${marker}" "x")\n(println (list-index [1] 0))\n(shell "ls")\n(glob "*" :cwdd ".")\n`,
    );
    const r = skein(["check", bad]);
    assert.equal(
      r.stdout,
      [
        `${bad}:2:10: undefined variable: list-index`,
        `${bad}:3:1: undefined variable: shell (did you mean sh? (sh "cmd ...") → {:exit :out :err})`,
        `${bad}:4:1: glob: unknown option :cwdd (did you mean :cwd?) (known: :cwd :dot)`,
        "",
      ].join("\n"),
    );
    assert.equal(r.stderr, "3 findings\n");
    assert.equal(r.status, 1);
    assert.equal(existsSync(marker), false, "nothing ran");

    const good = join(dir, "good.lisp");
    writeFileSync(good, `(define (f x) (* x 2))\n(println (f 2) (string-append "a" "b"))\n`);
    const ok = skein(["check", good]);
    assert.equal(ok.stdout, "");
    assert.equal(ok.status, 0);

    const missing = skein(["check", join(dir, "nope.lisp")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*nope\.lisp: no such file/);
    assert.equal(skein(["check"]).status, 2);
    assert.equal(
      skein(["check", "-"], "(cancel 1)").stdout,
      "<stdin>:1:1: undefined variable: cancel (did you mean task-cancel?)\n",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
