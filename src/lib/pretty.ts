// pretty-print: write form, broken over lines with two-space indents when it does not fit.
import { write } from "../syntax/printer.js";
import { EmptyList, Pair, isVector, listToArray, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";

const WIDTH = 80;

export function prettyPrint(v: Value, indent = 0): string {
  const flat = write(v);
  if (flat.length + indent <= WIDTH) return flat;
  const pad = " ".repeat(indent + 1);
  if (v instanceof LMap) {
    const parts = [...v.entries()].map(([k, x]) => `${write(k)} ${prettyPrint(x, indent + 2 + write(k).length)}`);
    return "{" + parts.join("\n" + pad) + "}";
  }
  if (v instanceof Pair || v instanceof EmptyList || isVector(v)) {
    const items = isVector(v) ? v.toArray() : listToArray(v);
    const [open, close] = isVector(v) ? ["[", "]"] : ["(", ")"];
    return open + items.map((x) => prettyPrint(x, indent + 1)).join("\n" + pad) + close;
  }
  return flat;
}
