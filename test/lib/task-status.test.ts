// task-status after task-cancel: a cancelled task says :cancelled at once, not :running until the
// scheduler next runs it (which read as "the cancel failed").
import { test } from "node:test";
import assert from "node:assert/strict";
import { write } from "../../src/syntax/printer.js";
import { runOk } from "../helpers.js";

const VIRTUAL = { clock: "virtual" } as const;

test("task-status is :cancelled right after task-cancel of a blocked, sleeping or runnable task", async () => {
  const r = await runOk(
    `(define c (make-channel))
(define blocked (spawn (lambda () (channel-recv c))))
(define sleeping (spawn (lambda () (sleep 10000))))
(define busy (spawn (lambda () (let loop ((i 0)) (loop (+ i 1))))))
(sleep 1)
(define before (map task-status [blocked sleeping busy]))
(define cancelled (map task-cancel [blocked sleeping busy]))
(list before cancelled (map task-status [blocked sleeping busy]))`,
    VIRTUAL,
  );
  assert.equal(write(r.value), "((:blocked :blocked :running) (#t #t #t) (:cancelled :cancelled :cancelled))");
});

test("a cancelled task still running its finally block says :cancelled; a finished task keeps its status", async () => {
  const r = await runOk(
    `(define log (atom []))
(define t (spawn (lambda () (try (sleep 10000) (finally (sleep 50) (atom-swap! log conj :cleaned))))))
(define done (spawn (lambda () 1)))
(sleep 1)
(list (task-cancel t) (task-status t) @log (task-cancel done) (task-status done)
      (begin (sleep 100) (task-status t)) @log)`,
    VIRTUAL,
  );
  assert.equal(write(r.value), "(#t :cancelled [] #f :done :cancelled [:cleaned])");
});
