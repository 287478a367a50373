/**
 * `MessageLogger`: ircLogBot.py's independent logger class (because separation of application
 * and protocol logic is a good thing).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { clockTime, wallClock } from "./timeFormat.js";

/** Where a `MessageLogger` writes: an open file. */
export interface LogFile {
  /** Write `text` now, unbuffered: once it returns, the text is in the file. */
  write(text: string): void;
  /** Close the file. */
  close(): void;
}

/**
 * Open `path` for appending (Python's `open(path, "a")`), creating it when missing. Every
 * `write` is a `writeSync` on the file descriptor, so nothing waits in a buffer: the seed's
 * `file.flush()` after each line is built in.
 * @param path - the log file's path.
 */
export function openLogFile(path: string): LogFile {
  const fd = openSync(path, "a");
  let open = true;
  return {
    write(text: string): void {
      writeSync(fd, text);
    },
    close(): void {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Writes timestamped lines to a file, each one flushed at once. */
export class MessageLogger {
  /**
   * @param file - the open log file.
   * @param now - the time in seconds since the epoch (`time.time()`); a parameter for tests.
   */
  constructor(
    readonly file: LogFile,
    private readonly now: () => number = wallClock,
  ) {}

  /**
   * Write a message to the file: `[HH:MM:SS] message`, in local time.
   * @param message - the line, without its newline.
   */
  log(message: string): void {
    const timestamp = `[${clockTime(this.now())}]`;
    this.file.write(`${timestamp} ${message}\n`);
  }

  /** Close the file. */
  close(): void {
    this.file.close();
  }
}
