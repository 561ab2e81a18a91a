// Issue 11 §3, the REPL a user expects, tried through a pseudo-terminal (tmux) as a user types:
// Ctrl-C cancels the running entry and keeps the session (before, the first Ctrl-C made the REPL
// ignore its input and the second killed it), clears the line or abandons a `...>` form at the
// prompt; Ctrl-D quits; background tasks run and print while the REPL waits (before, they stopped
// until the next entry), and their errors show the spawn's own entry; Tab completion; (doc if);
// *e; "did you mean"; a multi-line entry recalled as one; (doc ...) wrapped to the terminal;
// (tasks) as a table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pty, noTmux } from "./pty.js";
import { oneLine } from "../../src/cli/repl.js";

/** Runs body with a fresh REPL in a pseudo-terminal, closed at the end. */
function repl(name: string, body: (p: Pty) => Promise<void>, opts?: ConstructorParameters<typeof Pty>[0]) {
  test(name, { skip: noTmux, timeout: 120_000 }, async () => {
    const p = new Pty(opts);
    try {
      await p.waitFor(/skein>/, "the first prompt");
      await body(p);
    } finally {
      p.close();
    }
  });
}

repl("Ctrl-C cancels the running entry, runs its finally blocks, and keeps the session's state", async (p) => {
  assert.equal(await p.enter("(define kept 42)"), "");
  p.type('(try (println "spinning") (let loop [i 0] (loop (+ i 1))) (finally (println "cleanup ran")))');
  p.press("Enter");
  await p.waitFor(/spinning/);
  p.press("C-c");
  const s = await p.prompt("cleanup ran");
  assert.match(s, /spinning\ncleanup ran\ncancelled\nskein>/);
  assert.equal(await p.enter("kept"), "42");
  // a blocked entry is cancelled as well
  p.type("(sleep 600000)");
  p.press("Enter");
  await p.waitFor(/skein> \(sleep 600000\)$/);
  p.press("C-c");
  await p.prompt("(sleep 600000)");
  assert.equal(await p.enter("(+ kept 1)"), "43");
});

repl("at the prompt Ctrl-C clears the line, or abandons an unfinished form", async (p) => {
  p.type("(+ 1 2");
  p.press("Enter");
  await p.waitFor(/\.\.\.>\s*$/, "the continuation prompt");
  p.press("C-c");
  await p.waitFor(/\.\.\.> \^C\nskein>\s*$/, "a fresh prompt");
  // the abandoned (+ 1 2 is not part of what follows
  assert.equal(await p.enter("(+ 10 1)"), "11");
  p.type("(car 5");
  p.press("C-c");
  await p.waitFor(/skein> \(car 5\^C\nskein>\s*$/, "the line cleared");
  assert.equal(await p.enter("(+ 2 2)"), "4");
  p.press("C-c");
  await p.waitFor(/Ctrl-D on an empty line or \(exit\) quits\)\nskein>\s*$/, "the hint to quit");
});

repl("Ctrl-D on an empty line quits with status 0", async (p) => {
  p.press("C-d");
  await p.waitFor(/\[exited 0\]/);
});

repl("(exit 3) in the REPL ends it with status 3", async (p) => {
  p.type("(exit 3)");
  p.press("Enter");
  await p.waitFor(/\[exited 3\]/);
});

repl(
  "a background task runs and prints while the REPL waits; the prompt and the typed text are drawn again",
  async (p) => {
    await p.enter('(define (ticker) (let loop [i 0] (when (< i 3) (sleep 300) (println "tick" i) (loop (+ i 1)))))');
    await p.enter("(define t (spawn ticker))");
    p.type("(+ 40 2"); // typed but not entered: the REPL is waiting for input
    const s = await p.waitFor(/tick 2\n/);
    assert.match(s, /tick 0\ntick 1\ntick 2\nskein> \(\+ 40 2$/);
    p.type(")");
    p.press("Enter");
    await p.waitFor(/skein> \(\+ 40 2\)\n42\nskein>\s*$/);
  },
);

repl("a background task's error shows the entry that spawned it, not the current one", async (p) => {
  await p.enter("(define (boom) (sleep 500) (car 5))");
  await p.enter("(define t (spawn boom))");
  await p.enter("(+ 1 1)");
  const s = await p.waitFor(/call stack/);
  const report = s.slice(s.indexOf("error in task"));
  assert.match(
    report,
    /^error in task \d+ \(spawned at <repl-2>:1:11\):\n<repl-1>:1:28: runtime error: car: expected a list/,
  );
  assert.match(report, /\n {3}1 \| \(define \(boom\) \(sleep 500\) \(car 5\)\)\n/);
  assert.doesNotMatch(report, /\(\+ 1 1\)/);
});

repl("Tab completes builtins, special forms and the user's names", async (p) => {
  await p.enter("(define my-unusual-name 7)");
  p.type("(string-up");
  p.press("Tab");
  await p.waitFor(/skein> \(string-upcase$/);
  p.type(' "a") my-unu');
  p.press("Tab");
  await p.waitFor(/skein> \(string-upcase "a"\) my-unusual-name$/);
  p.press("C-u");
  p.type("(letr");
  p.press("Tab");
  p.press("Tab");
  await p.waitFor(/letrec\s+letrec\*/, "the special forms listed");
});

repl(
  "(doc if), (doc defn) and (doc let) document special forms, wrapped to the terminal's width",
  async (p) => {
    const doc = await p.enter("(doc if)");
    assert.match(doc, /^\(if test then \[else\]\)\n {2}then when test is true/);
    assert.match(
      await p.enter("(doc defn)"),
      /^\(defn name \[doc\] \[params\.\.\.\] body\.\.\.\)\n {2}Defines a function/,
    );
    const let_ = await p.enter("(doc let)");
    const prose = let_.split("\n").slice(1);
    assert.ok(prose.length > 3, let_);
    for (const line of prose) {
      assert.ok(line.length < 50, `wider than the terminal: ${JSON.stringify(line)}`);
      assert.match(line, /^ {2}\S/);
    }
    // wrapped only between words: joining the lines gives the doc string back
    assert.match(
      prose.map((l) => l.trim()).join(" "),
      /^Local variables\. With a list of pairs every value is evaluated before any name is bound;/,
    );
  },
  { width: 50 },
);

repl("*e holds the last error, and an unknown name gets a did-you-mean", async (p) => {
  assert.match(await p.enter("(car 5)"), /runtime error: car: expected a list, got 5/);
  assert.equal(await p.enter("(error-msg *e)"), '"car: expected a list, got 5"');
  assert.match(await p.enter("(lenght '(1 2))"), /undefined variable: lenght \(did you mean length\?\)/);
  assert.equal(await p.enter("(error-msg *e)"), '"undefined variable: lenght (did you mean length?)"');
});

repl("a multi-line entry comes back from the history as one entry, saved as one line for the next REPL", async (p) => {
  p.type("(+ 1 ; one");
  p.press("Enter");
  p.type('(string-length "a');
  p.press("Enter");
  p.type('b"))');
  p.press("Enter");
  await p.prompt('b"))');
  p.press("Up");
  await p.waitFor(/skein> \(\+ 1 \(string-length "a\\nb"\)\)$/, "the entry on one line");
  p.press("Enter");
  await p.waitFor(/\n4\nskein>\s*$/);
  assert.equal(readFileSync(join(p.home, ".skein_history"), "utf8"), '(+ 1 (string-length "a\\nb"))\n');
  // the next REPL with this HOME starts with it
  const next = new Pty({ home: p.home });
  try {
    await next.waitFor(/skein>/, "the first prompt");
    next.press("Up");
    await next.waitFor(/skein> \(\+ 1 \(string-length "a\\nb"\)\)$/, "the saved entry");
  } finally {
    next.close();
  }
});

repl("a progress bar is drawn on the terminal with failures, rate and total time, in colour", async (p) => {
  const out = await p.enter('(parallel-map (fn [x] (sleep 20) (if (= x 2) (error "bad") x)) (range 5) :progress #t)');
  assert.match(
    out,
    /^parallel-map \[#{20}\] 5\/5 {2}1 failed {2}[\d.]+\/s {2}in [\d.]+ m?s\n\(0 1 \{:error "bad" :input 2\} 3 4\)$/,
  );
  assert.match(p.screen(true), /\x1b\[31m1 failed/);
});

repl(
  "NO_COLOR: the progress bar without colours",
  async (p) => {
    await p.enter('(parallel-map (fn [x] (error "bad")) (range 3) :progress #t)');
    assert.match(p.screen(), /3\/3 {2}3 failed/);
    assert.doesNotMatch(p.screen(true), /\x1b\[3\dm/);
  },
  { env: { NO_COLOR: "1" } },
);

repl("(tasks) in the REPL is a table of the live tasks", async (p) => {
  await p.enter("(define c (make-channel))");
  await p.enter("(define t (spawn (fn [] (channel-recv c))))");
  const table = await p.enter("(tasks)");
  const [head, ...rows] = table.split("\n");
  assert.match(head, /^id\s+state\s+waiting on\s+spawned at\s+elapsed$/);
  const row = rows.find((r) => r.includes("blocked"));
  assert.match(row ?? "", /^\s*\d+\s+blocked\s+channel-recv at <repl-2>:1:25\s+<repl-2>:1:11\s+\d+ ms$/, table);
  // anywhere else it is data
  assert.equal(await p.enter("(:state (first (filter :waiting-on (tasks))))"), ":blocked");
});

test("oneLine keeps a multi-line entry's meaning on one line", () => {
  assert.equal(oneLine("(define (f x)\n  (+ x 1))"), "(define (f x) (+ x 1))");
  assert.equal(oneLine('(println "a\n  b" ; a comment\n 2)'), '(println "a\\n  b" 2)');
  assert.equal(oneLine('(str "x\\" ;not a comment\n")'), '(str "x\\" ;not a comment\\n")');
});

// regression: every entry was appended to ~/.skein_history and the file was never cut
test("a history file past twice its 500 entries is cut back to the newest 500 when the REPL starts", {
  skip: noTmux,
  timeout: 120_000,
}, async () => {
  const home = mkdtempSync(join(tmpdir(), "skein-hist-"));
  const file = join(home, ".skein_history");
  writeFileSync(file, Array.from({ length: 1200 }, (_, i) => `(+ 0 ${i})`).join("\n") + "\n");
  const p = new Pty({ home });
  try {
    await p.waitFor(/skein>/, "the first prompt");
    p.press("Up");
    await p.waitFor(/skein> \(\+ 0 1199\)$/, "the newest entry");
    const kept = readFileSync(file, "utf8").split("\n").filter(Boolean);
    assert.equal(kept.length, 500);
    assert.deepEqual([kept[0], kept[499]], ["(+ 0 700)", "(+ 0 1199)"]);
  } finally {
    p.close();
    rmSync(home, { recursive: true, force: true });
  }
});
