// The sandbox seam: every builtin that touches the outside world asks here first. A denial is
// an error value that names the flag that grants it; nothing happens.
import type { ErrorValue } from "../core/types.js";
import { permissionError } from "../core/messages.js";
import type { Machine } from "../vm/machine.js";
import { CAPABILITY_FLAG, type Capability } from "../sandbox/permissions.js";
import { contextOf } from "../session/context.js";

/** null when allowed; else the error value `permission denied: OP TARGET (run with --allow-...)`. */
export function denied(m: Machine, op: string, cap: Capability, target: string, shown = target): ErrorValue | null {
  const p = contextOf(m).host.permissions;
  if (!p || p.allows(cap, target)) return null;
  return permissionError(op, shown, cap, CAPABILITY_FLAG[cap]);
}
