/**
 * The system event triggers of `MemoryReactor`: recorded for inspection, fired on demand.
 * @packageDocumentation
 */
import { Deferred } from "../defer/deferred.js";
import { DeferredList } from "../defer/list.js";
import type { Failure } from "../failure.js";
import type {
  SystemEventPhase,
  SystemEventTriggerID,
  SystemEventType,
} from "../interfaces/reactor.js";
import { Logger } from "../logger/index.js";

const log = new Logger({ namespace: "twisted-ts.internet.testing" });

const PHASES: readonly SystemEventPhase[] = ["before", "during", "after"];
const EVENTS: readonly SystemEventType[] = ["startup", "shutdown"];

/** A trigger as `MemoryReactor.triggers` records it: the function and its arguments. */
export type RecordedTrigger = readonly [fn: (...args: unknown[]) => unknown, args: unknown[]];

/**
 * The triggers added with `addSystemEventTrigger`, by phase and then by event type, as Twisted's
 * `MemoryReactor.triggers` dict of dicts: `triggers.before?.shutdown` lists the "before shutdown"
 * triggers in the order they were added.
 */
export type RecordedTriggers = Partial<
  Record<SystemEventPhase, Partial<Record<SystemEventType, RecordedTrigger[]>>>
>;

interface TriggerID extends SystemEventTriggerID {
  readonly entry: RecordedTrigger;
}

/**
 * Keeps the triggers of a fake reactor and fires them. A trigger stays in the record after it
 * has run, but runs at most once.
 * @internal
 */
export class SystemEvents {
  /** The record, as `MemoryReactor.triggers`. */
  readonly triggers: RecordedTriggers = {};
  private readonly ran = new WeakSet<RecordedTrigger>();

  /**
   * Record a trigger.
   * @throws RangeError for an unknown phase or event type.
   */
  add<A extends unknown[]>(
    phase: SystemEventPhase,
    eventType: SystemEventType,
    fn: (...args: A) => unknown,
    args: A,
  ): SystemEventTriggerID {
    if (!PHASES.includes(phase)) throw new RangeError(`unknown system event phase: ${phase}`);
    if (!EVENTS.includes(eventType)) throw new RangeError(`unknown system event: ${eventType}`);
    const entry: RecordedTrigger = [fn as (...args: unknown[]) => unknown, args];
    this.listFor(phase, eventType, true).push(entry);
    const id: TriggerID = { phase, eventType, entry };
    return id;
  }

  /**
   * Remove a trigger from the record.
   * @throws RangeError when it is not (or no longer) there.
   */
  remove(id: SystemEventTriggerID): void {
    const entry = (id as Partial<TriggerID>).entry;
    const list = this.listFor(id.phase, id.eventType, false);
    const index = entry === undefined || list === undefined ? -1 : list.indexOf(entry);
    if (list === undefined || index < 0) throw new RangeError("no such system event trigger");
    list.splice(index, 1);
  }

  /**
   * Run the triggers of `eventType` that have not run yet: "before" (waiting for the Deferreds
   * they return), then `atDuring`, then "during" and "after", then `atEnd`. When no "before"
   * trigger returns a Deferred, all of this happens now, and whatever a trigger (or `atDuring`,
   * or `atEnd`) throws propagates to the caller. When some do, the rest happens once they have
   * all fired, and an error is logged instead (as is a failing Deferred).
   * @param eventType - the event.
   * @param atDuring - called when the "during" phase begins.
   * @param atEnd - called after the "after" triggers.
   */
  fire(eventType: SystemEventType, atDuring: () => void, atEnd: () => void): void {
    const waits: Deferred<unknown>[] = [];
    this.runPhase("before", eventType, (result) => {
      if (result instanceof Deferred) {
        waits.push(
          (result as Deferred<unknown>).addErrback((failure: Failure) => {
            log.failure("Unhandled error in a before-{eventType} trigger's Deferred", failure, {
              eventType,
            });
          }),
        );
      }
    });
    const rest = (): void => {
      atDuring();
      this.runPhase("during", eventType);
      this.runPhase("after", eventType);
      atEnd();
    };
    if (waits.length === 0) {
      rest();
      return;
    }
    new DeferredList(waits).addCallback(() => {
      try {
        rest();
      } catch (error) {
        log.failure("Unhandled error while firing {eventType} triggers", error, { eventType });
      }
    });
  }

  private runPhase(
    phase: SystemEventPhase,
    eventType: SystemEventType,
    onResult: (result: unknown) => void = () => {},
  ): void {
    // Triggers added to this phase while it runs run too.
    for (;;) {
      const list = this.listFor(phase, eventType, false) ?? [];
      const next = list.find((entry) => !this.ran.has(entry));
      if (next === undefined) return;
      this.ran.add(next);
      const [fn, args] = next;
      onResult(fn(...args));
    }
  }

  private listFor(
    phase: SystemEventPhase,
    eventType: SystemEventType,
    create: true,
  ): RecordedTrigger[];
  private listFor(
    phase: SystemEventPhase,
    eventType: SystemEventType,
    create: false,
  ): RecordedTrigger[] | undefined;
  private listFor(
    phase: SystemEventPhase,
    eventType: SystemEventType,
    create: boolean,
  ): RecordedTrigger[] | undefined {
    let byEvent = this.triggers[phase];
    if (byEvent === undefined) {
      if (!create) return undefined;
      byEvent = {};
      this.triggers[phase] = byEvent;
    }
    let list = byEvent[eventType];
    if (list === undefined && create) {
      list = [];
      byEvent[eventType] = list;
    }
    return list;
  }
}
