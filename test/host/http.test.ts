// The HTTP builtins (SPEC §7 HTTP, §5 errors, §8 sandbox) against a local node:http server started
// here on 127.0.0.1, port 0: statuses, JSON in and out, headers, error values and their messages,
// timeouts, cancellation (the server sees the connection close), connection reuse and the
// per-host cap (the server counts peak in-flight requests and distinct connections), redirects
// checked hop by hop by the sandbox, and a fault test: 1,000 requests against a server that
// injects 20% failures, none lost or thrown.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { Permissions } from "../../src/sandbox/permissions.js";
import { write } from "../../src/syntax/printer.js";
import { LMap } from "../../src/core/map.js";
import { ErrorValue, Keyword, listToArray, type List, type Value } from "../../src/core/types.js";
import { LispError } from "../../src/core/error.js";
import { assertFinished, fakeHost, projectRoot, runOk, runProgram, type ProgramResult } from "../helpers.js";

const kw = Keyword.of;
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- the test server ---------------------------------------------------------------------

interface TestServer {
  server: http.Server;
  base: string;
  port: number;
  stats: {
    requests: number;
    inFlight: number;
    peak: number;
    aborted: number;
    sockets: Set<string>;
    connections: number;
  };
}

function startServer(): Promise<TestServer> {
  const stats = { requests: 0, inFlight: 0, peak: 0, aborted: 0, sockets: new Set<string>(), connections: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const parts = url.pathname.split("/").filter(Boolean);
    if (parts[0] === "stats") {
      if (req.method === "POST") {
        Object.assign(stats, { requests: 0, peak: stats.inFlight, aborted: 0, connections: 0 });
        stats.sockets.clear();
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          requests: stats.requests,
          in_flight: stats.inFlight,
          peak_in_flight: stats.peak,
          aborted: stats.aborted,
          sockets: stats.sockets.size,
          connections: stats.connections,
        }),
      );
      return;
    }
    stats.requests++;
    stats.inFlight++;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    stats.sockets.add(`${req.socket.remotePort}`);
    let done = false;
    res.on("finish", () => {
      if (!done) {
        done = true;
        stats.inFlight--;
      }
    });
    res.on("close", () => {
      if (!done) {
        done = true;
        stats.inFlight--;
        stats.aborted++;
      }
    });
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const send = (
        status: number,
        text: string | Buffer,
        headers: http.OutgoingHttpHeaders = { "content-type": "text/plain" },
      ) => {
        if (res.destroyed) return;
        res.writeHead(status, headers);
        res.end(text);
      };
      switch (parts[0]) {
        case "hello":
          return send(200, "hello");
        case "json":
          return send(200, JSON.stringify({ ok: true, n: 42 }), { "content-type": "application/json" });
        case "empty":
          return send(200, "");
        case "status":
          return send(Number(parts[1]), `status ${parts[1]}`);
        case "delay":
          return void setTimeout(
            () => send(200, JSON.stringify({ delay: Number(parts[1]) }), { "content-type": "application/json" }),
            Number(parts[1]),
          );
        case "headers":
          return send(200, JSON.stringify(req.headers), { "content-type": "application/json" });
        case "echo":
          return send(200, body, {
            "content-type": req.headers["content-type"] ?? "application/octet-stream",
            "x-method": req.method ?? "",
          });
        case "method":
          return send(200, `${req.method} ${body.length}`);
        case "redirect": {
          const n = Number(parts[1]);
          return n > 0 ? send(302, "", { location: `/redirect/${n - 1}` }) : send(200, "landed");
        }
        case "to":
          return send(Number(url.searchParams.get("status") ?? 302), "", {
            location: url.searchParams.get("url") ?? "/",
          });
        case "gzip":
          return send(200, zlib.gzipSync("unzipped text"), {
            "content-type": "text/plain",
            "content-encoding": "gzip",
          });
        case "cookies":
          return send(200, "c", { "set-cookie": ["a=1; Path=/", "b=2; Path=/"] });
        case "fault":
          return fault(Number(parts[1]), req, res);
        case "first-on-socket": {
          // answers only the first request of each connection; later ones see the connection drop,
          // as when a server closes an idle keep-alive connection just as the client reuses it
          const sock = req.socket as typeof req.socket & { served?: boolean };
          if (sock.served) {
            sock.destroy();
            return;
          }
          sock.served = true;
          return send(200, `${req.method} first`);
        }
        default:
          return send(404, "not found");
      }
    });
  });
  server.on("connection", () => {
    stats.connections++;
  });
  server.keepAliveTimeout = 10_000;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ server, port, base: `http://127.0.0.1:${port}`, stats });
    });
  });
}

/** /fault/i: one request in five of each 20 fails: 0 reset before any response, 1 status 500,
 *  2 a body that stalls for 2 s (the client's timeout is shorter), 3 reset halfway through the body. */
function fault(i: number, req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (i % 20) {
    case 0:
      req.socket.destroy();
      return;
    case 1:
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("injected failure");
      return;
    case 2:
      res.writeHead(200, { "content-type": "text/plain", "content-length": "20" });
      res.write("0123456789");
      setTimeout(() => {
        if (!res.destroyed) res.end("0123456789");
      }, 2000);
      return;
    case 3:
      res.writeHead(200, { "content-type": "text/plain", "content-length": "100" });
      res.write("0123456789", () => req.socket.destroy());
      return;
    default:
      setTimeout(() => {
        if (!res.destroyed) {
          res.writeHead(200, { "content-type": "text/plain" });
          res.end(`ok ${i}`);
        }
      }, i % 7);
  }
}

async function stopServer(s: TestServer): Promise<void> {
  s.server.closeAllConnections();
  await new Promise<void>((r) => s.server.close(() => r()));
}

let srv: TestServer;
let other: TestServer;
before(async () => {
  srv = await startServer();
  other = await startServer();
});
after(async () => {
  await stopServer(srv);
  await stopServer(other);
});

// ---- running Skein -------------------------------------------------------------------------

/** A host with these permissions (all when absent). */
function hostWith(permissions?: Permissions) {
  const host = fakeHost();
  host.permissions = permissions;
  return host;
}

async function run(src: string, permissions?: Permissions): Promise<ProgramResult> {
  return runProgram(src, { host: hostWith(permissions), file: "t.lisp" });
}

/** The value of the program's last form; the program must succeed. */
async function value(src: string, permissions?: Permissions): Promise<Value> {
  return (await runOk(src, { host: hostWith(permissions), file: "t.lisp" })).value;
}

/** The write form of the program's last value. */
async function shown(src: string): Promise<string> {
  return write(await value(src));
}

/** The program must raise; returns the message. */
async function raised(src: string): Promise<string> {
  const r = await run(src);
  assert.equal(
    r.outcome.status,
    "failed",
    `expected the program to raise, got ${r.outcome.status}: ${write(r.outcome.value)}`,
  );
  assert.ok(r.outcome.error instanceof LispError);
  return r.outcome.error.message;
}

function get(m: Value, k: string): Value {
  if (m instanceof ErrorValue) return k === "error" ? m.message : m.data.get(kw(k));
  assert.ok(m instanceof LMap, `expected a map, got ${write(m)}`);
  return m.get(kw(k));
}

async function serverStats(s: TestServer = srv) {
  return { ...s.stats, sockets: s.stats.sockets.size };
}
/** Waits for the requests of earlier tests to end on the server, then zeroes the counters. */
async function resetStats(s: TestServer = srv) {
  for (let i = 0; i < 100 && s.stats.inFlight > 0; i++) await delay(20);
  Object.assign(s.stats, { requests: 0, peak: s.stats.inFlight, aborted: 0, connections: 0 });
  s.stats.sockets.clear();
}

// ---- responses -----------------------------------------------------------------------------

test("GET returns {:status :headers :body}; headers have lower-case string keys", async () => {
  const r = await value(`(http-get "${srv.base}/hello")`);
  assert.equal(get(r, "status"), 200);
  assert.equal(get(r, "body"), "hello");
  const headers = get(r, "headers");
  assert.ok(headers instanceof LMap);
  assert.equal(headers.get("content-type"), "text/plain");
  assert.ok(headers.has("date"));
  assert.ok([...headers.keys()].every((k) => typeof k === "string" && k === k.toLowerCase()));
  assert.deepEqual(
    [...(r as LMap).keys()].map((k) => write(k)),
    [":status", ":headers", ":body"],
  );
  assert.equal(
    await shown(`(map-get (map-get (http-get "${srv.base}/hello") :headers) "content-type")`),
    '"text/plain"',
  );
});

test(":as :json parses the body; an empty body is nil; a body that is not JSON is an error value", async () => {
  assert.equal(await shown(`(map-get (http-get "${srv.base}/json" :as :json) :body)`), "{:ok #t :n 42}");
  assert.equal(await shown(`(map-get (http-get "${srv.base}/json" :as "json") :body)`), "{:ok #t :n 42}");
  assert.equal(
    await shown(`(map-get (http-get "${srv.base}/json" :as :text) :body)`),
    String.raw`"{\"ok\":true,\"n\":42}"`,
  );
  assert.equal(await shown(`(map-get (http-get "${srv.base}/empty" :as :json) :body)`), "nil");
  const bad = await value(`(http-get "${srv.base}/hello" :as :json)`);
  assert.ok(bad instanceof ErrorValue);
  assert.match(bad.message, new RegExp(`^http-get: response is not JSON \\(.+\\): ${srv.base}/hello$`));
  assert.equal(get(bad, "status"), 200);
  assert.equal(get(bad, "body"), "hello");
});

test("non-2xx statuses are error values with :status :body :url :headers", async () => {
  for (const [code, reason] of [
    [404, "Not Found"],
    [500, "Internal Server Error"],
    [503, "Service Unavailable"],
    [429, "Too Many Requests"],
  ] as const) {
    const e = await value(`(http-get "${srv.base}/status/${code}")`);
    assert.ok(e instanceof ErrorValue, `status ${code} gives an error value`);
    assert.equal(e.message, `http-get: status ${code} ${reason}: ${srv.base}/status/${code}`);
    assert.equal(get(e, "status"), code);
    assert.equal(get(e, "body"), `status ${code}`);
    assert.equal(get(e, "url"), `${srv.base}/status/${code}`);
    assert.ok(get(e, "headers") instanceof LMap);
  }
  assert.equal(
    await shown(
      `(let ((r (http-get "${srv.base}/status/404"))) (list (error? r) (map-get r :status) (map-get r :body)))`,
    ),
    '(#t 404 "status 404")',
  );
  assert.equal(get(await value(`(http-get "${srv.base}/status/204")`), "status"), 204);
  assert.equal(get(await value(`(http-get "${srv.base}/status/201")`), "status"), 201);
});

test("a gzip-encoded body is decoded; repeated set-cookie headers are a vector", async () => {
  assert.equal(await shown(`(map-get (http-get "${srv.base}/gzip") :body)`), '"unzipped text"');
  assert.equal(
    await shown(`(map-get (map-get (http-get "${srv.base}/cookies") :headers) "set-cookie")`),
    '["a=1; Path=/" "b=2; Path=/"]',
  );
});

// ---- requests ------------------------------------------------------------------------------

test(":json sends JSON with content-type application/json; :body sends a string", async () => {
  const p = await value(`(http-post "${srv.base}/echo" :json {:a 1 :b "two" :c [1 2]})`);
  assert.equal(get(p, "body"), `{"a":1,"b":"two","c":[1,2]}`);
  assert.equal((get(p, "headers") as LMap).get("content-type"), "application/json");
  assert.equal((get(p, "headers") as LMap).get("x-method"), "POST");
  assert.equal(await shown(`(map-get (http-post "${srv.base}/echo" :json {:a 1} :as :json) :body)`), "{:a 1}");
  const raw = await value(`(http-post "${srv.base}/echo" :body "raw text, ünïcode")`);
  assert.equal(get(raw, "body"), "raw text, ünïcode");
  assert.equal((get(raw, "headers") as LMap).get("content-type"), "text/plain; charset=utf-8");
  const typed = await value(`(http-put "${srv.base}/echo" :body "<a/>" :headers {"Content-Type" "application/xml"})`);
  assert.equal((get(typed, "headers") as LMap).get("content-type"), "application/xml");
  assert.equal((get(typed, "headers") as LMap).get("x-method"), "PUT");
  assert.equal(await shown(`(map-get (http-delete "${srv.base}/method") :body)`), '"DELETE 0"');
  assert.equal(await shown(`(map-get (http-post "${srv.base}/method" :json nil) :body)`), '"POST 4"');
});

// Issue 10 §2: models write (http-post url body); it was "expected one URL and options, got 2 values".
test("a body after the URL: a string is sent as :body, any other value as :json; given twice raises", async () => {
  const text = await value(`(http-post "${srv.base}/echo" "plain words")`);
  assert.equal(get(text, "body"), "plain words");
  assert.equal((get(text, "headers") as LMap).get("content-type"), "text/plain; charset=utf-8");
  const data = await value(`(http-put "${srv.base}/echo" {:items [1 2]} :headers {"x-k" "v"})`);
  assert.equal(get(data, "body"), `{"items":[1,2]}`);
  assert.equal((get(data, "headers") as LMap).get("content-type"), "application/json");
  assert.equal((get(data, "headers") as LMap).get("x-method"), "PUT");
  const twice = await runProgram(`(http-post "${srv.base}/echo" "a" :body "b")`);
  assert.match(twice.rendered ?? "", /http-post: the body is given twice/);
  const get3 = await runProgram(`(http-get "${srv.base}/echo" "a")`);
  assert.match(get3.rendered ?? "", /http-get: expected one URL and options, got 2 values/);
});

test("request headers: string or keyword names, number values; defaults for user-agent and accept", async () => {
  const h = await value(
    `(map-get (http-get "${srv.base}/headers" :headers {"X-Token" "abc" :x-count 3} :as :json) :body)`,
  );
  assert.equal(get(h, "x-token"), "abc");
  assert.equal(get(h, "x-count"), "3");
  assert.equal(get(h, "user-agent"), "skein");
  assert.equal(get(h, "accept"), "application/json");
  const h2 = await value(
    `(json-parse (map-get (http-get "${srv.base}/headers" :headers {"user-agent" "me" "accept" "text/csv"}) :body))`,
  );
  assert.equal(get(h2, "user-agent"), "me");
  assert.equal(get(h2, "accept"), "text/csv");
});

test("http-request takes a map: :method :url :headers :body :json :as :timeout", async () => {
  const r = await value(
    `(http-request {:method :patch :url "${srv.base}/echo" :json {:x 1} :as :json :headers {"x-a" "b"} :timeout 5000})`,
  );
  assert.equal(get(r, "status"), 200);
  assert.equal(write(get(r, "body")), "{:x 1}");
  assert.equal((get(r, "headers") as LMap).get("x-method"), "PATCH");
  assert.equal(await shown(`(map-get (http-request {:url "${srv.base}/hello"}) :body)`), '"hello"');
  assert.equal(
    await shown(`(map-get (http-request {:method "put" :url "${srv.base}/method" :body "abc"}) :body)`),
    '"PUT 3"',
  );
  assert.equal(await shown(`(map-get (http-request {:method :head :url "${srv.base}/hello"}) :status)`), "200");
  assert.equal(
    await shown(`(error-msg (http-request {:url "${srv.base}/delay/1000" :timeout 50}))`),
    '"timeout after 50ms"',
  );
});

// ---- failures ------------------------------------------------------------------------------

test("refused connection, unknown host, bad URL: error values with readable messages", async () => {
  const refused = await value(`(http-get "http://127.0.0.1:1/")`);
  assert.ok(refused instanceof ErrorValue);
  assert.equal(refused.message, "http-get: connection refused: http://127.0.0.1:1/");
  assert.equal(get(refused, "code"), "ECONNREFUSED");
  assert.equal(get(refused, "url"), "http://127.0.0.1:1/");
  const dns = await value(`(http-get "http://no-such-host.invalid/x")`);
  assert.ok(dns instanceof ErrorValue);
  assert.match(dns.message, /^http-get: host (not found|lookup failed): http:\/\/no-such-host\.invalid\/x$/);
  assert.equal(await shown(`(error-msg (http-get "not a url"))`), '"http-get: invalid URL: not a url"');
  assert.equal(
    await shown(`(error-msg (http-post "ftp://example.com/x" :body "y"))`),
    '"http-post: unsupported protocol ftp: (only http and https): ftp://example.com/x"',
  );
  assert.equal(await shown(`(error? (http-get ""))`), "#t");
  // https to a plain-HTTP server: a TLS failure, as a value
  const tls = await value(`(http-get "https://127.0.0.1:${srv.port}/hello" :timeout 5000)`);
  assert.ok(tls instanceof ErrorValue, write(tls));
  assert.match(tls.message, /^http-get: TLS error \(wrong version number\): https:\/\/127\.0\.0\.1:\d+\/hello$/);
  assert.equal(get(tls, "code"), "EPROTO");
});

test("a wrong argument type raises", async () => {
  assert.equal(await raised(`(http-get 42)`), "http-get: expected a string, got 42");
  assert.match(
    await raised(`(http-get "${srv.base}/hello" :headers 5)`),
    /^http-get: expected a map of headers, got 5/,
  );
  assert.match(
    await raised(`(http-get "${srv.base}/hello" :headers {"x" [1]})`),
    /^http-get: expected a string as the value of header x/,
  );
  assert.match(
    await raised(`(http-post "${srv.base}/echo" :body 5)`),
    /^http-post: expected a string for :body, got 5/,
  );
  assert.match(
    await raised(`(http-post "${srv.base}/echo" :body "a" :json 1)`),
    /^http-post: give :body or :json, not both/,
  );
  assert.match(
    await raised(`(http-get "${srv.base}/hello" :as :xml)`),
    /^http-get: expected :json or :text for :as, got :xml/,
  );
  assert.match(
    await raised(`(http-get "${srv.base}/hello" :timeout "soon")`),
    /^http-get: expected a number, got "soon"/,
  );
  assert.match(
    await raised(`(http-get "${srv.base}/hello" :timeout -1)`),
    /^http-get: expected a timeout of 0 ms or more/,
  );
  assert.match(await raised(`(http-get "${srv.base}/hello" :body "x")`), /^http-get: unknown option :body/);
  assert.match(
    await raised(`(http-get "${srv.base}/hello" "extra")`),
    /^http-get: expected one URL and options, got 2 values/,
  );
  assert.match(await raised(`(http-request "${srv.base}/hello")`), /^http-request: expected a map/);
  assert.match(await raised(`(http-request {:method :get})`), /^http-request: the map needs a :url/);
  assert.match(
    await raised(`(http-request {:url "${srv.base}/hello" :verb :get})`),
    /^http-request: unknown key :verb/,
  );
  assert.match(
    await raised(`(http-request {:url "${srv.base}/hello" :method "GE T"})`),
    /^http-request: expected a method/,
  );
  assert.match(await raised(`(http-get (http-get "not a url"))`), /invalid URL: not a url/);
});

test("timeout: exactly `timeout after Nms`, the URL in the data, and the server sees the close", async () => {
  await resetStats();
  const t0 = performance.now();
  const e = await value(`(http-get "${srv.base}/delay/3000" :timeout 100)`);
  assert.ok(performance.now() - t0 < 1500);
  assert.ok(e instanceof ErrorValue);
  assert.equal(e.message, "timeout after 100ms");
  assert.equal(get(e, "url"), `${srv.base}/delay/3000`);
  assert.equal(get(e, "op"), "http-get");
  await delay(100);
  const st = await serverStats();
  assert.equal(st.aborted, 1, "the server saw the connection close");
  assert.equal(st.inFlight, 0);
});

test("the session's default timeout applies (set-default-timeout!); :timeout overrides it", async () => {
  assert.equal(
    await shown(`(set-default-timeout! 80) (error-msg (http-get "${srv.base}/delay/3000"))`),
    '"timeout after 80ms"',
  );
  assert.equal(
    await shown(`(set-default-timeout! 80) (map-get (http-get "${srv.base}/delay/200" :timeout 2000) :status)`),
    "200",
  );
  assert.equal(
    await shown(`(error-msg (timeout 80 (lambda () (http-get "${srv.base}/delay/3000"))))`),
    '"timeout after 80ms"',
  );
});

test("cancellation aborts the request: the server sees the close, the connection is freed", async () => {
  await resetStats();
  const t0 = performance.now();
  const r = await value(`
    (define t (spawn (lambda () (http-get "${srv.base}/delay/5000"))))
    (sleep 50)
    (task-cancel t)
    (sleep 50)
    (task-status t)`);
  assert.ok(performance.now() - t0 < 2000, "the program did not wait for the response");
  assert.equal(write(r), ":cancelled");
  await delay(50);
  const st = await serverStats();
  assert.equal(st.requests, 1);
  assert.equal(st.aborted, 1, "the server saw the connection close");
  assert.equal(st.inFlight, 0);
});

// ---- connections ---------------------------------------------------------------------------

test("connections are reused: 20 sequential requests use one connection", async () => {
  await value(`(http-get "${srv.base}/hello")`); // warm the pool
  await resetStats();
  const n = await value(
    `(length (filter (lambda (r) (= 200 (map-get r :status))) (map (lambda (i) (http-get "${srv.base}/hello")) (range 20))))`,
  );
  assert.equal(n, 20);
  const st = await serverStats();
  assert.equal(st.requests, 20);
  assert.equal(st.sockets, 1, "one connection served all 20");
  assert.equal(st.connections, 0, "no new connection was opened");
});

test("reuse never lowers concurrency: 100 requests in flight use 100 connections", async () => {
  await resetStats();
  const t0 = performance.now();
  const n = await value(
    `(length (filter (lambda (r) (not (error? r))) (parallel-map http-get (map (lambda (i) "${srv.base}/delay/300") (range 100)))))`,
  );
  assert.equal(n, 100);
  assert.ok(performance.now() - t0 < 2500, `100 concurrent 300 ms requests took ${performance.now() - t0} ms`);
  const st = await serverStats();
  assert.equal(st.peak, 100);
  assert.equal(st.sockets, 100);
});

test("at most 256 connections per host: 300 requests at once peak at 256 in flight", async () => {
  await resetStats();
  // each answer waits 2 s, so that all 256 connections are open before the first one is free
  // again, even on a loaded machine (300 ms was not always enough at a load average of 10)
  const n = await value(
    `(length (filter (lambda (r) (not (error? r))) (parallel-map http-get (map (lambda (i) "${srv.base}/delay/2000") (range 300)) :max-threads 300)))`,
  );
  assert.equal(n, 300);
  const st = await serverStats();
  assert.equal(st.peak, 256);
  assert.ok(st.sockets <= 256, `${st.sockets} connections`);
});

test("a reused connection that the server dropped is retried once on a fresh one, for idempotent methods only", async () => {
  await value(`(http-get "${srv.base}/hello")`);
  await resetStats();
  const r = await value(
    `(list (http-get "${srv.base}/hello") (http-get "${srv.base}/first-on-socket") (http-get "${srv.base}/first-on-socket"))`,
  );
  const [, a, b] = listToArray(r as List);
  assert.equal(get(a, "body"), "GET first");
  assert.equal(get(b, "body"), "GET first", "the retry went out on a new connection");
  const p = await value(`(http-post "${srv.base}/first-on-socket" :body "x")`);
  assert.ok(p instanceof ErrorValue, write(p));
  assert.equal(p.message, `http-post: connection reset: ${srv.base}/first-on-socket`);
});

// ---- redirects and the sandbox -------------------------------------------------------------

test("redirects are followed, at most 10 hops", async () => {
  assert.equal(await shown(`(map-get (http-get "${srv.base}/redirect/3") :body)`), '"landed"');
  assert.equal(await shown(`(map-get (http-get "${srv.base}/redirect/10") :body)`), '"landed"');
  const e = await value(`(http-get "${srv.base}/redirect/11")`);
  assert.ok(e instanceof ErrorValue);
  assert.equal(e.message, `http-get: too many redirects (more than 10): ${srv.base}/redirect/11`);
  // 303 after a POST becomes a GET without a body; 307 keeps the method and the body
  const to = (status: number) => `${srv.base}/to?status=${status}&url=${encodeURIComponent("/method")}`;
  assert.equal(await shown(`(map-get (http-post "${to(303)}" :body "abc") :body)`), '"GET 0"');
  assert.equal(await shown(`(map-get (http-post "${to(307)}" :body "abc") :body)`), '"POST 3"');
  // credentials do not follow a redirect to another origin
  const cross = `${srv.base}/to?url=${encodeURIComponent(`http://localhost:${other.port}/headers`)}`;
  const h = await value(
    `(map-get (http-get "${cross}" :headers {"authorization" "secret" "x-keep" "1"} :as :json) :body)`,
  );
  assert.equal(get(h, "authorization"), null);
  assert.equal(get(h, "x-keep"), "1");
});

test("the sandbox is asked for every hop: a redirect to a denied host is never followed", async () => {
  const allowed = `127.0.0.1:${srv.port}`;
  const perms: Permissions = { allows: (cap, target) => cap === "net" && new URL(target).host === allowed };
  await resetStats(other);
  const cross = `${srv.base}/to?url=${encodeURIComponent(`http://127.0.0.1:${other.port}/hello`)}`;
  const e = await value(`(http-get "${cross}")`, perms);
  assert.ok(e instanceof ErrorValue);
  assert.equal(e.message, `permission denied: http-get 127.0.0.1:${other.port} (run with --allow-net)`);
  assert.equal(other.stats.requests, 0, "the denied host saw no request");
  const direct = await value(`(http-post "http://127.0.0.1:${other.port}/echo" :body "x")`, perms);
  assert.ok(direct instanceof ErrorValue);
  assert.equal(direct.message, `permission denied: http-post 127.0.0.1:${other.port} (run with --allow-net)`);
  assert.equal(other.stats.requests, 0);
  assert.equal(get(await value(`(http-get "${srv.base}/hello")`, perms), "status"), 200);
});

// ---- the fault test ------------------------------------------------------------------------

test("fault test: 1,000 requests, 100 in flight, 20% injected failures: every one ends as a value or an error value", async () => {
  await resetStats();
  const r = await run(`
    (parallel-map (lambda (i) (http-get (str "${srv.base}/fault/" i) :timeout 500))
                  (range 1000) :max-threads 100)`);
  assertFinished(r);
  assert.equal(r.stderr, "");
  const results = listToArray(r.outcome.value as List);
  assert.equal(results.length, 1000, "none lost");
  const kinds = { ok: 0, reset: 0, status500: 0, timeout: 0, other: [] as string[] };
  results.forEach((x, i) => {
    if (x instanceof ErrorValue) {
      assert.equal(get(x, "input"), i, "each error names its input");
      if (x.message === `http-get: connection reset: ${srv.base}/fault/${i}`) kinds.reset++;
      else if (x.message === `http-get: status 500 Internal Server Error: ${srv.base}/fault/${i}`) kinds.status500++;
      else if (x.message === "timeout after 500ms") kinds.timeout++;
      else kinds.other.push(`${i}: ${x.message}`);
    } else {
      assert.equal(get(x, "body"), `ok ${i}`);
      kinds.ok++;
    }
  });
  assert.deepEqual(kinds, { ok: 800, reset: 100, status500: 50, timeout: 50, other: [] });
  await delay(50);
  assert.equal(srv.stats.inFlight, 0, "nothing left in flight on the server");
});

// ---- laziness ----------------------------------------------------------------------------

test("node:http is loaded only when a script makes a request", () => {
  const root = projectRoot();
  const bin = join(root, "bin", "skein");
  const probe =
    "data:text/javascript," +
    encodeURIComponent(
      "process.on('exit', () => process.stderr.write('HTTP-LOADED=' + process.moduleLoadList.includes('NativeModule http') + '\\n'));",
    );
  const runIt = (expr: string) =>
    spawnSync(process.execPath, ["--import", probe, bin, "-e", expr], { encoding: "utf8" });
  const plain = runIt(`(println (+ 1 2))`);
  assert.equal(plain.stdout, "3\n", plain.stderr);
  assert.match(plain.stderr, /HTTP-LOADED=false/);
  const used = runIt(`(println (error? (http-get "http://127.0.0.1:1/")))`);
  assert.equal(used.stdout, "#t\n", used.stderr);
  assert.match(used.stderr, /HTTP-LOADED=true/);
});
