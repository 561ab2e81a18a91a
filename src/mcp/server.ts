// skein mcp: Skein as a Model Context Protocol server on stdio, built on the official SDK.
//
//   skein mcp [--max-memory MB] [--timeout MS] [--sandbox|--allow-*...] [--server NAME=COMMAND]... [--config FILE]
//
// Tools: `run` runs a program in a fresh session on a worker thread of the process's pool
// (src/workers: Pool.run) with the call's own output, grants (narrowed from the server's flags:
// grants.ts), deadline, cancellation and memory cap;
// `doc` tells a builtin's doc, or an upstream server's tools. The upstream servers (--server, or a
// config file in the agent hosts' {"mcpServers": {...}} shape) are the gateway: the server starts
// them with its own environment and keeps one connection to each, and a run reaches them as
// (mcp-server "NAME") through messages to this thread.
import { readFileSync } from "node:fs";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { lazyRequire } from "../core/lazy.js";
import { docText } from "../lib/core.js";
import { Session } from "../session/session.js";
import { Sandbox, parseSandboxFlags, type SandboxSpec } from "../sandbox/sandbox.js";
import { openClient, splitCommandLine, type ServerTarget } from "../host/mcp.js";
import type { McpGateway } from "../session/context.js";
import { GrantError, checkNarrowing, type AllowArg } from "./grants.js";
import { OUTPUT_LIMIT, sharedPool, type Pool } from "../workers/pool.js";
import type { RunResult } from "../workers/protocol.js";
import { checkSource } from "../session/check.js";
import { guideText } from "../cli/guide.js";

const SDK = "@modelcontextprotocol/sdk";

/** A bad command line: the CLI prints it with the usage (exit 2). */
export class McpUsageError extends Error {}

export const MCP_USAGE = `skein mcp: a Model Context Protocol server on stdio
  skein mcp [--max-memory MB] [--timeout MS] [SANDBOX FLAGS] [--server NAME=COMMAND]... [--config FILE]
  --max-memory MB         each run's memory cap (default 512)
  --timeout MS            a run's deadline when the call gives no timeout_ms (default 30000)
  SANDBOX FLAGS           --allow-read ... --allow-env: the most any run may do (none: fully sandboxed)
  --server NAME=COMMAND   an upstream MCP server runs reach as (mcp-server "NAME") (repeatable)
  --config FILE           upstream servers from a JSON file {"mcpServers": {"NAME": {"command", "args", "env"} or {"url"}}}
`;

export interface McpOptions {
  ceiling: SandboxSpec;
  memoryMb: number;
  timeoutMs: number;
  servers: Map<string, ServerTarget>;
}

/** The longest deadline of a run: a day (a timer cannot wait much longer than 24 days anyway). */
const MAX_TIMEOUT_MS = 86_400_000;

const positiveInt = (flag: string, s: string | undefined): number => {
  const n = Number(s);
  if (s === undefined || !Number.isInteger(n) || n <= 0 || n > MAX_TIMEOUT_MS)
    throw new McpUsageError(`${flag} needs a positive whole number (at most ${MAX_TIMEOUT_MS})`);
  return n;
};

function commandTarget(name: string, words: string[], env: Record<string, string> = {}): ServerTarget {
  if (words.length === 0) throw new McpUsageError(`--server ${name}: no command`);
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) base[k] = v;
  return { command: words[0], args: words.slice(1), env: { ...base, ...env }, cwd: process.cwd() };
}

function addServer(servers: Map<string, ServerTarget>, name: string, target: ServerTarget): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new McpUsageError(`--server: the name ${JSON.stringify(name)} is not a word`);
  if (servers.has(name)) throw new McpUsageError(`--server: ${name} is declared twice`);
  servers.set(name, target);
}

/** The upstream servers of a config file: {"mcpServers": {NAME: {command, args?, env?} | {url}}}. */
function readConfig(file: string, servers: Map<string, ServerTarget>): void {
  let cfg: { mcpServers?: Record<string, { command?: unknown; args?: unknown; env?: unknown; url?: unknown }> };
  try {
    cfg = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new McpUsageError(`--config ${file}: ${(e as Error).message}`);
  }
  for (const [name, s] of Object.entries(cfg.mcpServers ?? {})) {
    if (typeof s.url === "string") addServer(servers, name, { url: s.url });
    else if (typeof s.command === "string") {
      const args = Array.isArray(s.args) ? s.args.map(String) : [];
      const env = (s.env ?? {}) as Record<string, string>;
      addServer(servers, name, commandTarget(name, [s.command, ...args], env));
    } else throw new McpUsageError(`--config ${file}: server ${name} needs "command" or "url"`);
  }
}

/** Reads skein mcp's flags. Throws McpUsageError (or the sandbox's SandboxFlagError). */
export function parseMcpArgs(argv: readonly string[]): McpOptions {
  const sandboxArgs: string[] = [];
  const servers = new Map<string, ServerTarget>();
  let memoryMb = 512;
  let timeoutMs = 30_000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--max-memory") memoryMb = positiveInt(flag, value());
    else if (flag === "--timeout") timeoutMs = positiveInt(flag, value());
    else if (arg === "--server") {
      const decl = argv[++i] ?? "";
      const eq = decl.indexOf("=");
      if (eq <= 0) throw new McpUsageError("--server needs NAME=COMMAND");
      const name = decl.slice(0, eq);
      const words = splitCommandLine(decl.slice(eq + 1));
      if (words === null) throw new McpUsageError(`--server ${name}: a quote is not closed`);
      addServer(servers, name, /^https?:\/\//.test(words[0] ?? "") ? { url: words[0] } : commandTarget(name, words));
    } else if (flag === "--config") readConfig(value() ?? "", servers);
    else if (arg === "--sandbox" || arg.startsWith("--allow-")) sandboxArgs.push(arg);
    else throw new McpUsageError(`unknown option ${arg}`);
  }
  const { spec } = parseSandboxFlags(sandboxArgs);
  return { ceiling: spec, memoryMb, timeoutMs, servers };
}

// ---- the gateway -----------------------------------------------------------------------------

type Link = Awaited<ReturnType<typeof openClient>>;

/** One connection to each upstream server, opened on first use (again after a failure): the
 *  gateway of every run (Pool.run relays a run's calls to it). */
class Upstreams implements McpGateway {
  private readonly links = new Map<string, Promise<Link>>();
  readonly servers: readonly string[];
  constructor(readonly targets: Map<string, ServerTarget>) {
    this.servers = [...targets.keys()];
  }

  private link(name: string): Promise<Link> {
    let l = this.links.get(name);
    const target = this.targets.get(name);
    if (!target) return Promise.reject(new Error(`no upstream server ${name}`));
    if (!l) {
      l = openClient(target, AbortSignal.timeout(60_000));
      l.catch(() => this.links.delete(name));
      this.links.set(name, l);
    }
    return l;
  }

  async listTools(server: string, signal: AbortSignal): Promise<unknown[]> {
    return (await this.link(server)).listTools(signal);
  }

  async callTool(server: string, tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    return (await this.link(server)).callTool(tool, args, signal);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.links.values()].map(async (l) => (await l).close()));
  }
}

// ---- the tools -------------------------------------------------------------------------------

interface ToolDef {
  tool: Tool;
  call(args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult>;
}

const GRANT = { oneOf: [{ type: "boolean" }, { type: "array", items: { type: "string" } }] };

/** The guide (docs/guide.md, what skein guide prints), served so a model can read it before writing. */
const GUIDE_URI = "skein://guide";
const GUIDE_RESOURCE = {
  uri: GUIDE_URI,
  name: "guide",
  title: "Skein in one page",
  description:
    "The language in one page for a model writing its first script: syntax, differences from Clojure and Scheme, error values, return shapes, idioms, every builtin.",
  mimeType: "text/markdown",
};

const CHECK_OUTPUT = {
  type: "object",
  properties: {
    findings: {
      type: "array",
      items: {
        type: "object",
        properties: { line: { type: "integer" }, col: { type: "integer" }, message: { type: "string" } },
        required: ["line", "col", "message"],
      },
    },
  },
  required: ["findings"],
};

const RUN_OUTPUT = {
  type: "object",
  properties: {
    stdout: { type: "string" },
    stderr: { type: "string" },
    value: { type: ["string", "null"], description: "the last form's value in write form" },
    error: { type: ["string", "null"], description: "the error, with its position, as the CLI shows it" },
    exit: { type: "integer" },
    calls: {
      type: "array",
      description: "every MCP tool call the run made: {server, tool, ms, ok, error?}",
      items: { type: "object" },
    },
  },
  required: ["stdout", "stderr", "value", "error", "exit", "calls"],
} as const;

const toolError = (text: string): CallToolResult => ({ content: [{ type: "text", text }], isError: true });

/** A run's result as the run tool gives it: the output with a note of what was left out past
 *  OUTPUT_LIMIT, and its exit status. */
function runOutput(r: RunResult) {
  const shown = (stream: "stdout" | "stderr") =>
    r.leftOut[stream] === 0
      ? r[stream]
      : `${r[stream]}\n[skein mcp: ${r.leftOut[stream]} more characters of ${stream} left out; the limit is ${OUTPUT_LIMIT}]\n`;
  return {
    stdout: shown("stdout"),
    stderr: shown("stderr"),
    value: r.value,
    error: r.error,
    exit: r.exitCode,
    calls: r.calls,
  };
}

function tools(o: McpOptions, pool: Pool, upstreams: Upstreams): ToolDef[] {
  let docSession: Session | undefined;
  const lispDoc = (name: string) => {
    docSession ??= new Session({
      stdout: () => {},
      stderr: () => {},
      stderrIsTTY: false,
      argv: [],
      env: {},
      cwd: process.cwd(),
      exit: () => {},
    });
    docSession.loadPrelude();
    return docSession.lispDocs.get(name);
  };
  const run: ToolDef = {
    tool: {
      name: "run",
      description:
        "Run a Skein program (a concurrent Lisp for automation) in a fresh sandboxed session and return its output, its last value and its error. " +
        `Read the resource ${GUIDE_URI} first: the language in one page. The doc tool gives a builtin's doc; check finds mistakes without running.` +
        (o.servers.size
          ? ` Upstream MCP servers: (mcp-servers), (mcp-server "NAME"), (mcp-tools c), (mcp-call c "tool" {:arg v}).`
          : ""),
      inputSchema: {
        type: "object",
        properties: {
          code: { type: "string", description: "the program: one or more forms" },
          args: { type: "array", items: { type: "string" }, description: "(command-line-args)" },
          timeout_ms: {
            type: "integer",
            minimum: 1,
            maximum: MAX_TIMEOUT_MS,
            description: `the run's deadline (default ${o.timeoutMs})`,
          },
          allow: {
            type: "object",
            description:
              "narrower grants than the server's: per capability true or a list (paths, hosts, programs, names)",
            properties: { read: GRANT, write: GRANT, net: GRANT, run: GRANT, env: GRANT },
            additionalProperties: false,
          },
        },
        required: ["code"],
      },
      outputSchema: RUN_OUTPUT as unknown as Tool["outputSchema"],
    },
    async call(args, signal) {
      if (typeof args.code !== "string") return toolError("run: code must be a string");
      const timeout = args.timeout_ms ?? o.timeoutMs;
      if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MS)
        return toolError(`run: timeout_ms must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS} (a day)`);
      const cwd = process.cwd();
      let request: SandboxSpec | null = null;
      try {
        if (args.allow !== undefined) request = checkNarrowing(o.ceiling, args.allow as AllowArg, cwd);
      } catch (e) {
        if (e instanceof GrantError) return toolError(`run: ${e.message}`);
        throw e;
      }
      const result = runOutput(
        await pool.run(args.code, {
          cwd,
          env: { ...process.env },
          argv: Array.isArray(args.args) ? args.args.map(String) : [],
          sandbox: Sandbox.create(o.ceiling, { cwd }),
          narrow: request === null ? undefined : Sandbox.create(request, { cwd }),
          timeoutMs: timeout,
          signal,
          maxMemoryMb: o.memoryMb,
          memoryFlag: "skein mcp --max-memory MB",
          gateway: upstreams,
        }),
      );
      return {
        content: [{ type: "text", text: JSON.stringify(result) }],
        structuredContent: result as unknown as Record<string, unknown>,
      };
    },
  };
  const doc: ToolDef = {
    tool: {
      name: "doc",
      description: `The doc of a Skein builtin or library function (usage, doc, examples); "SERVER" lists an upstream server's tools, "SERVER/TOOL" gives one tool's input schema.`,
      inputSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    },
    async call(args, signal) {
      const name = String(args.name ?? "");
      const [server, tool] = name.split("/", 2);
      if (o.servers.has(server)) {
        const list = (await upstreams.listTools(server, signal)) as Tool[];
        if (tool === undefined)
          return { content: [{ type: "text", text: list.map((t) => `${t.name}: ${t.description ?? ""}`).join("\n") }] };
        const t = list.find((x) => x.name === tool);
        if (!t) return toolError(`doc: no tool ${tool} on ${server} (it has: ${list.map((x) => x.name).join(", ")})`);
        return { content: [{ type: "text", text: JSON.stringify(t, null, 2) }] };
      }
      return { content: [{ type: "text", text: docText(name, lispDoc(name)) }] };
    },
  };
  const check: ToolDef = {
    tool: {
      name: "check",
      description:
        "Check a Skein program without running it, as skein check does: unknown names (with what was probably meant), wrong numbers of arguments, unknown keyword options. An empty findings list means clean.",
      inputSchema: {
        type: "object",
        properties: { code: { type: "string", description: "the program: one or more forms" } },
        required: ["code"],
      },
      outputSchema: CHECK_OUTPUT as unknown as Tool["outputSchema"],
    },
    async call(args) {
      if (typeof args.code !== "string") return toolError("check: code must be a string");
      // a program's (load "file") is not followed: the server's files are not the caller's
      const findings = checkSource(args.code, "<run>").map(({ line, col, message }) => ({ line, col, message }));
      const text = findings.map((f) => `<run>:${f.line}:${f.col}: ${f.message}`).join("\n") || "no findings";
      return { content: [{ type: "text", text }], structuredContent: { findings } };
    },
  };
  return [run, doc, check];
}

/** Serves MCP on stdin/stdout until stdin closes. */
export async function serveMcp(o: McpOptions, version: string): Promise<void> {
  const { Server } = lazyRequire<typeof import("@modelcontextprotocol/sdk/server/index.js")>(`${SDK}/server/index.js`);
  const { StdioServerTransport } = lazyRequire<typeof import("@modelcontextprotocol/sdk/server/stdio.js")>(
    `${SDK}/server/stdio.js`,
  );
  const { CallToolRequestSchema, ListToolsRequestSchema, ListResourcesRequestSchema, ReadResourceRequestSchema } =
    lazyRequire<typeof import("@modelcontextprotocol/sdk/types.js")>(`${SDK}/types.js`);
  const upstreams = new Upstreams(o.servers);
  const pool = sharedPool();
  pool.warmRunners(2, o.memoryMb);
  const defs = tools(o, pool, upstreams);
  const server = new Server({ name: "skein", version }, { capabilities: { tools: {}, resources: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: defs.map((d) => d.tool) }));
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: [GUIDE_RESOURCE] }));
  server.setRequestHandler(ReadResourceRequestSchema, (req) => {
    if (req.params.uri !== GUIDE_URI) throw new Error(`no resource ${req.params.uri} (there is ${GUIDE_URI})`);
    return { contents: [{ uri: GUIDE_URI, mimeType: "text/markdown", text: guideText() }] };
  });
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const d = defs.find((x) => x.tool.name === req.params.name);
    if (!d) return toolError(`no tool ${req.params.name} (the tools are: ${defs.map((x) => x.tool.name).join(", ")})`);
    return d.call(req.params.arguments ?? {}, extra.signal);
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once("end", resolve);
  });
  await server.connect(transport);
  await closed;
  await Promise.allSettled([pool.close(), upstreams.close()]);
}
