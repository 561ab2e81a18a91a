// A function crossing to a worker thread as code: its source (Code.origin), the values it
// captured, and the user's global definitions it reaches, transitively (functions, macros, data).
// The worker rebuilds them in a session of its own. What cannot cross (atoms, channels, tasks,
// connections, anything else that lives in this thread) is refused here, before any work starts,
// naming the variable and where it was captured.
import { raise } from "../core/error.js";
import { Atom, ErrorValue, Pair, Sym, formatLoc, list, arrayToList, type Value } from "../core/types.js";
import { Builtin, Closure, Macro } from "../vm/objects.js";
import { Channel } from "../runtime/channel.js";
import { Task } from "../runtime/task.js";
import type { SessionContext } from "../session/context.js";
import type { Session } from "../session/session.js";
import { decode, encode, type Enc } from "./codec.js";
import { isPrintable } from "../syntax/printer.js";

/** A function rebuilt in the worker: (lambda (captured...) (define name (lambda params body...)) name). */
interface FnDef {
  name: string;
  params: Enc;
  body: Enc[];
  /** captured variables and their values */
  caps: [string, Enc][];
  /** rebuilt under its own name by a local define (so errors name it and it can call itself):
   *  unless it is anonymous or uses another variable of that name */
  named: boolean;
  /** the caller's global of its name that calls itself through it, capturing nothing: rebuilt
   *  by a top-level define, so that those calls go through the global, as at home (and run as
   *  fast) */
  global: boolean;
  loc: [string, number, number] | null;
}

/** A function and everything it needs, as it crosses. */
export interface Pack {
  fns: FnDef[];
  /** the user's globals the function reaches, each after what it needs: [name, value, is a macro] */
  globals: [string, Enc, boolean][];
  fn: Enc;
  /** the text of the files the code came from, so errors in a worker show the line */
  sources: [string, string][];
}

/** What cannot cross, described for the message: its kind and what to do instead. */
export function refusal(v: Value): { what: string; hint: string } {
  if (v instanceof Atom)
    return {
      what: "an atom",
      hint: "return values from the function and combine them after the call, or make the atom inside the function",
    };
  if (v instanceof Channel)
    return { what: "a channel", hint: "return values from the function instead of sending them on a channel" };
  if (v instanceof Task) return { what: "a task", hint: "await the task before the call and pass its result" };
  if (v === undefined) return { what: "not defined yet", hint: "define it before the call" };
  const tag = isPrintable(v) ? v.printTag().replace(/^#<([\w-]+).*$/, "$1") : typeof v;
  return {
    what: `a ${tag}`,
    hint: "open connections and other resources inside the function, so each item has its own",
  };
}

/** Packs f for the workers; raises (op: ...) when something it reaches cannot cross. */
export function pack(s: SessionContext, op: string, f: Value): Pack {
  const fns: FnDef[] = [];
  const index = new Map<Closure, number>();
  /** closures being packed: one met again is a cycle */
  const open = new Set<Closure>();
  const seenGlobals = new Set<string>();
  const globals: [string, Enc, boolean][] = [];
  const files = new Set<string>();

  const refuse = (v: Value, name: string, where: string): never => {
    const { what, hint } = refusal(v);
    raise(`${op}: cannot send ${name} to another core: it is ${what}, ${where}; ${hint}`);
  };

  /** captured: held by a closure being packed (rather than reached through a global's cell) */
  const value = (v: Value, name: string, where: string, captured = false): Enc => {
    try {
      return encode(v, (x) => {
        if (x instanceof Closure) return closure(x, name, where, captured);
        if (x instanceof Builtin) return ["b", x.name];
        return refuse(x, name, where);
      });
    } catch (e) {
      if (e instanceof ErrorValue) raise(`${op}: cannot send ${name} to another core: ${e.message}`);
      throw e;
    }
  };

  const closure = (c: Closure, name: string, where: string, captured: boolean): Enc => {
    const lib = s.libraryValue(c.code.name);
    if (lib === c) return ["b", c.code.name]; // the library's own function: every session has it
    const known = index.get(c);
    if (known !== undefined) {
      // a closure that captures one that captures it back cannot be rebuilt one after the other
      if (captured && open.has(c))
        raise(
          `${op}: cannot send ${name} to another core: the local functions ${c.code.name} and the one it calls capture each other; define them at the top level`,
        );
      return ["f", known];
    }
    const origin = c.code.origin;
    if (origin === null) return refuse(c, name, where);
    const i = fns.length;
    index.set(c, i);
    open.add(c);
    const at = c.code.loc;
    if (at) files.add(at.file);
    const fnName = c.code.name;
    const def: FnDef = {
      name: fnName,
      params: value(origin.params, name, where),
      body: [],
      caps: [],
      named: fnName !== "anonymous",
      global: false,
      loc: at ? [at.file, at.line, at.col] : null,
    };
    fns.push(def);
    // macros are expanded when the worker compiles the body: the user's ones it names go first
    for (const sym of symbolsIn(origin.body)) {
      const m = s.cell(sym.name).v;
      if (m instanceof Macro) global(sym.name, `used by ${fnName}`);
    }
    for (const ref of origin.outside()) {
      // a variable of its own name that is not itself: the local define would hide it
      if (ref.name === fnName) {
        // itself through the global of its name: rebuilt as that global; another variable of
        // its name: the local define would hide it
        if ("global" in ref && s.cell(fnName).v === c) def.global = true;
        else def.named = false;
      }
      if ("global" in ref) {
        global(ref.name, `used by ${fnName}${at ? ` at ${formatLoc(at)}` : ""}`);
        continue;
      }
      let env = c.env as Value[];
      for (let d = 0; d < ref.depth; d++) env = env[0] as Value[];
      const v = env[ref.slot];
      if (v === c && ref.name === fnName) {
        def.named = fnName !== "anonymous"; // itself, by its own name: the local define provides it
        continue;
      }
      const capturedAt = `captured by ${fnName === "anonymous" ? "the function" : fnName}${at ? ` at ${formatLoc(at)}` : ""}`;
      def.caps.push([
        ref.name,
        v === undefined ? refuse(v, ref.name, capturedAt) : value(v, ref.name, capturedAt, true),
      ]);
    }
    def.body = origin.body.map((form) => value(form, name, where));
    if (def.caps.length > 0) def.global = false;
    open.delete(c);
    return ["f", i];
  };

  /** A global the function reaches: sent when the user defined it (the library is everywhere). */
  const global = (name: string, where: string): void => {
    if (seenGlobals.has(name)) return;
    seenGlobals.add(name);
    const v = s.cell(name).v;
    if (v === undefined || v === s.libraryValue(name)) return;
    if (v instanceof Macro) {
      const fn = closure(v.fn, name, `the macro ${name}`, false);
      globals.push([name, fn, true]);
      return;
    }
    globals.push([name, value(v, name, `the global ${name}, ${where}`), false]);
  };

  const fn = value(f, "the function", `the function given to ${op}`);
  const sources: [string, string][] = [];
  for (const file of files) {
    const text = s.sources.get(file);
    if (text !== undefined) sources.push([file, text]);
  }
  return { fns, globals, fn, sources };
}

/** Every symbol in some forms (for the macros they may call). */
function symbolsIn(forms: readonly Value[]): Set<Sym> {
  const out = new Set<Sym>();
  const walk = (x: Value, depth: number) => {
    if (depth > 1000) return;
    if (x instanceof Sym) out.add(x);
    else if (x instanceof Pair) for (let p: Value = x; p instanceof Pair; p = p.cdr) walk(p.car, depth + 1);
  };
  for (const f of forms) walk(f, 0);
  return out;
}

const S = { lambda: Sym.of("lambda"), define: Sym.of("define") };

/** Rebuilds a pack in a worker's session: defines its globals and returns the function.
 *  `cache` keeps the functions rebuilt in that session by their definitions: a later call with
 *  the same code (and the same captured values) reuses them, already compiled and warm. */
export function unpack(session: Session, p: Pack, cache: Map<string, Value>): Value {
  for (const [file, text] of p.sources) session.sources.set(file, text);
  const built = new Map<number, Value>();
  const fnsKey = JSON.stringify(p.fns);
  const other = (tag: string, e: readonly unknown[]): Value => {
    if (tag === "b") return session.libraryValue(e[1] as string);
    if (tag === "f") return build(e[1] as number);
    throw new Error(`unknown tag ${tag}`);
  };
  const build = (i: number): Value => {
    const done = built.get(i);
    if (done !== undefined) return done;
    const key = `${i} ${fnsKey}`;
    const cached = cache.get(key);
    if (cached !== undefined) {
      built.set(i, cached);
      return cached;
    }
    const d = p.fns[i];
    const loc = d.loc ? { file: d.loc[0], line: d.loc[1], col: d.loc[2] } : undefined;
    const lambda = new Pair(S.lambda, arrayToList([decode(d.params, other), ...d.body.map((b) => decode(b, other))]));
    lambda.loc = loc;
    const self = Sym.of(d.name);
    const why = `rebuilding ${d.name}`;
    let fn: Value;
    if (d.global) {
      session.runSync(session.compiler.compileToplevel(list(S.define, self, lambda), loc), [], why);
      fn = session.cell(d.name).v;
    } else {
      const capNames = d.caps.map(([n]) => Sym.of(n));
      const body = d.named ? [list(S.define, self, lambda), self] : [lambda];
      const maker = session.runSync(
        session.compiler.compileToplevel(list(S.lambda, arrayToList(capNames), ...body), loc),
        [],
        why,
      );
      fn = session.runSync(
        maker,
        d.caps.map(([, v]) => decode(v, other)),
        why,
      );
    }
    built.set(i, fn);
    if (cache.size >= 256) cache.clear(); // a script that makes new code for every call
    cache.set(key, fn);
    return fn;
  };
  for (const [name, v, isMacro] of p.globals) {
    const x = decode(v, other);
    session.cell(name).v = isMacro ? new Macro(name, x as Closure) : x;
  }
  return decode(p.fn, other);
}
