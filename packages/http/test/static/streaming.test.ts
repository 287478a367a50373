import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConnectionLost } from "@twisted-ts/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { File, StaticProducer } from "../../src/index.js";
import { DummyRequest, renderRequest } from "../../src/testing.js";
import { eventually, type Fixture, makeFixture, RecordingFileSystem, settle } from "./fixture.js";

let fixture: Fixture;
const BIG = randomBytes(StaticProducer.bufferSize * 5 + 123);
beforeAll(() => {
  fixture = makeFixture();
  writeFileSync(join(fixture.root, "big.bin"), BIG);
});
afterAll(() => fixture.cleanup());

/** Waits until a condition holds, turning the loop. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  expect(condition()).toBe(true);
}

describe("File streaming", () => {
  it("streams a large file in bufferSize chunks through a push producer", async () => {
    const fileSystem = new RecordingFileSystem();
    const request = new DummyRequest(["big.bin"]);
    const body = await renderRequest(new File(fixture.root, { fileSystem }), request);
    expect(body.equals(BIG)).toBe(true);
    expect(request.written.length).toBe(6);
    expect(Math.max(...request.written.map((c) => c.length))).toBe(StaticProducer.bufferSize);
    expect(request.responseHeaders.getHeader("content-length")).toBe(String(BIG.length));
    expect(request.producer).toBeUndefined();
    await eventually(() => fileSystem.openFds.size === 0);
    expect(fileSystem.targets("read").length).toBe(6);
  });

  it("stops reading while paused and finishes after resuming", async () => {
    const fileSystem = new RecordingFileSystem();
    const request = new DummyRequest(["big.bin"]);
    const done = renderRequest(new File(fixture.root, { fileSystem }), request);
    expect(request.streamingProducer).toBe(true);
    await until(() => request.written.length >= 1);
    request.pauseProducer();
    await settle();
    const writes = request.written.length;
    const reads = fileSystem.targets("read").length;
    await settle();
    expect(request.written.length).toBe(writes);
    expect(fileSystem.targets("read").length).toBe(reads);
    expect(request.finished).toBe(false);
    request.resumeProducer();
    expect((await done).equals(BIG)).toBe(true);
  });

  it("stops and closes the file when the connection is lost", async () => {
    const fileSystem = new RecordingFileSystem();
    const request = new DummyRequest(["big.bin"]);
    const done = renderRequest(new File(fixture.root, { fileSystem }), request).asPromise();
    await until(() => request.written.length >= 1);
    request.connectionLost();
    await expect(done).rejects.toBeInstanceOf(ConnectionLost);
    await eventually(() => fileSystem.openFds.size === 0);
    expect(request.sentLength).toBeLessThan(BIG.length);
    expect(request.finished).toBe(false);
  });

  it("closes the file when the request's notifyFinish errbacks, even if nobody stops the producer", async () => {
    const fileSystem = new RecordingFileSystem();
    const request = new DummyRequest(["big.bin"]);
    const done = renderRequest(new File(fixture.root, { fileSystem }), request).asPromise();
    await until(() => request.written.length >= 1);
    request.processingFailed(new Error("gone"));
    await expect(done).rejects.toThrow("gone");
    await eventually(() => fileSystem.openFds.size === 0);
  });

  it("ends the response and closes the file on a read error", async () => {
    const fileSystem = new RecordingFileSystem();
    fileSystem.failReads = true;
    const request = new DummyRequest(["big.bin"]);
    const body = await renderRequest(new File(fixture.root, { fileSystem }), request);
    expect(body.length).toBe(0);
    expect(request.finished).toBe(true);
    expect(fileSystem.openFds.size).toBe(0);
  });

  it("streams a range from the middle of a large file", async () => {
    const start = StaticProducer.bufferSize - 10;
    const end = StaticProducer.bufferSize * 3 + 5;
    const request = new DummyRequest(["big.bin"], { headers: { range: `bytes=${start}-${end}` } });
    const body = await renderRequest(new File(fixture.root), request);
    expect(request.code).toBe(206);
    expect(body.equals(BIG.subarray(start, end + 1))).toBe(true);
  });
});
