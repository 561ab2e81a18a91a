// System builtins: the script's arguments and environment, exit, clocks, the working
// directory, and reading source files for load.
import { readFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { raise } from "../core/error.js";
import { arrayToList } from "../core/types.js";
import { Block } from "../vm/objects.js";
import { builtins } from "../lib/registry.js";
import { num, str } from "../lib/args.js";
import { contextOf } from "../session/context.js";
import { denied } from "./guard.js";

const def = builtins("system");
const defCore = builtins("core");

// ---- system --------------------------------------------------------------------------

def({ name: "command-line-args", arity: [0, 0], usage: "(command-line-args)", doc: "The script's arguments as a list of strings.", examples: [] },
  (_a, m) => arrayToList(contextOf(m).host.argv));
def({ name: "getenv", arity: [1, 1], usage: "(getenv name)", doc: "The environment variable's value, or nil. In the sandbox it needs --allow-env (or --allow-env=NAME); without it the result is an error value such as {:error \"permission denied: getenv HOME (run with --allow-env)\"}.", examples: [], capability: "env" },
  (a, m) => {
    const name = str("getenv", a[0]);
    const no = denied(m, "getenv", "env", name);
    if (no) return no;
    const env = contextOf(m).host.env;
    return Object.hasOwn(env, name) ? env[name] ?? null : null; // not "constructor" from the prototype
  });
def({ name: "exit", arity: [0, 1], usage: "(exit [code])", doc: "Ends the program with the exit status (default 0).", examples: [] },
  (a, m) => {
    contextOf(m).exit(a.length ? num("exit", a[0]) : 0);
    return new Block({ op: "exit", loc: undefined, park: () => undefined });
  });
def({ name: "now", arity: [0, 0], usage: "(now)", doc: "Milliseconds since the Unix epoch.", examples: [["(number? (now))", "#t"]] },
  (_a, m) => contextOf(m).scheduler.clock.epochMs());
def({ name: "monotonic-ms", arity: [0, 0], usage: "(monotonic-ms)", doc: "A monotonic clock in milliseconds, for measuring durations.", examples: [["(number? (monotonic-ms))", "#t"]] },
  (_a, m) => contextOf(m).scheduler.now());
def({ name: "cwd", arity: [0, 0], usage: "(cwd)", doc: "The current working directory.", examples: [["(string? (cwd))", "#t"]] },
  (_a, m) => contextOf(m).host.cwd);

defCore({ name: "%read-file-forms", arity: [1, 1], usage: "(%read-file-forms path)", doc: "Reads every form of a source file (for load).", examples: [] },
  (a, m) => {
    const path = str("load", a[0]);
    const abs = resolvePath(contextOf(m).host.cwd, path);
    const no = denied(m, "load", "read", abs, path);
    if (no) raise(no.message, no.data);
    let text: string;
    try { text = readFileSync(abs, "utf8"); } catch (e) { raise(`load: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    return arrayToList(contextOf(m).read(text, path));
  });
