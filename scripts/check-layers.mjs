#!/usr/bin/env node
// Keeps the import directions of docs/ARCHITECTURE.md §1 over src/: each layer imports only the
// layers below it. Exits 1 naming every violation (file:line, the import, the rule it breaks).
//
//   values, errors  ← nothing (errors may import values)
//   reader          → values, errors
//   eval            → reader, values, errors
//   runtime         → values, errors            (the scheduler knows nothing of eval)
//   stdlib          → eval, runtime, reader, values, errors
//   cli             → anything
//   prelude         is Lisp: no TypeScript at all
//
// Type-only imports count too: they are dependencies of the design even when erased.
// Node built-ins (node:fs, ...) are reported as notes outside cli and stdlib, and `process`
// outside cli, since the cli is the one layer meant to touch the process; notes do not fail.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = resolve(process.env.CHECK_LAYERS_SRC ?? join(ROOT, "src"));

/** For each layer, the layers it may import (itself always allowed). */
const ALLOWED = {
  values: [],
  errors: ["values"],
  reader: ["values", "errors"],
  eval: ["reader", "values", "errors"],
  runtime: ["values", "errors"],
  stdlib: ["eval", "runtime", "reader", "values", "errors"],
  cli: "*",
  prelude: [],
};
/** Layers that may import Node built-ins without a note. */
const MAY_USE_NODE = new Set(["cli", "stdlib"]);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const layerOf = (file) => relative(SRC, file).split(sep)[0];

/** Every import specifier in a TypeScript source, with its line: static, re-export, side-effect, dynamic. */
function importsOf(text) {
  const found = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'"`;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})\s*(?:as\s+\w+\s*)?from\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/\/\/[^\n]*/g, "");
  for (const re of patterns) {
    for (const m of code.matchAll(re)) {
      const line = code.slice(0, m.index).split("\n").length;
      found.push({ spec: m[1], line });
    }
  }
  return found;
}

const violations = [];
const notes = [];
const files = walk(SRC);

for (const file of files) {
  const layer = layerOf(file);
  const rel = relative(ROOT, file);
  if (!(layer in ALLOWED)) {
    violations.push(`${rel}: file outside the known layers (${Object.keys(ALLOWED).join(", ")}); add it to ARCHITECTURE §1 and this checker`);
    continue;
  }
  if (!/\.(ts|mts|cts|js|mjs)$/.test(file)) continue;
  if (layer === "prelude") { violations.push(`${rel}: the prelude is Lisp; TypeScript belongs in stdlib`); continue; }
  const text = readFileSync(file, "utf8");
  for (const { spec, line } of importsOf(text)) {
    if (spec.startsWith(".")) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + sep)) { violations.push(`${rel}:${line}: imports ${spec}, outside src/`); continue; }
      const to = layerOf(target);
      const allowed = ALLOWED[layer];
      if (to !== layer && allowed !== "*" && !allowed.includes(to)) {
        violations.push(`${rel}:${line}: ${layer} imports ${to} (${spec}); ${allowed.length ? `${layer} may import only ${allowed.join(", ")}` : `${layer} may import no other layer`}`);
      }
    } else if ((spec.startsWith("node:") || /^(fs|path|os|child_process|http|https|net|url|worker_threads)(\/|$)/.test(spec)) && !MAY_USE_NODE.has(layer)) {
      notes.push(`${rel}:${line}: ${layer} imports the Node built-in ${spec}; the outside world should come through the Host`);
    }
  }
  if (layer !== "cli") {
    const code = text.replace(/\/\/[^\n]*/g, "");
    const lines = code.split("\n");
    lines.forEach((l, i) => {
      if (/\bprocess\.\w+/.test(l)) notes.push(`${rel}:${i + 1}: ${layer} uses process (${l.trim().slice(0, 70)}); only cli should touch the process`);
    });
  }
}

for (const n of notes) process.stdout.write(`note: ${n}\n`);
if (violations.length) {
  for (const v of violations) process.stderr.write(`layer violation: ${v}\n`);
  process.stderr.write(`${violations.length} layer violation${violations.length === 1 ? "" : "s"} in ${files.length} files under src/\n`);
  process.exit(1);
}
process.stdout.write(`layers ok: ${files.length} files under src/ keep the import directions of docs/ARCHITECTURE.md\n`);
