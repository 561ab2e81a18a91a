// Core builtins that need the machine or the session: output, errors, atoms, apply, eval, doc.
import { LispError, raise } from "../core/error.js";
import { display, write } from "../syntax/printer.js";
import { Atom, EMPTY, ErrorValue, Keyword, Pair, Sym, arrayToList, type Loc, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { Builtin, CallReq, Closure, Macro } from "../vm/objects.js";
import type { Machine } from "../vm/machine.js";
import { aliasesOf, allSpecs, builtins, specFor } from "./registry.js";
import { ALIASES } from "./spellings.js";
import { fn as fnArg, map as mapArg, seq, seqable, str, typeError, typeName as typeNameOf } from "./args.js";
import { contextOf } from "../session/context.js";
import { prettyPrint } from "./pretty.js";
import { itemsOf, printed, runJob } from "./jobs.js";

const def = builtins("core");

// ---- output ------------------------------------------------------------------------------

const out = (m: Machine, text: string) => contextOf(m).host.stdout(text);

/** Writes the display (raw) or write forms of args, separated by spaces, then end, with `to`; a
 *  job, so printing a million items shares the CPU (and a cancelled task prints nothing). */
function printArgs(m: Machine, op: string, args: Value[], raw: boolean, end: string, to = out): Value {
  return runJob(
    m,
    op,
    (function* () {
      const parts: string[] = [];
      for (const a of args) parts.push(yield* printed(a, raw));
      to(m, parts.join(" ") + end);
      return null;
    })(),
  );
}

def(
  {
    name: "print",
    arity: [0, Infinity],
    usage: "(print x ...)",
    doc: "Prints the arguments separated by spaces, strings raw and other values in write form, without a newline.",
    examples: [["(print)", "nil"]],
  },
  (a, m) => printArgs(m, "print", a, true, ""),
);
def(
  {
    name: "println",
    arity: [0, Infinity],
    usage: "(println x ...)",
    doc: "Like print, then a newline.",
    examples: [["(println)", "nil"]],
  },
  (a, m) => printArgs(m, "println", a, true, "\n"),
);
def(
  {
    name: "prn",
    arity: [0, Infinity],
    usage: "(prn x ...)",
    doc: "Prints the write form of each argument, separated by spaces, then a newline.",
    examples: [["(prn)", "nil"]],
  },
  (a, m) => printArgs(m, "prn", a, false, "\n"),
);
def(
  {
    name: "write",
    arity: [1, 1],
    usage: "(write x)",
    doc: "Prints the write form of x (strings quoted), without a newline.",
    examples: [],
  },
  (a, m) => printArgs(m, "write", a, false, ""),
);
def(
  {
    name: "display",
    arity: [1, 1],
    usage: "(display x)",
    doc: "Prints x like print with one argument: strings raw.",
    examples: [],
  },
  (a, m) => printArgs(m, "display", a, true, ""),
);
def({ name: "newline", arity: [0, 0], usage: "(newline)", doc: "Prints a newline.", examples: [] }, (_a, m) => {
  out(m, "\n");
  return null;
});
def(
  {
    name: "eprintln",
    arity: [0, Infinity],
    usage: "(eprintln x ...)",
    doc: "Like println, but to stderr.",
    examples: [["(eprintln)", "nil"]],
  },
  (a, m) => printArgs(m, "eprintln", a, true, "\n", (m, text) => contextOf(m).host.stderr(text)),
);
def(
  {
    name: "pretty-print",
    arity: [1, 1],
    usage: "(pretty-print x)",
    doc: "Prints x in write form, broken over lines and indented when it is long.",
    examples: [],
  },
  (a, m) => {
    out(m, prettyPrint(a[0]) + "\n");
    return null;
  },
);

// ---- errors ------------------------------------------------------------------------------

function errorData(op: string, v: Value): LMap {
  if (v === undefined || v === null) return LMap.EMPTY;
  return mapArg(op, v);
}

def(
  {
    name: "make-error",
    arity: [1, 2],
    usage: "(make-error msg [data])",
    doc: "Makes an error value with a message and an optional map of extra data.",
    examples: [['(make-error "not found" {:status 404})', '{:error "not found" :status 404}']],
  },
  (a) => new ErrorValue(str("make-error", a[0]), errorData("make-error", a[1])),
);
def(
  {
    name: "error",
    arity: [1, Infinity],
    usage: "(error msg [data-or-irritant ...])",
    doc: "Raises an error with the message; a map as the second argument becomes its data, other arguments are appended to the message.",
    examples: [['(error? (try (error "boom") (catch e e)))', "#t"]],
  },
  (a) => {
    const msg = display(a[0]);
    if (a.length === 2 && a[1] instanceof LMap) raise(msg, a[1]);
    raise([msg, ...a.slice(1).map(write)].join(" "));
  },
);
def(
  {
    name: "raise",
    arity: [1, 1],
    usage: "(raise e)",
    doc: "Raises an error value (or a string as a message) to the nearest try.",
    examples: [['(error-msg (try (raise (make-error "x")) (catch e e)))', '"x"']],
  },
  (a) => {
    const e = a[0];
    if (e instanceof ErrorValue) throw new LispError("runtime", e);
    if (typeof e === "string") raise(e);
    raise(`raised a non-error value: ${write(e)}`, LMap.EMPTY.set(Keyword.of("value"), e));
  },
);
def.unary(
  {
    name: "error?",
    usage: "(error? x)",
    doc: "True only for error values (never for a plain map with an :error key).",
    examples: [
      ['(error? (make-error "x"))', "#t"],
      ['(error? {:error "x"})', "#f"],
    ],
  },
  (x) => x instanceof ErrorValue,
);
const errArg = (op: string, v: Value): ErrorValue => (v instanceof ErrorValue ? v : typeError(op, "an error value", v));
def.unary(
  {
    name: "error-msg",
    usage: "(error-msg e)",
    doc: "The message of an error value.",
    examples: [['(error-msg (make-error "x"))', '"x"']],
  },
  (e) => errArg("error-msg", e).message,
);
def.unary(
  {
    name: "error-data",
    usage: "(error-data e)",
    doc: "The map of extra data of an error value.",
    examples: [['(error-data (make-error "x" {:a 1}))', "{:a 1}"]],
  },
  (e) => errArg("error-data", e).data,
);

// ---- atoms ------------------------------------------------------------------------------

const atomArg = (op: string, v: Value): Atom => (v instanceof Atom ? v : typeError(op, "an atom", v));
def(
  {
    name: "atom",
    arity: [1, 1],
    usage: "(atom v)",
    doc: "A shared, mutable reference holding v; change it with atom-swap! or atom-reset!.",
    examples: [["(atom-deref (atom 1))", "1"]],
  },
  (a) => new Atom(a[0]),
);
def.unary(
  {
    name: "atom-deref",
    usage: "(atom-deref a) or @a",
    doc: "The current value of an atom.",
    examples: [["@(atom 5)", "5"]],
  },
  (x) => atomArg("atom-deref", x).value,
);
def(
  {
    name: "atom-reset!",
    arity: [2, 2],
    usage: "(atom-reset! a v)",
    doc: "Sets the atom to v and returns v.",
    examples: [["(atom-reset! (atom 1) 2)", "2"]],
  },
  (a) => (atomArg("atom-reset!", a[0]).value = a[1]),
);
/** (atom-swap! a f): a builtin with a fast path cannot block or be preempted, so the update is
 *  atomic as it is; any other function takes the compare-and-set loop. */
function swap2(a: Value, f: Value, m: Machine): Value {
  const at = a instanceof Atom ? a : atomArg("atom-swap!", a);
  if (f instanceof Builtin && f.f1 !== null) return (at.value = f.f1(at.value));
  return swapByCas(m, [a, f]);
}
def(
  {
    name: "atom-swap!",
    arity: [2, Infinity],
    usage: "(atom-swap! a f arg ...)",
    doc: "Atomically replaces the atom's value with (f value arg ...) and returns the new value. f may run more than once under contention, so it should be pure; if it raises, the atom keeps its value.",
    examples: [["(atom-swap! (atom 1) + 10)", "11"]],
    m2: swap2,
  },
  (a, m) => {
    if (a.length === 2) return swap2(a[0], a[1], m);
    const at = atomArg("atom-swap!", a[0]);
    const f = a[1];
    if (a.length === 3 && f instanceof Builtin && f.f2 !== null) return (at.value = f.f2(at.value, a[2]));
    return swapByCas(m, a);
  },
);

/** atom-swap! with a function that may block or be preempted: the prelude's compare-and-set loop. */
function swapByCas(m: Machine, args: Value[]): Value {
  return new CallReq(contextOf(m).libraryValue("%atom-swap-cas!"), args);
}
def(
  {
    name: "atom-compare-and-set!",
    arity: [3, 3],
    usage: "(atom-compare-and-set! a old new)",
    doc: "Sets the atom to new only if it still holds old (identical); returns whether it did.",
    examples: [["(atom-compare-and-set! (atom 1) 1 2)", "#t"]],
  },
  (a) => {
    const at = atomArg("atom-compare-and-set!", a[0]);
    if (at.value !== a[1]) return false;
    at.value = a[2];
    return true;
  },
);

// ---- functions, evaluation, introspection ------------------------------------------------

def(
  {
    name: "apply",
    arity: [2, Infinity],
    usage: "(apply f x ... xs)",
    doc: "Calls f with the arguments x ... followed by the items of the list or vector xs.",
    examples: [["(apply + 1 2 '(3 4))", "10"]],
  },
  (a, m) => {
    const f = fnArg("apply", a[0]);
    const xs = a[a.length - 1];
    if (!(xs instanceof Pair)) return new CallReq(f, [...a.slice(1, -1), ...seq("apply", xs)]);
    // a long list is walked in slices of the task
    return runJob(
      m,
      "apply",
      (function* () {
        const items = yield* itemsOf("apply", xs, seq);
        return new CallReq(f, a.length === 2 ? items : [...a.slice(1, -1), ...items]);
      })(),
    );
  },
);
def(
  {
    name: "%eval-form",
    arity: [1, 2],
    usage: "(%eval-form form [loc])",
    doc: "Compiles and runs one top-level form (the program driver); loc is where it was read.",
    examples: [],
  },
  // a %-name: only the program runner calls it, with the position the reader gave the form
  (a, m) => contextOf(m).evalRequest(m, a[0], a[1] as Loc | null | undefined),
);
def(
  {
    name: "eval",
    arity: [1, 1],
    usage: "(eval form)",
    doc: "Evaluates a form (data) at the top level.",
    examples: [["(eval '(+ 1 2))", "3"]],
  },
  (a, m) => contextOf(m).evalRequest(m, a[0]),
);
def(
  {
    name: "read-string",
    arity: [1, 1],
    usage: "(read-string s)",
    doc: "Reads the first form in the string s as data.",
    examples: [['(read-string "(a 1)")', "(a 1)"]],
  },
  (a, m) => contextOf(m).read(str("read-string", a[0]), "<string>")[0] ?? null,
);
def(
  {
    name: "gensym",
    arity: [0, 1],
    usage: "(gensym [prefix])",
    doc: "A fresh symbol that no other symbol equals, for macros.",
    examples: [["(symbol? (gensym))", "#t"]],
  },
  (a) => Sym.gensym(a.length ? display(a[0]) : "g"),
);
def.unary(
  { name: "procedure?", usage: "(procedure? x)", doc: "True for functions.", examples: [["(procedure? car)", "#t"]] },
  (x) => x instanceof Closure || x instanceof Builtin,
);
def.unary({ name: "identity", usage: "(identity x)", doc: "Returns x.", examples: [["(identity 3)", "3"]] }, (x) => x);
def.unary(
  {
    name: "type-of",
    usage: "(type-of x)",
    doc: "The type of x as a keyword.",
    examples: [["(type-of [1])", ":vector"]],
  },
  (x) => Keyword.of(typeNameOf(x)),
);

def(
  {
    name: "doc",
    arity: [1, 1],
    usage: "(doc f)",
    doc: "Prints the usage, doc string and examples of a builtin, a documented function or a special form ((doc if), (doc defn)); on a terminal the text is wrapped to its width.",
    examples: [],
  },
  (a, m) => {
    const f = a[0] instanceof Macro ? a[0].fn : a[0];
    const name = f instanceof Builtin || f instanceof Closure ? f.name : f instanceof Sym ? f.name : display(f);
    const ctx = contextOf(m);
    ctx.loadPrelude();
    const lispDoc =
      ctx.lispDocs.get(name) ??
      ctx.formDocs.get(name) ??
      (f instanceof Closure ? { usage: f.code.usage, doc: "(no doc string)" } : undefined);
    const text = docText(name, lispDoc, ctx.host.columns);
    const hint = text.startsWith("no documentation") ? m.host.suggest(name) : undefined;
    out(m, text + (hint ? ` (${hint})` : "") + "\n");
    return null;
  },
);

def(
  {
    name: "apropos",
    arity: [1, 1],
    usage: "(apropos text)",
    doc: "The sorted names of the builtins (and their other names, such as string-append), special forms and documented functions (the library's and the script's) that contain text; (doc name) tells more about each.",
    examples: [['(apropos "string-up")', '("string-upcase")']],
  },
  (a, m) => {
    const text = str("apropos", a[0]);
    const ctx = contextOf(m);
    ctx.loadPrelude();
    const names = new Set([
      ...allSpecs().map((s) => s.name),
      ...Object.keys(ALIASES),
      ...ctx.formDocs.keys(),
      ...ctx.lispDocs.keys(),
    ]);
    return arrayToList([...names].filter((n) => n.includes(text) && !n.startsWith("%")).sort());
  },
);

/** The text (doc name) prints; its prose wrapped at word boundaries to `width` columns when
 *  given (the usage line and the examples are code, and stay whole). */
export function docText(name: string, lispDoc?: { usage: string; doc: string }, width?: number): string {
  const spec = specFor(name);
  if (spec) {
    const lines = spec.name === name ? [] : [`${name} is another name for ${spec.name}`];
    lines.push(spec.usage, wrap(spec.doc, width, "  "));
    for (const [ex, res] of spec.examples) lines.push(`  ${ex} ; => ${res}`);
    const aliases = aliasesOf(spec.name);
    if (aliases.length) lines.push(`  also called: ${aliases.map((a) => a.name).join(" ")}`);
    return lines.join("\n");
  }
  if (lispDoc) return `${lispDoc.usage}\n${wrap(lispDoc.doc, width, "  ")}`;
  return `no documentation for ${name}`;
}

/** The text indented, its lines broken at spaces to fit width columns (a word longer than a
 *  line stays whole); each line of the text is kept as a line. */
export function wrap(text: string, width: number | undefined, indent: string): string {
  const room = width === undefined ? Infinity : Math.max(10, width - 1) - indent.length;
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/ +/)) {
      if (line && line.length + 1 + word.length > room) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(indent + line);
  }
  return out.join("\n");
}

def(
  {
    name: "seq->list",
    arity: [1, 1],
    usage: "(seq->list xs)",
    doc: "The items of a list, vector, map (as [k v] vectors), string (as characters) or nil, as a list.",
    examples: [["(seq->list [1 2])", "(1 2)"]],
  },
  (a) => (a[0] instanceof Pair || a[0] === EMPTY ? a[0] : arrayToList(seqable("seq->list", a[0]))),
);
