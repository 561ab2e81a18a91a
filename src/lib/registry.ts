// The one registry of builtins: name, arity, doc string and examples for every builtin.
// It feeds the global environment, (doc name), the generated reference and the example tests.
import type { Value } from "../core/types.js";
import { Builtin, type BuiltinFn } from "../vm/objects.js";
import type { Machine } from "../vm/machine.js";
import type { Capability } from "../sandbox/permissions.js";
import { ALIASES } from "./spellings.js";

export interface BuiltinSpec {
  name: string;
  /** area for the generated reference: core, seq, map, number, string, json, concurrency, fs, http, process, db, system */
  area: string;
  /** [min, max]; max Infinity for variadic */
  arity: [number, number];
  /** usage line such as "(string-split s sep)" */
  usage: string;
  doc: string;
  /** [expression, expected write form of its value] pairs; the test suite runs them */
  examples: [string, string][];
  /** what the sandbox must grant for it to reach outside the process (see sandbox/permissions.ts) */
  capability?: Capability | readonly Capability[];
  fn: BuiltinFn;
  /** fast paths for exactly 1 / 2 arguments: must never block or call back into Lisp */
  f1?: (a: Value) => Value;
  f2?: (a: Value, b: Value) => Value;
  /** fn for exactly 1 / 2 arguments, without the array (it may block or return a CallReq) */
  m1?: (a: Value, m: Machine) => Value;
  m2?: (a: Value, b: Value, m: Machine) => Value;
}

/** What a builtin is declared with: everything but its area and its general function. */
export type BuiltinDecl = Omit<BuiltinSpec, "area" | "fn">;
/** What a builtin of a fixed arity (one or two arguments) is declared with. */
export type FixedDecl = Omit<BuiltinDecl, "arity" | "f1" | "f2" | "m1" | "m2">;

/** Declares the builtins of one area of the reference: `def(decl, fn)` for any arity (with optional
 *  fast paths in decl), `def.unary(decl, f)` for exactly one argument and `def.binary(decl, f)` for
 *  exactly two, where f never blocks nor calls back into Lisp and serves as the fast path too. */
export interface Definer {
  (decl: BuiltinDecl, fn: BuiltinFn): void;
  unary(decl: FixedDecl, f1: (a: Value) => Value): void;
  binary(decl: FixedDecl, f2: (a: Value, b: Value) => Value): void;
}

const specs = new Map<string, BuiltinSpec>();

function register(spec: BuiltinSpec): void {
  if (specs.has(spec.name)) throw new Error(`builtin ${spec.name} registered twice`);
  specs.set(spec.name, spec);
}

/** The one way to declare builtins: a definer for the area (core, seq, map, ...). */
export function builtins(area: string): Definer {
  const def = (decl: BuiltinDecl, fn: BuiltinFn) => register({ ...decl, area, fn });
  def.unary = (decl: FixedDecl, f1: (a: Value) => Value) =>
    register({ ...decl, area, arity: [1, 1], fn: (args) => f1(args[0]), f1 });
  def.binary = (decl: FixedDecl, f2: (a: Value, b: Value) => Value) =>
    register({ ...decl, area, arity: [2, 2], fn: (args) => f2(args[0], args[1]), f2 });
  return def;
}

export function allSpecs(): BuiltinSpec[] {
  return [...specs.values()];
}
/** The spec of a builtin by its name or by one of its aliases (spellings.ts): an alias is the
 *  same function, whose errors and doc name the builtin. */
export function specFor(name: string): BuiltinSpec | undefined {
  return specs.get(name) ?? (Object.hasOwn(ALIASES, name) ? specs.get(ALIASES[name].to) : undefined);
}

/** The aliases of a builtin, with where each spelling comes from. */
export function aliasesOf(name: string): { name: string; from: string }[] {
  return Object.entries(ALIASES)
    .filter(([, a]) => a.to === name)
    .map(([alias, a]) => ({ name: alias, from: a.from }));
}

export function makeBuiltin(spec: BuiltinSpec): Builtin {
  const b = new Builtin(spec.name, spec.arity[0], spec.arity[1], spec.fn);
  if (spec.f1 && spec.arity[0] <= 1 && spec.arity[1] >= 1) b.f1 = spec.f1;
  if (spec.f2 && spec.arity[0] <= 2 && spec.arity[1] >= 2) b.f2 = spec.f2;
  if (spec.m1 && spec.arity[0] <= 1 && spec.arity[1] >= 1) b.m1 = spec.m1;
  if (spec.m2 && spec.arity[0] <= 2 && spec.arity[1] >= 2) b.m2 = spec.m2;
  return b;
}
