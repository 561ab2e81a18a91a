// The printer: write form (read-back syntax, strings quoted) and display form (strings raw).
import { ESCAPE_LETTER } from "./escapes.js";
import { Atom, EmptyList, ErrorValue, Keyword, Pair, Sym, isVector, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";

/** Runtime objects (functions, channels, tasks) describe themselves with this method. */
export interface Printable {
  printTag(): string;
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
  const parts: string[] = [];
  emit(v, parts, true);
  return parts.join("");
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

function emit(v: Value, out: string[], _write: boolean): void {
  if (v === null || v === undefined) {
    out.push("nil");
    return;
  }
  switch (typeof v) {
    case "boolean":
      out.push(v ? "#t" : "#f");
      return;
    case "number":
      out.push(formatNumber(v));
      return;
    case "string":
      out.push(escapeString(v));
      return;
  }
  if (v instanceof Keyword) {
    out.push(":" + v.name);
    return;
  }
  if (v instanceof Sym) {
    out.push(v.name);
    return;
  }
  if (v instanceof Pair || v instanceof EmptyList) {
    out.push("(");
    let first = true;
    for (let p: Value = v; p instanceof Pair; p = p.cdr) {
      if (!first) out.push(" ");
      first = false;
      emit(p.car, out, true);
    }
    out.push(")");
    return;
  }
  if (isVector(v)) {
    out.push("[");
    let first = true;
    for (const x of v) {
      if (!first) out.push(" ");
      first = false;
      emit(x, out, true);
    }
    out.push("]");
    return;
  }
  if (v instanceof LMap) {
    emitEntries(v.entries(), out);
    return;
  }
  if (v instanceof ErrorValue) {
    emitEntries([[Keyword.of("error"), v.message] as const, ...v.data.entries()][Symbol.iterator](), out);
    return;
  }
  if (v instanceof Atom) {
    out.push("#<atom ");
    emit(v.value, out, true);
    out.push(">");
    return;
  }
  if (typeof v.printTag === "function") {
    out.push((v as Printable).printTag());
    return;
  }
  out.push(`#<${typeof v}>`);
}

function emitEntries(entries: Iterator<readonly [Value, Value]>, out: string[]): void {
  out.push("{");
  let first = true;
  for (let r = entries.next(); !r.done; r = entries.next()) {
    if (!first) out.push(" ");
    first = false;
    emit(r.value[0], out, true);
    out.push(" ");
    emit(r.value[1], out, true);
  }
  out.push("}");
}
