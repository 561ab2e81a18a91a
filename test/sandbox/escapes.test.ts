// Regression tests for the sandbox escapes of issue 9 §1: each case was a real escape before
// the fix. A path is checked and opened as the same physically resolved path (host/guard.ts);
// /proc, /dev and /sys need an explicit grant; PostgreSQL sends only what the URL says; a
// granted program name is found on the session's PATH, never the child's. The property test
// at the end checks that the sandbox's answer for a random path equals its answer for the fully
// resolved path, over links made before and during the run.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Session, type Host } from "../../src/session/session.js";
import { parseSandboxFlags, pathWithin } from "../../src/sandbox/sandbox.js";
import { ErrorValue, Keyword, type Value } from "../../src/core/types.js";
import { hermeticConfig, parsePostgresUrl, type PgConfig } from "../../src/host/db/postgres.js";
import { write } from "../../src/syntax/printer.js";

const lit = (s: string) => JSON.stringify(s);

// ROOT/data/ok.lisp  data/sublink -> ../outside/sub  data/hard.txt (a hard link to outside/hard.txt)
// ROOT/outside/evil.lisp  outside/sub/  outside/secret.txt  outside/hard.txt
// ROOT/bin/tool (a script printing "tool")  bin/sublink -> ../outside/sub
// ROOT/evil-path/env (a script printing "evil")
const ROOT = realpathSync(mkdtempSync(join(tmpdir(), "skein-escapes-")));
const DATA = join(ROOT, "data");
const OUTSIDE = join(ROOT, "outside");
const SECRET = "escaped-secret-q7";

before(() => {
  mkdirSync(DATA);
  mkdirSync(join(OUTSIDE, "sub"), { recursive: true });
  mkdirSync(join(ROOT, "bin"));
  mkdirSync(join(ROOT, "evil-path"));
  writeFileSync(join(DATA, "ok.lisp"), "(define loaded :ok)");
  writeFileSync(join(OUTSIDE, "evil.lisp"), `(define loaded ${lit(SECRET)})`);
  writeFileSync(join(OUTSIDE, "secret.txt"), SECRET);
  writeFileSync(join(OUTSIDE, "hard.txt"), "shared inode");
  linkSync(join(OUTSIDE, "hard.txt"), join(DATA, "hard.txt"));
  symlinkSync("../outside/sub", join(DATA, "sublink"));
  symlinkSync("../outside/sub", join(ROOT, "bin", "sublink"));
  writeFileSync(join(ROOT, "bin", "tool"), "#!/bin/sh\necho tool\n");
  writeFileSync(join(OUTSIDE, "tool"), "#!/bin/sh\necho outside-tool\n");
  writeFileSync(join(ROOT, "evil-path", "env"), "#!/bin/sh\necho evil\n");
  for (const f of [join(ROOT, "bin", "tool"), join(OUTSIDE, "tool"), join(ROOT, "evil-path", "env")])
    chmodSync(f, 0o755);
});

after(() => rmSync(ROOT, { recursive: true, force: true }));

/** Runs src in a session with the sandbox of flags, working in ROOT; the last value, or the
 *  message of an error that escaped. */
async function sandboxed(
  flags: string[],
  src: string,
  env: NodeJS.ProcessEnv = { PATH: process.env.PATH },
): Promise<Value> {
  const { permissions } = parseSandboxFlags(flags, { cwd: ROOT });
  const host: Host = {
    stdout: () => {},
    stderr: () => {},
    stderrIsTTY: false,
    cwd: ROOT,
    argv: [],
    env,
    exit() {},
    permissions,
  };
  const session = new Session(host);
  const o = await session.run(session.read(src, "case.lisp"), "case.lisp");
  return o.status === "done" ? o.value : (o.error?.message ?? o.status);
}

const denial = (v: Value) => (v instanceof ErrorValue ? v.message : typeof v === "string" ? v : "");
function assertDenied(v: Value, op: string, flag: string): void {
  const msg = denial(v);
  assert.ok(
    msg.startsWith(`permission denied: ${op} `) && msg.endsWith(`(run with ${flag})`),
    `expected ${op} denied naming ${flag}, got ${write(v)}`,
  );
  assert.ok(!msg.includes(SECRET), "a denial leaks nothing");
}

describe("paths through dir/link/..", () => {
  test("load of data/sublink/../evil.lisp is judged where the kernel lands, outside the grant", async () => {
    assertDenied(
      await sandboxed([`--allow-read=${DATA}`], `(load "data/sublink/../evil.lisp") loaded`),
      "load",
      "--allow-read",
    );
    assert.equal(await sandboxed([`--allow-read=${DATA}`], `(load "data/ok.lisp") loaded`), Keyword.of("ok"));
  });
  test("read-file through the same path is denied, and a denial does not echo the file", async () => {
    assertDenied(
      await sandboxed([`--allow-read=${DATA}`], `(read-file "data/sublink/../secret.txt")`),
      "read-file",
      "--allow-read",
    );
  });
  test("run of /bin/sublink/../tool is judged as outside/tool, not as the granted bin/tool", async () => {
    const granted = join(ROOT, "bin", "tool");
    assertDenied(
      await sandboxed([`--allow-run=${granted}`], `(run [${lit(`${ROOT}/bin/sublink/../tool`)}])`),
      "run",
      "--allow-run",
    );
    assert.equal(await sandboxed([`--allow-run=${granted}`], `(:out (run [${lit(granted)}]))`), "tool\n");
  });
});

describe("SQLite: the guard inside SQLite, not a reading of the SQL", () => {
  // regression: a keyword regex over the SQL took [...] for text and missed the ATTACH after it
  test("ATTACH hidden behind a bracketed name creates no file without a write grant", async () => {
    const v = await sandboxed(
      ["--sandbox"],
      `(db-exec (db-open "sqlite::memory:") "SELECT 1 AS ['']; ATTACH 'made.db' AS x; CREATE TABLE x.t(a); SELECT 1 AS ['']")`,
    );
    assert.match(denial(v), /^permission denied: db-exec: another database file \(ATTACH or VACUUM INTO\): made\.db/);
    assert.ok(!existsSync(join(ROOT, "made.db")), "ATTACH created a file");
  });
  test("ATTACH cannot read a database outside the read grant, however it is spelled", async () => {
    await sandboxed(
      [],
      `(define d (db-open "sqlite:outside/o.db")) (db-exec d "CREATE TABLE s (v)") (db-exec d ${lit(`INSERT INTO s VALUES ('${SECRET}')`)})`,
    );
    for (const sql of [
      `ATTACH 'outside/o.db' AS o`,
      `/* x */ attach database 'outside/o.db' as "o"`,
      `SELECT [a']; ATTACH 'outside/o.db' AS o`,
    ]) {
      const v = await sandboxed(
        [`--allow-read=${DATA}`],
        `(define d (db-open "sqlite::memory:")) (db-exec d ${lit(sql)}) (db-query d "SELECT v FROM o.s")`,
      );
      assert.ok(!write(v).includes(SECRET), `${sql}: ${write(v)}`);
    }
  });
  test("VACUUM INTO writes no copy", async () => {
    const v = await sandboxed(["--sandbox"], `(db-exec (db-open "sqlite::memory:") "VACUUM INTO 'copy.db'")`);
    assert.match(denial(v), /^permission denied: db-exec/);
    assert.ok(!existsSync(join(ROOT, "copy.db")));
  });
});

describe("/proc, /dev and /sys", () => {
  test("/proc/self/environ is denied under plain --sandbox, through load and read-file alike", async () => {
    assertDenied(await sandboxed(["--sandbox"], `(load "/proc/self/environ")`), "load", "--allow-read");
    assertDenied(await sandboxed(["--sandbox"], `(read-file "/proc/self/environ")`), "read-file", "--allow-read");
    assertDenied(await sandboxed(["--sandbox"], `(read-file "/proc/self/cmdline")`), "read-file", "--allow-read");
  });
  test("a process's environ needs --allow-env as well as a read grant inside /proc", async () => {
    assertDenied(
      await sandboxed(["--allow-read=/proc"], `(read-file "/proc/self/environ")`),
      "read-file",
      "--allow-read",
    );
    assert.equal(
      typeof (await sandboxed(["--allow-read=/proc", "--allow-env"], `(read-file "/proc/self/environ")`)),
      "string",
    );
  });
  test("/proc and /dev reads need a grant naming them; reading everywhere does not include them", async () => {
    assertDenied(await sandboxed(["--sandbox"], `(read-file "/proc/loadavg")`), "read-file", "--allow-read");
    assertDenied(await sandboxed(["--allow-read"], `(read-file "/proc/loadavg")`), "read-file", "--allow-read");
    assertDenied(await sandboxed(["--allow-read=/"], `(read-file "/dev/null")`), "read-file", "--allow-read");
    // /proc/self/root is a link to /: the file is judged where it is
    assertDenied(
      await sandboxed([`--allow-read=${DATA}`], `(read-file "/proc/self/root${join(OUTSIDE, "secret.txt")}")`),
      "read-file",
      "--allow-read",
    );
  });
  test("a size-0 pseudo-file reads to its end", async () => {
    // regression: /proc/loadavg reports size 0, and read-file returned ""
    const text = await sandboxed(["--allow-read=/proc/loadavg"], `(read-file "/proc/loadavg")`);
    assert.match(String(text), /^\d+\.\d+ \d+\.\d+ \d+\.\d+ /);
  });
});

describe("programs found on the session's PATH", () => {
  test("--allow-run=env runs the env of the session's PATH, not one on the child's :env PATH", async () => {
    const out = await sandboxed(
      ["--allow-run=env"],
      `(:out (run ["env"] :env {"PATH" ${lit(join(ROOT, "evil-path"))}}))`,
    );
    assert.equal(typeof out, "string");
    assert.ok(!String(out).startsWith("evil"), `the child's PATH chose the program: ${write(out)}`);
    assert.match(
      String(out),
      new RegExp(`^PATH=${join(ROOT, "evil-path")}$`, "m"),
      "the child still gets the :env PATH it was given",
    );
  });
  test("a granted name missing from the session's PATH cannot be started", async () => {
    const v = await sandboxed(["--allow-run=env"], `(run ["env"])`, { PATH: join(ROOT, "bin") });
    assert.match(denial(v), /^run: cannot start env: no such program/);
  });
});

describe("PostgreSQL in the sandbox", () => {
  // the driver's own reading of its settings (pg's ConnectionParameters), with hostile variables set
  const ConnectionParameters = createRequire(import.meta.url)("pg/lib/connection-parameters") as new (
    c: PgConfig,
  ) => Record<string, unknown>;
  const HOSTILE: Record<string, string> = {
    PGUSER: "env-user",
    PGPASSWORD: "env-password",
    PGDATABASE: "env-db",
    PGOPTIONS: "-c search_path=evil",
    PGSSLMODE: "require",
    PGCLIENTENCODING: "LATIN1",
    USER: "os-user",
    PGPASSFILE: join(OUTSIDE, "secret.txt"),
  };
  function withEnv<T>(f: () => T): T {
    const saved = Object.fromEntries(Object.keys(HOSTILE).map((k) => [k, process.env[k]]));
    Object.assign(process.env, HOSTILE);
    try {
      return f();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }
  test("nothing the URL does not say reaches the driver's connection settings", () => {
    const c = hermeticConfig(parsePostgresUrl("postgres://ada@db.example/") as PgConfig) as PgConfig;
    const p = withEnv(() => new ConnectionParameters(c));
    assert.equal(p.user, "ada");
    assert.equal(p.database, "ada");
    assert.equal(p.ssl, false);
    assert.equal(String(p.options).trim(), "");
    assert.equal(p.client_encoding, "UTF8");
    assert.equal(typeof p.password, "function", "the password is not looked up in ~/.pgpass");
    assert.equal((p.password as () => string)(), "");
    for (const [k, v] of Object.entries(p))
      assert.ok(!Object.values(HOSTILE).includes(String(v)), `${k} came from the environment`);
  });
  test("a URL with no user is refused in the sandbox, before any connection", async () => {
    const v = await sandboxed(["--allow-net=127.0.0.1:1"], `(db-open "postgres://127.0.0.1:1/db")`);
    assert.match(denial(v), /^db-open: the URL names no user/);
  });
});

describe("property: the answer for a path is the answer for its fully resolved path", () => {
  const parts = [
    "..",
    ".",
    "data",
    "outside",
    "sub",
    "sublink",
    "secret.txt",
    "ok.lisp",
    "hard.txt",
    "flip",
    "flipped",
  ];
  test("read-file under --allow-read=data, over random paths and links made during the run", async () => {
    const flip = join(DATA, "flip");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...parts), { minLength: 1, maxLength: 6 }),
        fc.constantFrom("", "/proc/self/root"),
        fc.boolean(),
        async (segs, prefix, flipOut) => {
          // a link made now, while a session may be running: data/flip -> outside or -> data/sublink
          try {
            unlinkSync(flip);
          } catch {
            /* not there */
          }
          symlinkSync(flipOut ? OUTSIDE : join(DATA, "sublink"), flip);
          const rel = segs.join("/");
          const path = prefix === "" ? rel : `${prefix}${ROOT}/${rel}`;
          let real: string | null = null;
          // the kernel's own answer (realpath(3)): no join() nor the JS realpathSync, which take
          // "sublink/.." lexically where the kernel follows the link first
          try {
            real = realpathSync.native(prefix === "" ? `${ROOT}/${rel}` : path);
          } catch {
            real = null;
          }
          if (real === null) return; // the kernel reaches nothing there: no answer to compare
          const v = await sandboxed([`--allow-read=${DATA}`], `(read-file ${lit(path)})`);
          const expectAllowed = pathWithin(real, DATA);
          const deniedNow = denial(v).startsWith("permission denied");
          assert.equal(!deniedNow, expectAllowed, `${path} (resolves to ${real}): ${write(v)}`);
          if (!deniedNow) assert.notEqual(v, SECRET);
        },
      ),
      { numRuns: 300 },
    );
  });
  // regression: once a component was missing, the walk took the rest as written, so
  // "missing/../data/flip" was judged as data/flip while the open followed flip out of the grant
  test("`..` after a missing component is refused, not taken lexically into a link", async () => {
    try {
      unlinkSync(join(DATA, "flip"));
    } catch {
      /* not there */
    }
    symlinkSync(join(OUTSIDE, "secret.txt"), join(DATA, "flip"));
    const v = await sandboxed([`--allow-read=${DATA}`], `(read-file "data/missing/../flip")`);
    assert.notEqual(v, SECRET);
    assertDenied(v, "read-file", "--allow-read");
  });
  test("a hard link is judged by where it is: hard links are not links the kernel follows", async () => {
    assert.equal(await sandboxed([`--allow-read=${DATA}`], `(read-file "data/hard.txt")`), "shared inode");
  });
});

// Regression (found by the adversarial review of this session's fix): write-file removed stale
// temp files beside its target without asking the sandbox, so a grant of one file let a script
// delete other files of that directory named like temp files.
test("write-file under a one-file grant removes no other file of the directory", async () => {
  const dir = join(ROOT, "one-file");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "out.txt"), "orig");
  const victim = join(dir, ".out.txt.999999.abc.tmp");
  writeFileSync(victim, "victim");
  await sandboxed([`--allow-write=${join(dir, "out.txt")}`], `(write-file "one-file/out.txt" "new")`);
  assert.ok(existsSync(victim), "a file outside the write grant was deleted");
});
