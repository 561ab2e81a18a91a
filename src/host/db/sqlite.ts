// The interpreter's side of SQLite: a client of the helper process of db-sqlite-worker.ts, which
// runs each connection in a worker thread. One helper per interpreter process, started on the
// first sqlite db-open (~70 ms), killed at exit if a query is still running there.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ExecResult, HostReply, HostRequest, QueryResult, SqlParams } from "./sqlite-worker.js";
import { SRC_ROOT, lazyRequire } from "../../core/lazy.js";

/** node:child_process, loaded with the first SQLite database */
const childProcess = () => lazyRequire<typeof import("node:child_process")>("node:child_process");

/** A failure reported by SQLite (or the helper): message as SQLite words it, code like SQLITE_ERROR. */
export class SqliteError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    /** what the sandbox's guard refused (sqlite-guard.c), when code is SQLITE_AUTH */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** The compiled worker script, dist/src/host/db/sqlite-worker.js (see SRC_ROOT). */
const WORKER_URL = new URL("host/db/sqlite-worker.js", SRC_ROOT);
/** The guard extension, built by scripts/build-sqlite-guard.mjs beside the worker. */
const GUARD_URL = new URL("host/db/sqlite-guard.so", SRC_ROOT);

interface Pending {
  resolve: (r: QueryResult | ExecResult | null) => void;
  reject: (e: Error) => void;
}

type Body<T extends HostRequest["t"]> = Omit<Extract<HostRequest, { t: T }>, "rid" | "cid" | "t">;

class Helper {
  readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  /** requests sent whose reply has not come back, cancelled ones included: the child is busy */
  private inflight = new Set<number>();
  private nextRid = 1;
  dead: string | null = null;

  constructor() {
    this.child = childProcess().fork(fileURLToPath(WORKER_URL), [], {
      execArgv: [],
      serialization: "advanced", // structured clone: BigInt and Uint8Array survive
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    this.child.unref();
    this.channelRef(false);
    this.child.on("message", (m: HostReply) => this.onReply(m));
    this.child.on("error", (e) => this.die(`cannot start the SQLite worker process: ${e.message}`));
    this.child.on("exit", (code, signal) => this.die(`the SQLite worker process exited (${signal ?? `code ${code}`})`));
  }

  /** Sends a request; resolves with its result. An aborted signal drops the wait (and the request
   *  too, if it has not started). */
  request<T extends HostRequest["t"]>(
    t: T,
    cid: number,
    body: Body<T>,
    signal?: AbortSignal,
  ): Promise<QueryResult | ExecResult | null> {
    if (this.dead) return Promise.reject(new SqliteError(`database connection lost: ${this.dead}`, null));
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new Error("aborted"));
        return;
      }
      const onAbort = () => {
        if (!this.pending.delete(rid)) return;
        this.updateRef();
        if (this.child.connected) this.child.send({ t: "cancel", rid, cid } satisfies HostRequest);
        reject(new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(rid, {
        resolve: (r) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(r);
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      });
      this.inflight.add(rid);
      this.updateRef();
      this.child.send({ t, rid, cid, ...body } as HostRequest);
    });
  }

  private onReply(m: HostReply): void {
    this.inflight.delete(m.rid);
    const p = this.pending.get(m.rid);
    if (!p) return;
    this.pending.delete(m.rid);
    this.updateRef();
    if (m.ok) p.resolve(m.result);
    else p.reject(new SqliteError(m.message, m.code, m.reason));
  }

  private die(why: string): void {
    if (this.dead) return;
    this.dead = why;
    if (helper === this) helper = null;
    for (const p of this.pending.values()) p.reject(new SqliteError(`database connection lost: ${why}`, null));
    this.pending.clear();
    this.inflight.clear();
  }

  /** A query still running at exit would keep the helper alive: kill it then. */
  get busy(): boolean {
    return this.inflight.size > 0;
  }

  /** The IPC channel keeps the interpreter alive only while someone waits for an answer. */
  private updateRef(): void {
    this.channelRef(this.pending.size > 0);
  }
  private channelRef(on: boolean): void {
    const ch = this.child.channel as { ref?: () => void; unref?: () => void } | undefined | null;
    if (on) ch?.ref?.();
    else ch?.unref?.();
  }
}

let helper: Helper | null = null;
let exitHookInstalled = false;

function theHelper(): Helper {
  if (!helper) {
    helper = new Helper();
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", () => {
        if (helper?.busy) helper.child.kill("SIGKILL");
      });
    }
  }
  return helper;
}

let nextCid = 1;

/** One SQLite connection, living in a worker thread of the helper process. */
export class SqliteConnection {
  private constructor(
    private readonly helper: Helper,
    private readonly cid: number,
  ) {}

  /** guarded: load the guard (sqlite-guard.c) that keeps a sandboxed script to this one file;
   *  copyLimit: see OpenOptions (nothing may be created beside the file) */
  static async open(
    file: string,
    o: { readonly: boolean; mustExist: boolean; guarded: boolean; copyLimit: number | null },
    signal: AbortSignal,
  ): Promise<SqliteConnection> {
    const { readonly, mustExist, guarded, copyLimit } = o;
    const guard = guarded ? fileURLToPath(GUARD_URL) : null;
    if (guard !== null && !existsSync(guard))
      throw new SqliteError(
        "the SQLite guard is not built (it needs a C compiler when Skein is installed), so a sandboxed script cannot open SQLite databases",
        "SKEIN_NO_GUARD",
      );
    const h = theHelper();
    const cid = nextCid++;
    const conn = new SqliteConnection(h, cid);
    try {
      await h.request("open", cid, { file, readonly, mustExist, guard, copyLimit }, signal);
    } catch (e) {
      // opened after all, once nobody waits? close it again
      if (signal.aborted) void h.request("close", cid, {}).catch(() => {});
      throw e;
    }
    return conn;
  }

  query(sql: string, params: SqlParams, signal: AbortSignal): Promise<QueryResult> {
    return this.helper.request("query", this.cid, { sql, params }, signal) as Promise<QueryResult>;
  }

  exec(sql: string, params: SqlParams, signal: AbortSignal): Promise<ExecResult> {
    return this.helper.request("exec", this.cid, { sql, params }, signal) as Promise<ExecResult>;
  }

  /** Fails the requests still queued, waits for a running one, closes the database. */
  async close(signal: AbortSignal): Promise<void> {
    if (this.helper.dead) return;
    await this.helper.request("close", this.cid, {}, signal);
  }
}
