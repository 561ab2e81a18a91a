// A task of the evaluator: the scheduler's task and the state the session's one machine resumes
// it from, in one object (the machine itself is shared: see Machine.stepState).
import type { LispError } from "../core/error.js";
import { formatLoc, type Loc, type Value } from "../core/types.js";
import type { MachineState, StepResult, UserCall } from "../vm/machine.js";
import type { Frame } from "../vm/objects.js";
import { Task, describeWait, type TaskBody, type Wait } from "../runtime/task.js";
import type { SessionContext } from "./context.js";

export class TaskMachine extends Task implements TaskBody, MachineState {
  fr: Frame | null;
  val: Value = null;
  handlers: unknown = null;
  failure: LispError | null = null;
  cancelRequested = false;
  userCall: UserCall | null = null;

  constructor(
    readonly session: SessionContext,
    fn: Value,
    args: Value[],
    spawnedAt: Loc | string | undefined,
    parent: Task | null,
  ) {
    const sch = session.scheduler;
    super(sch.newId(), null, spawnedAt, parent, sch.stamp());
    this.fr = session.machine.firstFrame(fn, args, this);
  }

  /** A wait inside the prelude (channel->list) is described at the user's call that led there:
   *  (tasks) and deadlock reports name the user's line. */
  override get waitingOn(): string | null {
    const w = this.wait;
    if (w === null) return null;
    const at = w.loc?.file === "prelude.lisp" ? this.userSite() : undefined;
    return at ? `${w.op} at ${formatLoc(at)}` : describeWait(w);
  }

  /** The innermost call site in the user's code: on the saved frames, else the latest tail call
   *  into the prelude. */
  private userSite(): Loc | undefined {
    for (let f = this.fr; f !== null; f = f.parent) {
      const loc = f.code.sites[f.pc];
      if (loc !== undefined && loc.file !== "prelude.lisp" && loc.file !== "<applier>") return loc;
    }
    return this.userCall?.loc;
  }

  step(budget: number): StepResult {
    return this.session.machine.stepState(this, this, budget);
  }
  takeWait(): Wait {
    return this.session.machine.takeWait() as Wait;
  }
  resume(v: Value): void {
    this.val = v;
  }
  requestCancel(): void {
    this.session.machine.requestCancelOf(this);
  }
  result(): Value {
    return this.val;
  }
  failureOf(): LispError | null {
    return this.failure;
  }
}
