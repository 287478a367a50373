/**
 * System event triggers: the three phases ("before", "during", "after") of startup and
 * shutdown, Twisted's `_ThreePhaseEvent`.
 * @packageDocumentation
 */

import { Deferred } from "../defer/deferred.js";
import { DeferredList } from "../defer/list.js";
import type { Failure } from "../failure.js";
import type { SystemEventPhase, SystemEventTriggerID } from "../interfaces/reactor.js";
import { Logger } from "../logger/index.js";

const log = new Logger({ namespace: "twisted-ts.internet.base" });

interface Trigger extends SystemEventTriggerID {
  fn: (...args: never[]) => unknown;
  args: readonly unknown[];
}

/**
 * The triggers of one system event. "before" triggers run first and may return Deferreds; once
 * those have all fired, the "during" and then the "after" triggers run. Triggers added while the
 * event fires run if their phase has not passed; a trigger is removed once it has run. An error
 * in a trigger is logged and the others still run.
 */
export class ThreePhaseEvent {
  private readonly phases: Record<SystemEventPhase, Trigger[]> = {
    before: [],
    during: [],
    after: [],
  };
  private firing = false;

  /**
   * @param eventType - "startup" or "shutdown", for the IDs and logs.
   */
  constructor(readonly eventType: "startup" | "shutdown") {}

  /** Add a trigger; see `IReactorCore.addSystemEventTrigger`. */
  add(
    phase: SystemEventPhase,
    fn: (...args: never[]) => unknown,
    args: readonly unknown[],
  ): SystemEventTriggerID {
    const list = this.phases[phase];
    if (list === undefined) throw new RangeError(`unknown system event phase: ${String(phase)}`);
    const trigger: Trigger = { phase, eventType: this.eventType, fn, args };
    list.push(trigger);
    return trigger;
  }

  /**
   * Remove a trigger.
   * @throws RangeError when it is not (or no longer) registered.
   */
  remove(id: SystemEventTriggerID): void {
    const list = this.phases[id.phase];
    const index = list?.indexOf(id as Trigger) ?? -1;
    if (list === undefined || index < 0) throw new RangeError("no such system event trigger");
    list.splice(index, 1);
  }

  /**
   * Fire the event: every phase in order.
   * @returns a Deferred that fires once the "after" triggers have run.
   */
  fire(): Deferred<void> {
    const done = new Deferred<void>();
    if (this.firing) {
      done.callback(undefined);
      return done;
    }
    this.firing = true;
    const waits: Deferred<unknown>[] = [];
    for (let t = this.phases.before.shift(); t !== undefined; t = this.phases.before.shift()) {
      const result = this.call(t);
      if (result instanceof Deferred) {
        waits.push(
          result.addErrback((failure: Failure) => {
            log.failure("Unhandled error in a before-{eventType} trigger's Deferred", failure, {
              eventType: this.eventType,
            });
          }),
        );
      }
    }
    const rest = () => {
      for (const phase of ["during", "after"] as const) {
        for (let t = this.phases[phase].shift(); t !== undefined; t = this.phases[phase].shift()) {
          this.call(t);
        }
      }
      this.firing = false;
      done.callback(undefined);
    };
    if (waits.length === 0) rest();
    else new DeferredList(waits).addCallback(rest);
    return done;
  }

  private call(trigger: Trigger): unknown {
    try {
      return (trigger.fn as (...args: readonly unknown[]) => unknown)(...trigger.args);
    } catch (error) {
      log.failure("Unhandled error in system event trigger ({eventType} {phase})", error, {
        eventType: this.eventType,
        phase: trigger.phase,
      });
      return undefined;
    }
  }
}
