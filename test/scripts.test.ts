// The shell scripts in scripts/, run from copies in throwaway "checkouts" so that the folders
// around them (../shared beside the checkout) are the test's to choose.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "./helpers.js";

const root = projectRoot();
let tmp: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), "skein-scripts-"));
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A folder under the test's temp dir holding a copy of scripts/NAME; returns its path. */
function checkout(name: string, script: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, "scripts"), { recursive: true });
  copyFileSync(join(root, "scripts", script), join(dir, "scripts", script));
  return dir;
}

/** Runs a script with the given environment changes (undefined removes a variable). */
function runScript(path: string, args: string[], env: Record<string, string | undefined> = {}) {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  return spawnSync(path, args, { encoding: "utf8", env: merged as NodeJS.ProcessEnv, timeout: 30_000 });
}

// ---- scripts/conformance.sh ------------------------------------------------------------------

/** A fake suite at dir: its run script logs its arguments to dir/calls and fails for folder "bad". */
function fakeSuite(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "run"), `#!/bin/sh\necho "$@" >> "${dir}/calls"\ncase $2 in */bad) exit 1 ;; esac\n`);
  chmodSync(join(dir, "run"), 0o755);
  return dir;
}

test("conformance.sh without a suite beside the checkout prints one line saying so and succeeds", () => {
  const co = checkout("lonely/skein", "conformance.sh");
  const r = runScript(join(co, "scripts", "conformance.sh"), [], { SKEIN_CONFORMANCE: undefined });
  assert.equal(r.stderr, "");
  assert.equal(
    r.stdout,
    `== conformance: skipped, no suite at ${join(tmp, "lonely", "shared", "conformance")} (set SKEIN_CONFORMANCE=/path/to/conformance to run it)\n`,
  );
  assert.equal(r.status, 0);
});

test("conformance.sh runs every folder of the suite in ../shared/conformance against bin/skein", () => {
  const co = checkout("beside/skein", "conformance.sh");
  const suite = fakeSuite(join(tmp, "beside", "shared", "conformance"));
  const r = runScript(join(co, "scripts", "conformance.sh"), [], {
    SKEIN_CONFORMANCE: undefined,
    SKEIN_CONFORMANCE_DIRS: undefined,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, ["core", "concurrency", "examples", "stdlib"].map((d) => `== conformance: ${d}\n`).join(""));
  assert.equal(
    readFileSync(join(suite, "calls"), "utf8"),
    ["core", "concurrency", "examples", "stdlib"].map((d) => `--dir ${suite}/${d} -- ${co}/bin/skein\n`).join(""),
  );
});

test("conformance.sh uses SKEIN_CONFORMANCE when set, fails when a folder fails, and refuses a path with no suite", () => {
  const co = checkout("elsewhere/skein", "conformance.sh");
  const suite = fakeSuite(join(tmp, "my-suite"));
  const r = runScript(join(co, "scripts", "conformance.sh"), [], {
    SKEIN_CONFORMANCE: suite,
    SKEIN_CONFORMANCE_DIRS: "core bad",
  });
  assert.equal(r.stdout, "== conformance: core\n== conformance: bad\n");
  assert.equal(r.status, 1, "a failing folder fails the run");
  assert.equal(
    readFileSync(join(suite, "calls"), "utf8"),
    `--dir ${suite}/core -- ${co}/bin/skein\n--dir ${suite}/bad -- ${co}/bin/skein\n`,
  );

  const missing = join(tmp, "no-suite-here");
  const m = runScript(join(co, "scripts", "conformance.sh"), [], { SKEIN_CONFORMANCE: missing });
  assert.equal(m.stdout, "");
  assert.equal(m.stderr, `conformance: SKEIN_CONFORMANCE=${missing} has no run script\n`);
  assert.equal(m.status, 2);
});

// ---- scripts/postgres.sh ---------------------------------------------------------------------
// What decides whose server `stop` may stop needs no PostgreSQL: the folder, and its marks.

test("postgres.sh keeps one folder per user and checkout, unless SKEIN_PG_DIR names one", () => {
  const a = join(checkout("pg-a/skein", "postgres.sh"), "scripts", "postgres.sh");
  const b = join(checkout("pg-b/skein", "postgres.sh"), "scripts", "postgres.sh");
  const dirOf = (script: string, env: Record<string, string | undefined> = { SKEIN_PG_DIR: undefined }) => {
    const r = runScript(script, ["dir"], env);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trimEnd();
  };
  const uid = process.getuid?.() ?? 0;
  assert.match(dirOf(a), new RegExp(`^/tmp/skein-postgres-${uid}-\\d+$`));
  assert.equal(dirOf(a), dirOf(a), "the same checkout gets the same folder each time");
  assert.notEqual(dirOf(a), dirOf(b), "two checkouts get two folders");
  assert.equal(dirOf(a, { SKEIN_PG_DIR: join(tmp, "mine") }), join(tmp, "mine"));
});

/** A process standing in for a server: it lives until killed. */
function standIn() {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  assert.ok(child.pid);
  return child;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("postgres.sh stop leaves a folder that start did not make, and its server, alone", () => {
  const script = join(checkout("pg-stop/skein", "postgres.sh"), "scripts", "postgres.sh");
  const server = standIn();
  try {
    const dir = join(tmp, "someone-elses");
    mkdirSync(join(dir, "data"), { recursive: true });
    writeFileSync(join(dir, "data", "postmaster.pid"), `${server.pid}\n${dir}/data\n`);
    const r = runScript(script, ["stop"], { SKEIN_PG_DIR: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /was not made by scripts\/postgres\.sh start as .*; leaving it alone/);
    assert.ok(existsSync(join(dir, "data", "postmaster.pid")), "the folder is still there");
    assert.ok(alive(server.pid!), "the server still runs");

    const s = runScript(script, ["start"], { SKEIN_PG_DIR: dir });
    assert.equal(s.status, 1, "start does not take the folder over either");
    assert.equal(s.stdout, "");
    assert.ok(existsSync(join(dir, "data", "postmaster.pid")));
  } finally {
    server.kill();
  }
});

test("postgres.sh stop leaves a server alone that is not the one start recorded, and cleans up after its own", () => {
  const script = join(checkout("pg-own/skein", "postgres.sh"), "scripts", "postgres.sh");
  const server = standIn();
  try {
    const dir = join(tmp, "restarted");
    mkdirSync(join(dir, "data"), { recursive: true });
    writeFileSync(join(dir, "owner"), "");
    writeFileSync(join(dir, "server.pid"), "999999999\n"); // start recorded another process
    writeFileSync(join(dir, "data", "postmaster.pid"), `${server.pid}\n${dir}/data\n`);
    const r = runScript(script, ["stop"], { SKEIN_PG_DIR: dir });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `the server running in ${dir}/data \\(pid ${server.pid}\\) is not the one start started there; leaving it alone`,
      ),
    );
    assert.ok(alive(server.pid!), "the server still runs");
    assert.ok(existsSync(dir));

    // once its server is gone, the folder start made is simply deleted
    rmSync(join(dir, "data", "postmaster.pid"));
    const done = runScript(script, ["stop"], { SKEIN_PG_DIR: dir });
    assert.equal(done.status, 0, done.stderr);
    assert.ok(!existsSync(dir));
    const again = runScript(script, ["stop"], { SKEIN_PG_DIR: dir });
    assert.equal(again.status, 0, "stopping nothing is fine");
  } finally {
    server.kill();
  }
});
