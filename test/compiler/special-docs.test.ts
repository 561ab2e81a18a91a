// (doc if), (doc defn), (doc let): the special forms are documented from one table beside the
// table of special forms, shown by the same doc as builtins (issue 11 §3). Before, (doc if) was
// the syntax error "if is a special form, not a value".
import { test } from "node:test";
import assert from "node:assert/strict";
import { SPECIAL_FORMS } from "../../src/compiler/specials/index.js";
import { SPECIAL_FORM_DOCS } from "../../src/compiler/specials/docs.js";
import { docText, wrap } from "../../src/lib/core.js";
import { fakeHost, runOk, runProgram, stdoutOf } from "../helpers.js";
import { write } from "../../src/syntax/printer.js";

test("every special form has a usage and a doc string, and only special forms do", () => {
  assert.deepEqual([...SPECIAL_FORM_DOCS.keys()].sort(), [...SPECIAL_FORMS.keys()].sort());
  for (const [name, d] of SPECIAL_FORM_DOCS) {
    assert.ok(d.usage.length > 0 && d.doc.length > 0, name);
    assert.ok(/[.)]$/.test(d.doc), `${name}: a doc string is a sentence`);
  }
});

test("(doc if), (doc defn), (doc let) and (doc 'when) print the special form's usage and doc", async () => {
  assert.equal(
    await stdoutOf("(doc if)"),
    "(if test then [else])\n  then when test is true, else when it is false (nil without an else). Only #f and nil are false.\n",
  );
  assert.match(
    await stdoutOf("(doc defn)"),
    /^\(defn name \[doc\] \[params\.\.\.\] body\.\.\.\)\n {2}Defines a function/,
  );
  assert.match(await stdoutOf("(doc let)"), /^\(let \(\(name value\)\.\.\.\) body\.\.\.\)/);
  assert.match(await stdoutOf("(doc 'when)"), /^\(when test body\.\.\.\)\n/);
  assert.match(await stdoutOf("(doc try)"), /finally runs on success, error and cancellation/);
});

test("a local named like a special form is a value, and doc documents that value", async () => {
  assert.equal(await stdoutOf("(let [if 3] (doc if))"), "no documentation for 3\n");
});

test("if used as a value elsewhere is still the syntax error", async () => {
  const r = await runProgram("(list if)");
  assert.match(r.rendered ?? "", /if is a special form, not a value/);
});

test("(apropos text) finds special forms too", async () => {
  const r = await runOk('(apropos "letrec")');
  assert.equal(write(r.value), '("letrec" "letrec*")');
});

test("doc text is wrapped at word boundaries to the terminal's width; usage and examples stay whole", async () => {
  const host = Object.assign(fakeHost(), { columns: 40 });
  await runOk("(doc string-split) (doc let)", { host });
  for (const line of host.out.split("\n").filter((l) => l.startsWith("  ") && !l.includes(" ; => ")))
    assert.ok(line.length < 40, `wider than 40 columns: ${JSON.stringify(line)}`);
  const split = docText("string-split");
  assert.equal(host.out.split("\n")[0], split.split("\n")[0], "the usage line is not wrapped");
  // without a width (a pipe) nothing is wrapped
  assert.equal(docText("let", SPECIAL_FORM_DOCS.get("let")).split("\n").length, 2);
});

test("wrap breaks only between words, keeps a word longer than the line whole, and indents", () => {
  assert.equal(wrap("aa bb cc dd", 12, "  "), "  aa bb cc\n  dd");
  assert.equal(wrap("a verylongwordindeed b", 12, "  "), "  a\n  verylongwordindeed\n  b");
  assert.equal(wrap("one\ntwo three", undefined, "> "), "> one\n> two three");
});

test("(doc m) of a macro shows its usage and the doc string given to defmacro", async () => {
  assert.equal(
    await stdoutOf(`(defmacro swap "Swaps the two forms." (a b) (list 'list b a)) (doc swap)`),
    "(swap a b)\n  Swaps the two forms.\n",
  );
  assert.equal(await stdoutOf("(defmacro m2 (x) x) (doc m2)"), "(m2 x)\n  (no doc string)\n");
});
