// The test helpers themselves: a program that does not finish fails the test with everything
// needed to see why, whatever the way it ended.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertFinished, runOk, runProgram } from "./helpers.js";

/** The message assertFinished fails with for the program. */
async function failureOf(source: string): Promise<string> {
  const r = await runProgram(source, { file: "broken.lisp" });
  try {
    assertFinished(r);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`assertFinished accepted a program that ended ${r.outcome.status}`);
}

test("assertFinished fails with the rendered error (message, position, source line, stack) and stderr", async () => {
  const msg = await failureOf(`(eprintln "to stderr")\n(define (f x)\n  (car x))\n(f 5)\n`);
  assert.match(msg, /^the program did not finish: failed, exit code 1\n/);
  assert.match(msg, /broken\.lisp:3:3: runtime error: car: expected a list, got 5/);
  assert.match(msg, /\(car x\)/, "the source line");
  assert.match(msg, /call stack \(innermost first\):\n  at f \(broken\.lisp:3:3\)/, "the call stack");
  assert.match(msg, /\nstderr:\nto stderr\n/);
});

test("assertFinished fails on a deadlock with its report, and on (exit n) with the code", async () => {
  assert.match(
    await failureOf(`(channel-recv (make-channel))`),
    /^the program did not finish: deadlock, exit code 1\n.*deadlock: main task waits on channel-recv at broken\.lisp:1:1/s,
  );
  assert.match(
    await failureOf(`(exit 3)`),
    /^the program did not finish: exit, exit code 3\n\(no error: the program called \(exit 3\)\)\nstderr:\n$/,
  );
});

test("runOk returns the finished program's value, stdout and stderr", async () => {
  const r = await runOk(`(println "out") (eprintln "err") (+ 1 2)`);
  assert.deepEqual([r.value, r.stdout, r.stderr], [3, "out\n", "err\n"]);
});
