// HTTP builtins: http-get, http-post, http-put, http-delete and http-request.
//
// Built on node:http / node:https, loaded on the first request (a script that makes none does
// not pay for them), with one keep-alive Agent per protocol: connections to an origin are reused,
// at most MAX_CONNECTIONS_PER_HOST of them, so 100 requests in flight use up to 100 connections.
// Every request runs through hostOp (the task parks, cancellation aborts the socket); the deadline
// (:timeout, else the session default) covers the whole exchange: redirects and the body too.
// Redirects are followed here, not by the client, so that every hop is checked by the sandbox.
// Failures (non-2xx, refused, reset, DNS, bad URL, timeout) are error values; wrong argument
// types raise. Response headers are a map from lower-case header names (strings) to strings.
import { expectedGot } from "../core/messages.js";
import type * as Http from "node:http";
import { List as IList } from "immutable";
import { raise } from "../core/error.js";
import { display } from "../syntax/printer.js";
import { ErrorValue, Keyword, Sym, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import type { Machine } from "../vm/machine.js";
import type { Timer } from "../runtime/timers.js";
import { msArg, options, str, typeError } from "../lib/args.js";
import { ERROR_REASONS, cancellableHostOp, maxBytesOpt, tooLarge, tooLargeReason } from "./host-op.js";
import { timeoutError } from "../core/messages.js";
import { denied } from "./guard.js";
import { parseJson, stringifyJson } from "../lib/json.js";
import { builtins } from "../lib/registry.js";
import { contextOf } from "../session/context.js";
import { lazyRequire } from "../core/lazy.js";

const def = builtins("http");
const kw = Keyword.of;

/** Connections per origin (scheme, host and port) at most; further requests queue for one. */
export const MAX_CONNECTIONS_PER_HOST = 256;
export const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Methods that may be sent again when a reused keep-alive connection turns out to be closed. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
/** Headers that do not follow a redirect to another origin. */
const ORIGIN_BOUND = ["authorization", "cookie", "proxy-authorization", "host"];

// ---- the client, loaded on first use -------------------------------------------------------

type RequestFn = (url: URL, opts: Http.RequestOptions) => Http.ClientRequest;
interface Transport {
  request: RequestFn;
  agent: Http.Agent;
}

const transports = new Map<string, Transport>();
const loading = new Map<string, Promise<Transport>>();

function transport(protocol: string): Transport | Promise<Transport> {
  const t = transports.get(protocol);
  if (t) return t;
  let p = loading.get(protocol);
  if (!p) {
    p = loadTransport(protocol);
    loading.set(protocol, p);
  }
  return p;
}

async function loadTransport(protocol: string): Promise<Transport> {
  const agentOptions = {
    keepAlive: true,
    maxSockets: MAX_CONNECTIONS_PER_HOST,
    maxFreeSockets: MAX_CONNECTIONS_PER_HOST,
  };
  let t: Transport;
  if (protocol === "https:") {
    const https = lazyRequire<typeof import("node:https")>("node:https");
    t = { request: https.request as RequestFn, agent: new https.Agent(agentOptions) };
  } else {
    const http = lazyRequire<typeof import("node:http")>("node:http");
    t = { request: http.request as RequestFn, agent: new http.Agent(agentOptions) };
  }
  transports.set(protocol, t);
  return t;
}

// ---- one request as planned from the arguments ----------------------------------------------

interface Plan {
  op: string;
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer | null;
  asJson: boolean;
  /** ms; undefined for the session's default */
  timeout: number | undefined;
  /** the most bytes of response body taken (after decompression) */
  maxBytes: number;
}

function errorValue(message: string, entries: [string, Value][]): ErrorValue {
  return new ErrorValue(message, LMap.fromEntries(entries.map(([k, v]) => [kw(k), v] as const)));
}

function headerName(op: string, k: Value): string {
  if (typeof k === "string") return k.toLowerCase();
  if (k instanceof Keyword || k instanceof Sym) return k.name.toLowerCase();
  typeError(op, "a string or keyword as a header name", k);
}

function headerValue(op: string, name: string, v: Value): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || v instanceof Keyword) return display(v);
  typeError(op, `a string as the value of header ${name}`, v);
}

function headersArg(op: string, v: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (!(v instanceof LMap)) typeError(op, "a map of headers", v);
  for (const [k, x] of v.entries()) {
    const name = headerName(op, k);
    out[name] = headerValue(op, name, x);
  }
  return out;
}

function asArg(op: string, v: Value | undefined): boolean {
  if (v === undefined || v === null) return false;
  const name = v instanceof Keyword ? v.name : typeof v === "string" ? v : typeError(op, ":json or :text for :as", v);
  if (name === "json") return true;
  if (name === "text") return false;
  raise(expectedGot(op, ":json or :text for :as", display(v)));
}

function timeoutArg(op: string, v: Value | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  return msArg(op, v);
}

function methodArg(op: string, v: Value | undefined): string {
  if (v === undefined || v === null) return "GET";
  const name =
    v instanceof Keyword ? v.name : typeof v === "string" ? v : typeError(op, 'a method such as :get or "POST"', v);
  if (!/^[A-Za-z]+$/.test(name)) raise(expectedGot(op, 'a method such as :get or "POST"', display(v)));
  return name.toUpperCase();
}

/** The URL to request, or the error value for one that cannot be requested. */
function parseUrl(op: string, text: string): URL | ErrorValue {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return errorValue(`${op}: invalid URL: ${text}`, [
      ["op", op],
      ["url", text],
    ]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return errorValue(`${op}: unsupported protocol ${url.protocol} (only http and https): ${text}`, [
      ["op", op],
      ["url", text],
    ]);
  }
  return url;
}

/** Reads the arguments into a Plan; raises for a wrong type, returns an error value for a bad URL. */
function plan(op: string, method: string, urlArg: Value, o: ReadonlyMap<string, Value>): Plan | ErrorValue {
  const text = str(op, urlArg);
  const headers = headersArg(op, o.get("headers"));
  const asJson = asArg(op, o.get("as"));
  const timeout = timeoutArg(op, o.get("timeout"));
  let body: Buffer | null = null;
  const rawBody = o.get("body") ?? null;
  if (rawBody !== null && o.has("json")) raise(`${op}: give :body or :json, not both`);
  if (rawBody !== null) {
    if (typeof rawBody !== "string") typeError(op, "a string for :body", rawBody);
    body = Buffer.from(rawBody, "utf8");
    headers["content-type"] ??= "text/plain; charset=utf-8";
  } else if (o.has("json")) {
    body = Buffer.from(stringifyJson(o.get("json") ?? null, false), "utf8");
    headers["content-type"] ??= "application/json";
  }
  if (body !== null) headers["content-length"] = String(body.length);
  headers["user-agent"] ??= "skein";
  headers["accept"] ??= asJson ? "application/json" : "*/*";
  const url = parseUrl(op, text);
  if (url instanceof ErrorValue) return url;
  return { op, method, url, headers, body, asJson, timeout, maxBytes: maxBytesOpt(op, o) };
}

// ---- running it --------------------------------------------------------------------------

interface Raw {
  status: number;
  reason: string;
  headers: Http.IncomingHttpHeaders;
  body: Buffer;
}

/** Errors from a reused keep-alive connection before any response: safe to retry once. */
const RETRYABLE = new WeakSet<object>();

/** How a running exchange is stopped (cancellation, timeout): cheaper than an AbortSignal per request. */
interface Ctl {
  aborted: boolean;
  req: Http.ClientRequest | null;
  /** the most bytes of a response body taken; past it the request fails (tooLarge) */
  maxBytes: number;
}

function abortedError(): Error {
  return Object.assign(new Error("request aborted"), { code: "ABORT_ERR" });
}

function abort(c: Ctl): void {
  c.aborted = true;
  c.req?.destroy(abortedError());
}

function connectionReset(): Error {
  return Object.assign(new Error("connection reset"), { code: "ECONNRESET" });
}

/** One request/response exchange; the whole body is read. */
function exchange(
  t: Transport,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | null,
  ctl: Ctl,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    if (ctl.aborted) {
      reject(abortedError());
      return;
    }
    let responded = false;
    const req = t.request(url, { method, headers, agent: t.agent });
    ctl.req = req;
    const fail = (e: Error) => {
      ctl.req = null;
      if (!responded && req.reusedSocket && e && typeof e === "object") RETRYABLE.add(e);
      reject(e);
    };
    req.on("error", fail);
    req.on("response", (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      let total = 0;
      res.on("data", (c: Buffer) => {
        total += c.length;
        if (total > ctl.maxBytes) {
          ctl.req = null;
          req.destroy(tooLarge(ctl.maxBytes));
          reject(tooLarge(ctl.maxBytes));
        } else chunks.push(c);
      });
      res.on("error", fail);
      res.on("close", () => {
        if (!res.complete) fail(connectionReset());
      });
      res.on("end", () => {
        ctl.req = null;
        resolve({
          status: res.statusCode ?? 0,
          reason: res.statusMessage ?? "",
          headers: res.headers,
          body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        });
      });
    });
    req.end(body ?? undefined);
  });
}

async function exchangeWithRetry(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | null,
  ctl: Ctl,
): Promise<Raw> {
  const tp = transport(url.protocol);
  const t = tp instanceof Promise ? await tp : tp;
  try {
    return await exchange(t, url, method, headers, body, ctl);
  } catch (e) {
    // the server closed an idle keep-alive connection just as we reused it
    if (ctl.aborted || !RETRYABLE.has(e as object) || !IDEMPOTENT.has(method)) throw e;
    return exchange(t, url, method, headers, body, ctl);
  }
}

let zlib: typeof import("node:zlib") | null = null;

async function decode(raw: Raw, maxBytes: number): Promise<Buffer> {
  const enc = String(raw.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  if (!enc || enc === "identity" || raw.body.length === 0) return raw.body;
  zlib ??= lazyRequire<typeof import("node:zlib")>("node:zlib");
  const z = zlib;
  const fn =
    enc === "gzip" || enc === "x-gzip"
      ? z.gunzip
      : enc === "deflate"
        ? z.inflate
        : enc === "br"
          ? z.brotliDecompress
          : null;
  if (!fn) return raw.body;
  const unpack = fn as (b: Buffer, o: { maxOutputLength: number }, cb: (e: Error | null, r: Buffer) => void) => void;
  return new Promise((resolve, reject) => {
    // maxOutputLength: a small compressed body must not unpack into gigabytes
    unpack(raw.body, { maxOutputLength: Math.max(maxBytes, 1) }, (err, out) =>
      err
        ? reject(
            (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE"
              ? tooLarge(maxBytes)
              : Object.assign(new Error(`cannot decode the ${enc} body`), { code: "EBADBODY" }),
          )
        : resolve(out),
    );
  });
}

function headersMap(h: Http.IncomingHttpHeaders): LMap {
  const entries: [Value, Value][] = [];
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    entries.push([k, Array.isArray(v) ? IList(v) : v]);
  }
  return LMap.fromEntries(entries);
}

/** The response as a value: {:status :headers :body}, or an error value for a non-2xx status. */
async function respond(p: Plan, url: URL, raw: Raw): Promise<Value> {
  const text = (await decode(raw, p.maxBytes)).toString("utf8");
  const headers = headersMap(raw.headers);
  if (raw.status < 200 || raw.status > 299) {
    const reason = raw.reason || STATUS_TEXT[raw.status] || "";
    return errorValue(`${p.op}: status ${raw.status}${reason ? " " + reason : ""}: ${url.href}`, [
      ["op", p.op],
      ["url", url.href],
      ["status", raw.status],
      ["body", text],
      ["headers", headers],
    ]);
  }
  let body: Value = text;
  if (p.asJson) {
    if (text.trim() === "") body = null;
    else {
      body = parseJson(text);
      if (body instanceof ErrorValue) {
        const reason = body.message.replace(/^json-parse: /, "");
        return errorValue(`${p.op}: response is not JSON (${reason}): ${url.href}`, [
          ["op", p.op],
          ["url", url.href],
          ["status", raw.status],
          ["body", text],
          ["headers", headers],
        ]);
      }
    }
  }
  return LMap.fromEntries([
    [kw("status"), raw.status],
    [kw("headers"), headers],
    [kw("body"), body],
  ]);
}

/** Runs the plan, following redirects; each hop is checked by check (the sandbox). */
async function perform(p: Plan, check: (u: URL) => ErrorValue | null, ctl: Ctl, at: { url: URL }): Promise<Value> {
  let url = p.url,
    method = p.method,
    body = p.body;
  let headers = p.headers;
  for (let hop = 0; ; hop++) {
    at.url = url;
    const raw = await exchangeWithRetry(url, method, headers, body, ctl);
    const location = raw.headers.location;
    if (!REDIRECT_STATUSES.has(raw.status) || !location) return respond(p, url, raw);
    if (hop >= MAX_REDIRECTS) {
      return errorValue(`${p.op}: too many redirects (more than ${MAX_REDIRECTS}): ${p.url.href}`, [
        ["op", p.op],
        ["url", p.url.href],
        ["status", raw.status],
        ["location", location],
      ]);
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      return errorValue(`${p.op}: bad redirect location ${location}: ${url.href}`, [
        ["op", p.op],
        ["url", url.href],
        ["location", location],
      ]);
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      return errorValue(`${p.op}: redirect to unsupported protocol ${next.protocol}: ${url.href}`, [
        ["op", p.op],
        ["url", url.href],
        ["location", location],
      ]);
    }
    const no = check(next);
    if (no) return no;
    headers = { ...headers };
    // 303, and 301/302 after a POST, turn into a GET without a body (as browsers and curl do)
    if (
      (raw.status === 303 && method !== "HEAD") ||
      ((raw.status === 301 || raw.status === 302) && method === "POST")
    ) {
      method = "GET";
      body = null;
      delete headers["content-type"];
      delete headers["content-length"];
    }
    if (next.origin !== url.origin) for (const h of ORIGIN_BOUND) delete headers[h];
    url = next;
  }
}

/** On a socket a broken pipe means the other side closed the connection; a huge body is the response's. */
const NET_CODES: Record<string, string> = {
  ...ERROR_REASONS,
  EPIPE: "connection closed",
  ERR_STRING_TOO_LONG: "response too large",
};

/** OpenSSL's reason out of "write EPROTO 80..:error:0A00010B:SSL routines:fn:wrong version number:file:line:". */
function tlsReason(message: string): string {
  const m = /:error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):/.exec(message);
  return m ? m[1] : message.split("\n")[0];
}

/** A host error as a readable error value; the raw code stays in :code. */
export function netError(op: string, e: unknown, url: string): ErrorValue {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code;
  let reason: string;
  const big = tooLargeReason(e);
  if (big) reason = big;
  else if (code && NET_CODES[code]) reason = NET_CODES[code];
  else if (code?.startsWith("HPE_")) reason = `invalid HTTP response (${err.message})`;
  else if (code && /CERT|SSL|TLS|EPROTO/.test(code)) reason = `TLS error (${tlsReason(err.message)})`;
  else reason = err instanceof Error ? err.message : String(e);
  const entries: [string, Value][] = [
    ["op", op],
    ["url", url],
  ];
  if (code) entries.push(["code", code]);
  return errorValue(`${op}: ${reason}: ${url}`, entries);
}

/** Starts the request as a host operation of the current task; returns the Block (or an error value). */
function request(m: Machine, p: Plan | ErrorValue): Value {
  if (p instanceof ErrorValue) return p;
  const check = (u: URL) => denied(m, p.op, "net", u.href, u.host);
  const no = check(p.url);
  if (no) return no;
  const s = contextOf(m);
  const ms = p.timeout ?? s.defaultTimeout;
  const at = { url: p.url };
  return cancellableHostOp(
    m,
    p.op,
    (onCancel) =>
      new Promise<Value>((resolve, reject) => {
        // the deadline is ours rather than hostOp's so that its error value names the URL
        const ctl: Ctl = { aborted: false, req: null, maxBytes: p.maxBytes };
        let settled = false;
        let timer: Timer | null = null;
        const settle = () => {
          settled = true;
          if (timer) s.scheduler.timers.cancel(timer);
        };
        onCancel(() => {
          if (settled) return;
          settle();
          abort(ctl);
          reject(abortedError());
        });
        if (ms <= MAX_TIMER_MS) {
          timer = s.scheduler.after(ms, () => {
            if (settled) return;
            settle();
            abort(ctl);
            const e = timeoutError(ms, p.op);
            resolve(new ErrorValue(e.message, e.data.set(kw("url"), at.url.href)));
          });
        }
        perform(p, check, ctl, at).then(
          (v) => {
            if (!settled) {
              settle();
              resolve(v);
            }
          },
          (e) => {
            if (!settled) {
              settle();
              reject(e);
            }
          },
        );
      }),
    { timeout: null, onError: (e) => netError(p.op, e, at.url.href) },
  );
}

/** Longer deadlines than a host timer can hold mean none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

// ---- the builtins --------------------------------------------------------------------------

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const RESULT_DOC =
  'Returns {:status n :headers {...} :body "..."}: :headers maps lower-case header names (strings) to strings ' +
  "(set-cookie to a vector of strings), :body is the text, or the parsed JSON with :as :json (nil for an empty body). " +
  'A non-2xx status returns an error value "OP: status 404 Not Found: URL" with :status, :body, :headers and :url in its data; ' +
  'a refused connection, reset, unknown host, bad URL or timeout ("timeout after Nms") returns an error value too; a wrong argument type raises. ' +
  "Redirects are followed (at most 10, each hop checked by the sandbox). :timeout covers the whole exchange (default: the session's, 30000 ms). " +
  "Connections to a host are kept alive and reused, at most 256 per host. A body of more than 128 MB (after decompression; :max-bytes sets another limit) " +
  'gives an error value with :code "EFBIG".';

const GET_OPTS = ["timeout", "headers", "as", "max-bytes"];
const BODY_OPTS = ["timeout", "headers", "as", "body", "json", "max-bytes"];

/** The options with a body given after the URL, as models write (http-post url body): a string is
 *  sent as :body (text), any other value as :json. The argument's type decides, never a guess. */
function bodyOption(op: string, body: Value, opts: ReadonlyMap<string, Value>): ReadonlyMap<string, Value> {
  if (opts.has("body") || opts.has("json"))
    raise(`${op}: the body is given twice (after the URL and as :body or :json)`);
  return new Map([...opts, [typeof body === "string" ? "body" : "json", body]]);
}

function defineVerb(
  name: string,
  method: string,
  known: string[],
  usage: string,
  doc: string,
  examples: [string, string][],
): void {
  def(
    {
      name,
      arity: [1, Infinity],
      usage,
      doc: `${doc} ${RESULT_DOC}`,
      examples,
      capability: "net",
    },
    (args, m) => {
      const { pos, opts } = options(name, args, 1, known);
      const takesBody = known.includes("body");
      if (pos.length === 2 && takesBody) return request(m, plan(name, method, pos[0], bodyOption(name, pos[1], opts)));
      if (pos.length !== 1)
        raise(expectedGot(name, `one URL${takesBody ? " (and a body)" : ""} and options`, `${pos.length} values`));
      return request(m, plan(name, method, pos[0], opts));
    },
  );
}

defineVerb(
  "http-get",
  "GET",
  GET_OPTS,
  "(http-get url [:timeout ms] [:headers {...}] [:as :json] [:max-bytes n])",
  "Sends a GET request to url. :headers is a map of request headers (string or keyword names).",
  [
    ['(error? (http-get "not a url"))', "#t"],
    ['(error-msg (http-get "not a url"))', '"http-get: invalid URL: not a url"'],
    [
      '(error-msg (http-get "ftp://example.com/"))',
      '"http-get: unsupported protocol ftp: (only http and https): ftp://example.com/"',
    ],
  ],
);

defineVerb(
  "http-post",
  "POST",
  BODY_OPTS,
  "(http-post url [body] [:body str] [:json value] [:timeout ms] [:headers {...}] [:as :json] [:max-bytes n])",
  "Sends a POST request to url. :body sends a string (content-type text/plain unless :headers gives one); :json sends the value as JSON with content-type application/json. A body given after the URL is sent as :body when it is a string and as :json otherwise.",
  [['(error? (http-post "not a url" :json {:a 1}))', "#t"]],
);

defineVerb(
  "http-put",
  "PUT",
  BODY_OPTS,
  "(http-put url [body] [:body str] [:json value] [:timeout ms] [:headers {...}] [:as :json] [:max-bytes n])",
  "Sends a PUT request to url, with a body (after the URL, or :body string or :json value) as http-post does.",
  [['(error? (http-put "not a url" :body "x"))', "#t"]],
);

defineVerb(
  "http-delete",
  "DELETE",
  BODY_OPTS,
  "(http-delete url [body] [:timeout ms] [:headers {...}] [:as :json] [:body str] [:json value] [:max-bytes n])",
  "Sends a DELETE request to url, with an optional body as http-post takes it.",
  [['(error? (http-delete "not a url"))', "#t"]],
);

const REQUEST_KEYS = ["method", "url", "headers", "body", "json", "as", "timeout", "max-bytes"];

def(
  {
    name: "http-request",
    arity: [1, 1],
    capability: "net",
    usage:
      "(http-request {:method :get :url url :headers {...} :body str :json value :as :json :timeout ms :max-bytes n})",
    doc: `Sends the request the map describes: :url is required; :method a keyword or string (default :get); the other keys as for http-post. ${RESULT_DOC}`,
    examples: [
      ['(error-msg (http-request {:method :post :url "not a url"}))', '"http-request: invalid URL: not a url"'],
    ],
  },
  (args, m) => {
    const op = "http-request";
    const spec = args[0];
    if (!(spec instanceof LMap)) typeError(op, 'a map such as {:method :get :url "https://..."}', spec);
    const o = new Map<string, Value>();
    for (const [k, v] of spec.entries()) {
      const name = k instanceof Keyword ? k.name : typeof k === "string" ? k : null;
      if (name === null || !REQUEST_KEYS.includes(name)) {
        raise(`${op}: unknown key ${display(k)} (known: ${REQUEST_KEYS.map((x) => ":" + x).join(" ")})`);
      }
      o.set(name, v);
    }
    if (!o.has("url") || o.get("url") === null) raise(`${op}: the map needs a :url`);
    return request(m, plan(op, methodArg(op, o.get("method")), o.get("url") as Value, o));
  },
);
