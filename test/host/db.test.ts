// SQLite through db-open / db-query / db-exec / db-close: whole programs in a Session, the
// statements running in the worker threads of the SQLite helper process (src/host/db/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePostgresUrl } from "../../src/host/db/postgres.js";
import type { Capability } from "../../src/sandbox/permissions.js";
import { fakeHost, runProgram, stdoutOf, projectRoot } from "../helpers.js";

/** A string literal for Lisp source. */
const lit = (s: string) => JSON.stringify(s);

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "skein-db-"));
}

/** A program that must raise; returns the rendered error. */
async function raisedBy(source: string): Promise<string> {
  const r = await runProgram(source);
  assert.equal(r.outcome.status, "failed", `expected a raised error, got ${r.outcome.status}; stdout: ${r.stdout}`);
  return r.outcome.error?.message ?? "";
}

const SLOW_CTE =
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < ?) SELECT count(*) AS n FROM c";
const ENDLESS_CTE = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) AS n FROM c";

test("db-query returns rows as maps with keyword keys in column order; NULL is nil, BLOBs are byte vectors", async () => {
  const out = await stdoutOf(`
(define db (db-open "sqlite::memory:"))
(prn db)
(prn (db-exec db "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, note TEXT, data BLOB)"))
(prn (db-exec db "INSERT INTO t (name, score, note, data) VALUES (?, ?, ?, X'0102FF')" ["ann" 2.5 nil]))
(prn (db-exec db "INSERT INTO t (name, score) VALUES ('bob', 7)"))
(prn (db-query db "SELECT name, id, score, note, data FROM t ORDER BY id"))
(prn (db-query db "SELECT 1 AS z, 2 AS a, 9007199254740993 AS big, 1.0 / 4 AS q"))
(prn (db-query db "SELECT * FROM t WHERE id > 100"))
(prn (db-close db) (db-close db) db)
`);
  assert.equal(
    out,
    `#<db sqlite::memory:>
{:changes 0}
{:changes 1 :last-insert-id 1}
{:changes 1 :last-insert-id 2}
({:name "ann" :id 1 :score 2.5 :note nil :data [1 2 255]} {:name "bob" :id 2 :score 7 :note nil :data nil})
({:z 1 :a 2 :big 9007199254740992 :q 0.25})
()
#t #f #<db sqlite::memory: (closed)>
`,
  );
});

test("parameters are bound, never spliced: quotes stay data, integers bind as INTEGER, booleans as 1/0, maps as named", async () => {
  const out = await stdoutOf(`
(define db (db-open "sqlite::memory:"))
(db-exec db "CREATE TABLE u (name TEXT, n)")
(db-exec db "INSERT INTO u VALUES (?, ?)" ["o'hara'); DROP TABLE u; --" 3])
(db-exec db "INSERT INTO u VALUES (?, ?)" (list "x" #t))
(db-exec db "INSERT INTO u VALUES (:name, :n)" {:name "named" :n :kw})
(prn (db-query db "SELECT name, n, typeof(n) AS t FROM u"))
(prn (db-query db "SELECT name FROM u ORDER BY name LIMIT ?" [1]))
(prn (db-query db "SELECT ? IS NULL AS absent, ? AS f" [nil 1.5]))
(prn (db-query db "SELECT count(*) AS n FROM json_each(?)" [[1 2 3]]))
(prn (db-query db "SELECT json_extract(?, '$.a.b') AS v" [{:a {:b "deep"}}]))
`);
  assert.equal(
    out,
    `({:name "o'hara'); DROP TABLE u; --" :n 3 :t "integer"} {:name "x" :n 1 :t "integer"} {:name "named" :n "kw" :t "text"})
({:name "named"})
({:absent 1 :f 1.5})
({:n 3})
({:v "deep"})
`,
  );
});

test("SQL errors return error values naming the cause, with the SQL and the database in the data", async () => {
  const out = await stdoutOf(`
(define db (db-open "sqlite::memory:"))
(db-exec db "CREATE TABLE k (id INTEGER PRIMARY KEY)")
(db-exec db "INSERT INTO k VALUES (1)")
(define e (db-query db "SELECT * FROM missing_table"))
(prn (error? e) (error-msg e) (map-get e :sql) (map-get e :db) (map-get e :code))
(prn (error-msg (db-exec db "INSERT INTO k VALUES (1)")))
(prn (error-msg (db-query db "SELEC 1")))
(prn (error-msg (db-query db "SELECT ? + ?" [1])))
(prn (error-msg (db-query db "SELECT 1; SELECT 2")))
(prn (error-msg (db-query db "SELECT load_extension('x')")))
(db-close db)
(prn (error-msg (db-query db "SELECT 1")) (error-msg (db-exec db "DELETE FROM k")))
(prn (error-msg (db-open "mysql://localhost/x")))
(prn (error? (db-open "sqlite:/no/such/dir/x.db")) (string-contains? (error-msg (db-open "sqlite:/no/such/dir/x.db")) "/no/such/dir/x.db"))
`);
  assert.equal(
    out,
    `#t "db-query: no such table: missing_table" "SELECT * FROM missing_table" "sqlite::memory:" "SQLITE_ERROR"
"db-exec: UNIQUE constraint failed: k.id"
"db-query: near \\"SELEC\\": syntax error"
"db-query: Too few parameter values were provided"
"db-query: The supplied SQL string contains more than one statement"
"db-query: not authorized: Skein does not let SQL load SQLite extensions (load_extension)"
"db-query: database is closed: sqlite::memory:" "db-exec: database is closed: sqlite::memory:"
"db-open: unsupported database URL (use sqlite:PATH, sqlite::memory: or postgres://...): mysql://localhost/x"
#t #t
`,
  );
});

test("a wrong type of argument raises instead of returning an error value", async () => {
  assert.match(await raisedBy(`(db-query 42 "SELECT 1")`), /^db-query: expected a database \(from db-open\), got 42$/);
  assert.match(
    await raisedBy(`(db-query (db-open "sqlite::memory:") 'select)`),
    /^db-query: expected a string, got select$/,
  );
  assert.match(
    await raisedBy(`(db-query (db-open "sqlite::memory:") "SELECT ?" [(lambda () 1)])`),
    /parameter 1, got #<function/,
  );
  assert.match(
    await raisedBy(`(db-exec (db-open "sqlite::memory:") "SELECT 1" "oops")`),
    /expected a vector, list or map of parameters/,
  );
  assert.match(await raisedBy(`(db-open 5)`), /^db-open: expected a string, got 5$/);
  assert.match(await raisedBy(`(db-query (db-open "sqlite::memory:") "SELECT 1" :timeout "x")`), /expected a number/);
});

test("db-exec runs a script of several statements when it has no parameters", async () => {
  const out = await stdoutOf(`
(define db (db-open "sqlite::memory:"))
(prn (db-exec db "CREATE TABLE a (x); CREATE TABLE b (y); INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (3);"))
(prn (db-query db "SELECT (SELECT count(*) FROM a) AS a, (SELECT count(*) FROM b) AS b"))
(prn (db-query db "UPDATE a SET x = x + 1"))
(prn (db-exec db "UPDATE a SET x = x + 1 WHERE x > ?" [2]))
`);
  assert.equal(out, "{:changes 3}\n({:a 2 :b 1})\n()\n{:changes 1}\n");
});

test("a file database keeps its data across handles, and relative paths resolve against the working directory", async () => {
  const dir = scratch();
  try {
    const file = join(dir, "keep.db");
    const out = await stdoutOf(`
(define a (db-open ${lit("sqlite:" + file)}))
(db-exec a "CREATE TABLE kv (k TEXT PRIMARY KEY, v)")
(db-exec a "INSERT INTO kv VALUES (?, ?)" ["a" 1])
(db-close a)
(define b (db-open ${lit("sqlite://" + file)}))
(prn (db-query b "SELECT * FROM kv"))
(prn (error-msg (db-exec (db-open ${lit("sqlite:" + file)} :readonly #t) "INSERT INTO kv VALUES ('b', 2)")))
(db-close b)
`);
    assert.equal(out, `({:k "a" :v 1})\n"db-exec: attempt to write a readonly database"\n`);
    assert.ok(existsSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a long SQLite query runs in a worker thread: a 10 ms ticker keeps ticking meanwhile", async () => {
  const out = await stdoutOf(`
(define db (db-open "sqlite::memory:"))
(define ticks (atom 0))
(define done (atom #f))
(spawn (lambda () (let loop () (when (not @done) (sleep 10) (atom-swap! ticks inc) (loop)))))
(define t0 (now))
(define n (map-get (first (db-query db ${lit(SLOW_CTE)} [10000000])) :n))
(define ms (- (now) t0))
(atom-reset! done #t)
; blocked, the ticker would tick once or twice; free, about ms/10 times (allow for a loaded machine)
(println n (> ms 300) (> @ticks (/ ms 50)))
(eprintln "query ms:" ms "ticks:" @ticks)
`);
  assert.equal(out, "10000000 #t #t\n");
});

test("queries from many tasks on one handle all get their own results", async () => {
  const out = await stdoutOf(`
(define db (db-open "sqlite::memory:"))
(db-exec db "CREATE TABLE n (i INTEGER)")
(parallel-map (lambda (i) (db-exec db "INSERT INTO n VALUES (?)" [i])) (range 50))
(prn (map-get (first (db-query db "SELECT count(*) AS c, sum(i) AS s FROM n")) :s))
(prn (parallel-map (lambda (i) (map-get (first (db-query db "SELECT i * 2 AS d FROM n WHERE i = ?" [i])) :d)) (range 10)))
`);
  assert.equal(out, "1225\n(0 2 4 6 8 10 12 14 16 18)\n");
});

test("a timeout returns `timeout after Nms` at once; a file database reconnects and goes on", async () => {
  const dir = scratch();
  try {
    const t0 = Date.now();
    const out = await stdoutOf(`
(define db (db-open ${lit("sqlite:" + join(dir, "t.db"))}))
(db-exec db "CREATE TABLE t (x)")
(prn (db-query db ${lit(ENDLESS_CTE)} :timeout 150))
(prn (timeout 100 (lambda () (db-query db ${lit(ENDLESS_CTE)}))))
(prn (db-exec db "INSERT INTO t VALUES (1)"))
(prn (db-query db "SELECT * FROM t"))
`);
    assert.equal(
      out,
      `{:error "timeout after 150ms" :op "db-query"}\n{:error "timeout after 100ms"}\n{:changes 1 :last-insert-id 1}\n({:x 1})\n`,
    );
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cancelling a task drops its queued statement; an in-memory database finishes the running one, then goes on", async () => {
  const out = await stdoutOf(`
(define db (db-open "sqlite::memory:"))
(db-exec db "CREATE TABLE t (x)")
(define slow (spawn (lambda () (db-query db ${lit(SLOW_CTE)} [3000000]))))
(sleep 20)
(define queued (spawn (lambda () (db-exec db "INSERT INTO t VALUES ('from a cancelled task')"))))
(sleep 20)
(task-cancel queued)
(task-cancel slow)
(sleep 10)
(prn (task-status slow) (task-status queued))
(prn (db-exec db "INSERT INTO t VALUES ('after')"))
(prn (db-query db "SELECT x FROM t"))
`);
  assert.equal(out, ':cancelled :cancelled\n{:changes 1 :last-insert-id 1}\n({:x "after"})\n');
});

/** Pids of SQLite helper processes whose working directory is dir (Linux /proc; none elsewhere). */
function helpersIn(dir: string): number[] {
  if (!existsSync("/proc/self/cwd")) return [];
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, "utf8").includes("db-sqlite-worker")) continue;
      if (realpathSync(readlinkSync(`/proc/${name}/cwd`)) === realpathSync(dir)) found.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

test("the CLI exits at once even while SQLite still runs a timed-out statement, leaving no process behind", () => {
  const root = projectRoot();
  const dir = scratch();
  try {
    const script = join(dir, "runaway.lisp");
    writeFileSync(
      script,
      `
(define db (db-open "sqlite::memory:"))
(println (db-query db ${lit(ENDLESS_CTE)} :timeout 100))
(define f (db-open "sqlite:f.db"))
(println (db-query f ${lit(ENDLESS_CTE)} :timeout 100))
(println "bye")
`,
    );
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [join(root, "bin", "skein"), script], {
      cwd: dir,
      encoding: "utf8",
      timeout: 20_000,
    });
    const ms = Date.now() - t0;
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      `{:error "timeout after 100ms" :op "db-query"}\n{:error "timeout after 100ms" :op "db-query"}\nbye\n`,
    );
    assert.ok(ms < 5000, `exit took ${ms} ms`);
    // the helper kills itself when its interpreter is gone: none may be left working in dir
    const deadline = Date.now() + 3000;
    while (helpersIn(dir).length && Date.now() < deadline) spawnSync("sleep", ["0.1"]);
    assert.deepEqual(helpersIn(dir), [], "a SQLite helper process outlived the CLI");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the drivers stay out of the CLI bundle and load only on the first db-open", () => {
  const cli = join(projectRoot(), "dist", "src", "cli");
  const bundleFile = [join(cli, "skein.cjs")].find(existsSync);
  assert.ok(bundleFile, "the CLI bundle is built");
  const bundle = readFileSync(bundleFile, "utf8");
  assert.ok(!bundle.includes("pg-protocol"), "pg is bundled");
  assert.ok(!bundle.includes("better_sqlite3.node"), "better-sqlite3 is bundled");
  // the bundle finds the worker script through a path relative to dist/src/ (SRC_ROOT)
  const worker = /new URL\("(host\/db\/[\w-]+\.js)"/.exec(bundle)?.[1];
  assert.ok(worker, "the bundle names the SQLite worker script");
  assert.ok(existsSync(join(projectRoot(), "dist", "src", worker)), `the worker script ${worker} exists`);
});

// ---- the sandbox -------------------------------------------------------------------------

/** Runs a program with a host that allows only the listed capabilities (for any target, or those `only` accepts). */
async function sandboxed(
  source: string,
  allowed: Capability[],
  only: (target: string) => boolean = () => true,
): Promise<string> {
  const host = fakeHost();
  host.permissions = { allows: (cap, target) => allowed.includes(cap) && only(target) };
  return stdoutOf(source, { host, file: "sandboxed.lisp" });
}

test("in the sandbox a SQLite file needs --allow-read, opens read-only without --allow-write, and cannot ATTACH others", async () => {
  const dir = scratch();
  try {
    const file = join(dir, "s.db");
    await stdoutOf(
      `(define d (db-open ${lit("sqlite:" + file)})) (db-exec d "CREATE TABLE t (x)") (db-exec d "INSERT INTO t VALUES (1)") (db-close d)`,
    );
    const nothing = await sandboxed(`(prn (error-msg (db-open ${lit("sqlite:" + file)})))`, []);
    assert.equal(nothing, `"permission denied: db-open ${file} (run with --allow-read)"\n`);
    const readOnly = await sandboxed(
      `
(define d (db-open ${lit("sqlite:" + file)}))
(prn (db-query d "SELECT x FROM t"))
(prn (error-msg (db-exec d "INSERT INTO t VALUES (2)")))
(prn (error-msg (db-open ${lit("sqlite:" + join(dir, "new.db"))})))
(prn (error-msg (db-exec d ${lit(`ATTACH DATABASE '${join(dir, "other.db")}' AS o`)})))
(prn (error-msg (db-exec (db-open "sqlite::memory:") "VACUUM INTO 'copy.db'")))
(prn (db-query (db-open "sqlite::memory:") "SELECT 'attach' AS word"))
`,
      ["read"],
    );
    assert.equal(
      readOnly,
      `({:x 1})
"permission denied: db-exec ${file} (run with --allow-write)"
"permission denied: db-open ${join(dir, "new.db")} (run with --allow-write)"
"permission denied: db-exec: another database file (ATTACH or VACUUM INTO): ${join(dir, "other.db")} (refused in the sandbox, which keeps a database to its own file; no flag grants it)"
"permission denied: db-exec: another database file (ATTACH or VACUUM INTO): copy.db (refused in the sandbox, which keeps a database to its own file; no flag grants it)"
({:word "attach"})
`,
    );
    assert.ok(!existsSync(join(dir, "other.db")) && !existsSync(join(dir, "new.db")));
    const memory = await sandboxed(`(prn (db-query (db-open "sqlite::memory:") "SELECT 1 AS one"))`, []);
    assert.equal(memory, "({:one 1})\n");
    const net = await sandboxed(`(prn (error-msg (db-open "postgres://u:secret@db.example:5432/x")))`, []);
    assert.equal(net, `"permission denied: db-open db.example:5432 (run with --allow-net)"\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("PostgreSQL URLs are parsed here, not by pg: host and port from the query count, file-reading parameters are refused", () => {
  assert.deepEqual(
    parsePostgresUrl("postgres://ann:p%40ss@db.example:6543/shop?sslmode=require&application_name=etl"),
    {
      host: "db.example",
      port: 6543,
      user: "ann",
      password: "p@ss",
      database: "shop",
      ssl: true,
      application_name: "etl",
    },
  );
  assert.deepEqual(parsePostgresUrl("postgresql://[::1]/x"), {
    host: "::1",
    port: 5432,
    database: "x",
    application_name: "skein",
  });
  assert.deepEqual(parsePostgresUrl("postgres://u@%2Fvar%2Frun%2Fpostgresql/x"), {
    host: "/var/run/postgresql",
    port: 5432,
    user: "u",
    database: "x",
    application_name: "skein",
  });
  const moved = parsePostgresUrl("postgres://u@a.example:1/x?host=b.example&port=2");
  assert.ok(typeof moved !== "string" && moved.host === "b.example" && moved.port === 2);
  assert.match(
    parsePostgresUrl("postgres://u@h/x?sslrootcert=/etc/shadow") as string,
    /^unsupported parameter sslrootcert/,
  );
  assert.match(parsePostgresUrl("postgres://u@h/x?port=99999") as string, /^invalid port 99999/);
  assert.match(parsePostgresUrl("postgres://u@h/x?sslmode=maybe") as string, /^unsupported sslmode maybe/);
});

test("a bad PostgreSQL URL is an error value that does not show the password; the sandbox checks the real host", async () => {
  const out = await stdoutOf(`(prn (error-msg (db-open "postgres://ann:hunter2@h.example/x?sslkey=/k")))`);
  assert.equal(
    out,
    `"db-open: unsupported parameter sslkey (supported: host port sslmode application_name options): postgres://ann@h.example/x?sslkey=/k"\n`,
  );
  const moved = await sandboxed(
    `(prn (error-msg (db-open "postgres://u:p@ok.example:5432/x?host=other.example&port=6000")))`,
    ["net"],
    (target) => target.includes("ok.example"),
  );
  assert.equal(moved, `"permission denied: db-open other.example:6000 (run with --allow-net)"\n`);
});

// Regression (issue 9 §4.5): two columns of one name collapsed into one key of the row map,
// and one value was dropped without a word.
test("a result with two columns of the same name is an error value, not a row missing one", async () => {
  const out = await stdoutOf(`(define d (db-open "sqlite::memory:"))
(prn (error-msg (db-query d "SELECT 1 AS a, 2 AS a")))
(prn (db-query d "SELECT 1 AS a, 2 AS b"))`);
  assert.equal(out, `"db-query: the result has two columns named a (name them apart with AS)"\n({:a 1 :b 2})\n`);
});

// Issue 10 §2: (db-open ":memory:") and (db-open "app.db") were "unsupported database URL".
test("db-open takes SQLite's own spellings: :memory: and a path with no scheme", async () => {
  const dir = scratch();
  const path = join(dir, "app.db");
  assert.equal(
    await stdoutOf(`(define m (db-open ":memory:"))
(prn (db-query m "SELECT 2 AS two"))
(define f (db-open ${lit(path)}))
(db-exec f "CREATE TABLE t (a)")
(db-exec f "INSERT INTO t VALUES (?)" [7])
(db-close f)
(prn (db-query (db-open ${lit("sqlite:" + path)}) "SELECT a FROM t"))
(prn (error-msg (db-open "mysql://h/db")))`),
    `({:two 2})\n({:a 7})\n"db-open: unsupported database URL (use sqlite:PATH, sqlite::memory: or postgres://...): mysql://h/db"\n`,
  );
  assert.ok(existsSync(path));
});
