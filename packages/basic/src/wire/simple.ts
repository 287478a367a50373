/**
 * The stateless wire protocols: Echo (RFC 862), Discard (RFC 863), Quote of the Day (RFC 865)
 * and Active Users (RFC 866), over TCP and over UDP. Twisted's `twisted.protocols.wire`.
 * @packageDocumentation
 */
import { DatagramProtocol, Protocol, type UDPAddressTuple, type WriteData } from "@twisted-ts/core";

/**
 * Echo (RFC 862) over TCP: every byte received is written straight back, as it arrives. The
 * classic first server and a handy test peer. Twisted's `wire.Echo`.
 *
 * @example
 * ```ts
 * reactor.listenTCP(7, Factory.forProtocol(Echo));
 * ```
 */
export class Echo extends Protocol {
  /**
   * Write the bytes back to the peer.
   * @param data - the bytes received.
   */
  override dataReceived(data: Buffer): void {
    this.transport?.write(data);
  }
}

/**
 * Discard (RFC 863) over TCP: everything received is thrown away and nothing is ever sent. A
 * sink for measuring throughput. Twisted's `wire.Discard`.
 */
export class Discard extends Protocol {
  /**
   * Ignore the bytes.
   * @param _data - the bytes received.
   */
  override dataReceived(_data: Buffer): void {}
}

/**
 * Quote of the Day (RFC 865) over TCP, Twisted's tiny fixed-quote server: on connection it
 * writes `getQuote()` ("An apple a day keeps the doctor away.\r\n") and closes. Override
 * `getQuote` for another quote. Twisted's `wire.QOTD`.
 *
 * For quotes from files, several quoters, the 512-character cap and UDP rate limiting, use the
 * full server in `@twisted-ts/qotd`.
 */
export class QOTD extends Protocol {
  /** Write the quote, then close once it has been sent. */
  override connectionMade(): void {
    this.transport?.write(this.getQuote());
    this.transport?.loseConnection();
  }

  /**
   * The quote to send. Override it in a subclass.
   * @returns the quote, with its line ending: bytes, or a string sent as UTF-8.
   */
  getQuote(): WriteData {
    return "An apple a day keeps the doctor away.\r\n";
  }
}

/**
 * Active Users (RFC 866) over TCP: on connection it writes `getUsers()` ("root\r\n") and
 * closes. Override `getUsers` to report real users (RFC 866 leaves the format free: one user
 * per line is usual). Twisted's `wire.Who`.
 */
export class Who extends Protocol {
  /** Write the user list, then close once it has been sent. */
  override connectionMade(): void {
    this.transport?.write(this.getUsers());
    this.transport?.loseConnection();
  }

  /**
   * The list of active users. Override it in a subclass.
   * @returns the list, with line endings: bytes, or a string sent as UTF-8.
   */
  getUsers(): WriteData {
    return "root\r\n";
  }
}

/**
 * Echo (RFC 862) over UDP: each datagram is sent back, unchanged, to its sender.
 *
 * Differences from Twisted: Twisted's `wire` has no UDP protocols; RFC 862 defines this one.
 * Like every UDP echo, it reflects traffic to whatever source address a datagram claims: do not
 * expose it to untrusted networks.
 */
export class EchoUDP extends DatagramProtocol {
  /**
   * Send the datagram back.
   * @param datagram - the bytes received.
   * @param addr - the sender, which gets the copy.
   */
  override datagramReceived(datagram: Buffer, addr: UDPAddressTuple): void {
    this.transport?.write(datagram, addr);
  }
}

/**
 * Discard (RFC 863) over UDP: every datagram is ignored and nothing is sent.
 *
 * Differences from Twisted: Twisted's `wire` has no UDP protocols; RFC 863 defines this one.
 */
export class DiscardUDP extends DatagramProtocol {
  /**
   * Ignore the datagram.
   * @param _datagram - the bytes received.
   * @param _addr - the sender.
   */
  override datagramReceived(_datagram: Buffer, _addr: UDPAddressTuple): void {}
}

/**
 * Quote of the Day (RFC 865) over UDP: each datagram, whatever it holds, is answered with one
 * datagram holding `getQuote()`.
 *
 * Differences from Twisted: Twisted's `wire` has no UDP protocols; RFC 865 defines this one.
 * It answers every datagram, so it can be abused to reflect traffic at a forged source: the
 * server in `@twisted-ts/qotd` limits the rate per source; this tiny one does not.
 */
export class QOTDUDP extends DatagramProtocol {
  /**
   * Answer with the quote.
   * @param _datagram - the request; its content is ignored.
   * @param addr - the sender, which gets the quote.
   */
  override datagramReceived(_datagram: Buffer, addr: UDPAddressTuple): void {
    this.transport?.write(this.getQuote(), addr);
  }

  /**
   * The quote to send. Override it in a subclass.
   * @returns the quote: bytes, or a string sent as UTF-8 (RFC 865 asks for at most 512
   *   characters).
   */
  getQuote(): WriteData {
    return "An apple a day keeps the doctor away.\r\n";
  }
}

/**
 * Active Users (RFC 866) over UDP: each datagram, whatever it holds, is answered with one
 * datagram holding `getUsers()`.
 *
 * Differences from Twisted: Twisted's `wire` has no UDP protocols; RFC 866 defines this one.
 * A list too long for one datagram should be split over several, which this one never does.
 */
export class WhoUDP extends DatagramProtocol {
  /**
   * Answer with the user list.
   * @param _datagram - the request; its content is ignored.
   * @param addr - the sender, which gets the list.
   */
  override datagramReceived(_datagram: Buffer, addr: UDPAddressTuple): void {
    this.transport?.write(this.getUsers(), addr);
  }

  /**
   * The list of active users. Override it in a subclass.
   * @returns the list, with line endings: bytes, or a string sent as UTF-8.
   */
  getUsers(): WriteData {
    return "root\r\n";
  }
}
