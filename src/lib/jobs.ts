// Builtins whose work grows with their input (sort, distinct, range, json-parse, str...) run as
// jobs: a generator that does the work and yields, every so often, how many steps it has done
// since it last yielded (a step being about one Lisp call's worth of work). `runJob` charges the
// steps to the task's budget; once the budget is spent, the builtin returns a CallReq to the
// prelude's %job-resume, whose entry finds the budget spent and suspends: the task is preempted
// like any Lisp loop, other tasks and timers run, a deadline or a cancellation stops it, and the
// next slice goes on with %job-continue. Small inputs finish within the first slice.
import { EMPTY, Pair, type List, type Value } from "../core/types.js";
import type { Machine } from "../vm/machine.js";
import { CallReq } from "../vm/objects.js";
import { contextOf } from "../session/context.js";
import { builtins } from "./registry.js";
import { typeError } from "./args.js";
import { printing } from "../syntax/printer.js";

/** The work of one builtin call: yields the steps done since the last yield, returns the result. */
export type Job = Generator<number, Value, void>;

/** How many items a job handles between yields. What it yields is their cost in steps, measured
 *  against a Lisp call (about 16 ns): a comparison or a move 1, a list item walked 2, a cons 4
 *  (allocation), an item's display form 8, a hash-set lookup 32. A step budget (20,000) then
 *  takes about a millisecond. */
export const CHUNK = 1024;

/** A job waiting for the task's next slice: what %job-resume passes back to %job-continue. */
class PendingJob {
  constructor(
    readonly op: string,
    readonly job: Job,
  ) {}
  printTag(): string {
    return `#<job ${this.op}>`;
  }
}

/** Runs the job until it ends (its value) or the task's budget is spent (a CallReq continuing it). */
export function runJob(m: Machine, op: string, job: Job): Value {
  for (;;) {
    const r = job.next();
    if (r.done === true) return r.value;
    m.budget -= r.value;
    if (m.budget <= 0) return new CallReq(contextOf(m).cell("%job-resume").v, [new PendingJob(op, job)]);
  }
}

/** Runs the job to its end in one go: for callers that are not builtins (the host's HTTP and database code). */
export function finish(job: Job): Value {
  for (;;) {
    const r = job.next();
    if (r.done === true) return r.value;
  }
}

builtins("core")(
  {
    name: "%job-continue",
    arity: [1, 1],
    usage: "(%job-continue job)",
    doc: "Goes on with a builtin's work that was suspended when its task's slice ended. Used by %job-resume.",
    examples: [],
  },
  (args, m) => {
    const p = args[0];
    if (!(p instanceof PendingJob)) typeError("%job-continue", "a pending job", p);
    return runJob(m, p.op, p.job);
  },
);

/** The items of a list (walked CHUNK pairs at a time) or of anything `convert` accepts, as a fresh array. */
export function* itemsOf(
  op: string,
  v: Value,
  convert: (op: string, v: Value) => Value[],
): Generator<number, Value[], void> {
  if (!(v instanceof Pair)) return convert(op, v);
  const out: Value[] = [];
  for (let p: List = v; p instanceof Pair; p = p.cdr) {
    if (out.push(p.car) % CHUNK === 0) yield 2 * CHUNK;
  }
  return out;
}

/** The list (item(0) ... item(n - 1)), consed CHUNK at a time from the end. */
export function* listOf(n: number, item: (i: number) => Value): Generator<number, List, void> {
  let r: List = EMPTY;
  for (let i = n - 1; i >= 0; i--) {
    r = new Pair(item(i), r);
    if (i % CHUNK === 0 && i > 0) yield 4 * CHUNK;
  }
  return r;
}

/** The write form of v (the display form when raw and v is a string), as a job: an item printed
 *  costs 8 steps. */
export function* printed(v: Value, raw: boolean): Generator<number, string, void> {
  const p = printing(v, raw);
  for (;;) {
    const r = p.next();
    if (r.done === true) return r.value;
    yield 8 * r.value;
  }
}
