/**
 * `ProcessFingerService`: a command's output as the status (the tutorial's local `finger`).
 * @packageDocumentation
 */
import {
  type Deferred,
  getProcessOutput,
  type IReactorProcess,
  type ProcessEnv,
  succeed,
} from "@twisted-ts/core";
import { capAnswer, MAX_ANSWER_SIZE } from "../answer.js";
import { type IFingerService, NO_SUCH_USER } from "../interfaces.js";

/**
 * Runs a program and gives its output: `getProcessOutput`'s shape.
 * @param executable - the program.
 * @param args - its arguments, without the program name.
 * @returns a Deferred of everything it printed.
 */
export type ProcessRunner = (executable: string, args: readonly string[]) => Deferred<Buffer>;

/** Options of `new ProcessFingerService(command, options)`. */
export interface ProcessFingerServiceOptions {
  /** Spawns the command when no `runner` is given (the reactor). */
  reactor?: IReactorProcess | undefined;
  /** Arguments before the user name; none by default. */
  args?: readonly string[] | undefined;
  /**
   * Runs the command: by default `getProcessOutput` on `reactor`, with this process's
   * environment and standard error mixed into the output. Give a fake in tests.
   */
  runner?: ProcessRunner | undefined;
  /** The most output kept, in bytes; 64 KiB by default (the rest is cut). */
  maxSize?: number | undefined;
  /** The environment: this process's (null) by default. */
  env?: ProcessEnv | undefined;
}

/** The user names `ProcessFingerService` passes to its command: no option, space or host. */
export const SAFE_USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * The status of a user is what `command user` prints: the tutorial's `LocalFingerService` from
 * part 5 (19b), which ran the system's `finger` with `getProcessOutput`.
 *
 * Only names matching {@link SAFE_USER_NAME} reach the command (no leading `-`, no `@`, no
 * spaces), so a query cannot add an option or make the command connect elsewhere; any other
 * name is `"No such user"` without running anything. The output is decoded as UTF-8 and cut
 * at `maxSize` bytes. `getUsers` answers no users, as in the tutorial.
 */
export class ProcessFingerService implements IFingerService {
  /** The command. */
  readonly command: string;
  /** The arguments before the user name. */
  readonly args: readonly string[];
  /** The most output kept, in bytes. */
  readonly maxSize: number;
  private readonly runner: ProcessRunner;

  /**
   * @param command - the program to run; `finger` (looked up in `PATH`) by default.
   * @param options - the reactor (or a runner), arguments, size cap, environment.
   * @throws Error when neither `reactor` nor `runner` is given.
   */
  constructor(command = "finger", options: ProcessFingerServiceOptions = {}) {
    this.command = command;
    this.args = options.args ?? [];
    this.maxSize = options.maxSize ?? MAX_ANSWER_SIZE;
    const { reactor, runner } = options;
    if (runner !== undefined) this.runner = runner;
    else if (reactor !== undefined) {
      const env = options.env === undefined ? null : options.env;
      this.runner = (executable, args) =>
        getProcessOutput(executable, args, env, undefined, reactor, true);
    } else throw new Error("ProcessFingerService needs a reactor or a runner");
  }

  /**
   * Run `command [args…] user`.
   * @param user - the user name.
   * @returns a Deferred of the output (or `"No such user"` for a name that is not safe to
   *   pass); it fails when the command cannot be run.
   */
  getUser(user: string): Deferred<string> {
    if (!SAFE_USER_NAME.test(user)) return succeed(NO_SUCH_USER);
    return this.runner(this.command, [...this.args, user]).addCallback((output: Buffer) => {
      const text = output.toString("utf8");
      const { bytes } = capAnswer(text, this.maxSize);
      return bytes.toString("utf8");
    });
  }

  /**
   * No users are listed.
   * @returns a fired Deferred with an empty list.
   */
  getUsers(): Deferred<string[]> {
    return succeed([]);
  }
}
