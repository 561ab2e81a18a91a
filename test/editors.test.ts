// The editor support in editors/vscode: the extension's manifest points at files that exist and
// parse, every pattern of the TextMate grammar compiles, and the grammar's rules pick out the
// reader's syntax and know every special form of the compiler and every builtin of the runtime.
// (VS Code runs the patterns with Oniguruma; the ones here keep to what JavaScript reads the same.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SPECIAL_FORMS } from "../src/compiler/specials/index.js";
import { allSpecs } from "../src/lib/registry.js";
import { ALIASES } from "../src/lib/spellings.js";
import { Session } from "../src/session/session.js";
import "../src/lib/index.js";
import { fakeHost, projectRoot } from "./helpers.js";

const ext = join(projectRoot(), "editors", "vscode");
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

interface Rule {
  match?: string;
  begin?: string;
  end?: string;
  include?: string;
  patterns?: Rule[];
  name?: string;
}
interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const manifest = readJson(join(ext, "package.json"));
const grammarPath = join(ext, manifest.contributes.grammars[0].path);
const grammar = readJson(grammarPath) as Grammar;

/** The pieces of `text` that repository rule `name` picks out, scanning as a TextMate engine
 *  does: from where the last match ended, the earliest match of any of its patterns (on a tie,
 *  the first pattern) wins. */
function matchesOf(name: string, text: string): string[] {
  const rule = grammar.repository[name];
  assert.ok(rule, `the grammar has a rule ${name}`);
  const res = (rule.patterns ?? [rule]).map((r) => {
    assert.ok(r.match, `${name} is made of match patterns`);
    return new RegExp(r.match, "g");
  });
  const found: string[] = [];
  for (let at = 0; ; ) {
    let best: RegExpExecArray | null = null;
    for (const re of res) {
      re.lastIndex = at;
      const m = re.exec(text);
      if (m && (best === null || m.index < best.index)) best = m;
    }
    if (best === null) return found;
    found.push(best[0]);
    at = best.index + Math.max(best[0].length, 1);
  }
}

test("the extension contributes the Skein language with the grammar and the language configuration", () => {
  const [language] = manifest.contributes.languages;
  const [g] = manifest.contributes.grammars;
  assert.equal(language.id, "skein");
  assert.deepEqual(language.extensions, [".skein", ".lisp"]);
  assert.equal(g.language, "skein");
  assert.equal(g.scopeName, grammar.scopeName);
  const config = readJson(join(ext, language.configuration));
  assert.deepEqual(config.comments, { lineComment: ";", blockComment: ["#|", "|#"] });
  assert.deepEqual(config.brackets, [
    ["(", ")"],
    ["[", "]"],
    ["{", "}"],
  ]);
  assert.ok(existsSync(join(ext, "README.md")));
});

test("every pattern of the grammar compiles and every include names a rule", () => {
  let patterns = 0;
  const walk = (rule: Rule, where: string) => {
    for (const key of ["match", "begin", "end"] as const) {
      const src = rule[key];
      if (src === undefined) continue;
      assert.doesNotThrow(() => new RegExp(src), `${where}.${key}: ${src}`);
      patterns++;
    }
    if (rule.include?.startsWith("#"))
      assert.ok(grammar.repository[rule.include.slice(1)], `${where} includes ${rule.include}`);
    rule.patterns?.forEach((r, i) => walk(r, `${where}.patterns[${i}]`));
  };
  grammar.patterns.forEach((r, i) => walk(r, `patterns[${i}]`));
  for (const [name, rule] of Object.entries(grammar.repository)) walk(rule, name);
  assert.ok(patterns > 20);
});

test("the grammar picks out the reader's syntax", () => {
  assert.deepEqual(matchesOf("comment", `(f x) ; a comment "with a string"`), [`; a comment "with a string"`]);
  assert.deepEqual(matchesOf("datum-comment", "(+ 1 #;(skip) 2)"), ["#;"]);
  const block = grammar.repository["block-comment"];
  assert.equal(new RegExp(block.begin!).exec("x #| y")?.[0], "#|");
  assert.equal(new RegExp(block.end!).exec("y |# x")?.[0], "|#");
  assert.deepEqual(block.patterns, [{ include: "#block-comment" }], "block comments nest");
  const [escape, invalid] = grammar.repository.string.patterns!.map((r) => new RegExp(`^(?:${r.match!})$`));
  for (const e of [
    String.raw`\n`,
    String.raw`\t`,
    String.raw`\r`,
    String.raw`\0`,
    String.raw`\\`,
    String.raw`\"`,
    String.raw`\u{1F600}`,
    String.raw`\u00e9`,
  ]) {
    assert.ok(escape.test(e), `${e} is an escape`);
  }
  for (const e of [String.raw`\q`, String.raw`\u12`, String.raw`\u{}`, "\\"])
    assert.ok(!escape.test(e), `${e} is not an escape`);
  assert.ok(
    invalid.test(String.raw`\q`) && invalid.test("\\"),
    "a bad escape, or a backslash at the end of a line, is marked invalid",
  );
  assert.deepEqual(matchesOf("number", "(f 42 -7 3.14 .5 1e6 +5 #x1F #b101 #o17 1+ a1 x.5 v2.0 - +)"), [
    "42",
    "-7",
    "3.14",
    ".5",
    "1e6",
    "+5",
    "#x1F",
    "#b101",
    "#o17",
  ]);
  assert.deepEqual(matchesOf("constant", "[#t #f #true #false true false nil nil? truex #tx]"), [
    "#t",
    "#f",
    "#true",
    "#false",
    "true",
    "false",
    "nil",
  ]);
  assert.deepEqual(matchesOf("keyword", "{:name 1, :max-threads 2} a:b :"), [":name", ":max-threads"]);
  assert.deepEqual(matchesOf("quote", "'(a) `(b ,c ,@ds) @counter {:a 1, :b 2} x@y"), ["'", "`", ",", ",@", "@"]);
  assert.deepEqual(matchesOf("anonymous-function", "(map #(* % %2 %&) xs) #t %map1 a% #x1F"), ["#", "%", "%2", "%&"]);
  assert.deepEqual(matchesOf("bracket", "([{}])"), ["(", "[", "{", "}", "]", ")"]);
  assert.deepEqual(matchesOf("symbol", "(string->list x)"), ["string->list", "x"]);
});

test("the grammar highlights every special form the compiler knows, as a whole symbol", () => {
  for (const form of SPECIAL_FORMS.keys()) {
    assert.deepEqual(matchesOf("special-form", `(${form} x)`), [form], form);
    assert.deepEqual(matchesOf("special-form", `(my${form} ${form}x ${form}-1)`), [], `${form} only as a whole symbol`);
  }
  assert.deepEqual(
    matchesOf("special-form", "(try x (catch e e) (finally y)) (cond (a => f) (else b)) (fn [a & r] r)"),
    ["try", "catch", "finally", "cond", "=>", "else", "fn", "&"],
  );
  const defines = grammar.repository.definition.patterns!.map((r) => new RegExp(r.match!));
  const named = (text: string) =>
    defines
      .map((re) => re.exec(text))
      .find((m) => m)
      ?.slice(1)
      .filter((s) => /\w/.test(s ?? ""));
  assert.deepEqual(named("(define (greet name) name)"), ["define", "greet"]);
  assert.deepEqual(named("(defn area [r] r)"), ["defn", "area"]);
  assert.deepEqual(named("(defmacro swap! (a b) a)"), ["defmacro", "swap!"]);
  assert.deepEqual(named("(def limit 10)"), ["def", "limit"]);
});

test("the grammar highlights every builtin, alias and prelude function, and no special form as one", () => {
  const session = new Session(fakeHost());
  session.loadPrelude();
  const prelude = [...session.globals.values()].filter((c) => c.v !== undefined).map((c) => c.name);
  const names = [...new Set([...allSpecs().map((s) => s.name), ...prelude, ...Object.keys(ALIASES)])].filter(
    (n) => !n.startsWith("%"),
  );
  assert.ok(names.length > 150 && names.includes("parallel-map") && names.includes("channel->list"));
  const missing = names.filter((n) => matchesOf("builtin", `(${n} x)`).join() !== n);
  assert.deepEqual(missing, [], `add these to the builtin rule of ${grammarPath}`);
  assert.deepEqual(matchesOf("builtin", "(map-getter mapx my-map %map1 parallel-map)"), ["parallel-map"]);
  assert.deepEqual(
    [...SPECIAL_FORMS.keys()].filter((n) => matchesOf("builtin", `(${n} x)`).length > 0),
    [],
  );
});
