// Processes: (sh "cmd" ...) through /bin/sh -c, and (run ["prog" "arg" ...] ...) without a shell,
// each → {:exit n :out "..." :err "..."}. A non-zero exit is data; a program that cannot start,
// a timeout or a cancellation is an error value.
//
// Every child is spawned `detached` — the leader of its own process group — so a timeout or a
// cancellation kills the whole group (process.kill(-pid, "SIGKILL")): the shell, what it started
// and what those started. A descendant that left the group (setsid, a shell's job control) is
// found through /proc on Linux — every process whose chain of parents leads to the child — and
// killed too; one whose parent had already exited was re-parented to init and cannot be told
// apart from any other process, so it survives. Groups still running when Skein exits are killed
// too: at a normal exit (exit, the end, an error escaping the main task) by the exit hook; when
// Skein is killed by a signal (SIGINT, SIGTERM, SIGHUP, SIGKILL) by a watchdog, a small /bin/sh
// process started with the first child, in its own group, that is told each group on its stdin
// and kills them (and what is below them) when that pipe closes, i.e. when Skein is gone. Skein
// installs no signal handler: a handler is JavaScript, which cannot run while the event loop is
// busy (a long builtin call), so the signal would wait; the default action ends Skein at once,
// and the watchdog does the rest.
//
// stdin is /dev/null unless :input gives it a string. The result is returned once the program
// has exited and its output pipes are closed (as with $(...) in a shell: a background job that
// keeps stdout open keeps sh waiting, up to the deadline).
import type { ChildProcess } from "node:child_process";
import { accessSync, constants, readFileSync, readdirSync, statSync } from "node:fs";
import { resolve, sep } from "node:path";
import { raise } from "../core/error.js";
import { truncate } from "../syntax/printer.js";
import { ErrorValue, Keyword, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import type { Machine } from "../vm/machine.js";
import { builtins } from "../lib/registry.js";
import { msArg, options, seq, str, typeError } from "../lib/args.js";
import { hostOp, hostError, maxBytesOpt } from "./host-op.js";
import { denied, refusal } from "./guard.js";
import { physicalPath } from "../sandbox/paths.js";
import { contextOf } from "../session/context.js";
import { isFdShortage, pause } from "./fs.js";
import { lazyRequire } from "../core/lazy.js";

/** node:child_process, loaded on the first sh or run */
const childProcess = () => lazyRequire<typeof import("node:child_process")>("node:child_process");
/** node:fs/promises, for checking :cwd */
const fsp = () => lazyRequire<typeof import("node:fs/promises")>("node:fs/promises");

const def = builtins("process");
const kw = Keyword.of;

// ---- process groups still alive ----------------------------------------------------------

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Kills a child's whole process group and every process below it; quiet when they are gone
 *  already. The processes below are listed before anything is killed, while their parents still
 *  link them to the child. */
export function killGroup(pid: number): void {
  const below = descendantsOf(pid);
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* already gone */
  }
  for (const d of below) {
    try {
      process.kill(d, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

/** The processes whose chain of parents leads to root, from /proc (Linux; elsewhere none). */
function descendantsOf(root: number): number[] {
  if (process.platform !== "linux") return [];
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "latin1");
    } catch {
      continue; /* it exited meanwhile */
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")"
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ", 2)[1]);
    const siblings = children.get(ppid);
    if (siblings) siblings.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  for (let i = -1; i < out.length; i++) out.push(...(children.get(i < 0 ? root : out[i]) ?? []));
  return out;
}

function killAllGroups(): void {
  for (const pid of liveGroups) killGroup(pid);
  liveGroups.clear();
}

/** The watchdog's script: lines "+ pid" and "- pid" keep the list of live groups; at the end of
 *  its input it lists the processes from /proc, kills each group, then every process that was
 *  below a group's leader. */
const WATCHDOG = `pids=
while read -r op pid; do
  if [ "$op" = + ]; then pids="$pids $pid"; else
    rest=; for p in $pids; do [ "$p" = "$pid" ] || rest="$rest $p"; done; pids=$rest
  fi
done
[ -n "$pids" ] || exit 0
table=$(for s in /proc/[0-9]*/stat; do read -r l < "$s" && { r=\${l##*) }; set -- $r; p=\${s#/proc/}; echo "\${p%/stat} $2"; }; done 2>/dev/null)
for p in $pids; do kill -9 -"$p"; done 2>/dev/null
all= todo=$pids
while [ -n "$todo" ]; do
  all="$all $todo" next=
  for p in $todo; do next="$next $(echo "$table" | while read -r c pp; do [ "$pp" = "$p" ] && printf '%s ' "$c"; done)"; done
  todo=$(echo $next)
done
for p in $all; do kill -9 "$p"; done 2>/dev/null`;

let watchdog: ChildProcess | null = null;

/** Starts the watchdog if it is not running: before the first child, so that a child is known to
 *  it from the moment after its spawn. It keeps neither the event loop nor the exit waiting. */
function startWatchdog(): void {
  if (watchdog === null) {
    watchdog = childProcess().spawn("/bin/sh", ["-c", WATCHDOG], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    watchdog.on("error", () => {
      /* no watchdog: the exit hook still kills the groups at a normal exit */
    });
    watchdog.stdin!.on("error", () => {
      /* the watchdog is gone */
    });
    watchdog.unref();
    (watchdog.stdin as unknown as { unref(): void }).unref();
  }
}

function tellWatchdog(line: string): void {
  startWatchdog();
  watchdog!.stdin!.write(line);
}

function track(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", killAllGroups);
  }
  liveGroups.add(pid);
  tellWatchdog(`+ ${pid}\n`);
}

function untrack(pid: number): void {
  if (liveGroups.delete(pid)) tellWatchdog(`- ${pid}\n`);
}

/** How many child process groups are running (for tests). */
export function liveProcessGroups(): number {
  return liveGroups.size;
}

// ---- options -----------------------------------------------------------------------------

interface ProcOptions {
  /** ms; undefined for the session's default */
  timeout: number | undefined;
  cwd: string | undefined;
  input: string | undefined;
  env: Map<string, string | null>;
  /** bytes kept per output stream; past it the process group is killed and the call returns an error value */
  maxBytes: number;
}

const OPTION_NAMES = ["timeout", "cwd", "input", "env", "max-bytes"];

function procOptions(op: string, opts: ReadonlyMap<string, Value>): ProcOptions {
  const t = opts.get("timeout");
  let timeout: number | undefined;
  if (t !== undefined && t !== null) {
    timeout = msArg(op, t);
  }
  const c = opts.get("cwd");
  const i = opts.get("input");
  const env = new Map<string, string | null>();
  const e = opts.get("env");
  if (e !== undefined && e !== null) {
    if (!(e instanceof LMap)) typeError(op, "a map for :env", e);
    for (const [k, v] of e.entries()) {
      const name =
        typeof k === "string"
          ? k
          : k instanceof Keyword
            ? k.name
            : typeError(op, "a string or keyword as an :env name", k);
      if (v === null) env.set(name, null);
      else if (typeof v === "string") env.set(name, v);
      else if (typeof v === "number" || typeof v === "boolean") env.set(name, String(v));
      else typeError(op, `a string for :env ${name}`, v);
    }
  }
  return {
    timeout,
    cwd: c === undefined || c === null ? undefined : str(op, c),
    input:
      i === undefined || i === null ? undefined : typeof i === "string" ? i : typeError(op, "a string for :input", i),
    env,
    maxBytes: maxBytesOpt(op, opts),
  };
}

// ---- running a child ---------------------------------------------------------------------

interface Launch {
  op: string;
  file: string;
  args: string[];
  /** the program as the user wrote it, for messages */
  shown: string;
  /** argv[0] of the child: the program as the user wrote it */
  argv0?: string;
  /** the absolute working directory of the child */
  cwd: string;
  /** :cwd as the user wrote it, when given (it is checked first, and named in messages) */
  shownCwd: string | undefined;
  input: string | undefined;
  env: NodeJS.ProcessEnv;
  maxBytes: number;
}

function startError(l: Pick<Launch, "op" | "shown">, e: unknown): ErrorValue {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why = code === "ENOENT" ? "no such program" : code === "EACCES" ? "permission denied" : (code ?? String(e));
  return new ErrorValue(
    `${l.op}: cannot start ${l.shown}: ${why}`,
    LMap.fromEntries([[kw("op"), l.op], [kw("program"), l.shown], ...(code ? [[kw("code"), code] as const] : [])]),
  );
}

const RETRY = Symbol("retry");

/** Spawns once: the result map, an error value, or RETRY when file descriptors ran out. */
function launchOnce(l: Launch, signal: AbortSignal): Promise<Value | typeof RETRY> {
  return new Promise((settle) => {
    let child: ChildProcess;
    startWatchdog();
    try {
      child = childProcess().spawn(l.file, l.args, {
        cwd: l.cwd,
        env: l.env,
        argv0: l.argv0,
        detached: true,
        windowsHide: true,
        stdio: [l.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
    } catch (e) {
      settle(isFdShortage(e) ? RETRY : startError(l, e));
      return;
    }
    const pid = child.pid;
    let settled = false;
    let overflow: string | null = null;
    const out: string[] = [];
    const err: string[] = [];
    let outLen = 0;
    let errLen = 0;
    const onAbort = () => {
      if (pid !== undefined) killGroup(pid);
    };
    const finish = (v: Value | typeof RETRY) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (pid !== undefined) untrack(pid);
      settle(v);
    };
    if (pid !== undefined) {
      track(pid);
      signal.addEventListener("abort", onAbort, { once: true });
      if (signal.aborted) onAbort();
    }
    // strict UTF-8: output that is not text is reported, never changed quietly into U+FFFD
    let invalid: string | null = null;
    const outText = new TextDecoder("utf-8", { fatal: true });
    const errText = new TextDecoder("utf-8", { fatal: true });
    const text = (name: string, dec: TextDecoder, b?: Buffer): string => {
      if (invalid !== null) return "";
      try {
        return b === undefined ? dec.decode() : dec.decode(b, { stream: true });
      } catch {
        invalid = name;
        return "";
      }
    };
    child.stdout!.on("data", (b: Buffer) => {
      if (overflow) return;
      outLen += b.length;
      if (outLen > l.maxBytes) {
        overflow = "stdout";
        onAbort();
      } else out.push(text("stdout", outText, b));
    });
    child.stderr!.on("data", (b: Buffer) => {
      if (overflow) return;
      errLen += b.length;
      if (errLen > l.maxBytes) {
        overflow = "stderr";
        onAbort();
      } else err.push(text("stderr", errText, b));
    });
    child.on("error", (e) => {
      // after a successful start, errors come from kill(); the 'close' event still follows
      if (pid === undefined) finish(isFdShortage(e) ? RETRY : startError(l, e));
    });
    child.on("close", (code: number | null, sig: NodeJS.Signals | null) => {
      if (overflow) {
        finish(
          new ErrorValue(
            `${l.op}: output too large: more than ${l.maxBytes} bytes on ${overflow} (raise the limit with :max-bytes): ${l.shown}`,
            LMap.fromEntries([
              [kw("op"), l.op],
              [kw("program"), l.shown],
              [kw("code"), "EFBIG"],
            ]),
          ),
        );
        return;
      }
      const exit =
        code ?? 128 + (sig ? (lazyRequire<typeof import("node:os")>("node:os").constants.signals[sig] ?? 0) : 0);
      out.push(text("stdout", outText));
      err.push(text("stderr", errText));
      if (invalid !== null) {
        finish(
          new ErrorValue(
            `${l.op}: ${invalid} is not valid UTF-8 text (binary output, or another encoding): ${l.shown}`,
            LMap.fromEntries([
              [kw("op"), l.op],
              [kw("program"), l.shown],
              [kw("exit"), exit],
              [kw("code"), "EILSEQ"],
            ]),
          ),
        );
        return;
      }
      let r = LMap.EMPTY.set(kw("exit"), exit).set(kw("out"), out.join("")).set(kw("err"), err.join(""));
      if (sig) r = r.set(kw("signal"), sig);
      finish(r);
    });
    if (l.input !== undefined && child.stdin) {
      child.stdin.on("error", () => {
        /* the program did not read all its input: EPIPE is fine */
      });
      child.stdin.end(l.input, "utf8");
    }
  });
}

async function launch(l: Launch, signal: AbortSignal): Promise<Value> {
  if (l.shownCwd !== undefined) {
    const where = l.shownCwd;
    const st = await fsp()
      .stat(l.cwd)
      .catch((e: unknown) => e as NodeJS.ErrnoException);
    if (!("isDirectory" in st) || !st.isDirectory()) {
      const code = "isDirectory" in st ? "ENOTDIR" : st.code;
      return new ErrorValue(
        `${l.op}: ${code === "ENOENT" ? "no such directory" : code === "ENOTDIR" ? "not a directory" : (code ?? "bad directory")}: ${where}`,
        LMap.fromEntries([[kw("op"), l.op], [kw("cwd"), where], ...(code ? [[kw("code"), code] as const] : [])]),
      );
    }
  }
  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) throw signal.reason;
    const r = await launchOnce(l, signal);
    if (r !== RETRY) return r;
    await pause(Math.min(10 * 2 ** attempt, 250), signal);
  }
}

/** The search path when the session's environment has no PATH (what execvp uses then). */
const DEFAULT_PATH = "/bin:/usr/bin";

/** The first executable file called name in the directories of PATH (empty entries and
 *  relative ones are taken from cwd, as a shell does); null when there is none. */
function onPath(name: string, path: string | undefined, cwd: string): string | null {
  for (const dir of (path ?? DEFAULT_PATH).split(":")) {
    const candidate = resolve(cwd, dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      /* not here */
    }
  }
  return null;
}

/** In the sandbox, the file a program as written resolves to (a path physically, a name on the
 *  session's PATH), or the refusal when the run grant does not name it; null when there is no such
 *  program. The caller starts the file returned: what was checked is what runs. */
export function guardProgram(
  m: Machine,
  op: string,
  program: string,
  cwd: string,
  shown = program,
): string | ErrorValue | null {
  const host = contextOf(m).host;
  const real = program.includes(sep) ? physicalPath(program, cwd) : program;
  const no = real === null ? refusal(m, op, shown, "run") : denied(m, op, "run", real, shown);
  if (no) return no;
  return program.includes(sep) ? real : onPath(program, host.env.PATH, host.cwd);
}

/**
 * Runs a program as a host operation. sh passes its grant name ("sh") as permTarget and runs
 * /bin/sh; run passes the program as written. In the sandbox run's program is resolved before
 * the grant is checked, and the resolved file is what is started (argv[0] stays as written): a
 * path physically (links followed), a name on the session's PATH, never the child's :env PATH.
 */
function runProcess(
  m: Machine,
  l: Omit<Launch, "env" | "cwd" | "shownCwd" | "input" | "maxBytes">,
  o: ProcOptions,
  permTarget: string,
  permShown: string,
): Value {
  const host = contextOf(m).host;
  const cwd = o.cwd === undefined ? host.cwd : resolve(host.cwd, o.cwd);
  let file = l.file;
  if (host.permissions && l.op === "run") {
    const found = guardProgram(m, l.op, l.file, cwd, permShown);
    if (found instanceof ErrorValue) return found;
    if (found === null) return startError(l, Object.assign(new Error("not found"), { code: "ENOENT" }));
    file = found;
  } else {
    const no = denied(m, l.op, "run", permTarget, permShown);
    if (no) return no;
  }
  const env: NodeJS.ProcessEnv = { ...host.env };
  for (const [k, v] of o.env) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  const full: Launch = {
    ...l,
    file,
    argv0: l.file,
    env,
    cwd,
    shownCwd: o.cwd,
    input: o.input,
    maxBytes: o.maxBytes,
  };
  return hostOp(m, l.op, (signal) => launch(full, signal), {
    timeout: o.timeout,
    onError: (e) => hostError(l.op, e, l.shown),
  });
}

// ---- builtins ----------------------------------------------------------------------------

def(
  {
    name: "sh",
    arity: [1, Infinity],
    capability: "run",
    usage: "(sh command [:timeout ms] [:cwd dir] [:input str] [:env {name value ...}] [:max-bytes n])",
    doc: 'Runs the command line with /bin/sh -c and returns {:exit n :out "..." :err "..."} when it ends; a non-zero exit is data, not an error. stdin is empty unless :input gives it a string; :cwd runs it in another directory; :env adds variables to the current environment (names as strings or keywords; nil removes one). A timeout (default: the session\'s, 30 s; see set-default-timeout!) or a cancellation kills the process with everything it started and returns an error value such as {:error "timeout after 100ms"}. Output that is not valid UTF-8 text gives an error value with :code "EILSEQ" and the :exit status, never altered text. More than 128 MB on stdout or stderr (:max-bytes sets another limit) kills the process and gives an error value with :code "EFBIG".',
    examples: [
      ['(sh "echo hello")', '{:exit 0 :out "hello\\n" :err ""}'],
      ['(map-get (sh "exit 3") :exit)', "3"],
      ['(map-get (sh "cat" :input "piped") :out)', '"piped"'],
      ['(sh "sleep 5" :timeout 50)', '{:error "timeout after 50ms" :op "sh"}'],
    ],
  },
  (a, m) => {
    const { pos, opts } = options("sh", a, 1, OPTION_NAMES);
    if (pos.length !== 1) typeError("sh", "one command string (options go after it)", pos[1]);
    const cmd = pos[0];
    if (typeof cmd !== "string") typeError("sh", "a command string", cmd);
    const o = procOptions("sh", opts);
    return runProcess(
      m,
      { op: "sh", file: "/bin/sh", args: ["-c", cmd], shown: truncate(cmd) },
      o,
      "sh",
      truncate(cmd),
    );
  },
);

def(
  {
    name: "run",
    arity: [1, Infinity],
    capability: "run",
    usage: "(run [program arg ...] [:timeout ms] [:cwd dir] [:input str] [:env {name value ...}] [:max-bytes n])",
    doc: 'Runs the program with the arguments, without a shell (no quoting problems), looked up on PATH; returns {:exit n :out "..." :err "..."}. Options as for sh. A program that cannot start, a timeout or a cancellation returns an error value; a non-zero exit is data.',
    examples: [
      ['(map-get (run ["printf" "%s-%s" "a" "b"]) :out)', '"a-b"'],
      [
        '(error-msg (run ["definitely-not-a-program-xyz"]))',
        '"run: cannot start definitely-not-a-program-xyz: no such program"',
      ],
    ],
  },
  (a, m) => {
    const { pos, opts } = options("run", a, 1, OPTION_NAMES);
    if (pos.length !== 1) typeError("run", "one list of program and arguments (options go after it)", pos[1]);
    if (typeof pos[0] === "string")
      typeError("run", "a list or vector [program arg ...] (use sh for a command line)", pos[0]);
    const argv = seq("run", pos[0]).map((x) =>
      typeof x === "string"
        ? x
        : typeof x === "number"
          ? String(x)
          : typeError("run", "strings as program and arguments", x),
    );
    if (argv.length === 0) raise("run: expected a program in [program arg ...], got an empty list");
    const o = procOptions("run", opts);
    const [file, ...args] = argv;
    return runProcess(m, { op: "run", file, args, shown: file }, o, file, file);
  },
);
