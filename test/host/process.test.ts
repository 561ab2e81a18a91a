// The process builtins (src/host/process.ts): sh and run output, exit status, :input, :cwd,
// :env; timeouts and cancellation kill the whole process group; programs that cannot start;
// orphans cleaned up when skein exits; the sandbox seam.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { liveProcessGroups } from "../../src/host/process.js";
import type { Capability } from "../../src/sandbox/permissions.js";
import { fakeHost, type FakeHost, projectRoot, stdoutOf, useTempHome } from "../helpers.js";

const SKEIN = join(projectRoot(), "bin", "skein");

const home = useTempHome("skein-process-test-");

/** A host that sees the real environment (PATH), like the CLI's. */
function realHost(): FakeHost {
  const h = fakeHost();
  h.env = { ...process.env, SKEIN_TEST_BASE: "base" };
  return h;
}

async function run(source: string, host: FakeHost = realHost()): Promise<string> {
  return stdoutOf(source, { host });
}

/** Processes whose command line contains the marker (ps, not pgrep, so our own shell is not counted). */
function processesMatching(marker: string): string[] {
  const r = spawnSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.includes(marker) && !l.includes("ps -eo"));
}

/** Waits up to ms for no process to match the marker; returns the ones still there. */
async function goneWithin(marker: string, ms: number): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = processesMatching(marker);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("sh returns exit status, stdout and stderr; a non-zero exit is data", async () => {
  const out = await run(`
(prn (sh "echo hello; echo oops 1>&2; exit 3"))
(prn (sh "true"))
(prn (error? (sh "exit 1")))
(prn (map-get (sh "no-such-command-xyz 2>/dev/null") :exit))
(prn (sh "printf 'a\\nb'"))
`);
  assert.equal(
    out,
    [
      `{:exit 3 :out "hello\\n" :err "oops\\n"}`,
      `{:exit 0 :out "" :err ""}`,
      "#f",
      "127",
      `{:exit 0 :out "a\\nb" :err ""}`,
      "",
    ].join("\n"),
  );
});

test("run passes arguments without a shell", async () => {
  const out = await run(`
(prn (run ["printf" "%s-%s" "a" "b"]))
(prn (map-get (run '("echo" "$HOME" "*" "a b")) :out))
(prn (map-get (run ["sh" "-c" "exit 7"]) :exit))
(prn (map-get (run ["printf" "%s" 42]) :out))
`);
  assert.equal(out, [`{:exit 0 :out "a-b" :err ""}`, `"$HOME * a b\\n"`, "7", `"42"`, ""].join("\n"));
});

test(":input feeds stdin; without it stdin is empty, so cat does not hang", async () => {
  const out = await run(`
(prn (map-get (sh "cat" :input "piped") :out))
(prn (map-get (sh "wc -l" :input "a\\nb\\nc\\n") :out))
(prn (sh "cat" :timeout 5000))
(prn (map-get (sh "head -c 1" :input (apply str (map (lambda (i) "xxxxxxxxxx") (range 100000)))) :out))
(prn (map-get (run ["cat"] :input "ünïcødé ✓") :out))
`);
  assert.equal(out, [`"piped"`, `"3\\n"`, `{:exit 0 :out "" :err ""}`, `"x"`, `"ünïcødé ✓"`, ""].join("\n"));
});

test(":cwd runs the program in another directory; a missing one is an error value", async () => {
  const d = join(home(), "cwd");
  mkdirSync(join(d, "sub"), { recursive: true });
  process.chdir(d);
  writeFileSync(join(d, "sub", "here.txt"), "");
  const out = await run(`
(prn (map-get (sh "pwd" :cwd "sub") :out))
(prn (map-get (run ["ls"] :cwd "sub") :out))
(prn (sh "pwd" :cwd "nope"))
(prn (error-msg (run ["ls"] :cwd "sub/here.txt")))
`);
  assert.equal(
    out,
    [
      `"${join(d, "sub")}\\n"`,
      `"here.txt\\n"`,
      `{:error "sh: no such directory: nope" :op "sh" :cwd "nope" :code "ENOENT"}`,
      `"run: not a directory: sub/here.txt"`,
      "",
    ].join("\n"),
  );
});

test(":env adds to the current environment with string or keyword names; nil removes a variable", async () => {
  const out = await run(`
(prn (map-get (sh "echo $SKEIN_TEST_BASE $A $B $C" :env {:A "1" "B" "two" :C 3}) :out))
(prn (map-get (sh "echo \${SKEIN_TEST_BASE-unset}" :env {:SKEIN_TEST_BASE nil}) :out))
(prn (map-get (run ["printenv" "X"] :env {"X" "y"}) :out))
(prn (try (sh "true" :env {1 "x"}) (catch e (error-msg e))))
(prn (try (sh "true" :env {:A [1]}) (catch e (error-msg e))))
`);
  assert.equal(
    out,
    [
      `"base 1 two 3\\n"`,
      `"unset\\n"`,
      `"y\\n"`,
      `"sh: expected a string or keyword as an :env name, got 1"`,
      `"sh: expected a string for :env A, got [1]"`,
      "",
    ].join("\n"),
  );
});

test('a timeout returns {:error "timeout after Nms"} and kills the whole process group', async () => {
  const marker = "sleep 10.0417";
  const t0 = Date.now();
  const out = await run(`
(prn (sh "${marker} & ${marker}" :timeout 100))
(prn (sh "${marker} | cat" :timeout 50))
`);
  assert.ok(Date.now() - t0 < 3000, "the timeout did not wait for the program");
  assert.equal(out, `{:error "timeout after 100ms" :op "sh"}\n{:error "timeout after 50ms" :op "sh"}\n`);
  assert.deepEqual(await goneWithin(marker, 2000), [], "no sleep survives the timeout");
  // the killed groups are forgotten once their pipes close
  for (let i = 0; i < 100 && liveProcessGroups() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(liveProcessGroups(), 0);
});

test("the session's default timeout applies to sh and run", async () => {
  const marker = "sleep 10.0418";
  const out = await run(`
(set-default-timeout! 150)
(prn (run ["sh" "-c" "${marker}"]))
`);
  assert.equal(out, `{:error "timeout after 150ms" :op "run"}\n`);
  assert.deepEqual(await goneWithin(marker, 2000), []);
});

test("cancelling a task running sh kills the process and its children; (timeout ...) does too", async () => {
  const marker = "sleep 10.0419";
  const marker2 = "sleep 10.0421";
  const out = await run(`
(define t (spawn (lambda () (sh "${marker} & ${marker}; echo never"))))
(sleep 150)
(prn (task-status t))
(task-cancel t)
(sleep 20)
(prn (task-status t) (error-msg (task-await t)))
(prn (timeout 100 (lambda () (sh "${marker2} & ${marker2}"))))
`);
  assert.equal(out, `:blocked\n:cancelled "task cancelled"\n{:error "timeout after 100ms"}\n`);
  assert.deepEqual(await goneWithin(marker, 2000), [], "the cancelled task's processes are gone");
  assert.deepEqual(await goneWithin(marker2, 2000), [], "the timed-out thunk's processes are gone");
});

test("a program that cannot start returns an error value", async () => {
  const d = join(home(), "nostart");
  mkdirSync(d, { recursive: true });
  process.chdir(d);
  writeFileSync(join(d, "not-executable.sh"), "echo hi\n");
  const out = await run(`
(prn (run ["definitely-not-a-program-xyz" "arg"]))
(prn (error-msg (run ["./not-executable.sh"])))
(prn (error-msg (run ["/no/such/dir/prog"])))
`);
  assert.equal(
    out,
    [
      `{:error "run: cannot start definitely-not-a-program-xyz: no such program" :op "run" :program "definitely-not-a-program-xyz" :code "ENOENT"}`,
      `"run: cannot start ./not-executable.sh: permission denied"`,
      `"run: cannot start /no/such/dir/prog: no such program"`,
      "",
    ].join("\n"),
  );
});

test("a program killed by a signal reports 128+n and the signal", async () => {
  const out = await run(`(prn (sh "kill -TERM $$"))`);
  assert.equal(out, `{:exit 143 :out "" :err "" :signal "SIGTERM"}\n`);
});

test("wrong argument types raise", async () => {
  const out = await run(`
(prn (try (sh 42) (catch e (error-msg e))))
(prn (try (run "ls -l") (catch e (error-msg e))))
(prn (try (run []) (catch e (error-msg e))))
(prn (try (run [:ls]) (catch e (error-msg e))))
(prn (try (sh "true" :timeout "1s") (catch e (error-msg e))))
(prn (try (sh "true" :timeout -1) (catch e (error-msg e))))
(prn (try (sh "true" :input 5) (catch e (error-msg e))))
(prn (try (sh "true" :shell "bash") (catch e (error-msg e))))
(prn (try (sh "true" "extra") (catch e (error-msg e))))
`);
  assert.equal(
    out,
    [
      `"sh: expected a command string, got 42"`,
      `"run: expected a list or vector [program arg ...] (use sh for a command line), got \\"ls -l\\""`,
      `"run: expected a program in [program arg ...], got an empty list"`,
      `"run: expected strings as program and arguments, got :ls"`,
      `"sh: expected a number, got \\"1s\\""`,
      `"sh: expected a timeout of 0 ms or more, got -1"`,
      `"sh: expected a string for :input, got 5"`,
      `"sh: unknown option :shell (known: :timeout :cwd :input :env :max-bytes)"`,
      `"sh: expected one command string (options go after it), got \\"extra\\""`,
      "",
    ].join("\n"),
  );
});

test("many processes run in parallel, and large or multi-byte output arrives whole", async () => {
  const t0 = Date.now();
  const out = await run(`
(define outs (parallel-map (lambda (i) (string-trim (map-get (sh (str "sleep 0.3; echo " i)) :out))) (range 30)))
(prn (= outs (map str (range 30))))
(define big (map-get (sh "head -c 5000000 /dev/zero | tr '\\\\0' 'x'") :out))
(prn (string-length big))
(define uni (map-get (run ["sh" "-c" "i=0; while [ $i -lt 20000 ]; do printf 'é✓'; i=$((i+1)); done"]) :out))
(prn (string-length uni) (= uni (apply str (map (lambda (i) "é✓") (range 20000)))))
`);
  assert.equal(out, "#t\n5000000\n40000 #t\n");
  assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms`);
});

test("processes still running when skein exits are killed, whether it exits, fails or is interrupted", async () => {
  const d = join(home(), "exit");
  mkdirSync(d, { recursive: true });
  const cases: [string, string, number][] = [
    ["sleep 10.0431", `(spawn (lambda () (sh "sleep 10.0431 & sleep 10.0431"))) (sleep 200) (exit 3)`, 3],
    ["sleep 10.0432", `(spawn (lambda () (sh "sleep 10.0432 & sleep 10.0432"))) (sleep 200) (car 1)`, 1],
  ];
  for (const [marker, src, code] of cases) {
    const r = spawnSync(SKEIN, ["-e", src], { cwd: d, encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, code, r.stderr);
    assert.deepEqual(await goneWithin(marker, 2000), [], `${marker} is gone after the exit`);
  }
  const r = spawnSync(
    "/bin/sh",
    [
      "-c",
      `"${SKEIN}" -e '(sh "sleep 10.0433 & sleep 10.0433")' & p=$!; sleep 0.5; kill -INT $p; wait $p; echo "status $?"`,
    ],
    { cwd: d, encoding: "utf8", timeout: 10_000 },
  );
  assert.equal(r.stdout, "status 130\n");
  assert.deepEqual(await goneWithin("sleep 10.0433", 2000), [], "interrupted: the children are gone");
});

test("the sandbox is asked before a process starts: sh asks for sh, run for the program", async () => {
  const asked: string[] = [];
  const host = realHost();
  host.permissions = {
    allows: (cap: Capability, target: string) => {
      asked.push(`${cap} ${target}`);
      return target === "printf";
    },
  };
  const d = join(home(), "sandbox");
  mkdirSync(d, { recursive: true });
  process.chdir(d);
  const out = await run(
    `
(prn (sh "touch made-by-sh"))
(prn (run ["touch" "made-by-run"]))
(prn (map-get (run ["printf" "ok"]) :out))
`,
    host,
  );
  assert.equal(
    out,
    [
      `{:error "permission denied: sh touch made-by-sh (run with --allow-run)" :op "sh" :target "touch made-by-sh" :permission "run"}`,
      `{:error "permission denied: run touch (run with --allow-run)" :op "run" :target "touch" :permission "run"}`,
      `"ok"`,
      "",
    ].join("\n"),
  );
  assert.deepEqual(asked, ["run sh", "run touch", "run printf"]);
  assert.ok(!existsSync(join(d, "made-by-sh")) && !existsSync(join(d, "made-by-run")));
});
