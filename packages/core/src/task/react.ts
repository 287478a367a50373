/**
 * `react`: run the reactor around one main function, then end the program. Twisted's
 * `twisted.internet.task.react`.
 * @packageDocumentation
 */
import { maybeDeferred } from "../defer/helpers.js";
import { SystemExit } from "../errors.js";
import type { Failure } from "../failure.js";
import type { IReactorCore } from "../interfaces/reactor.js";
import { Logger } from "../logger/index.js";

const log = new Logger({ namespace: "twisted-ts.internet.task" });

/** What `react` needs of a reactor: to run it, stop it, and start `main` once it runs. */
export type ReactReactor = Pick<IReactorCore, "run" | "stop" | "callWhenRunning" | "running">;

/** Options of `react`. */
export interface ReactOptions {
  /** End the process with the exit code (`process.exit`) once done. False by default. */
  exit?: boolean;
}

/**
 * Run `main(reactor, ...argv)` once the reactor is running, and stop the reactor (exactly once)
 * when its result (a value, a Deferred or a Promise) arrives. A failure is logged as "main
 * function encountered error" and gives exit code 1; a `SystemExit` gives its own code; a
 * success gives 0. The code is set as `process.exitCode`, and the returned Promise resolves with
 * it once the reactor has shut down.
 *
 * Differences from Twisted: Twisted's `react` never returns (it calls `sys.exit`); this one sets
 * `process.exitCode` and returns, unless `options.exit` asks for `process.exit`. If the reactor is
 * stopped by something else first, the code is 0, as in Twisted.
 *
 * @param main - the program: gets the reactor and `argv`.
 * @param argv - extra arguments for `main`.
 * @param reactor - the reactor to run.
 * @param options - see `ReactOptions`.
 */
export async function react<R extends ReactReactor, A extends unknown[]>(
  main: (reactor: R, ...argv: A) => unknown,
  argv: A,
  reactor: R,
  options: ReactOptions = {},
): Promise<number> {
  let code = 0;
  let stopped = false;
  const stop = (): void => {
    if (!stopped && reactor.running) {
      stopped = true;
      reactor.stop();
    }
  };
  reactor.callWhenRunning(() => {
    maybeDeferred(main, reactor, ...argv).addCallbacks(
      () => {
        code = 0;
        stop();
      },
      (failure: Failure) => {
        if (failure.value instanceof SystemExit) {
          code = failure.value.exitCode;
        } else {
          code = 1;
          log.failure("main function encountered error", failure);
        }
        stop();
      },
    );
  });
  await reactor.run();
  process.exitCode = code;
  if (options.exit) process.exit(code);
  return code;
}
