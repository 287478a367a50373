import { createReadStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Cooperator, type WriteData } from "@twisted-ts/core";
import { Clock } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { FileBodyProducer } from "../../src/client/fileBodyProducer.js";
import { UNKNOWN_LENGTH } from "../../src/client/iweb.js";
import { outcome } from "./helpers.js";

class Collector {
  readonly chunks: Buffer[] = [];
  write(data: WriteData): void {
    this.chunks.push(Buffer.from(data));
  }
  registerProducer(): void {}
  unregisterProducer(): void {}
}

function producer(bytes: Buffer, readSize = 4): { p: FileBodyProducer; clock: Clock } {
  const clock = new Clock();
  return { p: new FileBodyProducer(bytes, new Cooperator({ clock }), { readSize }), clock };
}

describe("FileBodyProducer", () => {
  it("knows a Buffer's length and writes it readSize bytes per cooperator step", () => {
    const { p, clock } = producer(Buffer.from("0123456789"));
    expect(p.length).toBe(10);
    const out = new Collector();
    const done = outcome(p.startProducing(out));
    clock.advance(0.001);
    expect(out.chunks.length).toBeGreaterThan(0);
    for (let i = 0; i < 10 && !done.fired; i++) clock.advance(1);
    expect(Buffer.concat(out.chunks).toString()).toBe("0123456789");
    expect(out.chunks.every((c) => c.length <= 4)).toBe(true);
    expect(done.fired).toBe(true);
  });

  it("uses 64 KiB reads by default", () => {
    const clock = new Clock();
    const p = new FileBodyProducer(
      Buffer.alloc(65536 * 2 + 1),
      new Cooperator({ clock, terminationPredicateFactory: () => () => true }),
    );
    const out = new Collector();
    p.startProducing(out);
    clock.advance(1);
    expect(out.chunks[0]?.length).toBe(65536);
  });

  it("writes nothing while paused, and resumes", () => {
    const { p, clock } = producer(Buffer.from("0123456789"));
    const out = new Collector();
    const done = outcome(p.startProducing(out));
    p.pauseProducing();
    clock.advance(1);
    clock.advance(1);
    const before = out.chunks.length;
    clock.advance(1);
    expect(out.chunks.length).toBe(before);
    p.resumeProducing();
    for (let i = 0; i < 10; i++) clock.advance(1);
    expect(done.fired).toBe(true);
  });

  it("never fires after stopProducing", () => {
    const { p, clock } = producer(Buffer.from("0123456789"));
    const out = new Collector();
    const done = outcome(p.startProducing(out));
    p.stopProducing();
    for (let i = 0; i < 10; i++) clock.advance(1);
    expect(done.fired).toBe(false);
  });

  it("has an unknown length for a stream unless told, and streams it", async () => {
    const stream = Readable.from([Buffer.from("ab"), Buffer.from("cd")]);
    const p = new FileBodyProducer(stream);
    expect(p.length).toBe(UNKNOWN_LENGTH);
    expect(new FileBodyProducer(Readable.from([]), undefined, { length: 7 }).length).toBe(7);
    const out = new Collector();
    await p.startProducing(out);
    expect(Buffer.concat(out.chunks).toString()).toBe("abcd");
  });

  it("knows the length of a whole file stream", () => {
    const dir = mkdtempSync(join(tmpdir(), "fbp-"));
    const path = join(dir, "f");
    writeFileSync(path, "12345");
    const stream = createReadStream(path);
    expect(new FileBodyProducer(stream).length).toBe(5);
    stream.destroy();
  });
});
