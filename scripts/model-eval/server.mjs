// The HTTP service the evaluation tasks talk to (127.0.0.1, a free port). Every run of a script
// gets a fresh server, so the per-item counters of /flaky start at zero.
//   GET  /items/N   200 {"id":N,"price":1.5N}; 404 when N is a multiple of 7; N = 13 answers after 3 s
//   GET  /flaky/N   503 for the first two requests of each N, then 200 {"id":N,"value":10N}
//   GET  /slow      200 "done" after 2 s
//   POST /echo      body {"items":[numbers],"tag":t} → 200 {"sum":sum,"tag":t}
//   GET  /fast      200 "fast" after 50 ms
//   GET  /health/N  200 "ok"; 500 for N = 3 and 6; N = 5 answers after 2 s
//   GET  /users     200 [{"name","address":{"city"}}...]
//   GET  /page/N    200 {"items":[...],"next":N+1}, the last page (3) with "next": null
import { createServer } from "node:http";

export function startServer() {
  const flaky = new Map();
  const timers = new Set();
  const later = (ms, f) => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ms);
    timers.add(t);
  };
  const json = (res, status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    let m;
    if (req.method === "GET" && (m = /^\/items\/(\d+)$/.exec(url.pathname))) {
      const n = Number(m[1]);
      if (n % 7 === 0) return json(res, 404, { error: "no such item" });
      if (n === 13) return later(3000, () => json(res, 200, { id: n, price: 1.5 * n }));
      return json(res, 200, { id: n, price: 1.5 * n });
    }
    if (req.method === "GET" && (m = /^\/flaky\/(\d+)$/.exec(url.pathname))) {
      const n = Number(m[1]);
      const seen = (flaky.get(n) ?? 0) + 1;
      flaky.set(n, seen);
      return seen <= 2 ? json(res, 503, { error: "busy" }) : json(res, 200, { id: n, value: 10 * n });
    }
    if (req.method === "GET" && url.pathname === "/slow") {
      return later(2000, () => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("done");
      });
    }
    if (req.method === "GET" && url.pathname === "/fast") {
      return later(50, () => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("fast");
      });
    }
    if (req.method === "GET" && (m = /^\/health\/(\d+)$/.exec(url.pathname))) {
      const n = Number(m[1]);
      const ok = () => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok");
      };
      if (n === 3 || n === 6) return json(res, 500, { error: "unhealthy" });
      return n === 5 ? later(2000, ok) : ok();
    }
    if (req.method === "GET" && url.pathname === "/users") {
      const city = { Ann: "Paris", Bo: "Oslo", Cy: "Paris", Di: "Rome", Ed: "Oslo", Flo: "Paris" };
      return json(
        res,
        200,
        Object.entries(city).map(([name, c]) => ({ name, address: { city: c, zip: "0000" } })),
      );
    }
    if (req.method === "GET" && (m = /^\/page\/(\d+)$/.exec(url.pathname))) {
      const pages = { 1: ["a", "b", "c"], 2: ["d", "e"], 3: ["f"] };
      const n = Number(m[1]);
      if (!pages[n]) return json(res, 404, { error: "no such page" });
      return json(res, 200, { items: pages[n], next: n < 3 ? n + 1 : null });
    }
    if (req.method === "POST" && url.pathname === "/echo") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        try {
          const v = JSON.parse(body);
          json(res, 200, { sum: v.items.reduce((a, b) => a + b, 0), tag: v.tag });
        } catch {
          json(res, 400, { error: "expected JSON {items, tag}" });
        }
      });
      return;
    }
    json(res, 404, { error: "not found" });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        base: `http://127.0.0.1:${port}`,
        close: () => {
          for (const t of timers) clearTimeout(t);
          server.closeAllConnections();
          server.close();
        },
      });
    });
  });
}
