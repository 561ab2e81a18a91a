// The REPL's table of (tasks) (issue 11 §3): one row per live task, the name column only when a
// task has a name, elapsed time readable; in a script (tasks) stays a list of maps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tasksTable } from "../../src/cli/tasks-table.js";
import { formatDuration } from "../../src/lib/progress.js";
import { read1, runOk } from "../helpers.js";
import { write } from "../../src/syntax/printer.js";

test("elapsed times read as ms, s, min and h", () => {
  assert.equal(formatDuration(950), "950 ms");
  assert.equal(formatDuration(12_345), "12.3 s");
  assert.equal(formatDuration(245_000), "4 min 05 s");
  assert.equal(formatDuration(7_380_000), "2 h 03 min");
});

test("the table of a program's (tasks), with the name column only when a task is named", async () => {
  const r = await runOk(
    `(define c (make-channel))
     (define t (spawn (fn [] (channel-recv c))))
     (sleep 1500)
     (define live (tasks))
     (channel-send c 1)
     live`,
    { clock: "virtual" },
  );
  assert.equal(
    tasksTable(r.value),
    [
      "id  state    waiting on                      spawned at      elapsed",
      " 1  running                                  test.lisp       1.5 s",
      " 2  blocked  channel-recv at test.lisp:2:30  test.lisp:2:16  1.5 s",
    ].join("\n"),
  );
  assert.match(write(r.value), /^\(\{:id 1 :name nil :state :running/, "in a script it is data");
  assert.equal(tasksTable(null), "no live tasks");
  const named = read1(
    '({:id 7 :name "fetcher" :state :blocked :waiting-on nil :spawned-at "a.lisp:1:1" :elapsed-ms 5})',
  );
  assert.equal(
    tasksTable(named),
    "id  name     state    waiting on  spawned at  elapsed\n 7  fetcher  blocked              a.lisp:1:1  5 ms",
  );
});
