// Regular expressions run on a linear-time engine (RE2 syntax through re2js): a pattern that
// backtracks exponentially in a backtracking engine matches at once, Unicode classes work, and
// what RE2 cannot do (backreferences, lookaround) is refused with a message that says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runOk } from "../helpers.js";
import { write } from "../../src/syntax/printer.js";

/** The write form of the program's last value. */
async function valueOf(source: string): Promise<string> {
  return write((await runOk(source)).value);
}

test("a pattern that backtracks exponentially elsewhere matches in linear time", async () => {
  // a backtracking engine needs about 2^n steps for n a's: seconds at 27, centuries at 60
  for (const n of [27, 60]) {
    const r = await runOk(
      `(timeout 100 (fn [] (regex-match "(a+)+$" (str (string-join (map (fn [_] "a") (range ${n})) "") "b"))))`,
      { clock: "virtual" },
    );
    assert.equal(write(r.value), "nil", `${n} a's`);
    // the one real-time check: a linear engine takes milliseconds, a backtracking one seconds
    assert.ok(r.ms < 1000, `${n} a's took ${r.ms} ms`);
  }
});

test("Unicode classes and code points", async () => {
  assert.equal(await valueOf(String.raw`(regex-match "\\p{L}+" "¿qué?")`), '("qué")');
  assert.equal(await valueOf(String.raw`(regex-find-all "\\p{Lu}" "Ärger Über")`), '("Ä" "Ü")');
  assert.equal(await valueOf(String.raw`(regex-match "^.$" "😀")`), '("😀")');
  assert.equal(await valueOf(String.raw`(regex-match "\\x{e9}" "café")`), '("é")');
});

test("groups: numbered, named, optional; and the flags", async () => {
  assert.equal(await valueOf(`(regex-match "(?P<y>\\\\d{4})-(?<m>\\\\d{2})" "on 2024-05")`), '("2024-05" "2024" "05")');
  assert.equal(await valueOf(`(regex-match "(a)|(b)" "b")`), '("b" nil "b")');
  assert.equal(await valueOf(`(regex-find-all "(?m)^\\\\w" "ab\\ncd")`), '("a" "c")');
  assert.equal(await valueOf(`(regex-match "(?s)a.b" "a\\nb")`), '("a\\nb")');
  assert.equal(await valueOf(`(regex-match "a.b" "a\\nb")`), "nil");
  assert.equal(await valueOf(`(regex-replace "(?i)b" "abBa" "-")`), '"a--a"');
  assert.equal(await valueOf(`(regex-match "(?u)é" "café")`), '("é")');
  assert.equal(await valueOf(`(regex-replace "(\\\\w+)@(\\\\w+)" "me@host" "$2:$1 $& $$")`), '"host:me me@host $"');
  assert.equal(await valueOf(`(regex-find-all "" "ab")`), '("" "" "")');
});

test("backreferences and lookaround are refused, saying why", async () => {
  const cases: [string, RegExp][] = [
    [
      String.raw`(a)\\1`,
      /^regex-match: backreferences are not supported \(Skein's regular expressions run in linear time\)/,
    ],
    [String.raw`(?<n>a)\\k<n>`, /^regex-match: backreferences are not supported/],
    [
      "a(?=b)",
      /^regex-match: lookahead and lookbehind are not supported \(Skein's regular expressions run in linear time\)/,
    ],
    ["a(?!b)", /^regex-match: lookahead and lookbehind are not supported/],
    ["(?<=a)b", /^regex-match: lookahead and lookbehind are not supported/],
    ["(?<!a)b", /^regex-match: lookahead and lookbehind are not supported/],
    ["(", /^regex-match: invalid regex "\(": missing closing \)/],
  ];
  for (const [pattern, message] of cases) {
    const msg = (await runOk(`(try (regex-match "${pattern}" "ab") (catch e (error-msg e)))`)).value;
    assert.match(String(msg), message, pattern);
  }
});
