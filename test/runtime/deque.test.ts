// The run queue and every channel queue are Deques: a ring buffer with O(1) push and shift.
// These tests check FIFO order across wrap-around and growth, against a plain array model.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Deque } from "../../src/runtime/deque.js";

const SEED = 7_041_2024;

test("an empty deque has length 0 and shift/peek answer undefined", () => {
  const d = new Deque<number>();
  assert.equal(d.length, 0);
  assert.equal(d.shift(), undefined);
  assert.equal(d.peek(), undefined);
  assert.deepEqual([...d], []);
});

test("a deque keeps FIFO order for 100,000 items pushed then shifted", () => {
  const d = new Deque<number>();
  const n = 100_000;
  for (let i = 0; i < n; i++) d.push(i);
  assert.equal(d.length, n);
  assert.equal(d.peek(), 0);
  for (let i = 0; i < n; i++) {
    const x = d.shift();
    if (x !== i) assert.fail(`shift #${i} returned ${x}`);
  }
  assert.equal(d.length, 0);
  assert.equal(d.shift(), undefined);
});

test("a deque grows correctly when the ring has wrapped around (head in the middle)", () => {
  // capacity 4: fill, drain part, refill so the live items straddle the end of the buffer, then force growth
  const d = new Deque<number>(4);
  let nextIn = 0,
    nextOut = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 3 + round; i++) d.push(nextIn++);
    for (let i = 0; i < 2 + round; i++) assert.equal(d.shift(), nextOut++);
    assert.equal(d.length, nextIn - nextOut);
    assert.deepEqual(
      [...d],
      Array.from({ length: nextIn - nextOut }, (_x, i) => nextOut + i),
    );
  }
  while (d.length) assert.equal(d.shift(), nextOut++);
  assert.equal(nextOut, nextIn);
});

test("a deque interleaving 100,000 pushes and shifts stays FIFO with a small live window", () => {
  const d = new Deque<number>(2);
  let nextIn = 0,
    nextOut = 0;
  for (let i = 0; i < 100_000; i++) {
    d.push(nextIn++);
    if (i % 3 !== 0) assert.equal(d.shift(), nextOut++);
  }
  assert.equal(d.length, nextIn - nextOut);
  for (const x of d) assert.equal(x, nextOut++);
});

test("a deque created with capacity 0 or 1 still works (minimum ring size)", () => {
  for (const cap of [0, 1]) {
    const d = new Deque<string>(cap);
    for (const s of ["a", "b", "c", "d", "e"]) d.push(s);
    assert.deepEqual([...d], ["a", "b", "c", "d", "e"]);
    assert.equal(d.shift(), "a");
    assert.equal(d.peek(), "b");
    assert.equal(d.length, 4);
  }
});

test("a deque holds falsy values (0, false, null, empty string) without losing them", () => {
  const d = new Deque<unknown>();
  const items = [0, false, null, "", Number.NaN];
  for (const x of items) d.push(x);
  assert.equal(d.length, items.length);
  for (const x of items) assert.deepEqual(d.shift(), x);
  assert.equal(d.length, 0);
});

test("a deque matches an array model over random push/shift/peek sequences", () => {
  type Op = { kind: "push"; n: number } | { kind: "shift"; n: number } | { kind: "peek" } | { kind: "iterate" };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("push" as const), n: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant("shift" as const), n: fc.integer({ min: 1, max: 40 }) }),
    fc.constant({ kind: "peek" as const }),
    fc.constant({ kind: "iterate" as const }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 9 }), fc.array(op, { maxLength: 200 }), (cap, ops) => {
      const d = new Deque<number>(cap);
      const model: number[] = [];
      let next = 0;
      for (const o of ops) {
        switch (o.kind) {
          case "push":
            for (let i = 0; i < o.n; i++) {
              d.push(next);
              model.push(next);
              next++;
            }
            break;
          case "shift":
            for (let i = 0; i < o.n; i++) assert.equal(d.shift(), model.shift());
            break;
          case "peek":
            assert.equal(d.peek(), model[0]);
            break;
          case "iterate":
            assert.deepEqual([...d], model);
            break;
        }
        assert.equal(d.length, model.length);
      }
      assert.deepEqual([...d], model);
    }),
    { seed: SEED, numRuns: 300 },
  );
});
