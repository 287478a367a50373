/**
 * A writable text stream that turns each line written to it into a log event, and the redirection
 * of standard output and standard error into the log.
 * @packageDocumentation
 */

import { TextDecoder } from "node:util";
import { LogLevel } from "./levels.js";
import type { Logger } from "./logger.js";

/**
 * A stream-like object whose `write` logs: each complete line written becomes one event, with
 * format `"{log_io}"` and the line (without its newline) in `log_io`. A partial line waits for
 * the rest. `LogBeginner` routes `process.stdout` (level `info`) and `process.stderr` (`error`)
 * through these.
 */
export class LoggingFile {
  /** The level of the events. */
  readonly level: LogLevel;
  /** The logger the events go through. */
  readonly log: Logger;
  private buffer = "";
  private isClosed = false;
  private readonly decoder: TextDecoder;

  /**
   * @param logger - the logger to emit through; its namespace names the stream.
   * @param level - the level of the events; default `info`.
   * @param encoding - how to decode bytes written; default `"utf-8"`.
   */
  constructor(logger: Logger, level: LogLevel = LogLevel.info, encoding = "utf-8") {
    this.log = logger;
    this.level = level;
    this.decoder = new TextDecoder(encoding);
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** The encoding used to decode bytes. */
  get encoding(): string {
    return this.decoder.encoding;
  }

  /** `<LoggingFile namespace#level>`. */
  get name(): string {
    return `<LoggingFile ${this.log.namespace}#${this.level}>`;
  }

  /**
   * Log every complete line in the text written so far.
   * @param message - text, or bytes in this file's encoding.
   * @throws Error when the file is closed.
   */
  write(message: string | Uint8Array): void {
    if (this.isClosed) throw new Error("I/O operation on closed file");
    const text =
      typeof message === "string" ? message : this.decoder.decode(message, { stream: true });
    const lines = (this.buffer + text).split("\n");
    this.buffer = lines.pop() ?? "";
    for (const line of lines) this.log.emit(this.level, "{log_io}", { log_io: line });
  }

  /**
   * Write each piece in turn (no newlines are added).
   * @param lines - the pieces.
   */
  writelines(lines: Iterable<string | Uint8Array>): void {
    for (const line of lines) this.write(line);
  }

  /** Does nothing: complete lines are logged at once. */
  flush(): void {}

  /** Refuse further writes. */
  close(): void {
    this.isClosed = true;
  }

  /** Not a terminal. */
  isatty(): boolean {
    return false;
  }

  /** No file descriptor backs this file: `-1`. */
  fileno(): number {
    return -1;
  }
}

/**
 * A stream whose `write` can be redirected: `process.stdout`, `process.stderr`, or a fake with
 * the same method.
 */
export interface RedirectableStream {
  /** Node's `Writable.write(chunk, encoding?, callback?)`, or any `write(text)`. */
  write(chunk: string | Uint8Array, ...rest: never[]): unknown;
}

/** The standard streams `LogBeginner` may redirect: `process` itself, or a fake for tests. */
export interface StandardIO {
  /** Standard output; its lines become `info` events in namespace `"stdout"`. */
  readonly stdout: RedirectableStream;
  /** Standard error; its lines become `error` events in namespace `"stderr"`. */
  readonly stderr: RedirectableStream;
}

type WriteFunction = (chunk: unknown, ...rest: unknown[]) => unknown;

const originals = new WeakMap<object, { write: WriteFunction; own: boolean }>();

/**
 * Replace `stream.write` so that writes become log events through `file`, except while
 * `passThrough()` is true (an observer writing to the real stream while delivering an event),
 * when they reach the original `write`.
 * @internal
 */
export function redirectStream(
  stream: RedirectableStream,
  file: LoggingFile,
  passThrough: () => boolean,
): void {
  const writable = stream as unknown as { write: WriteFunction };
  const saved = originals.get(stream) ?? {
    write: writable.write,
    own: Object.hasOwn(stream, "write"),
  };
  originals.set(stream, saved);
  const original = saved.write;
  writable.write = function redirectedWrite(chunk: unknown, ...rest: unknown[]): unknown {
    if (passThrough()) return original.call(stream, chunk, ...rest);
    file.write(typeof chunk === "string" || chunk instanceof Uint8Array ? chunk : String(chunk));
    const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
    if (callback !== undefined) queueMicrotask(callback);
    return true;
  };
}

/**
 * Put back the `write` that `redirectStream` replaced. Does nothing for a stream that was not
 * redirected.
 * @internal
 */
export function restoreStream(stream: RedirectableStream): void {
  const saved = originals.get(stream);
  if (saved === undefined) return;
  if (saved.own) (stream as unknown as { write: WriteFunction }).write = saved.write;
  else delete (stream as unknown as { write?: WriteFunction }).write;
  originals.delete(stream);
}
