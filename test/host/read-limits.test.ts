// Reads have a size limit (128 MB by default, :max-bytes per call) that ends in an error value
// with :code "EFBIG", never in a read that runs forever or fills memory: files that never end
// (/dev/zero, /proc/self/pagemap, which says it is empty and holds gigabytes), subprocess output,
// HTTP bodies (compressed ones measured after decompression).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stdoutOf } from "../helpers.js";

const lit = (s: string) => JSON.stringify(s);
const dir = mkdtempSync(join(tmpdir(), "skein-read-limits-"));
let server: http.Server;
let base = "";

before(async () => {
  writeFileSync(join(dir, "ten.txt"), "0123456789");
  server = http.createServer((req, res) => {
    if (req.url === "/gzip") {
      const body = gzipSync(Buffer.alloc(1_000_000, "a")); // about 1 KB that unpacks into 1 MB
      res.writeHead(200, { "content-encoding": "gzip", "content-length": body.length });
      res.end(body);
    } else {
      res.end("b".repeat(100_000));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test("read-file of an endless file ends with an error value at the read limit", async () => {
  const out = await stdoutOf(
    `(prn (read-file "/proc/self/pagemap")) (prn (:code (read-file "/dev/zero"))) (prn (:code (read-lines "/dev/zero" :max-bytes 1000)))`,
    { deadlineMs: 60_000 },
  );
  assert.equal(
    out,
    `{:error "read-file: larger than the read limit of 134217728 bytes (raise it with :max-bytes): /proc/self/pagemap" :op "read-file" :path "/proc/self/pagemap" :code "EFBIG"}
"EFBIG"
"EFBIG"
`,
  );
});

test(":max-bytes lowers or raises the limit; a file within it reads whole", async () => {
  const ten = lit(join(dir, "ten.txt"));
  const out = await stdoutOf(
    `(prn (read-file ${ten} :max-bytes 10)) (prn (error-msg (read-file ${ten} :max-bytes 9))) (prn (read-lines ${ten} :max-bytes 10))`,
  );
  assert.equal(
    out,
    `"0123456789"\n"read-file: larger than the read limit of 9 bytes (raise it with :max-bytes): ${join(dir, "ten.txt")}"\n("0123456789")\n`,
  );
  const bad = await stdoutOf(`(prn (error-msg (try (read-file ${ten} :max-bytes -1) (catch e e))))`);
  assert.equal(bad, `"read-file: expected :max-bytes to be a whole number of bytes, got -1"\n`);
});

test("load of an endless pseudo-file raises at the read limit instead of reading forever", async () => {
  const out = await stdoutOf(`(prn (error-msg (try (load "/proc/self/pagemap") (catch e e))))`, {
    deadlineMs: 60_000,
  });
  assert.equal(out, `"load: larger than the read limit of 134217728 bytes: /proc/self/pagemap"\n`);
});

test("sh and run stop a program whose output passes :max-bytes", async () => {
  const out = await stdoutOf(`(prn (sh "yes" :max-bytes 1000)) (prn (:out (run ["printf" "abc"] :max-bytes 3)))`);
  assert.equal(
    out,
    `{:error "sh: output too large: more than 1000 bytes on stdout (raise the limit with :max-bytes): yes" :op "sh" :program "yes" :code "EFBIG"}\n"abc"\n`,
  );
});

test("an HTTP body past :max-bytes, and a small compressed one unpacking past it, are error values", async () => {
  const out = await stdoutOf(
    `(prn (error-msg (http-get ${lit(`${base}/big`)} :max-bytes 1000)))
(prn (:code (http-get ${lit(`${base}/gzip`)} :max-bytes 10000)))
(prn (count (:body (http-get ${lit(`${base}/gzip`)}))))
(prn (count (:body (http-request {:url ${lit(`${base}/big`)} :max-bytes 100000}))))`,
  );
  assert.equal(
    out,
    `"http-get: larger than the read limit of 1000 bytes (raise it with :max-bytes): ${base}/big"\n"EFBIG"\n1000000\n100000\n`,
  );
});
