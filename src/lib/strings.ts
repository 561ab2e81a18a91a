// String builtins: building, slicing, splitting, searching, `format`, regexes (RE2 syntax, linear time),
// and conversions between strings, symbols and keywords. Indices count Unicode code points.
import { raise } from "../core/error.js";
import { display, isCompound, write } from "../syntax/printer.js";
import { EMPTY, Keyword, Sym, arrayToList, type List, type Value } from "../core/types.js";
import { int, seq, str, typeError } from "./args.js";
import { builtins } from "./registry.js";
import type { RE2JS } from "re2js";
import { lazyRequire } from "../core/lazy.js";
import { CHUNK, itemsOf, printed, runJob, type Job } from "./jobs.js";

const def = builtins("string");

// ---- code-point helpers (shared with seq.ts) -------------------------------------------

const SURROGATE = /[\uD800-\uDFFF]/;

/** The number of Unicode code points in s. */
export function codePointLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The code points of s from start (inclusive) to end (exclusive). */
export function codePointSlice(s: string, start: number, end?: number): string {
  if (!SURROGATE.test(s)) return s.slice(start, end);
  return [...s].slice(start, end).join("");
}

/** The code point at index i as a one-character string, or undefined when out of range. */
export function codePointAt(s: string, i: number): string | undefined {
  if (!SURROGATE.test(s)) return i < s.length ? s[i] : undefined;
  return [...s][i];
}

/** The piece a value contributes to `str` and `string-join` (its display form, nothing for nil),
 *  or null for a collection, whose printing is a job (a million items share the CPU). */
function leafPiece(v: Value): string | null {
  return typeof v === "string" ? v : v === null ? "" : isCompound(v) ? null : display(v);
}

function* piece(v: Value): Generator<number, string, void> {
  return leafPiece(v) ?? (yield* printed(v, true));
}

// ---- building and measuring ------------------------------------------------------------

def(
  {
    name: "str",
    arity: [0, Infinity],
    usage: "(str x ...)",
    doc: "Concatenates the display forms of the arguments; nil contributes nothing.",
    examples: [
      ['(str "a" 1 :k 2.5)', '"a1:k2.5"'],
      ['(str "x" nil "y")', '"xy"'],
      ["(str)", '""'],
      ['(str [1 "b"])', '"[1 \\"b\\"]"'],
    ],
    m1: (a, m) => leafPiece(a) ?? runJob(m, "str", joined([a], "")),
    m2: (a, b, m) => {
      const x = leafPiece(a);
      const y = leafPiece(b);
      return x !== null && y !== null ? x + y : runJob(m, "str", joined([a, b], ""));
    },
  },
  (args, m) => runJob(m, "str", joined(args, "")),
);

/** The display forms of the items with sep between them, as a job (nil items contribute nothing). */
function* joined(items: readonly Value[], sep: string): Job {
  let out = "";
  for (let i = 0; i < items.length; i++) {
    out += i === 0 ? yield* piece(items[i]) : sep + (yield* piece(items[i]));
    if ((i + 1) % CHUNK === 0) yield 8 * CHUNK;
  }
  return out;
}

def(
  {
    name: "string-length",
    arity: [1, 1],
    usage: "(string-length s)",
    doc: "The number of characters (Unicode code points) in s.",
    examples: [
      ['(string-length "hello")', "5"],
      ['(string-length "")', "0"],
      ['(string-length "\\u{1F600}!")', "2"],
    ],
    f1: (a) => codePointLength(str("string-length", a)),
  },
  (args) => codePointLength(str("string-length", args[0])),
);

def(
  {
    name: "substring",
    arity: [2, 3],
    usage: "(substring s start [end])",
    doc: "The characters of s from index start up to, not including, end (default: the end of s). Indices out of range raise.",
    examples: [
      ['(substring "hello" 1 3)', '"el"'],
      ['(substring "hello" 2)', '"llo"'],
      ['(substring "abc" 3)', '""'],
    ],
  },
  (args) => {
    const s = str("substring", args[0]);
    const len = codePointLength(s);
    const start = int("substring", args[1]);
    const end = args.length > 2 ? int("substring", args[2]) : len;
    if (start < 0 || end > len || start > end)
      raise(`substring: range ${start}..${end} out of bounds for a string of length ${len}`);
    return codePointSlice(s, start, end);
  },
);

// ---- splitting and joining -------------------------------------------------------------

/** Drops the empty piece a final newline leaves behind ("a\nb\n" has two lines, not three). */
function dropFinalEmpty(parts: string[], s: string): string[] {
  if (parts.length > 0 && parts[parts.length - 1] === "" && s.endsWith("\n")) parts.pop();
  return parts;
}

def(
  {
    name: "string-split",
    arity: [1, 2],
    usage: "(string-split s [sep])",
    doc: "Splits s at every occurrence of the string sep and returns a list; empty fields are kept, but a final newline does not make an empty last field. Without sep, splits on runs of whitespace; an empty sep splits into characters.",
    examples: [
      ['(string-split "a,b,,c" ",")', '("a" "b" "" "c")'],
      ['(string-split "one two" " ")', '("one" "two")'],
      ['(string-split "  a \\t b\\n")', '("a" "b")'],
      ['(string-split "x\\ny\\n" "\\n")', '("x" "y")'],
      ['(string-split "" ",")', "()"],
    ],
  },
  (args) => {
    const s = str("string-split", args[0]);
    if (args.length < 2) {
      const t = s.trim();
      return t === "" ? EMPTY : arrayToList(t.split(/\s+/));
    }
    const sep = str("string-split", args[1]);
    if (s === "") return EMPTY;
    if (sep === "") return arrayToList([...s]);
    return arrayToList(dropFinalEmpty(s.split(sep), s));
  },
);

/** The lines of s, without their "\n" or "\r\n" terminators. */
export function splitLines(s: string): List {
  if (s === "") return EMPTY;
  const lines = dropFinalEmpty(s.split("\n"), s);
  if (s.includes("\r")) {
    for (let i = 0; i < lines.length; i++) if (lines[i].endsWith("\r")) lines[i] = lines[i].slice(0, -1);
  }
  return arrayToList(lines);
}

def(
  {
    name: "string-lines",
    arity: [1, 1],
    usage: "(string-lines s)",
    doc: "The lines of s as a list, without line terminators (\\n or \\r\\n); a final newline does not make an empty last line.",
    examples: [
      ['(string-lines "x\\ny\\n")', '("x" "y")'],
      ['(string-lines "a\\r\\n\\nb")', '("a" "" "b")'],
      ['(string-lines "")', "()"],
    ],
    f1: (a) => splitLines(str("string-lines", a)),
  },
  (args) => splitLines(str("string-lines", args[0])),
);

def(
  {
    name: "string-join",
    arity: [1, 2],
    usage: "(string-join xs [sep])",
    doc: 'Joins the display forms of the items of the list or vector xs, with sep (default "") between them; nil items contribute nothing.',
    examples: [
      ['(string-join \'("a" "b") "-")', '"a-b"'],
      ['(string-join (list 1 2 3) ",")', '"1,2,3"'],
      ['(string-join ["x" "y"])', '"xy"'],
    ],
  },
  (args, m) => {
    const sep = args.length > 1 ? str("string-join", args[1]) : "";
    return runJob(
      m,
      "string-join",
      (function* () {
        return yield* joined(yield* itemsOf("string-join", args[0], seq), sep);
      })(),
    );
  },
);

// ---- simple transformations and tests --------------------------------------------------

/** Registers a string-in, value-out builtin. */
function strUnary(name: string, doc: string, examples: [string, string][], f: (s: string) => Value): void {
  def.unary({ name, usage: `(${name} s)`, doc, examples }, (a) => f(str(name, a)));
}

strUnary(
  "string-trim",
  "s without leading and trailing whitespace.",
  [
    ['(string-trim "  hi  ")', '"hi"'],
    ['(string-trim "\\n a b\\t")', '"a b"'],
  ],
  (s) => s.trim(),
);
strUnary("string-upcase", "s in upper case.", [['(string-upcase "abc")', '"ABC"']], (s) => s.toUpperCase());
strUnary("string-downcase", "s in lower case.", [['(string-downcase "ABC")', '"abc"']], (s) => s.toLowerCase());

/** Registers a (name s part) string test. */
function strTest(
  name: string,
  doc: string,
  examples: [string, string][],
  test: (s: string, part: string) => boolean,
): void {
  const f2 = (a: Value, b: Value): boolean => test(str(name, a), str(name, b));
  def({ name, arity: [2, 2], usage: `(${name} s part)`, doc, examples, f2 }, (args) => f2(args[0], args[1]));
}

strTest(
  "string-contains?",
  "True when part occurs in s.",
  [
    ['(string-contains? "hello world" "o w")', "#t"],
    ['(string-contains? "abc" "d")', "#f"],
  ],
  (s, p) => s.includes(p),
);
strTest(
  "string-starts-with?",
  "True when s begins with part.",
  [
    ['(string-starts-with? "hello" "he")', "#t"],
    ['(string-starts-with? "hello" "lo")', "#f"],
  ],
  (s, p) => s.startsWith(p),
);
strTest(
  "string-ends-with?",
  "True when s ends with part.",
  [
    ['(string-ends-with? "hello" "lo")', "#t"],
    ['(string-ends-with? "hello" "he")', "#f"],
  ],
  (s, p) => s.endsWith(p),
);

def(
  {
    name: "string-replace",
    arity: [3, 3],
    usage: "(string-replace s old new)",
    doc: "s with every occurrence of the string old replaced by new (literally: no patterns). old must not be empty.",
    examples: [
      ['(string-replace "a-b-c" "-" "+")', '"a+b+c"'],
      ['(string-replace "aaa" "a" "$&")', '"$&$&$&"'],
    ],
  },
  (args) => {
    const s = str("string-replace", args[0]);
    const old = str("string-replace", args[1]);
    const rep = str("string-replace", args[2]);
    if (old === "") typeError("string-replace", "a non-empty string to replace", old);
    return s.split(old).join(rep);
  },
);

// ---- format ----------------------------------------------------------------------------

function format(args: Value[]): string {
  const fmt = str("format", args[0]);
  let out = "";
  let next = 1;
  const arg = (d: string): Value => {
    if (next >= args.length) raise(`format: not enough arguments for ~${d} in ${write(fmt)}`);
    return args[next++];
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== "~") {
      out += c;
      continue;
    }
    const d = fmt[++i];
    switch (d) {
      case "a":
      case "A":
        out += display(arg(d));
        break;
      case "s":
      case "S":
        out += write(arg(d));
        break;
      case "%":
        out += "\n";
        break;
      case "~":
        out += "~";
        break;
      case undefined:
        raise(`format: ${write(fmt)} ends with a lone ~`);
      default:
        raise(`format: unknown directive ~${d} (known: ~a ~s ~% ~~)`);
    }
  }
  if (next < args.length) raise(`format: too many arguments for ${write(fmt)} (${args.length - next} left over)`);
  return out;
}

def(
  {
    name: "format",
    arity: [1, Infinity],
    usage: "(format fmt arg ...)",
    doc: "Fills fmt with the arguments: ~a inserts the display form, ~s the write form, ~% a newline and ~~ a tilde. Too few or too many arguments raise.",
    examples: [
      ['(format "~a has ~s items" "box" "three")', '"box has \\"three\\" items"'],
      ['(format "~a/~a" 1 [2 3])', '"1/[2 3]"'],
      ['(format "100~~~%")', '"100~\\n"'],
    ],
  },
  format,
);

// ---- regexes ---------------------------------------------------------------------------
// RE2 syntax through re2js, a linear-time engine: matching takes time proportional to the
// pattern times the text, whatever the pattern, so no regex can freeze the other tasks.

/** The engine, loaded on the first regex (start-up does not pay for it). */
const re2 = () => lazyRequire<typeof import("re2js")>("re2js");
const regexCache = new Map<string, RE2JS>();
const INLINE_FLAGS = /^\(\?([imsu]+)\)/;
const flagBit = (f: string): number => {
  const { RE2JS } = re2();
  return f === "i" ? RE2JS.CASE_INSENSITIVE : f === "m" ? RE2JS.MULTILINE : f === "s" ? RE2JS.DOTALL : 0;
};
const LINEAR = "(Skein's regular expressions run in linear time)";

/** Why RE2 refused a pattern, in words: backreferences and lookaround get their own message. */
function syntaxProblem(op: string, src: string, e: unknown): never {
  if (!(e instanceof re2().RE2JSSyntaxException)) throw e;
  const what = e.message.replace(/^error parsing regexp: /, "");
  const bad = /`(.*)`$/s.exec(what)?.[1] ?? "";
  if (/^\\([1-9]|k)/.test(bad)) raise(`${op}: backreferences are not supported ${LINEAR}: ${write(src)}`);
  if (/^\(\?(=|!|<=|<!)/.test(bad)) raise(`${op}: lookahead and lookbehind are not supported ${LINEAR}: ${write(src)}`);
  raise(`${op}: invalid regex ${write(src)}: ${what}`);
}

/** Compiles a pattern string (RE2 syntax, Unicode-aware; a leading (?i), (?m), (?s) or (?u) sets flags), cached. */
export function regex(op: string, pattern: Value): RE2JS {
  const src = str(op, pattern);
  let re = regexCache.get(src);
  if (re) return re;
  const inline = INLINE_FLAGS.exec(src);
  const flags = inline ? [...inline[1]].reduce((bits, f) => bits | flagBit(f), 0) : 0;
  try {
    re = re2().RE2JS.compile(inline ? src.slice(inline[0].length) : src, flags);
  } catch (e) {
    syntaxProblem(op, src, e);
  }
  if (regexCache.size >= 1000) regexCache.clear();
  regexCache.set(src, re);
  return re;
}

/** A match as a list (whole group...), with nil for groups that did not take part. */
function matchList(m: ArrayLike<string | undefined>): List {
  return arrayToList(Array.from(m, (g) => g ?? null));
}

def(
  {
    name: "regex-match",
    arity: [2, 2],
    usage: "(regex-match re s)",
    doc: "The first match of the pattern re in s as a list (whole group...), with nil for groups that did not match; nil when nothing matches. Patterns use RE2 syntax and match in linear time (see the language guide).",
    examples: [
      [String.raw`(regex-match "(\\d+)-(\\d+)" "call 555-1234 now")`, '("555-1234" "555" "1234")'],
      ['(regex-match "x+" "abc")', "nil"],
      ['(regex-match "a(b)?c" "ac")', '("ac" nil)'],
      ['(regex-match "(?i)ABC" "xabc")', '("abc")'],
      [String.raw`(regex-match "\\p{L}+" "¿qué?")`, '("qué")'],
    ],
  },
  (args) => {
    const m = regex("regex-match", args[0]).exec(str("regex-match", args[1]));
    return m ? matchList(m) : null;
  },
);

def(
  {
    name: "regex-find-all",
    arity: [2, 2],
    usage: "(regex-find-all re s)",
    doc: "Every match of the pattern re in s, as a list of strings; when re has groups, each match is a list (whole group...) as in regex-match.",
    examples: [
      [String.raw`(regex-find-all "\\d+" "a1b22c333")`, '("1" "22" "333")'],
      [String.raw`(regex-find-all "(\\w)=(\\d)" "a=1 b=2")`, '(("a=1" "a" "1") ("b=2" "b" "2"))'],
      ['(regex-find-all "z" "abc")', "()"],
    ],
  },
  (args) => {
    const matches = [...regex("regex-find-all", args[0]).matchAll(str("regex-find-all", args[1]))];
    return arrayToList(matches.map((m) => (m.length > 1 ? matchList(m) : m[0])));
  },
);

def(
  {
    name: "regex-replace",
    arity: [3, 3],
    usage: "(regex-replace re s replacement)",
    doc: "s with every match of the pattern re replaced; in replacement, $1 is the first group, $& the whole match and $$ a dollar sign.",
    examples: [
      [String.raw`(regex-replace "\\s+" "a  b   c" " ")`, '"a b c"'],
      [String.raw`(regex-replace "(\\w+)@(\\w+)" "me@host" "$2:$1")`, '"host:me"'],
    ],
  },
  (args) =>
    regex("regex-replace", args[0]).matcher(str("regex-replace", args[1])).replaceAll(str("regex-replace", args[2])),
);

// ---- strings, symbols and keywords -----------------------------------------------------

/** Registers a one-argument builtin whose usage line is (name x). */
function xUnary(name: string, doc: string, examples: [string, string][], f: (v: Value) => Value): void {
  def.unary({ name, usage: `(${name} x)`, doc, examples }, f);
}

xUnary(
  "string?",
  "True when x is a string.",
  [
    ['(string? "a")', "#t"],
    ["(string? 'a)", "#f"],
  ],
  (v) => typeof v === "string",
);
xUnary(
  "symbol?",
  "True when x is a symbol.",
  [
    ["(symbol? 'a)", "#t"],
    ["(symbol? :a)", "#f"],
  ],
  (v) => v instanceof Sym,
);
xUnary(
  "keyword?",
  "True when x is a keyword.",
  [
    ["(keyword? :a)", "#t"],
    ['(keyword? "a")', "#f"],
  ],
  (v) => v instanceof Keyword,
);

xUnary(
  "string->symbol",
  "The symbol named s.",
  [
    ['(string->symbol "abc")', "abc"],
    ['(eq? (string->symbol "a") \'a)', "#t"],
  ],
  (v) => Sym.of(str("string->symbol", v)),
);
xUnary("symbol->string", "The name of the symbol as a string.", [["(symbol->string 'abc)", '"abc"']], (v) => {
  if (!(v instanceof Sym)) typeError("symbol->string", "a symbol", v);
  return v.name;
});
xUnary(
  "string->keyword",
  "The keyword named s (without a leading colon).",
  [['(string->keyword "name")', ":name"]],
  (v) => Keyword.of(str("string->keyword", v)),
);
xUnary(
  "keyword->string",
  "The name of the keyword as a string, without the colon.",
  [["(keyword->string :name)", '"name"']],
  (v) => {
    if (!(v instanceof Keyword)) typeError("keyword->string", "a keyword", v);
    return v.name;
  },
);
