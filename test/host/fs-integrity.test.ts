// Regression tests for issue 9 §4.1 and §4.2: nothing lost, nothing silent. write-file replaced a
// FIFO or a link to /dev/stderr by a regular file; a killed write left its temp file for good;
// read-file turned bytes that are not UTF-8 into U+FFFD without a word.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot, stdoutOf } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "skein-integrity-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const lit = (s: string) => JSON.stringify(s);

test("write-file to a FIFO writes into it and leaves it a FIFO", async () => {
  const fifo = join(dir, "pipe");
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  // a reader on the other end, in another process (with nothing inherited: it outlives this call)
  const reader = spawn("cat", [fifo], { stdio: ["ignore", "pipe", "ignore"] });
  let got = "";
  reader.stdout.on("data", (d) => {
    got += d;
  });
  const ended = new Promise((done) => reader.on("close", done));
  assert.equal(await stdoutOf(`(prn (write-file ${lit(fifo)} "through the pipe"))`), "nil\n");
  await ended;
  assert.ok(lstatSync(fifo).isFIFO(), "the FIFO was replaced by a file");
  assert.equal(got, "through the pipe");
});

test("write-file through a link to /dev/null writes in place: the link stays a link", async () => {
  const link = join(dir, "null-link");
  symlinkSync("/dev/null", link);
  assert.equal(await stdoutOf(`(prn (write-file ${lit(link)} "gone"))`), "nil\n");
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.ok(lstatSync("/dev/null").isCharacterDevice(), "/dev/null is still a device");
});

test("the temp file of a killed write is removed by the next write to the same target", async () => {
  const target = join(dir, "data.txt");
  // a writer that died: a temp file named for a process that no longer exists
  const dead = spawnSync("true").pid as number;
  const stale = join(dir, `.data.txt.${dead}.0123456789ab.tmp`);
  writeFileSync(stale, "half");
  const other = join(dir, `.other.txt.${dead}.0123456789ab.tmp`);
  writeFileSync(other, "not ours");
  assert.equal(await stdoutOf(`(write-file ${lit(target)} "whole") (prn (read-file ${lit(target)}))`), `"whole"\n`);
  const left = readdirSync(dir);
  assert.ok(!left.includes(`.data.txt.${dead}.0123456789ab.tmp`), "the stale temp file is still there");
  assert.ok(left.includes(`.other.txt.${dead}.0123456789ab.tmp`), "a temp file of another target was touched");
});

test("bytes that are not UTF-8 give an error value, never replaced characters", async () => {
  const bad = join(dir, "latin1.txt");
  writeFileSync(bad, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café\n" in Latin-1
  const big = join(dir, "big-binary.bin");
  writeFileSync(big, Buffer.concat([Buffer.alloc(100_000, 0x61), Buffer.from([0xff, 0xfe])]));
  const out = await stdoutOf(`(prn (error-msg (read-file ${lit(bad)})) (:code (read-file ${lit(bad)})))
(prn (error-msg (read-lines ${lit(big)})))
(prn (read-file ${lit(join(dir, "data.txt"))}))`);
  assert.equal(
    out,
    `"read-file: not valid UTF-8 text (a binary file, or another encoding): ${bad}" "EILSEQ"
"read-lines: not valid UTF-8 text (a binary file, or another encoding): ${big}"
"whole"
`,
  );
});

// A file longer than a string can hold (V8: about 512 MB) is said to be too large, not
// mislabelled as invalid UTF-8: past the read limit (128 MB) at once, and with the limit raised
// past it when the text is made. A sparse file of zeros costs no disk.
test("a file too large for a string is an error value saying so", async () => {
  const big = join(dir, "big.txt");
  assert.equal(spawnSync("truncate", ["-s", "600M", big]).status, 0);
  try {
    assert.equal(
      await stdoutOf(
        `(prn (:code (read-file ${lit(big)}))) (prn (:code (read-file ${lit(big)} :max-bytes 700000000)))`,
        {
          deadlineMs: 60_000,
        },
      ),
      `"EFBIG"\n"ERR_STRING_TOO_LONG"\n`,
    );
  } finally {
    rmSync(big, { force: true });
  }
});

// Regression (issue 9 §3.4): reading a FIFO opened it in a thread of the pool, which stayed
// blocked after the read was cancelled: the script's output was complete, but the process never
// exited (libuv joins its threads at exit).
test("a cancelled read of a FIFO with no writer leaves nothing behind: the process exits", () => {
  const fifo = join(dir, "idle-pipe");
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  const r = spawnSync(
    process.execPath,
    [join(projectRoot(), "bin", "skein"), "-e", `(prn (timeout 200 (fn [] (read-file ${lit(fifo)}))))`],
    { encoding: "utf8", timeout: 20_000 },
  );
  assert.equal(r.signal, null, "the process had to be killed: it did not exit");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '{:error "timeout after 200ms"}\n');
});

test("read-lines of a FIFO waits for a writer and reads to its end; a silent writer holds no thread", async () => {
  const fifo = join(dir, "talking-pipe");
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  // the writer opens the pipe (waiting for the reader), writes two lines and closes
  const writer = spawn("sh", ["-c", `printf 'a\\nb\\n' > ${fifo}`], { stdio: "ignore" });
  const written = new Promise((done) => writer.on("close", done));
  assert.equal(await stdoutOf(`(prn (read-lines ${lit(fifo)}))`), '("a" "b")\n');
  await written;
  // a writer that opens and stays silent: the read is cancelled at its deadline, as a ticker shows
  // other tasks running meanwhile, and the next read of the pipe finds its writer gone
  const silent = spawn("sh", ["-c", `exec 3> ${fifo}; sleep 1`], { stdio: "ignore" });
  const gone = new Promise((done) => silent.on("close", done));
  assert.equal(
    await stdoutOf(`(define ticks (atom 0))
(define ticker (spawn (fn [] (let loop () (sleep 10) (atom-swap! ticks inc) (loop)))))
(prn (timeout 300 (fn [] (read-file ${lit(fifo)}))))
(task-cancel ticker)
(prn (> (atom-deref ticks) 5))`),
    '{:error "timeout after 300ms"}\n#t\n',
  );
  await gone;
});
