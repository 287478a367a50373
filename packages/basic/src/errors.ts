/**
 * The errors of `@twisted-ts/basic`. Each class extends core's `TwistedError`, so it has a stable
 * `code` and is recognised by `instanceof` across copies of the package (an ESM and a CJS copy,
 * or two installed versions).
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/**
 * A hook that a subclass is meant to override was called without being overridden: for
 * example `lineReceived` on a `LineReceiver` that does not define it. Twisted raises Python's
 * `NotImplementedError` in the same places.
 */
export class NotImplementedError extends TwistedError {
  static override readonly code: string = "ERR_NOT_IMPLEMENTED";

  /**
   * @param method - the name of the hook that is missing, e.g. `"LineReceiver.lineReceived"`.
   */
  constructor(method: string) {
    super(`${method} is not implemented: override it in a subclass`);
  }
}

/**
 * `sendString` of a length-prefixed receiver (`Int8StringReceiver`, `Int16StringReceiver`,
 * `Int32StringReceiver`) was given a string whose length does not fit in the prefix: at least
 * 2^(8 × prefixLength) bytes. Nothing is written. Twisted's `StringTooLongError`.
 *
 * Differences from Twisted: Twisted's class is an `AssertionError`; this one is a
 * `TwistedError` and carries the numbers as fields.
 */
export class StringTooLongError extends TwistedError {
  static override readonly code: string = "ERR_STRING_TOO_LONG";
  /** How many bytes the string had. */
  readonly length: number;
  /** The largest length the prefix can carry: 2^(8 × prefixLength) − 1. */
  readonly maximum: number;

  /**
   * @param length - the length of the refused string, in bytes.
   * @param maximum - the largest length the prefix can carry, in bytes.
   */
  constructor(length: number, maximum: number) {
    super(`cannot send ${length} bytes: the length prefix allows at most ${maximum}`);
    this.length = length;
    this.maximum = maximum;
  }
}

/**
 * Why a netstring was refused:
 * - `"missing-length"`: the netstring does not start with a length (no digits, a leading zero,
 *   or something other than a colon after the digits);
 * - `"too-long"`: the length has too many digits, or is larger than `MAX_LENGTH`;
 * - `"missing-comma"`: the payload is not followed by a comma (the peer sent more data than it
 *   declared, or a broken terminator).
 */
export type NetstringParseErrorKind = "missing-length" | "too-long" | "missing-comma";

/**
 * The bytes a `NetstringReceiver` received are not a valid netstring. The receiver hands it to
 * `handleParseError`, which by default drops the connection and sets `brokenPeer`. Twisted's
 * `NetstringParseError`.
 *
 * Differences from Twisted: Twisted's class is a `ValueError` with only a message; this one also
 * says which rule was broken (`kind`).
 */
export class NetstringParseError extends TwistedError {
  static override readonly code: string = "ERR_NETSTRING_PARSE";
  /** Which rule of the netstring format the peer broke. */
  readonly kind: NetstringParseErrorKind;

  /**
   * @param kind - which rule was broken.
   * @param message - what went wrong, for people; a sentence for `kind` by default.
   */
  constructor(kind: NetstringParseErrorKind, message: string = defaultMessage(kind)) {
    super(message);
    this.kind = kind;
  }
}

function defaultMessage(kind: NetstringParseErrorKind): string {
  switch (kind) {
    case "missing-length":
      return "the netstring does not start with a valid length";
    case "too-long":
      return "the netstring is longer than MAX_LENGTH";
    case "missing-comma":
      return "the netstring is not terminated by a comma";
  }
}

/**
 * The consumer of a `FileSender` called `stopProducing` before the whole file was sent (the
 * connection went away, for example). The Deferred returned by `beginFileTransfer` fails with
 * it. Its message is Twisted's: "Consumer asked us to stop producing".
 *
 * Differences from Twisted: Twisted fails with a bare `Exception`; this class has a `code`.
 */
export class ProducerStoppedError extends TwistedError {
  static override readonly code: string = "ERR_PRODUCER_STOPPED";

  /** @param message - what went wrong; Twisted's sentence by default. */
  constructor(message = "Consumer asked us to stop producing") {
    super(message);
  }
}
