// PostgreSQL through db-open / db-query / db-exec / db-close against a real server: the URL comes
// from SKEIN_TEST_POSTGRES (`export SKEIN_TEST_POSTGRES=$(scripts/postgres.sh start)`, which .ci/run
// does). Without it the tests are skipped locally, but FAIL under CI, so CI cannot silently skip them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { stdoutOf } from "../helpers.js";

const URL_ = process.env.SKEIN_TEST_POSTGRES;
const IN_CI = Boolean(process.env.CI);
const skip = !URL_ && !IN_CI ? "SKEIN_TEST_POSTGRES is not set (scripts/postgres.sh start prints a URL for it)" : false;

/** A string literal for Lisp source. */
const lit = (s: string) => JSON.stringify(s);
/** Source that opens the test database as `db`. */
const open = () =>
  `(define db (db-open ${lit(URL_ ?? "")}))\n(when (error? db) (println "cannot open:" (error-msg db)))\n`;
/** A table name no other run uses. */
const unique = (base: string) => `${base}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;

test("the PostgreSQL server of the tests is there (under CI it must be)", { skip }, async () => {
  assert.ok(
    URL_,
    "CI is set but SKEIN_TEST_POSTGRES is not: .ci/run must start PostgreSQL (scripts/postgres.sh start)",
  );
  const out = await stdoutOf(`${open()}(prn (db-query db "SELECT 1 AS one")) (db-close db)`);
  assert.equal(out, "({:one 1})\n", `the server at SKEIN_TEST_POSTGRES does not answer: ${out}`);
});

test("rows are maps with keyword keys, values converted by column type", { skip }, async () => {
  const t = unique("types");
  const out = await stdoutOf(`${open()}
(prn db)
(db-exec db ${lit(`CREATE TABLE ${t} (id serial PRIMARY KEY, name text, age int, big bigint, score numeric, ok boolean,
  at timestamptz, t timestamp, d date, j jsonb, tags text[], b bytea, f float8, n int)`)})
(prn (db-exec db ${lit(`INSERT INTO ${t} (name, age, big, score, ok, at, t, d, j, tags, b, f) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`)}
  ["ann" 31 "9007199254740993" "3.25" #t "2024-05-01 14:00:00.123456+02" "2024-05-01 12:00:00" "2024-05-01" {:a [1 2] :b {:c nil}} ["x" "y z" "q\\"uote"] "\\\\x4869" 0.5]))
(prn (db-query db ${lit(`SELECT name, age, big, score, ok, at, t, d, j, tags, b, f, n FROM ${t}`)}))
(prn (db-query db "SELECT count(*) AS c, 12345678901234567890.5::numeric AS huge, ARRAY[1, NULL, 3] AS arr, ARRAY[[1,2],[3,4]] AS m, 'NaN'::float8 > 0 AS nan, false AS no"))
(db-exec db ${lit(`DROP TABLE ${t}`)})
(db-close db)
`);
  const label = new URL(URL_ as string);
  label.password = "";
  assert.equal(
    out,
    `#<db ${label.href}>
{:changes 1}
({:name "ann" :age 31 :big "9007199254740993" :score 3.25 :ok #t :at "2024-05-01T12:00:00.123456Z" :t "2024-05-01T12:00:00" :d "2024-05-01" :j {:a [1 2] :b {:c nil}} :tags ["x" "y z" "q\\"uote"] :b [72 105] :f 0.5 :n nil})
({:c 1 :huge "12345678901234567890.5" :arr [1 nil 3] :m [[1 2] [3 4]] :nan #t :no #f})
`,
  );
});

test("parameters are bound ($1...), never spliced; vectors bind as arrays, maps as JSON", { skip }, async () => {
  const t = unique("params");
  const out = await stdoutOf(`${open()}
(db-exec db ${lit(`CREATE TABLE ${t} (name text, n int)`)})
(prn (db-exec db ${lit(`INSERT INTO ${t} VALUES ($1, $2), ($3, $4)`)} ["o'hara'); DROP TABLE ${t}; --" 1 "bob" 2]))
(prn (db-query db ${lit(`SELECT name FROM ${t} WHERE n = ANY($1::int[]) ORDER BY n`)} [[1 2 3]]))
(prn (db-query db "SELECT $1::int + 1 AS x, $2::jsonb ->> 'k' AS k, $3::text AS kw, $4::boolean AS b" (list 41 {:k "v"} :active #f)))
(prn (db-exec db ${lit(`UPDATE ${t} SET n = n + 10 WHERE n > $1`)} [0]))
(prn (db-exec db ${lit(`DELETE FROM ${t}; INSERT INTO ${t} VALUES ('x', 1)`)}))
(db-exec db ${lit(`DROP TABLE ${t}`)})
(db-close db)
`);
  assert.equal(
    out,
    `{:changes 2}
({:name "o'hara'); DROP TABLE ${t}; --"} {:name "bob"})
({:x 42 :k "v" :kw "active" :b #f})
{:changes 2}
{:changes 3}
`,
  );
});

test("errors are values naming the cause: missing table, syntax, constraint, refused connection, bad password, closed db", {
  skip,
}, async () => {
  const t = unique("errs");
  const bad = new URL(URL_ ?? "postgres://x@127.0.0.1/x");
  bad.password = "wrong-password";
  const out = await stdoutOf(`${open()}
(define e (db-query db "SELECT * FROM no_such_table_here"))
(prn (error? e) (error-msg e) (map-get e :code) (map-get e :sql))
(prn (error-msg (db-query db "SELEC 1")))
(db-exec db ${lit(`CREATE TABLE ${t} (id int PRIMARY KEY)`)})
(db-exec db ${lit(`INSERT INTO ${t} VALUES (1)`)})
(define dup (db-exec db ${lit(`INSERT INTO ${t} VALUES (1)`)}))
(prn (error-msg dup) (string-contains? (map-get dup :detail) "already exists"))
(db-exec db ${lit(`DROP TABLE ${t}`)})
(define refused (db-open "postgres://u:p@127.0.0.1:1/x"))
(prn (error-msg refused) (map-get refused :code))
(prn (string-contains? (error-msg (db-open ${lit(bad.href)})) "password authentication failed"))
(prn (try (db-query db "SELECT 1" {:a 1}) (catch e (error-msg e))))
(db-close db)
`);
  assert.match(
    out,
    /^#t "db-query: relation \\"no_such_table_here\\" does not exist" "42P01" "SELECT \* FROM no_such_table_here"\n/,
  );
  assert.match(out, /\n"db-query: syntax error at or near \\"SELEC\\""\n/);
  assert.match(out, /\n"db-exec: duplicate key value violates unique constraint \\"errs_[0-9_]+_pkey\\"" #t\n/);
  assert.match(out, /\n"db-open: connection refused: postgres:\/\/u@127.0.0.1:1\/x" "ECONNREFUSED"\n#t\n/);
  // a map of named parameters is a programming error for PostgreSQL: it raises
  assert.match(out, /PostgreSQL has no named parameters/);
  const closed = await stdoutOf(`${open()}(db-close db)(prn (error-msg (db-query db "SELECT 1")) (db-close db))`);
  assert.match(closed, /^"db-query: database is closed: postgres:\/\/[^"]*" #f\n$/);
  assert.ok(!closed.includes(`:${new URL(URL_ as string).password}@`), "the password must not be shown");
});

test("parallel queries run in parallel: 10 × pg_sleep(0.2) take well under 2 s", { skip }, async () => {
  const out = await stdoutOf(`${open()}
(define t0 (now))
(prn (parallel-map (lambda (i) (map-get (first (db-query db "SELECT pg_sleep(0.2), $1::int AS i" [i])) :i)) (range 10)))
(define ms (- (now) t0))
(eprintln "10 parallel pg_sleep(0.2):" ms "ms")
(prn (< ms 1000))
(db-close db)
`);
  assert.equal(out, "(0 1 2 3 4 5 6 7 8 9)\n#t\n");
});

/** Lisp that waits until no backend runs a query containing marker; prints how many still do. */
const goneCheck = (marker: string) => `
(define (running) (map-get (first (db-query db "SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND position($1 in query) > 0" [${lit(marker)}])) :n))
(define left (let loop ((i 0)) (let ((n (running))) (if (or (= n 0) (> i 40)) n (begin (sleep 50) (loop (+ i 1)))))))
(prn left)
`;

test("a timeout cancels the query on the server: `timeout after Nms` at once, and the backend stops running it", {
  skip,
}, async () => {
  const marker = unique("cancel_me");
  const out = await stdoutOf(`${open()}
(define t0 (now))
(prn (db-query db ${lit(`SELECT pg_sleep(10) /* ${marker} */`)} :timeout 300))
(prn (< (- (now) t0) 1000))
${goneCheck(marker)}
(prn (db-query db "SELECT 1 AS still_fine"))
(db-close db)
`);
  assert.equal(out, `{:error "timeout after 300ms" :op "db-query"}\n#t\n0\n({:still_fine 1})\n`);
});

test("cancelling the task and the timeout form also cancel the query on the server", { skip }, async () => {
  const a = unique("task_cancel"),
    b = unique("timeout_form");
  const out = await stdoutOf(`${open()}
(define t (spawn (lambda () (db-query db ${lit(`SELECT pg_sleep(10) /* ${a} */`)}))))
(sleep 300)
(task-cancel t)
${goneCheck(a)}
(prn (timeout 300 (lambda () (db-query db ${lit(`SELECT pg_sleep(10) /* ${b} */`)}))))
${goneCheck(b)}
(db-close db)
`);
  assert.equal(out, `0\n{:error "timeout after 300ms"}\n0\n`);
});

test(":pool 1 keeps one connection, so a session setting carries over between calls", { skip }, async () => {
  const out = await stdoutOf(`
(define db (db-open ${lit(URL_ ?? "")} :pool 1))
(db-exec db "SET application_name = 'skein-pool-one'; SET TimeZone = 'Asia/Kolkata'")
(prn (db-query db "SELECT current_setting('application_name') AS app"))
(prn (db-query db "SELECT '2024-05-01 12:00:00.5+00'::timestamptz AS at, '2024-05-01 12:00:00+00'::timestamptz::text AS local"))
(prn (parallel-map (lambda (i) (map-get (first (db-query db "SELECT $1::int * 2 AS d" [i])) :d)) [1 2 3]))
(db-close db)
`);
  assert.equal(
    out,
    `({:app "skein-pool-one"})\n({:at "2024-05-01T12:00:00.5Z" :local "2024-05-01 17:30:00+05:30"})\n(2 4 6)\n`,
  );
});

// Regression: a connection the server ended (pg_terminate_backend, a restart) went back to the
// pool after its query failed with 57P01, and the next query on it failed "Connection terminated".
test("a connection the server terminates is dropped from the pool, not reused", { skip }, async () => {
  const out = await stdoutOf(`
(define db (db-open ${lit(URL_ ?? "")} :pool 1))
(define other (db-open ${lit(URL_ ?? "")}))
(define pid (map-get (first (db-query db "SELECT pg_backend_pid() AS p")) :p))
(define t (spawn (lambda () (db-query db "SELECT pg_sleep(5)"))))
(sleep 200)
(db-query other "SELECT pg_terminate_backend($1)" [pid])
(prn (map-get (task-await t) :code))
(prn (db-query db "SELECT 1 AS fine"))
(db-close db)
(db-close other)
`);
  assert.equal(out, `"57P01"\n({:fine 1})\n`);
});

// regression: pg looked the password up in ~/.pgpass itself and printed its own DeprecationWarning
// ("pgpass support is deprecated ...") on stderr; Skein finds it (the session's HOME, PGPASSFILE,
// PGPASSWORD) and nothing of the driver's reaches the user
test("a password from ~/.pgpass connects, and no warning of the driver is printed", { skip }, async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { fakeHost } = await import("../helpers.js");
  const u = new URL(URL_ as string);
  const home = mkdtempSync(join(tmpdir(), "skein-pgpass-"));
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarning);
  try {
    writeFileSync(
      join(home, ".pgpass"),
      `# comment\nother:1:*:*:wrong\n${u.hostname}:${u.port || 5432}:*:${decodeURIComponent(u.username)}:${decodeURIComponent(u.password).replace(/([:\\])/g, "\\$1")}\n`,
      { mode: 0o600 },
    );
    u.password = "";
    const host = fakeHost();
    host.env = { HOME: home };
    const out = await stdoutOf(
      `(define d (db-open ${lit(u.href)})) (prn (db-query d "SELECT 1 AS one")) (db-close d)`,
      {
        host,
      },
    );
    assert.equal(out, "({:one 1})\n");
    const none = fakeHost();
    none.env = { HOME: join(home, "nowhere") };
    assert.equal(
      await stdoutOf(`(prn (error-msg (db-open ${lit(u.href)})))`, { host: none }),
      `"db-open: the server asks for a password and none was given (put it in the URL, PGPASSWORD or ~/.pgpass): ${u.href}"\n`,
    );
    assert.deepEqual(warnings, []);
  } finally {
    process.off("warning", onWarning);
    rmSync(home, { recursive: true, force: true });
  }
});
