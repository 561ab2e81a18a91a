// What a script may do outside the process: the capabilities, the flag that grants each, and
// the interface a grant set answers. Policy only: the checks are made by host/guard.ts.

/** The kinds of access a script can be granted. */
export type Capability = "net" | "read" | "write" | "run" | "env";

/** What a script may do. target: a resolved absolute path (read, write), a URL (net), a program (run), a variable (env). */
export interface Permissions {
  allows(cap: Capability, target: string): boolean;
}

/** The command-line flag that grants each capability. */
export const CAPABILITY_FLAG: Record<Capability, string> = {
  net: "--allow-net", read: "--allow-read", write: "--allow-write", run: "--allow-run", env: "--allow-env",
};
