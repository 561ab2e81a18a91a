// Issue 11 §4: (:status r) on a failed request's error value quietly gave nil, the commonest
// silent failure. It still gives nil (keywords look up maps and error values alike), but a key
// the error value does not have is reported on stderr, once per call site, naming the error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runOk } from "../helpers.js";

test("a missing key of an error value warns once per call site, naming the error", async () => {
  const r = await runOk(`(define r (make-error "http-get: connection refused"))
(define (status x) (:status x))
(println (status r) (status r))
(println (:body r))`);
  assert.equal(r.stdout, "nil nil\nnil\n");
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 2, r.stderr);
  assert.match(
    lines[0],
    /^warning: test\.lisp:2:20: \(:status \.\.\.\) looked up a key of an error value, which has no :status, and gave nil; the value is the error: http-get: connection refused/,
  );
  assert.match(lines[1], /^warning: test\.lisp:4:10: \(:body \.\.\.\)/);
});

test("keys an error value has, and :error, give their values without a warning", async () => {
  const r = await runOk(`(define e (make-error "not found" {:status 404}))
(println (:status e) (:error e) (:status {:status 200}))`);
  assert.equal(r.stdout, "404 not found 200\n");
  assert.equal(r.stderr, "");
});
