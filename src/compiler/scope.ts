// Lexical scope at compile time: which names are locals, in which slot, how many functions out;
// every other name is a global cell.
import type { Sym } from "../core/types.js";
import type { Cell } from "../vm/objects.js";
import type { FnCtx } from "./codegen.js";
import type { CompileEnv } from "./context.js";

export class Scope {
  vars = new Map<Sym, number>();
  /** names bound by define or letrec: they may be read before their value is set */
  late = new Set<Sym>();
  constructor(
    readonly fn: FnCtx,
    readonly parent: Scope | null,
  ) {}
}

export type Resolved = { kind: "local"; depth: number; slot: number; late: boolean } | { kind: "global"; cell: Cell };

export function resolve(env: CompileEnv, name: Sym, sc: Scope | null, fn: FnCtx): Resolved {
  let depth = 0;
  let cur: FnCtx = fn;
  for (let s = sc; s !== null; s = s.parent) {
    if (s.fn !== cur) {
      cur.free.add(name); // bound further out: a name from outside the function `cur`
      depth++;
      cur = s.fn;
    }
    const slot = s.vars.get(name);
    if (slot !== undefined) return { kind: "local", depth, slot, late: s.late.has(name) };
  }
  cur.free.add(name);
  return { kind: "global", cell: env.cell(name.name) };
}

export function isLocal(name: Sym, sc: Scope | null): boolean {
  for (let s = sc; s !== null; s = s.parent) if (s.vars.has(name)) return true;
  return false;
}
