// The sandbox seam: every I/O builtin asks here before it touches the outside world.
// A denial is an error value that names the flag that grants it; nothing happens.
import { ErrorValue, Keyword } from "../values/types.js";
import { LMap } from "../values/map.js";
import type { Machine } from "../eval/machine.js";
import type { Capability } from "./registry.js";
import { sessionOf } from "./session.js";

/** What a script may do. target: a resolved absolute path (read, write), a URL (net), a program (run), a variable (env). */
export interface Permissions {
  allows(cap: Capability, target: string): boolean;
}

const FLAG: Record<Capability, string> = {
  net: "--allow-net", read: "--allow-read", write: "--allow-write", run: "--allow-run", env: "--allow-env",
};

/** null when allowed; else the error value `permission denied: OP TARGET (run with --allow-...)`. */
export function denied(m: Machine, op: string, cap: Capability, target: string, shown = target): ErrorValue | null {
  const p = sessionOf(m).host.permissions;
  if (!p || p.allows(cap, target)) return null;
  return new ErrorValue(`permission denied: ${op} ${shown} (run with ${FLAG[cap]})`,
    LMap.fromEntries([[Keyword.of("op"), op], [Keyword.of("target"), shown], [Keyword.of("permission"), cap]]));
}
