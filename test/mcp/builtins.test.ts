// The mcp-* builtins against real servers: the MCP project's reference server
// (@modelcontextprotocol/server-everything, a dev dependency) over stdio, started by the tests,
// and a small SDK server over streamable HTTP on 127.0.0.1.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { write } from "../../src/syntax/printer.js";
import { parseSandboxFlags } from "../../src/sandbox/sandbox.js";
import { closeMcpConnections } from "../../src/host/mcp.js";
import { fakeHost, projectRoot, runOk, runProgram } from "../helpers.js";

const everything = join(
  projectRoot(),
  "node_modules",
  "@modelcontextprotocol",
  "server-everything",
  "dist",
  "index.js",
);
/** The reference server as mcp-connect's vector target. */
const EV = `["node" ${JSON.stringify(everything)} "stdio"]`;

async function value(src: string, flags?: string[]): Promise<string> {
  const host = fakeHost();
  host.env = { ...process.env };
  if (flags) host.permissions = parseSandboxFlags(flags).permissions;
  try {
    return write((await runOk(src, { host })).value);
  } finally {
    await closeMcpConnections(host);
  }
}

describe("mcp-connect, mcp-tools, mcp-call, mcp-close over stdio", () => {
  test("tools as data, with their input schemas", async () => {
    const v = await value(`(define c (mcp-connect ${EV}))
      (define echo (mcp-tools c "echo"))
      [(:name echo) (get-in echo [:input-schema :required]) (get-in echo [:input-schema :properties :message :type])
       (>= (count (mcp-tools c)) 5) (error? (mcp-tools c "nope"))]`);
    assert.equal(v, '["echo" ["message"] "string" #t #t]');
  });

  test("results as data: text as a string, structured content as a map; a tool's error as an error value", async () => {
    const v = await value(`(define c (mcp-connect ${EV}))
      (define weather (mcp-call c "get-structured-content" {:location "Chicago"}))
      [(mcp-call c "echo" {:message "hi"}) (number? (:temperature weather)) (string? (:conditions weather))
       (error? (mcp-call c "no-such-tool" {})) (error? (mcp-call c "get-sum" {:a "x"}))]`);
    assert.equal(v, '["Echo: hi" #t #t #t #t]');
  });

  test("a command line, {:command :args :env}; a closed connection is refused; a missing program is an error value", async () => {
    const v = await value(`(define a (mcp-connect ${JSON.stringify(`node ${everything} stdio`)}))
      (define b (mcp-connect {:command "node" :args [${JSON.stringify(everything)} "stdio"] :env {:SKEIN_MCP_TEST "yes"}}))
      (define r [(mcp-call a "get-sum" {:a 2 :b 3}) (string-contains? (mcp-call b "get-env" {}) "SKEIN_MCP_TEST")])
      (mcp-close a)
      (mcp-close a)
      [r (error? (try (mcp-call a "echo" {:message "x"}) (catch e e))) (error? (mcp-connect "/nonexistent/skein-mcp-server"))]`);
    assert.equal(v, '[["The sum of 2 and 3 is 5." #t] #t #t]');
  });

  test("parallel-map over calls with :max-threads, and timeout cancels a call without breaking the connection", async () => {
    const v = await value(`(define c (mcp-connect ${EV}))
      (define sums (parallel-map (fn [i] (mcp-call c "get-sum" {:a i :b 1})) (range 8) :max-threads 3))
      (define slow (timeout 300 (fn [] (mcp-call c "trigger-long-running-operation" {:duration 60 :steps 1}))))
      (define slow2 (mcp-call c "trigger-long-running-operation" {:duration 60 :steps 1} :timeout 300))
      [(count sums) (last sums) (error? slow) (error-msg slow2) (mcp-call c "echo" {:message "still here"})]`);
    assert.equal(v, '[8 "The sum of 7 and 1 is 8." #t "timeout after 300ms" "Echo: still here"]');
  });

  test("a timeout or a cancelled task sends the server MCP cancellation", async () => {
    // a server whose one tool waits until its request is cancelled, then leaves a mark
    const dir = mkdtempSync(join(tmpdir(), "skein-mcp-"));
    try {
      const sdk = (p: string) =>
        pathToFileURL(join(projectRoot(), "node_modules", "@modelcontextprotocol", "sdk", "dist", "esm", p)).href;
      const script = join(dir, "server.mjs");
      writeFileSync(
        script,
        `import { Server } from ${JSON.stringify(sdk("server/index.js"))};
import { StdioServerTransport } from ${JSON.stringify(sdk("server/stdio.js"))};
import { CallToolRequestSchema, ListToolsRequestSchema } from ${JSON.stringify(sdk("types.js"))};
import { writeFileSync } from "node:fs";
const s = new Server({ name: "w", version: "1" }, { capabilities: { tools: {} } });
s.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [{ name: "wait", inputSchema: { type: "object" } }] }));
s.setRequestHandler(CallToolRequestSchema, (r, extra) => new Promise((resolve) => {
  extra.signal.addEventListener("abort", () => {
    writeFileSync(${JSON.stringify(dir)} + "/cancelled-" + r.params.arguments.n, "");
    resolve({ content: [] });
  });
}));
await s.connect(new StdioServerTransport());
`,
      );
      const v = await value(`(define c (mcp-connect ["node" ${JSON.stringify(script)}]))
        (define by-timeout (timeout 200 (fn [] (mcp-call c "wait" {:n 1}))))
        (define t (spawn (fn [] (mcp-call c "wait" {:n 2}))))
        (sleep 200)
        (task-cancel t)
        (define (marked? n) (file-exists? (str ${JSON.stringify(dir)} "/cancelled-" n)))
        (define (await-marks k) (if (or (and (marked? 1) (marked? 2)) (= k 0)) [(marked? 1) (marked? 2)] (begin (sleep 50) (await-marks (- k 1)))))
        [(error? by-timeout) (await-marks 200)]`);
      assert.equal(v, "[#t [#t #t]]");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the sandbox: a server's program needs --allow-run for it", async () => {
    const denied = await value(`(error-msg (mcp-connect ${EV}))`, ["--sandbox"]);
    assert.match(denied, /permission denied: mcp-connect node \(run with --allow-run\)/);
    const allowed = await value(`(mcp-call (mcp-connect ${EV}) "echo" {:message "ok"})`, ["--allow-run=node"]);
    assert.equal(allowed, '"Echo: ok"');
  });

  test("a target that names no program raises, saying what mcp-connect takes", async () => {
    for (const [target, shown] of [
      ['""', "a program to start"],
      ["'()", "a program to start"],
      ['"node \'unclosed"', "a command line with its quotes closed"],
      ["42", "a command line, a vector [program arg ...], {:command :args :env} or an http(s) URL"],
      ["{:args []}", "a string for :command"],
    ]) {
      const r = await runProgram(`(mcp-connect ${target})`);
      assert.equal(r.outcome.status, "failed", target);
      assert.match(
        r.rendered ?? "",
        new RegExp(`mcp-connect: expected ${shown.replace(/[[\]{}().+]/g, "\\$&")}`),
        target,
      );
    }
  });

  test("outside skein mcp there are no declared servers", async () => {
    assert.equal(await value(`[(mcp-servers) (error? (try (mcp-server "x") (catch e e)))]`), "[[] #t]");
  });
});

describe("mcp-connect over streamable HTTP", () => {
  let server: http.Server;
  let url = "";
  before(async () => {
    server = http.createServer(async (req, res) => {
      // stateless: one MCP server and transport per request
      const mcp = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
      mcp.setRequestHandler(ListToolsRequestSchema, () => ({
        tools: [{ name: "double", inputSchema: { type: "object", properties: { n: { type: "number" } } } }],
      }));
      mcp.setRequestHandler(CallToolRequestSchema, (r) => ({
        content: [{ type: "text", text: String(Number(r.params.arguments?.n) * 2) }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => {
        void transport.close();
        void mcp.close();
      });
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("a URL connects; in the sandbox it needs --allow-net for the host", async () => {
    assert.equal(await value(`(mcp-call (mcp-connect ${JSON.stringify(url)}) "double" {:n 21})`), '"42"');
    const denied = await value(`(error-msg (mcp-connect ${JSON.stringify(url)}))`, ["--sandbox"]);
    assert.match(denied, /permission denied: mcp-connect http:\/\/127\.0\.0\.1:\d+\/mcp \(run with --allow-net\)/);
    assert.equal(
      await value(`(mcp-call (mcp-connect ${JSON.stringify(url)}) "double" {:n 2})`, ["--allow-net=127.0.0.1"]),
      '"4"',
    );
  });
});
