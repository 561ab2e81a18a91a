// JSON builtins: json-parse (objects → maps with keyword keys, arrays → vectors; bad input → error value)
// and json-stringify (compact or two-space pretty, map insertion order kept).
import { List as IList } from "immutable";
import { raise } from "../errors/error.js";
import { display, write } from "../reader/printer.js";
import { LMap } from "../values/map.js";
import { EmptyList, ErrorValue, Keyword, Pair, Sym, isVector, listToArray, type Value } from "../values/types.js";
import { options, str, truthy } from "./args.js";
import { mapEntries } from "./maps.js";
import { defineBuiltin } from "./registry.js";

const AREA = "json";

/** Thrown by fromJson when an object has an integer-like key: JavaScript objects list those
 *  first, so the text is read again with readOrdered to keep the source order. */
const REORDER = Symbol("reorder");
const INDEX_KEY = /^(0|[1-9]\d*)$/;

/** Converts what JSON.parse produced into Skein values. */
function fromJson(x: unknown): Value {
  if (x === null || typeof x !== "object") return x;
  if (Array.isArray(x)) return IList(x.map(fromJson));
  let m = LMap.EMPTY;
  for (const k of Object.keys(x)) {
    if (INDEX_KEY.test(k)) throw REORDER;
    m = m.set(Keyword.of(k), fromJson((x as Record<string, unknown>)[k]));
  }
  return m;
}

const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/** Reads text that JSON.parse already accepted, keeping object keys in source order. */
function readOrdered(text: string): Value {
  let i = 0;
  const skipSpace = (): void => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
  const readString = (): string => {
    const start = i++;
    while (text[i] !== "\"") i += text[i] === "\\" ? 2 : 1;
    return JSON.parse(text.slice(start, ++i)) as string;
  };
  const readValue = (): Value => {
    skipSpace();
    const c = text[i];
    if (c === "{" || c === "[") {
      const isObject = c === "{";
      let m = LMap.EMPTY;
      const items: Value[] = [];
      i++;
      skipSpace();
      if (text[i] === (isObject ? "}" : "]")) { i++; return isObject ? m : IList(); }
      for (;;) {
        if (isObject) {
          skipSpace();
          const k = readString();
          skipSpace();
          i++; // the colon
          m = m.set(Keyword.of(k), readValue());
        } else {
          items.push(readValue());
        }
        skipSpace();
        if (text[i++] !== ",") return isObject ? m : IList(items);
      }
    }
    if (c === "\"") return readString();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    NUMBER.lastIndex = i;
    const n = NUMBER.exec(text) as RegExpExecArray;
    i += n[0].length;
    return Number(n[0]);
  };
  return readValue();
}

function jsonError(reason: string): ErrorValue {
  return new ErrorValue(`json-parse: invalid JSON: ${reason}`, LMap.EMPTY);
}

export function parseJson(text: string): Value {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return jsonError((e as Error).message);
  }
  try {
    return fromJson(raw);
  } catch (e) {
    if (e === REORDER) return readOrdered(text);
    if (e instanceof RangeError) return jsonError("nesting too deep");
    throw e;
  }
}

defineBuiltin({
  name: "json-parse", area: AREA, arity: [1, 1], usage: "(json-parse s)",
  doc: "The value written in the JSON text s: objects become maps with keyword keys, arrays vectors, null nil. Invalid JSON returns an error value (it does not raise).",
  examples: [["(json-parse \"{\\\"a\\\": [1, 2.5, null, true]}\")", "{:a [1 2.5 nil #t]}"], ["(json-parse \"\\\"hi\\\"\")", "\"hi\""],
    ["(error? (json-parse \"{bad\"))", "#t"]],
  fn: (args) => parseJson(str("json-parse", args[0])),
  f1: (a) => parseJson(str("json-parse", a)),
});

function keyString(k: Value): string {
  if (typeof k === "string") return k;
  if (k instanceof Keyword || k instanceof Sym) return k.name;
  return display(k);
}

function cannot(v: Value): never {
  raise(`json-stringify: cannot represent ${write(v)} in JSON`);
}

/** Writes v as JSON; indent is "" for compact output, or the indentation of the current level. */
function emit(v: Value, pretty: boolean, indent: string, out: string[]): void {
  if (v === null) { out.push("null"); return; }
  switch (typeof v) {
    case "boolean": out.push(v ? "true" : "false"); return;
    case "number": if (!Number.isFinite(v)) cannot(v); out.push(JSON.stringify(v)); return;
    case "string": out.push(JSON.stringify(v)); return;
  }
  if (v instanceof Keyword || v instanceof Sym) { out.push(JSON.stringify(v.name)); return; }
  const inner = pretty ? indent + "  " : "";
  const open = (bracket: string, empty: boolean): void => {
    out.push(bracket);
    if (pretty && !empty) out.push("\n" + inner);
  };
  const sep = pretty ? ",\n" + inner : ",";
  const close = (bracket: string, empty: boolean): void => {
    if (pretty && !empty) out.push("\n" + indent);
    out.push(bracket);
  };
  if (v instanceof Pair || v instanceof EmptyList || isVector(v)) {
    const items: Value[] = isVector(v) ? v.toArray() : listToArray(v);
    open("[", items.length === 0);
    items.forEach((x, i) => {
      if (i > 0) out.push(sep);
      emit(x, pretty, inner, out);
    });
    close("]", items.length === 0);
    return;
  }
  if (v instanceof LMap || v instanceof ErrorValue) {
    const entries = [...mapEntries("json-stringify", v)];
    open("{", entries.length === 0);
    entries.forEach(([k, x], i) => {
      if (i > 0) out.push(sep);
      out.push(JSON.stringify(keyString(k)), pretty ? ": " : ":");
      emit(x, pretty, inner, out);
    });
    close("}", entries.length === 0);
    return;
  }
  cannot(v);
}

export function stringifyJson(v: Value, pretty: boolean): string {
  const out: string[] = [];
  try {
    emit(v, pretty, "", out);
  } catch (e) {
    if (e instanceof RangeError) raise("json-stringify: nesting too deep");
    throw e;
  }
  return out.join("");
}

defineBuiltin({
  name: "json-stringify", area: AREA, arity: [1, 3], usage: "(json-stringify v [:pretty #t])",
  doc: "The JSON text for v: maps become objects (keyword keys without the colon), lists and vectors arrays, nil null, keywords strings, error values objects with an \"error\" key. :pretty #t indents by two spaces.",
  examples: [["(json-stringify {:a 1 :b [1 2] :c nil :d '(:x \"y\")})", String.raw`"{\"a\":1,\"b\":[1,2],\"c\":null,\"d\":[\"x\",\"y\"]}"`],
    ["(json-stringify {:a [1]} :pretty #t)", String.raw`"{\n  \"a\": [\n    1\n  ]\n}"`], ["(json-stringify 2.5)", "\"2.5\""],
    ["(json-stringify (make-error \"boom\" {:status 500}))", String.raw`"{\"error\":\"boom\",\"status\":500}"`]],
  fn: (args) => {
    const { pos, opts } = options("json-stringify", args, 1, ["pretty"]);
    if (pos.length !== 1) raise(`json-stringify: expected one value and options, got ${pos.length} values`);
    return stringifyJson(pos[0], truthy(opts.get("pretty") ?? null));
  },
  f1: (a) => stringifyJson(a, false),
});
