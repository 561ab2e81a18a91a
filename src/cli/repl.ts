// The REPL. Node's readline reads the lines; the session's scheduler keeps running between
// entries, so background tasks and timers go on while it waits for input, and what they print
// appears above the prompt. Ctrl-C cancels the running entry, or at the prompt clears the line or
// abandons an unfinished form; Ctrl-D on an empty line quits. Tab completes names; history keeps
// a multi-line entry as one entry; *e holds the last error; (tasks) alone shows a table.
import { createInterface, clearScreenDown, cursorTo, moveCursor, type Interface } from "node:readline";
import { homedir } from "node:os";
import { join } from "node:path";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { LispError } from "../core/error.js";
import { EMPTY, Pair, Sym } from "../core/types.js";
import { readAll } from "../syntax/reader.js";
import { allSpecs } from "../lib/registry.js";
import { SPECIAL_FORMS } from "../compiler/specials/index.js";
import { Session, type Host, type SessionOptions } from "../session/session.js";
import { showValue } from "../syntax/show.js";
import { tasksTable } from "./tasks-table.js";

const PROMPT = "skein> ";
const MORE = "  ...> ";
const HISTORY_SIZE = 500;

function historyFile(): string {
  return join(homedir(), ".skein_history");
}

/** The saved entries, newest first. A file past twice HISTORY_SIZE entries is cut back to the
 *  newest HISTORY_SIZE (each entry is appended as it is made, so it would grow for ever). */
function loadHistory(): string[] {
  let lines: string[];
  try {
    lines = readFileSync(historyFile(), "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
  if (lines.length > 2 * HISTORY_SIZE) {
    lines = lines.slice(-HISTORY_SIZE);
    try {
      writeFileSync(historyFile(), lines.join("\n") + "\n");
    } catch {
      /* history is optional */
    }
  }
  return lines.reverse().slice(0, HISTORY_SIZE);
}

/** True when the text is incomplete: an unclosed bracket, string or comment. */
function incomplete(text: string): boolean {
  try {
    readAll(text, "<repl>");
    return false;
  } catch (e) {
    return e instanceof LispError && /^unclosed/.test(e.message);
  }
}

/** A multi-line entry as one line that reads as the same forms, for the history: a line comment
 *  is dropped, a newline inside a string becomes \n, any other line break (with the spaces
 *  around it) one space. */
export function oneLine(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") {
        out += c + (text[++i] ?? "");
        continue;
      }
      if (c === '"') inString = false;
      out += c === "\n" ? "\\n" : c;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === ";") {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (c === "\n") {
      out = out.trimEnd() + " ";
      while (text[i + 1] === " " || text[i + 1] === "\t") i++;
    } else out += c;
  }
  return out.trimEnd();
}

/** The name being typed at the end of the line: what Tab completes. */
const NAME_AT_END = /[^\s()[\]{}'`,"@;]*$/;

/** Names that Tab completes: the special forms, the builtins, the prelude's and the user's globals. */
function completions(session: Session): string[] {
  session.loadPrelude();
  const defined = [...session.globals.values()].filter((c) => c.v !== undefined).map((c) => c.name);
  const names = new Set([...SPECIAL_FORMS.keys(), ...allSpecs().map((s) => s.name), ...defined]);
  return [...names].filter((n) => !n.startsWith("%")).sort();
}

/** True when the entry is just (tasks), with tasks the library's: its value is shown as a table. */
function isTasksCall(session: Session, text: string): boolean {
  let forms;
  try {
    forms = readAll(text, "<repl>");
  } catch {
    return false;
  }
  const f = forms[0];
  return (
    forms.length === 1 &&
    f instanceof Pair &&
    f.car instanceof Sym &&
    f.car.name === "tasks" &&
    f.cdr === EMPTY &&
    session.cell("tasks").v === session.libraryValue("tasks")
  );
}

export function startRepl(host: Host, options: SessionOptions): void {
  const out = process.stdout;
  const history = loadHistory();
  let rl: Interface;
  /** the lines of the entry typed so far (more than one while a form is unfinished) */
  let buffer = "";
  /** lines waiting for the entry before them to finish */
  const pending: string[] = [];
  /** an entry is being evaluated */
  let evaluating = false;
  let pumping = false;
  let closed = false;
  let entries = 0;

  /** Output of tasks while the prompt waits: printed above the prompt, which is drawn again
   *  with what was typed so far. */
  const aboveThePrompt = (write: (t: string) => void) => (text: string) => {
    if (evaluating || pumping || closed || !rl.terminal) {
      write(text);
      return;
    }
    moveCursor(out, 0, -rl.getCursorPos().rows);
    cursorTo(out, 0);
    clearScreenDown(out);
    write(text.endsWith("\n") ? text : text + "\n");
    const line = rl.line;
    const prompt = rl.getPrompt();
    if (rl.cursor < line.length)
      out.write(prompt + line.slice(0, rl.cursor) + "\x1b7" + line.slice(rl.cursor) + "\x1b8");
    else out.write(prompt + line);
  };
  const session = new Session(
    {
      ...host,
      stdout: aboveThePrompt(host.stdout),
      stderr: aboveThePrompt(host.stderr),
      get stderrIsTTY() {
        return host.stderrIsTTY;
      },
      get columns() {
        return host.columns;
      },
      // (exit) from a background task while the REPL waits
      exit: (code) => process.exit(code),
    },
    options,
  );

  rl = createInterface({
    input: process.stdin,
    output: out,
    // the REPL keeps the history itself (historySize 0), so that a multi-line entry is one entry
    history,
    historySize: 0,
    prompt: PROMPT,
    completer: (line: string): [string[], string] => {
      const word = (NAME_AT_END.exec(line) as RegExpExecArray)[0];
      if (word === "") return [[], word];
      return [completions(session).filter((n) => n.startsWith(word)), word];
    },
  });

  const remember = (text: string) => {
    const entry = oneLine(text);
    if (history[0] === entry) return;
    history.unshift(entry);
    if (history.length > HISTORY_SIZE) history.length = HISTORY_SIZE;
    try {
      appendFileSync(historyFile(), entry + "\n");
    } catch {
      /* history is optional */
    }
  };

  const evaluate = async (text: string) => {
    remember(text);
    const file = `<repl-${++entries}>`;
    const asTable = isTasksCall(session, text);
    evaluating = true;
    const r = await session.evalEntry(text, file);
    evaluating = false;
    if (r.exit !== undefined) process.exit(r.exit);
    if (r.cancelled) process.stderr.write("cancelled\n");
    else if (r.error) {
      session.cell("*e").v = r.error.value;
      process.stderr.write(session.renderError(r.error) + "\n");
    } else if (asTable) out.write(tasksTable(r.value ?? null) + "\n");
    else if (r.value !== null && r.value !== undefined) out.write(showValue(r.value) + "\n");
  };

  const handle = async (line: string) => {
    buffer += (buffer ? "\n" : "") + line;
    if (incomplete(buffer)) {
      rl.setPrompt(MORE);
      return;
    }
    const text = buffer;
    buffer = "";
    rl.setPrompt(PROMPT);
    if (text.trim()) await evaluate(text);
  };

  /** Handles the lines in order, one entry at a time, even when they arrive faster. */
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    while (pending.length) await handle(pending.shift() as string);
    pumping = false;
    if (closed) {
      out.write("\n");
      process.exit(0);
    }
    rl.prompt();
  };

  const interrupt = () => {
    if (evaluating) {
      // the entry is cancelled, and what was typed ahead of it is dropped
      pending.length = 0;
      buffer = "";
      rl.setPrompt(PROMPT);
      session.cancelEntry();
      return;
    }
    // kill -INT at the prompt of a REPL reading a pipe, or after the input has ended
    if (closed || !rl.terminal) process.exit(130);
    const typed = rl.line;
    // Ctrl-E, Ctrl-U: empty readline's line (the text stays on the screen, marked ^C)
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
    out.write(typed + "^C\n");
    if (typed === "" && buffer === "") out.write("(Ctrl-D on an empty line or (exit) quits)\n");
    buffer = "";
    rl.setPrompt(PROMPT);
    rl.prompt();
  };

  rl.on("SIGINT", interrupt);
  // kill -INT, or Ctrl-C once readline has closed (stdin at its end)
  process.on("SIGINT", interrupt);
  rl.on("line", (line) => {
    pending.push(line);
    void pump();
  });
  rl.on("close", () => {
    closed = true;
    if (!pumping) void pump();
  });
  out.write("Skein REPL — (doc name) for help, Tab completes, Ctrl-C cancels, Ctrl-D quits\n");
  rl.prompt();
}
