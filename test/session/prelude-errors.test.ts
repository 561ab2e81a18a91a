// An error raised inside a prelude function (map, filter, reduce...) called in tail position
// still names the user's call: the caller's activation is gone, so the machine records the call
// (Machine.userCall). Deadlock reports name the user's call too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../helpers.js";

const calls: [string, string][] = [
  ["(map car xs)", "car: expected a list, got 1"],
  ["(filter car xs)", "car: expected a list, got 1"],
  ["(for-each car xs)", "car: expected a list, got 1"],
  ["(reduce + 0 5)", "reduce: expected a collection as the second argument, as in (reduce f xs init), got 0"],
  ["(update {:a 1} :a car)", "car: expected a list, got 1"],
  ["(channel->list xs)", "channel->list: expected a channel, got [1 2]"],
  ["(load 5)", "load: expected a string, got 5"],
  ["(sort xs car)", "car: expected 1 argument, got 2"],
  ["(sort-by car xs)", "car: expected a list, got 1"],
  ["(atom-swap! (atom 1) car)", "car: expected a list, got 1"],
];

for (const [call, message] of calls) {
  test(`an error inside ${call} in tail position shows the user's call`, async () => {
    const r = await runProgram(`(define xs [1 2])\n(define (f)\n  ${call})\n(define (g) (f))\n(g)\n`);
    assert.equal(r.outcome.status, "failed");
    const rendered = r.rendered as string;
    assert.ok(rendered.startsWith(`test.lisp:3:3: runtime error: ${message}\n   3 |   ${call})\n`), rendered);
    assert.match(rendered, /^ {2}at f \(test\.lisp:3:3\)$/m);
  });
}

test("an error inside map in a spawned task's tail position names the task's line", async () => {
  const r = await runProgram(`(spawn (fn [] (map car [1 2])))\n(sleep 1)\n`, { clock: "virtual" });
  assert.match(
    r.stderr,
    /^error in task 2 \(spawned at test\.lisp:1:1\):\ntest\.lisp:1:15: runtime error: car: expected a list, got 1$/m,
  );
});

test("a deadlock inside channel->list names the user's call", async () => {
  const direct = await runProgram(`(define c (make-channel))\n(println (channel->list c))\n`);
  assert.equal(
    direct.outcome.error?.message,
    "deadlock: main task waits on channel->list at test.lisp:2:10; no other task can run",
  );
  const tail = await runProgram(`(define c (make-channel))\n(define (f) (channel->list c))\n(f)\n`);
  assert.equal(
    tail.outcome.error?.message,
    "deadlock: main task waits on channel->list at test.lisp:2:13; no other task can run",
  );
});
