/**
 * Traffic logging: `TrafficLoggingFactory` writes each connection's traffic to a file of its
 * own; `SpewingFactory` sends it to the log.
 * @packageDocumentation
 */
import { createWriteStream } from "node:fs";
import {
  connectionDone,
  type Failure,
  type IAddress,
  type IProtocol,
  type IProtocolFactory,
  Logger,
  LogLevel,
  type WriteData,
} from "@twisted-ts/core";
import { ProtocolWrapper, WrappingFactory } from "./wrapper.js";

const log = new Logger({ namespace: "twisted-ts.protocols.policies" });

/**
 * Where a {@link TrafficLoggingProtocol} writes its lines: anything with `write(text)`, such as
 * a Node `fs.WriteStream` or any other Writable. `end()` is called, when present, once the
 * connection is over.
 */
export interface TrafficLogSink {
  /**
   * Take one line of the log, with its newline.
   * @param line - the text.
   */
  write(line: string): unknown;
  /** Called once, after the connection's last line. Optional. */
  end?(): unknown;
}

const ELIDED = Buffer.from("<... elided>");

/**
 * Bytes as Python's `repr()` shows them, `b'...'`: the form Twisted's traffic logs use, so logs
 * from both read the same. Printable ASCII is shown as is; `\t`, `\n`, `\r` and backslash are
 * escaped, other bytes as `\xNN`; the quotes are single unless the bytes hold a single quote
 * and no double quote.
 * @param data - the bytes (a string is taken as its UTF-8 encoding).
 * @returns the text.
 */
export function bytesRepr(data: WriteData): string {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of bytes) {
    if (b === 0x5c) out += "\\\\";
    else if (b === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, "0")}`;
    else out += String.fromCharCode(b);
  }
  return `${out}${quote}`;
}

function asBytes(data: WriteData): Buffer {
  return typeof data === "string"
    ? Buffer.from(data, "utf8")
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The wrapper {@link TrafficLoggingFactory} puts around each protocol: it writes one line to
 * its `logfile` for each event, marked with the connection's number n:
 * `*` (connected), `C n: b'…'` (bytes from the client, the peer), `S n: b'…'` (bytes from the
 * server, this side), `SV n: [b'…', …]` (a `writeSequence`), `S n: *` (this side closes) and
 * `C n: [Failure …]` (the connection is lost). Data longer than `lengthLimit` is cut, ending in
 * `<... elided>`. Twisted's `policies.TrafficLoggingProtocol`.
 *
 * Differences from Twisted: the log file is ended when the connection is lost (Twisted never
 * closes it); eliding works on bytes (Twisted's adds a str to bytes and fails on Python 3).
 */
export class TrafficLoggingProtocol extends ProtocolWrapper<TrafficLoggingFactory> {
  /**
   * @param factory - the factory that built it.
   * @param wrappedProtocol - the protocol inside.
   * @param logfile - where the lines go.
   * @param lengthLimit - the most bytes of each chunk to show, or null for all.
   * @param number - the connection's number, shown on each line.
   */
  constructor(
    factory: TrafficLoggingFactory,
    wrappedProtocol: IProtocol,
    readonly logfile: TrafficLogSink,
    readonly lengthLimit: number | null = null,
    readonly number = 0,
  ) {
    super(factory, wrappedProtocol);
  }

  /** Log `*`, the connection is made. */
  override connectionMade(): void {
    this.logLine("*");
    super.connectionMade();
  }

  /**
   * Log the bytes as `C n: b'…'`, then pass them on.
   * @param data - the bytes.
   */
  override dataReceived(data: Buffer): void {
    this.logLine(`C ${this.number}: ${bytesRepr(this.mungeData(data))}`);
    super.dataReceived(data);
  }

  /**
   * Log the reason as `C n: [Failure …]`, pass it on, then end the log file.
   * @param reason - why the connection ended.
   */
  override connectionLost(reason: Failure = connectionDone): void {
    this.logLine(`C ${this.number}: ${String(reason)}`);
    try {
      super.connectionLost(reason);
    } finally {
      this.logfile.end?.();
    }
  }

  /**
   * Log the bytes as `S n: b'…'`, then write them.
   * @param data - bytes, or a string sent as UTF-8.
   */
  override write(data: WriteData): void {
    this.logLine(`S ${this.number}: ${bytesRepr(this.mungeData(data))}`);
    super.write(data);
  }

  /**
   * Log the chunks as `SV n: [b'…', …]`, then write them.
   * @param data - the chunks.
   */
  override writeSequence(data: readonly WriteData[]): void {
    const shown = data.map((chunk) => bytesRepr(this.mungeData(chunk)));
    this.logLine(`SV ${this.number}: [${shown.join(", ")}]`);
    super.writeSequence(data);
  }

  /** Log `S n: *`, then close. */
  override loseConnection(): void {
    this.logLine(`S ${this.number}: *`);
    super.loseConnection();
  }

  /**
   * Write one line to the log file.
   * @param line - the text, without its newline.
   */
  logLine(line: string): void {
    this.logfile.write(`${line}\n`);
  }

  /**
   * The bytes as shown: cut to `lengthLimit`, the last 12 bytes replaced by `<... elided>`.
   * @param data - the chunk.
   * @returns the bytes to show.
   */
  mungeData(data: WriteData): Buffer {
    const bytes = asBytes(data);
    const limit = this.lengthLimit;
    if (limit !== null && limit > 0 && bytes.length > limit) {
      return Buffer.concat([bytes.subarray(0, Math.max(limit - ELIDED.length, 0)), ELIDED]);
    }
    return bytes;
  }
}

/**
 * Logs the traffic of every connection of the wrapped factory, each to a file of its own named
 * `<logfilePrefix>-<n>`, n counting connections from 1. Override `open` to log somewhere else
 * (any {@link TrafficLogSink}). A debugging aid: it writes every byte, so keep it off
 * production servers. Twisted's `policies.TrafficLoggingFactory`.
 *
 * Differences from Twisted: the file is opened with a non-blocking `fs.WriteStream`; a
 * connection the wrapped factory refuses opens no file and takes no number.
 */
export class TrafficLoggingFactory extends WrappingFactory {
  /** The number of the last connection (0 before the first). Twisted's `_counter`. */
  counter = 0;

  /**
   * @param wrappedFactory - the factory whose traffic is logged.
   * @param logfilePrefix - the start of each log file's path.
   * @param lengthLimit - the most bytes of each chunk to show, or null for all.
   */
  constructor(
    wrappedFactory: IProtocolFactory,
    readonly logfilePrefix: string,
    readonly lengthLimit: number | null = null,
  ) {
    super(wrappedFactory);
  }

  /**
   * Open a connection's log. Override to log elsewhere.
   * @param name - the file's path, `<logfilePrefix>-<n>`.
   * @returns a write stream on the file, truncated. A file that cannot be opened or written is
   *   reported once through the logger ("Cannot write traffic log …"); the connection goes on.
   */
  open(name: string): TrafficLogSink {
    const stream = createWriteStream(name, { flags: "w" });
    let reported = false;
    stream.on("error", (error) => {
      if (reported) return;
      reported = true;
      log.failure("Cannot write traffic log {name}", error, { name }, LogLevel.error);
    });
    return stream;
  }

  /**
   * Build the wrapped factory's protocol, number the connection, open its log and wrap.
   * @param addr - the peer's address.
   * @returns the wrapper, or null when the wrapped factory refuses the connection.
   */
  override buildProtocol(addr: IAddress): TrafficLoggingProtocol | null {
    const wrapped = this.wrappedFactory.buildProtocol(addr);
    if (wrapped === null) return null;
    return this.wrapProtocol(wrapped, addr);
  }

  /**
   * Number the connection, open its log, and wrap.
   * @param wrapped - the protocol the wrapped factory built.
   * @param _addr - the peer's address.
   * @returns the wrapper.
   */
  override wrapProtocol(wrapped: IProtocol, _addr: IAddress): TrafficLoggingProtocol {
    this.counter++;
    const logfile = this.open(`${this.logfilePrefix}-${this.counter}`);
    return new TrafficLoggingProtocol(this, wrapped, logfile, this.lengthLimit, this.counter);
  }

  /** Start numbering connections from 1 again. */
  resetCounter(): void {
    this.counter = 0;
  }
}

/**
 * The wrapper {@link SpewingFactory} puts around each protocol: it logs every chunk read
 * ("Received: b'…'") and written ("Sending: b'…'") at info level, through the
 * `twisted-ts.protocols.policies` logger. Twisted's `policies.SpewingProtocol`.
 *
 * Differences from Twisted: a `writeSequence` is logged too (`Sending: [b'…', …]`); Twisted's
 * lets it through unlogged.
 */
export class SpewingProtocol extends ProtocolWrapper {
  /**
   * Log the bytes, then pass them on.
   * @param data - the bytes.
   */
  override dataReceived(data: Buffer): void {
    log.info("Received: {data}", { data: bytesRepr(data) });
    super.dataReceived(data);
  }

  /**
   * Log the bytes, then write them.
   * @param data - bytes, or a string sent as UTF-8.
   */
  override write(data: WriteData): void {
    log.info("Sending: {data}", { data: bytesRepr(data) });
    super.write(data);
  }

  /**
   * Log the chunks, then write them.
   * @param data - the chunks.
   */
  override writeSequence(data: readonly WriteData[]): void {
    log.info("Sending: {data}", { data: `[${data.map((chunk) => bytesRepr(chunk)).join(", ")}]` });
    super.writeSequence(data);
  }
}

/**
 * Logs every chunk its protocols read and write, through the logger (see
 * {@link SpewingProtocol}). A debugging aid. Twisted's `policies.SpewingFactory`.
 */
export class SpewingFactory extends WrappingFactory {
  /**
   * Wrap in a {@link SpewingProtocol}.
   * @param wrapped - the protocol the wrapped factory built.
   * @param _addr - the peer's address.
   * @returns the wrapper.
   */
  override wrapProtocol(wrapped: IProtocol, _addr: IAddress): SpewingProtocol {
    return new SpewingProtocol(this, wrapped);
  }
}
