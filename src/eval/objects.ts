// Runtime objects of the evaluator: compiled code, closures, builtins, macros, frames,
// global cells, and the signals a builtin returns to ask the machine for a call or a block.
import type { Loc, Value } from "../values/types.js";
import type { Machine } from "./machine.js";

/** The compiled body of a lambda: a resumable state machine over a frame's slots. */
export type CodeFn = (m: Machine, fr: Frame, s: Value[]) => void;

export class Code {
  fn!: CodeFn;
  /** the exact argument count when there is no rest parameter, else -1 (a fast-path check) */
  readonly fixed: number;
  /** "(name a b & rest)", for (doc f) */
  usage = "";
  constructor(
    readonly name: string,
    readonly nparams: number,
    readonly rest: boolean,
    public nslots: number,
    readonly loc: Loc | undefined,
    /** call-site positions, indexed by the pc the frame resumes at */
    readonly sites: (Loc | undefined)[],
  ) { this.fixed = rest ? -1 : nparams; }
}

/** A Lisp function: code plus the slots of the frame it was created in. */
export class Closure {
  constructor(readonly code: Code, readonly env: Value[] | null) {}
  get name(): string { return this.code.name; }
  printTag(): string { return `#<function ${this.code.name}>`; }
}

export type BuiltinFn = (args: Value[], m: Machine) => Value;

/** A function written in TypeScript. f1/f2 are optional fast paths for 1 and 2 arguments
 *  that never suspend and never call back into Lisp. */
export class Builtin {
  f1: ((a: Value) => Value) | null = null;
  f2: ((a: Value, b: Value) => Value) | null = null;
  constructor(
    readonly name: string,
    readonly min: number,
    readonly max: number,
    readonly fn: BuiltinFn,
  ) {}
  printTag(): string { return `#<function ${this.name}>`; }
}

export class Macro {
  constructor(readonly name: string, readonly fn: Closure) {}
  printTag(): string { return `#<macro ${this.name}>`; }
}

/** A global variable. `owner` is the task that defined it (for the set! rule). */
export class Cell {
  v: Value = undefined;
  owner: unknown = null;
  constructor(readonly name: string) {}
}

export class Frame {
  pc = 0;
  constructor(readonly code: Code, readonly s: Value[], readonly parent: Frame | null) {}
}

/** Something a builtin returns instead of a value. */
export abstract class Signal {}

/** Call fn with args; its result becomes the builtin's result. */
export class CallReq extends Signal {
  constructor(readonly fn: Value, readonly args: Value[]) { super(); }
}

/** Park the task: the scheduler interprets `wait` and later resumes the task with a value. */
export class Block extends Signal {
  constructor(readonly wait: unknown) { super(); }
}
