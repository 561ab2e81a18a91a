// The builtin that moves a session's memory limit (the limit itself: memory.ts, Session.pulse).
import { expectedGot } from "../core/messages.js";
import { describe } from "../syntax/printer.js";
import { raise } from "../core/error.js";
import { builtins } from "../lib/registry.js";
import { num } from "../lib/args.js";
import { contextOf } from "./context.js";

const def = builtins("core");

def(
  {
    name: "set-max-memory!",
    arity: [1, 1],
    usage: "(set-max-memory! mb)",
    doc: 'Sets the memory limit of the run in MB (at most the process\'s, skein --max-memory): a script holding more ends with "out of memory". Returns the new limit.',
    examples: [],
  },
  (a, m) => {
    const s = contextOf(m);
    const n = num("set-max-memory!", a[0]);
    if (!Number.isInteger(n) || n < 1)
      raise(expectedGot("set-max-memory!", "a positive integer number of MB", describe(n)));
    if (n > s.memoryCapMb)
      raise(
        `set-max-memory!: ${n} MB is above the process's limit of ${s.memoryCapMb} MB; start skein with --max-memory ${n}`,
      );
    return (s.maxMemoryMb = n);
  },
);
