/**
 * `ReactorBase`: Twisted's reactor contract (run, stop, system events, time) on Node's event
 * loop.
 * @packageDocumentation
 */
import type { Deferred } from "../defer/deferred.js";
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from "../errors.js";
import type {
  IReactorCore,
  SystemEventPhase,
  SystemEventTriggerID,
  SystemEventType,
} from "../interfaces/reactor.js";
import type { IDelayedCall, IReactorTime } from "../interfaces/time.js";
import { Logger } from "../logger/index.js";
import { DelayedCall, type DelayedCallOwner } from "../task/delayedCall.js";
import { DelayedCallQueue } from "../task/delayedCallQueue.js";
import { ThreePhaseEvent } from "./events.js";

const log = new Logger({ namespace: "twisted-ts.internet.base" });

/** Something the reactor closes at shutdown: a port, a connection, a process. */
export interface ShutdownResource {
  /** Close now; connections tell their protocols `connectionLost`. */
  closeForShutdown(): void;
}

/** Options of `run()`. */
export interface RunOptions {
  /** Stop cleanly on SIGINT and SIGTERM (true by default). */
  installSignalHandlers?: boolean;
}

/** The longest delay Node's `setTimeout` takes, in milliseconds. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The reactor's core on top of Node's event loop: no loop of its own, only Twisted's contract.
 * `callLater` keeps one Node timer armed for the earliest pending call; `run()` keeps the
 * process alive until `stop()`; system event triggers run in Twisted's three phases; a function
 * that throws is logged and the reactor goes on.
 *
 * Timers are unreferenced: they do not keep the process alive by themselves, `run()` does. So a
 * program that never calls `run()` exits as Node programs do.
 */
export class ReactorBase implements IReactorCore, IReactorTime {
  /** Whether the reactor is running: from "during startup" to "during shutdown". */
  running = false;
  private started = false;
  private stopped = true;
  private readonly queue = new DelayedCallQueue();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private keepAlive: NodeJS.Timeout | undefined;
  private finishRun: (() => void) | undefined;
  private signalHandler: (() => void) | undefined;
  private readonly events = {
    startup: new ThreePhaseEvent("startup"),
    shutdown: new ThreePhaseEvent("shutdown"),
  };
  /** @internal Ports and connections to close at shutdown. */
  readonly resources = new Set<ShutdownResource>();
  private readonly owner: DelayedCallOwner = {
    cancelled: (call) => {
      this.queue.remove(call);
      this.armTimer();
    },
    rescheduled: (call) => {
      this.queue.update(call);
      this.armTimer();
    },
    seconds: () => this.seconds(),
  };

  constructor() {
    this.addSystemEventTrigger("during", "startup", () => {
      this.running = true;
    });
    this.addSystemEventTrigger("during", "shutdown", () => this.crash());
    this.addSystemEventTrigger("during", "shutdown", () => this.disconnectAll());
  }

  /** The current time in seconds: the wall clock, read from a monotonic source. */
  seconds(): number {
    return (performance.timeOrigin + performance.now()) / 1000;
  }

  /**
   * Run `fn(...args)` after `delay` seconds. A function that throws is logged; the reactor goes
   * on.
   * @param delay - seconds (float), 0 or more.
   * @param fn - the function.
   * @param args - its arguments.
   * @throws RangeError for a negative or NaN delay.
   */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall {
    if (!(delay >= 0)) throw new RangeError(`callLater delay must be >= 0 seconds, got ${delay}`);
    const call = new DelayedCall(
      this.seconds() + delay,
      fn as (...a: never) => unknown,
      args,
      this.owner,
    );
    this.queue.push(call);
    this.armTimer();
    return call;
  }

  /** Every pending delayed call. */
  getDelayedCalls(): IDelayedCall[] {
    return this.queue.toArray();
  }

  /**
   * Run `fn(...args)` soon, on the reactor, outside the current call stack: Twisted's
   * `callFromThread`. JavaScript code runs on one thread; workers reach the reactor through the
   * thread pool, which uses this.
   */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    setImmediate(() => this.safeCall("callFromThread", fn, args));
  }

  /** @inheritDoc */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (this.running) this.safeCall("callWhenRunning", fn, args);
    else this.addSystemEventTrigger("after", "startup", fn, ...args);
  }

  /** @inheritDoc */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    eventType: SystemEventType,
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTriggerID {
    const event = this.events[eventType];
    if (event === undefined) throw new RangeError(`unknown system event: ${String(eventType)}`);
    return event.add(phase, fn as (...a: never[]) => unknown, args);
  }

  /** @inheritDoc */
  removeSystemEventTrigger(id: SystemEventTriggerID): void {
    this.events[id.eventType].remove(id);
  }

  /** Fire every phase of a system event now. */
  fireSystemEvent(eventType: SystemEventType): void {
    this.fireEvent(eventType);
  }

  /**
   * Run until `stop()`. Startup triggers fire now; the returned Promise settles once shutdown
   * has finished (every trigger has run and every port and connection is closed).
   * @param options - `installSignalHandlers` (true by default): SIGINT/SIGTERM stop cleanly.
   * @throws ReactorAlreadyRunning when running; ReactorNotRestartable when it ran before.
   */
  run(options: RunOptions = {}): Promise<void> {
    if (this.running || (this.started && !this.stopped)) {
      throw new ReactorAlreadyRunning("reactor is already running");
    }
    if (this.started) throw new ReactorNotRestartable("the reactor cannot be restarted");
    this.started = true;
    this.stopped = false;
    this.keepAlive = setInterval(() => {}, MAX_TIMER_MS);
    if (options.installSignalHandlers ?? true) this.installSignalHandlers();
    const finished = new Promise<void>((resolve) => {
      this.finishRun = resolve;
    });
    this.fireEvent("startup");
    return finished;
  }

  /**
   * Shut down on the next turn: "before" shutdown triggers (whose Deferreds are waited for),
   * then ports and connections are closed, then "after" triggers; then `run()` settles.
   * @throws ReactorNotRunning when it is not running.
   */
  stop(): void {
    if (this.stopped) throw new ReactorNotRunning();
    this.stopped = true;
    this.callLater(0, () => {
      this.fireEvent("shutdown").addCallback(() => this.finish());
    });
  }

  /** Stop at once, without shutdown triggers: Twisted's `crash`. */
  crash(): void {
    this.running = false;
  }

  /**
   * @internal Whether shutdown has closed every port and connection: a connection attempt
   * started after that fails at once, so nothing opened late keeps the process alive.
   */
  resourcesClosed = false;

  /** @internal Close every tracked port and connection. */
  disconnectAll(): void {
    this.resourcesClosed = true;
    for (const resource of [...this.resources]) {
      try {
        resource.closeForShutdown();
      } catch (error) {
        log.failure("Error while closing {resource} at shutdown", error, { resource });
      }
    }
  }

  /**
   * @internal Call user code: a throw is logged and swallowed, so the reactor goes on.
   * @returns what `fn` returned, or undefined after a throw.
   */
  safeCall<A extends unknown[]>(what: string, fn: (...args: A) => unknown, args: A): unknown {
    try {
      return fn(...args);
    } catch (error) {
      log.failure("Unhandled error in {what}", error, { what });
      return undefined;
    }
  }

  private fireEvent(eventType: SystemEventType): Deferred<void> {
    return this.events[eventType].fire();
  }

  private finish(): void {
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.removeSignalHandlers();
    const resolve = this.finishRun;
    this.finishRun = undefined;
    resolve?.();
  }

  private installSignalHandlers(): void {
    const handler = (): void => {
      if (!this.stopped) this.stop();
    };
    this.signalHandler = handler;
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  }

  private removeSignalHandlers(): void {
    const handler = this.signalHandler;
    if (handler === undefined) return;
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
    this.signalHandler = undefined;
  }

  /** Keep one Node timer armed for the earliest pending call. */
  private armTimer(): void {
    const first = this.queue.peek();
    const at = first === undefined ? Number.POSITIVE_INFINITY : first.getTime();
    if (at === this.timerAt && this.timer !== undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (first === undefined) return;
    const ms = Math.min(Math.max(0, (at - this.seconds()) * 1000), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.runDueCalls(), ms);
    this.timer.unref();
  }

  /** Run the calls that are due; calls they schedule for "now" run on the next timer. */
  private runDueCalls(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.seconds();
    const due: DelayedCall[] = [];
    for (
      let call = this.queue.peek();
      call !== undefined && call.getTime() <= now;
      call = this.queue.peek()
    ) {
      this.queue.remove(call);
      due.push(call);
    }
    for (const call of due) {
      if (!call.active()) continue;
      try {
        call.invoke();
      } catch (error) {
        log.failure("while handling timed call {call}", error, { call: String(call) });
      }
    }
    this.armTimer();
  }
}
