// The progress bar of `:progress #t` (parallel-map and friends): one line on stderr, drawn again
// in place as items finish, with the failures so far, the rate and the time left. Only when
// stderr is a terminal; in colour unless NO_COLOR is set (https://no-color.org), and FORCE_COLOR
// decides either way when it is set (FORCE_COLOR=0 turns colour off).
import type { Host } from "../session/context.js";

const BAR = 20;
/** the least time between two drawings, so that 100,000 quick items do not write 100,000 lines */
const REDRAW_MS = 100;

/** Whether output for a terminal (or not) may be coloured, by the environment's conventions. */
export function colourWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (env.NO_COLOR) return false;
  return isTTY && env.TERM !== "dumb";
}

/** 950 ms, 12.3 s, 4 min 05 s, 2 h 03 min. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, "0")} min`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

/** A progress bar for `total` items of the operation `op`, or null when stderr is no terminal.
 *  Call it with the number of items finished and how many of them failed; it draws at most every
 *  REDRAW_MS of `now`'s time, and always the last state, which ends the line. */
export function progressBar(
  host: Host,
  op: string,
  total: number,
  now: () => number,
): ((finished: number, failed: number) => void) | null {
  if (!host.stderrIsTTY) return null;
  const colour = colourWanted(host.env, true);
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const started = now();
  let drawn = -Infinity;
  return (finished, failed) => {
    const t = now();
    const done = finished === total;
    if (!done && t - drawn < REDRAW_MS) return;
    drawn = t;
    const elapsed = t - started;
    const filled = Math.round((finished / total) * BAR);
    const parts = [
      `${op} [${paint(failed ? "33" : "32", "#".repeat(filled))}${".".repeat(BAR - filled)}] ${finished}/${total}`,
    ];
    if (failed) parts.push(paint("31", `${failed} failed`));
    const rate = elapsed > 0 ? (finished * 1000) / elapsed : 0;
    if (rate > 0) parts.push(`${formatRate(rate)}/s`);
    if (done) parts.push(`in ${formatDuration(elapsed)}`);
    else if (rate > 0) parts.push(paint("2", `ETA ${formatDuration(((total - finished) / rate) * 1000)}`));
    // \r and erase-to-end: the line is drawn again in place
    host.stderr(`\r${parts.join("  ")}\x1b[K${done ? "\n" : ""}`);
  };
}
