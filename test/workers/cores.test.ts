// :cores: parallel-map and friends on worker threads (src/workers). Each test runs a real program
// in a session whose host has a pool of worker threads; no test asserts speed.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { write } from "../../src/syntax/printer.js";
import { ErrorValue, Keyword, listToArray, type List } from "../../src/core/types.js";
import { Sandbox } from "../../src/sandbox/sandbox.js";
import { Pool, coresAskedIn } from "../../src/workers/pool.js";
import { Session } from "../../src/session/session.js";
import { fakeHost, projectRoot, runOk, runProgram, type FakeHost } from "../helpers.js";

const pool = new Pool();
after(() => pool.close());

function coresHost(p: Pool = pool): FakeHost {
  const h = fakeHost();
  h.cores = p;
  return h;
}

const kw = Keyword.of;
const items = (v: unknown) => listToArray(v as List);

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

test("results keep input order; the function crosses with its globals, macros, captured values and local helpers", async () => {
  const r = await runOk(
    `
(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(define offset 1000)
(define table {:a [1 2] :b "x"})
(defmacro twice (e) (list '+ e e))
(define (score x) (+ offset (twice (fib x))))
(define (run base)
  (define (helper n) (if (= n 0) 0 (+ 1 (helper (- n 1)))))
  (parallel-map (fn [x] (sleep (* 10 (- 6 x))) (list (score x) (helper x) base (get table :b) 'sym))
                (range 6) :cores 2))
(run [:k 2.5])`,
    { host: coresHost() },
  );
  const expected = [0, 1, 2, 3, 4, 5].map((x) => {
    const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
    return `(${1000 + 2 * fib(x)} ${x} [:k 2.5] "x" sym)`;
  });
  assert.equal(write(r.value), `(${expected.join(" ")})`);
  assert.ok(pool.started >= 1, "no worker thread ran the items");
});

test("a thread keeps the calling session's functions warm between calls, and each call sees the globals as they are then", async () => {
  const r = await runOk(
    `(define k 1)
(define (add x) (+ x k))
(define a (parallel-map add [1] :cores 1))
(set! k 10)
(list a (parallel-map add [1] :cores 1) (parallel-map (fn [x] (map add (list x))) [5] :cores 1))`,
    { host: coresHost() },
  );
  assert.equal(write(r.value), "((2) (11) ((15)))");
});

test("a library name the script redefined crosses as the script's; an item or result that is not data fails alone", async () => {
  const r = await runOk(
    `(define (reverse xs) "the script's reverse")
(list (parallel-map (fn [x] (reverse (list x))) [1] :cores 1)
      (parallel-map (fn [x] (if (= x 1) (atom x) x)) [1 2] :cores 2)
      (parallel-map (fn [x] x) (list 1 (atom 2)) :cores 2))`,
    { host: coresHost() },
  );
  const [mine, results, inputs] = items(r.value).map(items);
  assert.deepEqual(mine, ["the script's reverse"]);
  assert.ok(results[0] instanceof ErrorValue, write(results[0]));
  assert.match(results[0].message, /^the result cannot cross back from another core: it holds/);
  assert.equal(results[1], 2);
  assert.equal(inputs[0], 1);
  assert.ok(inputs[1] instanceof ErrorValue, write(inputs[1]));
  assert.equal(inputs[1].message, "parallel-map: an item cannot be sent to another core: it holds an atom");
});

test("values nested deeper than the wire allows fail as error values or a refusal, never a crash", async () => {
  const deep = `(define (deep n) (let loop ((i 0) (acc '())) (if (= i n) acc (loop (+ i 1) (list acc)))))`;
  const r = await runOk(
    `${deep}
(list (parallel-map (fn [x] (deep x)) [10 100000] :cores 2)
      (parallel-map (fn [x] 1) (list 1 (deep 100000)) :cores 2))`,
    { host: coresHost() },
  );
  const tooDeep = "a value nested more than 2000 levels deep cannot cross to another core";
  const [results, inputs] = items(r.value).map(items);
  // (the error values hold the deep items under :input: not printed here)
  assert.equal(results[1] instanceof ErrorValue && results[1].message, tooDeep);
  assert.equal(inputs[1] instanceof ErrorValue && inputs[1].message, tooDeep);
  assert.equal(inputs[0], 1);
  const captured = await runProgram(
    `${deep}\n(define d (deep 100000))\n(parallel-map (fn [x] (length d)) [1] :cores 2)`,
    {
      host: coresHost(),
    },
  );
  assert.equal(captured.outcome.error?.message, `parallel-map: cannot send d to another core: ${tooDeep}`);
});

test("parallel-filter, parallel-for-each and stream-map take :cores too", async () => {
  const r = await runOk(
    `
(define seen (parallel-for-each (fn [x] (println "item" x)) [1 2] :cores 2))
(define in (make-channel 10))
(for-each (fn [x] (channel-send in x)) (range 5))
(channel-close in)
(list (parallel-filter odd? (range 10) :cores :all)
      seen
      (channel->list (stream-map (fn [x] (* x 10)) in :ordered #t :cores 2)))`,
    { host: coresHost() },
  );
  assert.equal(write(r.value), "((1 3 5 7 9) nil (0 10 20 30 40))");
  // an item's output reaches the caller's stdout
  assert.deepEqual(r.stdout.split("\n").filter(Boolean).sort(), ["item 1", "item 2"]);
});

test("set-max-cores! caps :cores :all and :cores n; without worker threads :cores runs the items here", async () => {
  const fresh = new Pool();
  try {
    const r = await runOk(
      `(set-max-cores! 1)
(list (parallel-map inc [1 2 3] :cores :all) (parallel-map inc [1 2 3] :cores 8))`,
      { host: coresHost(fresh) },
    );
    assert.equal(write(r.value), "((2 3 4) (2 3 4))");
    assert.equal(fresh.started, 1);
  } finally {
    await fresh.close();
  }
  const here = await runOk(`(parallel-map (fn [x] (* x x)) [1 2 3] :cores 2)`);
  assert.equal(write(here.value), "(1 4 9)");
  const bad = await runProgram(`(parallel-map inc [1] :cores 0)`);
  assert.equal(bad.outcome.error?.message, "parallel-map: :cores must be a positive integer or :all, got 0");
});

test("a failed item is an error value with :input, its message and data kept", async () => {
  const r = await runOk(`(parallel-map (fn [x] (if (= x 2) (error "bad item" {:code 7}) (* x 10))) [1 2 3] :cores 2)`, {
    host: coresHost(),
  });
  const [a, b, c] = items(r.value);
  assert.equal(a, 10);
  assert.equal(c, 30);
  assert.ok(b instanceof ErrorValue, `expected an error value, got ${write(b)}`);
  assert.equal(b.message, "bad item");
  assert.equal(b.data.get(kw("input")), 2);
  assert.equal(b.data.get(kw("code")), 7);
});

test("items that wait on what nothing on their core can wake fail as a deadlock instead of hanging", async () => {
  const r = await runOk(`(parallel-map (fn [x] (if (= x 1) (channel-recv (make-channel)) x)) [1 2] :cores 2)`, {
    host: coresHost(),
  });
  const [stuck, two] = items(r.value);
  assert.ok(stuck instanceof ErrorValue, write(stuck));
  assert.match(
    stuck.message,
    /^deadlock: the item waits on channel-recv at test\.lisp:1:35, and nothing on its core can wake it$/,
  );
  assert.equal(stuck.data.get(kw("input")), 1);
  assert.equal(two, 2);
});

test(":retries tries a failed item again on the threads; :max-threads bounds the items in flight over all of them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "skein-cores-"));
  try {
    const r = await runOk(
      `(define dir ${JSON.stringify(dir)})
(define (attempt x) (append-file (str dir "/" x) "a") (if (= x 1) (error "always") x))
(list (parallel-map attempt [1 2] :cores 2 :retries 2)
      (length (read-file (str dir "/1")))
      (length (read-file (str dir "/2"))))`,
      { host: coresHost() },
    );
    const [results, tries1, tries2] = items(r.value);
    const [failed, two] = items(results);
    assert.ok(failed instanceof ErrorValue && failed.message === "always", write(failed));
    assert.equal(failed.data.get(kw("input")), 1);
    assert.deepEqual([two, tries1, tries2], [2, 3, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const fresh = new Pool();
  try {
    let peak = 0;
    const watch = setInterval(() => {
      peak = Math.max(peak, fresh.inFlight);
    }, 5);
    const b = await runOk(`(parallel-map (fn [x] (sleep 100) x) (range 8) :cores 2 :max-threads 3)`, {
      host: coresHost(fresh),
    });
    clearInterval(watch);
    assert.equal(write(b.value), "(0 1 2 3 4 5 6 7)");
    assert.ok(peak >= 1 && peak <= 3, `${peak} items were on the threads at once`);
  } finally {
    await fresh.close();
  }
});

test("a captured atom is refused before any work starts, naming the variable and where it was captured", async () => {
  const fresh = new Pool();
  try {
    const r = await runProgram(
      `(define (count-all xs)
  (let ((counter (atom 0)))
    (parallel-map (fn [x] (atom-swap! counter inc) x) xs :cores 2)))
(count-all [1 2 3])`,
      { host: coresHost(fresh) },
    );
    assert.equal(r.outcome.status, "failed");
    const msg = r.outcome.error?.message ?? "";
    assert.match(
      msg,
      /^parallel-map: cannot send counter to another core: it is an atom, captured by the function at test\.lisp:3:19;/,
    );
    assert.match(msg, /return values from the function and combine them/);
    assert.equal(fresh.started, 0, "a worker thread was started for a call that cannot run");
    // refused whatever the items: a script is not right only while its input is empty
    const empty = await runProgram(`(let ((counter (atom 0))) (parallel-map (fn [x] @counter) [] :cores 2))`, {
      host: coresHost(fresh),
    });
    assert.match(empty.outcome.error?.message ?? "", /cannot send counter to another core: it is an atom/);
    // through a global the function reaches, the same
    const g = await runProgram(
      `(define hits (atom 0))
(define (visit x) (atom-swap! hits inc))
(parallel-map (fn [x] (visit x)) [1] :cores 2)`,
      { host: coresHost(fresh) },
    );
    assert.match(
      g.outcome.error?.message ?? "",
      /cannot send hits to another core: it is an atom, the global hits, used by visit at test\.lisp:2:1/,
    );
    const ch = await runProgram(
      `(let ((out (make-channel 5))) (parallel-map (fn [x] (channel-send out x)) [1] :cores 2))`,
      {
        host: coresHost(fresh),
      },
    );
    assert.match(ch.outcome.error?.message ?? "", /cannot send out to another core: it is a channel/);
    assert.equal(fresh.started, 0);
  } finally {
    await fresh.close();
  }
});

test(":timeout stops a CPU-bound item on another core; the other items and the thread go on", async () => {
  const r = await runOk(
    `(define (spin n) (spin (+ n 1)))
(list (parallel-map (fn [x] (if (= x 0) (spin 0) x)) [0 1 2] :cores 2 :timeout 300)
      (parallel-map inc [1 2] :cores 2))`,
    { host: coresHost(), deadlineMs: 30_000 },
  );
  const [first, second] = items(r.value);
  const [t, one, two] = items(first);
  assert.ok(t instanceof ErrorValue);
  assert.equal(t.message, "timeout after 300ms");
  assert.equal(t.data.get(kw("input")), 0);
  assert.deepEqual([one, two], [1, 2]);
  assert.equal(write(second), "(2 3)");
  // the spinning item stopped on its thread (it said so), rather than its thread being killed
  assert.ok(await until(() => pool.inFlight === 0, 5000), `${pool.inFlight} items still on the threads`);
});

test("cancelling the caller cancels the items on every core", async () => {
  const r = await runOk(
    `(define (spin n) (spin (+ n 1)))
(timeout 300 (lambda () (parallel-map (fn [x] (spin x)) [1 2 3 4] :cores 2)))`,
    { host: coresHost(), deadlineMs: 30_000 },
  );
  assert.ok(r.value instanceof ErrorValue && r.value.message === "timeout after 300ms", write(r.value));
  const threads = pool.started;
  assert.ok(await until(() => pool.inFlight === 0, 5000), `${pool.inFlight} items still on the threads`);
  assert.equal(pool.started, threads, "a thread was killed instead of its items being cancelled");
});

test("a worker that dies mid-item fails its items with error values and is replaced", async () => {
  const fresh = new Pool();
  try {
    const host = coresHost(fresh);
    const running = runOk(`(parallel-map (fn [x] (sleep 1500) x) [0 1 2 3] :cores 2)`, { host, deadlineMs: 30_000 });
    assert.ok(await until(() => fresh.inFlight === 4, 10_000), "the items never reached the threads");
    fresh.terminateThread(0, "the worker thread died (killed by the test)");
    const r = await running;
    const out = items(r.value);
    // the least busy thread takes the next item: 0 and 2 went to thread 0
    for (const i of [0, 2]) {
      const e = out[i];
      assert.ok(e instanceof ErrorValue, `item ${i}: ${write(e)}`);
      assert.equal(e.message, "the worker thread died (killed by the test)");
      assert.equal(e.data.get(kw("input")), i);
    }
    assert.deepEqual([out[1], out[3]], [1, 3]);
    const again = await runOk(`(parallel-map inc [1 2 3] :cores 2)`, { host });
    assert.equal(write(again.value), "(2 3 4)");
    assert.equal(fresh.started, 2);
  } finally {
    await fresh.close();
  }
});

test("the sandbox's grants, the default timeout and the memory limit hold in every worker", async () => {
  const host = coresHost();
  host.permissions = Sandbox.create({ read: true }, { cwd: host.cwd });
  const r = await runOk(
    `(parallel-map (fn [x] (list (write-file "cores-denied.txt" "x") (getenv "HOME"))) [1] :cores 2)`,
    { host },
  );
  const [[w, env]] = items(r.value).map(items) as unknown[][];
  assert.ok(w instanceof ErrorValue, write(w));
  assert.match(w.message, /permission denied: write-file .*cores-denied\.txt \(run with --allow-write\)/);
  assert.ok(env instanceof ErrorValue, write(env));
  assert.match(env.message, /permission denied/);
  const slow = await runOk(`(set-default-timeout! 300) (parallel-map (fn [x] (sh "sleep 5")) [1] :cores 2)`, {
    host: coresHost(),
  });
  assert.equal(write(slow.value), '({:error "timeout after 300ms" :op "sh" :input 1})');
  const mem = await runOk(
    `(set-max-memory! 64)
(parallel-map (fn [x] (let grow ((acc '()) (i 0)) (if (< i 100000000) (grow (cons (str "item " i) acc) (+ i 1)) (length acc)))) [1] :cores 2)`,
    { host: coresHost(), deadlineMs: 60_000 },
  );
  const [oom] = items(mem.value);
  assert.ok(oom instanceof ErrorValue, write(oom));
  assert.match(oom.message, /out of memory: the script used more than 64 MB/);
  assert.equal(oom.data.get(kw("input")), 1);
});

test("isolated runs: a program in a fresh session with its own deadline", async () => {
  const ok = await pool.run(`(println "hi") (+ 1 2)`, { cwd: process.cwd(), timeoutMs: 20_000 });
  assert.deepEqual([ok.status, ok.value, ok.stdout], ["done", "3", "hi\n"]);
  const bad = await pool.run(`(car 5)`, { cwd: process.cwd(), timeoutMs: 20_000, file: "job.lisp" });
  assert.equal(bad.status, "failed");
  assert.match(bad.error ?? "", /^job\.lisp:1:1: runtime error: car: expected a list, got 5/);
  const spin = await pool.run(`(define (spin) (spin)) (spin)`, { cwd: process.cwd(), timeoutMs: 300 });
  assert.equal(spin.status, "timeout");
  // its own grants and memory limit
  const denied = await pool.run(`(write-file "isolated.txt" "x")`, {
    cwd: process.cwd(),
    timeoutMs: 20_000,
    sandbox: Sandbox.create({}, { cwd: process.cwd() }),
  });
  assert.match(denied.value ?? "", /permission denied: write-file .*isolated\.txt/);
  const big = await pool.run(`(let grow ((acc '()) (i 0)) (grow (cons (str "item " i) acc) (+ i 1)))`, {
    cwd: process.cwd(),
    timeoutMs: 60_000,
    maxMemoryMb: 64,
  });
  assert.equal(big.status, "failed");
  assert.match(big.error ?? "", /out of memory: the script used more than 64 MB/);
});

test("from the CLI bundle: the worker threads load the bundle itself", () => {
  const out = execFileSync(
    join(projectRoot(), "bin", "skein"),
    ["-e", "(define (sq x) (* x x)) (parallel-map sq (range 5) :cores 2)"],
    { encoding: "utf8" },
  );
  assert.equal(out, "(0 1 4 9 16)\n");
});

// Regression (issue 13, found by the bench): every item was handed out at once, in turn, so with
// :cores 2 the even items all went to one thread and the odd ones to the other; a batch whose odd
// items were the long ones kept one core idle half the time (:cores 2 at 0.72 × :cores 1).
test("a thread holds at most two items at once, so the threads that finish sooner take more", async () => {
  const p = new Pool();
  try {
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, p.inFlight)), 2);
    // twenty-one items, each holding its thread's slot while it sleeps
    const r = await runOk(
      `(prn (parallel-map (fn [ms] (sleep ms) ms) (cons 600 (repeat 20 10)) :cores 2 :max-threads 50))`,
      { host: coresHost(p) },
    );
    clearInterval(watch);
    assert.equal(r.stdout, `(600 ${Array(20).fill(10).join(" ")})\n`);
    assert.ok(most <= 4, `${most} items were on the threads at once`);
    assert.ok(most >= 2, `at most ${most} item was on the threads at once`);
  } finally {
    await p.close();
  }
});

test("a literal :cores in a program says how many threads to start before its first call needs them", async () => {
  const asked = (src: string) => {
    const s = new Session(fakeHost());
    return coresAskedIn(s.read(src, "t.lisp"));
  };
  assert.equal(asked("(parallel-map f xs :cores 2)"), 2);
  assert.equal(asked("(define (g) (let [a (stream-map f ch :cores 3)] (parallel-filter p xs :cores 1)))"), 3);
  assert.equal(asked("(parallel-map f xs :cores :all)"), Infinity);
  // not literal, or not a count: nothing to start ahead
  assert.equal(asked("(parallel-map f xs :cores n)"), 0);
  assert.equal(asked('(parallel-map f xs :cores "2") (list :cores) (parallel-map f xs :cores 0)'), 0);
  assert.equal(asked("(parallel-map f xs)"), 0);

  const p = new Pool();
  try {
    p.warm(Infinity);
    assert.equal(p.started, p.available, "warm keeps to the machine's cores");
    const r = await runOk("(parallel-map inc [1 2 3] :cores 1)", { host: coresHost(p) });
    assert.equal(write(r.value), "(2 3 4)");
    assert.equal(p.started, p.available, "the call used a thread already started");
  } finally {
    await p.close();
  }
});

test(":rate spaces the starts of items on the threads, and :progress draws its bar, as without :cores", async () => {
  // five items at 20 a second start 50 ms apart: 200 ms from the first start to the last at
  // least (a loaded machine only makes the gap longer); (now) is one clock for every thread
  const r = await runOk("(parallel-map (fn [x] (now)) (range 5) :cores 2 :rate 20)", { host: coresHost() });
  const starts = items(r.value) as number[];
  assert.equal(starts.length, 5);
  assert.ok(starts[4] - starts[0] >= 180, `the starts were ${starts[4] - starts[0]} ms apart`);

  const host = Object.assign(coresHost(), { stderrIsTTY: true, env: { NO_COLOR: "1" } });
  const p = await runOk("(parallel-map inc (range 8) :cores 2 :progress #t)", { host });
  assert.equal(write(p.value), "(1 2 3 4 5 6 7 8)");
  assert.match(host.err, /\rparallel-map \[#{20}\] 8\/8 .*in \d+ ms\x1b\[K\n$/);
});
