#!/usr/bin/env node
// Skein's own benchmark figures, printed as tables (never asserted):
//  1. the machine alone, in-process: fib(30) with the interpreter's steps per second, a
//     1,000,000-iteration named-let loop, and 100,000 assoc calls building one map;
//  2. skein mcp: the warm round trip of a `run` call, and 20 concurrent sleeping runs;
//  3. every core: 32 x fib(29|30) without :cores and with each core count of the machine
//     (whole process, results compared), and the per-item crossing cost of :cores;
//  4. whole-process wall time of ../shared/bench/skein/*.lisp beside the node and python3
//     versions of the same workloads from ../shared/bench/peers/, all measured in this run
//     (grep makes its corpus in /tmp/bench-corpus; http starts the peers' delay server).
// Every figure is the median of 5 runs (--runs N to change). About a minute on 2 cores.
//
//   npm run bench                     all four sections
//   npm run bench -- --runs 3         fewer runs
//   npm run bench -- --cores          only the :cores figures (3.)
//   npm run bench -- --mcp            only the skein mcp figures (2.)
//   npm run bench -- --peers [PEERS_RE] [BENCH_RE]
//                                     the full peer table: ../shared/bench/peers/run_all.sh with
//                                     SKEIN=bin/skein (needs hyperfine, jq and GNU time; ~11 minutes)
//
// It runs the compiled code in dist/, so run `npm run build` first.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SHARED = resolve(process.env.SKEIN_BENCH_DIR ?? join(ROOT, "..", "shared", "bench"));
const SKEIN = join(ROOT, "bin", "skein");
const argv = process.argv.slice(2);
const RUNS = (() => {
  const i = argv.indexOf("--runs");
  const n = i >= 0 ? Number(argv[i + 1]) : 5;
  return Number.isInteger(n) && n > 0 ? n : 5;
})();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
};
const secs = (ms) => (ms / 1000).toFixed(3) + " s";
const human = (n) =>
  n >= 1e9
    ? (n / 1e9).toFixed(2) + "G"
    : n >= 1e6
      ? (n / 1e6).toFixed(2) + "M"
      : n >= 1e3
        ? (n / 1e3).toFixed(1) + "k"
        : String(Math.round(n));
const have = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? "").length)));
  const line = (r) =>
    r
      .map((c, i) => String(c ?? "").padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

// ---- --peers: the shared full table ----------------------------------------------------

if (argv.includes("--peers")) {
  const script = join(SHARED, "peers", "run_all.sh");
  const missing = ["hyperfine", "jq"].filter((t) => !have(t));
  if (!existsSync("/usr/bin/time")) missing.push("GNU time (/usr/bin/time)");
  if (missing.length) {
    console.error(
      `bench --peers needs ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed.`,
    );
    console.error(
      "Install with: apt-get install hyperfine jq time (INSTALL=1 also lets run_all.sh install the peer languages).",
    );
    console.error("Without them, `npm run bench` still prints Skein beside node and python3.");
    process.exit(1);
  }
  const rest = argv.filter((a, i) => a !== "--peers" && a !== "--runs" && argv[i - 1] !== "--runs");
  // BENCH_COPY: run_all.sh works in a copy under /tmp; ../shared stays read-only even for root,
  // whom the script's own writability test lets through
  const r = spawnSync("bash", [script, ...rest], {
    stdio: "inherit",
    env: { ...process.env, SKEIN: SKEIN, BENCH_COPY: "1" },
  });
  process.exit(r.status ?? 1);
}

// ---- 1. the machine alone ----------------------------------------------------------------

const dist = (p) => pathToFileURL(join(ROOT, "dist", "src", p)).href;
if (!existsSync(join(ROOT, "dist", "src", "session", "session.js"))) {
  console.error("bench: dist/ is missing; run `npm run build` first");
  process.exit(2);
}
// ---- 2. skein mcp --------------------------------------------------------------------------

/** skein mcp through the SDK's client over stdio: the warm round trip of a `run` of (+ 1 2)
 *  (median of 200 after 20 to warm up), and 20 concurrent runs that each sleep 200 ms (median of
 *  RUNS bursts, after one that starts the workers). */
async function benchMcp() {
  const sdk = (p) => pathToFileURL(join(ROOT, "node_modules", "@modelcontextprotocol", "sdk", "dist", "esm", p)).href;
  const { Client } = await import(sdk("client/index.js"));
  const { StdioClientTransport } = await import(sdk("client/stdio.js"));
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(new StdioClientTransport({ command: SKEIN, args: ["mcp"], stderr: "ignore" }));
  const run = (code) => client.callTool({ name: "run", arguments: { code } });
  const timed = async (f) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  for (let i = 0; i < 20; i++) await run("(+ 1 2)");
  const trips = [];
  for (let i = 0; i < 200; i++) trips.push(await timed(() => run("(+ 1 2)")));
  const burst = () => Promise.all(Array.from({ length: 20 }, () => run("(sleep 200)")));
  await burst();
  const bursts = [];
  for (let i = 0; i < RUNS; i++) bursts.push(await timed(burst));
  await client.close();
  console.log("2. skein mcp over stdio (the SDK's client; a warm server)\n");
  table(
    ["measure", "median", "target"],
    [
      ["run (+ 1 2), round trip", `${median(trips).toFixed(1)} ms`, "≤ 5 ms"],
      ["20 concurrent runs of (sleep 200)", `${median(bursts).toFixed(0)} ms`, "≤ 400 ms"],
    ],
  );
  console.log("");
}
if (argv.includes("--mcp")) {
  await benchMcp();
  process.exit(0);
}

const { Session } = await import(dist("session/session.js"));
const { Machine } = await import(dist("vm/machine.js"));
const { STEP_BUDGET } = await import(dist("runtime/scheduler.js"));
const { write } = await import(dist("syntax/printer.js"));

const quietHost = () => ({
  stdout() {},
  stderr() {},
  stderrIsTTY: false,
  argv: [],
  env: {},
  cwd: process.cwd(),
  exit() {},
});

/** Runs expr after defs on one Machine, in STEP_BUDGET slices as the scheduler would, without
 *  the scheduler around it: the time and the steps of the machine alone. */
function machineRun(defs, expr) {
  const session = new Session(quietHost());
  for (const f of session.read(defs, "bench.lisp"))
    session.runSync(session.compiler.compileToplevel(f, f.loc), [], "bench");
  const [form] = session.read(expr, "bench.lisp");
  const code = session.compiler.compileToplevel(form, form.loc);
  const m = new Machine(null, session);
  const t0 = performance.now();
  m.start(code, []);
  let r;
  while ((r = m.step(STEP_BUDGET)) === "yield");
  const ms = performance.now() - t0;
  if (r !== "done") throw new Error(`${expr}: ${r} ${m.failure?.message ?? ""}`);
  return { ms, steps: m.steps, value: write(m.val) };
}

const MACHINE = [
  {
    name: "fib(30)",
    expect: "832040",
    defs: "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))",
    expr: "(fib 30)",
  },
  {
    name: "named-let loop, 1,000,000 iterations",
    expect: "1000000",
    defs: "",
    expr: "(let loop ((i 0)) (if (< i 1000000) (loop (+ i 1)) i))",
  },
  {
    name: "assoc 100,000 entries into one map",
    expect: "100000",
    defs: "",
    expr: "(let loop ((i 0) (m {})) (if (< i 100000) (loop (+ i 1) (assoc m i (* i i))) (count m)))",
  },
];

console.log(`Skein benchmarks — node ${process.version}, ${RUNS} runs each, medians\n`);
console.log("1. The machine alone (in-process: compiled code on one Machine, no scheduler, no start-up)\n");
const machineRows = [];
for (const w of MACHINE) {
  machineRun(w.defs, w.expr); // warm-up: JIT and the compiled closures
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(machineRun(w.defs, w.expr));
  const ms = median(runs.map((r) => r.ms));
  const steps = runs[0].steps;
  const ok = runs.every((r) => r.value === w.expect) ? "" : `WRONG: ${runs[0].value}`;
  machineRows.push([w.name, secs(ms), human(steps), human(steps / (ms / 1000)) + "/s", ok]);
}
const anyWrong = machineRows.some((r) => r[4]);
table(
  ["workload", "time", "steps", "steps/s", ...(anyWrong ? ["check"] : [])],
  machineRows.map((r) => (anyWrong ? r : r.slice(0, 4))),
);
console.log(
  "\n(a step is one resumption of a compiled function: a call, or a return into its caller;\n builtins on the f1/f2 fast path run inside the caller's step)\n",
);

const tmp = mkdtempSync(join(tmpdir(), "skein-bench-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

// ---- 3. every core: :cores ------------------------------------------------------------

/** Whole-process wall time of CPU-bound batches without :cores and with every core count this
 *  machine has, results compared: the batch issue 13 names (32 items of fib(29)/fib(30), about
 *  1.1 s on one core now) and one of about 2 s on one core (32 items of fib(30)/fib(31)). The runs
 *  of a batch alternate between the core counts, so a change in the machine's load falls on all of
 *  them alike. Then the per-item cost of crossing to a worker thread, in-process, on a function
 *  that does nothing. */
async function coresSection() {
  const { Pool } = await import(dist("workers/pool.js"));
  const { availableParallelism, loadavg } = await import("node:os");
  const cpus = availableParallelism();
  // a speed-up needs idle cores: the load says how many other work took
  console.log(
    `3. Every core: :cores on this ${cpus}-core machine (median of ${RUNS} runs; load average ${loadavg()[0].toFixed(1)})\n`,
  );
  const fib = "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))";
  const configs = [null, ...Array.from({ length: cpus }, (_, i) => i + 1)];
  for (const [a, b] of [
    [29, 30],
    [30, 31],
  ]) {
    const scripts = configs.map((cores) => {
      const file = join(tmp, `cores-${a}-${cores ?? "none"}.lisp`);
      const opt = cores === null ? "" : ` :cores ${cores}`;
      writeFileSync(
        file,
        `${fib}\n(println (apply + (parallel-map fib (map (fn [i] (if (even? i) ${a} ${b})) (range 32))${opt})))\n`,
      );
      return file;
    });
    const runs = configs.map(() => []);
    for (let i = 0; i < RUNS; i++) configs.forEach((_, c) => runs[c].push(runOnce(SKEIN, [scripts[c]])));
    const answer = runs[0][0].out;
    const one = configs.indexOf(1);
    const rows = configs.map((cores, c) => {
      const name = cores === null ? "no :cores" : `:cores ${cores}`;
      const bad = runs[c].find((r) => r.status !== 0);
      if (bad) return [name, `FAIL ${bad.err.slice(0, 60)}`, "", ""];
      const ms = median(runs[c].map((r) => r.ms));
      return [
        name,
        secs(ms),
        cores === null ? "" : `${(ms / median(runs[one].map((r) => r.ms))).toFixed(2)}x`,
        runs[c].every((r) => r.out === answer) ? "identical" : `DIFFERENT: ${runs[c].map((r) => r.out).join(" ")}`,
      ];
    });
    table([`32 x fib(${a}|${b}), whole process`, "wall", "vs :cores 1", "results"], rows);
    console.log("");
  }

  // what the fixed costs are: a bare process of this machine, and the first batch above in one
  // process with its threads started and warm (the work alone, without any start-up)
  const bare = [];
  for (let i = 0; i < RUNS; i++) bare.push(runOnce(process.execPath, ["-e", "0"]).ms);
  const warm = [];
  for (const cores of configs.slice(1)) {
    // one process runs the batch 1 + RUNS times; the first starts the threads and warms them
    const file = join(tmp, `cores-warm-${cores}.lisp`);
    writeFileSync(
      file,
      `${fib}\n(define xs (map (fn [i] (if (even? i) 29 30)) (range 32)))\n` +
        `(define (timed) (let [t0 (monotonic-ms)] (parallel-map fib xs :cores ${cores}) (- (monotonic-ms) t0)))\n` +
        `(timed)\n(println (string-join (map str (map (fn [_] (timed)) (range ${RUNS}))) " "))\n`,
    );
    const r = runOnce(SKEIN, [file]);
    if (r.status !== 0) throw new Error(`cores bench: ${r.err}`);
    warm.push([`:cores ${cores}`, secs(median(r.out.split(" ").map(Number)))]);
  }
  const warmOne = Number.parseFloat(warm[0][1]);
  table(
    ["32 x fib(29|30), threads warm, in-process", "wall", "vs :cores 1"],
    warm.map(([name, t]) => [name, t, `${(Number.parseFloat(t) / warmOne).toFixed(2)}x`]),
  );
  console.log(`\nevery process of this machine starts and exits in ${secs(median(bare))} (node -e 0)\n`);

  // the crossing cost: the same trivial call with and without :cores, on warm threads
  const pool = new Pool();
  const n = 2000;
  const time = async (opt) => {
    const session = new Session({ ...quietHost(), cores: pool });
    const t0 = performance.now();
    const o = await session.run(session.read(`(parallel-map inc (range ${n})${opt})`, "bench.lisp"), "bench.lisp");
    if (o.status !== "done") throw new Error(`cores bench: ${o.error?.message}`);
    return performance.now() - t0;
  };
  const us = (ms) => `${((ms / n) * 1000).toFixed(1)} µs`;
  const perItem = [];
  for (const cores of [...new Set([1, Math.min(2, cpus)])]) {
    await time(` :cores ${cores}`); // starts the threads and warms them
    const here = [],
      there = [];
    for (let i = 0; i < RUNS; i++) {
      here.push(await time(""));
      there.push(await time(` :cores ${cores}`));
    }
    perItem.push([`:cores ${cores}`, us(median(here)), us(median(there)), us(median(there) - median(here))]);
  }
  await pool.close();
  table([`(parallel-map inc (range ${n}))`, "per item, here", "per item, :cores", "crossing cost"], perItem);
  console.log("");
}
await benchMcp();

// ---- 4. whole processes ----------------------------------------------------------------

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

/** One run: wall ms, peak RSS (KB, when GNU time is there), the last line of stdout. */
function runOnce(cmd, args) {
  const rssFile = join(tmp, "rss");
  const [c, a] = TIME ? [TIME, ["-f", "%M", "-o", rssFile, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(c, a, { encoding: "utf8", maxBuffer: 64 << 20, timeout: 120_000 });
  const ms = performance.now() - t0;
  const rss = TIME && existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) : null;
  const out = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  return { ms, rss, out, status: r.status, err: (r.stderr ?? "").trim().split("\n").slice(-2).join(" | ") };
}

/** A warm-up run that also checks the answer, then RUNS measured runs. */
function measure(cmd, args, expected) {
  if (!cmd) return "not installed";
  const check = runOnce(cmd, args);
  if (check.status !== 0) return `FAIL(rc=${check.status}) ${check.err.slice(0, 60)}`;
  if (check.out !== expected) return `WRONG(${check.out.slice(0, 30)})`;
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(runOnce(cmd, args));
  const ms = median(runs.map((r) => r.ms));
  const rss = runs.every((r) => r.rss) ? median(runs.map((r) => r.rss)) : null;
  return secs(ms) + (rss ? ` · ${Math.round(rss / 1024)} MB` : "");
}

if (argv.includes("--cores")) {
  await coresSection();
  process.exit(0);
}
await coresSection();

let PY = null;
try {
  PY = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
} catch {
  /* no python */
}
const NODE = process.execPath;
const sk = (f) => join(SHARED, "skein", f);
const nd = (f) => join(SHARED, "peers", "node", f);
const py = (f) => join(SHARED, "peers", "python", f);

const PROCESS = [
  {
    name: "hello",
    expect: "hello world",
    skein: [sk("hello.lisp")],
    node: [nd("hello.js")],
    python: [py("hello.py")],
    target: "≤ 0.08 s",
  },
  {
    name: "fib 27",
    expect: "196418",
    skein: [sk("fib.lisp")],
    node: [nd("fib.js")],
    python: [py("fib.py")],
    target: "",
  },
  {
    name: "fib 32",
    expect: "2178309",
    skein: [sk("fib.lisp"), "32"],
    node: [nd("fib.js"), "32"],
    python: [py("fib.py"), "32"],
    target: "≤ CPython",
  },
  {
    name: "spawn 100k",
    expect: "4999950000",
    skein: [sk("spawn.lisp")],
    node: [nd("spawn.js")],
    python: [py("spawn.py")],
    target: "≤ 0.30 s, ≤ 300 MB",
  },
  {
    name: "pingpong 200k",
    expect: "200000",
    skein: [sk("pingpong.lisp")],
    node: [nd("pingpong.js")],
    python: [py("pingpong.py")],
    target: "≤ 0.15 s",
  },
  {
    name: "atom 100×1000",
    expect: "100000",
    skein: [sk("atom.lisp")],
    node: [nd("atom.js")],
    python: [py("atom.py")],
    target: "≤ 0.08 s",
  },
];

// B5 reads the corpus of 10,000 log files that ../shared/bench/peers/make_corpus.py makes
const CORPUS = "/tmp/bench-corpus";
if (PY && !existsSync(join(CORPUS, "EXPECTED"))) {
  spawnSync(PY, [join(SHARED, "peers", "make_corpus.py"), CORPUS], { stdio: "ignore" });
}
if (existsSync(join(CORPUS, "EXPECTED"))) {
  const expect = readFileSync(join(CORPUS, "EXPECTED"), "utf8").trim();
  PROCESS.push({
    name: "grep 10k",
    expect,
    skein: [sk("grep.lisp"), CORPUS],
    node: [nd("grep_files.js"), CORPUS],
    python: [py("grep_files.py"), CORPUS],
    target: "≤ 0.40 s",
  });
}

// B4 fetches from the peers' delay server on 127.0.0.1 (started here, stopped at the end)
const PORT = String(process.env.PORT ?? 18765);
process.env.PORT = PORT;
const server = spawn(NODE, [join(SHARED, "peers", "server.js")], {
  env: { ...process.env, SERVER_MAX_S: "600" },
  stdio: ["ignore", "pipe", "ignore"],
});
const listening = await new Promise((done) => {
  server.stdout.on("data", (d) => {
    if (String(d).includes("listening")) done(true);
  });
  server.on("exit", () => done(false));
  setTimeout(() => done(false), 5000);
});
if (listening) {
  const base = `http://127.0.0.1:${PORT}`;
  PROCESS.push(
    {
      name: "http 1000@100",
      expect: "1000",
      skein: [sk("http.lisp"), base, "1000", "100"],
      node: [nd("http_fanout.js"), "1000", "100"],
      python: [py("http_fanout.py"), "1000", "100"],
      target: "≤ 1.10 s",
    },
    {
      name: "http 100@once",
      expect: "100",
      skein: [sk("http.lisp"), base, "100", "0"],
      node: [nd("http_fanout.js"), "100", "0"],
      python: [py("http_fanout.py"), "100", "0"],
      target: "≤ 0.15 s",
    },
  );
}

console.log(`4. Whole process: wall time${TIME ? " · peak RSS" : ""}, start-up included (workloads from ${SHARED})\n`);
if (!existsSync(join(SHARED, "skein"))) {
  console.log(`   ${SHARED} not found: set SKEIN_BENCH_DIR to the shared bench folder`);
  process.exit(0);
}
const rows = [];
for (const w of PROCESS) {
  rows.push([
    w.name,
    measure(SKEIN, w.skein, w.expect),
    measure(NODE, w.node, w.expect),
    measure(PY, w.python, w.expect),
    w.target,
  ]);
}
server.kill();
table(["bench", "skein", "node", "python3", "skein target"], rows);
if (!listening) console.log("http: skipped, the delay server did not start");
console.log(
  `\nnode ${process.version}; python ${PY ? execFileSync(PY, ["--version"], { encoding: "utf8" }).trim() : "not installed"}. ` +
    "Targets are from ../shared/bench/README.md; nothing here is asserted.\n" +
    "The full table with Go, Racket, Guile, Clojure ...: npm run bench -- --peers (needs hyperfine).",
);
