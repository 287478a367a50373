/**
 * Protocols for tests: `AccumulatingProtocol` and `LineSendingProtocol`.
 * @packageDocumentation
 */
import type { Deferred } from "../defer/deferred.js";
import type { Failure } from "../failure.js";
import type { WriteData } from "../interfaces/transport.js";
import { Protocol, transportOf } from "../protocol/protocol.js";
import { bytesOf } from "./bytes.js";

/**
 * What an `AccumulatingProtocol` looks for on its factory: a Deferred to fire (once) with the
 * first protocol that connects.
 */
export interface AccumulatingFactory {
  /** Fired with the first protocol whose `connectionMade` runs, then cleared. */
  protocolConnectionMade?: Deferred<AccumulatingProtocol> | undefined;
}

/**
 * A protocol that keeps everything it receives and notes when it connects and disconnects:
 * Twisted's `AccumulatingProtocol`. Use it as the far end of a connection in a test, then check
 * `data`, `made`, `closed` and `closedReason`.
 *
 * When its factory has a `protocolConnectionMade` Deferred, `connectionMade` clears it and fires
 * it with this protocol; when `closedDeferred` is set, `connectionLost` clears it and fires it
 * with undefined. So a test can wait for either.
 *
 * Differences from Twisted: `made` and `closed` are booleans, and `connectionLost` also sets
 * `connected` to false (through `Protocol.connectionLost`).
 */
export class AccumulatingProtocol extends Protocol<AccumulatingFactory> {
  /** Whether `connectionMade` has been called. */
  made = false;
  /** Whether `connectionLost` has been called. */
  closed = false;
  /** The reason given to `connectionLost`, once it has been called. */
  closedReason: Failure | undefined = undefined;
  /** When set, fired with undefined (and cleared) by `connectionLost`. */
  closedDeferred: Deferred<void> | undefined = undefined;
  /** Every byte received, in order. */
  data: Buffer = Buffer.alloc(0);

  /** Note the connection, and fire the factory's `protocolConnectionMade` if it has one. */
  override connectionMade(): void {
    this.made = true;
    const factory = this.factory;
    const d = factory?.protocolConnectionMade;
    if (factory !== undefined && d !== undefined) {
      factory.protocolConnectionMade = undefined;
      d.callback(this);
    }
  }

  /**
   * Append to `data`.
   * @param data - the bytes received.
   */
  override dataReceived(data: Buffer): void {
    this.data = Buffer.concat([this.data, data]);
  }

  /**
   * Note the loss and its reason, and fire `closedDeferred` if it is set.
   * @param reason - why the connection ended.
   */
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.closed = true;
    this.closedReason = reason;
    const d = this.closedDeferred;
    if (d !== undefined) {
      this.closedDeferred = undefined;
      d.callback(undefined);
    }
  }
}

const CRLF = Buffer.from("\r\n");

/**
 * A protocol that sends a list of lines and records the lines it receives: Twisted's
 * `LineSendingProtocol`. With `start` (the default) it sends every line, each followed by
 * CRLF, as soon as it connects; without it, it sends them all in answer to the first line it
 * receives. Received lines (split on CRLF, without it) collect in `response`; `lostConn`
 * becomes true when the connection is lost.
 *
 * Differences from Twisted: it is not a `LineReceiver` (that lives in `@twisted-ts/basic`, which
 * depends on this package), so it only splits on CRLF and has no line length limit. Lines may be
 * strings (sent as UTF-8); received lines are Buffers.
 */
export class LineSendingProtocol extends Protocol {
  /** The lines still to send (emptied once sent in answer to a line). */
  lines: WriteData[];
  /** The lines received, without their CRLF. */
  readonly response: Buffer[] = [];
  /** Whether the lines are sent on connection (true) or in answer to the first line. */
  readonly start: boolean;
  /** Whether `connectionLost` has been called. */
  lostConn = false;
  private buffer: Buffer = Buffer.alloc(0);

  /**
   * @param lines - the lines to send, without line endings.
   * @param start - send them on connection (true, the default) or after the first line received.
   */
  constructor(lines: readonly WriteData[], start = true) {
    super();
    this.lines = [...lines];
    this.start = start;
  }

  /** Send the lines, when `start` is true. */
  override connectionMade(): void {
    if (this.start) for (const line of this.lines) this.sendLine(line);
  }

  /**
   * Split the bytes into lines and hand each to `lineReceived`.
   * @param data - the bytes received.
   */
  override dataReceived(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (let end = this.buffer.indexOf(CRLF); end >= 0; end = this.buffer.indexOf(CRLF)) {
      const line = this.buffer.subarray(0, end);
      this.buffer = this.buffer.subarray(end + CRLF.length);
      this.lineReceived(Buffer.from(line));
    }
  }

  /**
   * Record a line; the first one triggers sending the lines when `start` is false.
   * @param line - the line, without CRLF.
   */
  lineReceived(line: Buffer): void {
    if (!this.start) {
      for (const l of this.lines) this.sendLine(l);
      this.lines = [];
    }
    this.response.push(line);
  }

  /**
   * Write a line followed by CRLF.
   * @param line - the line.
   */
  sendLine(line: WriteData): void {
    transportOf(this).write(Buffer.concat([bytesOf(line), CRLF]));
  }

  /** Note the loss in `lostConn`. */
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lostConn = true;
  }
}
