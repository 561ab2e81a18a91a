#!/usr/bin/env node
// Keeps the import directions of docs/ARCHITECTURE.md §1 over src/, and keeps src/ free of
// runtime import cycles. Exits 1 naming every violation (file:line, the import, the rule it breaks).
//
//   core                            ← nothing
//   syntax                          → core
//   vm                              → syntax, core
//   compiler                        → vm, syntax, core
//   runtime                         → core             (the scheduler knows nothing of the evaluator)
//   sandbox                         → core             (policy: capabilities, grants, flags, paths)
//   lib                             → session/context, vm, runtime, syntax, core, sandbox
//   host                            → lib, session/context, vm, runtime, syntax, core, sandbox
//   session                         → compiler, vm, runtime, syntax, core, sandbox, lib, host
//   mcp                             → workers, session, host, lib, sandbox, ... and cli (skein mcp's server)
//   workers                         → session, lib, host, compiler, vm, runtime, syntax, core, sandbox
//                                     (worker threads, each running sessions; lib reaches them
//                                     only through the Host's `cores`, typed in session/context)
//   cli                             → anything
//   prelude                         is Lisp: no TypeScript at all
//
// "session/context" means the files of session/ that builtins may see (SESSION_FACE below): the
// interface they are given and the task type; never session.ts, which imports lib/ and host/ to
// register their builtins.
// Type-only imports count for the directions: they are dependencies of the design even when
// erased. They do not count for cycles, since they vanish at run time; a documented type-only
// cycle is allowed (TYPE_CYCLES_OK lists none today).
// Node built-ins outside cli, host, sandbox, session and workers, and `process` outside cli, are reported
// as notes: the outside world should come through the Host. Notes do not fail.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = resolve(process.env.CHECK_LAYERS_SRC ?? join(ROOT, "src"));

/** For each layer, the layers it may import (itself always allowed). */
const ALLOWED = {
  core: [],
  syntax: ["core"],
  vm: ["syntax", "core"],
  compiler: ["vm", "syntax", "core"],
  runtime: ["core"],
  sandbox: ["core"],
  lib: ["session", "vm", "runtime", "syntax", "core", "sandbox"],
  host: ["lib", "session", "vm", "runtime", "syntax", "core", "sandbox"],
  session: ["compiler", "vm", "runtime", "syntax", "core", "sandbox", "lib", "host"],
  mcp: ["cli", "workers", "session", "host", "lib", "sandbox", "vm", "runtime", "syntax", "core"],
  workers: ["session", "lib", "host", "compiler", "vm", "runtime", "syntax", "core", "sandbox"],
  cli: "*",
  prelude: [],
};
/** The files of session/ that lib/ and host/ may import. */
const SESSION_FACE = new Set(["session/context.ts", "session/task-machine.ts"]);
/** Layers that may import Node built-ins without a note. */
const MAY_USE_NODE = new Set(["cli", "host", "sandbox", "session", "mcp", "workers"]);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const inSrc = (file) => relative(SRC, file).split(sep).join("/");
const layerOf = (file) => inSrc(file).split("/")[0];

/** Every import specifier in a TypeScript source, with its line and whether it is type-only:
 *  static, re-export, side-effect, dynamic. */
function importsOf(text) {
  const found = [];
  const patterns = [
    [
      /\bimport\s+(type\s+)?([^'"`;]*?)\bfrom\s*["']([^"']+)["']/g,
      (m) => ({
        spec: m[3],
        typeOnly: !!m[1] || /^\{\s*(type\s+[\w$]+(\s+as\s+[\w$]+)?\s*,?\s*)+\}\s*$/.test(m[2].trim()),
      }),
    ],
    [
      /\bexport\s+(type\s+)?(?:\*|\{[^}]*\})\s*(?:as\s+\w+\s*)?from\s*["']([^"']+)["']/g,
      (m) => ({ spec: m[2], typeOnly: !!m[1] }),
    ],
    [/\bimport\s*["']([^"']+)["']/g, (m) => ({ spec: m[1], typeOnly: false })],
    [/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, (m) => ({ spec: m[1], typeOnly: false })],
  ];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/\/\/[^\n]*/g, "");
  for (const [re, shape] of patterns) {
    for (const m of code.matchAll(re)) {
      const line = code.slice(0, m.index).split("\n").length;
      found.push({ ...shape(m), line });
    }
  }
  return found;
}

const violations = [];
const notes = [];
const files = walk(SRC);
/** runtime (value) imports between files of src/, for the cycle check */
const graph = new Map();

for (const file of files) {
  const layer = layerOf(file);
  const rel = relative(ROOT, file);
  if (!(layer in ALLOWED)) {
    violations.push(
      `${rel}: file outside the known layers (${Object.keys(ALLOWED).join(", ")}); add it to ARCHITECTURE §1 and this checker`,
    );
    continue;
  }
  if (!/\.(ts|mts|cts|js|mjs)$/.test(file)) continue;
  if (layer === "prelude") {
    violations.push(`${rel}: the prelude is Lisp; TypeScript belongs in lib`);
    continue;
  }
  const text = readFileSync(file, "utf8");
  const edges = [];
  graph.set(file, edges);
  for (const { spec, line, typeOnly } of importsOf(text)) {
    if (spec.startsWith(".")) {
      const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
      if (!target.startsWith(SRC + sep)) {
        violations.push(`${rel}:${line}: imports ${spec}, outside src/`);
        continue;
      }
      if (!typeOnly) edges.push({ target, line, spec });
      const to = layerOf(target);
      const allowed = ALLOWED[layer];
      if (to !== layer && allowed !== "*" && !allowed.includes(to)) {
        violations.push(
          `${rel}:${line}: ${layer} imports ${to} (${spec}); ${allowed.length ? `${layer} may import only ${allowed.join(", ")}` : `${layer} may import no other layer`}`,
        );
      } else if (to === "session" && (layer === "lib" || layer === "host") && !SESSION_FACE.has(inSrc(target))) {
        violations.push(
          `${rel}:${line}: ${layer} imports ${inSrc(target)}; builtins see the session only through ${[...SESSION_FACE].join(" and ")}`,
        );
      }
    } else if (
      (spec.startsWith("node:") || /^(fs|path|os|child_process|http|https|net|url|worker_threads)(\/|$)/.test(spec)) &&
      !MAY_USE_NODE.has(layer)
    ) {
      notes.push(
        `${rel}:${line}: ${layer} imports the Node built-in ${spec}; the outside world should come through the Host`,
      );
    }
  }
  if (layer !== "cli") {
    const code = text.replace(/\/\/[^\n]*/g, "");
    const lines = code.split("\n");
    lines.forEach((l, i) => {
      if (/(?<![\w./])process\.\w+/.test(l))
        notes.push(
          `${rel}:${i + 1}: ${layer} uses process (${l.trim().slice(0, 70)}); only cli should touch the process`,
        );
    });
  }
}

// Runtime import cycles: strongly connected components of the value-import graph (Tarjan).
{
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const { target } of graph.get(v) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(v, Math.min(low.get(v), low.get(target)));
      } else if (onStack.has(target)) low.set(v, Math.min(low.get(v), index.get(target)));
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) {
        const names = scc.map((f) => relative(ROOT, f)).sort();
        violations.push(
          `runtime import cycle between ${names.join(", ")}; make one side import only types, or move what both need below them`,
        );
      }
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
}

for (const n of notes) process.stdout.write(`note: ${n}\n`);
if (violations.length) {
  for (const v of violations) process.stderr.write(`layer violation: ${v}\n`);
  process.stderr.write(
    `${violations.length} layer violation${violations.length === 1 ? "" : "s"} in ${files.length} files under src/\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `layers ok: ${files.length} files under src/ keep the import directions of docs/ARCHITECTURE.md, with no runtime import cycle\n`,
);
