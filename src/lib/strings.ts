// String builtins: building, slicing, splitting, searching, `format`, regexes (RE2 syntax, linear time),
// and conversions between strings, symbols and keywords. Indices count Unicode code points.
import { raise } from "../core/error.js";
import { display, formatNumber, isCompound, write } from "../syntax/printer.js";
import { EMPTY, Keyword, Pair, Sym, arrayToList, type List, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { int, seq, str, typeError } from "./args.js";
import { builtins } from "./registry.js";
import type { RE2JS } from "re2js";
import { lazyRequire } from "../core/lazy.js";
import { CHUNK, itemsOf, printed, runJob, type Job } from "./jobs.js";
import { compareStrings } from "./numbers.js";

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

// ---- padding and format ---------------------------------------------------------------

/** The widest a padded string may be, so a typo like (string-pad-left s 1e12) is an error. */
export const PAD_LIMIT = 10_000_000;

/** s padded with c (one code point) to width code points, on the left (right-aligned) or on the
 *  right; never cut when it is already as wide. */
function padded(op: string, s: string, width: number, left: boolean, c = " "): string {
  const n = width - codePointLength(s);
  if (n <= 0) return s;
  if (width > PAD_LIMIT) raise(`${op}: a width of ${width} is more than the limit ${PAD_LIMIT}`);
  const fill = c.repeat(n);
  return left ? fill + s : s + fill;
}

function defPad(name: string, left: boolean, examples: [string, string][]): void {
  def(
    {
      name,
      arity: [2, 3],
      usage: `(${name} s width [pad])`,
      doc: `s padded on the ${left ? "left (right-aligned)" : "right (left-aligned)"} with pad (one character, default a space) to width characters; a longer s is returned whole. s may be any value: its display form is padded.`,
      examples,
    },
    (a) => {
      const s = typeof a[0] === "string" ? a[0] : display(a[0]);
      const width = int(name, a[1]);
      const c = a.length > 2 ? str(name, a[2]) : " ";
      if (codePointLength(c) !== 1) typeError(name, "one character to pad with", c);
      return padded(name, s, width, left, c);
    },
  );
}

defPad("string-pad-left", true, [
  ['(string-pad-left "7" 3)', '"  7"'],
  ['(string-pad-left 42 5 "0")', '"00042"'],
  ['(string-pad-left "toolong" 3)', '"toolong"'],
]);
defPad("string-pad-right", false, [
  ['(string-pad-right "ab" 4)', '"ab  "'],
  ['(string-pad-right "ab" 4 ".")', '"ab.."'],
]);

/** A number for a numeric directive, or raise naming the directive. */
function numberFor(directive: string, v: Value): number {
  if (typeof v !== "number") typeError("format", `a number for ${directive}`, v);
  return v;
}

function integerFor(directive: string, v: Value): number {
  const n = numberFor(directive, v);
  if (!Number.isInteger(n))
    raise(`format: ${directive} expects an integer, got ${display(n)} (round it first, or use %.Nf for decimals)`);
  return n;
}

/** x with exactly `digits` decimals, by JavaScript's toFixed: it rounds the exact binary value, a
 *  tie away from zero (2.25 → "2.3"; 2.675 is 2.67499... in binary → "2.67"). */
function fixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return formatNumber(x);
  if (digits > 100) raise(`format: at most 100 decimals, got ${digits}`);
  return x.toFixed(digits);
}

const PRINTF = /%([-+0]*)(\d*)(?:\.(\d+))?([sdfxXo%])?/y;
const TILDE = /~(\d*)(?:,(\d*))?([aAsSdDfF%~])?/y;

function format(args: Value[]): string {
  const fmt = str("format", args[0]);
  let out = "";
  let next = 1;
  const arg = (d: string): Value => {
    if (next >= args.length) raise(`format: not enough arguments for ${d} in ${write(fmt)}`);
    return args[next++];
  };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i];
    if (c === "%") {
      PRINTF.lastIndex = i;
      const [d, flags, w, prec, conv] = PRINTF.exec(fmt) as RegExpExecArray;
      if (conv === undefined)
        raise(
          `format: ${write(fmt)} has ${write(d + (fmt[i + d.length] ?? ""))}, which is no directive (known: %s %d %f %x %X %o %% with flags - + 0, a width and .precision; write %% for a percent sign)`,
        );
      i += d.length;
      out += printf(d, flags, w === "" ? 0 : Number(w), prec === undefined ? undefined : Number(prec), conv, arg);
      continue;
    }
    if (c === "~") {
      TILDE.lastIndex = i;
      const [d, p1, p2, dir] = TILDE.exec(fmt) as RegExpExecArray;
      if (dir === undefined) {
        if (i + d.length >= fmt.length) raise(`format: ${write(fmt)} ends with a lone ~`);
        raise(`format: unknown directive ~${fmt[i + d.length]} (known: ~a ~s ~d ~f ~,2f ~% ~~)`);
      }
      i += d.length;
      out += tilde(d, p1 === "" ? 0 : Number(p1), p2, dir.toLowerCase(), arg);
      continue;
    }
    out += c;
    i++;
  }
  if (next < args.length) raise(`format: too many arguments for ${write(fmt)} (${args.length - next} left over)`);
  return out;
}

/** One printf directive: %s display form, %d integer, %f fixed decimals (6 unless .N), %x %X %o
 *  integer in base 16/8; - aligns left, 0 pads numbers with zeros, + signs positive numbers. */
function printf(
  d: string,
  flags: string,
  width: number,
  prec: number | undefined,
  conv: string,
  arg: (d: string) => Value,
): string {
  if (conv === "%") return "%";
  const left = flags.includes("-");
  let body: string;
  if (conv === "s") {
    const v = arg(d);
    body = typeof v === "string" ? v : display(v);
    if (prec !== undefined) body = codePointSlice(body, 0, prec);
    return padded("format", body, width, !left);
  }
  const x = conv === "f" ? numberFor(d, arg(d)) : integerFor(d, arg(d));
  const mag = Math.abs(x);
  if (conv === "f") body = fixed(mag, prec ?? 6);
  else if (conv === "d") body = formatNumber(mag);
  else body = mag.toString(conv === "o" ? 8 : 16);
  if (conv === "X") body = body.toUpperCase();
  const sign = x < 0 || Object.is(x, -0) ? "-" : flags.includes("+") ? "+" : "";
  if (flags.includes("0") && !left && Number.isFinite(x))
    return sign + padded("format", body, width - sign.length, true, "0");
  return padded("format", sign + body, width, !left);
}

/** One Common Lisp style directive: ~a ~s (~Na pads to N on the right), ~d (~Nd on the left),
 *  ~f (~W,Df: D decimals, width W), ~% newline, ~~ tilde. */
function tilde(d: string, width: number, decimals: string | undefined, dir: string, arg: (d: string) => Value): string {
  switch (dir) {
    case "a":
      return padded("format", display(arg(d)), width, false);
    case "s":
      return padded("format", write(arg(d)), width, false);
    case "d":
      return padded("format", formatNumber(integerFor(d, arg(d))), width, true);
    case "f": {
      const x = numberFor(d, arg(d));
      const text = decimals === undefined || decimals === "" ? formatNumber(x) : fixed(x, Number(decimals));
      return padded("format", text, width, true);
    }
    case "%":
      return "\n";
    default:
      return "~";
  }
}

def(
  {
    name: "format",
    arity: [1, Infinity],
    usage: "(format fmt arg ...)",
    doc: "Fills fmt with the arguments. printf directives: %s the display form, %d an integer, %.2f a number with 2 decimals (%f: 6), %x %X %o an integer in hex or octal, %% a percent sign; a width pads on the left (%5s, %8.2f), - pads on the right (%-5s), 0 pads numbers with zeros (%05d), + signs positive numbers. Lisp directives: ~a the display form, ~s the write form, ~d an integer, ~,2f 2 decimals, ~% a newline, ~~ a tilde. A % or ~ that starts no directive, too few or too many arguments, and a non-integer for %d raise.",
    examples: [
      ['(format "~a has ~s items" "box" "three")', '"box has \\"three\\" items"'],
      ['(format "~a/~a" 1 [2 3])', '"1/[2 3]"'],
      ['(format "100~~~%")', '"100~\\n"'],
      ['(format "%.2f" 3.14159)', '"3.14"'],
      ['(format "%-6s|%5d|%05.1f" "ab" 42 2.5)', '"ab    |   42|002.5"'],
      ['(format "%x %d%%" 255 50)', '"ff 50%"'],
      ['(format "~,2f" 2)', '"2.00"'],
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

/** The lines of text that match re, as {:file :line :text} maps (line from 1): parallel-grep's
 *  work on one file, a job (a long file yields between slices). */
function* grepLines(re: RE2JS, file: Value, text: string): Job {
  const out: Value[] = [];
  let line = 0;
  for (let p: List = splitLines(text); p instanceof Pair; p = p.cdr) {
    const t = p.car as string;
    if (re.test(t))
      out.push(
        LMap.fromEntries([
          [FILE, file],
          [LINE, line + 1],
          [TEXT, t],
        ]),
      );
    if (++line % CHUNK === 0) yield 64 * CHUNK;
  }
  return arrayToList(out);
}
const FILE = Keyword.of("file");
const LINE = Keyword.of("line");
const TEXT = Keyword.of("text");

def(
  {
    name: "%grep-text",
    arity: [3, 3],
    usage: "(%grep-text re file text)",
    doc: "The lines of text matching the pattern re, as {:file file :line n :text line} maps, for parallel-grep.",
    examples: [],
  },
  (a, m) => runJob(m, "parallel-grep", grepLines(regex("parallel-grep", a[0]), a[1], str("parallel-grep", a[2]))),
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

// R7RS string comparisons, in the order sort gives strings: (sort names string<?) works.
for (const [name, holds, words] of [
  ["string=?", (c: number) => c === 0, "equal to"],
  ["string<?", (c: number) => c < 0, "before"],
  ["string>?", (c: number) => c > 0, "after"],
  ["string<=?", (c: number) => c <= 0, "before or equal to"],
  ["string>=?", (c: number) => c >= 0, "after or equal to"],
] as const) {
  def(
    {
      name,
      arity: [1, Infinity],
      usage: `(${name} s1 s2 ...)`,
      doc: `True when each string is ${words} the next, in the order sort gives strings (UTF-16 code units), as in Scheme.`,
      examples: [
        [`(${name} "apple" "banana")`, holds(compareStrings("apple", "banana")) ? "#t" : "#f"],
        [`(${name} "b" "b")`, holds(0) ? "#t" : "#f"],
      ],
    },
    (args) => {
      const ss = args.map((a) => str(name, a));
      for (let i = 0; i + 1 < ss.length; i++) if (!holds(compareStrings(ss[i], ss[i + 1]))) return false;
      return true;
    },
  );
}
