/**
 * Helpers for the framing tests: chunked feeding, fake transports and reference models.
 */
import type {
  IAddress,
  IPullProducer,
  IPushProducer,
  ITransport,
  WriteData,
} from "@twisted-ts/core";
import { IPv4Address } from "@twisted-ts/core";
import fc from "fast-check";

/** Anything with `dataReceived`. */
export interface Receiving {
  dataReceived(data: Buffer): unknown;
}

/** `bytes` cut into chunks of `size` bytes (the last one shorter), as fresh Buffers. */
export function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    out.push(Buffer.from(bytes.subarray(at, at + size)));
  }
  return out;
}

/** Feed `bytes` to `protocol` in chunks of `size` bytes. */
export function feed(protocol: Receiving, bytes: Buffer | string, size: number): void {
  for (const chunk of chunksOf(Buffer.from(bytes), size)) protocol.dataReceived(chunk);
}

/**
 * Run `check` once per chunk size, from 1 byte to the whole fixture, each time with a fresh
 * protocol made by `make`. The chunk size is passed on so that a failure names it.
 */
export function atEveryChunkSize<P extends Receiving>(
  bytes: Buffer | string,
  make: () => P,
  check: (protocol: P, size: number) => void,
): void {
  const data = Buffer.from(bytes);
  for (let size = 1; size <= Math.max(1, data.length); size++) {
    const protocol = make();
    feed(protocol, data, size);
    check(protocol, size);
  }
}

/** `bytes` cut at the given sizes, cycling through them (every size at least 1). */
export function splitBy(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes.length === 0 ? bytes.length : sizes[i % sizes.length]!);
    out.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return out;
}

/** fast-check: chunk sizes for `splitBy`. */
export const chunkSizes: fc.Arbitrary<number[]> = fc.array(fc.integer({ min: 1, max: 40 }), {
  minLength: 1,
  maxLength: 20,
});

/**
 * fast-check: a byte stream made of delimiter-like fragments (`\r\n`, `\n`, `ab`, `aa`,
 * `xyz`, a lone `\r`) and short runs of a few letters, so that delimiters, near-delimiters and
 * long lines all turn up.
 */
export const streamOfFragments: fc.Arbitrary<Buffer> = fc
  .array(
    fc.oneof(
      fc.constantFrom("\r\n", "\n", "ab", "aa", "xyz", "\r", "y"),
      fc.stringMatching(/^[abcxyz\r\n]{0,9}$/),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.from(parts.join(""), "latin1"));

/** The strings of `buffers`, in hex, for readable comparisons. */
export function hex(buffers: readonly Uint8Array[]): string[] {
  return buffers.map((b) => Buffer.from(b).toString("hex"));
}

/** The strings of `buffers`, in latin1. */
export function text(buffers: readonly Uint8Array[]): string[] {
  return buffers.map((b) => Buffer.from(b).toString("latin1"));
}

/**
 * A transport that is only a push producer and a write log: Twisted's `OnlyProducerTransport`
 * from test_basic.py.
 */
export class OnlyProducerTransport implements ITransport {
  paused = false;
  disconnecting = false;
  readonly data: Buffer[] = [];

  pauseProducing(): void {
    this.paused = true;
  }
  resumeProducing(): void {
    this.paused = false;
  }
  write(data: WriteData): void {
    this.data.push(Buffer.from(data));
  }
  writeSequence(data: readonly WriteData[]): void {
    for (const chunk of data) this.write(chunk);
  }
  loseConnection(): void {
    this.disconnecting = true;
  }
  getPeer(): IAddress {
    return new IPv4Address("TCP", "127.0.0.1", 1);
  }
  getHost(): IAddress {
    return new IPv4Address("TCP", "127.0.0.1", 2);
  }
  registerProducer(_producer: IPushProducer | IPullProducer, _streaming: boolean): void {}
  unregisterProducer(): void {}
}

/** What a receiver reported, in order: `["line", hex]` or `["long", hex]`. */
export type Event = readonly [kind: string, bytes: string];

/**
 * Twisted's `LineReceiver.dataReceived` in line mode, written as plainly as possible (one
 * `Buffer.concat` per chunk, one search per line): the reference the optimised receiver must
 * agree with. `lineLengthExceeded` records and does not close.
 */
export class LineReceiverModel {
  private buffer: Buffer = Buffer.alloc(0);
  readonly events: Event[] = [];
  constructor(
    private readonly delimiter: Buffer,
    private readonly max: number,
  ) {}

  dataReceived(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    const d = this.delimiter;
    while (this.buffer.length > 0) {
      const at = d.length === 0 ? -1 : this.buffer.indexOf(d);
      if (at === -1) {
        if (this.buffer.length >= this.max + d.length) {
          this.events.push(["long", this.buffer.toString("hex")]);
          this.buffer = Buffer.alloc(0);
        }
        return;
      }
      const line = this.buffer.subarray(0, at);
      if (line.length > this.max) {
        this.events.push(["long", this.buffer.toString("hex")]);
        this.buffer = Buffer.alloc(0);
        return;
      }
      this.buffer = this.buffer.subarray(at + d.length);
      this.events.push(["line", line.toString("hex")]);
    }
  }
}

/** `bytes.split(delimiter)`, as Python does it (left to right, non-overlapping). */
export function splitBytes(bytes: Buffer, delimiter: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const at = bytes.indexOf(delimiter, start);
    if (at === -1) break;
    out.push(bytes.subarray(start, at));
    start = at + delimiter.length;
  }
  out.push(bytes.subarray(start));
  return out;
}

/** Twisted's `LineOnlyReceiver.dataReceived`, plainly; `lineLengthExceeded` records only. */
export class LineOnlyReceiverModel {
  private buffer: Buffer = Buffer.alloc(0);
  readonly events: Event[] = [];
  constructor(
    private readonly delimiter: Buffer,
    private readonly max: number,
  ) {}

  dataReceived(data: Buffer): void {
    const lines = splitBytes(Buffer.concat([this.buffer, data]), this.delimiter);
    this.buffer = lines.pop()!;
    for (const line of lines) {
      if (line.length > this.max) {
        this.events.push(["long", line.toString("hex")]);
        return;
      }
      this.events.push(["line", line.toString("hex")]);
    }
    if (this.buffer.length > this.max) this.events.push(["long", this.buffer.toString("hex")]);
  }
}
