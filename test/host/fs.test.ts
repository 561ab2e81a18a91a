// The file builtins (src/host/fs.ts): error values for missing files and directories, atomic
// write-file under kill -9, 2,000 parallel reads under `ulimit -n 256`, glob ordering and :cwd,
// the shared limit of open operations, and the sandbox seam.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Limiter } from "../../src/host/fs.js";
import type { Capability } from "../../src/sandbox/permissions.js";
import { fakeHost, type FakeHost, projectRoot, stdoutOf, useTempHome } from "../helpers.js";

const SKEIN = join(projectRoot(), "bin", "skein");

const home = useTempHome("skein-fs-test-");

/** A fresh directory under the test's temp dir, made the working directory. */
function freshDir(name: string): string {
  const d = join(home(), name);
  mkdirSync(d, { recursive: true });
  process.chdir(d);
  return d;
}

async function run(source: string, host: FakeHost = fakeHost()): Promise<string> {
  return stdoutOf(source, { host });
}

test("missing files and directories return error values naming the operation and the path", async () => {
  freshDir("missing");
  writeFileSync("file.txt", "x");
  const out = await run(`
(prn (read-file "logs/a.log"))
(prn (error-msg (read-lines "nope.txt")))
(prn (error-msg (file-size "nope.txt")))
(prn (error-msg (list-dir "nope")))
(prn (error-msg (list-dir "file.txt")))
(prn (error-msg (delete-file "nope.txt")))
(prn (write-file "no/such/dir/x.txt" "x"))
(prn (error-msg (append-file "no/such/x.txt" "x")))
(prn (error-msg (read-file "file.txt/inner")))
(prn (error-msg (make-dir "file.txt")))
(prn (error-msg (glob "*.log" :cwd "nope")))
(prn (file-exists? "nope.txt") (file-exists? "file.txt/inner"))
`);
  assert.equal(
    out,
    [
      `{:error "read-file: no such file: logs/a.log" :op "read-file" :path "logs/a.log" :code "ENOENT"}`,
      `"read-lines: no such file: nope.txt"`,
      `"file-size: no such file: nope.txt"`,
      `"list-dir: no such directory: nope"`,
      `"list-dir: not a directory: file.txt"`,
      `"delete-file: no such file: nope.txt"`,
      `{:error "write-file: no such directory: no/such/dir" :op "write-file" :path "no/such/dir/x.txt" :code "ENOENT"}`,
      `"append-file: no such directory: no/such"`,
      `"read-file: not a directory: file.txt/inner"`,
      `"make-dir: a file is in the way: file.txt"`,
      `"glob: no such directory: nope"`,
      `#f #f`,
      "",
    ].join("\n"),
  );
});

test("directories where files are expected return error values", async () => {
  freshDir("dirs");
  mkdirSync("d/e", { recursive: true });
  const out = await run(`
(prn (error-msg (read-file "d")))
(prn (error-msg (file-size "d")))
(prn (error-msg (write-file "d" "x")))
(prn (error-msg (delete-file "d")))
(prn (file-exists? "d"))
(prn (delete-file "d" :recursive #t) (file-exists? "d"))
`);
  assert.equal(
    out,
    [
      `"read-file: is a directory: d"`,
      `"file-size: is a directory: d"`,
      `"write-file: is a directory: d"`,
      `"delete-file: is a directory (use :recursive #t to delete it and its contents): d"`,
      "#t",
      "nil #f",
      "",
    ].join("\n"),
  );
});

// root reads every file, so the check runs skein as an unprivileged user when the tests run as
// root. That user may be unable to reach the checkout (it can be in /root, or in a folder that
// mktemp -d made with mode 0700), so it runs a copy of the files the package ships (package.json
// "files", what `npm install -g` would put in place) from a world-readable temp dir.
function shippedCopy(): string {
  const root = projectRoot();
  const copy = mkdtempSync(join(tmpdir(), "skein-copy-"));
  chmodSync(copy, 0o755);
  const { files } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { files: string[] };
  for (const f of files) cpSync(join(root, f), join(copy, f), { recursive: true });
  return copy;
}

test("a file without read permission returns an error value", () => {
  const dir = mkdtempSync(join(tmpdir(), "skein-perm-"));
  chmodSync(dir, 0o777);
  writeFileSync(join(dir, "secret.txt"), "x");
  chmodSync(join(dir, "secret.txt"), 0o000);
  const program = ["-e", `(prn (error-msg (read-file "secret.txt")))`];
  const asRoot = process.getuid?.() === 0;
  const copy = asRoot ? shippedCopy() : undefined;
  try {
    const r = copy
      ? spawnSync(
          "setpriv",
          [
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            process.execPath,
            join(copy, "bin", "skein"),
            ...program,
          ],
          { cwd: dir, encoding: "utf8" },
        )
      : spawnSync(process.execPath, [SKEIN, ...program], { cwd: dir, encoding: "utf8" });
    assert.equal(r.stdout, `"read-file: permission denied: secret.txt"\n`, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (copy) rmSync(copy, { recursive: true, force: true });
  }
});

test("a wrong argument type raises instead of returning an error value", async () => {
  freshDir("types");
  const out = await run(`
(prn (try (read-file 42) (catch e (error-msg e))))
(prn (try (write-file "x.txt" 42) (catch e (error-msg e))))
(prn (try (append-file :x "y") (catch e (error-msg e))))
(prn (try (glob 7) (catch e (error-msg e))))
(prn (try (glob "*" :bogus 1) (catch e (error-msg e))))
(prn (file-exists? "x.txt"))
`);
  assert.equal(
    out,
    [
      `"read-file: expected a string, got 42"`,
      `"write-file: expected a string to write, got 42"`,
      `"append-file: expected a string, got :x"`,
      `"glob: expected a list or vector, got 7"`,
      `"glob: unknown option :bogus (known: :cwd :dot)"`,
      "#f",
      "",
    ].join("\n"),
  );
});

test("write, append, read, read-lines, file-size, list-dir, make-dir, delete-file", async () => {
  freshDir("roundtrip");
  const out = await run(`
(prn (make-dir "a/b/c") (make-dir "a/b/c"))
(prn (write-file "a/b/c/x.txt" "héllo ✓\\n"))
(prn (read-file "a/b/c/x.txt") (file-size "a/b/c/x.txt"))
(append-file "a/b/c/x.txt" "two\\r\\nthree\\n")
(append-file "a/new.txt" "created")
(prn (read-lines "a/b/c/x.txt") (read-file "a/new.txt"))
(write-file "a/empty.txt" "")
(prn (read-lines "a/empty.txt") (file-size "a/empty.txt"))
(prn (list-dir "a"))
(prn (delete-file "a/new.txt") (file-exists? "a/new.txt") (file-exists? "a/b"))
`);
  assert.equal(
    out,
    [
      "nil nil",
      "nil",
      `"héllo ✓\\n" 11`,
      `("héllo ✓" "two" "three") "created"`,
      `() 0`,
      `("b" "empty.txt" "new.txt")`,
      "nil #f #t",
      "",
    ].join("\n"),
  );
});

test("write-file replaces by rename: no temp files left, the mode is kept, a symlink is written through", async () => {
  const d = freshDir("atomic-details");
  writeFileSync("script.sh", "old");
  chmodSync("script.sh", 0o751);
  writeFileSync("real.txt", "old");
  symlinkSync("real.txt", "link.txt");
  await run(`(write-file "script.sh" "new") (write-file "link.txt" "through") (write-file "fresh.txt" "x")`);
  assert.equal(readFileSync("script.sh", "utf8"), "new");
  assert.equal(statSync("script.sh").mode & 0o777, 0o751);
  assert.equal(readFileSync("real.txt", "utf8"), "through");
  assert.equal(readFileSync("link.txt", "utf8"), "through");
  assert.deepEqual(readdirSync(d).sort(), ["fresh.txt", "link.txt", "real.txt", "script.sh"]);
});

test("write-file is atomic: a writer killed with SIGKILL mid-write leaves the old or the new content, never a torn file", async () => {
  const d = freshDir("kill9");
  const size = 4 * 1024 * 1024;
  const a = "A".repeat(size - 1) + "\n";
  const b = "B".repeat(size / 2 - 1) + "\n";
  writeFileSync(join(d, "a.txt"), a);
  writeFileSync(join(d, "b.txt"), b);
  // the writer alternates the two contents forever; "go" means the target holds a complete copy
  writeFileSync(
    join(d, "writer.lisp"),
    `
(define a (read-file "a.txt"))
(define b (read-file "b.txt"))
(define target (first (command-line-args)))
(write-file target a)
(println "go")
(let loop ((i 0))
  (write-file target (if (even? i) b a))
  (loop (+ i 1)))
`,
  );
  const RUNS = 100;
  const PARALLEL = 10;
  let torn = 0;
  let killedMidWrite = 0;
  const one = (i: number) =>
    new Promise<void>((done, fail) => {
      const target = `t${i}.txt`;
      const child = spawn(SKEIN, ["writer.lisp", target], { cwd: d, stdio: ["ignore", "pipe", "inherit"] });
      let seen = "";
      child.stdout.on("data", (c: Buffer) => {
        seen += c.toString();
        if (seen.includes("go")) {
          seen = "";
          setTimeout(() => child.kill("SIGKILL"), 5 + ((i * 37) % 60));
        }
      });
      child.on("error", fail);
      child.on("close", (_code, sig) => {
        try {
          assert.equal(sig, "SIGKILL", "the writer was killed, not finished");
          const got = readFileSync(join(d, target), "utf8");
          if (got !== a && got !== b) torn++;
          // a temp file left beside the target shows the kill landed inside a write
          if (readdirSync(d).some((f) => f.startsWith(`.${target}.`))) killedMidWrite++;
          done();
        } catch (e) {
          fail(e);
        }
      });
    });
  for (let round = 0; round < RUNS / PARALLEL; round++) {
    await Promise.all(Array.from({ length: PARALLEL }, (_, k) => one(round * PARALLEL + k)));
  }
  assert.equal(torn, 0, `${torn} of ${RUNS} targets were torn`);
  assert.ok(killedMidWrite > 0, "at least some kills landed in the middle of a write");
});

test("2,000 parallel reads under ulimit -n 256 all succeed (one shared limit of open files)", () => {
  const d = freshDir("many");
  mkdirSync(join(d, "files"));
  for (let i = 0; i < 2000; i++) writeFileSync(join(d, "files", `${i}.txt`), `line ${i}\n`.repeat(50));
  writeFileSync(
    join(d, "reads.lisp"),
    `
(define paths (glob "files/*.txt"))
(define results (parallel-map read-file paths :max-threads 2000))
(define failed (filter error? results))
(println (length paths) (length failed) (if (empty? failed) "" (error-msg (first failed))))
(define sizes (parallel-map file-size paths :max-threads 2000))
(println (length (filter number? sizes)))
(define lines (parallel-map (lambda (p) (length (read-lines p))) paths :max-threads 2000))
(println (reduce + lines 0))
`,
  );
  const r = spawnSync("/bin/sh", ["-c", `ulimit -n 256 && exec "${SKEIN}" reads.lisp`], {
    cwd: d,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "2000 0 \n2000\n100000\n");
});

test("glob: sorted paths relative to the working directory or :cwd, files only, :dot, lists of patterns, absolute patterns", async () => {
  const d = freshDir("globbing");
  for (const f of [
    "logs/b.log",
    "logs/a.log",
    "logs/sub/z.log",
    "logs/sub/deeper/c.log",
    "logs/.hidden.log",
    "logs/c.txt",
    "top.log",
  ]) {
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, "x");
  }
  mkdirSync("logs/dir.log");
  const out = await run(`
(prn (glob "**/*.log"))
(prn (glob "logs/*.log"))
(prn (glob "*.log" :cwd "logs"))
(prn (glob "**/*.log" :cwd "logs/sub"))
(prn (glob "*.log" :cwd "logs" :dot #t))
(prn (glob ["**/*.log" "!logs/sub/**"]))
(prn (glob "logs/*.{log,txt}"))
(prn (glob "*.nothing"))
`);
  assert.equal(
    out,
    [
      `("logs/a.log" "logs/b.log" "logs/sub/deeper/c.log" "logs/sub/z.log" "top.log")`,
      `("logs/a.log" "logs/b.log")`,
      `("a.log" "b.log")`,
      `("deeper/c.log" "z.log")`,
      `(".hidden.log" "a.log" "b.log")`,
      `("logs/a.log" "logs/b.log" "top.log")`,
      `("logs/a.log" "logs/b.log" "logs/c.txt")`,
      "()",
      "",
    ].join("\n"),
  );
  const abs = await run(`(prn (glob "${d}/logs/*.log"))`);
  assert.equal(abs, `("${d}/logs/a.log" "${d}/logs/b.log")\n`);
});

test("the shared limit never runs more than its maximum at once, and an aborted waiter leaves the queue", async () => {
  const lim = new Limiter(3);
  let active = 0;
  let peak = 0;
  const work = () => {
    active++;
    peak = Math.max(peak, active);
    return new Promise<number>((r) =>
      setTimeout(() => {
        active--;
        r(1);
      }, 5),
    );
  };
  const acs = Array.from({ length: 40 }, () => new AbortController());
  const ps = acs.map((ac) =>
    lim.run(ac.signal, work).then(
      (v) => v,
      () => "aborted",
    ),
  );
  for (let i = 10; i < 20; i++) acs[i].abort();
  const results = await Promise.all(ps);
  assert.equal(peak, 3);
  assert.equal(results.filter((x) => x === "aborted").length, 10);
  assert.equal(results.filter((x) => x === 1).length, 30);
  assert.equal(lim.running, 0);
  assert.equal(lim.waiting, 0);
});

test("cancelling tasks whose reads are queued behind the limit does not lose the others", async () => {
  const d = freshDir("cancel-queued");
  for (let i = 0; i < 300; i++) writeFileSync(join(d, `${i}.txt`), "x".repeat(10_000));
  const out = await run(`
(define paths (glob "*.txt"))
(define doomed (map (lambda (p) (spawn (lambda () (read-file p)))) paths))
(for-each task-cancel doomed)
(define kept (parallel-map read-file paths))
(println (length (filter string? kept)))
`);
  assert.equal(out, "300\n");
});

test("the sandbox is asked with the absolute path before anything happens", async () => {
  const d = freshDir("sandbox");
  writeFileSync("in.txt", "x");
  writeFileSync(join(home(), "outside.txt"), "secret");
  const asked: string[] = [];
  const host = fakeHost();
  host.permissions = {
    allows: (cap: Capability, target: string) => {
      asked.push(`${cap} ${target}`);
      return cap === "read" && target.startsWith(d);
    },
  };
  const out = await run(
    `
(prn (read-file "in.txt"))
(prn (write-file "out.txt" "x"))
(prn (error? (delete-file "in.txt")) (error? (make-dir "m")))
(prn (glob "*.txt"))
(prn (error-msg (read-file "../outside.txt")))
(prn (error-msg (glob "../*.txt")))
(prn (error-msg (glob "*/../../*.txt")))
`,
    host,
  );
  assert.equal(
    out,
    [
      `"x"`,
      `{:error "permission denied: write-file out.txt (run with --allow-write)" :op "write-file" :target "out.txt" :permission "write"}`,
      "#t #t",
      `("in.txt")`,
      `"permission denied: read-file ../outside.txt (run with --allow-read)"`,
      `"permission denied: glob ../*.txt (run with --allow-read)"`,
      `"permission denied: glob */../../*.txt (run with --allow-read)"`,
      "",
    ].join("\n"),
  );
  assert.deepEqual(asked, [
    `read ${join(d, "in.txt")}`,
    `write ${join(d, "out.txt")}`,
    `write ${join(d, "in.txt")}`,
    `write ${join(d, "m")}`,
    `read ${d}` /* the pattern's base; then each match */,
    `read ${join(d, "in.txt")}`,
    `read ${join(home(), "outside.txt")}`,
    `read ${home()}`,
    "read /",
  ]);
  assert.ok(!existsSync("out.txt") && existsSync("in.txt") && !existsSync("m"));
});
