// Number builtins: arithmetic, comparison, rounding, predicates, equality, `compare` and number<->string.
import { raise } from "../core/error.js";
import { describe, formatNumber } from "../syntax/printer.js";
import { equals } from "../core/equality.js";
import { ErrorValue, Keyword, Sym, isVector, type Value } from "../core/types.js";
import { int, isList, num, seq, str, typeError } from "./args.js";
import { builtins } from "./registry.js";

const defCore = builtins("core");
const def = builtins("number");

// ---- arithmetic ------------------------------------------------------------------------

function add2(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a + b;
  return num("+", a) + num("+", b);
}

function sub2(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return num("-", a) - num("-", b);
}

function mul2(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a * b;
  return num("*", a) * num("*", b);
}

function div2(a: Value, b: Value): number {
  const x = num("/", a),
    y = num("/", b);
  if (y === 0) raise("division by zero");
  return x / y;
}

def(
  {
    name: "+",
    arity: [0, Infinity],
    usage: "(+ x ...)",
    doc: "Adds the numbers; (+) is 0.",
    examples: [
      ["(+ 1 2 3)", "6"],
      ["(+)", "0"],
      ["(+ 0.5 1)", "1.5"],
    ],
    f1: (a) => num("+", a),
    f2: add2,
  },
  (args) => {
    let s = 0;
    for (let i = 0; i < args.length; i++) s += num("+", args[i]);
    return s;
  },
);

def(
  {
    name: "-",
    arity: [1, Infinity],
    usage: "(- x y ...)",
    doc: "Subtracts the rest of the numbers from the first; with one argument, negates it.",
    examples: [
      ["(- 10 4 3)", "3"],
      ["(- 5)", "-5"],
    ],
    f1: (a) => -num("-", a),
    f2: sub2,
  },
  (args) => {
    if (args.length === 1) return -num("-", args[0]);
    let d = num("-", args[0]);
    for (let i = 1; i < args.length; i++) d -= num("-", args[i]);
    return d;
  },
);

def(
  {
    name: "*",
    arity: [0, Infinity],
    usage: "(* x ...)",
    doc: "Multiplies the numbers; (*) is 1.",
    examples: [
      ["(* 2 3 4)", "24"],
      ["(*)", "1"],
    ],
    f1: (a) => num("*", a),
    f2: mul2,
  },
  (args) => {
    let p = 1;
    for (let i = 0; i < args.length; i++) p *= num("*", args[i]);
    return p;
  },
);

def(
  {
    name: "/",
    arity: [1, Infinity],
    usage: "(/ x y ...)",
    doc: "Divides the first number by the rest (exact float division); with one argument, returns its reciprocal. A zero divisor raises `division by zero`.",
    examples: [
      ["(/ 7 2)", "3.5"],
      ["(/ 6 3)", "2"],
      ["(/ 4)", "0.25"],
      ["(/ 60 2 3)", "10"],
    ],
    f1: (a) => div2(1, a),
    f2: div2,
  },
  (args) => {
    if (args.length === 1) return div2(1, args[0]);
    let q = num("/", args[0]);
    for (let i = 1; i < args.length; i++) q = div2(q, args[i]);
    return q;
  },
);

/** Integer-style division helpers share the zero check and argument reading. */
function divisor(op: string, a: Value, b: Value): [number, number] {
  const x = num(op, a),
    y = num(op, b);
  if (y === 0) raise("division by zero");
  return [x, y];
}

function quotient(a: Value, b: Value): number {
  const [x, y] = divisor("quotient", a, b);
  return Math.trunc(x / y);
}

function remainder(a: Value, b: Value): number {
  const [x, y] = divisor("remainder", a, b);
  return x % y;
}

function modulo(a: Value, b: Value): number {
  const [x, y] = divisor("modulo", a, b);
  const r = x % y;
  return r !== 0 && r < 0 !== y < 0 ? r + y : r;
}

def.binary(
  {
    name: "quotient",
    usage: "(quotient n d)",
    doc: "Divides n by d and truncates toward zero. A zero divisor raises `division by zero`.",
    examples: [
      ["(quotient 17 5)", "3"],
      ["(quotient -7 2)", "-3"],
    ],
  },
  quotient,
);

def.binary(
  {
    name: "remainder",
    usage: "(remainder n d)",
    doc: "The remainder of truncating division: it has the sign of n. A zero divisor raises `division by zero`.",
    examples: [
      ["(remainder 17 5)", "2"],
      ["(remainder -7 3)", "-1"],
    ],
  },
  remainder,
);

def.binary(
  {
    name: "modulo",
    usage: "(modulo n d)",
    doc: "The remainder of floored division: it has the sign of d. A zero divisor raises `division by zero`.",
    examples: [
      ["(modulo -7 3)", "2"],
      ["(modulo 7 -3)", "-2"],
      ["(modulo 10 5)", "0"],
    ],
  },
  modulo,
);

def(
  {
    name: "abs",
    arity: [1, 1],
    usage: "(abs x)",
    doc: "The absolute value of x.",
    examples: [
      ["(abs -5)", "5"],
      ["(abs 2.5)", "2.5"],
    ],
    f1: (a) => Math.abs(num("abs", a)),
  },
  (args) => Math.abs(num("abs", args[0])),
);

function extremum(op: string, pick: (a: number, b: number) => number): (args: Value[]) => number {
  return (args) => {
    let best = num(op, args[0]);
    for (let i = 1; i < args.length; i++) best = pick(best, num(op, args[i]));
    return best;
  };
}

def(
  {
    name: "min",
    arity: [1, Infinity],
    usage: "(min x ...)",
    doc: "The smallest of the numbers.",
    examples: [
      ["(min 3 1 2)", "1"],
      ["(min 4)", "4"],
    ],
    f2: (a, b) => Math.min(num("min", a), num("min", b)),
  },
  extremum("min", Math.min),
);

def(
  {
    name: "max",
    arity: [1, Infinity],
    usage: "(max x ...)",
    doc: "The largest of the numbers.",
    examples: [
      ["(max 3 1 2)", "3"],
      ["(max -1.5 -2)", "-1.5"],
    ],
    f2: (a, b) => Math.max(num("max", a), num("max", b)),
  },
  extremum("max", Math.max),
);

/** Registers a one-number-in, one-number-out builtin. */
function unary(name: string, usage: string, doc: string, examples: [string, string][], f: (x: number) => number): void {
  def.unary({ name, usage: usage, doc, examples }, (a) => f(typeof a === "number" ? a : num(name, a)));
}

/** Rounds half away from zero: 2.5 → 3, -2.5 → -3. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

unary(
  "floor",
  "(floor x)",
  "The largest integer not greater than x.",
  [
    ["(floor 2.7)", "2"],
    ["(floor -2.5)", "-3"],
  ],
  Math.floor,
);
unary(
  "ceiling",
  "(ceiling x)",
  "The smallest integer not less than x.",
  [
    ["(ceiling 2.2)", "3"],
    ["(ceiling -2.5)", "-2"],
  ],
  Math.ceil,
);
unary(
  "round",
  "(round x)",
  "Rounds x to the nearest integer; halves round away from zero (2.5 → 3, -2.5 → -3).",
  [
    ["(round 2.6)", "3"],
    ["(round 2.5)", "3"],
    ["(round -2.5)", "-3"],
    ["(round 2.4)", "2"],
  ],
  roundHalfAway,
);
unary(
  "sqrt",
  "(sqrt x)",
  "The square root of x; a negative x raises an error.",
  [
    ["(sqrt 16)", "4"],
    ["(sqrt 2.25)", "1.5"],
  ],
  (x) => {
    if (x < 0) typeError("sqrt", "a non-negative number", x);
    return Math.sqrt(x);
  },
);
// written out rather than through unary: one call less per (atom-swap! counter inc)
def.unary(
  {
    name: "inc",
    usage: "(inc x)",
    doc: "x plus one.",
    examples: [
      ["(inc 1)", "2"],
      ["(inc -0.5)", "0.5"],
    ],
  },
  (x) => (typeof x === "number" ? x + 1 : num("inc", x) + 1),
);
def.unary({ name: "dec", usage: "(dec x)", doc: "x minus one.", examples: [["(dec 1)", "0"]] }, (x) =>
  typeof x === "number" ? x - 1 : num("dec", x) - 1,
);

def(
  {
    name: "expt",
    arity: [2, 2],
    usage: "(expt base power)",
    doc: "base raised to power.",
    examples: [
      ["(expt 2 10)", "1024"],
      ["(expt 4 0.5)", "2"],
      ["(expt 2 -1)", "0.5"],
    ],
    f2: (a, b) => Math.pow(num("expt", a), num("expt", b)),
  },
  (args) => Math.pow(num("expt", args[0]), num("expt", args[1])),
);

// ---- predicates ------------------------------------------------------------------------

/** Registers a one-number-in, boolean-out builtin (raises for a non-number). */
function numPredicate(
  name: string,
  doc: string,
  examples: [string, string][],
  test: (x: number) => boolean,
  read = num,
): void {
  def.unary({ name, usage: `(${name} x)`, doc, examples }, (a) => test(read(name, a)));
}

numPredicate(
  "zero?",
  "True when x is 0.",
  [
    ["(zero? 0)", "#t"],
    ["(zero? 0.1)", "#f"],
  ],
  (x) => x === 0,
);
numPredicate(
  "pos?",
  "True when x is greater than 0.",
  [
    ["(pos? 3)", "#t"],
    ["(pos? 0)", "#f"],
  ],
  (x) => x > 0,
);
numPredicate(
  "neg?",
  "True when x is less than 0.",
  [
    ["(neg? -3)", "#t"],
    ["(neg? 0)", "#f"],
  ],
  (x) => x < 0,
);
numPredicate(
  "even?",
  "True when the integer n is even; a non-integer raises.",
  [
    ["(even? 4)", "#t"],
    ["(even? -3)", "#f"],
  ],
  (x) => x % 2 === 0,
  int,
);
numPredicate(
  "odd?",
  "True when the integer n is odd; a non-integer raises.",
  [
    ["(odd? 4)", "#f"],
    ["(odd? -3)", "#t"],
  ],
  (x) => x % 2 !== 0,
  int,
);

def(
  {
    name: "number?",
    arity: [1, 1],
    usage: "(number? x)",
    doc: "True when x is a number.",
    examples: [
      ["(number? 1)", "#t"],
      ['(number? "1")', "#f"],
    ],
    f1: (a) => typeof a === "number",
  },
  (args) => typeof args[0] === "number",
);

def(
  {
    name: "integer?",
    arity: [1, 1],
    usage: "(integer? x)",
    doc: "True when x is a number with no fractional part.",
    examples: [
      ["(integer? 2)", "#t"],
      ["(integer? 1.5)", "#f"],
      ['(integer? "2")', "#f"],
    ],
    f1: (a) => Number.isInteger(a),
  },
  (args) => Number.isInteger(args[0]),
);

def(
  {
    name: "random",
    arity: [0, 1],
    usage: "(random [n])",
    doc: "A random float in [0, 1); with an integer n, a random integer in [0, n); with a non-integer n, a float in [0, n).",
    examples: [
      ["(integer? (random 10))", "#t"],
      ["(< (random) 1)", "#t"],
      ["(< -1 (random 3) 3)", "#t"],
    ],
  },
  (args) => {
    if (args.length === 0) return Math.random();
    const n = num("random", args[0]);
    if (!(n > 0) || !Number.isFinite(n)) typeError("random", "a positive number", n);
    return Number.isInteger(n) ? Math.floor(Math.random() * n) : Math.random() * n;
  },
);

// ---- equality and ordering --------------------------------------------------------------

/** Registers a multi-argument numeric comparison; every argument is checked even after a false pair. */
function numComparison(
  name: string,
  doc: string,
  examples: [string, string][],
  test: (a: number, b: number) => boolean,
): void {
  const f2 = (a: Value, b: Value): boolean => {
    if (typeof a === "number" && typeof b === "number") return test(a, b);
    return test(num(name, a), num(name, b));
  };
  def(
    {
      name,
      arity: [1, Infinity],
      usage: `(${name} x y ...)`,
      doc,
      examples,
      f1: (a) => {
        num(name, a);
        return true;
      },
      f2,
    },
    (args) => {
      const xs = args.map((a) => num(name, a));
      for (let i = 1; i < xs.length; i++) if (!test(xs[i - 1], xs[i])) return false;
      return true;
    },
  );
}

numComparison(
  "<",
  "True when each number is less than the next.",
  [
    ["(< 1 2 3)", "#t"],
    ["(< 1 3 2)", "#f"],
  ],
  (a, b) => a < b,
);
numComparison(
  ">",
  "True when each number is greater than the next.",
  [
    ["(> 3 2 1)", "#t"],
    ["(> 1 1)", "#f"],
  ],
  (a, b) => a > b,
);
numComparison(
  "<=",
  "True when each number is less than or equal to the next.",
  [
    ["(<= 1 1 2)", "#t"],
    ["(<= 2 1)", "#f"],
  ],
  (a, b) => a <= b,
);
numComparison(
  ">=",
  "True when each number is greater than or equal to the next.",
  [
    ["(>= 3 3 1)", "#t"],
    ["(>= 1 2)", "#f"],
  ],
  (a, b) => a >= b,
);
numComparison(
  "==",
  "Numeric equality: true when all the numbers are equal; a non-number raises (use = for any value).",
  [
    ["(== 1 1.0)", "#t"],
    ["(== 2 2 3)", "#f"],
  ],
  (a, b) => a === b,
);

function allEqual(args: Value[]): boolean {
  for (let i = 1; i < args.length; i++) if (!equals(args[0], args[i])) return false;
  return true;
}

defCore(
  {
    name: "=",
    arity: [1, Infinity],
    usage: "(= x y ...)",
    doc: "Structural equality over all values: lists, vectors and maps compare by content (maps in any order); a list never equals a vector.",
    examples: [
      ["(= 2 2 2)", "#t"],
      ["(= [1 {:a 2}] [1 {:a 2}])", "#t"],
      ["(= {:a 1 :b 2} {:b 2 :a 1})", "#t"],
      ["(= '(1 2) [1 2])", "#f"],
      ['(= "a" "a")', "#t"],
      ['(= 1 "1")', "#f"],
    ],
    f1: () => true,
    f2: equals,
  },
  allEqual,
);

defCore(
  {
    name: "not=",
    arity: [1, Infinity],
    usage: "(not= x y ...)",
    doc: "The negation of =: true when some two arguments are not structurally equal.",
    examples: [
      ["(not= 1 2)", "#t"],
      ["(not= [1] [1])", "#f"],
    ],
    f1: () => false,
    f2: (a, b) => !equals(a, b),
  },
  (args) => !allEqual(args),
);

defCore(
  {
    name: "eq?",
    arity: [2, 2],
    usage: "(eq? x y)",
    doc: "Identity: true when x and y are the same object. Symbols, keywords, numbers, strings, booleans and nil are eq? to equal values of their kind.",
    examples: [
      ["(eq? 'a 'a)", "#t"],
      ["(eq? :k :k)", "#t"],
      ["(eq? (list 1) (list 1))", "#f"],
    ],
    f2: (a, b) => a === b,
  },
  (args) => args[0] === args[1],
);

/** Orders strings by UTF-16 code units, the same order as JavaScript `<`. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Total order used by `compare` and `sort`: nil first, then numbers, strings, keywords, symbols,
 *  booleans (#f before #t), and lists or vectors element by element. Mixed kinds raise. */
export function compareValues(op: string, a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (a instanceof ErrorValue) typeError(op, "a comparable value", a);
  if (b instanceof ErrorValue) typeError(op, "a comparable value", b);
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Keyword && b instanceof Keyword) return compareStrings(a.name, b.name);
  if (a instanceof Sym && b instanceof Sym) return compareStrings(a.name, b.name);
  if ((isList(a) && isList(b)) || (isVector(a) && isVector(b))) {
    const xs = seq(op, a),
      ys = seq(op, b);
    const n = Math.min(xs.length, ys.length);
    for (let i = 0; i < n; i++) {
      const c = compareValues(op, xs[i], ys[i]);
      if (c !== 0) return c;
    }
    return xs.length < ys.length ? -1 : xs.length > ys.length ? 1 : 0;
  }
  raise(`${op}: cannot compare ${describe(a)} with ${describe(b)}`);
}

defCore(
  {
    name: "compare",
    arity: [2, 2],
    usage: "(compare a b)",
    doc: "-1, 0 or 1 as a is less than, equal to or greater than b. Orders numbers, strings, keywords, symbols, booleans, and lists or vectors element by element; nil is least; other mixes raise.",
    examples: [
      ["(compare 1 2)", "-1"],
      ['(compare "b" "a")', "1"],
      ["(compare [1 2] [1 2])", "0"],
      ["(compare nil 0)", "-1"],
    ],
    f2: (a, b) => compareValues("compare", a, b),
  },
  (args) => compareValues("compare", args[0], args[1]),
);

// ---- conversions -----------------------------------------------------------------------

function radixArg(op: string, v: Value): number {
  const r = int(op, v);
  if (r < 2 || r > 36) typeError(op, "a radix between 2 and 36", r);
  return r;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const PREFIXED: Record<string, number> = { x: 16, b: 2, o: 8 };
const SPECIAL: Record<string, number> = { "+inf.0": Infinity, "-inf.0": -Infinity, "+nan.0": NaN };

function digitsValid(s: string, radix: number): boolean {
  for (const c of s.toLowerCase()) {
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= radix) return false;
  }
  return s.length > 0;
}

/** Parses an integer in a radix with an optional sign, or returns null. */
function parseRadix(s: string, radix: number): number | null {
  const sign = s[0] === "-" ? -1 : 1;
  const digits = s[0] === "-" || s[0] === "+" ? s.slice(1) : s;
  if (!digitsValid(digits, radix)) return null;
  const n = sign * parseInt(digits, radix);
  return Number.isFinite(n) ? n : null;
}

/** Reads a number the way the reader writes it (42, -7, 3.14, 1e6, #x1F, +inf.0), or null. */
export function parseNumber(text: string, radix = 10): number | null {
  const s = text.trim();
  if (radix !== 10) return parseRadix(s, radix);
  if (DECIMAL.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? n : null;
  }
  if (s in SPECIAL) return SPECIAL[s];
  const m = /^#([xbo])(.*)$/i.exec(s);
  return m ? parseRadix(m[2], PREFIXED[m[1].toLowerCase()]) : null;
}

def(
  {
    name: "string->number",
    arity: [1, 2],
    usage: "(string->number s [radix])",
    doc: "The number written in s (surrounding whitespace ignored; 42, -7, 3.14, 1e6, #x1F), or nil when s is not a number. An optional radix (2 to 36) reads an integer in that base.",
    examples: [
      ['(string->number "42")', "42"],
      ['(string->number "2.5")', "2.5"],
      ['(string->number "nope")', "nil"],
      ['(string->number " 7\\n")', "7"],
      ['(string->number "ff" 16)', "255"],
    ],
    f1: (a) => parseNumber(str("string->number", a)),
  },
  (args) => parseNumber(str("string->number", args[0]), args.length > 1 ? radixArg("string->number", args[1]) : 10),
);

def(
  {
    name: "number->string",
    arity: [1, 2],
    usage: "(number->string n [radix])",
    doc: "The printed form of n; an optional radix (2 to 36) writes it in that base.",
    examples: [
      ["(number->string 7)", '"7"'],
      ["(number->string 2.5)", '"2.5"'],
      ["(number->string 255 16)", '"ff"'],
    ],
    f1: (a) => formatNumber(num("number->string", a)),
  },
  (args) => {
    const n = num("number->string", args[0]);
    if (args.length < 2) return formatNumber(n);
    const radix = radixArg("number->string", args[1]);
    return radix === 10 || !Number.isFinite(n) ? formatNumber(n) : n.toString(radix);
  },
);
