// PostgreSQL for db.ts through `pg` (loaded on the first postgres db-open): a connection pool per
// handle, so parallel queries really run in parallel on the server; a query that times out or
// whose task is cancelled is cancelled ON THE SERVER (the protocol's CancelRequest), not just
// abandoned; result values are converted from PostgreSQL's text format by column type.
import { List as IList } from "immutable";
import { EMPTY, Keyword, arrayToList, type Value } from "../../core/types.js";
import { LMap } from "../../core/map.js";
import { parseJson } from "../../lib/json.js";
import { columnKeys } from "./columns.js";
import { lazyRequire } from "../../core/lazy.js";

/** node:net, for the cancel request */
const net = () => lazyRequire<typeof import("node:net")>("node:net");

// The parts of `pg` used here (the package ships no types of its own).
interface PgField {
  name: string;
  dataTypeID: number;
}
interface PgResult {
  rows: (string | null)[][];
  fields: PgField[];
  rowCount: number | null;
}
interface PgClient {
  query(q: { text: string; values?: unknown[]; rowMode: "array" }): Promise<PgResult | PgResult[]>;
  release(destroy?: boolean): void;
  end(): Promise<void>;
  on(event: "error", fn: (e: Error) => void): void;
  processID: number | null;
  secretKey: number | null;
  host: string;
  port: number;
}
interface PgPool {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: "error", fn: (e: Error) => void): void;
  on(event: "connect", fn: (c: PgClient) => void): void;
}
interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
}

/** pg, loaded on the first postgres db-open (a CommonJS package: require works from the ESM build and the CLI bundle). */
let pgModule: PgModule | null = null;
function loadPg(): PgModule {
  pgModule ??= lazyRequire<PgModule>("pg");
  return pgModule;
}

export class AbortedError extends Error {
  constructor() {
    super("aborted");
  }
}

/** Where and how to connect, decided here rather than by pg: pg would also take the host and port
 *  from the query string or PG* environment variables, and read the files named by sslcert/sslkey/
 *  sslrootcert, all behind the sandbox's back. */
export interface PgConfig {
  /** a host name, an IP address, or the directory of a Unix socket ("/var/run/postgresql") */
  host: string;
  port: number;
  user?: string;
  /** a function stops pg from looking the password up in ~/.pgpass itself */
  password?: string | (() => string) | ((p: PgParams) => Promise<string | undefined>);
  client_encoding?: string;
  sslnegotiation?: "postgres";
  database?: string;
  ssl?: boolean | { rejectUnauthorized: false };
  application_name?: string;
  options?: string;
}

const URL_PARAMS = ["host", "port", "sslmode", "application_name", "options"];

/** postgres://user:password@host:port/dbname?sslmode=require as a PgConfig, or why it cannot be one.
 *  Query parameters: host and port (they override the URL's, as in libpq; host may be a socket
 *  directory), sslmode (disable, no-verify; prefer/require/verify-ca/verify-full verify the
 *  certificate), application_name, options. Others are refused. */
export function parsePostgresUrl(url: string): PgConfig | string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "not a valid URL";
  }
  const q = u.searchParams;
  for (const k of q.keys()) {
    if (!URL_PARAMS.includes(k)) return `unsupported parameter ${k} (supported: ${URL_PARAMS.join(" ")})`;
  }
  const decode = (x: string) => {
    try {
      return decodeURIComponent(x);
    } catch {
      return x;
    }
  };
  const host = q.get("host") || decode(u.hostname.replace(/^\[(.+)\]$/, "$1")) || "localhost";
  const portText = q.get("port") || u.port || "5432";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `invalid port ${portText}`;
  const c: PgConfig = { host, port, application_name: q.get("application_name") ?? "skein" };
  if (u.username) c.user = decode(u.username);
  if (u.password) c.password = decode(u.password);
  const db = decode(u.pathname.slice(1));
  if (db) c.database = db;
  const mode = q.get("sslmode");
  if (mode !== null) {
    if (mode === "disable") c.ssl = false;
    else if (mode === "no-verify") c.ssl = { rejectUnauthorized: false };
    else if (["prefer", "require", "verify-ca", "verify-full"].includes(mode)) c.ssl = true;
    else return `unsupported sslmode ${mode}`;
  }
  const options = q.get("options");
  if (options !== null) c.options = options;
  return c;
}

/** What pg passes a password function: the settings it resolved (the environment's included). */
export interface PgParams {
  user?: string;
  database?: string;
  host?: string;
  port?: number | string;
}

/**
 * An unsandboxed connection's password, found as libpq finds it: the URL's, else PGPASSWORD, else
 * the first matching line `host:port:database:user:password` of the password file (PGPASSFILE or
 * ~/.pgpass, `*` matching anything, `\:` and `\\` escaped; a socket directory matches
 * localhost; ignored unless only its owner may read it). Skein looks the file up itself because
 * pg's own lookup prints a DeprecationWarning of the driver's on stderr.
 */
export function withEnvironmentPassword(c: PgConfig, env: NodeJS.ProcessEnv): PgConfig {
  if (c.password !== undefined) return c;
  return {
    ...c,
    password: async (p: PgParams) => {
      if (env.PGPASSWORD) return env.PGPASSWORD;
      const fsp = lazyRequire<typeof import("node:fs/promises")>("node:fs/promises");
      const home = env.HOME ?? lazyRequire<typeof import("node:os")>("node:os").homedir();
      const file = env.PGPASSFILE || `${home}/.pgpass`;
      let text: string;
      try {
        const st = await fsp.stat(file);
        if (!st.isFile() || (st.mode & 0o077) !== 0) return undefined;
        text = await fsp.readFile(file, "utf8");
      } catch {
        return undefined;
      }
      const host = !p.host || p.host.startsWith("/") ? "localhost" : p.host;
      const want = [host, String(p.port ?? 5432), p.database ?? "", p.user ?? ""];
      for (const line of text.split(/\r?\n/)) {
        if (line === "" || line.startsWith("#")) continue;
        const parts = pgpassFields(line);
        if (parts.length < 5) continue;
        if (want.every((w, i) => parts[i] === "*" || parts[i] === w)) return parts.slice(4).join(":");
      }
      return undefined;
    },
  };
}

/** The fields of a password-file line, split at unescaped colons, escapes removed. */
function pgpassFields(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "\\" && i + 1 < line.length) cur += line[++i];
    else if (ch === ":") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * The config with every setting the driver would otherwise take from the environment (PGUSER,
 * PGPASSWORD, PGDATABASE, PGOPTIONS, PGSSLMODE, PGCLIENTENCODING, USER) or from ~/.pgpass made
 * explicit: what a sandboxed script sends is only what its URL says. A URL without a user is
 * refused (the reason is returned), since the driver would send the process's user name.
 */
export function hermeticConfig(c: PgConfig): PgConfig | string {
  if (c.user === undefined)
    return "the URL names no user (in the sandbox only what the URL says is sent: postgres://USER@HOST/DB)";
  const password = c.password;
  // the driver takes any falsy setting from the environment: every one must be a truthy value
  // (options " " is no option at all to the server, which splits it on white space)
  return {
    ...c,
    database: c.database ?? c.user,
    password: typeof password === "string" && password !== "" ? password : () => "",
    ssl: c.ssl ?? false,
    options: c.options || " ",
    client_encoding: "UTF8",
    sslnegotiation: "postgres",
  };
}

/** Every column arrives as PostgreSQL's text form; values are converted below, by type. */
const RAW_TYPES = { getTypeParser: () => (text: string) => text };

/** A cancelled query gets this long to stop before its connection is closed instead. */
const CANCEL_GRACE_MS = 3000;

export class PostgresDb {
  private constructor(private readonly pool: PgPool) {}

  /** Opens a pool and makes one connection, so a wrong URL, password or database fails here. */
  static async open(config: PgConfig, poolSize: number, signal: AbortSignal): Promise<PostgresDb> {
    const pg = loadPg();
    const pool = new pg.Pool({
      ...config,
      max: poolSize,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      types: RAW_TYPES,
    });
    // A connection dropped by the server while idle (or between queries) must not crash the
    // interpreter: the pool replaces it; a query on it fails with an error value.
    pool.on("error", () => {});
    pool.on("connect", (c) => c.on("error", () => {}));
    const db = new PostgresDb(pool);
    try {
      (await db.acquire(signal)).release();
    } catch (e) {
      void pool.end().catch(() => {});
      throw e;
    }
    return db;
  }

  /** Rows as maps with keyword keys, in column order. Several statements (no parameters): the last result's rows. */
  async query(sql: string, params: unknown[], signal: AbortSignal): Promise<Value> {
    const res = await this.run(sql, params, signal);
    const results = Array.isArray(res) ? res : [res];
    const last = [...results].reverse().find((r) => r.fields.length > 0);
    return last ? rowsToValue(last) : EMPTY;
  }

  /** {:changes n}: rows inserted, updated or deleted (summed over several statements). */
  async exec(sql: string, params: unknown[], signal: AbortSignal): Promise<Value> {
    const res = await this.run(sql, params, signal);
    const changes = (Array.isArray(res) ? res : [res]).reduce((n, r) => n + (r.rowCount ?? 0), 0);
    return LMap.fromEntries([[Keyword.of("changes"), changes]]);
  }

  /** Waits for the queries in flight, then closes every connection. */
  close(): Promise<void> {
    return this.pool.end();
  }

  /** A pooled connection; if the wait is aborted, the connection goes back when it arrives. */
  private acquire(signal: AbortSignal): Promise<PgClient> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new AbortedError());
        return;
      }
      const onAbort = () => reject(new AbortedError());
      signal.addEventListener("abort", onAbort, { once: true });
      this.pool.connect().then(
        (c) => {
          signal.removeEventListener("abort", onAbort);
          if (signal.aborted) c.release();
          else resolve(c);
        },
        (e) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      );
    });
  }

  private async run(sql: string, params: unknown[], signal: AbortSignal): Promise<PgResult | PgResult[]> {
    const client = await this.acquire(signal);
    let cancelling: Promise<void> | null = null;
    let grace: NodeJS.Timeout | null = null;
    const onAbort = () => {
      cancelling = cancelOnServer(client);
      // if the server does not stop it, closing the connection fails the query at least
      grace = setTimeout(() => {
        void client.end().catch(() => {});
      }, CANCEL_GRACE_MS);
      grace.unref();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    let broken = false;
    try {
      return await client.query({ text: sql, values: params.length ? params : undefined, rowMode: "array" });
    } catch (e) {
      // a plain SQL error leaves the connection usable; a FATAL one (the server ends the session),
      // a connection exception (class 08) or a lost socket (no SQLSTATE) does not
      const err = e as { code?: unknown; severity?: unknown };
      const code = String(err?.code);
      broken =
        !/^[0-9A-Z]{5}$/.test(code) || code.startsWith("08") || err.severity === "FATAL" || err.severity === "PANIC";
      throw e;
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (grace) clearTimeout(grace);
      // never hand a connection with a cancel request in flight to another query: the late
      // cancel could hit that one instead
      if (cancelling) await cancelling;
      client.release(cancelling !== null || broken);
    }
  }
}

/** Sends PostgreSQL's CancelRequest for the query running on this client's backend. */
function cancelOnServer(client: PgClient): Promise<void> {
  const pid = client.processID,
    key = client.secretKey;
  if (typeof pid !== "number" || typeof key !== "number") return Promise.resolve();
  return new Promise((resolve) => {
    const sock = client.host?.startsWith("/")
      ? net().connect(`${client.host}/.s.PGSQL.${client.port}`)
      : net().connect(client.port, client.host);
    const msg = Buffer.alloc(16);
    msg.writeInt32BE(16, 0);
    msg.writeInt32BE(80877102, 4); // the CancelRequest code
    msg.writeInt32BE(pid, 8);
    msg.writeInt32BE(key, 12);
    sock.setTimeout(CANCEL_GRACE_MS, () => sock.destroy());
    sock.on("connect", () => sock.end(msg));
    sock.on("error", () => resolve());
    sock.on("close", () => resolve());
  });
}

// ---- values ----------------------------------------------------------------------------------

type Convert = (text: string) => Value;

const toInt: Convert = (t) => Number(t);
/** bigint: a number when exact, else the decimal string */
const toInt8: Convert = (t) => {
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : t;
};
const toFloat: Convert = (t) => Number(t);
/** numeric: a number when it has at most 15 significant digits (then it prints back the same), else the string */
const toNumeric: Convert = (t) => {
  if (!/^-?\d+(\.\d+)?$/.test(t)) return t; // NaN, Infinity
  const digits = t.replace(/^-/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return digits.length <= 15 ? Number(t) : t;
};
const toBool: Convert = (t) => t === "t";
const toJson: Convert = (t) => parseJson(t);
/** timestamp without time zone: ISO 8601 without an offset */
const toTimestamp: Convert = (t) => (/^\d{4}-\d\d-\d\d \d/.test(t) ? t.replace(" ", "T") : t);
/** timestamp with time zone: ISO 8601 in UTC ("...Z"), whatever the session's TimeZone; the
 *  fraction keeps its microseconds. infinity and BC dates stay as PostgreSQL writes them. */
const toTimestamptz: Convert = (t) => {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(t);
  if (!m) return t;
  const [, y, mo, d, h, mi, s, frac, sign, oh, om, os] = m;
  const offset = (Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0)) * (sign === "-" ? -1 : 1);
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s) - offset, 0);
  return date.toISOString().replace(/\.\d{3}Z$/, `${frac ?? ""}Z`);
};
/** bytea (hex output): a vector of byte values */
const toBytes: Convert = (t) => {
  if (!t.startsWith("\\x")) return t;
  const out: number[] = [];
  for (let i = 2; i + 1 < t.length; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
  return IList(out);
};

/** Converters by type OID (pg_type); any other type stays the text PostgreSQL sent. */
const SCALARS: Record<number, Convert> = {
  16: toBool,
  17: toBytes,
  20: toInt8,
  21: toInt,
  23: toInt,
  26: toInt,
  700: toFloat,
  701: toFloat,
  1700: toNumeric,
  114: toJson,
  3802: toJson,
  1114: toTimestamp,
  1184: toTimestamptz,
};
/** Array type OID → element type OID. */
const ARRAYS: Record<number, number> = {
  1000: 16,
  1001: 17,
  1016: 20,
  1005: 21,
  1007: 23,
  1028: 26,
  1021: 700,
  1022: 701,
  1231: 1700,
  199: 114,
  3807: 3802,
  1115: 1114,
  1185: 1184,
  1009: 25,
  1015: 1043,
  1014: 1042,
  2951: 2950,
  1182: 1082,
};
const identity: Convert = (t) => t;

function converterFor(oid: number): Convert {
  const scalar = SCALARS[oid];
  if (scalar) return scalar;
  const el = ARRAYS[oid];
  if (el !== undefined) {
    const f = SCALARS[el] ?? identity;
    return (t) => parseArray(t, f);
  }
  return identity;
}

/** PostgreSQL's array text form (`{1,2}`, `{{"a b",NULL},{c,d}}`) as nested vectors. */
export function parseArray(s: string, el: Convert): Value {
  let i = s.startsWith("[") ? s.indexOf("=") + 1 : 0; // a dimension prefix: [0:1]={...}
  const parse = (): Value => {
    const items: Value[] = [];
    i++; // {
    if (s[i] === "}") {
      i++;
      return IList(items);
    }
    while (i < s.length) {
      if (s[i] === "{") items.push(parse());
      else if (s[i] === '"') {
        let t = "";
        for (i++; i < s.length && s[i] !== '"'; i++) t += s[i] === "\\" ? s[++i] : s[i];
        i++;
        items.push(el(t));
      } else {
        let j = i;
        while (j < s.length && s[j] !== "," && s[j] !== "}") j++;
        const t = s.slice(i, j);
        i = j;
        items.push(t === "NULL" ? null : el(t));
      }
      if (s[i++] !== ",") break; // "}" ends this level
    }
    return IList(items);
  };
  return s[i] === "{" ? parse() : s;
}

function rowsToValue(r: PgResult): Value {
  const keys = columnKeys(r.fields.map((f) => f.name));
  const conv = r.fields.map((f) => converterFor(f.dataTypeID));
  return arrayToList(
    r.rows.map((row) =>
      LMap.fromEntries(row.map((v, i) => [keys[i], v === null ? null : conv[i](v)] as [Value, Value])),
    ),
  );
}
