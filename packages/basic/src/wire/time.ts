/**
 * Daytime (RFC 867) and Time (RFC 868), over TCP and UDP, with the clock passed in.
 * @packageDocumentation
 */
import {
  DatagramProtocol,
  type IReactorTime,
  Protocol,
  type UDPAddressTuple,
} from "@twisted-ts/core";

/**
 * Seconds from RFC 868's epoch (1900-01-01T00:00:00Z) to the Unix epoch (1970-01-01T00:00:00Z):
 * 70 years with 17 leap days.
 */
export const RFC868_EPOCH_OFFSET = 2_208_988_800;

/** What Daytime and Time read the time from: anything with `seconds()`, such as a reactor. */
export type SecondsClock = Pick<IReactorTime, "seconds">;

/** The system's wall clock, in seconds since the Unix epoch. Not the reactor: just the time. */
const systemClock: SecondsClock = { seconds: () => Date.now() / 1000 };

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * The time as RFC 868 sends it: whole seconds since 1900-01-01T00:00:00Z, as an unsigned 32-bit
 * number. The count wraps to 0 at 2036-02-07T06:28:16Z (RFC 868's era 0 ends), so the result is
 * taken mod 2^32, as every RFC 868 server does.
 * @param unixSeconds - the time, in seconds since the Unix epoch (fractions are dropped).
 * @returns an integer from 0 to 2^32 − 1.
 * @throws RangeError when `unixSeconds` is not a finite number.
 */
export function rfc868Seconds(unixSeconds: number): number {
  if (!Number.isFinite(unixSeconds)) {
    throw new RangeError(`the time must be a finite number of seconds, got ${String(unixSeconds)}`);
  }
  const total = Math.floor(unixSeconds) + RFC868_EPOCH_OFFSET;
  const mod = 2 ** 32;
  return ((total % mod) + mod) % mod;
}

/**
 * The four bytes a Time server sends: {@link rfc868Seconds}, big-endian.
 * @param unixSeconds - the time, in seconds since the Unix epoch.
 * @returns a new 4-byte Buffer.
 * @throws RangeError when `unixSeconds` is not a finite number.
 */
export function rfc868Bytes(unixSeconds: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(rfc868Seconds(unixSeconds), 0);
  return out;
}

/**
 * The date and time in UTC in C's `asctime` layout, `"Thu Jan  1 00:00:00 1970"` (the day of
 * the month padded with a space to two characters): what Twisted's Daytime meant to send, and
 * what inetd's built-in daytime service sends (in local time there).
 * @param unixSeconds - the time, in seconds since the Unix epoch (fractions are dropped).
 * @returns 24 characters for years 1000 to 9999, without a line ending.
 * @throws RangeError when `unixSeconds` is not a finite number.
 */
export function daytimeString(unixSeconds: number): string {
  if (!Number.isFinite(unixSeconds)) {
    throw new RangeError(`the time must be a finite number of seconds, got ${String(unixSeconds)}`);
  }
  const d = new Date(Math.floor(unixSeconds) * 1000);
  const day = String(d.getUTCDate()).padStart(2, " ");
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${time} ${d.getUTCFullYear()}`;
}

/**
 * Daytime (RFC 867) over TCP: on connection it writes `getDaytime()` (the UTC date and time in
 * `asctime` layout and CRLF, `"Thu Jan  1 00:00:00 1970\r\n"`) and closes. RFC 867 leaves the
 * syntax free; override `getDaytime` for another layout. Twisted's `wire.Daytime`.
 *
 * Differences from Twisted: Twisted's Daytime fails on Python 3 (it adds bytes to a string, so
 * every connection ends in a TypeError and sends nothing); this one sends what it meant to. The
 * clock is a constructor argument (the system clock by default), so tests can fix the time.
 */
export class Daytime extends Protocol {
  /**
   * @param clock - where the time comes from: anything with `seconds()` (a reactor, a `Clock`);
   *   the system's wall clock by default.
   */
  constructor(readonly clock: SecondsClock = systemClock) {
    super();
  }

  /** Write the date and time, then close once they have been sent. */
  override connectionMade(): void {
    this.transport?.write(this.getDaytime());
    this.transport?.loseConnection();
  }

  /**
   * The text to send. Override it for another layout.
   * @returns `daytimeString(clock.seconds())` followed by CRLF.
   */
  getDaytime(): string {
    return `${daytimeString(this.clock.seconds())}\r\n`;
  }
}

/**
 * Time (RFC 868) over TCP: on connection it writes the time as four bytes, big-endian, unsigned:
 * seconds since 1900-01-01T00:00:00Z (mod 2^32), and closes. Twisted's `wire.Time`.
 *
 * Differences from Twisted: Twisted sends seconds since the Unix epoch (1970), packed as a
 * signed number, which RFC 868 clients read as a date 70 years in the past; this one follows
 * RFC 868 (the 1900 epoch, `+ 2 208 988 800`, unsigned, wrapping in 2036). The clock is a
 * constructor argument (the system clock by default), so tests can fix the time.
 */
export class Time extends Protocol {
  /**
   * @param clock - where the time comes from: anything with `seconds()` (a reactor, a `Clock`);
   *   the system's wall clock by default. Its `seconds()` must count from the Unix epoch.
   */
  constructor(readonly clock: SecondsClock = systemClock) {
    super();
  }

  /** Write the four bytes, then close once they have been sent. */
  override connectionMade(): void {
    this.transport?.write(rfc868Bytes(this.clock.seconds()));
    this.transport?.loseConnection();
  }
}

/**
 * Daytime (RFC 867) over UDP: each datagram, whatever it holds, is answered with one datagram
 * holding `getDaytime()`.
 *
 * Differences from Twisted: Twisted's `wire` has no UDP protocols; RFC 867 defines this one.
 */
export class DaytimeUDP extends DatagramProtocol {
  /**
   * @param clock - where the time comes from; the system's wall clock by default.
   */
  constructor(readonly clock: SecondsClock = systemClock) {
    super();
  }

  /**
   * Answer with the date and time.
   * @param _datagram - the request; its content is ignored.
   * @param addr - the sender, which gets the answer.
   */
  override datagramReceived(_datagram: Buffer, addr: UDPAddressTuple): void {
    this.transport?.write(this.getDaytime(), addr);
  }

  /**
   * The text to send. Override it for another layout.
   * @returns `daytimeString(clock.seconds())` followed by CRLF.
   */
  getDaytime(): string {
    return `${daytimeString(this.clock.seconds())}\r\n`;
  }
}

/**
 * Time (RFC 868) over UDP: each datagram (RFC 868 sends an empty one; any is accepted) is
 * answered with the four bytes of {@link rfc868Bytes}.
 *
 * Differences from Twisted: Twisted's `wire` has no UDP protocols; RFC 868 defines this one.
 */
export class TimeUDP extends DatagramProtocol {
  /**
   * @param clock - where the time comes from, in seconds since the Unix epoch; the system's
   *   wall clock by default.
   */
  constructor(readonly clock: SecondsClock = systemClock) {
    super();
  }

  /**
   * Answer with the time.
   * @param _datagram - the request; its content is ignored.
   * @param addr - the sender, which gets the answer.
   */
  override datagramReceived(_datagram: Buffer, addr: UDPAddressTuple): void {
    this.transport?.write(rfc868Bytes(this.clock.seconds()), addr);
  }
}
