// A task: one lightweight thread of the scheduler, running an opaque resumable body.
import { formatLoc, type Loc } from "../core/types.js";
import type { Timer } from "./timers.js";
export type BodyOutcome = "done" | "yield" | "block" | "failed" | "cancelled";

/** What the scheduler runs. The evaluator's machine implements it; the runtime never imports eval. */
export interface TaskBody {
  step(budget: number): BodyOutcome;
  /** the wait the body blocked on (after step returned "block"); clears it */
  takeWait(): Wait;
  resume(value: unknown): void;
  requestCancel(): void;
  /** a cancellation was asked for and the body has not started acting on it yet */
  readonly cancelRequested: boolean;
  result(): unknown;
  failureOf(): unknown;
}

/** Something a task waits on. park registers the task and returns how to undo that registration
 *  (a function, called with the wait as `this`, so a class can return one of its methods). */
export interface Wait {
  /** the operation, e.g. "channel-recv" */
  op: string;
  /** where it was called (described only when someone asks: (tasks), deadlock reports) */
  loc: Loc | undefined;
  /** host I/O in flight: the program is not deadlocked while it runs */
  io?: boolean;
  park?(task: Task, wake: (value: unknown) => void): ((this: Wait) => void) | void;
  /** instead of park (a wait has one of the two): a wait that wakes the task itself with
   *  scheduler.wake(task, gen, value), so parking allocates no closure (channel operations) */
  parkDirect?(task: Task, gen: number): ((this: Wait) => void) | void;
}

export function describeWait(w: Wait): string {
  return w.loc ? `${w.op} at ${formatLoc(w.loc)}` : w.op;
}

/** The live tasks: an intrusive list, so adding and removing one of 100,000 costs no hashing. */
export class LiveTasks implements Iterable<Task> {
  private head: Task | null = null;
  size = 0;
  add(t: Task): void {
    t.nextLive = this.head;
    if (this.head) this.head.prevLive = t;
    this.head = t;
    this.size++;
  }
  delete(t: Task): void {
    if (t.prevLive) t.prevLive.nextLive = t.nextLive;
    else if (this.head === t) this.head = t.nextLive;
    else return;
    if (t.nextLive) t.nextLive.prevLive = t.prevLive;
    t.prevLive = t.nextLive = null;
    this.size--;
  }
  /** oldest first */
  *[Symbol.iterator](): IterableIterator<Task> {
    const all: Task[] = [];
    for (let t = this.head; t !== null; t = t.nextLive) all.push(t);
    for (let i = all.length - 1; i >= 0; i--) yield all[i];
  }
}

export type TaskState = "runnable" | "running" | "blocked" | "done" | "failed" | "cancelled";

export class Task {
  state: TaskState = "runnable";
  wait: Wait | null = null;
  /** undoes the current wait's registration (on cancel); called with the wait as `this` */
  undo: ((this: Wait) => void) | null = null;
  /** bumped on every wake: a wake from an older wait is ignored */
  gen = 0;
  /** whole milliseconds (a small integer, not a boxed double: 100,000 tasks each keep one) */
  readonly startedAt: number;
  /** tasks this one owns (timeout, parallel-map, stream-map, pools): cancelled with it */
  private ownedTasks: Set<Task> | null = null;
  /** someone took this task's result when it ended (task-await, timeout, parallel-map...; for
   *  a result sent on a channel, see Scheduler.handOver): its failure is not printed. Set by the
   *  taker in its done-callback, so a taker that gave up first leaves the failure to be printed. */
  supervised = false;
  /** cancel() was called: later cancellations are ignored, so its finally blocks run to their
   *  end (bounded by CLEANUP_BOUND_MS) */
  cancelling = false;
  /** the timer that abandons the cleanup of a cancelled task after CLEANUP_BOUND_MS */
  cleanupTimer: Timer | null = null;
  /** neighbours in the scheduler's list of live tasks */
  prevLive: Task | null = null;
  nextLive: Task | null = null;
  private doneCallbacks: ((t: Task) => void)[] | null = null;

  /** what runs: a separate body, or the task itself (a subclass that implements TaskBody, so a
   *  task of the evaluator is one object, not two: 100,000 of them are alive at once) */
  readonly body: TaskBody;

  constructor(
    readonly id: number,
    body: TaskBody | null,
    /** where it was spawned: a source position, formatted only when someone asks */
    private readonly spawnSite: Loc | string | undefined,
    readonly parent: Task | null,
    now: number,
    public name: string | null = null,
  ) {
    this.body = body ?? (this as unknown as TaskBody);
    this.startedAt = Math.floor(now);
  }

  get waitingOn(): string | null {
    return this.wait ? describeWait(this.wait) : null;
  }

  get spawnedAt(): string {
    return typeof this.spawnSite === "string" ? this.spawnSite : formatLoc(this.spawnSite);
  }

  get children(): Set<Task> {
    return (this.ownedTasks ??= new Set());
  }
  get hasChildren(): boolean {
    return this.ownedTasks !== null && this.ownedTasks.size > 0;
  }

  get finished(): boolean {
    return this.state === "done" || this.state === "failed" || this.state === "cancelled";
  }

  onDone(cb: (t: Task) => void): () => void {
    if (this.finished) {
      cb(this);
      return () => {};
    }
    (this.doneCallbacks ??= []).push(cb);
    return () => {
      const cbs = this.doneCallbacks;
      const i = cbs ? cbs.indexOf(cb) : -1;
      if (i >= 0) cbs!.splice(i, 1);
    };
  }

  finish(state: "done" | "failed" | "cancelled"): void {
    this.state = state;
    this.wait = null;
    const cbs = this.doneCallbacks;
    this.doneCallbacks = null;
    if (cbs) for (const cb of cbs) cb(this);
  }

  printTag(): string {
    return `#<task ${this.id}>`;
  }
}
