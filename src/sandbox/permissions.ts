// What a script may do outside the process: the one table of capabilities (the flag that grants
// each, what its grants name, what the sandbox allows without it), and the interface a grant set
// answers. Flag parsing, the usage text and the checks are all driven by this table.

/** The kinds of access a script can be granted. */
export type Capability = "read" | "write" | "net" | "run" | "env";

/** What the items of a grant name: paths, hosts, programs or variable names. */
export type TargetKind = "paths" | "hosts" | "programs" | "names";

export interface CapabilityInfo {
  cap: Capability;
  /** the command-line flag that grants it */
  flag: string;
  target: TargetKind;
  /** the placeholder of the flag's list in the usage text */
  items: string;
  /** what the sandbox allows without the flag */
  sandboxDefault: "everything" | "nothing";
  /** one line for the usage text */
  usage: string;
}

export const CAPABILITY_TABLE: readonly CapabilityInfo[] = [
  {
    cap: "read",
    flag: "--allow-read",
    target: "paths",
    items: "PATHS",
    sandboxDefault: "everything",
    usage: "with PATHS, reads only inside them (without: reads anywhere but /proc, /dev and /sys)",
  },
  {
    cap: "write",
    flag: "--allow-write",
    target: "paths",
    items: "PATHS",
    sandboxDefault: "nothing",
    usage: "writes everywhere, or only inside the PATHS",
  },
  {
    cap: "net",
    flag: "--allow-net",
    target: "hosts",
    items: "HOSTS",
    sandboxDefault: "nothing",
    usage: "any host, or only HOST, HOST:PORT, [IPv6]:PORT",
  },
  {
    cap: "run",
    flag: "--allow-run",
    target: "programs",
    items: "PROGRAMS",
    sandboxDefault: "nothing",
    usage: "any program, or only the PROGRAMS (sh needs sh); programs themselves run outside the sandbox",
  },
  {
    cap: "env",
    flag: "--allow-env",
    target: "names",
    items: "NAMES",
    sandboxDefault: "nothing",
    usage: "getenv of any variable, or only of the NAMES (also /proc/*/environ)",
  },
];

export const CAPABILITIES: readonly Capability[] = CAPABILITY_TABLE.map((c) => c.cap);

/** The command-line flag that grants each capability. */
export const CAPABILITY_FLAG = Object.fromEntries(CAPABILITY_TABLE.map((c) => [c.cap, c.flag])) as Record<
  Capability,
  string
>;

/** What a script may do. target: a physical absolute path (read, write: see host/guard.ts), a URL
 *  (net), a program name or physical path (run), a variable name (env). */
export interface Permissions {
  allows(cap: Capability, target: string): boolean;
}

/** What both allow: a sandbox held inside another (skein mcp: a call's own narrower grants
 *  inside the server's), or the inner one alone when there is no outer one. */
export function bothAllow(outer: Permissions | undefined, inner: Permissions): Permissions {
  if (outer === undefined) return inner;
  return { allows: (cap, target) => outer.allows(cap, target) && inner.allows(cap, target) };
}

/** A bad flag or grant: the CLI reports it as a usage error (exit 2). */
export class SandboxFlagError extends Error {}
