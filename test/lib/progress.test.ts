// The progress bar of :progress #t (issue 11 §3): failures, rate and time left, drawn in place at
// most every 100 ms; on a terminal only; coloured unless NO_COLOR, with FORCE_COLOR deciding when
// set. Before, it showed only a count (n/total). Timed with the virtual clock: exact figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { colourWanted } from "../../src/lib/progress.js";
import { fakeHost, runOk } from "../helpers.js";

const ESC = "\x1b[";
/** 10 items, 2 at a time, each 100 ms; item 3 fails: pairs finish at 100, 200, ... 500 ms. */
const PROGRAM = `(parallel-map (fn [x] (sleep 100) (if (= x 3) (error "bad") x)) (range 10) :max-threads 2 :progress #t)`;

async function barOf(env: NodeJS.ProcessEnv, isTTY = true): Promise<string> {
  const host = Object.assign(fakeHost(), { stderrIsTTY: isTTY, env });
  await runOk(PROGRAM, { host, clock: "virtual" });
  return host.err;
}

/** The drawings of the bar without colours: each \\r starts one. */
function drawings(err: string): string[] {
  const plain = err.replace(/\x1b\[[0-9;]*m/g, "");
  return plain
    .split("\r")
    .filter(Boolean)
    .map((d) => d.replace("\x1b[K", ""));
}

test("the bar shows the count, the failures, the rate and the time left, and the total time at the end", async () => {
  const d = drawings(await barOf({ NO_COLOR: "1" }));
  // drawn at most once per 100 ms of the clock (at the first of each two items that finish
  // together), and always at the end
  assert.deepEqual(d, [
    "parallel-map [##..................] 1/10  10.0/s  ETA 900 ms",
    "parallel-map [######..............] 3/10  15.0/s  ETA 467 ms",
    "parallel-map [##########..........] 5/10  1 failed  16.7/s  ETA 300 ms",
    "parallel-map [##############......] 7/10  1 failed  17.5/s  ETA 171 ms",
    "parallel-map [##################..] 9/10  1 failed  18.0/s  ETA 56 ms",
    "parallel-map [####################] 10/10  1 failed  20.0/s  in 500 ms\n",
  ]);
});

test("colours on a terminal; none with NO_COLOR; FORCE_COLOR decides when it is set", async () => {
  const coloured = await barOf({});
  assert.ok(coloured.includes(`${ESC}31m1 failed${ESC}0m`), JSON.stringify(coloured));
  assert.ok(coloured.includes(`${ESC}32m##${ESC}0m`), "green before the first failure");
  assert.ok(!(await barOf({ NO_COLOR: "1" })).includes(`${ESC}3`), "NO_COLOR");
  assert.ok(!(await barOf({ FORCE_COLOR: "0" })).includes(`${ESC}3`), "FORCE_COLOR=0");
  assert.ok((await barOf({ NO_COLOR: "1", FORCE_COLOR: "1" })).includes(`${ESC}31m`), "FORCE_COLOR wins");
  assert.equal(colourWanted({}, false), false, "not a terminal");
  assert.equal(colourWanted({ TERM: "dumb" }, true), false);
  assert.equal(colourWanted({ NO_COLOR: "" }, true), true, "an empty NO_COLOR does not count");
});

test("no bar at all when stderr is not a terminal, colour forced or not", async () => {
  assert.equal(await barOf({ FORCE_COLOR: "1" }, false), "");
});
