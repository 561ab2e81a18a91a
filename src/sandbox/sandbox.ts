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
import { join, sep } from "node:path";
import { lazyRequire } from "../core/lazy.js";
import { CAPABILITIES, CAPABILITY_TABLE, SandboxFlagError, type Capability, type Permissions } from "./permissions.js";
import { netTarget, parseHostGrant, type HostGrant } from "./hosts.js";
import { pathWithin, physicalPath } from "./paths.js";

export { SandboxFlagError } from "./permissions.js";
export { netTarget, parseHostGrant } from "./hosts.js";
export { pathWithin, physicalPath } from "./paths.js";

/** A grant as given: true for everything, else the list of items (an empty list grants nothing). */
export type GrantSpec = true | readonly string[];

/** What the flags asked for; a missing entry is the sandbox default (read: everything, the rest: nothing). */
export type SandboxSpec = Partial<Record<Capability, GrantSpec>>;

/** Trees of the kernel's own files: a read there needs a grant that names a path inside them
 *  (reading everywhere does not include them), since they expose the process and the machine. */
const KERNEL_TREES = ["/proc", "/dev", "/sys"];
/** Files of /proc that hold a process's environment or command line: they need env too. */
const ENV_FILES = /^\/proc\/(?:[^/]+\/)*(?:environ|cmdline)$/;

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
    const cwd = opts.cwd ?? process.cwd();
    const home = () => opts.home ?? lazyRequire<typeof import("node:os")>("node:os").homedir();
    const compile = ({ cap, flag, target, sandboxDefault }: (typeof CAPABILITY_TABLE)[number]): Compiled => {
      const g = spec[cap];
      if (g === undefined) return sandboxDefault === "everything" ? { kind: "all" } : NOTHING;
      if (g === true) return { kind: "all" };
      const empty = g.find((item) => item === "");
      if (empty !== undefined) throw new SandboxFlagError(`${flag}: an empty ${target === "paths" ? "path" : "name"}`);
      switch (target) {
        case "paths": {
          const paths = g.map((item) => {
            const p = item === "~" || item.startsWith("~/") ? join(home(), item.slice(1)) : item;
            const real = physicalPath(p, cwd);
            if (real === null) throw new SandboxFlagError(`${flag}: cannot resolve the path ${item}`);
            return real;
          });
          return { kind: "paths", paths, shown: paths };
        }
        case "hosts":
          return { kind: "hosts", hosts: g.map(parseHostGrant) };
        case "programs": {
          // a program given as a path is kept physically resolved, as run's target is
          const names = g.map((n) => (n.includes(sep) ? (physicalPath(n, cwd) ?? n) : n));
          return { kind: "names", names: new Set(names), shown: [...g] };
        }
        case "names":
          return { kind: "names", names: new Set(g), shown: [...g] };
      }
    };
    const grants = Object.fromEntries(CAPABILITY_TABLE.map((info) => [info.cap, compile(info)])) as Record<
      Capability,
      Compiled
    >;
    return new Sandbox(grants);
  }

  /** target: for read and write a physical absolute path (host/guard.ts resolves it; nothing is
   *  resolved here, so that what is checked is what is opened); for run a program name or a
   *  physical path; for net a URL; for env a variable name. */
  allows(cap: Capability, target: string): boolean {
    const g = this.grants[cap];
    if (!g || typeof target !== "string") return false;
    if (cap === "read" && !this.allowsKernelFile(target)) return false;
    if (g.kind === "all") return true;
    switch (g.kind) {
      case "paths":
        return g.paths.some((root) => pathWithin(target, root));
      case "hosts": {
        const t = netTarget(target);
        return t !== null && g.hosts.some((h) => h.host === t.host && (h.port === null || h.port === t.port));
      }
      case "names":
        return g.names.has(target);
    }
  }

  /** A read under /proc, /dev or /sys needs a read grant naming a path inside that tree, and a
   *  process's environ or cmdline needs every variable granted as well. */
  private allowsKernelFile(target: string): boolean {
    const tree = KERNEL_TREES.find((t) => pathWithin(target, t));
    if (tree === undefined) return true;
    if (ENV_FILES.test(target) && this.grants.env.kind !== "all") return false;
    const read = this.grants.read;
    return read.kind === "paths" && read.paths.some((root) => pathWithin(root, tree) && pathWithin(target, root));
  }

  /** The grants as a spec that Sandbox.create turns back into these very grants (paths and
   *  programs already resolved): how a sandbox crosses to a worker thread. */
  spec(): SandboxSpec {
    return Object.fromEntries(
      CAPABILITIES.map((cap) => {
        const g = this.grants[cap];
        const items =
          g.kind === "all"
            ? true
            : g.kind === "paths"
              ? g.paths
              : g.kind === "hosts"
                ? g.hosts.map((h) => h.text)
                : [...g.names];
        return [cap, items];
      }),
    ) as SandboxSpec;
  }

  /** One line per capability: what is granted. */
  describe(): string {
    return CAPABILITIES.map((cap) => {
      const g = this.grants[cap];
      const what =
        g.kind === "all"
          ? "everything"
          : g.kind === "hosts"
            ? g.hosts.map((h) => h.text).join(", ") || "nothing"
            : g.shown.join(", ") || "nothing";
      return `${cap}: ${what}`;
    }).join("\n");
  }
}

// ---- the flags -----------------------------------------------------------------------------

/** The flags, for the usage text (from the capability table). */
export const SANDBOX_USAGE = [
  "sandbox (flags go before FILE or -e; any --allow-* flag implies --sandbox):",
  "  --sandbox               deny network, file writes, subprocesses and environment variables",
  ...CAPABILITY_TABLE.map((c) => `  ${`${c.flag}[=${c.items}]`.padEnd(24)}${c.usage}`),
  '  lists are comma-separated; a denied operation returns {:error "permission denied: ..."}',
  "",
].join("\n");

const FLAG_RE = new RegExp(`^(${CAPABILITY_TABLE.map((c) => c.flag).join("|")})(?:=(.*))?$`, "s");
const BY_FLAG = new Map(CAPABILITY_TABLE.map((c) => [c.flag, c.cap]));

/** True for an argument that is one of the sandbox flags (or looks like a malformed one). */
export function isSandboxFlag(arg: string): boolean {
  return arg === "--sandbox" || arg.startsWith("--allow-") || arg.startsWith("--sandbox=");
}

/**
 * Reads the sandbox flags at the front of argv (before FILE, -e or repl). permissions is undefined
 * when there were none: nothing is checked. Throws SandboxFlagError for a bad flag or grant.
 */
export function parseSandboxFlags(
  argv: readonly string[],
  opts: { cwd?: string; home?: string } = {},
): { permissions: Sandbox | undefined; rest: string[]; spec: SandboxSpec } {
  let i = 0;
  let sandboxed = false;
  const spec: Partial<Record<Capability, true | string[]>> = {};
  for (; i < argv.length && isSandboxFlag(argv[i]); i++) {
    const arg = argv[i];
    sandboxed = true;
    if (arg === "--sandbox") continue;
    const m = FLAG_RE.exec(arg);
    if (!m) {
      const name = arg.split("=")[0];
      throw new SandboxFlagError(
        `unknown option ${name} (known: --sandbox ${CAPABILITY_TABLE.map((c) => c.flag).join(" ")})`,
      );
    }
    const cap = BY_FLAG.get(m[1]) as Capability;
    if (m[2] === undefined) {
      spec[cap] = true;
      continue;
    }
    const items = m[2].split(",").map((s) => s.trim());
    if (items.some((s) => s === "")) {
      throw new SandboxFlagError(`${m[1]}=${m[2]}: an empty item (write ${m[1]} alone to grant everything)`);
    }
    const had = spec[cap];
    if (had === true) continue; // a bare flag grants everything already
    spec[cap] = [...(had ?? []), ...items];
  }
  const rest = argv.slice(i);
  if (!sandboxed) return { permissions: undefined, rest, spec };
  return { permissions: Sandbox.create(spec, opts), rest, spec };
}
