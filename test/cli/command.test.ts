// Issue 11 §2, Skein as a command: a script from standard input (`skein -`, or a pipe with no
// file: before, `-` was an unknown option and a pipe started a REPL printing prompts into
// stdout), `skein help`, a warning for Skein's flags given after the script (they are the
// script's arguments, and the script ran unsandboxed without a word), and one notice on stderr
// at the first refusal of the sandbox (a script ignoring its error values ended "successfully").
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../helpers.js";

const skein = (args: string[], input?: string) =>
  spawnSync(process.execPath, [join(projectRoot(), "bin", "skein"), ...args], {
    encoding: "utf8",
    input,
    timeout: 20_000,
  });

test("skein - runs the script on standard input, with the arguments after it", () => {
  const r = skein(["-", "a", "b"], `(println "in" (command-line-args))`);
  assert.equal(r.stdout, `in ("a" "b")\n`);
  assert.equal(r.status, 0);
});

test("a piped standard input with no file runs as a script, not a REPL", () => {
  const r = skein([], "(println (+ 1 2))\n(car 5)\n");
  assert.equal(r.stdout, "3\n", "only the script's output, no prompts");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^<stdin>:2:1: runtime error: car: expected/);
});

test("skein help is skein --help", () => {
  const help = skein(["help"]);
  assert.equal(help.status, 0);
  assert.equal(help.stdout, skein(["--help"]).stdout);
  assert.match(help.stdout, /^Skein .*\nusage:/s);
});

test("Skein's flags after the script's name are the script's arguments, with a warning", () => {
  const dir = mkdtempSync(join(tmpdir(), "skein-cmd-"));
  try {
    const script = join(dir, "args.lisp");
    writeFileSync(script, `(println (command-line-args) (error? (getenv "PATH")))`);
    const r = skein([script, "--sandbox", "x"], undefined);
    assert.equal(r.stdout, `("--sandbox" "x") #f\n`, "the script ran unsandboxed, and got its arguments");
    assert.match(
      r.stderr,
      /^skein: warning: --sandbox comes after the script, so it is the script's argument, not Skein's/,
    );
    assert.equal(skein([script, "plain"]).stderr, "", "no warning for ordinary arguments");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the first refusal of the sandbox is said once on stderr; the script still gets error values", () => {
  const r = skein([
    "--sandbox",
    "-e",
    `(list (error? (getenv "HOME")) (error? (write-file "/tmp/skein-nope" "x")) (error? (sh "true")))`,
  ]);
  assert.equal(r.stdout, "(#t #t #t)\n");
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0],
    /^skein: the sandbox refused getenv HOME \(grant it with --allow-env\); the script got an error value/,
  );
});
