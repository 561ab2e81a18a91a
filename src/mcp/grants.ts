// The grants of one `run` call. The server's own flags are the ceiling: a call's `allow` may ask
// for less, never for more. A request that names anything outside the ceiling is refused as a
// whole (the model learns what it may not do, rather than getting a quietly smaller grant); what
// is granted is then enforced as the intersection of the ceiling and the request, so that a
// mistake in the comparison below could only ever narrow.
import { lazyRequire } from "../core/lazy.js";
import { join, sep } from "node:path";
import {
  Sandbox,
  SandboxFlagError,
  parseHostGrant,
  physicalPath,
  type GrantSpec,
  type SandboxSpec,
} from "../sandbox/sandbox.js";
import { CAPABILITIES, CAPABILITY_TABLE, type Capability } from "../sandbox/permissions.js";

/** A refused `allow`: the call returns it as a tool error. */
export class GrantError extends Error {}

/** The `allow` argument as the schema gives it: per capability, true or a list of items. */
export type AllowArg = Partial<Record<Capability, boolean | string[]>>;

/** The call's own spec from `allow`; throws GrantError for a malformed one. */
function requestSpec(allow: AllowArg): SandboxSpec {
  const spec: SandboxSpec = {};
  for (const [cap, g] of Object.entries(allow)) {
    if (!CAPABILITIES.includes(cap as Capability))
      throw new GrantError(`allow: unknown capability ${cap} (known: ${CAPABILITIES.join(", ")})`);
    if (g === false) spec[cap as Capability] = [];
    else if (g === true) spec[cap as Capability] = true;
    else if (Array.isArray(g) && g.every((x) => typeof x === "string" && x !== "")) spec[cap as Capability] = g;
    else throw new GrantError(`allow.${cap}: expected true, false or a list of non-empty strings`);
  }
  return spec;
}

/** Whether the ceiling grants everything of cap (reading is everything in the sandbox by default). */
function grantsAll(ceiling: SandboxSpec, cap: Capability): boolean {
  const g = ceiling[cap];
  return g === true || (g === undefined && cap === "read");
}

/** Whether one item of a requested grant lies within the ceiling. */
function within(ceiling: SandboxSpec, sandbox: Sandbox, cap: Capability, item: string, cwd: string): boolean {
  if (grantsAll(ceiling, cap)) return true;
  const info = CAPABILITY_TABLE.find((c) => c.cap === cap);
  switch (info?.target) {
    case "paths": {
      const p =
        item === "~" || item.startsWith("~/")
          ? join(lazyRequire<typeof import("node:os")>("node:os").homedir(), item.slice(1))
          : item;
      const real = physicalPath(p, cwd);
      return real !== null && sandbox.allows(cap, real);
    }
    case "hosts": {
      const granted = ceiling.net;
      if (granted === undefined || granted === true) return granted === true;
      const want = parseHostGrant(item);
      return granted.map(parseHostGrant).some((g) => g.host === want.host && (g.port === null || g.port === want.port));
    }
    case "programs":
      return sandbox.allows(cap, item.includes(sep) ? (physicalPath(item, cwd) ?? item) : item);
    default:
      return sandbox.allows(cap, item);
  }
}

/** Checks the request against the ceiling; throws GrantError naming what it would widen. */
export function checkNarrowing(ceiling: SandboxSpec, allow: AllowArg, cwd: string): SandboxSpec {
  const request = requestSpec(allow);
  const sandbox = Sandbox.create(ceiling, { cwd });
  for (const [cap, g] of Object.entries(request) as [Capability, GrantSpec][]) {
    const flag = CAPABILITY_TABLE.find((c) => c.cap === cap)?.flag;
    if (g === true) {
      if (!grantsAll(ceiling, cap))
        throw new GrantError(`allow.${cap}: the server does not grant all of ${cap} (it runs without a bare ${flag})`);
      continue;
    }
    for (const item of g) {
      let ok: boolean;
      try {
        ok = within(ceiling, sandbox, cap, item, cwd);
      } catch (e) {
        if (e instanceof SandboxFlagError) throw new GrantError(`allow.${cap}: ${e.message}`);
        throw e;
      }
      if (!ok) throw new GrantError(`allow.${cap}: ${item} is outside what the server grants (its ${flag})`);
    }
  }
  return request;
}
