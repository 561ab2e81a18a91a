// Regression (issue 9 §4.2): output of sh and run that was not UTF-8 became U+FFFD without a
// word. It is now an error value that says so and keeps the exit status; real text, including
// a multi-byte character split between two reads, is unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { stdoutOf } from "../helpers.js";

test("output that is not UTF-8 is an error value keeping the exit status", async () => {
  const out = await stdoutOf(`(define r (sh "printf 'caf\\\\351'; exit 3"))
(prn (error? r) (:code r) (:exit r))
(prn (:err (run ["sh" "-c" "printf 'caf\\\\351' >&2"])))`);
  assert.equal(out.split("\n")[0], `#t "EILSEQ" 3`);
  assert.match(out.split("\n")[1], /^nil$/); // (:err error-value) is nil: run gave an error value
});

test("UTF-8 split across reads arrives whole", async () => {
  // 70,000 times "é" (two bytes each) crosses several pipe reads at odd offsets
  const out =
    await stdoutOf(`(define r (sh "i=0; while [ $i -lt 700 ]; do printf '%0100d' 0 | tr 0 '\\\\303' | sed 's/\\\\xc3/\\\\xc3\\\\xa9/g'; i=$((i+1)); done"))
(prn (error? r) (string-length (:out r)))`);
  assert.equal(out, "#f 70000\n");
});
