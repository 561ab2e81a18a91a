// Runtime objects of the evaluator: compiled code, closures, builtins, macros, frames,
// global cells, and the signals a builtin returns to ask the machine for a call or a block.
import type { Loc, Value } from "../core/types.js";
import type { Machine } from "./machine.js";

/** The compiled body of a lambda: a state machine over its slots. Called with fr === null it runs
 *  directly on the JS stack and returns its value (or TAIL); with a captured frame it resumes it.
 *  A direct call of a function of 0-3 fixed parameters passes s === null and the closure's env
 *  and the arguments after it (no array per call). */
export type CodeFn = (
  m: Machine,
  fr: Frame | null,
  s: Value[] | null,
  env?: Value,
  a?: Value,
  b?: Value,
  c?: Value,
) => Value;

/** Returned instead of a value by a tail call: the callee is in m.tailCode / m.tailS. */
export const TAIL: unique symbol = Symbol("tail call");

/** Returned instead of a value when the task must stop (it blocked, its budget ran out, or the JS
 *  stack grew deep): every activation on the way out saves itself as a heap Frame and returns it too. */
export const SUSPEND: unique symbol = Symbol("suspend");

/** A name a function uses from outside itself: a local of an enclosing function (`depth`
 *  functions out from the closure's env: 0 is the env itself; `slot` in those slots), or a global. */
export type OutsideName = { name: string; depth: number; slot: number } | { name: string; global: true };

/** Where a function's code came from: its parameters and body as written (before macro
 *  expansion), and the names it uses from outside itself. What lets a closure be rebuilt in
 *  another session (a worker thread: src/workers/crossing.ts). */
export interface Origin {
  readonly params: Value;
  readonly body: readonly Value[];
  /** compiles the body first if it was left for its first call (the lazy library) */
  outside(): readonly OutsideName[];
}

export class Code {
  fn!: CodeFn;
  /** its source, for running it on another thread (null for code made by the runtime itself) */
  origin: Origin | null = null;
  /** the exact argument count when there is no rest parameter, else -1 (a fast-path check) */
  fixed: number;
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
  ) {
    this.fixed = rest ? -1 : nparams;
  }

  /** Makes every call of this code take the machine's general call path, which records the
   *  caller's position (the prelude's public functions: an error inside map names the user's line). */
  callThroughMachine(): void {
    this.fixed = -1;
  }
}

/** A Lisp function: code plus the slots of the frame it was created in. */
export class Closure {
  constructor(
    readonly code: Code,
    readonly env: Value[] | null,
  ) {}
  get name(): string {
    return this.code.name;
  }
  printTag(): string {
    return `#<function ${this.code.name}>`;
  }
}

export type BuiltinFn = (args: Value[], m: Machine) => Value;

/** A function written in TypeScript. f1/f2 are optional fast paths for 1 and 2 arguments
 *  that never suspend and never call back into Lisp; m1/m2 take the arguments the same way but
 *  are fn itself (they may block or ask for a call), for the machine's calls without an array. */
export class Builtin {
  f1: ((a: Value) => Value) | null = null;
  f2: ((a: Value, b: Value) => Value) | null = null;
  m1: ((a: Value, m: Machine) => Value) | null = null;
  m2: ((a: Value, b: Value, m: Machine) => Value) | null = null;
  constructor(
    readonly name: string,
    readonly min: number,
    readonly max: number,
    readonly fn: BuiltinFn,
  ) {}
  printTag(): string {
    return `#<function ${this.name}>`;
  }
}

export class Macro {
  constructor(
    readonly name: string,
    readonly fn: Closure,
  ) {}
  printTag(): string {
    return `#<macro ${this.name}>`;
  }
}

/** A global variable. `owner` is the task that defined it (for the set! rule). */
export class Cell {
  v: Value = undefined;
  owner: unknown = null;
  constructor(readonly name: string) {}
}

/** A suspended activation on the heap: made only when a task blocks, is preempted, or its JS
 *  stack grows too deep. `parent` is the activation waiting for this one's value. */
export class Frame {
  /** how many frames the chain holds from this one down (the machine's recursion limit counts it) */
  n = 1;
  /** s: the activation's slots (replaced when a function that keeps them in JS locals suspends again) */
  constructor(
    readonly code: Code,
    public s: Value[],
    public pc: number,
    public parent: Frame | null,
  ) {}
}

/** Something a builtin returns instead of a value. */
export abstract class Signal {}

/** Call fn with args; its result becomes the builtin's result. */
export class CallReq extends Signal {
  constructor(
    readonly fn: Value,
    readonly args: Value[],
  ) {
    super();
  }
}

/** Park the task: the scheduler interprets `wait` and later resumes the task with a value.
 *  Without an argument the Block is its own wait (a subclass that carries the wait's fields). */
export class Block extends Signal {
  readonly wait: unknown;
  constructor(wait?: unknown) {
    super();
    this.wait = wait ?? this;
  }
}
