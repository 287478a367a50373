/**
 * Where `twist` logs: standard output or a file, as text or JSON, filtered by level, with the
 * file reopened on SIGHUP (for logrotate).
 * @packageDocumentation
 */
import { closeSync, openSync, writeSync } from "node:fs";
import {
  FilteringLogObserver,
  globalLogBeginner,
  type ILogObserver,
  jsonFileLogObserver,
  type LogLevel,
  LogLevelFilterPredicate,
  textFileLogObserver,
  type WritableTextStream,
} from "@twisted-ts/core";
import type { LogFormat } from "./options.js";

/**
 * A log file opened for appending, written synchronously (a line is on disk, or at least in the
 * kernel, before the next statement runs, so nothing is lost at exit). `reopen` closes and
 * opens the path again: after logrotate has moved the file, logging goes on in a new one.
 */
export class ReopenableLogFile implements WritableTextStream {
  private fd: number;

  /** @param path - the file; created if missing, appended to. */
  constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  /** Append text. */
  write(text: string): void {
    writeSync(this.fd, text);
  }

  /** Close the file and open its path again. */
  reopen(): void {
    const old = this.fd;
    this.fd = openSync(this.path, "a");
    closeSync(old);
  }

  /** Close the file. */
  close(): void {
    closeSync(this.fd);
  }
}

/** What `beginTwistLogging` set up. */
export interface TwistLogging {
  /** The log file, when logging to one. */
  readonly file: ReopenableLogFile | undefined;
  /** Reopen the log file (nothing when logging to standard output). */
  reopen(): void;
  /** Write straight to the real standard error, past the log (for a last fatal line). */
  writeStderr(text: string): void;
}

/** Options of `beginTwistLogging`. */
export interface TwistLoggingOptions {
  /** A path, or `undefined`/"-" for standard output. */
  readonly logfile: string | undefined;
  /** The least important level written. */
  readonly level: LogLevel;
  /** Text lines or JSON. */
  readonly format: LogFormat;
}

/**
 * Begin logging for the process: events at `level` and above go to the log file (or standard
 * output) as Twisted's text lines or as JSON; what the program prints to standard output and
 * standard error is logged too (namespaces `stdout` and `stderr`), as twistd does.
 * @param options - where, how, and from which level.
 * @returns the log file handle and a way to reopen it.
 */
export function beginTwistLogging(options: TwistLoggingOptions): TwistLogging {
  const realStderr = process.stderr.write.bind(process.stderr);
  const realStdout = process.stdout.write.bind(process.stdout);
  const file =
    options.logfile === undefined || options.logfile === "-"
      ? undefined
      : new ReopenableLogFile(options.logfile);
  const stream: WritableTextStream = file ?? { write: (text: string) => realStdout(text) };
  const output: ILogObserver =
    options.format === "json" ? jsonFileLogObserver(stream) : textFileLogObserver(stream);
  const observer = new FilteringLogObserver(output, [new LogLevelFilterPredicate(options.level)]);
  globalLogBeginner.beginLoggingTo([observer], { redirectStandardIO: true });
  return {
    file,
    reopen: () => file?.reopen(),
    writeStderr: (text) => {
      realStderr(text);
    },
  };
}
