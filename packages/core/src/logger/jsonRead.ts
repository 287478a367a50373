/**
 * Reading back a file of JSON log events, as `jsonFileLogObserver` writes them.
 * @packageDocumentation
 */

import { TextDecoder } from "node:util";
import { eventFromJSON } from "./json.js";
import { Logger } from "./logger.js";
import type { LogEvent } from "./observer.js";

/** The logger that reports unreadable records; its namespace matches Twisted's. */
const log = new Logger({ namespace: "twisted.logger._json" });

const RS = 0x1e;
const NEWLINE = 0x0a;

/** Splits a byte stream into records and decodes each; a push parser fed chunk by chunk. */
class RecordReader {
  private separator: Buffer | undefined;
  private separated = false;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(recordSeparator: string | null | undefined) {
    if (recordSeparator === "") this.separator = Buffer.from([NEWLINE]);
    else if (typeof recordSeparator === "string") {
      this.separator = Buffer.from(recordSeparator, "utf8");
      this.separated = true;
    }
  }

  feed(chunk: string | Uint8Array): LogEvent[] {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    this.buffer = this.buffer.length === 0 ? bytes : Buffer.concat([this.buffer, bytes]);
    if (this.separator === undefined) {
      if (this.buffer.length === 0) return [];
      // Detect the format from the first byte: RS means a JSON text sequence.
      this.separated = this.buffer[0] === RS;
      this.separator = Buffer.from([this.separated ? RS : NEWLINE]);
    }
    const events: LogEvent[] = [];
    const separator = this.separator;
    let start = 0;
    for (let end = this.buffer.indexOf(separator, start); end >= 0; ) {
      this.record(this.buffer.subarray(start, end), events);
      start = end + separator.length;
      end = this.buffer.indexOf(separator, start);
    }
    this.buffer = this.buffer.subarray(start);
    return events;
  }

  end(): LogEvent[] {
    const events: LogEvent[] = [];
    this.record(this.buffer, events);
    this.buffer = Buffer.alloc(0);
    return events;
  }

  private record(bytes: Buffer, events: LogEvent[]): void {
    if (bytes.length === 0) return;
    if (this.separated && bytes[bytes.length - 1] !== NEWLINE) {
      log.error("Unable to read truncated JSON record: {record!r}", {
        record: bytes.toString("utf8"),
      });
      return;
    }
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      log.error("Unable to decode UTF-8 for JSON record: {record!r}", {
        record: Buffer.from(bytes),
      });
      return;
    }
    if (text.trim() === "") return;
    try {
      events.push(eventFromJSON(text));
    } catch {
      log.error("Unable to read JSON record: {record!r}", { record: text });
    }
  }
}

function* readSync(
  chunks: Iterable<string | Uint8Array>,
  reader: RecordReader,
): Generator<LogEvent> {
  for (const chunk of chunks) yield* reader.feed(chunk);
  yield* reader.end();
}

async function* readAsync(chunks: AsyncIterable<string | Uint8Array>, reader: RecordReader) {
  for await (const chunk of chunks) yield* reader.feed(chunk);
  yield* reader.end();
}

/**
 * Read the events of a JSON log file, as written by `jsonFileLogObserver`. Records that are
 * truncated, not UTF-8 or not JSON are skipped, and each is reported with an `error` event in
 * namespace `"twisted.logger._json"` (with the record in `record`).
 *
 * ```ts
 * for (const event of eventsFromJSONLogFile(readFileSync("app.json"))) console.log(formatEvent(event));
 * for await (const event of eventsFromJSONLogFile(createReadStream("app.json"))) { ... }
 * ```
 *
 * @param input - the whole file (text or bytes), or its chunks: an iterable gives a generator,
 *   an async iterable (a Node readable stream) an async generator.
 * @param recordSeparator - the separator written before each record; `""` for JSON Lines. By
 *   default it is detected: a first byte of `"\x1e"` means JSON text sequences, anything else
 *   JSON Lines.
 * @returns the events, in file order.
 */
export function eventsFromJSONLogFile(
  input: string | Uint8Array | Iterable<string | Uint8Array>,
  recordSeparator?: string | null,
): Generator<LogEvent, void, undefined>;
export function eventsFromJSONLogFile(
  input: AsyncIterable<string | Uint8Array>,
  recordSeparator?: string | null,
): AsyncGenerator<LogEvent, void, undefined>;
export function eventsFromJSONLogFile(
  input: string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  recordSeparator?: string | null,
): Generator<LogEvent, void, undefined> | AsyncGenerator<LogEvent, void, undefined> {
  const reader = new RecordReader(recordSeparator);
  if (typeof input === "string" || input instanceof Uint8Array) return readSync([input], reader);
  if (Symbol.asyncIterator in input) return readAsync(input, reader);
  return readSync(input, reader);
}
