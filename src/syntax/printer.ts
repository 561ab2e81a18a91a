// The printer: write form (read-back syntax, strings quoted) and display form (strings raw).
import { ESCAPE_LETTER } from "./escapes.js";
import { Atom, EmptyList, ErrorValue, Keyword, Pair, Sym, isVector, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";

/** Runtime objects (functions, channels, tasks) describe themselves with this method. */
export interface Printable {
  printTag(): string;
}

/** Whether v is a runtime object that describes itself (see Printable). */
export function isPrintable(v: unknown): v is Printable {
  return typeof v === "object" && v !== null && typeof (v as Partial<Printable>).printTag === "function";
}

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "+nan.0";
  if (n === Infinity) return "+inf.0";
  if (n === -Infinity) return "-inf.0";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
}

export function escapeString(s: string): string {
  let out = '"';
  for (const c of s) {
    const letter = ESCAPE_LETTER.get(c);
    out += letter === undefined ? c : "\\" + letter;
  }
  return out + '"';
}

/** Write form: what `prn` and the REPL show. */
export function write(v: Value): string {
  return writeUpTo(v, Infinity);
}

/** Write form, with collections nested deeper than maxDepth levels printed as `...`. */
export function writeUpTo(v: Value, maxDepth: number): string {
  const leaf = leafText(v);
  if (leaf !== null) return leaf;
  const p = printing(v, false, maxDepth);
  for (;;) {
    const r = p.next();
    if (r.done === true) return r.value;
  }
}

/** Display form: strings print raw at the top level; inside collections they keep write form. */
/** s cut to at most max characters, ending in "..." when cut. */
export function truncate(s: string, max = 60): string {
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}

/** A value as error messages show it: its write form, cut to max characters. */
export function describe(v: Value, max = 60): string {
  return truncate(write(v), max);
}

export function display(v: Value): string {
  if (typeof v === "string") return v;
  return write(v);
}

/** The write form of a value that holds no other values; null for one that does. */
function leafText(v: Value): string | null {
  if (v === null || v === undefined) return "nil";
  switch (typeof v) {
    case "boolean":
      return v ? "#t" : "#f";
    case "number":
      return formatNumber(v);
    case "string":
      return escapeString(v);
  }
  if (v instanceof Keyword) return ":" + v.name;
  if (v instanceof Sym) return v.name;
  if (v instanceof Pair || v instanceof EmptyList || isVector(v) || v instanceof LMap || v instanceof ErrorValue)
    return null;
  if (v instanceof Atom) return null;
  if (isPrintable(v)) return v.printTag();
  return `#<${typeof v}>`;
}

/** True for a value whose printed form holds other values' (a list, vector, map, error value, atom). */
export function isCompound(v: Value): boolean {
  return leafText(v) === null;
}

/** How many values printing writes between its yields. */
export const PRINT_CHUNK = 1024;

/** A collection being printed: the values left, what closes it, whether one was written yet. */
interface Open {
  items: Iterator<Value>;
  close: string;
  first: boolean;
  /** the atom being printed, if it is one: an atom that holds itself prints its inner self as #<atom ...> */
  atom?: Atom;
}

function* listItems(v: Value): Generator<Value, void, void> {
  for (let p = v; p instanceof Pair; p = p.cdr) yield p.car;
}

function* entryItems(entries: Iterable<readonly [Value, Value]>): Generator<Value, void, void> {
  for (const [k, x] of entries) {
    yield k;
    yield x;
  }
}

/** The start of a compound value's printed form, and the rest of it to print. */
function opening(v: Value): [string, Open] {
  const open = (text: string, items: Iterator<Value>, close: string): [string, Open] => [
    text,
    { items, close, first: true },
  ];
  if (v instanceof Pair || v instanceof EmptyList) return open("(", listItems(v), ")");
  if (isVector(v)) return open("[", v[Symbol.iterator](), "]");
  if (v instanceof LMap) return open("{", entryItems(v.entries()), "}");
  if (v instanceof ErrorValue)
    return open("{", entryItems([[Keyword.of("error"), v.message] as const, ...v.data.entries()]), "}");
  return open("#<atom ", [(v as Atom).value][Symbol.iterator](), ">");
}

/** The write form of v (its display form when raw and v is a string), as work that yields how
 *  many values it printed every PRINT_CHUNK of them: for callers that share the CPU
 *  (lib/jobs.ts). Iterative, so any nesting prints without the host stack; collections nested
 *  deeper than maxDepth levels print as `...`, and so does an atom inside itself (`#<atom ...>`). */
export function* printing(v: Value, raw: boolean, maxDepth = Infinity): Generator<number, string, void> {
  if (raw && typeof v === "string") return v;
  const out: string[] = [];
  const stack: Open[] = [];
  const atoms = new Set<Atom>();
  let n = 0;
  for (;;) {
    const leaf = leafText(v);
    if (leaf !== null) out.push(leaf);
    else if (v instanceof Atom && atoms.has(v)) out.push("#<atom ...>");
    else if (stack.length >= maxDepth) out.push("...");
    else {
      const [text, open] = opening(v);
      out.push(text);
      stack.push(open);
      if (v instanceof Atom) atoms.add((open.atom = v));
    }
    if (++n % PRINT_CHUNK === 0) yield PRINT_CHUNK;
    // the next value to print, closing each collection that has none left
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return out.join("");
      const r = top.items.next();
      if (r.done === true) {
        out.push(top.close);
        stack.pop();
        if (top.atom !== undefined) atoms.delete(top.atom);
        continue;
      }
      if (!top.first) out.push(" ");
      top.first = false;
      v = r.value;
      break;
    }
  }
}
