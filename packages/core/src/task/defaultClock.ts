/**
 * The default clock: the `IReactorTime` that `LoopingCall` and the global Cooperator use when
 * none is given. The reactor registers itself here when it is installed.
 * @packageDocumentation
 */

import type { IReactorTime } from "../interfaces/time.js";

const KEY = Symbol.for("twisted-ts.task.defaultClock");

interface Holder {
  [KEY]?: IReactorTime | undefined;
}

const holder = globalThis as Holder;

/**
 * Install the clock that task helpers use when none is given: in Twisted, the global reactor.
 * The installed reactor calls this; tests may call it too (and should put the old value back).
 *
 * The clock is kept on `globalThis` under a `Symbol.for` key, so an ESM and a CJS copy of the
 * package share it.
 *
 * @param clock - the new default clock, or undefined to remove it.
 * @returns the previous default clock, or undefined.
 */
export function setDefaultClock(clock: IReactorTime | undefined): IReactorTime | undefined {
  const previous = holder[KEY];
  holder[KEY] = clock;
  return previous;
}

/**
 * The clock that task helpers use when none is given.
 *
 * Differences from Twisted: Twisted imports the global reactor here, installing the default one
 * if none is; this throws instead, so that nothing starts an event loop behind your back.
 *
 * @returns the clock installed with {@link setDefaultClock}.
 * @throws Error "no reactor installed; set loopingCall.clock …" when there is none.
 */
export function getDefaultClock(): IReactorTime {
  const clock = holder[KEY];
  if (clock === undefined) {
    throw new Error(
      "no reactor installed; set loopingCall.clock (or pass a clock or scheduler), " +
        "or install a reactor (setDefaultClock)",
    );
  }
  return clock;
}
