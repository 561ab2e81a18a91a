// The automation examples in examples/ run as real programs (bin/skein in a child process)
// against inputs made here: a local node:http server on 127.0.0.1 (port 0) that plays the API
// and the web site, and temporary directories of logs and CSV files. Each test checks the exact
// stdout (the one timing figure masked) and exit status 0 with nothing on stderr. The last test
// runs every script exactly as a user first does, `bin/skein examples/NAME.lisp` from the
// project root with no arguments: on the sample data in examples/data, or printing its usage.
//
// The server:
//   GET /items/N        200 {"id":N,"name":"item-N","price":N*1.5}; 404 for N > 100
//   GET /flaky/KEY/N    503 the first N times KEY is asked for, then 200 {"recovered":true}
//   GET /slow/MS        answers after MS ms (or never, if the client gives up first)
//   GET /page/N         HTML with a <title> and three links; 429 when the client goes over
//                       10 requests in any second (a sliding window), as a rate-limited site does
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { AddressInfo } from "node:net";
import { projectRoot } from "./helpers.js";

const root = projectRoot();
const skein = join(root, "bin", "skein");

// ---- the server ------------------------------------------------------------------------------

const PAGE_LIMIT = 10; // requests per second that /page allows

interface Site {
  server: http.Server;
  base: string;
  /** /page requests: answered, and refused with 429 */
  pages: { served: number; refused: number };
  /** requests per path */
  hits: Map<string, number>;
}

function startSite(): Promise<Site> {
  const flaky = new Map<string, number>();
  const pages = { served: 0, refused: 0 };
  const hits = new Map<string, number>();
  let recent: number[] = []; // when the answered /page requests arrived, over the last second
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const parts = path.split("/").filter(Boolean);
    const send = (status: number, body: string, type = "application/json") => {
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    const json = (status: number, v: unknown) => send(status, JSON.stringify(v));
    switch (parts[0]) {
      case "items": {
        const n = Number(parts[1]);
        return n > 100 ? json(404, { error: "no such item" }) : json(200, { id: n, name: `item-${n}`, price: n * 1.5 });
      }
      case "flaky": {
        const seen = (flaky.get(parts[1]) ?? 0) + 1;
        flaky.set(parts[1], seen);
        return seen <= Number(parts[2]) ? json(503, { error: "try again" }) : json(200, { recovered: true });
      }
      case "slow": {
        const timer = setTimeout(() => json(200, { slow: true }), Number(parts[1]));
        res.on("close", () => clearTimeout(timer));
        return;
      }
      case "page": {
        const now = performance.now();
        recent = recent.filter((t) => now - t < 1000);
        if (recent.length >= PAGE_LIMIT) {
          pages.refused++;
          return send(429, "slow down", "text/plain");
        }
        recent.push(now);
        pages.served++;
        const n = Number(parts[1]);
        return send(
          200,
          `<html><head><title>Page ${n}</title></head><body>` +
            `<nav><a href="/page/1">home</a></nav><p>Item ${n}.</p>` +
            `<a href="/page/${n + 1}">next</a> <a href="/page/${n * 2}">double</a></body></html>`,
          "text/html",
        );
      }
      default:
        return json(404, { error: "not found" });
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ server, base: `http://127.0.0.1:${port}`, pages, hits });
    });
  });
}

let site: Site;
let tmp: string;

before(async () => {
  site = await startSite();
  tmp = mkdtempSync(join(tmpdir(), "skein-examples-"));
});

after(async () => {
  site.server.closeAllConnections();
  await new Promise<void>((r) => site.server.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

// ---- running an example ----------------------------------------------------------------------

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/skein examples/NAME ARGS... from the project root (asynchronously: the server must answer meanwhile). */
function runExample(name: string, args: string[] = [], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [skein, join("examples", name), ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/** Asserts a clean run (status 0, empty stderr) and returns its stdout. */
async function cleanRun(name: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const r = await runExample(name, args, env);
  assert.equal(r.stderr, "", `${name} wrote to stderr`);
  assert.equal(r.status, 0, `${name} exited with ${r.status}`);
  return r.stdout;
}

/** Writes files (path relative to dir, content) under dir, creating folders; returns dir. */
function makeTree(dir: string, files: Record<string, string>): string {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

const lines = (...ls: string[]) => ls.join("\n") + "\n";

// ---- the examples ----------------------------------------------------------------------------

test("api-retry.lisp: parallel calls with per-attempt timeouts, parallel-map :retries and an explicit retry policy", async () => {
  const out = await cleanRun("api-retry.lisp", [site.base]);
  assert.equal(
    out,
    lines(
      "part 1: four calls, 3 at a time, 500 ms per attempt, up to 2 retries each",
      '  item 1: ok {:id 1 :name "item-1" :price 1.5}',
      '  item 2: ok {:id 2 :name "item-2" :price 3}',
      "  prices (fails once): ok {:recovered #t}",
      "  item 404: failed with status 404",
      "",
      "part 2: six endpoints, 4 at a time, 300 ms per attempt, at most 4 attempts",
      '  users: ok {:id 1 :name "item-1" :price 1.5} (1 attempt)',
      '  orders: ok {:id 2 :name "item-2" :price 3} (1 attempt)',
      "  inventory: ok {:recovered #t} (3 attempts)",
      "  billing: failed with status 503 (4 attempts)",
      "  search: failed: timeout after 300ms (4 attempts)",
      "  legacy: failed with status 404 (1 attempt)",
      "got 3 out of 6",
      "the batch took less than 3 seconds: #t",
    ),
  );
  // parallel-map :retries asked for the 404 three times; the explicit policy asked once
  assert.equal(site.hits.get("/items/404"), 3);
  assert.equal(site.hits.get("/items/999"), 1);
  assert.equal(site.hits.get("/slow/5000"), 4);
});

test("api-retry.lisp and scraper.lisp print their usage (and succeed) without a server", async () => {
  const env = { SKEIN_EXAMPLE_SERVER: "" };
  assert.match(await cleanRun("api-retry.lisp", [], env), /^usage: skein examples\/api-retry.lisp BASE-URL/);
  assert.match(await cleanRun("scraper.lisp", [], env), /^usage: skein examples\/scraper.lisp BASE-URL/);
});

test("scraper.lisp: :rate and :max-threads keep under the site's limit; titles and links extracted", async () => {
  const before = { ...site.pages };
  // the base URL from the environment this time; N defaults to 12
  const out = await cleanRun("scraper.lisp", [], { SKEIN_EXAMPLE_SERVER: site.base });
  const pageLines = Array.from({ length: 12 }, (_, i) => `  page ${i + 1}: "Page ${i + 1}", 3 links`);
  assert.equal(
    out.replace(/^elapsed: \d+ ms/m, "elapsed: N ms"),
    lines(
      "fetching 12 pages, at most 8 per second and 3 at a time",
      ...pageLines,
      "12 pages fetched, 0 refused by the server's rate limit",
      "links to pages not fetched yet: /page/13 /page/14 /page/16 /page/18 /page/20 /page/22 /page/24",
      "elapsed: N ms (12 requests at 8 per second need at least 1375 ms)",
      "rate honoured: #t",
    ),
  );
  // the server's view: every page answered, none refused for going over PAGE_LIMIT a second
  assert.equal(site.pages.served - before.served, 12);
  assert.equal(site.pages.refused - before.refused, 0);
});

test("log-errors.lisp: ERROR lines counted per file over a directory tree", async () => {
  const dir = makeTree(join(tmp, "logs"), {
    "app/server.log": lines("INFO start", "ERROR disk full", "INFO retry", "ERROR disk full", "WARN low memory"),
    "app/worker.log": "INFO job 1\r\nERROR timeout talking to db\r\nINFO job 2\r\n", // CRLF line ends
    "empty.log": "",
    "deep/a/b/c.log": "ERROR disk full", // no final newline
    "notes.txt": lines("ERROR in a file that is not a log"),
    "zz.log": lines("INFO all good"),
  });
  const out = await cleanRun("log-errors.lisp", [dir]);
  assert.equal(
    out,
    lines(
      `5 log files in ${dir}, 10 lines`,
      "  app/server.log       2 errors",
      "  app/worker.log       1 error",
      "  deep/a/b/c.log       1 error",
      "  empty.log            0 errors",
      "  zz.log               0 errors",
      "total: 4 ERROR lines",
      "most frequent:",
      "  3x disk full",
      "  1x timeout talking to db",
    ),
  );
});

test("producer-consumer-files.lisp: a producer, three workers and a collector over a folder of CSV files", async () => {
  const dir = makeTree(join(tmp, "sales"), {
    "mon.csv": lines("product,quantity,unit_price", "Widget,2,2.50", "Gadget,1,10"),
    "tue.csv": lines("product,quantity,unit_price", "Widget,4,2.50"),
    "wed.csv": lines("product,quantity,unit_price", "Gadget,x,10"),
    "thu.csv": lines("product,quantity,unit_price"),
    "fri.csv": lines("product,quantity,unit_price", "Gizmo,3,1.5", "Gizmo,1,1.5", "Widget,1,2.5"),
    "readme.md": "not a CSV file",
  });
  const out = await cleanRun("producer-consumer-files.lisp", [dir]);
  assert.equal(
    out,
    lines(
      `5 files from ${dir}, 3 workers (at most 3 files in progress at once)`,
      "  fri.csv: 3 rows, 5 units, revenue 8.5",
      "  mon.csv: 2 rows, 3 units, revenue 15",
      "  thu.csv: 0 rows, 0 units, revenue 0",
      "  tue.csv: 1 row, 4 units, revenue 10",
      '  rejected: wed.csv line 2: not a number in "Gadget,x,10"',
      "total revenue: 33.5",
    ),
  );
});

/** What db-queries.lisp prints, with an in-memory database or a file alike (the script makes its data). */
const DB_QUERIES_REPORT = lines(
  "totals:",
  "  {:orders 120 :revenue 6525 :average 54.38}",
  "revenue by region:",
  '  {:region "east" :orders 40 :revenue 2255}',
  '  {:region "north" :orders 40 :revenue 2195}',
  '  {:region "south" :orders 40 :revenue 2075}',
  "top 3 customers:",
  '  {:customer "Linus" :spent 1165}',
  '  {:customer "Barbara" :spent 1110}',
  '  {:customer "O\'Brien" :spent 1090}',
  "big orders in the north:",
  "  {:orders 8 :smallest 90.25}",
  "busiest day:",
  '  {:day "2025-03-01" :orders 14}',
  "a query with a typo:",
  '  failed: db-query: near "order": syntax error',
);

test("db-queries.lisp: rows inserted with bound parameters, six queries at once, a broken one reported", async () => {
  assert.equal(await cleanRun("db-queries.lisp"), DB_QUERIES_REPORT); // in memory
  const file = join(tmp, "shop.db");
  assert.equal(await cleanRun("db-queries.lisp", [file]), DB_QUERIES_REPORT);
  assert.equal(await cleanRun("db-queries.lisp", [file]), DB_QUERIES_REPORT, "a second run replaces the table");
});

test("etl-csv.lisp: header, quoted fields, bad rows reported as error values, rows loaded into SQLite", async () => {
  const csv = join(tmp, "orders.csv");
  writeFileSync(
    csv,
    lines(
      "order_id,date,customer,product,quantity,unit_price",
      '1,2025-01-02,"Doe, Jane",Lamp,2,19.99',
      '2,2025-01-02,Sam,"Desk ""Pro""",1,250',
      "3,2025-01-03,Sam,Lamp,0,19.99",
      "",
      "4,2025-01-03,Kim,Chair,4,",
      "5,2025-02-30x,Kim,Chair,4,45",
      "6,2025-01-04,Kim,Chair,4,45,extra",
      "x7,2025-01-04,Kim,Chair,4,45",
      "1,2025-01-05,Lee,Lamp,1,19.99",
      "8,2025-01-05,Lee,Chair,1,45.5",
    ),
  );
  const db = join(tmp, "etl.db");
  const out = await cleanRun("etl-csv.lisp", [csv, db]);
  assert.equal(
    out,
    lines(
      `${csv}: 9 data rows, 3 loaded, 6 rejected`,
      '  line 4: quantity is not a positive whole number: "0"',
      '  line 6: unit_price is not a price: ""',
      '  line 7: not a date: "2025-02-30x"',
      "  line 8: expected 6 fields, got 7",
      '  line 9: order_id is not a number: "x7"',
      "  line 10: db-exec: UNIQUE constraint failed: orders.order_id",
      "",
      "sales by product:",
      '  Desk "Pro": 1 order, 1 unit, revenue 250',
      "  Chair: 1 order, 1 unit, revenue 45.5",
      "  Lamp: 1 order, 2 units, revenue 39.98",
      "total revenue: 335.48",
    ),
  );
  // the rows really are in the database file
  const check = await new Promise<Result>((resolve) => {
    execFile(
      process.execPath,
      [
        skein,
        "-e",
        `(db-query (db-open "sqlite:${db}") "SELECT order_id, customer, product FROM orders ORDER BY order_id")`,
      ],
      { cwd: root },
      (error, stdout, stderr) => resolve({ status: error ? 1 : 0, stdout, stderr }),
    );
  });
  assert.equal(check.stderr, "");
  assert.equal(
    check.stdout,
    '({:order_id 1 :customer "Doe, Jane" :product "Lamp"} {:order_id 2 :customer "Sam" :product "Desk \\"Pro\\""} {:order_id 8 :customer "Lee" :product "Chair"})\n',
  );
});

test("etl-csv.lisp: columns in another order after a byte-order mark are fine; missing columns are refused", async () => {
  const csv = join(tmp, "reordered.csv");
  writeFileSync(
    csv,
    "\uFEFF" + lines("quantity,unit_price,order_id,date,customer,product", "2,1.25,7,2025-01-01,Ann,Pen"),
  );
  assert.equal(
    await cleanRun("etl-csv.lisp", [csv]),
    lines(
      `${csv}: 1 data row, 1 loaded, 0 rejected`,
      "",
      "sales by product:",
      "  Pen: 1 order, 2 units, revenue 2.5",
      "total revenue: 2.5",
    ),
  );
  const bad = join(tmp, "no-columns.csv");
  writeFileSync(bad, lines("order_id,customer", "1,Ann"));
  const r = await runExample("etl-csv.lisp", [bad]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, `etl-csv: ${bad} lacks the columns date, product, quantity, unit_price\n`);
});

test("etl-csv.lisp: a missing CSV file is reported on stderr with status 1", async () => {
  const r = await runExample("etl-csv.lisp", [join(tmp, "missing.csv")]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, `etl-csv: read-lines: no such file: ${join(tmp, "missing.csv")}\n`);
});

// ---- every script as a user first runs it ----------------------------------------------------

/** What `bin/skein examples/NAME` prints with no arguments and no SKEIN_EXAMPLE_SERVER. */
const BY_DEFAULT: Record<string, string> = {
  "api-retry.lisp": lines("usage: skein examples/api-retry.lisp BASE-URL   (or set SKEIN_EXAMPLE_SERVER)"),
  "db-queries.lisp": DB_QUERIES_REPORT,
  "etl-csv.lisp": lines(
    "examples/data/orders.csv: 11 data rows, 6 loaded, 5 rejected",
    '  line 5: quantity is not a positive whole number: "two"',
    "  line 6: customer is empty",
    '  line 9: not a date: "2025-13-01"',
    "  line 11: expected 6 fields, got 4",
    "  line 12: db-exec: UNIQUE constraint failed: orders.order_id",
    "",
    "sales by product:",
    "  Gadget: 2 orders, 3 units, revenue 35",
    "  Widget: 2 orders, 7 units, revenue 17.5",
    '  Widget "XL": 1 order, 2 units, revenue 9.5',
    "  Gizmo: 1 order, 5 units, revenue 6",
    "total revenue: 68",
  ),
  "hello.lisp": lines(
    "Hello, world!",
    "",
    "Some relatives, oldest first:",
    "  1975  Scheme  lisp, small",
    "  1986  Erlang  processes, messages",
    "  2007  Clojure  lisp, immutable",
    "  2025  Skein  lisp, tasks, channels",
    "",
    "  hello from Scheme",
    "  hello from Erlang",
    "  hello from Clojure",
    "  hello from Skein",
    "  (4 greetings that wait 50-70 ms each took well under 150 ms together, not 240)",
    "",
    "10 / 0 gave an error value: division by zero",
    "10 / 4 = 2.5",
  ),
  "log-errors.lisp": lines(
    "4 log files in examples/data/logs, 25 lines",
    "  app.log              3 errors",
    "  old/app-03-03.log    1 error",
    "  old/worker-03-03.log 0 errors",
    "  worker.log           2 errors",
    "total: 6 ERROR lines",
    "most frequent:",
    "  3x upstream timeout: billing-api",
    "  2x database connection refused",
    "  1x disk full writing /var/exports/2025-03-04.csv",
  ),
  "pipeline.lisp": lines(
    'rejected "garbage line": malformed record',
    "",
    "stats: {:records 9 :rejected 1 :slow 4}",
    "by level:",
    "  :info 5",
    "  :warn 1",
    "  :error 2",
    "  :debug 1",
    "slowest: db (5000 ms)",
    "",
    "health checks (100 ms deadline each):",
    "  api ok",
    "  db failed: timeout after 100ms",
    "  web ok",
  ),
  "producer-consumer-files.lisp": lines(
    "5 files from examples/data/sales, 3 workers (at most 3 files in progress at once)",
    "  2025-03-01.csv: 3 rows, 6 units, revenue 24.5",
    "  2025-03-02.csv: 2 rows, 7 units, revenue 30",
    "  2025-03-03.csv: 4 rows, 13 units, revenue 38.2",
    "  2025-03-04.csv: 0 rows, 0 units, revenue 0",
    '  rejected: 2025-03-05.csv line 3: not a number in "Gizmo,oops,1.20"',
    "total revenue: 92.7",
  ),
  "mcp-fanout.lisp": lines(
    "13 tools:",
    '  echo ["message"]',
    '  get-annotated-message ["messageType"]',
    "  get-env []",
    "  get-resource-links []",
    "  get-resource-reference []",
    '  get-structured-content ["location"]',
    '  get-sum ["a" "b"]',
    "  get-tiny-image []",
    "  gzip-file-as-resource []",
    '  simulate-research-query ["topic"]',
    "  toggle-simulated-logging []",
    "  toggle-subscriber-updates []",
    "  trigger-long-running-operation []",
    "reads without arguments:",
    "  get-env: ok",
    "  get-resource-links: ok",
    "  get-resource-reference: ok",
    "  get-tiny-image: ok",
    "get-sum over 1..5:",
    "  The sum of 1 and 1 is 2.",
    "  The sum of 2 and 4 is 6.",
    "  The sum of 3 and 9 is 12.",
    "  The sum of 4 and 16 is 20.",
    "  The sum of 5 and 25 is 30.",
  ),
  "scraper.lisp": lines("usage: skein examples/scraper.lisp BASE-URL [N]   (or set SKEIN_EXAMPLE_SERVER)"),
};

test("every script in examples/ runs as `bin/skein examples/NAME.lisp` from the project root, with its defaults", async (t) => {
  const scripts = readdirSync(join(root, "examples"))
    .filter((f) => f.endsWith(".lisp"))
    .sort();
  assert.deepEqual(scripts, Object.keys(BY_DEFAULT).sort(), "each script in examples/ has its expected output here");
  const env = { ...process.env };
  delete env.SKEIN_EXAMPLE_SERVER;
  for (const name of scripts) {
    await t.test(name, async () => {
      // the command line of the README: the executable itself, by a path relative to the root
      const r = await new Promise<Result>((resolve) => {
        execFile(
          join("bin", "skein"),
          [join("examples", name)],
          { cwd: root, env, timeout: 30_000 },
          (error, stdout, stderr) =>
            resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
        );
      });
      assert.equal(r.stderr, "");
      assert.equal(r.status, 0);
      assert.equal(r.stdout, BY_DEFAULT[name]);
    });
  }
});

test("README.md shows what bin/skein examples/hello.lisp prints", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const shown = /```sh\nbin\/skein examples\/hello\.lisp\n```\n\n```text\n([\s\S]*?)```/.exec(readme);
  assert.ok(shown, "README.md has the command and its output");
  assert.equal(shown[1], BY_DEFAULT["hello.lisp"]);
});
