// MCP clients ("code mode"): mcp-connect mcp-tools mcp-call mcp-close, and the gateway's
// mcp-server mcp-servers. A connection is the official SDK's Client over stdio (a server started
// as a subprocess: needs --allow-run for its program) or streamable HTTP (an http(s) URL: needs
// --allow-net for its host); a gateway connection goes through the host (skein mcp --server), which
// holds the upstream servers and their credentials, so it needs no grant.
//
// Every call is a host operation: the task parks, a deadline or a cancellation aborts the request
// (the SDK then sends the server notifications/cancelled). Tool results become data: structured
// content as maps, a text result as its string; a tool that reports an error, a refused
// connection or a protocol failure is an error value. The SDK is loaded on the first mcp-connect.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { List as IList } from "immutable";
import { ErrorValue, Keyword, isVector, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { lazyRequire } from "../core/lazy.js";
import type { Machine } from "../vm/machine.js";
import { builtins } from "../lib/registry.js";
import { isList, num, options, seq, str, typeError } from "../lib/args.js";
import { parseJson, stringifyJson } from "../lib/json.js";
import { contextOf, type Host } from "../session/context.js";
import { hostOp } from "./host-op.js";
import { denied } from "./guard.js";
import { guardProgram } from "./process.js";

const def = builtins("mcp");
const kw = Keyword.of;
const SDK = "@modelcontextprotocol/sdk";

/** How a connection reaches its server: the SDK's client, or the host's gateway. */
interface Link {
  listTools(signal: AbortSignal): Promise<unknown[]>;
  callTool(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

/** What mcp-connect and mcp-server return. */
export class McpConnection {
  closed = false;
  constructor(
    /** the command line, URL or gateway name: shown in printing, errors and the call log */
    readonly label: string,
    readonly link: Link,
  ) {}
  printTag(): string {
    return `#<mcp ${this.label}${this.closed ? " (closed)" : ""}>`;
  }
}

/** The connections each host's script has open, closed when its run ends (closeMcpConnections). */
const open = new WeakMap<Host, Set<McpConnection>>();

/** Closes every connection the host's scripts left open: skein mcp calls it when a run ends. */
export async function closeMcpConnections(host: Host): Promise<void> {
  const conns = open.get(host);
  if (!conns) return;
  open.delete(host);
  await Promise.allSettled([...conns].map((c) => closeConnection(host, c)));
}

async function closeConnection(host: Host, c: McpConnection): Promise<void> {
  if (c.closed) return;
  c.closed = true;
  open.get(host)?.delete(c);
  await c.link.close();
}

// ---- the SDK's client ------------------------------------------------------------------------

/** Where a server is: a program to start (already resolved by the sandbox) or a URL. */
export type ServerTarget =
  | { command: string; args: string[]; env: Record<string, string>; cwd: string }
  | { url: string };

/** The last bytes a server wrote on stderr, for the message when it fails to start. */
const STDERR_KEPT = 2000;

/** Connects the SDK's client to the server; the signal aborts the connection attempt. */
export async function openClient(target: ServerTarget, signal: AbortSignal): Promise<Link> {
  const { Client: ClientClass } = lazyRequire<typeof import("@modelcontextprotocol/sdk/client/index.js")>(
    `${SDK}/client/index.js`,
  );
  let transport: Transport;
  let stderrTail = "";
  if ("url" in target) {
    const { StreamableHTTPClientTransport } = lazyRequire<
      typeof import("@modelcontextprotocol/sdk/client/streamableHttp.js")
    >(`${SDK}/client/streamableHttp.js`);
    transport = new StreamableHTTPClientTransport(new URL(target.url));
  } else {
    const { StdioClientTransport } = lazyRequire<typeof import("@modelcontextprotocol/sdk/client/stdio.js")>(
      `${SDK}/client/stdio.js`,
    );
    const stdio = new StdioClientTransport({ ...target, stderr: "pipe" });
    stdio.stderr?.on("data", (b: Buffer) => {
      stderrTail = (stderrTail + b.toString("utf8")).slice(-STDERR_KEPT);
    });
    transport = stdio;
  }
  const client: Client = new ClientClass({ name: "skein", version: "0.1.0" });
  try {
    await client.connect(transport, { signal });
  } catch (e) {
    await client.close().catch(() => {});
    const said = stderrTail.trim();
    throw said ? new Error(`${(e as Error).message}; the server said: ${said}`) : e;
  }
  return {
    listTools: async (s) => {
      const tools: unknown[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, {
          signal: s,
          timeout: NO_SDK_TIMEOUT,
        });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return tools;
    },
    callTool: (tool, args, s) =>
      client.callTool({ name: tool, arguments: args }, undefined, { signal: s, timeout: NO_SDK_TIMEOUT }),
    close: () => client.close(),
  };
}

/** The SDK's own request timeout is left out of the way: the session's deadline (:timeout, the
 *  default timeout) aborts the request instead. */
const NO_SDK_TIMEOUT = 2 ** 31 - 1;

/** A command line split into words as a shell would, without expansions: spaces separate words,
 *  quotes ('...' and "...") and backslashes keep them; null when a quote is not closed. */
export function splitCommandLine(line: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\" && i + 1 < line.length) word = (word ?? "") + line[++i];
    else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? "") + c;
  }
  if (quote !== null) return null;
  if (word !== null) words.push(word);
  return words;
}

// ---- data ------------------------------------------------------------------------------------

/** JSON from the protocol as Skein data: objects are maps with keyword keys, arrays vectors. */
function fromJson(v: unknown): Value {
  return v === undefined ? null : parseJson(JSON.stringify(v));
}

/** A map of arguments as the JSON object a tool takes. */
function toJsonObject(op: string, v: Value): Record<string, unknown> {
  if (v === null) return {};
  if (!(v instanceof LMap)) typeError(op, "a map of arguments", v);
  return JSON.parse(stringifyJson(v, false)) as Record<string, unknown>;
}

/** A tool as data: {:name :description :input-schema} (and :title, :output-schema when given). */
function toolValue(t: unknown): Value {
  const tool = t as {
    name: string;
    title?: string;
    description?: string;
    inputSchema?: unknown;
    outputSchema?: unknown;
  };
  const entries: [Value, Value][] = [[kw("name"), tool.name]];
  if (tool.title !== undefined) entries.push([kw("title"), tool.title]);
  entries.push([kw("description"), tool.description ?? ""]);
  entries.push([kw("input-schema"), fromJson(tool.inputSchema ?? { type: "object" })]);
  if (tool.outputSchema !== undefined) entries.push([kw("output-schema"), fromJson(tool.outputSchema)]);
  return LMap.fromEntries(entries);
}

interface ToolResult {
  content?: { type: string; text?: string }[];
  structuredContent?: unknown;
  isError?: boolean;
  toolResult?: unknown;
}

/** A content item as data: text as its string, anything else (an image, a resource) as a map. */
function contentValue(c: { type: string; text?: string }): Value {
  return c.type === "text" && typeof c.text === "string" ? c.text : fromJson(c);
}

/** The tool's result as data: its structured content; else its one content item; else a vector of them. */
function resultValue(r: ToolResult, label: string, tool: string): Value {
  const content = r.content ?? [];
  if (r.isError) {
    const text = content
      .filter((c) => c.type === "text")
      .map((c) => c.text)
      .join("\n");
    const data = LMap.fromEntries([
      [kw("server"), label],
      [kw("tool"), tool],
      [kw("content"), IList(content.map(contentValue))],
    ]);
    return new ErrorValue(`mcp-call ${tool}: ${text || "the tool reported an error"}`, data);
  }
  if (r.structuredContent !== undefined) return fromJson(r.structuredContent);
  if (r.toolResult !== undefined) return fromJson(r.toolResult);
  if (content.length === 1) return contentValue(content[0]);
  return IList(content.map(contentValue));
}

function mcpError(op: string, label: string, e: unknown): ErrorValue {
  const message = e instanceof Error ? e.message : String(e);
  return new ErrorValue(
    `${op}: ${message}: ${label}`,
    LMap.fromEntries([
      [kw("op"), op],
      [kw("server"), label],
    ]),
  );
}

function connection(op: string, v: Value): McpConnection {
  if (!(v instanceof McpConnection)) typeError(op, "an MCP connection (from mcp-connect or mcp-server)", v);
  if (v.closed) typeError(op, "an open MCP connection", v);
  return v;
}

function track(host: Host, c: McpConnection): McpConnection {
  let set = open.get(host);
  if (!set) open.set(host, (set = new Set()));
  set.add(c);
  return c;
}

// ---- builtins --------------------------------------------------------------------------------

/** The target of mcp-connect, checked by the sandbox; or the error value of a refusal. */
function connectTarget(m: Machine, v: Value): { target: ServerTarget; label: string } | ErrorValue {
  const op = "mcp-connect";
  const host = contextOf(m).host;
  if (typeof v === "string" && /^https?:\/\//i.test(v)) {
    const no = denied(m, op, "net", v);
    return no ?? { target: { url: v }, label: v };
  }
  let words: string[];
  let extraEnv: Record<string, string> = {};
  if (typeof v === "string") {
    const split = splitCommandLine(v);
    if (split === null) typeError(op, "a command line with its quotes closed", v);
    words = split;
  } else if (isVector(v) || isList(v)) {
    words = seq(op, v).map((w) => str(op, w));
  } else if (v instanceof LMap) {
    const command = v.get(kw("command"));
    if (typeof command !== "string") typeError(op, "a string for :command", command ?? null);
    const args = v.get(kw("args"));
    words = [command, ...(args === undefined || args === null ? [] : seq(op, args).map((w) => str(op, w)))];
    const env = v.get(kw("env"));
    if (env !== undefined && env !== null) {
      if (!(env instanceof LMap)) typeError(op, "a map for :env", env);
      for (const [k, x] of env.entries()) {
        const name = k instanceof Keyword ? k.name : str(op, k);
        extraEnv[name] = typeof x === "string" ? x : typeError(op, `a string for :env ${name}`, x);
      }
    }
  } else {
    typeError(op, "a command line, a vector [program arg ...], {:command :args :env} or an http(s) URL", v);
  }
  if (words.length === 0 || words[0] === "") typeError(op, "a program to start", v);
  const label = words.join(" ");
  let command = words[0];
  if (host.permissions) {
    const found = guardProgram(m, op, command, host.cwd);
    if (found instanceof ErrorValue) return found;
    if (found === null) return mcpError(op, label, new Error("no such program"));
    command = found;
  }
  const env: Record<string, string> = {};
  for (const [k, x] of Object.entries(host.env)) if (typeof x === "string") env[k] = x;
  extraEnv = { ...env, ...extraEnv };
  return { target: { command, args: words.slice(1), env: extraEnv, cwd: host.cwd }, label };
}

def(
  {
    name: "mcp-connect",
    arity: [1, 3],
    usage: "(mcp-connect target [:timeout ms])",
    doc: 'Connects to an MCP server and returns the connection. target: a command line ("npx -y server"), a vector [program arg ...], {:command :args :env} (env is added to the script\'s environment), or an http(s) URL (streamable HTTP). A program needs --allow-run in the sandbox, a URL --allow-net. A server that cannot be started or reached gives an error value. Connections still open when the run ends are closed.',
    examples: [],
    capability: ["run", "net"],
  },
  (a, m) => {
    const { pos, opts } = options("mcp-connect", a, 1, ["timeout"]);
    const t = connectTarget(m, pos[0]);
    if (t instanceof ErrorValue) return t;
    const host = contextOf(m).host;
    const timeout = opts.has("timeout") ? num("mcp-connect", opts.get("timeout")) : undefined;
    return hostOp(
      m,
      "mcp-connect",
      async (signal) => track(host, new McpConnection(t.label, await openClient(t.target, signal))),
      { timeout, onError: (e) => mcpError("mcp-connect", t.label, e) },
    );
  },
);

def(
  {
    name: "mcp-tools",
    arity: [1, 4],
    usage: "(mcp-tools c [name] [:timeout ms])",
    doc: "The tools of the server as a vector of maps {:name :description :input-schema} (:title and :output-schema when the server gives them; the schemas are JSON Schema as data). With name, only that tool's map, or an error value when there is none.",
    examples: [],
  },
  (a, m) => {
    const { pos, opts } = options("mcp-tools", a, 1, ["timeout"]);
    const c = connection("mcp-tools", pos[0]);
    const name = pos.length > 1 ? str("mcp-tools", pos[1]) : null;
    const timeout = opts.has("timeout") ? num("mcp-tools", opts.get("timeout")) : undefined;
    return hostOp(
      m,
      "mcp-tools",
      async (signal) => {
        const tools = await c.link.listTools(signal);
        if (name === null) return IList(tools.map(toolValue));
        const tool = tools.find((t) => (t as { name: string }).name === name);
        if (tool !== undefined) return toolValue(tool);
        const names = tools.map((t) => (t as { name: string }).name).join(", ");
        return new ErrorValue(
          `mcp-tools: no tool ${name} on ${c.label} (it has: ${names})`,
          LMap.fromEntries([[kw("tool"), name]]),
        );
      },
      { timeout, onError: (e) => mcpError("mcp-tools", c.label, e) },
    );
  },
);

def(
  {
    name: "mcp-call",
    arity: [2, 5],
    usage: '(mcp-call c "tool" [args] [:timeout ms])',
    doc: "Calls a tool of the server with args (a map, keyword keys as the schema's property names) and returns its result as data: the structured content as a map when the tool gives one, else its one content item (text as a string, an image or resource as a map), else a vector of the items. A tool that reports an error, a timeout and a lost connection give error values ({:server :tool :content} in the data when the tool said why). A timeout or a cancellation cancels the request on the server.",
    examples: [],
  },
  (a, m) => {
    const { pos, opts } = options("mcp-call", a, 2, ["timeout"]);
    const c = connection("mcp-call", pos[0]);
    const tool = str("mcp-call", pos[1]);
    const args = toJsonObject("mcp-call", pos.length > 2 ? pos[2] : null);
    const timeout = opts.has("timeout") ? num("mcp-call", opts.get("timeout")) : undefined;
    const host = contextOf(m).host;
    const log = (t0: number, v: Value) => {
      const ok = !(v instanceof ErrorValue);
      host.mcpLog?.({
        server: c.label,
        tool,
        ms: Math.round(performance.now() - t0),
        ok,
        ...(ok ? {} : { error: (v as ErrorValue).message }),
      });
      return v;
    };
    const t0 = performance.now();
    const started = hostOp(
      m,
      "mcp-call",
      async (signal) => {
        try {
          return log(t0, resultValue((await c.link.callTool(tool, args, signal)) as ToolResult, c.label, tool));
        } catch (e) {
          throw log(t0, mcpError("mcp-call", `${c.label} ${tool}`, e));
        }
      },
      {
        timeout,
        onError: (e) => (e instanceof ErrorValue ? e : mcpError("mcp-call", `${c.label} ${tool}`, e)),
      },
    );
    return started;
  },
);

def(
  {
    name: "mcp-close",
    arity: [1, 1],
    usage: "(mcp-close c)",
    doc: "Closes the connection (a server it started is stopped). Closing a closed connection does nothing; returns nil.",
    examples: [],
  },
  (a, m) => {
    const c = a[0];
    if (!(c instanceof McpConnection)) typeError("mcp-close", "an MCP connection", c);
    const host = contextOf(m).host;
    return hostOp(m, "mcp-close", async () => {
      await closeConnection(host, c);
      return null;
    });
  },
);

// ---- the gateway -----------------------------------------------------------------------------

def(
  {
    name: "mcp-servers",
    arity: [0, 0],
    usage: "(mcp-servers)",
    doc: "The names of the upstream MCP servers the host declared (skein mcp --server NAME=COMMAND), sorted; empty outside skein mcp.",
    examples: [["(vector? (mcp-servers))", "#t"]],
  },
  (_a, m) => IList([...(contextOf(m).host.mcpGateway?.servers ?? [])].sort()),
);

def(
  {
    name: "mcp-server",
    arity: [1, 1],
    usage: '(mcp-server "NAME")',
    doc: "A connection to the upstream MCP server the host declared as NAME (skein mcp --server NAME=COMMAND): the host starts it with its own configuration and credentials, so it needs no grant. Use it with mcp-tools and mcp-call; every call is logged in the run's result. An unknown NAME raises, naming the servers there are.",
    examples: [],
  },
  (a, m) => {
    const name = str("mcp-server", a[0]);
    const host = contextOf(m).host;
    const gw = host.mcpGateway;
    if (!gw || !gw.servers.includes(name)) {
      const there = gw?.servers.length ? `the servers are: ${[...gw.servers].sort().join(", ")}` : "none are declared";
      typeError("mcp-server", `the name of a declared server (${there})`, name);
    }
    return track(
      host,
      new McpConnection(name, {
        listTools: (signal) => gw.listTools(name, signal),
        callTool: (tool, args, signal) => gw.callTool(name, tool, args, signal),
        close: async () => {},
      }),
    );
  },
);
