// How -e, the REPL and an isolated run (workers/pool.ts) show a final value: its write form,
// cut at SHOW_DEPTH levels of nesting (a list built by a loop of (list x) shows its first levels,
// the deeper parts as "...").
import type { Value } from "../core/types.js";
import { writeUpTo } from "./printer.js";

/** How many levels of nesting a final value is shown to. */
export const SHOW_DEPTH = 1000;

export function showValue(v: Value): string {
  return writeUpTo(v, SHOW_DEPTH);
}
