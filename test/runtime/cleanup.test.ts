// Cancellation completes the cleanup it promises, within a bound; errors nobody handled are
// printed once (docs/concurrency.md: Cancellation, Guarantees).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runOk } from "../helpers.js";

const count = (text: string, part: string) => text.split(part).length - 1;

test("a finally of a thunk cancelled by timeout runs to its end after main ends", async () => {
  const r = await runOk(
    `
    (println (timeout 10 (fn [] (try (sleep 100) (finally (sleep 50) (println "cleaned at" (monotonic-ms)))))))
    (println "main done")`,
    { clock: "virtual" },
  );
  assert.equal(r.stdout, `{:error "timeout after 10ms"}\nmain done\ncleaned at 60\n`);
});

test("a second cancellation does not cut a finally short", async () => {
  const r = await runOk(
    `
    (define t (spawn (fn [] (try (sleep 100) (finally (sleep 50) (println "cleaned"))))))
    (sleep 1)
    (task-cancel t)
    (sleep 1)
    (println "second cancel:" (task-cancel t))
    (println (task-await t))`,
    { clock: "virtual" },
  );
  assert.equal(r.stdout, `second cancel: #t\ncleaned\n{:error "task cancelled" :task 2}\n`);
});

test("parallel-map :timeout returns at the deadline; the item's cleanup goes on and the program waits for it", async () => {
  const r = await runOk(
    `
    (define t0 (monotonic-ms))
    (println (parallel-map (fn [x] (try (sleep 1000) (finally (sleep 3000) (println "cleanup" x "at" (monotonic-ms)))))
                           [1 2] :timeout 50))
    (println "returned at" (- (monotonic-ms) t0))`,
    { clock: "virtual" },
  );
  assert.equal(
    r.stdout,
    `({:error "timeout after 50ms" :input 1} {:error "timeout after 50ms" :input 2})\nreturned at 50\ncleanup 1 at 3050\ncleanup 2 at 3050\n`,
  );
});

test("a cleanup that never ends is abandoned after 5 s with a warning naming the task and its wait", async () => {
  const r = await runOk(
    `
    (define never (make-channel))
    (println (parallel-map (fn [x] (try (sleep 1000) (finally (channel-recv never) (println "never")))) [1] :timeout 50))
    (println (timeout 10 (fn [] (try (sleep 100) (finally (channel-recv never))))))
    (println "main done")`,
    { clock: "virtual" },
  );
  assert.equal(r.stdout, `({:error "timeout after 50ms" :input 1})\n{:error "timeout after 10ms"}\nmain done\n`);
  assert.match(
    r.stderr,
    /^warning: task 2 \(spawned at test\.lisp:3:14\) was cancelled and its cleanup did not finish within 5000 ms \(waiting on channel-recv at test\.lisp:3:63\); abandoned$/m,
  );
  assert.match(r.stderr, /^warning: task 3 \(spawned at test\.lisp:4:14\) .* within 5000 ms/m);
  assert.equal(count(r.stderr, "warning:"), 2);
  assert.equal(r.session.scheduler.now(), 5060);
});

test("a task that fails after task-await :timeout gave up is printed", async () => {
  const r = await runOk(
    `
    (define t (spawn (fn [] (sleep 50) (error "late boom"))))
    (println (task-await t :timeout 10))
    (sleep 100)`,
    { clock: "virtual" },
  );
  assert.equal(r.stdout, `{:error "timeout after 10ms"}\n`);
  assert.match(r.stderr, /^error in task 2 \(spawned at test\.lisp:2:15\):\ntest\.lisp:2:40: runtime error: late boom/);
  assert.equal(count(r.stderr, "error in task"), 1);
});

test("an awaited failure is not printed", async () => {
  const r = await runOk(`(println (task-await (spawn (fn [] (sleep 5) (error "seen"))) :timeout 10))`, {
    clock: "virtual",
  });
  assert.equal(r.stdout, `{:error "seen"}\n`);
  assert.equal(r.stderr, "");
});

test("an error raised in a finally during cancellation is printed", async () => {
  const r = await runOk(
    `
    (println (timeout 10 (fn [] (try (sleep 100) (finally (error "in finally"))))))
    (println (parallel-map (fn [x] (try (sleep 100) (finally (error "item finally")))) [1] :timeout 10))`,
    { clock: "virtual" },
  );
  assert.equal(r.stdout, `{:error "timeout after 10ms"}\n({:error "timeout after 10ms" :input 1})\n`);
  assert.match(
    r.stderr,
    /^error in task 2 \(spawned at test\.lisp:2:14\):\ntest\.lisp:2:59: runtime error: in finally/m,
  );
  assert.match(
    r.stderr,
    /^error in task 3 \(spawned at test\.lisp:3:14\):\ntest\.lisp:3:62: runtime error: item finally/m,
  );
  assert.equal(count(r.stderr, "error in task"), 2);
});

test("failures of spawn-link, worker-pool and stream-map never received are printed once at the end", async () => {
  const r = await runOk(
    `
    (spawn-link (fn [] (error "link boom")))
    (define p (make-worker-pool 1))
    (worker-pool-submit p (fn [] (error "pool boom")))
    (define ch (make-channel 1))
    (channel-send ch 1)
    (channel-close ch)
    (stream-map (fn [x] (error "stream boom")) ch)
    (sleep 50)
    (println "end")`,
    { clock: "virtual" },
  );
  assert.equal(r.stdout, "end\n");
  for (const [what, at] of [
    ["link boom", "test.lisp:2:5"],
    ["pool boom", "test.lisp:3:15"],
    ["stream boom", "test.lisp:8:5"],
  ]) {
    assert.equal(count(r.stderr, what), 2, `${what} printed once (message and source line):\n${r.stderr}`);
    assert.ok(r.stderr.includes(`(spawned at ${at}), sent on a channel and never received:`), r.stderr);
  }
});

test("failures of spawn-link, worker-pool and stream-map that were received are not printed", async () => {
  const r = await runOk(
    `
    (println (channel-recv (spawn-link (fn [] (error "link boom")))))
    (define p (make-worker-pool 1))
    (define reply (worker-pool-submit p (fn [] (error "pool boom"))))
    (sleep 10)
    (println (channel-recv reply))
    (define ch (make-channel 1))
    (channel-send ch 1)
    (channel-close ch)
    (println (channel->list (stream-map (fn [x] (error "stream boom")) ch)))`,
    { clock: "virtual" },
  );
  assert.equal(r.stdout, `{:error "link boom"}\n{:error "pool boom"}\n({:error "stream boom" :input 1})\n`);
  assert.equal(r.stderr, "");
});
