// The #(...) reader form of Clojure (issue 10 §2): a function of %, %1 ... %20 and %&.
import { test } from "node:test";
import assert from "node:assert/strict";
import { write } from "../../src/syntax/printer.js";
import { evalSync, read1, readError } from "../helpers.js";

test("#(...) reads as a fn with as many parameters as the highest %n, and %& for the rest", () => {
  assert.equal(write(read1("#(* % %)")), "(fn [%1] (* %1 %1))");
  assert.equal(write(read1("#(str %2 %1)")), "(fn [%1 %2] (str %2 %1))");
  assert.equal(write(read1("#(apply + %3 %&)")), "(fn [%1 %2 %3 & %&] (apply + %3 %&))");
  assert.equal(write(read1("#(vector)")), "(fn [] (vector))");
  assert.equal(write(read1('#(f [%] {:k %} \'(%) "%")')), '(fn [%1] (f [%1] {:k %1} (quote (%1)) "%"))');
  // outside #() and in other names, % is an ordinary symbol
  assert.equal(write(read1("(% %1 %map1 a%)")), "(% %1 %map1 a%)");
  assert.equal(write(read1("#(%map1 %)")), "(fn [%1] (%map1 %1))");
});

test("#(...) runs as a function, with the arity it reads as", () => {
  assert.equal(write(evalSync("", "(map #(* % %) [1 2 3])")), "(1 4 9)");
  assert.equal(write(evalSync("", '(#(str %2 %1) "a" "b")')), '"ba"');
  assert.equal(write(evalSync("", "(#(list % %&) 1 2 3)")), "(1 (2 3))");
  assert.equal(write(evalSync("", '(#(str "%" %) "x")')), '"%x"');
  assert.equal(write(evalSync("", "(let [x 10] (#(+ x %) 1))")), "11");
  assert.throws(() => evalSync("", "(#(+ % 1) 1 2)"), /anonymous: expected 1 argument, got 2/);
});

test("a nested #(), %0 and %21 are read errors at their position", () => {
  const nested = readError("(map #(map #(+ % 1) %) xs)");
  assert.match(
    nested.message,
    /#\(\) cannot be nested inside another #\(\): write the inner one as \(fn \[x\] \.\.\.\)/,
  );
  assert.deepEqual([nested.loc?.line, nested.loc?.col], [1, 12]);
  assert.match(
    readError("#(+ %0 1)").message,
    /%0 in #\(\): the arguments are % \(or %1\) to %20, and %& for the rest/,
  );
  assert.match(readError("#(+ %21 1)").message, /%21 in #\(\)/);
  assert.match(readError("#(+ % 1").message, /unclosed \( opened at 1:2/);
  // after a read error inside #(), the reader is not left thinking it is still inside one
  assert.equal(write(read1("#(+ % (quote #t))")), "(fn [%1] (+ %1 (quote #t)))");
});
