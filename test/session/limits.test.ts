// The program runner takes any number of top-level forms (issue 9: 130,000 forms overflowed the
// host stack when they were compiled as one expression).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runOk } from "../helpers.js";

test("a program of 140,000 top-level forms runs, each form after the one before", async () => {
  const forms = Array.from({ length: 140_000 }, (_, i) => (i % 1000 === 0 ? `(define n ${i})` : String(i)));
  const r = await runOk(forms.join("\n") + "\n(println n)\n(+ n 1)", { deadlineMs: 300_000 });
  assert.equal(r.stdout, "139000\n");
  assert.equal(r.value, 139001);
});

test("a program of no forms finishes with nil", async () => {
  const r = await runOk("; nothing but a comment\n");
  assert.equal(r.value, null);
});
