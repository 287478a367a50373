/**
 * Character Generator (RFC 864), over TCP and UDP, and the RFC's line pattern.
 * @packageDocumentation
 */
import {
  DatagramProtocol,
  type IPullProducer,
  Protocol,
  type UDPAddressTuple,
} from "@twisted-ts/core";

/** How many characters a Character Generator line holds, before its CRLF (RFC 864). */
export const CHARGEN_LINE_LENGTH = 72;

/** How many lines the pattern has before it repeats: one per printing ASCII character. */
export const CHARGEN_PATTERN_LINES = 95;

/** The 95 printing ASCII characters, space (0x20) to tilde (0x7e), as RFC 864's ring. */
const RING = Buffer.from(Array.from({ length: CHARGEN_PATTERN_LINES }, (_, i) => 0x20 + i));

/** One full period of the pattern: lines 0 to 94, each with its CRLF. */
const PATTERN: Buffer = Buffer.concat(
  Array.from({ length: CHARGEN_PATTERN_LINES }, (_, n) => {
    const line = Buffer.alloc(CHARGEN_LINE_LENGTH + 2);
    for (let i = 0; i < CHARGEN_LINE_LENGTH; i++) {
      line[i] = RING[(n + i) % CHARGEN_PATTERN_LINES] as number;
    }
    line[CHARGEN_LINE_LENGTH] = 0x0d;
    line[CHARGEN_LINE_LENGTH + 1] = 0x0a;
    return line;
  }),
);

/** The size of one line on the wire: 72 characters and CRLF. */
const LINE_BYTES = CHARGEN_LINE_LENGTH + 2;

/**
 * Line `n` of RFC 864's "popular pattern": number the 95 printing ASCII characters 0 (space) to
 * 94 (`~`) around a ring; line n holds characters n to n + 71 (mod 95), then CRLF. The pattern
 * repeats every 95 lines.
 * @param n - the line number, from 0 (any integer ≥ 0; it is taken mod 95).
 * @returns the 74 bytes of the line, CRLF included (a new Buffer).
 * @throws RangeError when `n` is not an integer ≥ 0.
 */
export function chargenLine(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`a chargen line number is an integer >= 0, got ${String(n)}`);
  }
  const start = (n % CHARGEN_PATTERN_LINES) * LINE_BYTES;
  return Buffer.from(PATTERN.subarray(start, start + LINE_BYTES));
}

/**
 * The first `length` bytes of the pattern (from line 0, CRLFs included): what a UDP answer
 * carries.
 * @param length - how many bytes, 0 to 7030 (one full period).
 * @returns the bytes (a new Buffer).
 * @throws RangeError when `length` is not an integer in that range.
 */
export function chargenBytes(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > PATTERN.length) {
    throw new RangeError(
      `chargen length must be an integer from 0 to ${PATTERN.length}, got ${String(length)}`,
    );
  }
  return Buffer.from(PATTERN.subarray(0, length));
}

/**
 * Character Generator (RFC 864) over TCP: once connected it sends the RFC's rotating pattern
 * until the peer goes away, and throws away anything it receives. It is a pull producer: it
 * registers itself with the transport on `connectionMade`, and each `resumeProducing` writes
 * the next line, so the transport's flow control sets the pace. Twisted's `wire.Chargen`.
 *
 * Differences from Twisted: Twisted writes the same 72-byte string (without a line ending) on
 * every resume; this one writes RFC 864's pattern, a new 72-character line and CRLF each time,
 * shifted by one character per line. After `stopProducing` (the connection is going away) it
 * writes nothing more.
 */
export class Chargen extends Protocol implements IPullProducer {
  /** The number of the next line of the pattern to write, 0 to 94 (it wraps around to 0). */
  line = 0;
  /** Whether `stopProducing` has been called. */
  stopped = false;

  /** Register as a pull producer of the transport, which then asks for lines. */
  override connectionMade(): void {
    this.transport?.registerProducer(this, false);
  }

  /** Write the next line of the pattern (nothing once stopped). */
  resumeProducing(): void {
    if (this.stopped || this.transport === undefined) return;
    const n = this.line;
    this.line = (n + 1) % CHARGEN_PATTERN_LINES;
    this.transport.write(chargenLine(n));
  }

  /** Nothing to do: a pull producer only writes when asked. */
  pauseProducing(): void {}

  /** Stop for good: later `resumeProducing` calls write nothing. */
  stopProducing(): void {
    this.stopped = true;
  }
}

/**
 * Character Generator (RFC 864) over UDP: each datagram, whatever it holds, is answered with one
 * datagram of a random length from 0 to 512 bytes, taken from the start of the pattern (the RFC
 * keeps no state between answers).
 *
 * Differences from Twisted: Twisted's `wire` has no UDP protocols; RFC 864 defines this one.
 * An answer can be far larger than the request, which makes open UDP chargen servers a classic
 * amplifier for reflection attacks: do not expose this one to untrusted networks.
 */
export class ChargenUDP extends DatagramProtocol {
  /** The largest answer, in bytes (RFC 864: "between 0 and 512"). */
  static readonly MAX_LENGTH = 512;

  /**
   * @param random - where the answer's length comes from: a function returning a number in
   *   [0, 1), as `Math.random` (the default) does; tests pass a fixed one.
   */
  constructor(readonly random: () => number = Math.random) {
    super();
  }

  /**
   * Answer with a datagram of `floor(random() * 513)` bytes of the pattern.
   * @param _datagram - the request; its content is ignored.
   * @param addr - the sender, which gets the answer.
   */
  override datagramReceived(_datagram: Buffer, addr: UDPAddressTuple): void {
    const r = Math.min(Math.max(this.random(), 0), 1);
    const length = Math.min(Math.floor(r * (ChargenUDP.MAX_LENGTH + 1)), ChargenUDP.MAX_LENGTH);
    this.transport?.write(chargenBytes(length), addr);
  }
}
