/**
 * The base of observers that are objects you can call, as Twisted's are (`__call__`).
 * @packageDocumentation
 */

import { inspect } from "node:util";
import type { LogEvent } from "./observer.js";

/** The call signature of a `CallableObserver`: calling one delivers an event. */
export interface CallableObserver {
  /** Deliver an event; the same as `observe(event)`. */
  // biome-ignore lint/style/useShorthandFunctionType: only an interface merges with the class.
  (event: LogEvent): void;
}

/**
 * An observer that is also an object with state and methods, such as `LogPublisher` or
 * `FilteringLogObserver`. Its instances are functions: `publisher(event)` delivers the event,
 * exactly as calling any other observer does, so it can be passed wherever an `ILogObserver` is
 * wanted (`new Logger({ observer: publisher })`). Subclasses implement `observe`.
 *
 * `call`, `apply` and `bind` keep their usual function meaning, and, being functions, instances
 * have the own properties `name` and `length`, which subclasses must not use for anything else.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface only adds the call signature.
export abstract class CallableObserver {
  constructor() {
    const self = ((event: LogEvent): void => self.observe(event)) as unknown as CallableObserver;
    Object.setPrototypeOf(self, new.target.prototype);
    // biome-ignore lint/correctness/noConstructorReturn: instances must be callable functions.
    return self;
  }

  /**
   * Handle one event. Calling the observer itself does the same.
   * @param event - the event.
   */
  abstract observe(event: LogEvent): void;

  /** Shown by `util.inspect` and in formatted events: `<ClassName>`. */
  [inspect.custom](): string {
    return `<${this.constructor.name}>`;
  }

  /** `<ClassName>`. */
  toString(): string {
    return `<${this.constructor.name}>`;
  }
}

// Instances are functions, so they keep call/apply/bind and `typeof` says "function".
Object.setPrototypeOf(CallableObserver.prototype, Function.prototype);
