// The session side of the REPL (issue 11 §3): the tasks an entry spawns go on running after
// the entry ends (before, the end of an entry stopped the scheduler until the next entry), an
// entry can be cancelled with the session kept, and (exit) between entries reaches the host.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Session } from "../../src/session/session.js";
import { write } from "../../src/syntax/printer.js";
import { fakeHost } from "../helpers.js";

/** Waits (in real time, up to 10 s) until the condition holds. */
async function until(ok: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("a task spawned by an entry keeps running after the entry has ended", async () => {
  const host = fakeHost();
  const session = new Session(host, { clock: "virtual" });
  const r = await session.evalEntry(
    '(spawn (fn [] (sleep 100) (println "a") (sleep 100) (println "b"))) :spawned',
    "<repl-1>",
  );
  assert.equal(write(r.value ?? null), ":spawned");
  await until(() => host.out === "a\nb\n", `the task printed a and b (it printed ${JSON.stringify(host.out)})`);
});

test("a background task's error is reported while no entry runs", async () => {
  const host = fakeHost();
  const session = new Session(host, { clock: "virtual" });
  await session.evalEntry("(define (boom) (sleep 50) (car 5))", "<repl-1>");
  await session.evalEntry("(spawn boom)", "<repl-2>");
  await until(() => host.err.includes("car: expected a list"), "the error was reported");
  assert.match(host.err, /^error in task \d+ \(spawned at <repl-2>:1:1\):\n<repl-1>:1:27: runtime error/);
});

test("cancelEntry stops the running entry, runs its finally blocks, and the session goes on", async () => {
  const host = fakeHost();
  const session = new Session(host);
  assert.equal(session.cancelEntry(), false, "no entry runs yet");
  await session.evalEntry("(define kept 42)", "<repl-1>");
  const running = session.evalEntry('(try (let loop [] (loop)) (finally (println "cleanup")))', "<repl-2>");
  setTimeout(() => assert.equal(session.cancelEntry(), true), 20);
  assert.deepEqual(await running, { cancelled: true });
  assert.equal(host.out, "cleanup\n");
  assert.equal(session.cancelEntry(), false, "the entry has ended");
  assert.equal((await session.evalEntry("(+ kept 1)", "<repl-3>")).value, 43);
});

test("(exit n) from a background task while no entry runs exits through the host", async () => {
  const host = fakeHost();
  const session = new Session(host, { clock: "virtual" });
  await session.evalEntry("(spawn (fn [] (sleep 10) (exit 4)))", "<repl-1>");
  await until(() => host.exitCodes.length > 0, "the host was asked to exit");
  assert.deepEqual(host.exitCodes, [4]);
});
