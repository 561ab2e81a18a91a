// The scheduler: a run queue of tasks, each run for a step budget (preemption), with regular
// yields to Node's event loop so timers and I/O callbacks run; one timer heap; deadlock detection;
// the clock the tasks see, real or virtual.
import { VirtualClock, monotonicMs, realClock, type Clock } from "./clock.js";
import { Deque } from "./deque.js";
import { TimerHeap, type Timer } from "./timers.js";
import { LiveTasks, Task, type TaskBody, type Wait } from "./task.js";
import type { Loc } from "../core/types.js";
import type { Channel } from "./channel.js";

export const STEP_BUDGET = 20000;
/** how long the scheduler runs tasks before yielding to the event loop (real time, whatever the clock) */
const SLICE_MS = 4;
/** the virtual time a task's full step budget costs: under a virtual clock, CPU-bound work moves
 *  the clock by this much each time it is preempted */
export const VIRTUAL_BUDGET_MS = 1;
/** how long a cancelled task's finally blocks may run: past it, the cleanup is abandoned with a
 *  warning (docs/concurrency.md, Cancellation) */
export const CLEANUP_BOUND_MS = 5000;

export interface SchedulerHooks {
  /** a task failed and nobody supervises it */
  onUnhandledFailure(task: Task): void;
  /** the main task is blocked and nothing else can run */
  onDeadlock(main: Task, blocked: Task[]): void;
  /** the main task raised an error that nothing caught */
  onMainFailed(main: Task): void;
  /** main finished and no task can make progress */
  onFinished(main: Task): void;
  /** a cancelled task's cleanup ran past CLEANUP_BOUND_MS and was abandoned; waitingOn is what it
   *  was waiting on then */
  onCleanupAbandoned(task: Task, waitingOn: string | null): void;
}

export class Scheduler {
  private readonly runQueue = new Deque<Task>(1024);
  private readonly immediates = new Deque<Timer>();
  readonly timers: TimerHeap;
  readonly live = new LiveTasks();
  private nextId = 1;
  private ioInFlight = 0;
  private loopScheduled = false;
  private running = false;
  private ended = false;
  main: Task | null = null;
  maxTasks = 100_000;
  /** counts live spawned tasks (main not counted) */
  spawnedLive = 0;
  /** the real time at the slice's latest clock check: cheap timestamps for task bookkeeping */
  private sliceClock = 0;
  /** failures sent on a channel and not received yet, by the value sent (see handOver) */
  readonly unread = new Map<unknown, Task>();
  /** the time every deadline, duration and timestamp of the tasks is read from */
  readonly now: () => number;
  /** set when the clock is virtual: then the scheduler moves it (see tick and runOne) */
  private readonly virtual: VirtualClock | null;

  constructor(
    private readonly hooks: SchedulerHooks,
    readonly clock: Clock = realClock,
  ) {
    this.virtual = clock instanceof VirtualClock ? clock : null;
    this.now = clock.now.bind(clock);
    // under a virtual clock no host timer is armed: the scheduler jumps to the deadlines itself
    this.timers = new TimerHeap(this.now, this.virtual ? null : () => this.tick());
  }

  spawn(body: TaskBody, spawnedAt: Loc | string | undefined, parent: Task | null, isMain = false): Task {
    return this.admit(new Task(this.newId(), body, spawnedAt, parent, this.stamp()), isMain);
  }

  /** The id for a new task. */
  newId(): number {
    return this.nextId++;
  }

  /** The time for a new task's startedAt: the slice's clock while tasks run (no clock read per
   *  spawn; a virtual clock costs nothing to read). */
  stamp(): number {
    return this.running && this.virtual === null ? this.sliceClock : this.now();
  }

  /** Schedules a task made by the caller (with newId and stamp): a Task subclass that is its own body. */
  admit(t: Task, isMain = false): Task {
    this.live.add(t);
    if (isMain) this.main = t;
    else this.spawnedLive++;
    this.enqueue(t);
    return t;
  }

  get atTaskLimit(): boolean {
    return this.spawnedLive >= this.maxTasks;
  }

  /** Makes a task runnable and makes sure the loop will run. */
  private enqueue(t: Task): void {
    t.state = "runnable";
    this.runQueue.push(t);
    if (!this.running) this.ensureLoop();
  }

  private ensureLoop(): void {
    if (this.loopScheduled || this.running || this.ended) return;
    this.loopScheduled = true;
    setImmediate(() => {
      this.loopScheduled = false;
      this.tick();
    });
  }

  /** A timer that wakes the loop; the callback runs inside the scheduler. A zero delay runs
   *  at the next slice instead of paying the host timer's 1 ms minimum. */
  after(ms: number, fn: () => void): Timer {
    if (ms > 0) return this.timers.add(ms, fn);
    const t: Timer = { at: 0, fn, cancelled: false, index: -1 };
    this.immediates.push(t);
    this.ensureLoop();
    return t;
  }

  private runImmediates(): void {
    for (let n = this.immediates.length; n > 0; n--) {
      const t = this.immediates.shift() as Timer;
      if (!t.cancelled) {
        t.cancelled = true;
        t.fn();
      }
    }
  }

  /** Parks a blocked task on its wait. */
  private park(t: Task, wait: Wait): void {
    t.state = "blocked";
    t.wait = wait;
    const gen = ++t.gen;
    if (wait.io) this.ioInFlight++;
    const undo = wait.parkDirect
      ? wait.parkDirect(t, gen)
      : (wait.park as NonNullable<Wait["park"]>)(t, (v) => this.wake(t, gen, v));
    if (t.gen === gen) t.undo = undo ?? null;
  }

  /** Wakes a task parked at generation gen with a value. The generation moves on at the first
   *  wake or unpark, so any later wake of that parking is stale and ignored. */
  wake(t: Task, gen: number, v: unknown): void {
    if (t.gen !== gen) return;
    t.gen++;
    if ((t.wait as Wait).io) this.ioInFlight--;
    t.undo = null;
    t.wait = null;
    t.body.resume(v);
    this.enqueue(t);
  }

  /** Work outside the scheduler that will wake tasks when it ends, without a task parked on it
   *  (stream-map's items on worker threads): the program is not deadlocked while it runs. */
  hostWorkStarted(): void {
    this.ioInFlight++;
  }
  hostWorkEnded(): void {
    this.ioInFlight--;
    // nothing may be runnable now: look again whether the program is done or deadlocked
    if (this.ioInFlight === 0) this.ensureLoop();
  }

  /** Takes a blocked task off its wait without waking it (for cancellation). */
  private unpark(t: Task): void {
    const w = t.wait;
    if (w === null || t.state !== "blocked") return;
    t.gen++;
    if (w.io) this.ioInFlight--;
    const undo = t.undo;
    t.undo = null;
    t.wait = null;
    if (undo) undo.call(w);
  }

  /** Cancels a task: it stops at its next step, its wait is undone (which aborts its host work),
   *  its finally blocks run, and the tasks it owns are cancelled too. Once cancelled, a task is
   *  not cancelled again (its finally blocks run to their end), but a cleanup still running
   *  CLEANUP_BOUND_MS later is abandoned. The pending bound is a timer, so the program waits for
   *  the cleanup before it ends. */
  cancel(t: Task): void {
    if (t.finished || t.cancelling) return;
    t.cancelling = true;
    if (t.hasChildren) for (const c of t.children) this.cancel(c);
    t.body.requestCancel();
    t.cleanupTimer = this.after(CLEANUP_BOUND_MS, () => this.abandonCleanup(t));
    if (t.state === "blocked") {
      this.unpark(t);
      this.enqueue(t);
    }
  }

  /** Ends a cancelled task whose cleanup outlived its bound, without running it again. */
  private abandonCleanup(t: Task): void {
    t.cleanupTimer = null;
    if (t.finished) return;
    this.hooks.onCleanupAbandoned(t, t.waitingOn);
    this.unpark(t);
    // a queued entry of it is skipped: its state is no longer runnable
    this.finishTask(t, "cancelled");
  }

  /** A task's result is sent on ch by whoever took it (spawn-link, a worker pool's reply, a
   *  stream-map output). A failure so sent is handled once a receiver takes it from the channel;
   *  until then it is in `unread`, and the session reports what is left there at the end. Call it
   *  before sending v. */
  handOver(t: Task, v: unknown, ch: Channel): void {
    t.supervised = true;
    if (t.state !== "failed") return;
    this.unread.set(v, t);
    ch.onTake ??= (x) => {
      this.unread.delete(x);
    };
  }

  /** Runs tasks until the slice is used up, then yields to the event loop. */
  tick(): void {
    if (this.running || this.ended) return;
    this.running = true;
    try {
      this.timers.runDue();
      this.sliceClock = monotonicMs();
      const deadline = this.sliceClock + SLICE_MS;
      let runs = 0;
      for (;;) {
        // zero-delay wake-ups (sleep 0) join the back of the queue, as a yield
        if (this.immediates.length) this.runImmediates();
        const t = this.runQueue.shift();
        if (t === undefined) {
          if (!this.jumpToNextDeadline()) break;
          if ((++runs & 31) === 0 && this.sliceOver(deadline)) return;
          continue;
        }
        if (t.state !== "runnable") continue;
        const usedBudget = this.runOne(t);
        if (this.ended) return;
        // reading the clock costs: look after a full budget or every 32 short runs
        if ((usedBudget || (++runs & 31) === 0) && this.sliceOver(deadline)) return;
      }
      this.checkQuiescent();
    } finally {
      this.running = false;
    }
  }

  /** Past the slice's deadline (real time): runs the due timers and, if tasks are waiting, yields
   *  to the event loop (true). */
  private sliceOver(deadline: number): boolean {
    if ((this.sliceClock = monotonicMs()) < deadline) return false;
    this.timers.runDue();
    if (this.runQueue.length === 0) return false;
    this.running = false;
    this.ensureLoop();
    return true;
  }

  /** Under a virtual clock, when nothing can run and no host I/O is in flight: moves the clock to
   *  the earliest deadline and runs the timers due then, with no real waiting. False when there is
   *  no such deadline (or the clock is real: the host timer wakes the loop at the deadline). */
  private jumpToNextDeadline(): boolean {
    if (this.virtual === null || this.ioInFlight > 0 || this.timers.pending === 0) return false;
    this.virtual.advanceTo(this.timers.next);
    this.timers.runDue();
    return true;
  }

  /** Runs one task for a budget; true when it used the whole budget (and was preempted). */
  private runOne(t: Task): boolean {
    t.state = "running";
    const out = t.body.step(STEP_BUDGET);
    switch (out) {
      case "yield":
        this.runQueue.push(t);
        t.state = "runnable";
        // under a virtual clock a budget of CPU costs VIRTUAL_BUDGET_MS; the tasks woken by the
        // timers due by then queue behind this one, as with the real clock
        if (this.virtual !== null) {
          this.virtual.advanceTo(this.now() + VIRTUAL_BUDGET_MS);
          this.timers.runDue();
        }
        return true;
      case "block":
        this.park(t, t.body.takeWait());
        // cancelled while it ran (by itself, or by a task it woke): act on it now, not after
        // the wait it has just started
        if (t.body.cancelRequested) {
          this.unpark(t);
          this.enqueue(t);
        }
        return false;
      default:
        this.finishTask(t, out);
        return false;
    }
  }

  private finishTask(t: Task, out: "done" | "failed" | "cancelled"): void {
    this.live.delete(t);
    if (t !== this.main) this.spawnedLive--;
    if (t.parent?.hasChildren) t.parent.children.delete(t);
    if (t.hasChildren) for (const c of t.children) this.cancel(c);
    if (t.cleanupTimer !== null) {
      this.timers.cancel(t.cleanupTimer);
      t.cleanupTimer = null;
    }
    t.finish(out);
    if (out === "failed" && t === this.main) this.hooks.onMainFailed(t);
    else if (out === "failed" && !t.supervised) this.hooks.onUnhandledFailure(t);
  }

  /** Nothing is runnable: finish, report a deadlock, or wait for timers and I/O. */
  private checkQuiescent(): void {
    if (this.runQueue.length || this.ended) return;
    const main = this.main;
    if (!main) return;
    if (this.timers.pending > 0 || this.ioInFlight > 0) return;
    this.ended = true;
    if (main.finished) {
      this.hooks.onFinished(main);
      return;
    }
    const blocked = [...this.live].filter((x) => x.state === "blocked");
    this.hooks.onDeadlock(main, blocked);
  }

  /** Stops scheduling (exit, end of program). */
  stop(): void {
    this.ended = true;
  }

  /** Schedules again after a stop (the REPL runs one main task per entry). */
  restart(): void {
    this.ended = false;
    if (this.runQueue.length) this.ensureLoop();
  }
}
