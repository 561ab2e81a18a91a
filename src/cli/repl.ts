// The REPL: multi-line input, history, errors shown without exiting. readline is asynchronous,
// so timers and background tasks keep running while it waits for input.
import { createInterface } from "node:readline";
import { homedir } from "node:os";
import { join } from "node:path";
import { appendFileSync, readFileSync } from "node:fs";
import { LispError } from "../core/error.js";
import { showValue } from "./show.js";
import type { Session } from "../session/session.js";

const HISTORY = join(homedir(), ".skein_history");

function loadHistory(): string[] {
  try {
    return readFileSync(HISTORY, "utf8").split("\n").filter(Boolean).reverse().slice(0, 500);
  } catch {
    return [];
  }
}

/** True when the text is incomplete: an unclosed bracket, string or comment. */
function incomplete(session: Session, text: string): boolean {
  try {
    session.read(text, "<repl>");
    return false;
  } catch (e) {
    return e instanceof LispError && /^unclosed/.test(e.message);
  }
}

export function startRepl(session: Session): void {
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    history: loadHistory(),
    historySize: 500,
    prompt: "skein> ",
  });
  let buffer = "";
  // lines are handled one at a time, in order, even when input arrives faster than evaluation
  let queue: Promise<void> = Promise.resolve();
  process.stdout.write("Skein REPL — (doc name) for help, Ctrl-D to quit\n");
  rl.prompt();
  const handle = async (line: string) => {
    buffer += (buffer ? "\n" : "") + line;
    if (incomplete(session, buffer)) {
      rl.setPrompt("  ...> ");
      rl.prompt();
      return;
    }
    const text = buffer;
    buffer = "";
    rl.setPrompt("skein> ");
    if (text.trim()) {
      try {
        appendFileSync(HISTORY, text.replace(/\n/g, " ") + "\n");
      } catch {
        /* history is optional */
      }
      const r = await session.evalEntry(text, "<repl>");
      if (r.exit !== undefined) process.exit(r.exit);
      if (r.error) process.stderr.write(session.renderError(r.error) + "\n");
      else if (r.value !== null && r.value !== undefined) process.stdout.write(showValue(r.value) + "\n");
    }
    rl.prompt();
  };
  rl.on("line", (line) => {
    queue = queue.then(() => handle(line));
  });
  rl.on("close", () => {
    void queue.then(() => {
      process.stdout.write("\n");
      process.exit(0);
    });
  });
}
