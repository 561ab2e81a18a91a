// `skein check FILE...`: the findings of checkSource (src/session/check.ts) for each file, one
// `file:line:col: message` per line on stdout. Exit 0 when every file is clean, 1 with findings,
// 2 when a file cannot be read or no file is named.
import { readFileSync } from "node:fs";
import { checkSource, formatFinding } from "../session/check.js";
import { emit } from "./output.js";

/** A file the program loads, found as (load path) finds it: against the working directory. */
function readLoaded(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

export function checkFiles(files: readonly string[]): number {
  if (files.length === 0) {
    emit(2, "skein: check needs a file: skein check FILE...\n");
    return 2;
  }
  let found = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file === "-" ? 0 : file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      emit(2, `skein: cannot read ${file}: ${code === "ENOENT" ? "no such file" : (e as Error).message}\n`);
      return 2;
    }
    const findings = checkSource(text, file === "-" ? "<stdin>" : file, readLoaded);
    for (const f of findings) emit(1, formatFinding(f) + "\n");
    found += findings.length;
  }
  if (found > 0) emit(2, `${found} finding${found === 1 ? "" : "s"}\n`);
  return found > 0 ? 1 : 0;
}
