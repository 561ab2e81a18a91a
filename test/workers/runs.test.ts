// Isolated runs on the worker pool (Pool.run, what skein mcp's `run` tool calls): cancellation
// through a signal, the deadline the thread enforces itself, the gateway to the calling thread's
// upstream MCP servers, the output limit, a second (narrower) sandbox, and the memory limit with
// runner threads kept per heap limit. No test asserts speed.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { Sandbox } from "../../src/sandbox/sandbox.js";
import type { McpGateway } from "../../src/session/context.js";
import { Pool, STOP_GRACE_MS } from "../../src/workers/pool.js";

const pool = new Pool();
after(() => pool.close());
const cwd = process.cwd();

/** A gateway with one server "t" whose tools answer from `tools`; `aborted` lists the calls the
 *  run gave up on (their signal was aborted here, in the calling thread). */
function fakeGateway(tools: Record<string, (args: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>>) {
  const aborted: string[] = [];
  const gateway: McpGateway = {
    servers: ["t"],
    listTools: async () => Object.keys(tools).map((name) => ({ name, inputSchema: { type: "object" } })),
    callTool: (_server, tool, args, signal) => {
      signal.addEventListener("abort", () => aborted.push(tool));
      return tools[tool](args, signal);
    },
  };
  return { gateway, aborted };
}

const text = (t: string) => ({ content: [{ type: "text", text: t }] });

test("a run cancelled through its signal stops there, its finally blocks run, and its thread serves the next run", async () => {
  const ac = new AbortController();
  // the run tells the test it is inside its try by calling a tool; the test then cancels it
  const { gateway } = fakeGateway({
    ready: async () => {
      setImmediate(() => ac.abort());
      return text("ok");
    },
  });
  const r = await pool.run(
    `(println "start") (try (mcp-call (mcp-server "t") "ready" {}) (sleep 60000) :slept (finally (println "cleaned up")))`,
    { cwd, timeoutMs: 60_000, signal: ac.signal, gateway },
  );
  assert.deepEqual(
    [r.status, r.value, r.error, r.stdout, r.exitCode],
    ["cancelled", null, "run: cancelled", "start\ncleaned up\n", 1],
  );
  assert.deepEqual(
    r.calls.map((c) => [c.server, c.tool, c.ok]),
    [["t", "ready", true]],
  );
  const next = await pool.run("(+ 1 2)", { cwd, timeoutMs: 60_000 });
  assert.deepEqual([next.status, next.value], ["done", "3"]);
  // a signal aborted before the run starts: it never runs
  const early = await pool.run('(println "ran")', { cwd, timeoutMs: 60_000, signal: AbortSignal.abort() });
  assert.deepEqual([early.status, early.stdout, early.error], ["cancelled", "", "run: cancelled"]);
});

test("at its deadline a run stops itself: its finally blocks run and its output so far is kept", async () => {
  const r = await pool.run(`(println "before") (try (sleep 60000) (finally (println "after")))`, {
    cwd,
    timeoutMs: 300,
  });
  assert.deepEqual([r.status, r.error, r.stdout, r.exitCode], ["timeout", "timeout after 300ms", "before\nafter\n", 1]);
});

// regression: a stop cancelled only the main task, so a task it spawned went on after the main
// forms had returned, until the thread was ended at deadline + grace and the output was lost
test("a deadline or a cancellation stops the tasks a run spawned too, and keeps its output", async () => {
  const spawner = `(spawn (fn () (try (let loop () (sleep 50) (loop)) (finally (println "task cleaned up")))))
(println "main done") 1`;
  const r = await pool.run(spawner, { cwd, timeoutMs: 500 });
  assert.deepEqual([r.status, r.error, r.stdout], ["timeout", "timeout after 500ms", "main done\ntask cleaned up\n"]);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const c = await pool.run(spawner, { cwd, timeoutMs: 60_000, signal: ac.signal });
  assert.deepEqual([c.status, c.error, c.stdout], ["cancelled", "run: cancelled", "main done\ntask cleaned up\n"]);
});

test("a run reaches the calling thread's gateway; a call it gives up on is aborted there; every call is logged", async () => {
  const { gateway, aborted } = fakeGateway({
    echo: async (args) => text(JSON.stringify(args)),
    hang: (_args, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
    fail: async () => {
      throw new Error("the tool broke");
    },
  });
  const r = await pool.run(
    `(define c (mcp-server "t"))
     [(mcp-servers) (count (mcp-tools c)) (mcp-call c "echo" {:x 1})
      (error? (mcp-call c "hang" {} :timeout 200)) (error-msg (mcp-call c "fail" {}))]`,
    { cwd, timeoutMs: 60_000, gateway },
  );
  assert.equal(r.error, null);
  assert.match(r.value ?? "", /^\[\["t"\] 3 "\{\\"x\\":1\}" #t ".*the tool broke.*"\]$/);
  assert.deepEqual(aborted, ["hang"]);
  assert.deepEqual(
    r.calls.map((c) => [c.tool, c.ok]),
    [
      ["echo", true],
      ["hang", false],
      ["fail", false],
    ],
  );
  // without a gateway there are no servers
  const none = await pool.run('[(mcp-servers) (error? (try (mcp-server "t") (catch e e)))]', {
    cwd,
    timeoutMs: 60_000,
  });
  assert.equal(none.value, "[[] #t]");
});

test("a run's output is kept to its limit per stream, and the result says how much was left out", async () => {
  const r = await pool.run(`(print "0123456789abc") (print "def") (eprintln "oops") :done`, {
    cwd,
    timeoutMs: 60_000,
    outputLimit: 10,
  });
  assert.deepEqual(
    [r.value, r.stdout, r.stderr, r.leftOut],
    [":done", "0123456789", "oops\n", { stdout: 6, stderr: 0 }],
  );
});

test("a run held to a second sandbox may do only what both allow", async () => {
  const r = await pool.run(`[(getenv "A") (error? (getenv "B")) (error? (getenv "C")) (error? (sh "true"))]`, {
    cwd,
    timeoutMs: 60_000,
    env: { A: "a", B: "b", C: "c" },
    sandbox: Sandbox.create({ env: ["A", "B"] }, { cwd }),
    narrow: Sandbox.create({ env: ["A", "C"], run: true }, { cwd }),
  });
  assert.equal(r.value, '["a" #t #t #t]', r.error ?? "");
});

test("a run over its memory limit fails alone; the next run works, and one with a larger limit gets a thread of its own", async () => {
  const hog = '(let grow ((acc \'()) (i 0)) (grow (cons (str "item " i) acc) (+ i 1)))';
  const big = await pool.run(hog, { cwd, timeoutMs: 60_000, maxMemoryMb: 64 });
  assert.equal(big.status, "failed");
  assert.match(big.error ?? "", /out of memory: the script used more than 64 MB/);
  const next = await pool.run("(+ 1 2)", { cwd, timeoutMs: 60_000, maxMemoryMb: 64 });
  assert.deepEqual([next.status, next.value], ["done", "3"]);
  // about 100 MB held at once: more than the heap of a 64 MB run's thread, well within 400 MB
  const held = await pool.run(`(count (vec (map (fn [i] (str "item number " i)) (range 1500000))))`, {
    cwd,
    timeoutMs: 120_000,
    maxMemoryMb: 400,
  });
  assert.deepEqual([held.status, held.value], ["done", "1500000"], held.error ?? "");
});

test("a run waiting for a place answers a cancellation at once; close ends the runs in progress too", async () => {
  const p = new Pool(undefined, { maxRuns: 1, idleRunnerMs: 60_000 });
  let ready!: () => void;
  const inside = new Promise<void>((r) => (ready = r));
  const { gateway } = fakeGateway({
    ready: async () => {
      ready();
      return text("ok");
    },
  });
  const first = p.run(`(mcp-call (mcp-server "t") "ready" {}) (sleep 60000)`, { cwd, timeoutMs: 60_000, gateway });
  await inside;
  // the only place is taken: this one waits, and its cancellation does not wait for the place
  const ac = new AbortController();
  const queued = p.run('(println "never")', { cwd, timeoutMs: 60_000, signal: ac.signal });
  ac.abort();
  const q = await queued;
  assert.deepEqual([q.status, q.error, q.stdout], ["cancelled", "run: cancelled", ""]);
  // regression: close left a busy runner running (and the process alive) until its run ended
  await p.close();
  const r = await first;
  assert.deepEqual([r.status, r.error], ["crashed", "the pool was closed"]);
});

test("after a burst of runs, the idle runners beyond two end a while later", async () => {
  const p = new Pool(undefined, { maxRuns: 64, idleRunnerMs: 200 });
  try {
    const rs = await Promise.all(Array.from({ length: 4 }, () => p.run("(sleep 100) :ok", { cwd, timeoutMs: 60_000 })));
    assert.deepEqual(
      rs.map((r) => r.value),
      [":ok", ":ok", ":ok", ":ok"],
    );
    assert.equal(p.idleRunnerCount, 4);
    const end = Date.now() + 10_000;
    while (p.idleRunnerCount > 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.equal(p.idleRunnerCount, 2);
    const next = await p.run("(+ 1 2)", { cwd, timeoutMs: 60_000 });
    assert.equal(next.value, "3");
  } finally {
    await p.close();
  }
});

// regression: the pool's fallback timer (deadline + grace) started when the run was posted, the
// thread's own deadline when it began the run; a thread slow to load Skein had its run ended
// by the fallback before the run began
test("a run's deadline counts from when its thread begins it, not while a new thread loads", async () => {
  const entry = new URL("../../src/workers/entry.js", import.meta.url).href;
  // a thread that takes longer to start than the deadline and its grace together
  const slow = `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${STOP_GRACE_MS + 800}); import(${JSON.stringify(entry)});`;
  const p = new Pool({ code: slow, eval: true }, { maxRuns: 4, idleRunnerMs: 60_000 });
  try {
    const r = await p.run('(println "ran") :ok', { cwd, timeoutMs: 300 });
    assert.deepEqual([r.status, r.value, r.stdout], ["done", ":ok", "ran\n"]);
  } finally {
    await p.close();
  }
});
