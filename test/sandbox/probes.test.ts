// The adversarial probe of the sandbox, kept as a repeatable test: a table of probes over five
// surfaces — paths (file builtins, load, glob, database file paths), SQL (SQLite's ATTACH, VACUUM,
// pragma and extension family), env (getenv, /proc, subprocesses), net (hosts and ports not
// granted, other spellings of addresses, redirects) and run (programs through paths, links, names
// and PATH). Each probe runs a program in a sandboxed session and must be refused (an error value,
// or an error) or confined (it ran, but reached nothing outside the grants). After every probe the
// playground is checked for traces: nothing outside the grants changed, no secret in the answer or
// the output, no program outside the grants ran, the server that is not granted saw no request.
//
// docs/sandbox.md states how many probes each surface has; the last test checks that figure.
// Rerun: npm run build && node --test dist/test/sandbox/probes.test.js
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session, type Host } from "../../src/session/session.js";
import { parseSandboxFlags } from "../../src/sandbox/sandbox.js";
import { ErrorValue, type Value } from "../../src/core/types.js";
import { write } from "../../src/syntax/printer.js";
import { projectRoot } from "../helpers.js";

const lit = (s: string) => JSON.stringify(s);

// ---- the playground --------------------------------------------------------------------------
//
// ROOT/data/        the read grant: a.txt ok.lisp sub/ ro.db; links out -> ../outside,
//                   secret-link -> ../outside/secret.txt, sublink -> ../outside/sub
// ROOT/data/w/      the write grant: x.db; links dangle -> ../../outside/new.txt, out-dir -> ../../outside
// ROOT/outside/     secret.txt evil.lisp o.db sub/ tool env (programs that leave ROOT/marker)
// ROOT/bin/         tool (granted); linkout -> ../outside/tool, sublink -> ../outside/sub, env-link -> ../outside/env

const ROOT = realpathSync(mkdtempSync(join(tmpdir(), "skein-probes-")));
const DATA = join(ROOT, "data");
const W = join(DATA, "w");
const OUTSIDE = join(ROOT, "outside");
const BIN = join(ROOT, "bin");
const MARKER = join(ROOT, "marker");
const SECRET = "probe-secret-k41";
const SECRET_VAR = "SKEIN_PROBE_SECRET";

interface Sqlite {
  exec(s: string): void;
  close(): void;
}
const Database = createRequire(import.meta.url)("better-sqlite3") as new (file: string) => Sqlite;
function makeDb(file: string): void {
  const d = new Database(file);
  d.exec(`CREATE TABLE s (v); INSERT INTO s VALUES ('${SECRET}')`);
  d.close();
}

const EVIL = `#!/bin/sh\necho ${SECRET} > ${MARKER}\necho evil-ran\n`;

function playground(): void {
  mkdirSync(join(DATA, "sub"), { recursive: true });
  mkdirSync(W);
  mkdirSync(join(OUTSIDE, "sub"), { recursive: true });
  mkdirSync(BIN);
  writeFileSync(join(DATA, "a.txt"), "alpha");
  writeFileSync(join(DATA, "ok.lisp"), "(define loaded :ok)");
  writeFileSync(join(OUTSIDE, "secret.txt"), SECRET);
  writeFileSync(join(OUTSIDE, "evil.lisp"), `(println ${lit(SECRET)})`);
  writeFileSync(join(OUTSIDE, "sub", "s.txt"), SECRET);
  makeDb(join(OUTSIDE, "o.db"));
  makeDb(join(W, "x.db"));
  makeDb(join(DATA, "ro.db"));
  for (const p of [join(OUTSIDE, "tool"), join(OUTSIDE, "env")]) {
    writeFileSync(p, EVIL);
    chmodSync(p, 0o755);
  }
  writeFileSync(join(BIN, "tool"), "#!/bin/sh\necho tool\n");
  chmodSync(join(BIN, "tool"), 0o755);
  symlinkSync("../outside", join(DATA, "out"));
  symlinkSync("../outside/secret.txt", join(DATA, "secret-link"));
  symlinkSync("../outside/sub", join(DATA, "sublink"));
  symlinkSync("../../outside/new.txt", join(W, "dangle"));
  symlinkSync("../../outside", join(W, "out-dir"));
  symlinkSync("../outside/tool", join(BIN, "linkout"));
  symlinkSync("../outside/sub", join(BIN, "sublink"));
  symlinkSync("../outside/env", join(BIN, "env-link"));
  linkSync(join(OUTSIDE, "tool"), join(ROOT, "hard-tool")); // a hard link outside every grant
}

/** Everything under ROOT outside the grants, as path → content (links as their target). */
function snapshot(dir = ROOT, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (p === DATA) continue; // data/ and data/w are granted: the probes' writes may land there
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out.set(p, `-> ${readlinkSync(p)}`);
    else if (st.isDirectory()) snapshot(p, out.set(p, "dir"));
    else out.set(p, readFileSync(p, "latin1"));
  }
  return out;
}

// ---- servers: A is granted, B is not -----------------------------------------------------------

interface Srv {
  server: http.Server;
  port: number;
  hits: number;
}
async function serve(): Promise<Srv> {
  const s: Srv = { server: http.createServer(), port: 0, hits: 0 };
  s.server.on("request", (req, res) => {
    s.hits++;
    const u = new URL(req.url ?? "/", "http://x");
    if (u.pathname === "/to") {
      res.writeHead(302, { location: u.searchParams.get("u") ?? "/" });
      res.end();
    } else res.end(u.pathname === "/ok" ? "ok" : SECRET);
  });
  // 127.0.0.1 only (tests stay on loopback): a probe that is not refused before connecting fails
  // either way, since a refusal is an error value saying permission denied
  await new Promise<void>((resolve) => s.server.listen(0, "127.0.0.1", resolve));
  s.port = (s.server.address() as AddressInfo).port;
  return s;
}
let A: Srv;
let B: Srv;

before(async () => {
  playground();
  A = await serve();
  B = await serve();
});
after(() => {
  A.server.close();
  B.server.close();
  rmSync(ROOT, { recursive: true, force: true });
});

// ---- probes ------------------------------------------------------------------------------------

type Surface = "paths" | "SQL" | "env" | "net" | "run";
const SURFACES: Surface[] = ["paths", "SQL", "env", "net", "run"];

interface Outcome {
  /** the last value, or the message of an error that ended the program */
  value: Value;
  stdout: string;
}

interface Probe {
  surface: Surface;
  flags: string[];
  src: string;
  /** refused: must end in an error value (or error) saying permission denied; failed: any error
   *  value or error; confined: anything, as long as the traces are clean and check passes */
  expect: "refused" | "failed" | "confined";
  /** more to check of the outcome: null when fine, else what went wrong */
  check?: (o: Outcome) => string | null;
}

const READ = `--allow-read=${DATA}`;
const WRITE = `--allow-write=${W}`;
const PROBES: Probe[] = [];
const add = (surface: Surface, expect: Probe["expect"], flags: string[], src: string, check?: Probe["check"]) =>
  PROBES.push({ surface, flags, src, expect, check });

// paths: the secret outside the read grant, through every spelling of a path to it
const toOutside = (file: string) => [
  `outside/${file}`,
  `${OUTSIDE}/${file}`,
  `data/../outside/${file}`,
  `data/out/${file}`,
  `data/sublink/../${file}`,
  `data/./out/../out/${file}`,
  `data//out//${file}`,
  `/proc/self/root${OUTSIDE}/${file}`,
  `/proc/self/cwd/outside/${file}`,
  `/proc/${process.pid}/root${OUTSIDE}/${file}`,
  `data/w/out-dir/${file}`,
  `data/a.txt/../../outside/${file}`,
  `data/missing/../../outside/${file}`,
  `data/out/../data/../outside/${file}`,
  `${DATA}/sub/../../outside/${file}`,
];
for (const p of [...toOutside("secret.txt"), "data/secret-link", "data/secret-link/", "data/a.txt\u0000x"]) {
  for (const op of ["read-file", "read-lines", "file-size", "file-exists?"])
    add("paths", "refused", [READ, WRITE], `(${op} ${lit(p)})`);
}
for (const p of toOutside("evil.lisp")) add("paths", "refused", [READ], `(load ${lit(p)})`);
for (const p of ["outside", "data/out", "data/sublink", "data/sublink/..", `/proc/self/cwd/outside`, "data/w/out-dir"])
  add("paths", "refused", [READ], `(list-dir ${lit(p)})`);
for (const pattern of [
  "outside/*",
  "data/out/*",
  "data/*/s.txt",
  "data/*/*",
  "data/**/secret.txt",
  "data/../outside/*",
  "data/\\.\\./outside/*",
  "{data,outside}/*.txt",
  "data/{..,sub}/outside/*",
  `${OUTSIDE}/*`,
  "/proc/self/cwd/outside/*",
])
  add("paths", "confined", [READ], `(glob ${lit(pattern)})`, (o) =>
    !(o.value instanceof ErrorValue) && /outside|secret|\bs\.txt/.test(write(o.value))
      ? `listed ${write(o.value)}`
      : null,
  );
add("paths", "refused", [READ], `(glob "*" :cwd "outside")`);
add("paths", "refused", [READ], `(glob "*" :cwd "data/out")`);
for (const p of ["outside/o.db", "data/out/o.db", "data/sublink/../o.db", `/proc/self/root${OUTSIDE}/o.db`])
  add("paths", "refused", [READ, WRITE], `(db-open ${lit(`sqlite:${p}`)})`);
for (const p of [
  "outside/new.txt",
  "data/w/../../outside/new.txt",
  "data/w/dangle",
  "data/w/out-dir/new.txt",
  "data/out/new.txt",
  "data/a.txt",
  "/proc/self/cwd/outside/new.txt",
  "data/w/missing/../../../outside/new.txt",
]) {
  add("paths", "refused", [READ, WRITE], `(write-file ${lit(p)} "x")`);
  add("paths", "refused", [READ, WRITE], `(append-file ${lit(p)} "x")`);
}
for (const p of ["outside/secret.txt", "data/out/secret.txt", "data/w/out-dir/secret.txt", "data/secret-link"])
  add("paths", "refused", [READ, WRITE], `(delete-file ${lit(p)})`);
add("paths", "refused", [READ, WRITE], `(delete-file "data/out" :recursive #t)`);
for (const p of ["outside/new-dir", "data/w/out-dir/new-dir", "data/out/new-dir"])
  add("paths", "refused", [READ, WRITE], `(make-dir ${lit(p)})`);
add("paths", "refused", [READ, WRITE], `(db-open "sqlite:data/w/out-dir/new.db")`);
add("paths", "refused", [READ, WRITE], `(db-open "sqlite:data/w/dangle")`);
// deleting a link inside the write grant removes the link, never what it points to
add("paths", "confined", [READ, WRITE], `(delete-file "data/w/out-dir" :recursive #t)`, () =>
  existsSync(join(OUTSIDE, "secret.txt")) ? null : "deleted through the link",
);

// SQL: a database inside the grants that tries to reach another file
const onDb = (sql: string, params = "") =>
  `(define d (db-open "sqlite:data/w/x.db")) (db-exec d ${lit(sql)}${params ? ` ${params}` : ""})`;
for (const sql of [
  "ATTACH 'outside/o.db' AS o",
  `attach database '${OUTSIDE}/o.db' as "o"`,
  "/* x */ ATTACH 'data/out/o.db' AS o",
  "SELECT 1 AS [']; ATTACH 'outside/o.db' AS o; SELECT 1 AS [']",
  "ATTACH 'file:outside/o.db?mode=ro' AS o",
  "ATTACH ':memory:' AS m",
  "ATTACH '' AS t",
  "ATTACH 'outside/made.db' AS n; CREATE TABLE n.t(a)",
  "DETACH main",
  "VACUUM INTO 'outside/copy.db'",
  "VACUUM main INTO 'outside/copy.db'",
  "VACUUM",
  "PRAGMA journal_mode=WAL",
  "PRAGMA journal_mode=PERSIST",
  "pragma main.JOURNAL_MODE('truncate')",
  "PRAGMA journal_mode=MEMORY",
  "PRAGMA locking_mode=EXCLUSIVE",
  "PRAGMA temp_store=FILE",
  `PRAGMA temp_store_directory='${OUTSIDE}'`,
  `PRAGMA data_store_directory='${OUTSIDE}'`,
])
  add("SQL", "refused", [READ, WRITE], onDb(sql));
add("SQL", "refused", [READ, WRITE], onDb("ATTACH ? AS o", `[${lit(join(OUTSIDE, "o.db"))}]`));
add("SQL", "refused", [READ, WRITE], onDb("VACUUM INTO ?", `[${lit(join(OUTSIDE, "copy.db"))}]`));
for (const sql of [
  "SELECT load_extension('outside/evil.so')",
  "select LOAD_EXTENSION('outside/evil.so', 'init')",
  "SELECT * FROM (SELECT load_extension('x'))",
])
  add("SQL", "refused", [READ, WRITE], `(db-query (db-open "sqlite:data/w/x.db") ${lit(sql)})`);
for (const sql of [
  "SELECT readfile('outside/secret.txt')",
  "SELECT writefile('outside/new.txt', 'x')",
  "SELECT edit('x')",
  "SELECT fts3_tokenizer('simple', x'00')",
  "CREATE VIRTUAL TABLE c USING csv(filename='outside/secret.txt')",
  "SELECT * FROM zipfile('outside/secret.zip')",
  "SELECT * FROM sqlite_dbpage('main')",
])
  add("SQL", "failed", [READ, WRITE], `(db-query (db-open "sqlite:data/w/x.db") ${lit(sql)})`);
// a database with only a read grant is opened read-only: writes are refused, nothing is made beside it
for (const sql of ["INSERT INTO s VALUES (1)", "PRAGMA user_version = 7", "CREATE TABLE t (a)", "DELETE FROM s"])
  add("SQL", "refused", [READ, WRITE], `(db-exec (db-open "sqlite:data/ro.db") ${lit(sql)})`);
// allowed, and confined to the database's own file
for (const sql of [
  "CREATE VIRTUAL TABLE v USING fts5(x)",
  "CREATE TEMP TABLE tt AS SELECT 1",
  "WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c LIMIT 20000) SELECT count(*) FROM (SELECT x FROM c ORDER BY random())",
])
  add("SQL", "confined", [READ, WRITE], onDb(sql));

// env: variables and the files of /proc that hold them
for (const name of [SECRET_VAR, "PATH", "HOME", "", SECRET_VAR.toLowerCase(), "constructor", "__proto__", "toString"])
  add("env", "refused", ["--sandbox"], `(getenv ${lit(name)})`);
add("env", "refused", ["--allow-env=OTHER"], `(getenv ${lit(SECRET_VAR)})`);
const ENV_FILES = [
  "/proc/self/environ",
  "/proc/thread-self/environ",
  `/proc/${process.pid}/environ`,
  `/proc/${process.pid}/task/${process.pid}/environ`,
  "/proc/self/cmdline",
  "/proc/1/environ",
  "/proc/self/root/proc/self/environ",
  "/dev/fd/../environ",
  "/proc/self/fd/../environ",
];
for (const p of ENV_FILES) {
  for (const op of ["read-file", "read-lines", "load"]) {
    add("env", "refused", ["--sandbox"], `(${op} ${lit(p)})`);
    add("env", "refused", ["--allow-read=/proc", "--allow-env=OTHER"], `(${op} ${lit(p)})`);
  }
}
for (const op of ["file-size", "file-exists?"]) add("env", "refused", ["--sandbox"], `(${op} "/proc/self/environ")`);
add("env", "refused", ["--sandbox", "--allow-write"], `(db-open "sqlite:/proc/self/environ")`);
add("env", "refused", ["--sandbox"], `(glob "environ" :cwd "/proc/self")`);
add("env", "refused", ["--sandbox"], `(list-dir "/proc/self")`);
// reading everywhere (the sandbox's default) walks / but keeps out of /proc
for (const pattern of ["/*/self/environ", "/p*/self/env*", "/proc/../proc/self/environ", "/*/*/environ"])
  add("env", "confined", ["--sandbox"], `(glob ${lit(pattern)})`, (o) =>
    /environ/.test(write(o.value)) && !(o.value instanceof ErrorValue) ? `listed ${write(o.value)}` : null,
  );
add("env", "refused", ["--sandbox"], `(glob "/proc/self/env*")`);
add("env", "refused", ["--sandbox"], `(sh "env")`);
add("env", "refused", ["--sandbox"], `(run ["env"])`);

// net: A (127.0.0.1:A) is granted; B, other ports and other names of A are not
const NET = () => [`--allow-net=127.0.0.1:${A.port}`];
const hostsOfA = () => [
  `localhost:${A.port}`,
  `LOCALHOST:${A.port}`,
  `[::1]:${A.port}`,
  `[::ffff:127.0.0.1]:${A.port}`,
  `[::ffff:7f00:1]:${A.port}`,
  `0:${A.port}`,
  `0.0.0.0:${A.port}`,
  `foo.localhost:${A.port}`,
  `127.0.0.2:${A.port}`,
];
const hostsOfB = () => [
  `127.0.0.1:${B.port}`,
  `127.1:${B.port}`,
  `0x7f000001:${B.port}`,
  `2130706433:${B.port}`,
  `0177.0.0.1:${B.port}`,
  `127.0.0.1.:${B.port}`,
  `[::ffff:127.0.0.1]:${B.port}`,
  `localhost:${B.port}`,
];
const netProbes = (): void => {
  for (const h of [...hostsOfA(), ...hostsOfB(), "127.0.0.1", "127.0.0.1:1"])
    add("net", "refused", NET(), `(http-get ${lit(`http://${h}/`)})`);
  add("net", "refused", NET(), `(http-get ${lit(`http://127.0.0.1:${A.port}@127.0.0.1:${B.port}/`)})`);
  add("net", "refused", NET(), `(http-get ${lit(`https://127.0.0.1:${B.port}/`)})`);
  for (const op of ["http-post", "http-put", "http-delete"])
    add("net", "refused", NET(), `(${op} ${lit(`http://127.0.0.1:${B.port}/`)} :body "x")`);
  add("net", "refused", NET(), `(http-request {:method :patch :url ${lit(`http://127.1:${B.port}/`)}})`);
  for (const to of [
    `http://127.0.0.1:${B.port}/`,
    `http://127.1:${B.port}/`,
    `http://0x7f000001:${B.port}/`,
    `//127.0.0.1:${B.port}/`,
    `http://localhost:${A.port}/`,
    `http://[::ffff:127.0.0.1]:${A.port}/`,
    `http://[::1]:${A.port}/`,
  ])
    add("net", "refused", NET(), `(http-get ${lit(`http://127.0.0.1:${A.port}/to?u=${encodeURIComponent(to)}`)})`);
  for (const u of [
    `postgres://u@127.0.0.1:${B.port}/db`,
    `postgres://u@localhost:${A.port}/db`,
    `postgres://u@127.0.0.1:${A.port}/db?port=${B.port}`,
    `postgres://u@127.0.0.1:${A.port}/db?host=localhost`,
    `postgres://u@localhost/db?host=/tmp`,
  ])
    add("net", "refused", NET(), `(db-open ${lit(u)})`);
  // no DNS: a granted name does not grant the address it resolves to
  for (const h of [`127.0.0.1:${A.port}`, `[::1]:${A.port}`])
    add("net", "refused", [`--allow-net=localhost:${A.port}`], `(http-get ${lit(`http://${h}/`)})`);
  add("net", "failed", NET(), `(http-get "file:///etc/passwd")`);
  add("net", "failed", NET(), `(db-open "postgres://u@/db?host=/tmp")`);
  // another spelling of the granted address is that address (compared after URL normalisation)
  add("net", "confined", NET(), `(:body (http-get ${lit(`http://127.1:${A.port}/ok`)}))`, (o) =>
    o.value === "ok" ? null : `did not reach the granted server: ${write(o.value)}`,
  );
};

// run: only bin/tool (a path) and env (a name) are granted
const RUN = () => [`--allow-run=${join(BIN, "tool")},env`];
const runProbes = (): void => {
  for (const argv of [
    ["outside/tool"],
    [join(OUTSIDE, "tool")],
    ["bin/../outside/tool"],
    [`${BIN}/sublink/../tool`],
    [join(BIN, "linkout")],
    [join(BIN, "env-link")],
    ["./outside/tool"],
    ["../bin/tool"],
    ["hard-tool"],
    [join(ROOT, "hard-tool")],
    ["tool"],
    ["sh", "-c", "echo hi"],
    ["/usr/bin/env"],
    ["ENV"],
    [" env"],
    ["env "],
    [`/proc/self/root${OUTSIDE}/tool`],
    [`/proc/self/cwd/outside/tool`],
  ])
    add("run", "refused", RUN(), `(run [${argv.map(lit).join(" ")}])`);
  add("run", "refused", RUN(), `(sh "echo hi")`);
  add("run", "refused", RUN(), `(run ["tool"] :env {"PATH" ${lit(BIN)}})`);
  // the granted name is found on the session's PATH: the child's PATH, :cwd and argv0 do not move
  // it. (A child inherits the environment, which the sandbox does not promise to hide from a
  // program it runs: docs/sandbox.md; these probes leave the secret variable out.)
  const realEnv = (o: Outcome) =>
    o.stdout.includes("PATH=") && !o.stdout.includes("evil") ? null : `not the real env: ${o.stdout}`;
  const noSecret = `${lit(SECRET_VAR)} nil`;
  add("run", "confined", RUN(), `(prn (run ["env"] :env {"PATH" ${lit(OUTSIDE)} ${noSecret}}))`, realEnv);
  add("run", "confined", RUN(), `(prn (run ["env"] :cwd "outside" :env {${noSecret}}))`, realEnv);
  add("run", "confined", RUN(), `(prn (run ["env"] :cwd "outside" :env {"PATH" "." ${noSecret}}))`, realEnv);
  add("run", "confined", RUN(), `(prn (run [${lit(join(BIN, "tool"))}] :cwd "outside"))`, (o) =>
    o.stdout.includes("tool") ? null : "bin/tool did not run",
  );
};

// ---- running them ------------------------------------------------------------------------------

async function runProbe(p: Probe): Promise<Outcome> {
  const { permissions } = parseSandboxFlags(p.flags, { cwd: ROOT });
  let stdout = "";
  const host: Host = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: () => {},
    stderrIsTTY: false,
    cwd: ROOT,
    argv: [],
    env: { PATH: process.env.PATH, HOME: ROOT, [SECRET_VAR]: SECRET },
    exit() {},
    permissions,
  };
  const session = new Session(host);
  const o = await session.run(session.read(p.src, "probe.lisp"), "probe.lisp");
  return { value: o.status === "done" ? o.value : (o.error?.message ?? o.status), stdout };
}

/** What escaped in one probe (null: nothing). */
async function judge(p: Probe): Promise<string | null> {
  const before = snapshot();
  const hitsB = B.hits;
  const o = await runProbe(p);
  const shown = write(o.value);
  const message = o.value instanceof ErrorValue ? o.value.message : typeof o.value === "string" ? o.value : "";
  const failed = o.value instanceof ErrorValue || (typeof o.value === "string" && /error|denied/.test(o.value));
  if (p.expect === "refused" && !message.startsWith("permission denied")) return `not refused: ${shown}`;
  if (p.expect === "failed" && !failed) return `did not fail: ${shown}`;
  if (shown.includes(SECRET) || o.stdout.includes(SECRET)) return `the secret came back: ${shown} ${o.stdout}`;
  if (existsSync(MARKER)) {
    rmSync(MARKER);
    return "a program outside the grants ran";
  }
  if (B.hits !== hitsB) return "the server that is not granted got a request";
  const after = snapshot();
  for (const [path, content] of after)
    if (before.get(path) !== content) return `${path} was made or changed outside the grants`;
  for (const path of before.keys()) if (!after.has(path)) return `${path} was deleted outside the grants`;
  const extra = readdirSync(W).filter((n) => n.startsWith("x.db-") && !/^x\.db-(journal|wal|shm)$/.test(n));
  if (extra.length > 0) return `SQLite made ${extra.join(" ")}`;
  return p.check?.(o) ?? null;
}

/** Probes per surface, as this file runs them. */
function counts(): Record<Surface, number> {
  return Object.fromEntries(SURFACES.map((s) => [s, PROBES.filter((p) => p.surface === s).length])) as Record<
    Surface,
    number
  >;
}

describe("every probe of the sandbox is refused or confined", () => {
  before(() => {
    netProbes();
    runProbes();
  });
  for (const surface of SURFACES) {
    test(`${surface}: no escape`, async () => {
      const escapes: string[] = [];
      const probes = PROBES.filter((p) => p.surface === surface);
      assert.ok(probes.length > 10, `${surface}: only ${probes.length} probes`);
      for (const p of probes) {
        const why = await judge(p);
        if (why !== null) escapes.push(`${p.flags.join(" ")} ${p.src}\n    ${why}`);
      }
      assert.deepEqual(escapes, [], `${escapes.length} of ${probes.length} ${surface} probes escaped`);
    });
  }
  test("docs/sandbox.md states the probes per surface that this file runs, and 0 escapes", () => {
    const doc = readFileSync(join(projectRoot(), "docs", "sandbox.md"), "utf8");
    const stated: Record<string, number> = {};
    for (const m of doc.matchAll(/^\| (paths|SQL|env|net|run) \| (\d+) \| (\d+) \|$/gm)) {
      stated[m[1]] = Number(m[2]);
      assert.equal(m[3], "0", `${m[1]}: the doc states escapes`);
    }
    assert.deepEqual(stated, counts(), "update the table of probes in docs/sandbox.md");
  });
});
