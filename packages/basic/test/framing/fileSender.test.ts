import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type Deferred, Failure, type WriteData } from "@twisted-ts/core";
import { StringTransport } from "@twisted-ts/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProducerStoppedError } from "../../src/errors.js";
import { FileSender } from "../../src/framing/index.js";

/** A StringTransport that also records each write separately. */
class Recording extends StringTransport {
  writes: Buffer[] = [];
  override write(data: WriteData): void {
    this.writes.push(Buffer.from(data));
    super.write(data);
  }
}

const outcomes = new WeakMap<object, { value: unknown }>();

/**
 * The result of a Deferred (a Failure when it failed), or "pending". The first call attaches
 * the observer, which consumes a failure, so that later calls see the same outcome.
 */
function resultOf<T>(d: Deferred<T>): T | Failure | "pending" {
  let outcome = outcomes.get(d);
  if (outcome === undefined) {
    const seen = { value: "pending" as unknown };
    outcome = seen;
    outcomes.set(d, seen);
    d.addCallbacks(
      (value: T) => {
        seen.value = value;
        return value;
      },
      (failure: Failure) => {
        seen.value = failure;
        return null;
      },
    );
  }
  return outcome.value as T | Failure | "pending";
}

/** Let pending file reads land: one turn of the event loop (no timers). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Ask for chunks as a transport would, until the Deferred fires. */
async function drive<T>(sender: FileSender, d: Deferred<T>): Promise<T | Failure> {
  for (let i = 0; resultOf(d) === "pending" && i < 10_000; i++) {
    sender.resumeProducing();
    await turn();
  }
  const outcome = resultOf(d);
  if (outcome === "pending") throw new Error("the transfer never finished");
  return outcome;
}

describe("FileSender over bytes", () => {
  it("is a pull producer", () => {
    const sender = new FileSender();
    expect(typeof sender.resumeProducing).toBe("function");
    expect(typeof sender.pauseProducing).toBe("function");
    expect(typeof sender.stopProducing).toBe("function");
  });

  it("registers itself with the consumer as a non-streaming producer", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    sender.beginFileTransfer(Buffer.from("Test content"), consumer);
    expect(consumer.producer).toBe(sender);
    expect(consumer.streaming).toBe(false);
  });

  it("sends the file and fires with the last byte sent, unregistered", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(Buffer.from("Test content"), consumer);
    sender.resumeProducing();
    sender.resumeProducing();
    expect(consumer.producer).toBeUndefined();
    expect(resultOf(d)).toEqual(Buffer.from("t"));
    expect(consumer.value().toString()).toBe("Test content");
  });

  it("writes at most CHUNK_SIZE bytes each time it is resumed", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    sender.CHUNK_SIZE = 4;
    const d = sender.beginFileTransfer(Buffer.from("Test content"), consumer);
    sender.resumeProducing();
    expect(consumer.value().toString()).toBe("Test");
    sender.resumeProducing();
    expect(consumer.value().toString()).toBe("Test con");
    expect(resultOf(d)).toBe("pending");
    sender.resumeProducing();
    expect(consumer.value().toString()).toBe("Test content");
    // The end was read ahead: the Deferred has fired and a further resume does nothing.
    sender.resumeProducing();
    expect(resultOf(d)).toEqual(Buffer.from("t"));
    expect(consumer.value().toString()).toBe("Test content");
  });

  it("reads chunks of 2^14 bytes by default", () => {
    const consumer = new Recording();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(Buffer.alloc(40_000, 1), consumer);
    for (let i = 0; i < 4; i++) sender.resumeProducing();
    expect(consumer.writes.map((w) => w.length)).toEqual([16384, 16384, 7232]);
    expect(resultOf(d)).toEqual(Buffer.from([1]));
  });

  it("passes each chunk through the transform", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const swapcase = (chunk: Buffer) =>
      Buffer.from(
        [...chunk.toString()]
          .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
          .join(""),
      );
    const d = sender.beginFileTransfer(Buffer.from("Test content"), consumer, swapcase);
    sender.resumeProducing();
    sender.resumeProducing();
    expect(resultOf(d)).toEqual(Buffer.from("T"));
    expect(consumer.value().toString()).toBe("tEST CONTENT");
  });

  it("fails with 'Consumer asked us to stop producing' when stopped", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(Buffer.from("Test content"), consumer);
    sender.stopProducing();
    const failure = resultOf(d) as Failure;
    expect(failure.check(ProducerStoppedError)).toBe(ProducerStoppedError);
    expect(failure.getErrorMessage()).toBe("Consumer asked us to stop producing");
    sender.resumeProducing();
    expect(consumer.value()).toEqual(Buffer.alloc(0));
  });

  it("fires with an empty Buffer for an empty file", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(new Uint8Array(0), consumer);
    sender.resumeProducing();
    expect(resultOf(d)).toEqual(Buffer.alloc(0));
    expect(consumer.producer).toBeUndefined();
  });

  it("fails the Deferred and unregisters when the transform throws", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(Buffer.from("abc"), consumer, () => {
      throw new RangeError("bad chunk");
    });
    sender.resumeProducing();
    expect((resultOf(d) as Failure).check(RangeError)).toBe(RangeError);
    expect(consumer.producer).toBeUndefined();
  });

  it("refuses a source it cannot read", () => {
    expect(() =>
      new FileSender().beginFileTransfer(42 as unknown as Uint8Array, new StringTransport()),
    ).toThrow(TypeError);
  });
});

describe("FileSender over files and streams", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "filesender-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const content = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i % 251));

  it("sends a file named by its path, in 2^14-byte chunks, without blocking", async () => {
    const path = join(dir, "data.bin");
    await writeFile(path, content);
    const consumer = new Recording();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(path, consumer);
    // Nothing can have been read synchronously.
    sender.resumeProducing();
    expect(consumer.writes).toEqual([]);
    expect(await drive(sender, d)).toEqual(content.subarray(-1));
    expect(consumer.value().equals(content)).toBe(true);
    expect(consumer.writes.map((w) => w.length)).toEqual([16384, 16384, 16384, 848]);
    expect(consumer.producer).toBeUndefined();
  });

  it("sends from a FileHandle's position and leaves it open", async () => {
    const path = join(dir, "data.bin");
    await writeFile(path, content);
    const handle = await open(path, "r");
    try {
      await handle.read(Buffer.alloc(10), 0, 10, null);
      const consumer = new StringTransport();
      const sender = new FileSender();
      const d = sender.beginFileTransfer(handle, consumer);
      await drive(sender, d);
      expect(consumer.value().equals(content.subarray(10))).toBe(true);
      expect((await handle.stat()).size).toBe(content.length);
    } finally {
      await handle.close();
    }
  });

  it("sends a Readable, cutting large chunks to CHUNK_SIZE", async () => {
    const parts = [content.subarray(0, 3), content.subarray(3, 40_000), content.subarray(40_000)];
    const consumer = new Recording();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(Readable.from(parts), consumer);
    await drive(sender, d);
    expect(consumer.value().equals(content)).toBe(true);
    expect(Math.max(...consumer.writes.map((w) => w.length))).toBeLessThanOrEqual(16384);
  });

  it("sends strings from an async iterable as UTF-8", async () => {
    async function* words() {
      yield "héllo ";
      yield "";
      yield "wörld";
    }
    const consumer = new StringTransport();
    const sender = new FileSender();
    const last = await drive(sender, sender.beginFileTransfer(words(), consumer));
    expect(consumer.value().toString()).toBe("héllo wörld");
    expect(last).toEqual(Buffer.from("d"));
  });

  it("fails with the read error for a missing file", async () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(join(dir, "missing"), consumer);
    const failure = (await drive(sender, d)) as Failure;
    expect(failure).toBeInstanceOf(Failure);
    expect((failure.value as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect(consumer.producer).toBeUndefined();
  });

  it("fails with the stream's error", async () => {
    const broken = new Readable({
      read() {
        this.destroy(new RangeError("disk on fire"));
      },
    });
    const sender = new FileSender();
    const d = sender.beginFileTransfer(broken, new StringTransport());
    const failure = (await drive(sender, d)) as Failure;
    expect(failure.check(RangeError)).toBe(RangeError);
  });

  it("stops while a read is in flight and writes nothing more", async () => {
    const path = join(dir, "data.bin");
    await writeFile(path, content);
    const consumer = new StringTransport();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(path, consumer);
    sender.resumeProducing();
    sender.stopProducing();
    expect((resultOf(d) as Failure).check(ProducerStoppedError)).toBe(ProducerStoppedError);
    for (let i = 0; i < 20; i++) await turn();
    expect(consumer.value()).toEqual(Buffer.alloc(0));
  });

  it("answers a resume that comes while a read is in flight when the read lands", async () => {
    const path = join(dir, "data.bin");
    await writeFile(path, content.subarray(0, 100));
    const consumer = new Recording();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(path, consumer);
    sender.resumeProducing();
    sender.resumeProducing();
    sender.resumeProducing();
    // No more resumes: the read ahead finds the end of the file and fires the Deferred.
    for (let i = 0; i < 10_000 && resultOf(d) === "pending"; i++) await turn();
    expect(consumer.writes).toHaveLength(1);
    expect(resultOf(d)).toEqual(content.subarray(99, 100));
  });
});
