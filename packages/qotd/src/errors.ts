/**
 * The errors of `@twisted-ts/qotd`. Each class extends core's `TwistedError`, so it has a stable
 * `code` and is recognised by `instanceof` across copies of the package (an ESM and a CJS copy,
 * or two installed versions).
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error this package raises (`ERR_QOTD`). */
export class QOTDError extends TwistedError {
  static override readonly code: string = "ERR_QOTD";
}

/**
 * A quoter had no quote to give: a fortune file that holds no quote (empty, or only `%`
 * separators and blank lines), or a `FortuneQuoter` given no files at all.
 */
export class NoQuotesError extends QOTDError {
  static override readonly code: string = "ERR_QOTD_NO_QUOTES";
  /** The files that were read and found empty; empty when the quoter was given no files. */
  readonly files: readonly string[];

  /**
   * @param files - the files that held no quote.
   */
  constructor(files: readonly string[]) {
    super(
      files.length === 0
        ? "no fortune files were given"
        : `no quotes in ${files.map((f) => JSON.stringify(f)).join(", ")}`,
    );
    this.files = Object.freeze([...files]);
  }
}

/**
 * A fortune file could not be read: it is missing, unreadable, or not a regular file. The
 * operating system's error is the `cause` (its `code`, such as `"ENOENT"`, is copied to
 * `systemCode`).
 */
export class QuoteFileError extends QOTDError {
  static override readonly code: string = "ERR_QOTD_QUOTE_FILE";
  /** The file that could not be read. */
  readonly path: string;
  /** The system error code (`"ENOENT"`, `"EACCES"`, `"EISDIR"`, …), when there is one. */
  readonly systemCode: string | undefined;

  /**
   * @param path - the file.
   * @param cause - the error reading it.
   */
  constructor(path: string, cause: unknown) {
    const systemCode =
      typeof cause === "object" &&
      cause !== null &&
      typeof (cause as { code?: unknown }).code === "string"
        ? (cause as { code: string }).code
        : undefined;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`cannot read the fortune file ${JSON.stringify(path)}: ${detail}`, { cause });
    this.path = path;
    this.systemCode = systemCode;
  }
}

/**
 * A quoter gave something that is not a string (a JavaScript caller broke the `IQuoter`
 * contract). The server answers with its fallback quote, as for any other quoter failure.
 */
export class InvalidQuoteError extends QOTDError {
  static override readonly code: string = "ERR_QOTD_INVALID_QUOTE";
  /** What the quoter gave. */
  readonly value: unknown;

  /**
   * @param value - what the quoter gave instead of a string.
   */
  constructor(value: unknown) {
    super(`a quoter must give a string, got ${value === null ? "null" : typeof value}`);
    this.value = value;
  }
}

/**
 * `getQuote` (the client) received more bytes than its `maxLength` before the server closed
 * the connection. The connection is aborted.
 */
export class QuoteTooLongError extends QOTDError {
  static override readonly code: string = "ERR_QOTD_QUOTE_TOO_LONG";
  /** The limit that was crossed, in bytes. */
  readonly maxLength: number;

  /**
   * @param maxLength - the limit, in bytes.
   */
  constructor(maxLength: number) {
    super(`the server sent more than ${maxLength} bytes`);
    this.maxLength = maxLength;
  }
}

/**
 * The `twist qotd` plugin was given options that do not go together, or a bad value: both
 * `--quote` and `--fortune`, no `--listen`, or an unsupported `--listen` description.
 */
export class QOTDUsageError extends QOTDError {
  static override readonly code: string = "ERR_QOTD_USAGE";
}
