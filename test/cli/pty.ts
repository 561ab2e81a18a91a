// A pseudo-terminal for the REPL's tests: bin/skein runs in a detached tmux session of its own
// (its own server socket), keys are sent to it, and the screen is read back as the user sees it.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../helpers.js";

/** Why the pseudo-terminal tests cannot run here, or undefined when tmux is installed. */
export const noTmux: string | undefined =
  spawnSync("tmux", ["-V"]).status === 0 ? undefined : "tmux is not installed (the REPL tests run in a tmux pane)";

export interface PtyOptions {
  width?: number;
  height?: number;
  /** extra environment of the REPL */
  env?: Record<string, string>;
  /** the REPL's HOME (default: a new directory, removed by close) */
  home?: string;
}

export class Pty {
  /** the REPL's HOME (its history file is there) */
  readonly home: string;
  private readonly ownHome: boolean;
  private readonly socket: string;

  constructor(opts: PtyOptions = {}) {
    this.ownHome = opts.home === undefined;
    this.home = opts.home ?? mkdtempSync(join(tmpdir(), "skein-pty-"));
    this.socket = join(this.home, `tmux-${process.pid}-${Date.now()}.sock`);
    const env = { HOME: this.home, TERM: "xterm", ...opts.env };
    const assignments = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const bin = join(projectRoot(), "bin", "skein");
    // the exit status is shown in the pane once the REPL ends
    const command = `env ${assignments.join(" ")} ${shellQuote(process.execPath)} ${shellQuote(bin)}; echo "[exited $?]"; sleep 600`;
    this.tmux("new-session", "-d", "-x", String(opts.width ?? 100), "-y", String(opts.height ?? 40), command);
  }

  private tmux(...args: string[]): string {
    return execFileSync("tmux", ["-S", this.socket, ...args], { encoding: "utf8" });
  }

  /** Types the text as it is. */
  type(text: string): void {
    this.tmux("send-keys", "-l", text);
  }

  /** Presses keys by tmux's names: Enter, Tab, Up, C-c, C-d. */
  press(...keys: string[]): void {
    this.tmux("send-keys", ...keys);
  }

  /** The screen and its scrollback, lines that the terminal wrapped joined again; with the
   *  escape sequences of colours when `colours` is set. */
  screen(colours = false): string {
    const flags = colours ? ["-e"] : [];
    return this.tmux("capture-pane", "-p", "-J", ...flags, "-S", "-1000").replace(/\n+$/, "");
  }

  /** The last line of the screen that is not empty: the prompt, when the REPL waits. */
  lastLine(): string {
    const lines = this.screen().split("\n");
    return lines[lines.length - 1];
  }

  /** Waits until the screen satisfies the test (a pattern, or a function of the screen). */
  async waitFor(want: RegExp | ((screen: string) => boolean), what = String(want), ms = 30_000): Promise<string> {
    const ok = typeof want === "function" ? want : (s: string) => want.test(s);
    const until = Date.now() + ms;
    for (;;) {
      const s = this.screen();
      if (ok(s)) return s;
      if (Date.now() > until) throw new Error(`the screen never showed ${what}; it shows:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until the REPL shows its prompt after `after` (text that appears once on the screen). */
  async prompt(after: string): Promise<string> {
    return this.waitFor(
      (s) => s.includes(after) && PROMPT_AT_END.test(s.slice(s.lastIndexOf(after))),
      `a prompt after ${JSON.stringify(after)}`,
    );
  }

  /** Enters a line and waits for the prompt after its output. Returns the output. */
  async enter(line: string): Promise<string> {
    const marker = `skein> ${line}\n`;
    const before = this.screen().split(marker).length;
    this.type(line);
    this.press("Enter");
    const s = await this.waitFor(
      (s) => s.split(marker).length > before && PROMPT_AT_END.test(s),
      `the prompt after ${JSON.stringify(line)}`,
    );
    return s.slice(s.lastIndexOf(marker) + marker.length).replace(PROMPT_AT_END, "");
  }

  close(): void {
    spawnSync("tmux", ["-S", this.socket, "kill-server"]);
    if (this.ownHome) rmSync(this.home, { recursive: true, force: true });
    else rmSync(this.socket, { force: true });
  }
}

/** The REPL's prompt on the last line (tmux drops the spaces at the end of a line). */
const PROMPT_AT_END = /(^|\n)skein>\s*$/;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
