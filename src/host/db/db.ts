// Databases: db-open db-query db-exec db-close, over SQLite (better-sqlite3, in worker threads of a
// helper process: db-sqlite.ts) and PostgreSQL (pg, a pool per handle: db-postgres.ts). Both
// drivers load on the first db-open of their kind, so a script without a database never pays.
//
// Every call is a host operation: the task parks, others run, the session's default timeout (or
// :timeout ms) bounds it. A timed-out or cancelled PostgreSQL query is cancelled on the server;
// SQLite cannot be interrupted, so a statement that already started finishes in the background
// (statements queued behind it on the same handle wait) and the process does not wait for it at
// exit. Parameters are always bound (`?` for SQLite, `$1` for PostgreSQL), never spliced.
//
// Failures return error values `op: cause` with {:op :db :code :sql} in the data; a wrong
// argument type raises. Results: rows are maps with keyword keys in column order; NULL is nil;
// see the doc of db-query for the PostgreSQL type mapping.
import { expectedGot } from "../../core/messages.js";
import { describe } from "../../syntax/printer.js";
import { existsSync } from "node:fs";
import { List as IList } from "immutable";
import { raise } from "../../core/error.js";
import { ErrorValue, Keyword, arrayToList, isVector, type Value } from "../../core/types.js";
import { LMap } from "../../core/map.js";
import type { Machine } from "../../vm/machine.js";
import { builtins } from "../../lib/registry.js";
import { isList, msArg, num, options, seq, str, truthy, typeError } from "../../lib/args.js";
import { ERROR_REASONS, MAX_READ_BYTES, hostOp } from "../host-op.js";
import { denied, guardPath, refusal } from "../guard.js";
import { contextOf } from "../../session/context.js";
import { stringifyJson } from "../../lib/json.js";
import { SqliteConnection, SqliteError } from "./sqlite.js";
import { columnKeys } from "./columns.js";
import { PostgresDb, hermeticConfig, parsePostgresUrl, withEnvironmentPassword, type PgConfig } from "./postgres.js";
import type { ExecResult, QueryResult, SqlParams } from "./sqlite-worker.js";

const def = builtins("db");
const kw = Keyword.of;

type Dialect = "sqlite" | "postgres";

interface Backend {
  query(sql: string, params: SqlParams, signal: AbortSignal): Promise<Value>;
  exec(sql: string, params: SqlParams, signal: AbortSignal): Promise<Value>;
  close(signal: AbortSignal): Promise<void>;
}

/** A database handle: what db-open returns. */
export class Db {
  closed = false;
  constructor(
    /** the URL without its password: shown in printing and errors */
    readonly label: string,
    readonly dialect: Dialect,
    readonly backend: Backend,
    /** a SQLite file opened read-only because the sandbox denies writing it: its absolute path */
    readonly sandboxReadonly: string | null = null,
    /** opened by a sandboxed script: the SQLite guard refuses ATTACH, DETACH and VACUUM */
    readonly guarded = false,
  ) {}
  printTag(): string {
    return `#<db ${this.label}${this.closed ? " (closed)" : ""}>`;
  }
}

// ---- SQLite ----------------------------------------------------------------------------------

function sqliteValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Uint8Array) return IList(Array.from(v));
  return v as Value;
}

function sqliteRows(r: QueryResult): Value {
  const keys = columnKeys(r.columns);
  return arrayToList(
    r.rows.map((row) => LMap.fromEntries(row.map((v, i) => [keys[i], sqliteValue(v)] as [Value, Value]))),
  );
}

function sqliteBackend(conn: SqliteConnection): Backend {
  return {
    query: async (sql, params, signal) => sqliteRows(await conn.query(sql, params, signal)),
    exec: async (sql, params, signal) => {
      const r: ExecResult = await conn.exec(sql, params, signal);
      const entries: [Value, Value][] = [[kw("changes"), r.changes]];
      if (r.lastInsertId !== null) entries.push([kw("last-insert-id"), r.lastInsertId]);
      return LMap.fromEntries(entries);
    },
    close: (signal) => conn.close(signal),
  };
}

function postgresBackend(db: PostgresDb): Backend {
  return {
    query: (sql, params, signal) => db.query(sql, params as unknown[], signal),
    exec: (sql, params, signal) => db.exec(sql, params as unknown[], signal),
    close: () => db.close(),
  };
}

// ---- URLs ------------------------------------------------------------------------------------

type Target =
  | { kind: "sqlite"; file: string; label: string }
  | { kind: "postgres"; config: PgConfig; label: string; netTarget: string; shown: string };

/** sqlite:PATH (also sqlite://PATH), sqlite::memory:, postgres://... or postgresql://...; else why not. */
function parseTarget(url: string): Target | string {
  if (url.startsWith("sqlite:")) {
    let file = url.slice("sqlite:".length);
    if (file.startsWith("//")) file = file.slice(2);
    return file === "" ? "no file name" : { kind: "sqlite", file, label: `sqlite:${file}` };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const config = parsePostgresUrl(url);
    if (typeof config === "string") return config;
    const u = new URL(url);
    u.password = "";
    // the sandbox is asked about the host and port the connection really goes to (a Unix socket is local)
    const host = config.host.startsWith("/")
      ? "localhost"
      : config.host.includes(":")
        ? `[${config.host}]`
        : config.host;
    const shown = `${host}:${config.port}`;
    return { kind: "postgres", config, label: u.href, netTarget: `postgres://${shown}/`, shown };
  }
  // SQLite's own spellings, as models write them: ":memory:" and a bare file path (no scheme: only
  // SQLite opens files, so a path can mean nothing else)
  if (url === ":memory:") return { kind: "sqlite", file: ":memory:", label: "sqlite::memory:" };
  if (url !== "" && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url))
    return { kind: "sqlite", file: url, label: `sqlite:${url}` };
  return "unsupported database URL (use sqlite:PATH, sqlite::memory: or postgres://...)";
}

// ---- errors ----------------------------------------------------------------------------------

/** A driver failure as an error value: `op: cause` (`db-open: cause: URL`), details in the data. */
function dbError(op: string, label: string, e: unknown, sql?: string): ErrorValue {
  const err = e as {
    message?: string;
    code?: unknown;
    detail?: unknown;
    hint?: unknown;
    errors?: { code?: unknown }[];
  };
  const code =
    typeof err?.code === "string"
      ? err.code
      : typeof err?.errors?.[0]?.code === "string"
        ? (err.errors[0].code as string)
        : null;
  let reason =
    code && ERROR_REASONS[code] ? ERROR_REASONS[code] : (typeof err?.message === "string" && err.message) || String(e);
  // pg's words when the server wants a password and none was found anywhere
  if (reason.includes("client password must be a string"))
    reason = "the server asks for a password and none was given (put it in the URL, PGPASSWORD or ~/.pgpass)";
  if (op === "db-open") reason += `: ${label}`;
  const entries: [Value, Value][] = [
    [kw("op"), op],
    [kw("db"), label],
  ];
  if (code) entries.push([kw("code"), code]);
  if (typeof err?.detail === "string") entries.push([kw("detail"), err.detail]);
  if (typeof err?.hint === "string") entries.push([kw("hint"), err.hint]);
  if (sql !== undefined) entries.push([kw("sql"), sql]);
  return new ErrorValue(`${op}: ${reason}`, LMap.fromEntries(entries));
}

const closedError = (op: string, db: Db) =>
  new ErrorValue(
    `${op}: database is closed: ${db.label}`,
    LMap.fromEntries([
      [kw("op"), op],
      [kw("db"), db.label],
    ]),
  );

// ---- arguments -------------------------------------------------------------------------------

function dbArg(op: string, v: Value): Db {
  return v instanceof Db ? v : typeError(op, "a database (from db-open)", v);
}

function timeoutOpt(op: string, opts: ReadonlyMap<string, Value>): number | undefined {
  if (!opts.has("timeout")) return undefined;
  return msArg(op, opts.get("timeout"));
}

/** One parameter as the driver binds it. */
function paramValue(op: string, dialect: Dialect, v: Value, i: number): unknown {
  if (v === null || typeof v === "number" || typeof v === "string") return v;
  if (typeof v === "boolean") return dialect === "sqlite" ? (v ? 1 : 0) : v;
  if (v instanceof Keyword) return v.name;
  if (v instanceof LMap) return stringifyJson(v, false);
  if (isVector(v) || isList(v)) {
    // PostgreSQL binds arrays (`= ANY($1)`); SQLite has none, so it gets the JSON text (json_each(?))
    return dialect === "postgres" ? seq(op, v).map((x) => paramValue(op, dialect, x, i)) : stringifyJson(v, false);
  }
  return typeError(op, `a number, string, boolean, nil, keyword or collection as parameter ${i + 1}`, v);
}

/** The parameters argument: a vector or list (positional), a map (named, SQLite only) or nil. */
function paramsArg(op: string, dialect: Dialect, v: Value | undefined): SqlParams {
  if (v === undefined || v === null) return [];
  if (v instanceof LMap) {
    if (dialect === "postgres")
      typeError(op, "a vector or list of parameters for $1, $2, ... (PostgreSQL has no named parameters)", v);
    const named: Record<string, unknown> = {};
    let i = 0;
    for (const [k, x] of v.entries()) {
      const name =
        k instanceof Keyword
          ? k.name
          : typeof k === "string"
            ? k.replace(/^[:@$]/, "")
            : typeError(op, "keyword or string parameter names", k);
      named[name] = paramValue(op, dialect, x, i++);
    }
    return named;
  }
  if (isVector(v) || isList(v)) return seq(op, v).map((x, i) => paramValue(op, dialect, x, i));
  return typeError(op, "a vector, list or map of parameters", v);
}

/** (op db sql [params] [:timeout ms]) → the pieces, or the error value to return at once. */
function statementArgs(op: string, a: Value[], m: Machine) {
  const { pos, opts } = options(op, a, 2, ["timeout"]);
  if (pos.length > 3) raise(expectedGot(op, "a database, SQL and parameters", `${pos.length} arguments`));
  const db = dbArg(op, pos[0]);
  const sql = str(op, pos[1]);
  const params = paramsArg(op, db.dialect, pos[2]);
  const timeout = timeoutOpt(op, opts);
  const early = db.closed ? closedError(op, db) : null;
  return { db, sql, params, timeout, early };
}

/** The failure of a statement; a write refused because the sandbox opened the file read-only says so. */
function statementError(m: Machine, op: string, db: Db, sql: string, e: unknown): ErrorValue {
  if (db.sandboxReadonly && e instanceof SqliteError && e.code?.startsWith("SQLITE_READONLY")) {
    const no = denied(m, op, "write", db.sandboxReadonly, db.label.slice("sqlite:".length));
    if (no) return no;
  }
  if (db.guarded && e instanceof SqliteError && e.reason !== undefined) {
    const what = e.reason;
    return new ErrorValue(
      `permission denied: ${op}: ${what} (refused in the sandbox, which keeps a database to its own file; no flag grants it)`,
      LMap.fromEntries([
        [kw("op"), op],
        [kw("db"), db.label],
        [kw("target"), what],
        [kw("permission"), "write"],
        [kw("sql"), sql],
      ]),
    );
  }
  // SQLite's words when load_extension() is called with extension loading turned off
  if (e instanceof SqliteError && e.message === "not authorized")
    return dbError(
      op,
      db.label,
      new SqliteError("not authorized: Skein does not let SQL load SQLite extensions (load_extension)", e.code),
      sql,
    );
  return dbError(op, db.label, e, sql);
}

// ---- builtins --------------------------------------------------------------------------------

def(
  {
    name: "db-open",
    arity: [1, Infinity],
    capability: ["read", "write", "net"],
    usage: "(db-open url [:timeout ms] [:readonly #t] [:pool n])",
    doc:
      'Opens a database and returns its handle. url is "sqlite:PATH" (a file, created if missing; relative to the working directory), ' +
      '"sqlite::memory:" (a private in-memory database) or "postgres://user:password@host:port/dbname" (a pool of up to n connections, default 10, ' +
      "so parallel queries run in parallel; one connection is made at once to check the URL; the query string may set sslmode, application_name, options, " +
      'host and port). SQLite\'s own spellings work too: a path with no scheme ("data.db") and ":memory:". :readonly #t opens a SQLite file read-only. ' +
      "A file or server that cannot be opened returns an error value. In the sandbox a SQLite file needs --allow-read (and is opened read-only " +
      "without --allow-write), PostgreSQL needs --allow-net for its host.",
    examples: [
      ['(error? (db-open "sqlite::memory:"))', "#f"],
      ['(db-query (db-open ":memory:") "SELECT 1 AS one")', "({:one 1})"],
      ['(error? (db-open "sqlite:/no/such/dir/x.db"))', "#t"],
    ],
  },
  (a, m) => {
    const { pos, opts } = options("db-open", a, 1, ["timeout", "readonly", "pool"]);
    if (pos.length !== 1) raise(expectedGot("db-open", "one URL", `${pos.length} arguments`));
    const url = str("db-open", pos[0]);
    const timeout = timeoutOpt("db-open", opts);
    const t = parseTarget(url);
    if (typeof t === "string") {
      const shown = url.replace(/^(postgres(?:ql)?:\/\/[^:/?#@]*):[^@/?#]*@/, "$1@"); // no password in messages
      return new ErrorValue(
        `db-open: ${t}: ${shown}`,
        LMap.fromEntries([
          [kw("op"), "db-open"],
          [kw("db"), shown],
        ]),
      );
    }
    if (t.kind === "postgres") {
      const pool = opts.has("pool") ? num("db-open", opts.get("pool")) : 10;
      if (!Number.isInteger(pool) || pool < 1)
        raise(expectedGot("db-open", ":pool to be a whole number of connections of 1 or more", describe(pool)));
      const no = denied(m, "db-open", "net", t.netTarget, t.shown);
      if (no) return no;
      const host = contextOf(m).host;
      const config = host.permissions ? hermeticConfig(t.config) : withEnvironmentPassword(t.config, host.env);
      if (typeof config === "string")
        return new ErrorValue(
          `db-open: ${config}: ${t.shown}`,
          LMap.fromEntries([
            [kw("op"), "db-open"],
            [kw("db"), t.shown],
          ]),
        );
      return hostOp(
        m,
        "db-open",
        async (signal) => new Db(t.label, "postgres", postgresBackend(await PostgresDb.open(config, pool, signal))),
        { timeout, onError: (e) => dbError("db-open", t.label, e) },
      );
    }
    // SQLite
    const permissions = contextOf(m).host.permissions;
    let readonly = truthy(opts.get("readonly") ?? null);
    let sandboxReadonly: string | null = null;
    let copyLimit: number | null = null;
    let file = t.file;
    if (file !== ":memory:") {
      const abs = guardPath(m, "db-open", "read", file);
      if (abs instanceof ErrorValue) return abs;
      // abs is physical already: asked quietly, since a denied write only opens the file read-only
      // (a later write statement is the refusal, and says so); SQLite's own -journal, -wal and -shm
      // files beside it count as the database, so they may be made where it may be written
      if (permissions && !permissions.allows("write", abs)) {
        if (!existsSync(abs)) return refusal(m, "db-open", file, "write"); // creating it would be a write
        if (!readonly) sandboxReadonly = abs;
        readonly = true;
        copyLimit = MAX_READ_BYTES;
      }
      file = abs;
    }
    return hostOp(
      m,
      "db-open",
      async (signal) => {
        const conn = await SqliteConnection.open(
          file,
          { readonly, mustExist: readonly, guarded: permissions !== undefined, copyLimit },
          signal,
        );
        return new Db(t.label, "sqlite", sqliteBackend(conn), sandboxReadonly, permissions !== undefined);
      },
      { timeout, onError: (e) => dbError("db-open", t.label, e) },
    );
  },
);

/** db-query and db-exec: check the arguments, then run the statement as a host operation. */
function runStatement(op: "db-query" | "db-exec", a: Value[], m: Machine): Value {
  const s = statementArgs(op, a, m);
  if (s.early) return s.early;
  const backend = s.db.backend;
  return hostOp(
    m,
    op,
    (signal) => (op === "db-query" ? backend.query(s.sql, s.params, signal) : backend.exec(s.sql, s.params, signal)),
    { timeout: s.timeout, onError: (e) => statementError(m, op, s.db, s.sql, e) },
  );
}

def(
  {
    name: "db-query",
    arity: [2, 5],
    usage: "(db-query db sql [params] [:timeout ms])",
    doc:
      "Runs a statement and returns its rows: a list of maps with keyword keys, in column order. params (a vector or list) are bound to `?` " +
      "(SQLite) or `$1`, `$2`... (PostgreSQL), never spliced into the SQL; SQLite also takes a map for named `:name` parameters. " +
      "Booleans bind as 1/0 in SQLite, keywords as their names, maps as JSON text; a vector binds as a PostgreSQL array (SQLite: JSON text). " +
      "Values: NULL is nil, integers and floats are numbers (past 2^53 SQLite rounds; a PostgreSQL bigint or numeric that a number cannot hold exactly " +
      "stays a string), text is a string, a BLOB/bytea a vector of bytes. PostgreSQL: booleans are #t/#f, json/jsonb become maps and vectors, arrays vectors, " +
      'timestamptz an ISO 8601 string in UTC ("2024-05-01T12:00:00.25Z"), timestamp one without offset, date/time/interval/uuid their text. ' +
      "A SQL error, a missing table, a lost connection or a closed db returns an error value naming the cause; a timeout returns `timeout after Nms` " +
      "(PostgreSQL cancels the query on the server; a SQLite statement already running finishes in the background).",
    examples: [
      [
        '(db-query (db-open "sqlite::memory:") "SELECT 1 AS one, \'a\' || ? AS s, NULL AS n" ["b"])',
        '({:one 1 :s "ab" :n nil})',
      ],
      ['(error-msg (db-query (db-open "sqlite::memory:") "SELECT * FROM nope"))', '"db-query: no such table: nope"'],
    ],
  },
  (a, m) => runStatement("db-query", a, m),
);

def(
  {
    name: "db-exec",
    arity: [2, 5],
    usage: "(db-exec db sql [params] [:timeout ms])",
    doc:
      "Runs a statement that changes data or schema and returns {:changes n}: the rows inserted, updated or deleted. " +
      "SQLite adds :last-insert-id after an INSERT. Parameters are bound as in db-query. Without parameters, sql may hold several statements " +
      "separated by `;` (a schema, a migration). Failures (syntax, constraint, missing table, closed db) return error values.",
    examples: [
      [
        '(let ((db (db-open "sqlite::memory:"))) (db-exec db "CREATE TABLE t (x)") (db-exec db "INSERT INTO t VALUES (?), (?)" [1 2]))',
        "{:changes 2 :last-insert-id 2}",
      ],
    ],
  },
  (a, m) => runStatement("db-exec", a, m),
);

def(
  {
    name: "db-close",
    arity: [1, 3],
    usage: "(db-close db [:timeout ms])",
    doc:
      "Closes the database: statements still queued on it fail, one running is waited for, then the connections close. " +
      "Returns #t, or #f if it was already closed; later queries on it return an error value.",
    examples: [['(db-close (db-open "sqlite::memory:"))', "#t"]],
  },
  (a, m) => {
    const { pos, opts } = options("db-close", a, 1, ["timeout"]);
    if (pos.length !== 1) raise(expectedGot("db-close", "one database", `${pos.length} arguments`));
    const db = dbArg("db-close", pos[0]);
    const timeout = timeoutOpt("db-close", opts);
    if (db.closed) return false;
    db.closed = true;
    return hostOp(
      m,
      "db-close",
      async (signal) => {
        await db.backend.close(signal);
        return true;
      },
      { timeout, onError: (e) => dbError("db-close", db.label, e) },
    );
  },
);
