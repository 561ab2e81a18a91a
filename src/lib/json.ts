// JSON builtins: json-parse (objects → maps with keyword keys, arrays → vectors; bad input → error value)
// and json-stringify (compact or two-space pretty, map insertion order kept).
import { expectedGot } from "../core/messages.js";
import { List as IList } from "immutable";
import { raise } from "../core/error.js";
import { display, write } from "../syntax/printer.js";
import { LMap } from "../core/map.js";
import { EmptyList, ErrorValue, Keyword, Pair, Sym, isVector, type Value } from "../core/types.js";
import { options, str, truthy } from "./args.js";
import { mapEntries } from "./maps.js";
import { builtins } from "./registry.js";
import { CHUNK, finish, runJob, type Job } from "./jobs.js";
import type { Machine } from "../vm/machine.js";

const def = builtins("json");

/** Thrown by fromJson when an object has an integer-like key: JavaScript objects list those
 *  first, so the text is read again with readJson to keep the source order. */
const REORDER = Symbol("reorder");
const INDEX_KEY = /^(0|[1-9]\d*)$/;

/** Text longer than this is not given to JSON.parse, one call that cannot be interrupted (about
 *  a millisecond of work), but read by readJson in slices. */
export const NATIVE_PARSE_MAX = 256 * 1024;

/** An array or object of JSON.parse's result being converted: its keys (objects), the next child, what is built so far. */
interface Open {
  readonly src: unknown[] | Record<string, unknown>;
  readonly keys: string[] | null;
  readonly size: number;
  i: number;
  acc: Value[] | LMap;
}

function open(x: unknown[] | Record<string, unknown>): Open {
  if (Array.isArray(x)) return { src: x, keys: null, size: x.length, i: 0, acc: [] };
  const keys = Object.keys(x);
  if (keys.some((k) => INDEX_KEY.test(k))) throw REORDER;
  return { src: x, keys, size: keys.length, i: 0, acc: LMap.EMPTY };
}

/** JSON.parse's result as Skein values, as a job: depth-first with an explicit stack, so any
 *  nesting converts without the host stack. */
function* fromJson(root: unknown): Job {
  const stack: Open[] = [];
  let next: unknown = root;
  for (let n = 1; ; n++) {
    let v: Value = undefined;
    if (next !== null && typeof next === "object") stack.push(open(next as Record<string, unknown>));
    else v = next;
    // hand each finished value to its container, until one has a child left to convert
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return v;
      if (v !== undefined) {
        if (top.keys) top.acc = (top.acc as LMap).set(Keyword.of(top.keys[top.i]), v);
        else (top.acc as Value[]).push(v);
        top.i++;
      }
      if (top.i < top.size) {
        next = top.keys ? (top.src as Record<string, unknown>)[top.keys[top.i]] : (top.src as unknown[])[top.i];
        break;
      }
      stack.pop();
      v = top.keys ? top.acc : IList(top.acc as Value[]);
    }
    if (n % CHUNK === 0) yield 8 * CHUNK;
  }
}

/** Invalid JSON found by readJson: the reason, with its line and column. */
class JsonSyntax {
  constructor(readonly reason: string) {}
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
/** the characters of a string up to its closing quote or first escape */
const PLAIN = /[^"\\\u0000-\u001f]*/y;
const SPACE = /[ \t\n\r]*/y;

/** An array or object being read: its items so far, or its entries and the key being read. */
interface Reading {
  items: Value[] | null;
  map: LMap;
  key: Keyword | null;
}

/** Reads JSON text as a job, iteratively (any nesting, object keys in source order): every
 *  CHUNK values or 128 KB of text it yields, a value costing 8 steps and 16 characters 1. */
function* readJson(text: string): Job {
  let i = 0;
  const fail = (what: string): never => {
    const before = text.slice(0, i);
    const line = before.split("\n").length;
    const found = i < text.length ? JSON.stringify(text[i]) : "the end";
    throw new JsonSyntax(`${what}, found ${found} at line ${line} column ${i - before.lastIndexOf("\n")}`);
  };
  const space = (): void => {
    SPACE.lastIndex = i;
    SPACE.test(text);
    i = SPACE.lastIndex;
  };
  const string = (): string => {
    let out = "";
    i++; // the opening quote
    for (;;) {
      PLAIN.lastIndex = i;
      PLAIN.test(text);
      out += text.slice(i, PLAIN.lastIndex);
      i = PLAIN.lastIndex;
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c !== "\\") fail(c === undefined ? "unterminated string" : "control character in a string");
      const esc = /^\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(text.slice(i, i + 6));
      if (esc === null) fail("invalid escape in a string");
      out += JSON.parse(`"${(esc as RegExpExecArray)[0]}"`) as string;
      i += (esc as RegExpExecArray)[0].length;
    }
  };
  const key = (): Keyword => {
    space();
    if (text[i] !== '"') fail("expected a string key");
    const k = string();
    space();
    if (text[i] !== ":") fail("expected :");
    i++;
    return Keyword.of(k);
  };
  const stack: Reading[] = [];
  let count = 0;
  let mark = 0;
  for (;;) {
    space();
    let v: Value;
    const c = text[i];
    if (c === "{" || c === "[") {
      i++;
      space();
      if (text[i] === (c === "{" ? "}" : "]")) {
        i++;
        v = c === "{" ? LMap.EMPTY : IList();
      } else {
        stack.push(
          c === "{" ? { items: null, map: LMap.EMPTY, key: key() } : { items: [], map: LMap.EMPTY, key: null },
        );
        continue;
      }
    } else if (c === '"') v = string();
    else if (text.startsWith("true", i)) [v, i] = [true, i + 4];
    else if (text.startsWith("false", i)) [v, i] = [false, i + 5];
    else if (text.startsWith("null", i)) [v, i] = [null, i + 4];
    else {
      NUMBER.lastIndex = i;
      const n = NUMBER.exec(text);
      if (n === null) return fail("expected a value");
      v = Number(n[0]);
      i = NUMBER.lastIndex;
    }
    // hand v to the containers it ends, until one has another item to read
    for (;;) {
      if (++count === CHUNK || i - mark > 128 * 1024) {
        yield 8 * count + ((i - mark) >> 4);
        count = 0;
        mark = i;
      }
      const top = stack[stack.length - 1];
      if (top === undefined) {
        space();
        if (i < text.length) fail("expected the end of the text");
        return v;
      }
      if (top.items !== null) top.items.push(v);
      else top.map = top.map.set(top.key, v);
      space();
      const d = text[i++];
      if (d === ",") {
        if (top.items === null) top.key = key();
        break;
      }
      if (d === (top.items !== null ? "]" : "}")) {
        stack.pop();
        v = top.items !== null ? IList(top.items) : top.map;
        continue;
      }
      i--;
      fail(top.items !== null ? "expected , or ]" : "expected , or }");
    }
  }
}

function jsonError(reason: string): ErrorValue {
  return new ErrorValue(`json-parse: invalid JSON: ${reason}`, LMap.EMPTY);
}

/** The value written in the JSON text, or an error value, as a job. */
function* parseJsonJob(text: string): Job {
  try {
    if (text.length <= NATIVE_PARSE_MAX) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        return jsonError((e as Error).message);
      }
      try {
        return yield* fromJson(raw);
      } catch (e) {
        if (e !== REORDER) throw e;
      }
    }
    return yield* readJson(text);
  } catch (e) {
    if (e instanceof JsonSyntax) return jsonError(e.reason);
    throw e;
  }
}

/** The value written in the JSON text, or an error value, in one go (for the host's callers). */
export function parseJson(text: string): Value {
  return finish(parseJsonJob(text));
}

const jsonParse = (s: Value, m: Machine): Value => runJob(m, "json-parse", parseJsonJob(str("json-parse", s)));

def(
  {
    name: "json-parse",
    arity: [1, 1],
    usage: "(json-parse s)",
    doc: "The value written in the JSON text s: objects become maps with keyword keys, arrays vectors, null nil. Invalid JSON returns an error value (it does not raise).",
    examples: [
      ['(json-parse "{\\"a\\": [1, 2.5, null, true]}")', "{:a [1 2.5 nil #t]}"],
      ['(json-parse "\\"hi\\"")', '"hi"'],
      ['(error? (json-parse "{bad"))', "#t"],
    ],
    m1: jsonParse,
  },
  (args, m) => jsonParse(args[0], m),
);

function keyString(k: Value): string {
  if (typeof k === "string") return k;
  if (k instanceof Keyword || k instanceof Sym) return k.name;
  return display(k);
}

function cannot(v: Value): never {
  raise(`json-stringify: cannot represent ${write(v)} in JSON`);
}

/** The JSON text of a value that holds no other values; null for a list, vector or map. */
function leafJson(v: Value): string | null {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return Number.isFinite(v) ? JSON.stringify(v) : cannot(v);
    case "string":
      return JSON.stringify(v);
  }
  if (v instanceof Keyword || v instanceof Sym) return JSON.stringify(v.name);
  if (v instanceof Pair || v instanceof EmptyList || isVector(v) || v instanceof LMap || v instanceof ErrorValue)
    return null;
  return cannot(v);
}

/** An array or object being written: its items (with their keys, for an object), its close,
 *  its indentation, how many items are written. */
interface OpenJson {
  items: Iterator<readonly [string | null, Value]>;
  close: string;
  indent: string;
  n: number;
}

function* arrayItems(v: Value): Generator<readonly [null, Value], void, void> {
  if (isVector(v)) for (const x of v) yield [null, x];
  else for (let p = v; p instanceof Pair; p = p.cdr) yield [null, p.car];
}

function* objectItems(v: Value): Generator<readonly [string, Value], void, void> {
  for (const [k, x] of mapEntries("json-stringify", v)) yield [keyString(k), x];
}

/** The JSON text of v (two-space indented when pretty), as a job: iterative, so any nesting
 *  writes without the host stack; a value written costs 8 steps. */
function* jsonText(v: Value, pretty: boolean): Job {
  const out: string[] = [];
  const stack: OpenJson[] = [];
  const colon = pretty ? ": " : ":";
  let indent = "";
  for (let count = 1; ; count++) {
    const leaf = leafJson(v);
    if (leaf !== null) out.push(leaf);
    else {
      const array = !(v instanceof LMap || v instanceof ErrorValue);
      out.push(array ? "[" : "{");
      stack.push({ items: array ? arrayItems(v) : objectItems(v), close: array ? "]" : "}", indent, n: 0 });
      indent = pretty ? indent + "  " : "";
    }
    if (count % CHUNK === 0) yield 8 * CHUNK;
    // the next value to write, closing each array or object that has none left
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return out.join("");
      const r = top.items.next();
      if (r.done === true) {
        out.push(pretty && top.n > 0 ? "\n" + top.indent + top.close : top.close);
        indent = top.indent;
        stack.pop();
        continue;
      }
      if (pretty) out.push(top.n > 0 ? ",\n" + indent : "\n" + indent);
      else if (top.n > 0) out.push(",");
      top.n++;
      const [k, x] = r.value;
      if (k !== null) out.push(JSON.stringify(k) + colon);
      v = x;
      break;
    }
  }
}

/** The JSON text of v in one go (for the host's callers). */
export function stringifyJson(v: Value, pretty: boolean): string {
  return finish(jsonText(v, pretty)) as string;
}

const jsonStringify = (v: Value, pretty: boolean, m: Machine): Value =>
  runJob(m, "json-stringify", jsonText(v, pretty));

def(
  {
    name: "json-stringify",
    arity: [1, 3],
    usage: "(json-stringify v [:pretty #t])",
    doc: 'The JSON text for v: maps become objects (keyword keys without the colon), lists and vectors arrays, nil null, keywords strings, error values objects with an "error" key. :pretty #t indents by two spaces.',
    examples: [
      [
        '(json-stringify {:a 1 :b [1 2] :c nil :d \'(:x "y")})',
        String.raw`"{\"a\":1,\"b\":[1,2],\"c\":null,\"d\":[\"x\",\"y\"]}"`,
      ],
      ["(json-stringify {:a [1]} :pretty #t)", String.raw`"{\n  \"a\": [\n    1\n  ]\n}"`],
      ["(json-stringify 2.5)", '"2.5"'],
      ['(json-stringify (make-error "boom" {:status 500}))', String.raw`"{\"error\":\"boom\",\"status\":500}"`],
    ],
    m1: (a, m) => jsonStringify(a, false, m),
  },
  (args, m) => {
    const { pos, opts } = options("json-stringify", args, 1, ["pretty"]);
    if (pos.length !== 1) raise(expectedGot("json-stringify", "one value and options", `${pos.length} values`));
    return jsonStringify(pos[0], truthy(opts.get("pretty") ?? null), m);
  },
);
