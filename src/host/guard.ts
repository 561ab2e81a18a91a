// The sandbox seam: every builtin that touches the outside world asks here first. A denial is
// an error value that names the flag that grants it; nothing happens. A builtin that takes a
// path asks guardPath, and then works on the path it returns: the path the grant was checked on.
import { basename, dirname, isAbsolute, join, sep } from "node:path";
import type { ErrorValue } from "../core/types.js";
import { permissionError } from "../core/messages.js";
import type { Machine } from "../vm/machine.js";
import { CAPABILITY_FLAG, type Capability } from "../sandbox/permissions.js";
import { physicalPath } from "../sandbox/paths.js";
import { contextOf } from "../session/context.js";

/** null when allowed; else the error value `permission denied: OP TARGET (run with --allow-...)`. */
export function denied(m: Machine, op: string, cap: Capability, target: string, shown = target): ErrorValue | null {
  const p = contextOf(m).host.permissions;
  if (!p || p.allows(cap, target)) return null;
  return refusal(m, op, shown, cap);
}

/** The error value of a refusal; the first one of a run is also said on stderr, so that a script
 *  that ignores its error values does not end "successfully" with nothing done. */
export function refusal(m: Machine, op: string, shown: string, cap: Capability): ErrorValue {
  contextOf(m).warnOnce(
    "sandbox refusal",
    `skein: the sandbox refused ${op} ${shown} (grant it with ${CAPABILITY_FLAG[cap]}); the script got an error value (further refusals are not reported here)`,
  );
  return permissionError(op, shown, cap, CAPABILITY_FLAG[cap]);
}

/**
 * The path an operation on path must use, or the error value of a denial. The path is made
 * absolute against the session's working directory. In the sandbox it is also resolved
 * physically (every symbolic link followed, `..` taken after the links before it) and the grant is
 * checked on that resolved path, which the operation then opens: so the kernel cannot reach
 * through a link anything other than what was checked. With entry, the last component is not
 * followed (delete-file and make-dir act on a link itself, not on what it points to).
 */
export function guardPath(
  m: Machine,
  op: string,
  cap: "read" | "write",
  path: string,
  o: { shown?: string; entry?: boolean } = {},
): string | ErrorValue {
  const host = contextOf(m).host;
  const abs = absolute(host.cwd, path);
  if (!host.permissions) return abs;
  const base = basename(abs);
  const real = o.entry && base !== "" && base !== ".." ? joinReal(dirname(abs), base) : physicalPath(abs);
  if (real === null || !host.permissions.allows(cap, real)) return refusal(m, op, o.shown ?? path, cap);
  return real;
}

/** path made absolute against cwd without normalising it: `..` after a link is the kernel's to take. */
export function absolute(cwd: string, path: string): string {
  return isAbsolute(path) ? path : `${cwd}${sep}${path}`;
}

function joinReal(dir: string, name: string): string | null {
  const d = physicalPath(dir);
  return d === null ? null : join(d, name);
}
