// A task of the evaluator: the scheduler's task and the state the session's one machine resumes
// it from, in one object (the machine itself is shared: see Machine.stepState).
import type { LispError } from "../core/error.js";
import type { Loc, Value } from "../core/types.js";
import type { MachineState, StepResult } from "../vm/machine.js";
import type { Frame } from "../vm/objects.js";
import { Task, type TaskBody, type Wait } from "../runtime/task.js";
import type { SessionContext } from "./context.js";

export class TaskMachine extends Task implements TaskBody, MachineState {
  fr: Frame | null;
  val: Value = null;
  handlers: unknown = null;
  failure: LispError | null = null;
  cancelRequested = false;

  constructor(readonly session: SessionContext, fn: Value, args: Value[], spawnedAt: Loc | string | undefined, parent: Task | null) {
    const sch = session.scheduler;
    super(sch.newId(), null, spawnedAt, parent, sch.stamp());
    this.fr = session.machine.firstFrame(fn, args, this);
  }

  step(budget: number): StepResult { return this.session.machine.stepState(this, this, budget); }
  takeWait(): Wait { return this.session.machine.takeWait() as Wait; }
  resume(v: Value): void { this.val = v; }
  requestCancel(): void { this.session.machine.requestCancelOf(this); }
  result(): Value { return this.val; }
  failureOf(): LispError | null { return this.failure; }
}
