/**
 * Benchmark P3: framing receivers over 100 MB cut into random chunks.
 *
 * Lines (P3a–P3d): 100 MB (1e8 bytes) of 80-byte lines (78 printable ASCII bytes and CRLF, the
 * `LineReceiver` default delimiter), cut into chunks of 1 to 64 KiB by a seeded generator, so
 * every side gets the identical list of chunks (views of one Buffer: no side copies them first).
 * - ours: `LineReceiver` and `LineOnlyReceiver`, fed with `dataReceived(chunk)` in a loop, their
 *   `lineReceived` counting lines and bytes;
 * - split2: `Readable.from(chunks)` piped into `split2()` (splits on /\r?\n/), lines counted
 *   with a "data" listener, awaited until the pipeline ends;
 * - node:readline: `createInterface({ input: Readable.from(chunks), crlfDelay: Infinity })`,
 *   lines counted with a "line" listener, awaited until "close".
 * The stream baselines are asynchronous: a whole pass over the 100 MB is timed on every side, so
 * each side's figure includes everything it needs to deliver every line once. split2 and
 * readline hand out strings (they decode), ours hands out Buffers (views): that is the work each
 * one does for its users, and the targets are set knowing it.
 * Targets: LineReceiver and LineOnlyReceiver ≥ 1.5× split2 and ≥ 1× readline.
 *
 * Length-prefixed (P3e, P3f): 100 MB of payloads of 64 to 96 bytes (80 on average), framed as
 * netstrings (`80:…,`) and with 4-byte big-endian length prefixes, cut into random chunks the
 * same way. Ours: `NetstringReceiver` and `Int32StringReceiver`. Baseline: it-length-prefixed's
 * `decode()`, on its synchronous path (a plain array of chunks in, a generator of messages out),
 * with the length decoder its options take: a 32-bit big-endian one for Int32 (the fair
 * counterpart), and, for netstrings, a decimal `N:` decoder that announces N + 1 bytes, the
 * consumer checking that the last one is the comma. No well-kept, widely used netstring decoder
 * exists on npm, so the netstring baseline is the nearest one, labelled as such.
 * @packageDocumentation
 */
import { once } from "node:events";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  Int32StringReceiver,
  LineOnlyReceiver,
  LineReceiver,
  NetstringReceiver,
} from "@twisted-ts/basic";
import { StringTransport } from "@twisted-ts/core/testing";
import { decode, type LengthDecoderFunction } from "it-length-prefixed";
import split2 from "split2";
import type { CustomBenchmark, CustomSide, Measurement } from "../custom.js";

/** Bytes fed to each side per pass: 100 MB, as the issue says (1 MB = 1e6 bytes). */
const TOTAL_BYTES = 100_000_000;
/** Bytes per line, CRLF included. */
const LINE_BYTES = 80;
/** Payload sizes of the length-prefixed messages: 64 to 96 bytes, 80 on average. */
const MIN_PAYLOAD = 64;
const MAX_PAYLOAD = 96;
/** Chunk sizes: 1 KiB to 64 KiB, uniformly. */
const MIN_CHUNK = 1024;
const MAX_CHUNK = 64 * 1024;
/** Rounds: every side makes this many passes, the order rotating each round. */
const REPETITIONS = 7;

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

/** A small seeded generator (mulberry32): the same data and the same cuts on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max]. */
function between(next: () => number, min: number, max: number): number {
  return min + Math.floor(next() * (max - min + 1));
}

/** Fill `bytes[start, end)` with printable ASCII (space to `~`): no delimiter, no comma needed. */
function fillPrintable(next: () => number, bytes: Buffer, start: number, end: number): void {
  for (let i = start; i < end; i++) bytes[i] = 0x20 + Math.floor(next() * 95);
}

/** `bytes` cut into views of 1 to 64 KiB each, by a generator seeded with `seed`. */
function cut(bytes: Buffer, seed: number): Buffer[] {
  const next = random(seed);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const end = Math.min(bytes.length, at + between(next, MIN_CHUNK, MAX_CHUNK));
    chunks.push(bytes.subarray(at, end));
    at = end;
  }
  return chunks;
}

/** One pass's input and what every side must find in it. */
interface Dataset {
  chunks: Buffer[];
  /** How many bytes the chunks hold. */
  bytes: number;
  /** How many lines (or messages) they hold. */
  count: number;
  /** The bytes of every line (or payload) added up, without delimiters or framing. */
  payloadBytes: number;
}

function lineData(): Dataset {
  const count = TOTAL_BYTES / LINE_BYTES;
  const bytes = Buffer.allocUnsafe(TOTAL_BYTES);
  const next = random(3);
  for (let line = 0; line < count; line++) {
    const start = line * LINE_BYTES;
    fillPrintable(next, bytes, start, start + LINE_BYTES - 2);
    bytes[start + LINE_BYTES - 2] = CR;
    bytes[start + LINE_BYTES - 1] = LF;
  }
  return { chunks: cut(bytes, 30), bytes: TOTAL_BYTES, count, payloadBytes: count * 78 };
}

/** The netstring and the Int32 streams: the same payloads, framed each way. */
function prefixedData(): { netstring: Dataset; int32: Dataset } {
  const next = random(4);
  const sizes: number[] = [];
  let netstringBytes = 0;
  let int32Bytes = 0;
  for (;;) {
    const size = between(next, MIN_PAYLOAD, MAX_PAYLOAD);
    const framed = String(size).length + 2 + size; // "N:" … ","
    if (netstringBytes + framed > TOTAL_BYTES) break;
    sizes.push(size);
    netstringBytes += framed;
    int32Bytes += 4 + size;
  }
  const netstring = Buffer.allocUnsafe(netstringBytes);
  const int32 = Buffer.allocUnsafe(int32Bytes);
  let n = 0;
  let i = 0;
  let payloadBytes = 0;
  for (const size of sizes) {
    n += netstring.write(`${size}:`, n, "latin1");
    fillPrintable(next, netstring, n, n + size);
    int32.writeUInt32BE(size, i);
    netstring.copy(int32, i + 4, n, n + size);
    n += size;
    netstring[n++] = COMMA;
    i += 4 + size;
    payloadBytes += size;
  }
  const count = sizes.length;
  return {
    netstring: { chunks: cut(netstring, 40), bytes: netstringBytes, count, payloadBytes },
    int32: { chunks: cut(int32, 50), bytes: int32Bytes, count, payloadBytes },
  };
}

/**
 * Data shared by the sides of one benchmark: made when the first side starts, dropped when the
 * last one stops, so the 100 MB buffers live only while they are measured.
 */
function shared<T>(make: () => T): { acquire: () => T; release: () => void } {
  let value: T | undefined;
  let users = 0;
  return {
    acquire: () => {
      users++;
      value ??= make();
      return value;
    },
    release: () => {
      users--;
      if (users === 0) value = undefined;
    },
  };
}

/** What a pass counted: lines (or messages), and their bytes without delimiters or framing. */
interface Counted {
  count: number;
  payloadBytes: number;
}

/** A side that times one whole pass of `run` over a dataset and checks what it counted. */
function passSide(
  key: string,
  name: string,
  data: { acquire: () => Dataset; release: () => void },
  what: string,
  run: (chunks: readonly Buffer[]) => Counted | Promise<Counted>,
): CustomSide {
  let dataset: Dataset | undefined;
  return {
    key,
    name,
    start: async () => {
      dataset = data.acquire();
    },
    measure: async (): Promise<Measurement> => {
      const input = dataset;
      if (input === undefined) throw new Error(`P3: ${name} measured before it started`);
      const started = process.hrtime.bigint();
      const counted = await run(input.chunks);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (counted.count !== input.count || counted.payloadBytes !== input.payloadBytes) {
        throw new Error(
          `P3: ${name} found ${counted.count} ${what}s of ${counted.payloadBytes} bytes, ` +
            `not ${input.count} of ${input.payloadBytes}`,
        );
      }
      return {
        value: input.bytes / 1e6 / seconds,
        details: { [`ns/${what}`]: (seconds * 1e9) / input.count },
      };
    },
    stop: async () => {
      if (dataset === undefined) return;
      dataset = undefined;
      data.release();
    },
  };
}

// --- Ours -------------------------------------------------------------------------------------

class CountingLineReceiver extends LineReceiver {
  count = 0;
  payloadBytes = 0;

  override lineReceived(line: Buffer): void {
    this.count++;
    this.payloadBytes += line.length;
  }
}

class CountingLineOnlyReceiver extends LineOnlyReceiver {
  count = 0;
  payloadBytes = 0;

  override lineReceived(line: Buffer): void {
    this.count++;
    this.payloadBytes += line.length;
  }
}

class CountingNetstringReceiver extends NetstringReceiver {
  count = 0;
  payloadBytes = 0;

  override stringReceived(string: Buffer): void {
    this.count++;
    this.payloadBytes += string.length;
  }
}

class CountingInt32StringReceiver extends Int32StringReceiver {
  count = 0;
  payloadBytes = 0;

  override stringReceived(string: Buffer): void {
    this.count++;
    this.payloadBytes += string.length;
  }
}

/** One of the counting receivers above. */
type Counting = Counted & {
  makeConnection(transport: StringTransport): void;
  dataReceived(data: Buffer): unknown;
};

/** A fresh receiver on a fresh `StringTransport`, fed every chunk as a socket would. */
function feed(receiver: Counting, chunks: readonly Buffer[]): Counted {
  receiver.makeConnection(new StringTransport());
  for (const chunk of chunks) receiver.dataReceived(chunk);
  return { count: receiver.count, payloadBytes: receiver.payloadBytes };
}

// --- Baselines --------------------------------------------------------------------------------

/** What it-length-prefixed hands a length decoder: uint8arraylist's list of chunks. */
type Uint8ArrayList = Parameters<LengthDecoderFunction>[0];

/** split2 (a Transform: Buffers in, one string per line out), counted on "data". */
async function split2Pass(chunks: readonly Buffer[]): Promise<Counted> {
  let count = 0;
  let payloadBytes = 0;
  const lines = split2();
  lines.on("data", (line: string) => {
    count++;
    payloadBytes += line.length; // ASCII: characters are bytes
  });
  await pipeline(Readable.from(chunks), lines);
  return { count, payloadBytes };
}

/** node:readline over a Readable of the chunks, counted on "line". */
async function readlinePass(chunks: readonly Buffer[]): Promise<Counted> {
  let count = 0;
  let payloadBytes = 0;
  const lines = createInterface({ input: Readable.from(chunks), crlfDelay: Infinity });
  lines.on("line", (line: string) => {
    count++;
    payloadBytes += line.length;
  });
  await once(lines, "close");
  return { count, payloadBytes };
}

/** it-length-prefixed's length decoder for a 4-byte big-endian prefix (throws RangeError short). */
const int32Length: LengthDecoderFunction = Object.assign(
  (data: Uint8ArrayList): number => data.getUint32(0, false),
  { bytes: 4 },
);

/**
 * A length decoder for netstrings: the decimal digits before the colon. It announces N + 1
 * bytes (the payload and its comma); the consumer checks the comma. A RangeError tells
 * `decode()` the colon has not arrived yet, as its own varint decoder does.
 */
const netstringLength: LengthDecoderFunction = Object.assign(
  (data: Uint8ArrayList): number => {
    let length = 0;
    let digits = 0;
    for (const buf of data) {
      for (let i = 0; i < buf.length; i++) {
        const c = buf[i]!;
        if (c === COLON && digits > 0) {
          netstringLength.bytes = digits + 1;
          return length + 1;
        }
        if (c < ZERO || c > NINE) throw new Error("P3: not a netstring length");
        length = length * 10 + (c - ZERO);
        digits++;
      }
    }
    throw new RangeError("netstring length incomplete");
  },
  { bytes: 0 },
);

function itLengthPrefixedInt32(chunks: readonly Buffer[]): Counted {
  let count = 0;
  let payloadBytes = 0;
  for (const message of decode(chunks, { lengthDecoder: int32Length })) {
    count++;
    payloadBytes += message.byteLength;
  }
  return { count, payloadBytes };
}

function itLengthPrefixedNetstring(chunks: readonly Buffer[]): Counted {
  let count = 0;
  let payloadBytes = 0;
  for (const message of decode(chunks, { lengthDecoder: netstringLength })) {
    const size = message.byteLength - 1;
    if (message.get(size) !== COMMA) throw new Error("P3: netstring without its comma");
    count++;
    payloadBytes += size;
  }
  return { count, payloadBytes };
}

// --- The benchmarks ---------------------------------------------------------------------------

const lines = shared(lineData);
const prefixed = shared(prefixedData);
const netstrings = { acquire: () => prefixed.acquire().netstring, release: prefixed.release };
const int32s = { acquire: () => prefixed.acquire().int32, release: prefixed.release };

const AGAINST_SPLIT2 = { ratio: 1.5, description: "at least 1.5× split2" };
const AGAINST_READLINE = { ratio: 1, description: "at least node:readline" };

/** P3a–P3d: the line receivers against split2 and node:readline. */
export const lineBenchmark: CustomBenchmark = {
  kind: "custom",
  id: "P3 lines",
  title: "100 MB of 80-byte CRLF lines in 1–64 KiB chunks",
  unit: "MB",
  metric: "MB/s",
  better: "higher",
  repetitions: REPETITIONS,
  sides: [
    passSide("line", "twisted-ts LineReceiver", lines, "line", (chunks) =>
      feed(new CountingLineReceiver(), chunks),
    ),
    passSide("lineOnly", "twisted-ts LineOnlyReceiver", lines, "line", (chunks) =>
      feed(new CountingLineOnlyReceiver(), chunks),
    ),
    passSide("split2", "split2 (Readable.from → split2)", lines, "line", split2Pass),
    passSide("readline", "node:readline (crlfDelay: Infinity)", lines, "line", readlinePass),
  ],
  comparisons: [
    {
      id: "P3a",
      title: "LineReceiver vs split2, 100 MB of 80-byte lines",
      ours: "line",
      baseline: "split2",
      target: AGAINST_SPLIT2,
    },
    {
      id: "P3b",
      title: "LineReceiver vs node:readline, 100 MB of 80-byte lines",
      ours: "line",
      baseline: "readline",
      target: AGAINST_READLINE,
    },
    {
      id: "P3c",
      title: "LineOnlyReceiver vs split2, 100 MB of 80-byte lines",
      ours: "lineOnly",
      baseline: "split2",
      target: AGAINST_SPLIT2,
    },
    {
      id: "P3d",
      title: "LineOnlyReceiver vs node:readline, 100 MB of 80-byte lines",
      ours: "lineOnly",
      baseline: "readline",
      target: AGAINST_READLINE,
    },
  ],
};

/** P3e and P3f: the length-prefixed receivers against it-length-prefixed's decoder. */
export const prefixedBenchmark: CustomBenchmark = {
  kind: "custom",
  id: "P3 length-prefixed",
  title: "100 MB of 64–96-byte messages in 1–64 KiB chunks",
  unit: "MB",
  metric: "MB/s",
  better: "higher",
  repetitions: REPETITIONS,
  sides: [
    passSide("netstring", "twisted-ts NetstringReceiver", netstrings, "message", (chunks) =>
      feed(new CountingNetstringReceiver(), chunks),
    ),
    passSide("int32", "twisted-ts Int32StringReceiver", int32s, "message", (chunks) =>
      feed(new CountingInt32StringReceiver(), chunks),
    ),
    // Short names: the chart has room for about 30 characters; the titles say the rest.
    passSide(
      "lpNetstring",
      "it-length-prefixed (netstring)",
      netstrings,
      "message",
      itLengthPrefixedNetstring,
    ),
    passSide("lpInt32", "it-length-prefixed (uint32 BE)", int32s, "message", itLengthPrefixedInt32),
  ],
  comparisons: [
    {
      id: "P3e",
      title: "NetstringReceiver vs nearest baseline: it-length-prefixed, netstring lengths",
      ours: "netstring",
      baseline: "lpNetstring",
    },
    {
      id: "P3f",
      title: "Int32StringReceiver vs it-length-prefixed, uint32 BE lengths, 100 MB",
      ours: "int32",
      baseline: "lpInt32",
    },
  ],
};

/** P3, as run.ts lists it. */
export const benchmarks: CustomBenchmark[] = [lineBenchmark, prefixedBenchmark];
