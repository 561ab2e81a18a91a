// The prelude's source: library functions written in Skein (src/prelude/prelude.lisp), read once
// per process and loaded into a session on first use of one of its names.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

let preludeSource: string | null = null;

/** The prelude's text (read once per process). The path holds from dist/src/session/ and from the
 *  CLI bundle in dist/src/cli/, both one folder below dist/src. */
export function preludeText(): string {
  return (preludeSource ??= readFileSync(
    fileURLToPath(new URL("../../../src/prelude/prelude.lisp", import.meta.url)),
    "utf8",
  ));
}

/** The global names a prelude text defines: the top-level (define name ...), (define (name ...) ...)
 *  and (defn name ...) forms, each at the start of a line (a test keeps this in step). */
export function preludeNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^\((?:define|defn|defmacro)\s+\(?([^\s()]+)/gm)) names.add(m[1]);
  return names;
}
