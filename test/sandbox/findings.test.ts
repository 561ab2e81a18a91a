// Regression tests for the second adversarial probe of the sandbox (issue 9): each case left a
// trace outside the grants, or said something wrong, before its fix. SQLite creating files beside
// a read-only WAL database or through pragmas; write-file's temp file beside a one-file grant; a
// read-only db-open announcing a refusal; glob naming what a directory outside the grants holds;
// load_extension's refusal saying "not authorized".
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, watch, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session, type Host } from "../../src/session/session.js";
import { parseSandboxFlags } from "../../src/sandbox/sandbox.js";
import { ErrorValue, listToArray, type List, type Value } from "../../src/core/types.js";
import { write } from "../../src/syntax/printer.js";

const lit = (s: string) => JSON.stringify(s);
const ROOT = realpathSync(mkdtempSync(join(tmpdir(), "skein-findings-")));

interface Db {
  pragma(s: string): unknown;
  exec(s: string): void;
  close(): void;
}
const Sqlite = createRequire(import.meta.url)("better-sqlite3") as new (file: string) => Db;

/** A database file made outside the sandbox: WAL mode (its -wal and -shm removed at close) or not. */
function makeDb(file: string, wal: boolean): void {
  const d = new Sqlite(file);
  if (wal) d.pragma("journal_mode = WAL");
  d.exec("CREATE TABLE t (a); INSERT INTO t VALUES (1), (2)");
  d.close();
}

before(() => {
  mkdirSync(join(ROOT, "ro"));
  mkdirSync(join(ROOT, "w"));
  mkdirSync(join(ROOT, "data", "sub"), { recursive: true });
  mkdirSync(join(ROOT, "outside"));
  makeDb(join(ROOT, "ro", "wal.db"), true);
  makeDb(join(ROOT, "w", "one.db"), false);
  writeFileSync(join(ROOT, "data", "a.txt"), "a");
  writeFileSync(join(ROOT, "outside", "private-name.txt"), "x");
  // data/out -> ../outside, and outside/back -> ../data: a walk through data/out lists outside
  symlinkSync("../outside", join(ROOT, "data", "out"));
  symlinkSync("../data", join(ROOT, "outside", "back"));
});
after(() => rmSync(ROOT, { recursive: true, force: true }));

/** Runs src in a sandboxed session working in ROOT: the last value and what went to stderr. */
async function sandboxed(flags: string[], src: string): Promise<{ value: Value; stderr: string }> {
  const { permissions } = parseSandboxFlags(flags, { cwd: ROOT });
  let stderr = "";
  const host: Host = {
    stdout: () => {},
    stderr: (t) => {
      stderr += t;
    },
    stderrIsTTY: false,
    cwd: ROOT,
    argv: [],
    env: { PATH: process.env.PATH },
    exit() {},
    permissions,
  };
  const session = new Session(host);
  const o = await session.run(session.read(src, "case.lisp"), "case.lisp");
  return { value: o.status === "done" ? o.value : (o.error?.message ?? o.status), stderr };
}
const msg = (v: Value) => (v instanceof ErrorValue ? v.message : write(v));

describe("SQLite makes no file outside the grants", () => {
  test("a WAL database opened read-only (no write grant) is read without creating -wal or -shm", async () => {
    const r = await sandboxed(
      [`--allow-read=${ROOT}`],
      `(define d (db-open "sqlite:ro/wal.db")) (list (db-query d "SELECT a FROM t ORDER BY a") (error-msg (db-exec d "INSERT INTO t VALUES (3)")))`,
    );
    assert.equal(write(r.value), `(({:a 1} {:a 2}) "permission denied: db-exec ro/wal.db (run with --allow-write)")`);
    assert.deepEqual(readdirSync(join(ROOT, "ro")), ["wal.db"]);
  });

  test("a read-only db-open says nothing on stderr; the refused write is what is announced", async () => {
    const opened = await sandboxed([`--allow-read=${ROOT}`], `(db-query (db-open "sqlite:ro/wal.db") "SELECT 1 AS x")`);
    assert.equal(write(opened.value), "({:x 1})");
    assert.equal(opened.stderr, "");
    const refused = await sandboxed([`--allow-read=${ROOT}`], `(db-exec (db-open "sqlite:ro/wal.db") "DELETE FROM t")`);
    assert.match(refused.stderr, /^skein: the sandbox refused db-exec ro\/wal\.db \(grant it with --allow-write\)/);
  });

  test("pragmas that make or move files are refused inside SQLite, and no -journal is left", async () => {
    const flags = [`--allow-read=${ROOT}`, `--allow-write=${join(ROOT, "w", "one.db")}`];
    for (const pragma of [
      "PRAGMA journal_mode=PERSIST",
      "pragma main.JOURNAL_MODE = truncate",
      "PRAGMA journal_mode=WAL",
      "PRAGMA locking_mode=EXCLUSIVE",
      "PRAGMA temp_store=FILE",
      `PRAGMA temp_store_directory='${ROOT}/outside'`,
    ]) {
      const r = await sandboxed(
        flags,
        `(define d (db-open "sqlite:w/one.db")) (list (error-msg (db-query d ${lit(pragma)})) (:changes (db-exec d "INSERT INTO t VALUES (9)")))`,
      );
      const [refusal, changes] = listToArray(r.value as List);
      assert.match(String(refusal), /^permission denied: db-query: PRAGMA that makes or moves files: /, pragma);
      assert.equal(changes, 1, `${pragma}: ${write(r.value)}`);
      assert.deepEqual(readdirSync(join(ROOT, "w")), ["one.db"], pragma);
    }
    // reading a pragma's value is harmless and allowed
    const read = await sandboxed(flags, `(db-query (db-open "sqlite:w/one.db") "PRAGMA journal_mode")`);
    assert.equal(write(read.value), `({:journal_mode "delete"})`);
  });

  test("load_extension says that extensions are refused in the sandbox, and that no flag grants them", async () => {
    const r = await sandboxed(
      ["--allow-write"],
      `(db-query (db-open "sqlite::memory:") "SELECT load_extension('/tmp/nothing.so')")`,
    );
    assert.equal(
      msg(r.value),
      "permission denied: db-query: loading an SQLite extension (refused in the sandbox, which keeps a database to its own file; no flag grants it)",
    );
  });
});

/** The names in dir that the file system reported touched while work ran (inotify, through
 *  fs.watch): waits for the event of last, the file the work ends on, then a little more. */
async function namesTouched(dir: string, last: string, work: () => Promise<unknown>): Promise<string[]> {
  const seen = new Set<string>();
  let sawLast: () => void = () => {};
  const lastSeen = new Promise<void>((resolve) => {
    sawLast = resolve;
  });
  const watcher = watch(dir, (_event, name) => {
    if (!name) return;
    seen.add(String(name));
    if (String(name) === last) sawLast();
  });
  try {
    await work();
    await Promise.race([lastSeen, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    watcher.close();
  }
  return [...seen].sort();
}

describe("write-file under a grant of one file", () => {
  test("writes the file in place: no temp file is made beside it, even for a moment", async () => {
    const dir = join(ROOT, "w1");
    mkdirSync(dir);
    writeFileSync(join(dir, "one.txt"), "old");
    const seen = await namesTouched(dir, "one.txt", async () => {
      const r = await sandboxed(
        [`--allow-write=${join(dir, "one.txt")}`],
        `(write-file "w1/one.txt" "new") (write-file "w1/one.txt" "newer") (read-file "w1/one.txt")`,
      );
      assert.equal(r.value, "newer");
    });
    assert.deepEqual(seen, ["one.txt"], "a file other than the granted one was made");
    assert.deepEqual(readdirSync(dir), ["one.txt"]);
  });
  test("a grant of the directory still writes atomically through a temp file", async () => {
    const dir = join(ROOT, "w2");
    mkdirSync(dir);
    const seen = await namesTouched(dir, "f.txt", () =>
      sandboxed([`--allow-write=${dir}`], `(write-file "w2/f.txt" "x")`),
    );
    assert.ok(
      seen.some((n) => n.startsWith(".f.txt.") && n.endsWith(".tmp")),
      seen.join(" "),
    );
  });
});

describe("glob tells nothing of directories outside the grants", () => {
  test("a walk through a link to outside names no entry found there, even when it leads back in", async () => {
    const r = await sandboxed(
      [`--allow-read=${join(ROOT, "data")}`],
      `(list (glob "data/*/back/a.txt") (glob "data/*/*") (glob "data/**/*.txt"))`,
    );
    assert.equal(write(r.value), `(() () ("data/a.txt"))`);
    assert.ok(!write(r.value).includes("private-name"));
  });
  test("a link inside the grant that points inside is walked", async () => {
    symlinkSync("../a.txt", join(ROOT, "data", "sub", "to-a.txt"));
    const r = await sandboxed([`--allow-read=${join(ROOT, "data")}`], `(glob "data/sub/*")`);
    assert.equal(write(r.value), `("data/sub/to-a.txt")`);
  });
});
