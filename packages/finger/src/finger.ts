/**
 * `Finger`: Twisted's `twisted.protocols.finger.Finger`, the base class of a finger server
 * that refuses everything. Subclass it and override `getUser`, `getDomain` and `forwardQuery`.
 * @packageDocumentation
 */
import { LineReceiver } from "@twisted-ts/basic";
import { type FingerQuery, MAX_QUERY_LENGTH, parseQuery } from "./query.js";

/**
 * A finger server that answers one query line and closes: Twisted's `finger.Finger`. The base
 * class refuses every query with Twisted's exact strings and `\n` line ends:
 *
 * - `user@host` → `Finger forwarding service denied\n` (`forwardQuery`);
 * - an empty query → `Finger online list denied\n` (`getDomain`);
 * - `user` → `Login: user\n` then `No such user\n` (`getUser`).
 *
 * Override those three methods to answer; {@link FingerProtocol} does, from an
 * `IFingerService`.
 *
 * Lines end with `\n`; a `\r` before it is dropped, so RFC 1288's CRLF and a bare LF (as `nc`
 * sends) both work. Only the first line is read: what follows it is ignored. The line is
 * decoded as UTF-8 and parsed by `parseQuery`.
 *
 * Differences from Twisted: `/W` is recognised as a token (RFC 1288), so `"/W"` alone is a
 * long query for all users (Twisted takes it for a user named `/W`); a line of several other
 * words is, as in Twisted, a long query for the last word. Twisted cuts the user before slicing
 * out the host, so its `forwardQuery` always gets an empty host; here it gets the rightmost host
 * and the user with any other hosts (`joe@a@b` → user `joe@a`, host `b`), as RFC 1288 forwards.
 * User names are strings, not bytes.
 */
export class Finger<F = unknown> extends LineReceiver<F> {
  /** Lines end with LF (a CR before it is dropped by the parser). */
  override delimiter: Buffer = Buffer.from("\n");
  /** The longest query line accepted, in bytes (`MAX_QUERY_LENGTH`, 1024). */
  override MAX_LENGTH = MAX_QUERY_LENGTH;
  /** True once the query line has arrived; later bytes are ignored. */
  queried = false;

  /**
   * Parse the query and dispatch it to `forwardQuery`, `getUser` or `getDomain`.
   * @param line - the query line, without its LF.
   */
  override lineReceived(line: Buffer): void {
    if (this.queried) return;
    this.queried = true;
    // Ignore whatever follows the query line.
    this.setRawMode();
    this.queryReceived(parseQuery(line));
  }

  /**
   * Bytes after the query line: ignored.
   * @param _data - the bytes.
   */
  override rawDataReceived(_data: Buffer): void {}

  /**
   * Dispatch a parsed query. Several words after `/W` are, as in Twisted, a long query for
   * the last one.
   * @param query - the query.
   */
  queryReceived(query: FingerQuery): void {
    let { long, user, hosts } = query;
    const last = query.extra[query.extra.length - 1];
    if (last !== undefined) {
      const again = parseQuery(last);
      long = true;
      user = again.user;
      hosts = again.hosts;
    }
    const host = hosts[hosts.length - 1];
    if (host !== undefined) {
      this.forwardQuery(long, [user, ...hosts.slice(0, -1)].join("@"), host);
    } else if (user !== "") {
      this.getUser(long, user);
    } else {
      this.getDomain(long);
    }
  }

  /**
   * Write a refusal and close the connection.
   * @param message - the message, without its line end (`\n` is added).
   */
  refuseMessage(message: string): void {
    this.transport?.write(`${message}\n`);
    this.transport?.loseConnection();
  }

  /**
   * A forwarding query (`user@host`). The base class refuses it: `Finger forwarding service
   * denied`.
   * @param _slashW - whether `/W` was given.
   * @param _user - the query to pass on: the user, with any hosts but the last.
   * @param _host - the host to forward to (the rightmost one).
   */
  forwardQuery(_slashW: boolean, _user: string, _host: string): void {
    this.refuseMessage("Finger forwarding service denied");
  }

  /**
   * A query for all users (an empty query). The base class refuses it: `Finger online list
   * denied`.
   * @param _slashW - whether `/W` was given.
   */
  getDomain(_slashW: boolean): void {
    this.refuseMessage("Finger online list denied");
  }

  /**
   * A query for one user. The base class answers `Login: <user>` and `No such user`.
   * @param _slashW - whether `/W` was given.
   * @param user - the user name.
   */
  getUser(_slashW: boolean, user: string): void {
    this.transport?.write(`Login: ${user}\n`);
    this.refuseMessage("No such user");
  }

  /**
   * A query line longer than `MAX_LENGTH`: drop the connection (nothing is answered).
   * @param _line - the buffered bytes.
   */
  override lineLengthExceeded(_line: Buffer): void {
    this.transport?.loseConnection();
  }
}
