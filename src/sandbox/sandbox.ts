// The sandbox: --sandbox and the --allow-* flags, turned into the Permissions every I/O builtin asks.
//
// Without any of these flags nothing is checked (the host has no permissions object). With
// --sandbox, or with any --allow-* flag (which implies --sandbox, as in Deno):
//
//   read   allowed everywhere, unless some --allow-read=PATHS is given: then only inside those paths
//   write  denied, unless --allow-write (everywhere) or --allow-write=PATHS
//   net    denied, unless --allow-net (any host) or --allow-net=HOST[:PORT],...
//   run    denied, unless --allow-run (any program) or --allow-run=PROGRAM,...
//   env    denied, unless --allow-env (any variable) or --allow-env=NAME,...
//
// Paths. A grant is made absolute (relative to the working directory; a leading ~ is the home
// directory) and resolved physically: every symbolic link in it is followed, and a part that does
// not exist yet is kept as written. A target is resolved the same way just before the operation,
// so `..` cannot climb out of a grant and a link inside a granted directory that points outside it
// is denied (a link outside that points inside is allowed: what counts is where the bytes are). A
// target is inside a grant when it equals it or continues it after a `/`: /tmp/a grants /tmp/a/x,
// never /tmp/ab.
//
// Hosts. HOST grants every port of that host name or address; HOST:PORT one port (the URL's port,
// or the scheme's default: http 80, https 443, postgres 5432). IPv6 addresses go in brackets
// ([::1]:8080). Names are compared as written after URL normalisation (lower case, punycode, IPv4
// forms such as 2130706433 → 127.0.0.1): no DNS lookup, so `localhost` does not grant `127.0.0.1`
// nor the other way round, and example.com does not grant api.example.com.
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";
import type { Capability } from "./permissions.js";
import type { Permissions } from "./permissions.js";
import { lazyRequire } from "../core/lazy.js";

/** A grant as given: true for everything, else the list of items (an empty list grants nothing). */
export type GrantSpec = true | readonly string[];

/** What the flags asked for; a missing entry is the sandbox default (read: everything, the rest: nothing). */
export type SandboxSpec = Partial<Record<Capability, GrantSpec>>;

/** A bad flag or grant: the CLI reports it as a usage error (exit 2). */
export class SandboxFlagError extends Error {}

export const CAPABILITIES: readonly Capability[] = ["read", "write", "net", "run", "env"];

// ---- paths ---------------------------------------------------------------------------------

/** Symbolic links followed in one resolution at most (Linux's limit is 40 too). */
const MAX_LINKS = 40;

const errCode = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;

/**
 * The physical absolute path of path, as the kernel would reach it: every symbolic link followed
 * (dangling ones included, so a write through one is judged by where it would land), `..` taken
 * after the links before it. Components that do not exist are appended as written. null when it
 * cannot be resolved (a loop of links, an invalid path): the caller denies.
 */
export function physicalPath(path: string, cwd?: string): string | null {
  if (typeof path !== "string" || path.includes("\0")) return null;
  const abs = cwd === undefined ? resolve(path) : resolve(cwd, path);
  try {
    return realpathSync.native(abs);
  } catch (e) {
    const code = errCode(e);
    if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "EACCES") return null;
  }
  // something along the way is missing (or a link dangles): walk it one component at a time
  const todo = abs.split(sep).filter((c) => c !== "");
  let done: string = sep;
  let links = 0;
  let missing = false;
  while (todo.length > 0) {
    const c = todo.shift() as string;
    if (c === ".") continue;
    if (c === "..") { done = resolve(done, ".."); continue; }
    const next = join(done, c);
    if (missing) { done = next; continue; }
    let isLink = false;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch (e) {
      const code = errCode(e);
      if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "EACCES") return null;
      missing = true;
      done = next;
      continue;
    }
    if (!isLink) { done = next; continue; }
    if (++links > MAX_LINKS) return null;
    let target: string;
    try { target = readlinkSync(next); } catch { return null; }
    if (isAbsolute(target)) done = sep;
    todo.unshift(...target.split(sep).filter((x) => x !== ""));
  }
  return done;
}

/** True when target is root or inside it, on path-component boundaries. */
export function pathWithin(target: string, root: string): boolean {
  if (target === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return target.startsWith(prefix);
}

// ---- hosts ---------------------------------------------------------------------------------

interface HostGrant { host: string; port: number | null; text: string }

const DEFAULT_PORTS: Record<string, number> = {
  "http:": 80, "https:": 443, "ws:": 80, "wss:": 443, "postgres:": 5432, "postgresql:": 5432,
};

/** A host name or address in canonical form: URL-normalised, lower case, no trailing dot. null if invalid. */
function canonicalHost(host: string): string | null {
  if (host === "" || /[\s/?#@\\]/.test(host)) return null;
  let name: string;
  try { name = new URL(`http://${host}/`).hostname; } catch { return null; }
  name = name.toLowerCase();
  if (name.endsWith(".") && name.length > 1) name = name.slice(0, -1);
  return name === "" ? null : name;
}

function portNumber(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

/** One --allow-net item: host, host:port, [v6], [v6]:port, a bare v6 address, or a URL (its host and explicit port). */
export function parseHostGrant(item: string): HostGrant {
  const bad = (why: string) => new SandboxFlagError(`--allow-net: ${why}: ${item}`);
  let text = item.trim();
  if (text.includes("://")) {
    let u: URL;
    try { u = new URL(text); } catch { throw bad("not a host or URL"); }
    text = u.host;
    // new URL drops a port equal to the scheme's default; keep it as the user meant it
    const explicit = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*):(\d+)/i.exec(item.trim());
    if (explicit && !u.port) text = `${explicit[1]}:${explicit[2]}`;
  }
  let host: string;
  let port: number | null = null;
  const bracketed = /^(\[[^\]]+\])(?::([^:]*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    if (bracketed[2] !== undefined) {
      port = portNumber(bracketed[2]);
      if (port === null) throw bad("bad port");
    }
  } else if ((text.match(/:/g) ?? []).length >= 2) {
    host = `[${text}]`; // a bare IPv6 address: no port possible
  } else {
    const i = text.indexOf(":");
    host = i < 0 ? text : text.slice(0, i);
    if (i >= 0) {
      port = portNumber(text.slice(i + 1));
      if (port === null) throw bad("bad port");
    }
  }
  const canon = canonicalHost(host);
  if (canon === null) throw bad("not a host name or address");
  return { host: canon, port, text: port === null ? canon : `${canon}:${port}` };
}

/** The host and port a net target (a URL, or host[:port]) reaches; null when it cannot be told. */
export function netTarget(target: string): { host: string; port: number | null } | null {
  let u: URL;
  try { u = new URL(target); } catch {
    try { u = new URL(`http://${target}`); } catch { return null; }
  }
  if (u.host === "") return null;
  // non-special schemes (postgres:) leave the host opaque: normalise it as http would
  const host = canonicalHost(u.hostname);
  if (host === null) return null;
  const port = u.port !== "" ? Number(u.port) : DEFAULT_PORTS[u.protocol] ?? null;
  return { host, port };
}

// ---- the permissions -----------------------------------------------------------------------

type Compiled =
  | { kind: "all" }
  | { kind: "paths"; paths: string[]; shown: string[] }
  | { kind: "hosts"; hosts: HostGrant[] }
  | { kind: "names"; names: Set<string>; shown: string[] };

const NOTHING: Compiled = { kind: "names", names: new Set(), shown: [] };

/** The Permissions of a sandboxed script. Build one with Sandbox.create or parseSandboxFlags. */
export class Sandbox implements Permissions {
  private constructor(private readonly grants: Record<Capability, Compiled>) {}

  /** Resolves the grants (paths against cwd, default the working directory); throws SandboxFlagError. */
  static create(spec: SandboxSpec, opts: { cwd?: string; home?: string } = {}): Sandbox {
    const cwd = opts.cwd ?? resolve(".");
    const compile = (cap: Capability): Compiled => {
      const g = spec[cap];
      if (g === undefined) return cap === "read" ? { kind: "all" } : NOTHING;
      if (g === true) return { kind: "all" };
      if (cap === "read" || cap === "write") {
        const paths: string[] = [];
        for (const item of g) {
          if (item === "") throw new SandboxFlagError(`--allow-${cap}: an empty path`);
          let p = item;
          if (p === "~" || p.startsWith("~/")) p = join(opts.home ?? lazyRequire<typeof import("node:os")>("node:os").homedir(), p.slice(1));
          const real = physicalPath(p, cwd);
          if (real === null) throw new SandboxFlagError(`--allow-${cap}: cannot resolve the path ${item}`);
          paths.push(real);
        }
        return { kind: "paths", paths, shown: paths };
      }
      if (cap === "net") return { kind: "hosts", hosts: g.map(parseHostGrant) };
      for (const item of g) if (item === "") throw new SandboxFlagError(`--allow-${cap}: an empty name`);
      return { kind: "names", names: new Set(g), shown: [...g] };
    };
    return new Sandbox({ read: compile("read"), write: compile("write"), net: compile("net"), run: compile("run"), env: compile("env") });
  }

  allows(cap: Capability, target: string): boolean {
    const g = this.grants[cap];
    if (!g) return false;
    if (g.kind === "all") return true;
    if (typeof target !== "string") return false;
    switch (g.kind) {
      case "paths": {
        if (g.paths.length === 0) return false;
        const real = physicalPath(target);
        return real !== null && g.paths.some((root) => pathWithin(real, root));
      }
      case "hosts": {
        if (g.hosts.length === 0) return false;
        const t = netTarget(target);
        return t !== null && g.hosts.some((h) => h.host === t.host && (h.port === null || h.port === t.port));
      }
      case "names":
        // a program given as a path matches a grant of the same path, however it is spelled
        if (cap === "run" && target.includes(sep) && !g.names.has(target)) {
          const real = physicalPath(target);
          return real !== null && [...g.names].some((n) => n.includes(sep) && physicalPath(n) === real);
        }
        return g.names.has(target);
    }
  }

  /** One line per capability: what is granted. */
  describe(): string {
    return CAPABILITIES.map((cap) => {
      const g = this.grants[cap];
      const what = g.kind === "all" ? "everything"
        : g.kind === "hosts" ? g.hosts.map((h) => h.text).join(", ") || "nothing"
        : g.shown.join(", ") || "nothing";
      return `${cap}: ${what}`;
    }).join("\n");
  }
}

// ---- the flags -----------------------------------------------------------------------------

/** The flags, for the usage text. */
export const SANDBOX_USAGE = `sandbox (flags go before FILE or -e; any --allow-* flag implies --sandbox):
  --sandbox               deny network, file writes, subprocesses and environment variables
  --allow-read[=PATHS]    with PATHS, reads only inside them (without: reads anywhere)
  --allow-write[=PATHS]   writes everywhere, or only inside the PATHS
  --allow-net[=HOSTS]     any host, or only HOST, HOST:PORT, [IPv6]:PORT
  --allow-run[=PROGRAMS]  any program, or only the PROGRAMS (sh needs sh); programs
                          themselves run outside the sandbox
  --allow-env[=NAMES]     getenv of any variable, or only of the NAMES
  lists are comma-separated; a denied operation returns {:error "permission denied: ..."}
`;

const FLAG_RE = /^--allow-(read|write|net|run|env)(?:=(.*))?$/s;

/** True for an argument that is one of the sandbox flags (or looks like a malformed one). */
export function isSandboxFlag(arg: string): boolean {
  return arg === "--sandbox" || arg.startsWith("--allow-") || arg.startsWith("--sandbox=");
}

/**
 * Reads the sandbox flags at the front of argv (before FILE, -e or repl). permissions is undefined
 * when there were none: nothing is checked. Throws SandboxFlagError for a bad flag or grant.
 */
export function parseSandboxFlags(argv: readonly string[], opts: { cwd?: string; home?: string } = {}): { permissions: Sandbox | undefined; rest: string[] } {
  let i = 0;
  let sandboxed = false;
  const spec: Record<Capability, true | string[] | undefined> = { read: undefined, write: undefined, net: undefined, run: undefined, env: undefined };
  for (; i < argv.length && isSandboxFlag(argv[i]); i++) {
    const arg = argv[i];
    sandboxed = true;
    if (arg === "--sandbox") continue;
    const m = FLAG_RE.exec(arg);
    if (!m) {
      const name = arg.split("=")[0];
      throw new SandboxFlagError(`unknown option ${name} (known: --sandbox --allow-read --allow-write --allow-net --allow-run --allow-env)`);
    }
    const cap = m[1] as Capability;
    if (m[2] === undefined) { spec[cap] = true; continue; }
    const items = m[2].split(",").map((s) => s.trim());
    if (items.some((s) => s === "")) {
      throw new SandboxFlagError(`--allow-${cap}=${m[2]}: an empty item (write --allow-${cap} alone to grant everything)`);
    }
    const had = spec[cap];
    if (had === true) continue; // a bare flag grants everything already
    spec[cap] = [...(had ?? []), ...items];
  }
  const rest = argv.slice(i);
  if (!sandboxed) return { permissions: undefined, rest };
  return { permissions: Sandbox.create(spec, opts), rest };
}
