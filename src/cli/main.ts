// The command line: skein [SANDBOX FLAGS] FILE [ARG...], skein -e 'EXPR...', skein (the REPL),
// --help, --version. The only layer that touches `process`.
import { readFileSync } from "node:fs";
import { LispError } from "../core/error.js";
import { Session, type Host, type RunOutcome } from "../session/session.js";
import { SANDBOX_USAGE, SandboxFlagError, isSandboxFlag, parseSandboxFlags, type Sandbox } from "../sandbox/sandbox.js";
import { emit, exitAfterOutput, useStreams } from "./output.js";
import { showValue } from "../syntax/show.js";
import { guideText } from "./guide.js";
import { MemoryFlagError, parseMemoryFlag, rerunWithHeapFor } from "./memory-flag.js";
import { defaultMaxMemoryMb } from "../session/memory.js";
import { coresAskedIn, sharedPool } from "../workers/pool.js";
import { lazyRequire } from "../core/lazy.js";

/** The host of a real run: this process's streams, arguments, environment and exit status. */
function processHost(argv: string[]): Host {
  return {
    stdout: (t) => {
      emit(1, t);
    },
    stderr: (t) => {
      emit(2, t);
    },
    // asked only by a progress bar: process.stderr is not made at start-up
    get stderrIsTTY() {
      return Boolean(process.stderr.isTTY);
    },
    // asked only by (doc name): process.stdout is not made at start-up
    get columns() {
      return process.stdout.isTTY ? process.stdout.columns : undefined;
    },
    argv,
    env: process.env,
    cwd: process.cwd(),
    exit: (code) => {
      process.exitCode = code;
    },
    // the worker threads of :cores start when a call first uses them
    get cores() {
      return sharedPool();
    },
  };
}

export const VERSION = "0.1.0";

const usage = () => `Skein ${VERSION} — a concurrent Lisp for automation

usage:
  skein [FLAGS] FILE [ARG...]   run a script; (command-line-args) is the list of ARGs
  skein [FLAGS] -e 'EXPR...'    evaluate the forms and print the last value unless it is nil
  skein [FLAGS] [repl]          start the interactive REPL
  skein [FLAGS] - [ARG...]      run the script read from standard input (also: a piped stdin and no FILE)
  skein check FILE...           report unknown names, wrong arities and unknown options without
                                running anything: file:line:col: message; exit 0 clean, 1 findings
  skein guide                   print the guide for writing Skein (docs/guide.md; written for models)
  skein mcp [FLAGS]             serve the Model Context Protocol on stdio (skein mcp --help; docs/mcp.md)
  skein --help | help | --version

memory (the flag goes before FILE or -e):
  --max-memory MB         end the program with "out of memory" when it holds more than MB
                          (default ${defaultMaxMemoryMb()} here: three quarters of node's heap limit)

${SANDBOX_USAGE}
docs: README.md and docs/ beside the program (docs/sandbox.md); (doc name) for any builtin
`;

const finish = exitAfterOutput;

function report(session: Session, o: RunOutcome): void {
  if (o.error) emit(2, session.renderError(o.error) + "\n");
}

/** The process's host, with the sandbox's permissions when the flags asked for one. */
function hostFor(args: string[], permissions: Sandbox | undefined): Host {
  const host = processHost(args);
  if (permissions) host.permissions = permissions;
  return host;
}

async function runProgram(
  text: string,
  file: string,
  args: string[],
  printResult: boolean,
  permissions: Sandbox | undefined,
  maxMemoryMb: number | undefined,
): Promise<number> {
  const session = new Session(hostFor(args, permissions), { maxMemoryMb });
  let forms;
  try {
    forms = session.read(text, file);
  } catch (e) {
    if (e instanceof LispError) {
      emit(2, session.renderError(e) + "\n");
      return 1;
    }
    throw e;
  }
  // the threads a literal `:cores n` asks for start now, while the program's first forms run
  const cores = coresAskedIn(forms);
  if (cores > 0) sharedPool().warm(cores);
  const o = await session.run(forms, file);
  report(session, o);
  if (printResult && o.status === "done" && o.value !== null && o.value !== undefined)
    emit(1, showValue(o.value) + "\n");
  return o.code;
}

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === "mcp") return finish(await serveMcp(argv.slice(1)));
  // the flags come first: --max-memory MB and the sandbox's --sandbox, --allow-read[=PATHS], ...
  let sandbox: ReturnType<typeof parseSandboxFlags>;
  let maxMemoryMb: number | undefined;
  try {
    const memory = parseMemoryFlag(argv);
    maxMemoryMb = memory.maxMemoryMb;
    sandbox = parseSandboxFlags(memory.rest);
  } catch (e) {
    if (e instanceof SandboxFlagError || e instanceof MemoryFlagError) {
      emit(2, `skein: ${e.message}\n${usage()}`);
      return finish(2);
    }
    throw e;
  }
  const rerun = rerunWithHeapFor(maxMemoryMb);
  if (rerun !== undefined) return finish(rerun);
  const { permissions } = sandbox;
  const [first, ...rest] = sandbox.rest;
  if (first === "--help" || first === "-h" || first === "help") {
    emit(1, usage());
    return finish(0);
  }
  if (first === "guide" && rest.length === 0) {
    emit(1, guideText());
    return finish(0);
  }
  if (first === "--version" || first === "-v") {
    emit(1, `skein ${VERSION}\n`);
    return finish(0);
  }
  if (first === "check") {
    const { checkFiles } = await import("./check.js");
    return finish(checkFiles(rest));
  }
  // node:tty (which loads node:net and the streams) only when there is no FILE: a script's
  // start-up does not pay for it
  const stdinIsTTY = () => lazyRequire<typeof import("node:tty")>("node:tty").isatty(0);
  if (first === "-" || (first === undefined && !stdinIsTTY())) {
    // a script on standard input: `skein - ARGS`, or `... | skein` (a pipe does not start a REPL)
    let text: string;
    try {
      text = readFileSync(0, "utf8");
    } catch (e) {
      emit(2, `skein: cannot read standard input: ${(e as Error).message}\n`);
      return finish(2);
    }
    warnAboutFlagsInArgs(rest);
    return finish(await runProgram(text, "<stdin>", rest, false, permissions, maxMemoryMb));
  }
  if (first === undefined || first === "repl") {
    // loaded only for the REPL: scripts do not pay for readline at start-up
    const { startRepl } = await import("./repl.js");
    useStreams(1);
    useStreams(2);
    startRepl(hostFor(rest, permissions), { maxMemoryMb });
    return;
  }
  if (first === "-e") {
    if (rest.length < 1) {
      emit(2, "skein: -e needs an expression\n" + usage());
      return finish(2);
    }
    return finish(await runProgram(rest[0], "<-e>", rest.slice(1), true, permissions, maxMemoryMb));
  }
  if (first.startsWith("-")) {
    emit(2, `skein: unknown option ${first}\n${usage()}`);
    return finish(2);
  }
  let text: string;
  try {
    text = readFileSync(first, "utf8");
  } catch (e) {
    emit(
      2,
      `skein: cannot read ${first}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}\n`,
    );
    return finish(2);
  }
  warnAboutFlagsInArgs(rest);
  finish(await runProgram(text, first, rest, false, permissions, maxMemoryMb));
}

/** skein mcp: serves until its client closes stdin; 2 for a bad flag. */
async function serveMcp(argv: string[]): Promise<number> {
  const mcp = await import("../mcp/server.js");
  if (argv[0] === "--help" || argv[0] === "-h") {
    emit(1, mcp.MCP_USAGE);
    return 0;
  }
  let options;
  try {
    options = mcp.parseMcpArgs(argv);
  } catch (e) {
    if (e instanceof mcp.McpUsageError || e instanceof SandboxFlagError) {
      emit(2, `skein mcp: ${e.message}\n${mcp.MCP_USAGE}`);
      return 2;
    }
    throw e;
  }
  await mcp.serveMcp(options, VERSION);
  return 0;
}

/** Flags after the script's name are the script's arguments (as in Deno); one that looks like
 *  Skein's own probably was meant for Skein, and running unsandboxed without a word would be
 *  the worst way to find out. */
function warnAboutFlagsInArgs(args: readonly string[]): void {
  const flag = args.find((a) => isSandboxFlag(a) || a === "--max-memory" || a.startsWith("--max-memory="));
  if (flag !== undefined) {
    emit(
      2,
      `skein: warning: ${flag} comes after the script, so it is the script's argument, not Skein's; put Skein's flags before the script's name\n`,
    );
  }
}
