import { Clock, EventLoggingObserver } from "@twisted-ts/core/testing";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { LogFollower, type LogFollowerOptions } from "../src/follower.js";
import { FakeFiles } from "./fakeFiles.js";

const PATH = "/var/log/access.log";

const running: LogFollower[] = [];
afterEach(async () => {
  for (const follower of running.splice(0)) await follower.stop();
});

/** A follower of PATH on a Clock and FakeFiles, collecting lines. */
function follow(files: FakeFiles, options: Partial<LogFollowerOptions> = {}) {
  const clock = new Clock();
  const lines: string[] = [];
  const follower = new LogFollower(PATH, (line) => lines.push(line), {
    clock,
    reader: files,
    ...options,
  });
  running.push(follower);
  /** Move the clock on and wait for the poll it started. */
  const advance = async (seconds: number) => {
    clock.advance(seconds);
    await follower.whenIdle();
  };
  return { clock, follower, lines, advance };
}

describe("LogFollower", () => {
  it("starts at the file's current end and reads only what is added", async () => {
    const files = new FakeFiles();
    files.create(PATH, "old line 1\nold line 2\n");
    const { follower, lines, advance, clock } = follow(files);
    await follower.start();
    expect(follower.offset).toBe(22);
    files.append(PATH, "new line\n");
    await advance(0.999);
    expect(lines).toEqual([]);
    await advance(0.001);
    expect(lines).toEqual(["new line"]);
    files.append(PATH, "another\nand another\n");
    await advance(1);
    expect(lines).toEqual(["new line", "another", "and another"]);
    expect(clock.getDelayedCalls()).toHaveLength(1);
  });

  it("reads from the start with fromStart", async () => {
    const files = new FakeFiles();
    files.create(PATH, "a\nb\n");
    const { follower, lines } = follow(files, { fromStart: true });
    await follower.start();
    expect(lines).toEqual(["a", "b"]);
  });

  it("polls at the given interval", async () => {
    const files = new FakeFiles();
    files.create(PATH);
    const { follower, lines, advance } = follow(files, { interval: 0.25 });
    await follower.start();
    files.append(PATH, "x\n");
    await advance(0.25);
    expect(lines).toEqual(["x"]);
  });

  it("keeps a partial last line until its newline arrives", async () => {
    const files = new FakeFiles();
    files.create(PATH);
    const { follower, lines, advance } = follow(files);
    await follower.start();
    files.append(PATH, "complete\nhalf");
    await advance(1);
    expect(lines).toEqual(["complete"]);
    files.append(PATH, " and the rest\n");
    await advance(1);
    expect(lines).toEqual(["complete", "half and the rest"]);
  });

  it("reads a large addition in chunks, all in one poll", async () => {
    const files = new FakeFiles();
    files.create(PATH);
    const { follower, lines, advance } = follow(files, { chunkSize: 7 });
    await follower.start();
    const added = Array.from({ length: 50 }, (_, i) => `line number ${i}`);
    files.append(PATH, `${added.join("\n")}\n`);
    await advance(1);
    expect(lines).toEqual(added);
  });

  it("starts again at 0 when the file is truncated", async () => {
    const files = new FakeFiles();
    files.create(PATH, "before\n");
    const { follower, lines, advance } = follow(files);
    await follower.start();
    files.append(PATH, "one\npartial");
    await advance(1);
    files.truncate(PATH);
    files.append(PATH, "fresh\n");
    await advance(1);
    expect(lines).toEqual(["one", "fresh"]);
    expect(follower.counts.truncations).toBe(1);
    expect(follower.offset).toBe(6);
  });

  it("finishes the old file, then follows the new one from its start, when rotated", async () => {
    const files = new FakeFiles();
    files.create(PATH, "x\n");
    const { follower, lines, advance } = follow(files);
    await follower.start();
    files.append(PATH, "in old\n");
    await advance(1);
    files.append(PATH, "written just before rotation\n");
    files.rename(PATH, `${PATH}.1`);
    files.create(PATH, "first in new\n");
    await advance(1);
    expect(lines).toEqual(["in old", "written just before rotation", "first in new"]);
    expect(follower.counts.rotations).toBe(1);
    expect(files.open_).toBe(1);
    files.append(PATH, "second in new\n");
    await advance(1);
    expect(lines.at(-1)).toBe("second in new");
  });

  it("keeps reading the old file while nothing is at the path, then switches", async () => {
    const files = new FakeFiles();
    files.create(PATH);
    const { follower, lines, advance } = follow(files);
    await follower.start();
    files.rename(PATH, `${PATH}.1`);
    files.append(`${PATH}.1`, "late write to the old file\n");
    await advance(1);
    expect(lines).toEqual(["late write to the old file"]);
    files.create(PATH, "new\n");
    await advance(1);
    expect(lines).toEqual(["late write to the old file", "new"]);
  });

  it("waits for a file that does not exist yet, then reads it from its start", async () => {
    const files = new FakeFiles();
    const { follower, lines, advance } = follow(files);
    await follower.start();
    await advance(1);
    files.create(PATH, "hello\n");
    await advance(1);
    expect(lines).toEqual(["hello"]);
  });

  it("logs a failed read, counts it, and tries again at the next poll", async () => {
    const observer = EventLoggingObserver.createWithCleanup(onTestFinished);
    const files = new FakeFiles();
    files.create(PATH);
    const { follower, lines, advance } = follow(files);
    await follower.start();
    files.append(PATH, "survives\n");
    files.failNextRead = new Error("EIO");
    await advance(1);
    expect(lines).toEqual([]);
    expect(follower.counts.errors).toBe(1);
    expect(observer).toHaveLength(1);
    expect(observer.at(0)?.log_format).toBe("Error while following {path}");
    await advance(1);
    expect(lines).toEqual(["survives"]);
  });

  it("counts and drops overlong lines", async () => {
    const files = new FakeFiles();
    files.create(PATH);
    const { follower, lines, advance } = follow(files, { maxLineLength: 5 });
    await follower.start();
    files.append(PATH, "short\ntoo long by far\nok\n");
    await advance(1);
    expect(lines).toEqual(["short", "ok"]);
    expect(follower.counts.overlong).toBe(1);
  });

  it("stops polling and closes the file on stop", async () => {
    const files = new FakeFiles();
    files.create(PATH);
    const { follower, lines, clock, advance } = follow(files);
    await follower.start();
    expect(files.open_).toBe(1);
    await follower.stop();
    expect(files.open_).toBe(0);
    expect(clock.getDelayedCalls()).toEqual([]);
    files.append(PATH, "unseen\n");
    await advance(5);
    expect(lines).toEqual([]);
  });
});
