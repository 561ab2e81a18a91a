// What (doc if) shows: the usage and doc string of each special form, beside the table of
// special forms (index.ts). test/compiler/special-docs.test.ts keeps the two in step, so a new
// special form is documented when it is added.
import { ifLetFormDocs } from "./if-let.js";
import { loopFormDocs } from "./loops.js";

export interface FormDoc {
  usage: string;
  doc: string;
}

export const SPECIAL_FORM_DOCS: ReadonlyMap<string, FormDoc> = new Map(
  Object.entries({
    quote: { usage: "(quote x) or 'x", doc: "x itself, not evaluated: a symbol stays a symbol, a list stays a list." },
    quasiquote: {
      usage: "(quasiquote x) or `x",
      doc: "x as a template: like quote, except that ,e (unquote) puts in the value of e and ,@e (unquote-splicing) the items of the list e. Works in lists, vectors and maps.",
    },
    unquote: { usage: ",e", doc: "Inside a quasiquote: the value of e. Outside one it is an error." },
    "unquote-splicing": {
      usage: ",@e",
      doc: "Inside a quasiquote: the items of the list e, spliced into the surrounding list or vector.",
    },
    define: {
      usage: "(define name value) or (define (name params...) [doc] body...)",
      doc: "Defines a variable, or a function. At the top level it is global; in a body it is local to the body and visible to all of it. A string first in a function's body is its doc string, which (doc name) shows.",
    },
    def: {
      usage: '(def name value) or (def name "doc" value)',
      doc: "The same as define, with Clojure's optional doc string before the value.",
    },
    defn: {
      usage: "(defn name [doc] [params...] body...)",
      doc: "Defines a function: (defn f [x] ...) is (define (f x) ...). The parameters may be a vector or a list, with destructuring patterns ([a b & more], {:keys [k]}) as in Clojure; the doc string is what (doc name) shows.",
    },
    "set!": {
      usage: "(set! name value)",
      doc: "Changes an existing variable. Only the task that created a variable may change it: share state between tasks with an atom.",
    },
    lambda: {
      usage: "(lambda (params...) body...) or (lambda args body...)",
      doc: "A function. `. rest` or `& rest` collects the remaining arguments into a list; a bare symbol takes them all.",
    },
    fn: {
      usage: "(fn [params...] body...)",
      doc: "The same as lambda, as in Clojure; parameters may be destructuring patterns ([a b & more], {:keys [k]}).",
    },
    defmacro: {
      usage: "(defmacro name [doc] (params...) body...)",
      doc: "Defines a macro: a function from the unevaluated forms of a call to the form that replaces it, run when the code is compiled.",
    },
    let: {
      usage: "(let ((name value)...) body...) or (let [name value ...] body...) or (let loop ((name init)...) body...)",
      doc: "Local variables. With a list of pairs every value is evaluated before any name is bound; with a vector the bindings are sequential and a name may be a destructuring pattern ([a b & more], {:keys [k] :or {k 0}}), as in Clojure. Named let defines a local loop function and calls it.",
    },
    "let*": {
      usage: "(let* ((name value)...) body...)",
      doc: "Local variables bound one after another: each value sees the names before it.",
    },
    letrec: {
      usage: "(letrec ((name value)...) body...)",
      doc: "Local variables whose values may refer to each other (mutually recursive local functions).",
    },
    "letrec*": {
      usage: "(letrec* ((name value)...) body...)",
      doc: "As letrec, the values evaluated in order.",
    },
    if: {
      usage: "(if test then [else])",
      doc: "then when test is true, else when it is false (nil without an else). Only #f and nil are false.",
    },
    and: { usage: "(and x...)", doc: "The first false value, or the last value; stops at the first false one." },
    or: { usage: "(or x...)", doc: "The first true value, or the last value; stops at the first true one." },
    begin: { usage: "(begin x...)", doc: "Evaluates the forms in order; the value of the last." },
    do: {
      usage: "(do x...)",
      doc: "The same as begin, as in Clojure (not Scheme's do loop: write loops with named let).",
    },
    cond: {
      usage: "(cond (test body...)... [(else body...)])",
      doc: "The body of the first clause whose test is true; else or :else matches anything, and (test => f) calls f with the test's value. nil when no clause matches.",
    },
    case: {
      usage: "(case key ((datum...) body...)... [(else body...)])",
      doc: "The body of the first clause with a datum = to key (a single datum need not be in a list).",
    },
    when: { usage: "(when test body...)", doc: "The body when test is true, else nil." },
    unless: { usage: "(unless test body...)", doc: "The body when test is false, else nil." },
    "when-not": {
      usage: "(when-not test body...)",
      doc: "Clojure's name for unless: the body when test is false, else nil.",
    },
    "if-not": {
      usage: "(if-not test then [else])",
      doc: "Clojure's if with the branches swapped: then when test is false, else (nil) when it is true.",
    },
    "->": {
      usage: "(-> x step...)",
      doc: "Threads x through the steps as the first argument of each: (-> x (f a) g) is (g (f x a)).",
    },
    "->>": {
      usage: "(->> x step...)",
      doc: "Threads x through the steps as the last argument of each: (->> x (f a) g) is (g (f a x)).",
    },
    try: {
      usage: "(try body... [(catch e handler...)] [(finally cleanup...)])",
      doc: "Runs the body; a raised error goes to catch, whose value becomes the try's; finally runs on success, error and cancellation. catch never stops a cancellation.",
    },
    ...loopFormDocs,
    ...ifLetFormDocs,
  }),
);
