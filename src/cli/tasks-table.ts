// How the REPL shows the value of (tasks): a table of the live tasks, one row each. In a script
// (tasks) stays a list of maps; only the REPL's display of an entry that is just (tasks) is this.
import { Keyword, type Value, listToArray, Pair } from "../core/types.js";
import { LMap } from "../core/map.js";
import { display } from "../syntax/printer.js";
import { formatDuration } from "../lib/progress.js";

const COLUMNS: [string, string][] = [
  ["id", "id"],
  ["name", "name"],
  ["state", "state"],
  ["waiting-on", "waiting on"],
  ["spawned-at", "spawned at"],
  ["elapsed-ms", "elapsed"],
];

function cell(key: string, v: Value | undefined): string {
  if (v === null || v === undefined) return "";
  if (key === "elapsed-ms" && typeof v === "number") return formatDuration(v);
  return v instanceof Keyword ? v.name : display(v);
}

/** The tasks as a table (the name column only when a task has a name); "no live tasks" for none. */
export function tasksTable(tasks: Value): string {
  const rows = (tasks instanceof Pair ? listToArray(tasks) : []).filter((t): t is LMap => t instanceof LMap);
  if (rows.length === 0) return "no live tasks";
  const get = (t: LMap, key: string) => t.get(Keyword.of(key));
  const columns = COLUMNS.filter(([key]) => key !== "name" || rows.some((t) => get(t, "name") != null));
  const table = [columns.map(([, title]) => title), ...rows.map((t) => columns.map(([key]) => cell(key, get(t, key))))];
  const widths = columns.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table
    .map((r) =>
      r
        .map((text, i) => (columns[i][0] === "id" ? text.padStart(widths[i]) : text.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
