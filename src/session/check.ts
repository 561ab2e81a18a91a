// `skein check`: what can be found wrong in a program without running any of it — names that are
// defined nowhere (with the "did you mean" of the running program, by meaning and by spelling),
// calls of known functions with the wrong number of arguments (builtins, the prelude's functions
// and the file's own define/defn), and keyword options a builtin does not take (where its usage
// line lists them). One function, checkSource, for the command line and any other caller.
//
// It reads the file and walks the forms with the scopes the special forms make. It is
// conservative where a program's meaning is only known when it runs: the arguments of a macro
// call are not checked (its expansion decides what they mean); a program that uses eval or
// loads a file the checker cannot read may define any name, so unknown names are not reported
// for it; and a function the file defines twice with different parameter lists is not
// arity-checked. The definitions of a file loaded with (load "path") count.
import { LispError } from "../core/error.js";
import { LMap } from "../core/map.js";
import { EmptyList, Keyword, Pair, Sym, isVector, listToArray, type Loc, type Value } from "../core/types.js";
import { readAll, readAllWithLocs } from "../syntax/reader.js";
import { SPECIAL_FORMS } from "../compiler/specials/index.js";
import { allSpecs, specFor } from "../lib/registry.js";
import { ALIASES } from "../lib/spellings.js";
import { didYouMean, suggestName } from "../lib/suggest.js";
import "../lib/index.js";
import "../host/index.js";
import { preludeText } from "./prelude.js";

export interface Finding {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** [min, max] arguments; max Infinity for a rest parameter. */
type Arity = [number, number];

/** What a global name is known as: a function of an arity (or of an unknown one), a macro, a value. */
type Global = { kind: "fn"; arity: Arity | null } | { kind: "macro" } | { kind: "value" };

const sym = (v: Value, name: string) => v instanceof Sym && v.name === name;
const isSeqForm = (v: Value): v is Pair | EmptyList => v instanceof Pair || v instanceof EmptyList;
const items = (v: Value): Value[] => (isSeqForm(v) ? listToArray(v) : isVector(v) ? v.toArray() : []);

/** The arity of a parameter list: (a b . rest), [a b & rest], or a bare symbol for all arguments. */
function arityOf(params: Value): Arity | null {
  if (params instanceof Sym) return [0, Infinity];
  if (!isSeqForm(params) && !isVector(params)) return null;
  const ps = items(params);
  const rest = ps.findIndex((p) => sym(p, "&") || sym(p, "."));
  return rest < 0 ? [ps.length, ps.length] : [rest, Infinity];
}

/** The names a binding target introduces: a symbol, or a vector or map destructuring pattern. */
function patternNames(p: Value, out: string[] = []): string[] {
  if (p instanceof Sym) {
    if (p.name !== "&" && p.name !== "." && p.name !== "_") out.push(p.name);
  } else if (isVector(p) || isSeqForm(p)) {
    const ps = items(p);
    for (let i = 0; i < ps.length; i++) {
      if (ps[i] instanceof Keyword && (ps[i] as Keyword).name === "as") patternNames(ps[++i], out);
      else patternNames(ps[i], out);
    }
  } else if (p instanceof LMap) {
    for (const [k, v] of p.entries()) {
      if (k instanceof Keyword && (k.name === "keys" || k.name === "strs" || k.name === "syms")) patternNames(v, out);
      else if (k instanceof Keyword && k.name === "as") patternNames(v, out);
      else if (!(k instanceof Keyword && k.name === "or")) patternNames(k, out);
    }
  }
  return out;
}

/** The keyword options a builtin's usage line lists ("(glob pattern [:cwd dir] [:dot #t])"), and how
 *  many positional arguments come before them (null when a "..." makes their number open). */
export function optionsOf(usage: string): { names: string[]; from: number | null } | null {
  const names = [...usage.matchAll(/\[:([a-z][\w-]*)/g)].map((m) => m[1]);
  if (names.length === 0) return null;
  const head = usage.slice(1, usage.indexOf("[:")).trim().split(/\s+/).slice(1);
  return { names, from: head.includes("...") ? null : head.length };
}

class Checker {
  readonly findings: Finding[] = [];
  /** every global name: the library's and the file's own */
  readonly globals = new Map<string, Global>();
  /** names the library defines (builtins, aliases, prelude), for "did you mean" */
  private readonly known: Set<string>;
  /** the names the file defines at its top level (one that is also a builtin is the file's) */
  private readonly own = new Set<string>();
  /** the program may define names the checker cannot see (eval, a load it cannot read): it
   *  does not report unknown names then */
  openWorld = false;

  constructor(
    private readonly file: string,
    library: Map<string, Global>,
  ) {
    for (const [k, v] of library) this.globals.set(k, v);
    this.known = new Set(library.keys());
  }

  report(loc: Loc | undefined, message: string): void {
    const at = loc ?? { file: this.file, line: 1, col: 1 };
    this.findings.push({ file: at.file, line: at.line, col: at.col, message });
  }

  /** The file's own top-level definitions, wherever they are (a function may call one defined below it). */
  collect(forms: Value[], readLoaded?: (path: string) => string | undefined): void {
    const arities = new Map<string, (Arity | null)[]>();
    const loaded = new Set<string>();
    const visit = (f: Value) => {
      if (!(f instanceof Pair) || !(f.car instanceof Sym)) return;
      const [head, ...args] = listToArray(f);
      const h = (head as Sym).name;
      if (h === "begin" || h === "do") return args.forEach(visit);
      if (h === "load" && typeof args[0] === "string" && readLoaded !== undefined && loaded.size < MAX_LOADS) {
        // a file it loads defines names too: read its definitions (nothing runs)
        if (loaded.has(args[0])) return;
        loaded.add(args[0]);
        const text = readLoaded(args[0]);
        let more: Value[] | undefined;
        try {
          more = text === undefined ? undefined : readAll(text, args[0]);
        } catch {
          more = undefined;
        }
        if (more === undefined) this.openWorld = true;
        else more.forEach(visit);
        return;
      }
      if (h === "defmacro" && args[0] instanceof Sym) {
        this.own.add(args[0].name);
        return void this.globals.set(args[0].name, { kind: "macro" });
      }
      if ((h === "define" || h === "def") && args[0] instanceof Pair && args[0].car instanceof Sym) {
        return void push(args[0].car.name, arityOf(args[0].cdr));
      }
      if ((h === "define" || h === "def") && args[0] instanceof Sym) {
        const v = args[args.length - 1];
        const isFn = v instanceof Pair && (sym(v.car, "lambda") || sym(v.car, "fn"));
        return void push(args[0].name, isFn ? arityOf(fnParams(listToArray(v).slice(1))) : undefined);
      }
      if (h === "defn" && args[0] instanceof Sym) {
        const rest = args.slice(1);
        return void push(args[0].name, multiArity(rest) ? null : arityOf(fnParams(rest)));
      }
    };
    const push = (name: string, a: Arity | null | undefined) => {
      this.own.add(name);
      if (a === undefined) {
        this.globals.set(name, { kind: "value" });
        arities.delete(name);
        return;
      }
      arities.set(name, [...(arities.get(name) ?? []), a]);
    };
    forms.forEach(visit);
    // eval, or a load of a computed path or not at the top level: names may come from anywhere
    const opens = (f: Value): boolean =>
      f instanceof Pair &&
      (sym(f.car, "eval") || (sym(f.car, "load") && !forms.includes(f)) || listToArray(f).some(opens));
    if (
      forms.some((f) =>
        f instanceof Pair && sym(f.car, "load")
          ? typeof (f.cdr as Pair).car !== "string" || readLoaded === undefined
          : opens(f),
      )
    )
      this.openWorld = true;
    for (const [name, as] of arities) {
      const same = as.every((a) => a !== null && as[0] !== null && a[0] === as[0][0] && a[1] === as[0][1]);
      this.globals.set(name, { kind: "fn", arity: same ? as[0] : null });
    }
  }

  /** Checks one form in a scope (the local names visible there). */
  form(f: Value, scope: ReadonlySet<string>, loc: Loc | undefined): void {
    if (f instanceof Sym) return this.name(f.name, scope, loc);
    if (isVector(f)) {
      for (const x of f) this.form(x, scope, loc);
      return;
    }
    if (f instanceof LMap) {
      for (const [k, v] of f.entries()) {
        this.form(k, scope, loc);
        this.form(v, scope, loc);
      }
      return;
    }
    if (f instanceof Pair) this.call(f, scope, f.loc ?? loc);
  }

  private name(n: string, scope: ReadonlySet<string>, loc: Loc | undefined): void {
    if (this.openWorld || scope.has(n) || this.globals.has(n) || SPECIAL_FORMS.has(n)) return;
    const hint = didYouMean(n, new Set([...this.known, ...[...this.globals.keys()]]));
    this.report(loc, `undefined variable: ${n}${hint ? ` (${hint})` : ""}`);
  }

  private body(forms: Value[], scope: ReadonlySet<string>, loc: Loc | undefined): void {
    // a body's own defines are visible in all of it (letrec*)
    const inner = new Set(scope);
    for (const f of forms)
      if (f instanceof Pair && (sym(f.car, "define") || sym(f.car, "def") || sym(f.car, "defn"))) {
        const target = (f.cdr as Pair).car;
        if (target instanceof Sym) inner.add(target.name);
        else if (target instanceof Pair && target.car instanceof Sym) inner.add(target.car.name);
      }
    for (const f of forms) this.form(f, inner, loc);
  }

  /** Parameters and body of (lambda params body...) / (fn [params] body...) / (fn name [params] body...). */
  private fn(args: Value[], scope: ReadonlySet<string>, loc: Loc | undefined): void {
    let rest = args;
    const inner = new Set(scope);
    if (rest[0] instanceof Sym && rest.length > 1 && (isVector(rest[1]) || isSeqForm(rest[1]))) {
      inner.add(rest[0].name);
      rest = rest.slice(1);
    }
    patternNames(rest[0]).forEach((n) => inner.add(n));
    this.body(rest.slice(1), inner, loc);
  }

  /** A binding form: [pattern expr ...] or ((name expr) ...). Every name is visible in every
   *  expression (as letrec: no false unknowns for mutual recursion, at the price of not telling
   *  plain let's order apart). */
  private bindings(b: Value, scope: Set<string>, loc: Loc | undefined): void {
    const exprs: [Value, Loc | undefined][] = [];
    if (isVector(b)) {
      const bs = b.toArray();
      for (let i = 0; i < bs.length; i += 2) {
        if (bs[i] instanceof Keyword) {
          // doseq/for modifiers: :let [bindings], :when test, :while test
          if ((bs[i] as Keyword).name === "let") this.bindings(bs[i + 1], scope, loc);
          else exprs.push([bs[i + 1], loc]);
          continue;
        }
        patternNames(bs[i]).forEach((n) => scope.add(n));
        exprs.push([bs[i + 1], loc]);
      }
    } else {
      for (const item of items(b)) {
        if (item instanceof Pair) {
          patternNames(item.car).forEach((n) => scope.add(n));
          for (const x of items(item.cdr)) exprs.push([x, item.loc ?? loc]);
        } else patternNames(item).forEach((n) => scope.add(n));
      }
    }
    for (const [x, at] of exprs) this.form(x, scope, at);
  }

  private call(f: Pair, scope: ReadonlySet<string>, loc: Loc | undefined): void {
    const [head, ...args] = listToArray(f);
    if (!(head instanceof Sym) || scope.has(head.name)) {
      this.form(head, scope, loc);
      args.forEach((a) => this.form(a, scope, loc));
      return;
    }
    const h = head.name;
    // a name the file (or the library) defines is a call, whatever shape the checker knows it by
    const special = !this.globals.has(h) || SPECIAL_FORMS.has(h) ? this.special(h, args, scope, loc) : false;
    if (special) return;
    const g = this.globals.get(h);
    if (g?.kind === "macro") return; // its expansion decides what the arguments mean
    this.name(h, scope, loc);
    this.applied(h, args.length, args, loc);
    args.forEach((a) => this.form(a, scope, loc));
  }

  /** The checks of a call of global h with n arguments. */
  private applied(h: string, n: number, args: Value[], loc: Loc | undefined): void {
    const g = this.globals.get(h);
    if (g?.kind !== "fn" || g.arity === null) return;
    const [min, max] = g.arity;
    if (n < min || n > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      const spec = this.own.has(h) ? undefined : specFor(h);
      this.report(
        loc,
        `${h}: expected ${want} argument${want === "1" ? "" : "s"}, got ${n}${spec ? ` (usage: ${spec.usage})` : ""}`,
      );
      return;
    }
    const spec = this.own.has(h) ? undefined : specFor(h);
    const opts = spec ? optionsOf(spec.usage) : null;
    if (opts === null) return;
    for (let i = opts.from ?? 0; i < args.length; i++) {
      const a = args[i];
      if (!(a instanceof Keyword)) continue;
      if (opts.names.includes(a.name)) {
        i++;
        continue;
      }
      if (opts.from === null) continue; // in (select ch ... [:timeout ms]) a keyword may be an argument
      const close = suggestName(a.name, opts.names);
      this.report(
        loc,
        `${h}: unknown option :${a.name}${close ? ` (did you mean :${close}?)` : ""} (known: ${opts.names.map((o) => ":" + o).join(" ")})`,
      );
      i++; // its value
    }
  }

  /** The special forms (and the binding forms of Clojure) by their shape; false for a call. */
  private special(h: string, args: Value[], scope: ReadonlySet<string>, loc: Loc | undefined): boolean {
    const local = new Set(scope);
    switch (h) {
      case "quote":
        return true;
      case "quasiquote":
        this.quasi(args[0], scope, loc, 1);
        return true;
      case "define":
      case "def": {
        const target = args[0];
        if (target instanceof Pair) this.fn([target.cdr, ...args.slice(1)], scope, loc);
        else args.slice(1).forEach((a) => this.form(a, scope, loc));
        return true;
      }
      case "defn": {
        const rest = args.slice(1);
        if (typeof rest[0] === "string") rest.shift();
        if (multiArity(rest)) {
          // (defn f ([x] ...) ([x y] ...)): one body per arity
          for (const clause of rest) this.fn(items(clause), scope, loc);
        } else this.fn(rest, scope, loc);
        return true;
      }
      case "defmacro":
        this.fn(args.slice(1), scope, loc);
        return true;
      case "lambda":
      case "fn":
        this.fn(args, scope, loc);
        return true;
      case "let":
      case "let*":
      case "letrec":
      case "letrec*":
      case "loop":
      case "if-let":
      case "when-let":
      case "if-some":
      case "when-some":
      case "doseq":
      case "dotimes":
      case "for":
      case "binding":
      case "with-open": {
        // Clojure's binding forms, until the compiler has them: unknown, but their names bound
        if (!SPECIAL_FORMS.has(h)) this.name(h, scope, loc);
        let rest = args;
        if (rest[0] instanceof Sym) {
          // a named let: the name is a function of the bindings
          local.add(rest[0].name);
          rest = rest.slice(1);
        }
        this.bindings(rest[0], local, loc);
        this.body(rest.slice(1), local, loc);
        return true;
      }
      case "try":
        for (const a of args) {
          if (a instanceof Pair && sym(a.car, "catch")) {
            const parts = items(a).slice(1);
            // (catch e body...), or Clojure's (catch Exception e body...)
            const at = parts[1] instanceof Sym && parts[0] instanceof Sym && /^[A-Z]/.test(parts[0].name) ? 1 : 0;
            const inner = new Set(scope);
            patternNames(parts[at]).forEach((n) => inner.add(n));
            this.body(parts.slice(at + 1), inner, a.loc ?? loc);
          } else if (a instanceof Pair && sym(a.car, "finally")) this.body(items(a).slice(1), scope, a.loc ?? loc);
          else this.form(a, scope, loc);
        }
        return true;
      case "cond":
        for (const clause of args) {
          const parts = items(clause).filter((p) => !sym(p, "=>"));
          if (sym(parts[0], "else")) parts.shift();
          this.body(parts, scope, (clause as Pair).loc ?? loc);
        }
        return true;
      case "begin":
      case "do":
      case "when":
      case "unless":
        // a body: a define in it is visible in all of it
        this.body(args, scope, loc);
        return true;
      case "case":
        this.form(args[0], scope, loc);
        for (const clause of args.slice(1))
          items(clause)
            .slice(1)
            .forEach((p) => this.form(p, scope, loc));
        return true;
      case "->":
      case "->>":
        this.form(args[0], scope, loc);
        for (const step of args.slice(1)) {
          if (
            step instanceof Pair &&
            step.car instanceof Sym &&
            !scope.has(step.car.name) &&
            !SPECIAL_FORMS.has(step.car.name)
          ) {
            const stepArgs = listToArray(step.cdr);
            const g = this.globals.get(step.car.name);
            if (g?.kind === "macro") continue;
            this.name(step.car.name, scope, step.loc ?? loc);
            this.applied(step.car.name, stepArgs.length + 1, [], step.loc ?? loc);
            stepArgs.forEach((a) => this.form(a, scope, step.loc ?? loc));
          } else if (step instanceof Sym && !scope.has(step.name)) {
            this.name(step.name, scope, loc);
            this.applied(step.name, 1, [], loc);
          } else this.form(step, scope, loc);
        }
        return true;
      default:
        if (!SPECIAL_FORMS.has(h)) return false;
        // if, begin, do, and, or, when, unless, set!: every argument is an expression
        args.forEach((a) => this.form(a, scope, loc));
        return true;
    }
  }

  private quasi(f: Value, scope: ReadonlySet<string>, loc: Loc | undefined, depth: number): void {
    if (f instanceof Pair) {
      if (sym(f.car, "unquote") || sym(f.car, "unquote-splicing")) {
        const arg = (f.cdr as Pair).car;
        if (depth === 1) this.form(arg, scope, f.loc ?? loc);
        else this.quasi(arg, scope, loc, depth - 1);
        return;
      }
      if (sym(f.car, "quasiquote")) return this.quasi((f.cdr as Pair).car, scope, loc, depth + 1);
      for (const x of listToArray(f)) this.quasi(x, scope, f.loc ?? loc, depth);
    } else if (isVector(f)) for (const x of f) this.quasi(x, scope, loc, depth);
    else if (f instanceof LMap)
      for (const [k, v] of f.entries()) this.quasi(k, scope, loc, depth), this.quasi(v, scope, loc, depth);
  }
}

/** (defn f ([x] ...) ([x y] ...)) after the name (and doc string): a list of clauses. */
function multiArity(rest: Value[]): boolean {
  const first = typeof rest[0] === "string" ? rest[1] : rest[0];
  return first instanceof Pair && (isVector(first.car) || first.car instanceof Pair);
}

/** The parameter list of a defn/fn after its name: skips a doc string. */
function fnParams(rest: Value[]): Value {
  return typeof rest[0] === "string" && rest.length > 1 ? rest[1] : rest[0];
}

let libraryCache: Map<string, Global> | null = null;

/** The library's names: builtins (and their aliases) with their arities, the prelude's functions. */
function library(): Map<string, Global> {
  if (libraryCache) return libraryCache;
  const lib = new Map<string, Global>();
  for (const s of allSpecs()) if (!s.name.startsWith("%")) lib.set(s.name, { kind: "fn", arity: s.arity });
  for (const [alias, { to }] of Object.entries(ALIASES)) {
    const s = specFor(to);
    if (s) lib.set(alias, { kind: "fn", arity: s.arity });
  }
  const prelude = new Checker("prelude.lisp", new Map());
  prelude.collect(readAll(preludeText(), "prelude.lisp"));
  for (const [name, g] of prelude.globals) if (!name.startsWith("%")) lib.set(name, g);
  libraryCache = lib;
  return lib;
}

/** How many files a check follows through top-level (load "path") forms. */
const MAX_LOADS = 100;

/** What `skein check` finds in a program's text, in the order of the text. A reader error is
 *  the one finding (nothing after it can be read). readLoaded gives the text of a file the
 *  program loads, as (load path) would find it (or undefined): its definitions count. Without
 *  it, or when the program uses eval or loads a computed path, unknown names are not reported
 *  (they may come from there); arity and options still are. */
export function checkSource(
  code: string,
  fileName: string,
  readLoaded?: (path: string) => string | undefined,
): Finding[] {
  let forms: Value[];
  let locs: Loc[];
  try {
    ({ forms, locs } = readAllWithLocs(code, fileName));
  } catch (e) {
    if (!(e instanceof LispError)) throw e;
    const at = e.loc ?? { file: fileName, line: 1, col: 1 };
    return [{ file: at.file, line: at.line, col: at.col, message: e.message }];
  }
  const c = new Checker(fileName, library());
  c.collect(forms, readLoaded);
  forms.forEach((f, i) => c.form(f, new Set(), locs[i]));
  return c.findings.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** A finding as the command line prints it: file:line:col: message. */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.col}: ${f.message}`;
}
