// What -e prints as the final value never overflows the host stack (issue 9, "nothing crashes
// the host"): a value nested 1,000,000 deep prints cut at SHOW_DEPTH levels, an atom holding
// itself prints finitely (its inner self as #<atom ...>).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../helpers.js";
import { SHOW_DEPTH } from "../../src/syntax/show.js";

const skein = join(projectRoot(), "bin", "skein");
const run = (...args: string[]) =>
  spawnSync(process.execPath, [skein, ...args], { encoding: "utf8", maxBuffer: 1 << 26, timeout: 60_000 });

test("-e prints a value nested 1,000,000 deep cut at SHOW_DEPTH levels, with status 0", () => {
  const r = run("-e", "(define (nest n acc) (if (= n 0) acc (nest (- n 1) (list acc)))) (nest 1000000 1)");
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "(".repeat(SHOW_DEPTH) + "..." + ")".repeat(SHOW_DEPTH) + "\n");
});

test("-e prints a shallow value whole", () => {
  const r = run("-e", "(define (nest n acc) (if (= n 0) acc (nest (- n 1) (list acc)))) (nest 3 [1 {:a (atom 2)}])");
  assert.equal(r.stdout, "((([1 {:a #<atom 2>}])))\n");
  assert.equal(r.status, 0);
});

test("-e prints an atom that holds itself finitely", () => {
  const r = run("-e", "(define a (atom nil)) (atom-reset! a a) a");
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "#<atom #<atom ...>>\n");
});
