// The keys of a result's rows: one keyword per column. Two columns of the same name would
// collapse into one key of the row map and lose a value without a word, so they are refused.
import { Keyword } from "../../core/types.js";

/** Column names as row keys; throws (an error the query returns as an error value) on a repeated name. */
export function columnKeys(names: readonly string[]): Keyword[] {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) {
      throw Object.assign(new Error(`the result has two columns named ${n} (name them apart with AS)`), {
        code: "SKEIN_DUPLICATE_COLUMN",
      });
    }
    seen.add(n);
  }
  return names.map((n) => Keyword.of(n));
}
