// One structural equality and one hash over all Skein values, used by `=` and map keys. Each value
// class implements equals/hashCode (the protocol immutable's is/hash use), and those call back
// here for their elements; this module imports nothing of the value classes themselves.
import { is, hash } from "immutable";
import type { Value } from "./types.js";

export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return typeof a === "number" && typeof b === "number" && a !== a && b !== b;
  }
  return is(a, b);
}

export function hashOf(a: Value): number {
  if (a === null) return 0;
  return hash(a);
}
