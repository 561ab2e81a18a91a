#!/usr/bin/env node
// Grades the scripts a test model wrote for the tasks of tasks.json: DIR/ID.lisp for each task,
// each run once (first try) by bin/skein in a fresh copy of fixtures/, with a fresh server from
// server.mjs; the output must equal the task's expected text. Prints one line per task and the
// pass@1 count; writes DIR/results.json.
//
//   node scripts/model-eval/grade.mjs [--tasks tasks-b.json] DIR [DIR...]
// Three task sets, tasks.json, tasks-b.json and tasks-c.json (CPU-bound work on every core), so
// that a change is never tuned to one of them; reference/, reference-b/ and reference-c/ hold a
// solution of each task, which shows the expected outputs hold.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "./server.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const SKEIN = join(HERE, "..", "..", "bin", "skein");
const argv = process.argv.slice(2);
const setAt = argv.indexOf("--tasks");
const taskFile = setAt >= 0 ? argv.splice(setAt, 2)[1] : "tasks.json";
const tasks = JSON.parse(readFileSync(join(HERE, taskFile), "utf8"));

function runScript(script, args, cwd) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, [SKEIN, script, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("close", (code) => {
      clearTimeout(killer);
      done({ code, out, err, ms: Date.now() - started });
    });
  });
}

async function grade(dir) {
  const results = [];
  for (const t of tasks) {
    const script = resolve(dir, `${t.id}.lisp`);
    if (!existsSync(script)) {
      results.push({ id: t.id, pass: false, why: "no script" });
      continue;
    }
    const cwd = mkdtempSync(join(tmpdir(), "skein-eval-"));
    cpSync(join(HERE, "fixtures"), cwd, { recursive: true });
    const server = await startServer();
    try {
      const args = (t.args ?? []).map((a) => a.replace("$BASE", server.base));
      const r = await runScript(script, args, cwd);
      const sameOutput = r.out.trimEnd() === t.expected.trimEnd();
      const inTime = !t.maxMs || r.ms <= t.maxMs;
      const pass = sameOutput && inTime && r.code === 0;
      let why = "";
      if (!pass) {
        const firstErr = r.err.split("\n").find((l) => l.trim()) ?? "";
        why = !sameOutput
          ? `output ${JSON.stringify(r.out.slice(0, 160))}${firstErr ? `; stderr: ${firstErr.slice(0, 200)}` : ""}`
          : !inTime
            ? `took ${r.ms} ms (limit ${t.maxMs})`
            : `exit ${r.code}; stderr: ${firstErr.slice(0, 200)}`;
      }
      results.push({ id: t.id, pass, why, ms: r.ms });
    } finally {
      server.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  }
  writeFileSync(join(dir, "results.json"), JSON.stringify(results, null, 2) + "\n");
  const passed = results.filter((r) => r.pass).length;
  process.stdout.write(`== ${dir}\n`);
  for (const r of results) process.stdout.write(`${r.pass ? "pass" : "FAIL"}  ${r.id}${r.why ? `  ${r.why}` : ""}\n`);
  process.stdout.write(`pass@1: ${passed}/${results.length}\n`);
  return passed;
}

const dirs = argv;
if (dirs.length === 0) {
  process.stderr.write("usage: node scripts/model-eval/grade.mjs [--tasks FILE] DIR [DIR...]\n");
  process.exit(2);
}
for (const d of dirs) await grade(d);
