// skein mcp through the official SDK's own Client over a real stdio connection to bin/skein:
// the run and doc tools, the sandbox ceiling and narrowing, isolation (an endless loop, a memory
// hog), concurrency (by overlap of the runs' own clocks, not by speed), cancellation, and the
// gateway to an upstream server declared with --server.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { projectRoot } from "../helpers.js";

const root = projectRoot();
const skein = join(root, "bin", "skein");
export const EVERYTHING = `node ${join(root, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js")} stdio`;

interface RunResult {
  stdout: string;
  stderr: string;
  value: string | null;
  error: string | null;
  exit: number;
  calls: { server: string; tool: string; ms: number; ok: boolean; error?: string }[];
}

const clients: Client[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

async function connect(...flags: string[]): Promise<Client> {
  const client = new Client({ name: "skein-test", version: "1" });
  await client.connect(new StdioClientTransport({ command: skein, args: ["mcp", ...flags], stderr: "ignore" }));
  clients.push(client);
  return client;
}

async function run(c: Client, args: Record<string, unknown>, signal?: AbortSignal): Promise<RunResult> {
  const r = await c.callTool({ name: "run", arguments: args }, undefined, { signal, timeout: 120_000 });
  assert.ok(!r.isError, `the run tool failed: ${JSON.stringify(r.content)}`);
  return r.structuredContent as unknown as RunResult;
}

async function toolText(
  c: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ text: string; isError: boolean }> {
  const r = await c.callTool({ name, arguments: args });
  const content = r.content as { type: string; text: string }[];
  return { text: content.map((x) => x.text).join("\n"), isError: r.isError === true };
}

describe("skein mcp", () => {
  test("--help prints its usage; a bad flag is a usage error (status 2)", () => {
    const help = spawnSync(skein, ["mcp", "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^skein mcp: a Model Context Protocol server on stdio\n/);
    const bad = spawnSync(skein, ["mcp", "--frobnicate"], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^skein mcp: unknown option --frobnicate\n/);
    const noServer = spawnSync(skein, ["mcp", "--server", "x"], { encoding: "utf8" });
    assert.equal(noServer.status, 2);
    assert.match(noServer.stderr, /--server needs NAME=COMMAND/);
  });

  test("lists run and doc; run gives stdout, the value in write form and the exit status", async () => {
    const c = await connect();
    const { tools } = await c.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ["check", "doc", "run"]);
    const r = await run(c, { code: '(println "hi" (command-line-args)) {:a [1 "x"]}', args: ["p", "q"] });
    assert.deepEqual(r, {
      stdout: 'hi ("p" "q")\n',
      stderr: "",
      value: '{:a [1 "x"]}',
      error: null,
      exit: 0,
      calls: [],
    });
    assert.deepEqual(await run(c, { code: "(exit 3)" }), {
      stdout: "",
      stderr: "",
      value: null,
      error: null,
      exit: 3,
      calls: [],
    });
  });

  test("an error is rendered with its position, as the CLI does; a read error too", async () => {
    const c = await connect();
    const r = await run(c, { code: "(define x 1)\n(car x)" });
    assert.equal(r.exit, 1);
    assert.equal(r.value, null);
    assert.match(r.error ?? "", /^<run>:2:1: runtime error: car: expected a list, got 1\n/);
    assert.match(r.error ?? "", /\n {3}2 \| \(car x\)\n/);
    const bad = await run(c, { code: "(+ 1" });
    assert.equal(bad.exit, 1);
    assert.match(bad.error ?? "", /^<run>:1:1: read error/);
  });

  test("check gives skein check's findings without running the code; the guide is a resource", async () => {
    const c = await connect();
    const r = await c.callTool({
      name: "check",
      arguments: { code: '(define (f x) x)\n(f 1 2)\n(string-lenght "abc")\n(spit "/tmp/never-written" "x")' },
    });
    const { findings } = r.structuredContent as { findings: { line: number; col: number; message: string }[] };
    assert.deepEqual(
      findings.map((f) => `${f.line}:${f.col}`),
      ["2:1", "3:1"],
    );
    assert.match(findings[0].message, /f.*expected 1 argument, got 2/);
    assert.match(findings[1].message, /string-lenght.*did you mean string-length/);
    const clean = await c.callTool({ name: "check", arguments: { code: "(+ 1 2)" } });
    assert.deepEqual(clean.structuredContent, { findings: [] });
    const { resources } = await c.listResources();
    assert.deepEqual(
      resources.map((x) => x.uri),
      ["skein://guide"],
    );
    const guide = await c.readResource({ uri: "skein://guide" });
    const text = (guide.contents[0] as { text: string }).text;
    assert.equal(text, readFileSync(join(projectRoot(), "docs", "guide.md"), "utf8"));
    const { tools } = await c.listTools();
    assert.match(tools.find((t) => t.name === "run")?.description ?? "", /skein:\/\/guide/);
  });

  test("doc gives a builtin's doc and a library function's", async () => {
    const c = await connect();
    assert.match((await toolText(c, "doc", { name: "string-split" })).text, /^\(string-split /);
    assert.match((await toolText(c, "doc", { name: "map" })).text, /^\(map f /);
    assert.match((await toolText(c, "doc", { name: "no-such-thing" })).text, /no documentation for no-such-thing/);
  });

  test("without flags every run is sandboxed, and a call cannot widen its grants", async () => {
    const c = await connect();
    const r = await run(c, { code: '(sh "true")' });
    assert.match(r.value ?? "", /permission denied: sh true \(run with --allow-run\)/);
    const wide = await toolText(c, "run", { code: '(sh "true")', allow: { run: true } });
    assert.ok(wide.isError);
    assert.match(wide.text, /allow\.run: the server does not grant all of run/);
    const item = await toolText(c, "run", { code: '(getenv "HOME")', allow: { env: ["HOME"] } });
    assert.ok(item.isError);
    assert.match(item.text, /allow\.env: HOME is outside what the server grants/);
  });

  test("a call narrows the server's grants", async () => {
    const c = await connect("--allow-env=HOME,USER", "--allow-run");
    const home = JSON.stringify(process.env.HOME ?? null);
    assert.equal((await run(c, { code: '(getenv "HOME")' })).value, home);
    const narrowed = await run(c, {
      code: '[(getenv "HOME") (error? (getenv "USER")) (error? (sh "true"))]',
      allow: { env: ["HOME"] },
    });
    assert.equal(narrowed.value, `[${home} #t #t]`);
    const widened = await toolText(c, "run", { code: "1", allow: { env: ["PATH"] } });
    assert.ok(widened.isError);
    assert.match(widened.text, /allow\.env: PATH is outside/);
    assert.equal((await run(c, { code: '(:exit (sh "true"))', allow: { run: ["sh"] } })).value, "0");
  });

  test("a timeout_ms that is not a whole number of ms up to a day is refused (a timer cannot hold it)", async () => {
    const c = await connect();
    for (const timeout_ms of [0, 1.5, 2 ** 31, 1e12, "100"]) {
      const r = await toolText(c, "run", { code: "(+ 1 2)", timeout_ms });
      assert.ok(r.isError, `timeout_ms ${timeout_ms} was accepted`);
      assert.match(r.text, /timeout_ms must be a whole number of ms from 1 to 86400000/);
    }
  });

  test("a run's output is kept to its first million characters, with a note of what was left out", async () => {
    const c = await connect();
    const r = await run(c, {
      code: '(define (say i) (when (< i 200000) (println "0123456789") (say (+ i 1)))) (say 0) :done',
    });
    assert.equal(r.value, ":done");
    assert.equal(r.stdout.slice(0, 1_000_000), "0123456789\n".repeat(200_000).slice(0, 1_000_000));
    assert.equal(
      r.stdout.slice(1_000_000),
      "\n[skein mcp: 1200000 more characters of stdout left out; the limit is 1000000]\n",
    );
  });

  test("a run that loops forever ends at its deadline and the server keeps serving", async () => {
    const c = await connect();
    const r = await run(c, { code: "(define (spin n) (spin (+ n 1))) (spin 0)", timeout_ms: 300 });
    assert.equal(r.exit, 1);
    assert.match(r.error ?? "", /timeout after 300ms/);
    assert.equal((await run(c, { code: "(+ 1 2)" })).value, "3");
  });

  test("a run that exhausts its memory ends with an error and the server keeps serving", async () => {
    const c = await connect("--max-memory", "64");
    const r = await run(c, {
      code: "(define (grow xs) (grow (cons (vec (range 1000)) xs))) (grow (list))",
      timeout_ms: 60_000,
    });
    assert.equal(r.exit, 1);
    assert.match(r.error ?? "", /out of memory/);
    assert.equal((await run(c, { code: "(+ 1 2)" })).value, "3");
  });

  // regression: one builtin call allocating far past the cap at once (a 100 MB string under a
  // 64 MB cap) reached the thread's V8 heap limit in a single allocation, which ends the whole
  // process (nodejs/node#47224): the server died with the run
  test("a run whose one call allocates far past its cap at once ends with an error and the server keeps serving", async () => {
    const c = await connect("--max-memory", "64");
    const r = await run(c, {
      code: `(define s (string-upcase (apply str (repeat 2000 (apply str (repeat 50000 "a"))))))
(define (spin n) (if (> n 0) (spin (- n 1)) n))
(spin 2000000)
(count s)`,
      timeout_ms: 60_000,
    });
    assert.equal(r.exit, 1);
    assert.match(r.error ?? "", /out of memory: the script used more than 64 MB/);
    assert.equal((await run(c, { code: "(+ 1 2)" })).value, "3");
  });

  test("concurrent runs run at the same time", async () => {
    const c = await connect();
    // each run reports when it started and ended sleeping, on the shared wall clock: they all
    // overlap when every start comes before every end
    const burst = () =>
      Promise.all(Array.from({ length: 20 }, () => run(c, { code: "(let [t0 (now)] (sleep 2000) [t0 (now)])" })));
    await burst(); // the first burst also starts the workers
    const spans = (await burst()).map((r) => {
      assert.equal(r.exit, 0, r.error ?? "");
      return JSON.parse((r.value ?? "").replace(/ /g, ",")) as [number, number];
    });
    const lastStart = Math.max(...spans.map((s) => s[0]));
    const firstEnd = Math.min(...spans.map((s) => s[1]));
    assert.ok(lastStart < firstEnd, `the runs did not all overlap: last start ${lastStart}, first end ${firstEnd}`);
  });

  test("a cancelled call cancels its run (its finally block runs) and the server keeps serving", async () => {
    const dir = mkdtempSync(join(tmpdir(), "skein-mcp-"));
    try {
      const c = await connect(`--allow-write=${dir}`);
      const marker = join(dir, "cancelled");
      const ac = new AbortController();
      const call = run(
        c,
        { code: `(try (sleep 60000) (finally (write-file ${JSON.stringify(marker)} "yes")))` },
        ac.signal,
      );
      setTimeout(() => ac.abort(), 500);
      await assert.rejects(call);
      for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(existsSync(marker), "the run's finally block did not run");
      assert.equal((await run(c, { code: "(+ 1 2)" })).value, "3");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the gateway: a run reaches an upstream declared with --server, without --allow-run, and logs the call", async () => {
    const c = await connect("--server", `ev=${EVERYTHING}`);
    const r = await run(c, {
      code: '(define ev (mcp-server "ev")) [(mcp-servers) (mcp-call ev "get-sum" {:a 1 :b 2}) (error? (mcp-call ev "no-such-tool" {}))]',
    });
    assert.equal(r.error, null);
    assert.equal(r.value, '[["ev"] "The sum of 1 and 2 is 3." #t]');
    assert.deepEqual(
      r.calls.map((x) => [x.server, x.tool, x.ok]),
      [
        ["ev", "get-sum", true],
        ["ev", "no-such-tool", false],
      ],
    );
    assert.ok(r.calls.every((x) => typeof x.ms === "number" && x.ms >= 0));
    const schema = await toolText(c, "doc", { name: "ev/echo" });
    assert.match(schema.text, /"message"/);
    assert.match((await toolText(c, "doc", { name: "ev" })).text, /^echo: /m);
    const unknown = await run(c, { code: '(mcp-server "nope")' });
    assert.match(unknown.error ?? "", /mcp-server: expected the name of a declared server \(the servers are: ev\)/);
  });

  test("the gateway's servers from a config file in the agent hosts' shape", async () => {
    const dir = mkdtempSync(join(tmpdir(), "skein-mcp-"));
    try {
      const config = join(dir, "servers.json");
      const [command, ...args] = EVERYTHING.split(" ");
      writeFileSync(
        config,
        JSON.stringify({ mcpServers: { ev: { command, args, env: { SKEIN_GATEWAY_SECRET: "s3" } } } }),
      );
      const c = await connect("--config", config);
      const r = await run(c, {
        code: '(string-contains? (mcp-call (mcp-server "ev") "get-env" {}) "SKEIN_GATEWAY_SECRET")',
      });
      assert.equal(r.value, "#t", r.error ?? "");
      assert.equal((await run(c, { code: '(error? (getenv "SKEIN_GATEWAY_SECRET"))' })).value, "#t");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
