// The documentation stays true: docs/reference.md matches the registry (scripts/gen-docs.mjs
// --check), every example in the registry gives its documented result in a real interpreter,
// and so do the examples of README.md and docs/*.md (see "checked examples" below).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { Session } from "../src/session/session.js";
import { allSpecs } from "../src/lib/registry.js";
import { write } from "../src/syntax/printer.js";
import type { Host } from "../src/session/session.js";
import { fakeHost, projectRoot } from "./helpers.js";

/** Evaluates one example as a whole program in a fresh session; the write form of its value, or the failure. */
async function evaluateExample(expr: string): Promise<string> {
  const session = new Session(fakeHost());
  let forms;
  try {
    forms = session.read(expr, "example");
  } catch (e) {
    return `read error: ${(e as Error).message}`;
  }
  const outcome = await session.run(forms, "example");
  if (outcome.status !== "done") return `${outcome.status}: ${outcome.error?.message ?? "no value"}`;
  return write(outcome.value);
}

test("docs/reference.md is generated from the current registry (npm run docs)", () => {
  const root = projectRoot();
  const r = spawnSync(process.execPath, [join(root, "scripts", "gen-docs.mjs"), "--check"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, `gen-docs --check failed:\n${r.stderr}${r.stdout}`);
});

test("every builtin has a usage line naming it and a doc string", () => {
  const bad: string[] = [];
  for (const spec of allSpecs()) {
    if (!spec.usage.startsWith(`(${spec.name}`) && !spec.usage.startsWith(`${spec.name}`))
      bad.push(`${spec.name}: usage ${JSON.stringify(spec.usage)}`);
    if (!spec.doc.trim()) bad.push(`${spec.name}: empty doc string`);
  }
  assert.deepEqual(bad, []);
});

test("every registry example evaluates to its documented result", async (t) => {
  for (const spec of allSpecs()) {
    if (spec.examples.length === 0) continue;
    await t.test(spec.name, async () => {
      const failures: string[] = [];
      for (const [expr, expected] of spec.examples) {
        const got = await evaluateExample(expr);
        if (got !== expected) failures.push(`${expr}\n    expected ${expected}\n    got      ${got}`);
      }
      assert.equal(failures.length, 0, `examples of ${spec.name} that do not hold:\n  ${failures.join("\n  ")}`);
    });
  }
});

// ---- checked examples in README.md and docs/*.md ------------------------------------------
//
// A ```lisp block followed (after blank lines only) by a ```text block is run as a whole
// program (file name example.lisp); the text block is what the terminal shows: stdout and
// stderr in the order written, then the rendered error if the program failed.
// In any other ```lisp block, each line `EXPR ;=> RESULT` is checked: EXPR (one whole form on
// that line) must give RESULT in write form; `EXPR ;!> MESSAGE` must raise MESSAGE. The
// block's other lines run too, in order, as the definitions those lines need.
// ```lisp blocks with neither are illustrations and are not run.

interface Block {
  lang: string;
  text: string;
  line: number;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push({ lang: open[1], text: body.join("\n"), line: start + 1 });
  }
  return blocks;
}

/** Whether only blank lines separate two blocks in the markdown. */
function adjacent(markdown: string, a: Block, b: Block): boolean {
  const lines = markdown.split("\n");
  const closingFence = a.line + a.text.split("\n").length; // 0-based index of a's closing fence
  return lines.slice(closingFence + 1, b.line - 1).every((l) => l.trim() === "");
}

/** Runs a program; returns what a terminal would show. */
async function transcript(source: string): Promise<string> {
  let shown = "";
  const host: Host = {
    stdout(t: string) {
      shown += t;
    },
    stderr(t: string) {
      shown += t;
    },
    stderrIsTTY: false,
    cwd: process.cwd(),
    argv: [],
    env: {},
    exit() {
      /* the outcome says it */
    },
  };
  const session = new Session(host);
  let forms;
  try {
    forms = session.read(source, "example.lisp");
  } catch (e) {
    return shown + session.renderError(e as never);
  }
  const outcome = await session.run(forms, "example.lisp");
  if (outcome.error) shown += session.renderError(outcome.error) + "\n";
  return shown;
}

/** Turns the `;=>` and `;!>` lines of a block into a program that prints what each gives. */
function valueProgram(text: string): { program: string; expected: string } | null {
  const program: string[] = [];
  const expected: string[] = [];
  let checks = 0;
  for (const line of text.split("\n")) {
    const m = /^(.*?)\s*;([=!])>\s?(.*)$/.exec(line);
    if (!m || m[1].trim() === "") {
      program.push(line);
      continue;
    }
    checks++;
    if (m[2] === "=") {
      program.push(`(prn ${m[1]})`);
      expected.push(m[3]);
    } else {
      program.push(`(println (try (identity ${m[1]}) (catch e (str "raises: " (error-msg e)))))`);
      expected.push(`raises: ${m[3]}`);
    }
  }
  return checks ? { program: program.join("\n"), expected: expected.join("\n") } : null;
}

function docFiles(root: string): string[] {
  const docs = join(root, "docs");
  const files = [join(root, "README.md")];
  if (existsSync(docs)) {
    for (const f of readdirSync(docs).sort()) if (f.endsWith(".md") && f !== "reference.md") files.push(join(docs, f));
  }
  return files.filter((f) => existsSync(f));
}

test("the examples in README.md and docs/*.md show what the interpreter does", async (t) => {
  const root = projectRoot();
  for (const file of docFiles(root)) {
    const markdown = readFileSync(file, "utf8");
    const blocks = fencedBlocks(markdown);
    const name = file.slice(root.length + 1);
    await t.test(name, async () => {
      const failures: string[] = [];
      for (let i = 0; i < blocks.length; i++) {
        const b = blocks[i];
        if (b.lang !== "lisp") continue;
        const next = blocks[i + 1];
        if (next && next.lang === "text" && adjacent(markdown, b, next)) {
          const got = (await transcript(b.text)).trimEnd();
          if (got !== next.text.trimEnd())
            failures.push(`${name}:${b.line}: the program prints\n${got}\n--- but the doc shows\n${next.text}`);
          continue;
        }
        const vp = valueProgram(b.text);
        if (!vp) continue;
        const got = (await transcript(vp.program)).trimEnd();
        if (got !== vp.expected.trimEnd())
          failures.push(`${name}:${b.line}: the lines give\n${got}\n--- but the doc shows\n${vp.expected}`);
      }
      assert.equal(failures.length, 0, failures.join("\n\n"));
    });
  }
});

test("the documents that skein --help points to are in the package (package.json files)", () => {
  const root = projectRoot();
  const help = spawnSync(process.execPath, [join(root, "bin", "skein"), "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0, help.stderr);
  const named = [...new Set(help.stdout.match(/\bdocs\/[\w./-]*|\bREADME\.md\b/g) ?? [])];
  assert.ok(
    named.some((p) => p.startsWith("docs/")),
    `skein --help names documents:\n${help.stdout}`,
  );
  const { files } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { files: string[] };
  for (const path of named) {
    assert.ok(existsSync(join(root, path)), `${path} exists`);
    // npm always packs README.md; anything else must be under an entry of "files"
    const shipped =
      path === "README.md" || files.some((f) => path.replace(/\/$/, "") === f || path.startsWith(`${f}/`));
    assert.ok(shipped, `${path} is in package.json "files" (${files.join(", ")})`);
  }
});

// Issue 10 §1: `skein guide` is the language in one context window, generated so it cannot drift.
test("skein guide prints docs/guide.md, within 32 KB, naming every builtin and prelude function", () => {
  const root = projectRoot();
  const r = spawnSync(process.execPath, [join(root, "bin", "skein"), "guide"], { encoding: "utf8", cwd: tmpdir() });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(root, "docs", "guide.md"), "utf8"));
  assert.ok(Buffer.byteLength(r.stdout) <= 32 * 1024, `the guide is ${Buffer.byteLength(r.stdout)} bytes`);
  const session = new Session(fakeHost());
  session.loadPrelude();
  const names = [...allSpecs().map((s) => s.name), ...session.lispDocs.keys()].filter((n) => !n.startsWith("%"));
  const missing = names.filter((n) => ![`(${n} `, `(${n})`, `\`${n}\``].some((form) => r.stdout.includes(form)));
  assert.deepEqual(missing, []);
});
