// A timeout or a cancellation of sh kills what the command started even when it left the
// process group with setsid (found through /proc: Linux only, like the test machines); a signal
// ends Skein at once even while a builtin call keeps the event loop busy, and the children die
// with it, also on SIGKILL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeHost, projectRoot, stdoutOf } from "../helpers.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; alive(pid); ) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** Runs a program that starts `setsid sleep 30` under sh, prints its pid, and gives up on sh
 *  through `give-up`; returns the sleep's pid. */
async function setsidSleepAfter(giveUp: (cmd: string) => string): Promise<number> {
  const host = fakeHost();
  host.env = { ...process.env };
  const cmd = `(sh "setsid sleep 30 & echo $! > $PIDFILE; wait" :env {:PIDFILE pidfile})`;
  const out = await stdoutOf(
    `
(define pidfile (string-trim (:out (sh "mktemp"))))
(prn ${giveUp(cmd)})
(println (string-trim (read-file pidfile)))
(delete-file pidfile)`,
    { host },
  );
  const [result, pid] = out.trim().split("\n");
  assert.match(result, /timeout after 200ms/);
  return Number(pid);
}

test("a sh timeout kills a setsid grandchild too", async () => {
  const pid = await setsidSleepAfter((cmd) => cmd.replace(":env", ":timeout 200 :env"));
  assert.ok(pid > 0);
  assert.ok(await goneWithin(pid, 2000), `setsid sleep ${pid} survived the timeout`);
});

test("a (timeout ...) cancelling sh kills a setsid grandchild too", async () => {
  const pid = await setsidSleepAfter((cmd) => `(timeout 200 (fn [] ${cmd}))`);
  assert.ok(pid > 0);
  assert.ok(await goneWithin(pid, 2000), `setsid sleep ${pid} survived the cancellation`);
});

/** Processes whose command line contains the marker (ps, not pgrep, so our own shell is not counted). */
function processesMatching(marker: string): string[] {
  const r = spawnSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.includes(marker) && !l.includes("ps -eo"));
}

async function noneLeftWithin(marker: string, ms: number): Promise<string[]> {
  for (const end = Date.now() + ms; ; ) {
    const left = processesMatching(marker);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs bin/skein on a script that starts children (one of them setsid), then keeps the event
 *  loop busy in one long builtin call; sends sig once the script says "busy". */
async function signalWhileBusy(
  sig: NodeJS.Signals,
  marker: string,
): Promise<{ stdout: string; signal: NodeJS.Signals | null }> {
  const dir = mkdtempSync(join(tmpdir(), "skein-signal-"));
  try {
    const script = join(dir, "busy.lisp");
    writeFileSync(
      script,
      `
(spawn (fn [] (sh "setsid ${marker} & ${marker} & wait")))
(sleep 300)
(println "busy")
(println "sorted" (length (sort (range 8000000))))`,
    );
    const child = spawn(process.execPath, [join(projectRoot(), "bin", "skein"), script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    const ended = new Promise<NodeJS.Signals | null>((r) => child.on("exit", (_code, signal) => r(signal)));
    await new Promise<void>((r) =>
      child.stdout.on("data", (d: string) => {
        stdout += d;
        if (stdout.includes("busy")) r();
      }),
    );
    assert.equal(processesMatching(marker).length, 3, "sh and both children run before the signal");
    await new Promise((r) => setTimeout(r, 100));
    child.kill(sig);
    const signal = await ended;
    return { stdout, signal };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [sig, marker] of [
  ["SIGTERM", "sleep 30.0431"],
  ["SIGINT", "sleep 30.0432"],
  ["SIGKILL", "sleep 30.0433"],
] as const) {
  test(`${sig} while a builtin call keeps the loop busy ends skein at once and kills its children, setsid ones included`, async () => {
    const { stdout, signal } = await signalWhileBusy(sig, marker);
    assert.equal(signal, sig);
    assert.equal(stdout, "busy\n", "skein ended during the long call, not after it");
    assert.deepEqual(await noneLeftWithin(marker, 2000), [], "no child survives skein");
  });
}
