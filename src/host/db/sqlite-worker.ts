// The SQLite side of db.ts, outside the interpreter's thread. better-sqlite3 is synchronous, so
// every connection runs in its own worker thread: a long query blocks only its own connection.
//
// The threads live in ONE helper child process per interpreter process (the "host"), never in
// the interpreter's process itself, because SQLite cannot be interrupted from outside: a query
// keeps its thread busy until it finishes, and Node's process.exit() joins every worker thread
// (measured: exit after a timed-out 4 s query took 4 s; a runaway query would hang the exit
// forever). Killing the host child ends those threads at once.
//
// This one file plays both roles: the host (main thread of the child process, talking to db.ts
// over IPC) and a connection worker (worker thread, owning one better-sqlite3 Database).
// The host queues each connection's requests and hands its worker one at a time, so a request
// cancelled while queued is dropped; one that already started runs to completion and its result
// is discarded.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

// ---- protocol (shared with db-sqlite.ts through `import type`) ------------------------------

/** Parameters as sent: positional values or named ones (`:name`, `@name`, `$name`). */
export type SqlParams = unknown[] | Record<string, unknown>;

/** How a connection opens its file. */
export interface OpenOptions {
  readonly: boolean;
  mustExist: boolean;
  /** the guard extension a sandboxed connection loads first (sqlite-guard.c), or null */
  guard: string | null;
  /** non-null: nothing may be created beside the file (the sandbox grants no write there), so a
   *  WAL database without its -wal and -shm files is read as a private copy of at most this many bytes */
  copyLimit: number | null;
}

export type HostRequest =
  | ({ t: "open"; rid: number; cid: number; file: string } & OpenOptions)
  | { t: "query"; rid: number; cid: number; sql: string; params: SqlParams }
  | { t: "exec"; rid: number; cid: number; sql: string; params: SqlParams }
  | { t: "close"; rid: number; cid: number }
  | { t: "cancel"; rid: number; cid: number };

/** Rows as arrays in column order (the column names may repeat). */
export interface QueryResult {
  columns: string[];
  rows: unknown[][];
}
export interface ExecResult {
  changes: number;
  lastInsertId: number | null;
}

export type HostReply =
  | { rid: number; ok: true; result: QueryResult | ExecResult | null }
  | { rid: number; ok: false; message: string; code: string | null; cancelled?: boolean; reason?: string };

// ---- the connection worker -------------------------------------------------------------------

interface Statement {
  reader: boolean;
  raw(on: boolean): Statement;
  columns(): { name: string }[];
  all(params: SqlParams): unknown[][];
  run(params: SqlParams): { changes: number; lastInsertRowid: number | bigint };
}
interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  loadExtension(file: string, entry: string): void;
  close(): void;
}
type DatabaseCtor = new (
  file: string | Buffer,
  o: { readonly: boolean; fileMustExist: boolean; timeout: number },
) => Database;

type WorkerRequest = { t: "query" | "exec" | "close"; rid: number; sql?: string; params?: SqlParams };

const MULTIPLE = "more than one statement";

/** Integers bind as SQLite INTEGER (a JS number would bind as REAL: `LIMIT ?` with 3.0 fails). */
function bindable(params: SqlParams): SqlParams {
  const fix = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : v);
  if (Array.isArray(params)) return params.map(fix);
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, fix(v)]));
}

const isEmpty = (p: SqlParams) => (Array.isArray(p) ? p.length === 0 : Object.keys(p).length === 0);

/** INSERT or REPLACE (after comments): the statements whose last-insert rowid means something. */
function insertsRows(sql: string): boolean {
  const head = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, "");
  return /^(insert|replace)\b/i.test(head);
}

function runRequest(db: Database, r: WorkerRequest): QueryResult | ExecResult {
  const sql = r.sql as string;
  const params = bindable(r.params ?? []);
  let stmt: Statement;
  try {
    stmt = db.prepare(sql);
  } catch (e) {
    // A script of several statements (a schema, a migration) runs through exec, without parameters.
    if (r.t === "exec" && isEmpty(params) && e instanceof RangeError && e.message.includes(MULTIPLE)) {
      const before = db.prepare("SELECT total_changes()").raw(true).all([])[0][0] as number;
      db.exec(sql);
      const after = db.prepare("SELECT total_changes()").raw(true).all([])[0][0] as number;
      return { changes: after - before, lastInsertId: null };
    }
    throw e;
  }
  if (r.t === "query") {
    if (!stmt.reader) {
      stmt.run(params);
      return { columns: [], rows: [] };
    }
    stmt.raw(true);
    return { columns: stmt.columns().map((c) => c.name), rows: stmt.all(params) };
  }
  const info = stmt.run(params);
  const id = info.changes > 0 && insertsRows(sql) ? Number(info.lastInsertRowid) : null;
  return { changes: info.changes, lastInsertId: id };
}

/** True for a database file whose header says it is in WAL mode (read and write versions 2). */
function isWalFile(file: string): boolean {
  const head = Buffer.alloc(20);
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return false; // SQLite's own open reports it
  }
  try {
    return readSync(fd, head, 0, 20, 0) === 20 && (head[18] === 2 || head[19] === 2);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens file without creating anything beside it. SQLite creates the -wal and -shm files of a
 * WAL database even for a read-only connection (and this build of better-sqlite3 has URI names,
 * hence `immutable=1`, turned off), so: a WAL database with both files present is opened in place
 * (SQLite then creates nothing); one with neither holds all its data in the file, and is read as a
 * private in-memory copy, its header set to rollback mode; one with only one of them cannot be
 * read without writing beside it.
 */
function openWithoutSidecars(Ctor: DatabaseCtor, file: string, limit: number): Database {
  const o = { readonly: true, fileMustExist: true, timeout: 5000 };
  if (!isWalFile(file)) return new Ctor(file, o);
  const wal = existsSync(`${file}-wal`);
  const shm = existsSync(`${file}-shm`);
  if (wal && shm) return new Ctor(file, o);
  if (wal || shm)
    throw Object.assign(
      new Error(
        `the WAL database's ${wal ? "-shm" : "-wal"} file is missing, and reading it would create one beside it (grant writing the database to let it)`,
      ),
      { code: "SKEIN_WAL_SIDECAR" },
    );
  const size = statSync(file).size;
  if (size > limit)
    throw Object.assign(
      new Error(
        `a WAL database opened read-only in the sandbox is read as a private copy, of at most ${limit} bytes (this one has ${size}; grant writing the database to open it in place)`,
      ),
      { code: "SKEIN_WAL_COPY" },
    );
  const bytes = readFileSync(file);
  bytes[18] = 1; // rollback journal: the copy lives in memory, with no -wal of its own
  bytes[19] = 1;
  return new Ctor(bytes, o);
}

async function connectionWorker(): Promise<void> {
  const port = parentPort!;
  const { file, readonly, mustExist, guard, copyLimit } = workerData as OpenOptions & { file: string };
  let db: Database;
  try {
    const mod = (await import("better-sqlite3" as string)) as { default: DatabaseCtor };
    // timeout: how long a statement waits for another connection's lock (SQLITE_BUSY)
    db =
      copyLimit !== null && file !== ":memory:"
        ? openWithoutSidecars(mod.default, file, copyLimit)
        : new mod.default(file, { readonly, fileMustExist: mustExist, timeout: 5000 });
    // a sandboxed connection loads the guard before anything runs on it (sqlite-guard.c)
    if (guard !== null) db.loadExtension(guard, "sqlite3_skeinguard_init");
  } catch (e) {
    port.postMessage({ t: "failed", ...errorFields(e) });
    return;
  }
  port.postMessage({ t: "ready" });
  port.on("message", (r: WorkerRequest) => {
    if (r.t === "close") {
      try {
        db.close();
      } catch {
        /* closing twice is harmless */
      }
      port.postMessage({ rid: r.rid, ok: true, result: null } satisfies HostReply);
      port.close();
      return;
    }
    let reply: HostReply;
    try {
      reply = { rid: r.rid, ok: true, result: runRequest(db, r) };
    } catch (e) {
      reply = { rid: r.rid, ok: false, ...errorFields(e), ...guardReason(db, guard) };
    }
    port.postMessage(reply);
  });
}

/** What the guard refused, when it made the statement fail (sqlite-guard.c keeps the reason; a
 *  refused function fails as SQLITE_ERROR, the rest as SQLITE_AUTH). */
function guardReason(db: Database, guard: string | null): { reason?: string; code?: string } {
  if (guard === null) return {};
  try {
    const reason = db.prepare("SELECT skein_guard_reason()").raw(true).all([])[0][0];
    return typeof reason === "string" ? { reason, code: "SQLITE_AUTH" } : {};
  } catch {
    return {};
  }
}

function errorFields(e: unknown): { message: string; code: string | null } {
  const err = e as { message?: unknown; code?: unknown };
  return {
    message: typeof err?.message === "string" ? err.message : String(e),
    code: typeof err?.code === "string" ? err.code : null,
  };
}

// ---- the host process ------------------------------------------------------------------------

interface Conn {
  file: string;
  /** how every (re)start of the connection opens the file */
  open: OpenOptions;
  worker: Worker | null;
  ready: boolean;
  queue: WorkerRequest[];
  running: WorkerRequest | null;
  /** the running request was cancelled: its reply is dropped */
  runningCancelled: boolean;
  closing: boolean;
}

function host(): void {
  const conns = new Map<number, Conn>();
  /** threads told to stop while SQLite still runs in them: they end when their statement does */
  let zombies = 0;
  const send = (r: HostReply) => {
    process.send?.(r);
  };
  const fail = (rid: number, message: string, cancelled = false): void =>
    send({ rid, ok: false, message, code: null, ...(cancelled ? { cancelled } : {}) });

  const pump = (c: Conn) => {
    if (!c.ready || c.running) return;
    const next = c.queue.shift();
    if (!next) return;
    c.running = next;
    c.runningCancelled = false;
    c.worker?.postMessage(next);
  };

  /** Fails everything waiting on a connection that is gone. */
  const drop = (cid: number, c: Conn, message: string) => {
    conns.delete(cid);
    for (const q of [...(c.running ? [c.running] : []), ...c.queue]) fail(q.rid, message);
    c.running = null;
    c.queue = [];
  };

  /** Starts the thread of a connection; openRid is answered when the database is open (first start only). */
  const startWorker = (cid: number, c: Conn, mustExist: boolean, openRid: number | null) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { file: c.file, ...c.open, mustExist },
    });
    c.worker = worker;
    c.ready = false;
    worker.on("message", (m: { t?: string } & Partial<HostReply> & { message?: string; code?: string | null }) => {
      if (c.worker !== worker) return;
      if (m.t === "ready") {
        c.ready = true;
        if (openRid !== null) send({ rid: openRid, ok: true, result: null });
        pump(c);
        return;
      }
      if (m.t === "failed") {
        if (openRid !== null)
          send({ rid: openRid, ok: false, message: m.message ?? "cannot open", code: m.code ?? null });
        drop(cid, c, `cannot reopen the database: ${m.message}`);
        void worker.terminate();
        return;
      }
      const done = c.running;
      c.running = null;
      if (done && done.rid === m.rid && !c.runningCancelled) send(m as HostReply);
      else if (done) fail(done.rid, "cancelled", true);
      if (done?.t === "close") {
        conns.delete(cid);
        void worker.terminate();
        return;
      }
      pump(c);
    });
    worker.on("error", (e) => {
      // the thread died (out of memory, a crash in the driver): everything on it fails
      if (c.worker !== worker) return;
      const message = `the SQLite worker failed: ${errorFields(e).message}`;
      if (openRid !== null && !c.ready) send({ rid: openRid, ok: false, message, code: null });
      drop(cid, c, message);
    });
  };

  /** A cancelled statement is still running. A file database gets a fresh connection so the next
   *  statements need not wait (the old thread ends when SQLite returns; an open transaction of that
   *  connection is rolled back). An in-memory database lives in its connection: its statements wait. */
  const abandonRunning = (cid: number, c: Conn) => {
    if (c.file === ":memory:" || c.running?.t === "close") {
      c.runningCancelled = true;
      return;
    }
    const done = c.running as WorkerRequest;
    c.running = null;
    fail(done.rid, "cancelled", true);
    zombies++;
    void c.worker?.terminate().finally(() => {
      zombies--;
    });
    startWorker(cid, c, true, null);
  };

  process.on("message", (r: HostRequest) => {
    if (r.t === "open") {
      const c: Conn = {
        file: r.file,
        open: { readonly: r.readonly, mustExist: r.mustExist, guard: r.guard, copyLimit: r.copyLimit },
        worker: null,
        ready: false,
        queue: [],
        running: null,
        runningCancelled: false,
        closing: false,
      };
      conns.set(r.cid, c);
      startWorker(r.cid, c, r.mustExist, r.rid);
      return;
    }
    const c = conns.get(r.cid);
    switch (r.t) {
      case "query":
      case "exec":
        if (!c || c.closing) {
          fail(r.rid, "database is closed");
          return;
        }
        c.queue.push({ t: r.t, rid: r.rid, sql: r.sql, params: r.params });
        pump(c);
        return;
      case "close":
        if (!c || c.closing) {
          send({ rid: r.rid, ok: true, result: null });
          return;
        }
        c.closing = true;
        for (const q of c.queue) fail(q.rid, "database is closed");
        c.queue = [{ t: "close", rid: r.rid }];
        pump(c);
        return;
      case "cancel": {
        if (!c) return;
        const i = c.queue.findIndex((q) => q.rid === r.rid);
        if (i >= 0) {
          c.queue.splice(i, 1);
          fail(r.rid, "cancelled", true);
        } else if (c.running?.rid === r.rid) abandonRunning(r.cid, c);
        return;
      }
    }
  });

  // The interpreter is gone. Idle connections close cleanly (the driver closes its databases when
  // a thread ends); a statement still running cannot be stopped, and exit() would wait for its
  // thread, so the process kills itself instead.
  process.on("disconnect", () => {
    const busy = zombies > 0 || [...conns.values()].some((c) => c.running !== null);
    if (busy) process.kill(process.pid, "SIGKILL");
    else process.exit(0);
  });
}

if (!isMainThread) void connectionWorker();
else if (process.send) host();
