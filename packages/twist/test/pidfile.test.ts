import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AlreadyRunningError, InvalidPidfileError, PidfileError } from "../src/errors.js";
import {
  checkPidfile,
  isProcessAlive,
  readPidfile,
  removePidfile,
  writePidfile,
} from "../src/pidfile.js";
import { tempDir } from "./helpers.js";

describe("pidfile", () => {
  it("is fine when there is no pidfile", () => {
    const path = join(tempDir(), "twist.pid");
    expect(readPidfile(path)).toBeUndefined();
    expect(checkPidfile(path)).toBe("absent");
  });

  it("refuses to start while the pid in it is alive", () => {
    const path = join(tempDir(), "twist.pid");
    writeFileSync(path, "4242\n");
    const error = (() => {
      try {
        checkPidfile(path, (pid) => pid === 4242);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(AlreadyRunningError);
    expect(error).toBeInstanceOf(PidfileError);
    expect(error).toMatchObject({ pid: 4242, path, code: "ERR_TWIST_ALREADY_RUNNING" });
    expect(String(error)).toMatch(/Another twist server is running, PID 4242/);
    expect(existsSync(path)).toBe(true);
  });

  it("removes a stale pidfile (the process is gone)", () => {
    const path = join(tempDir(), "twist.pid");
    writeFileSync(path, "4242");
    expect(checkPidfile(path, () => false)).toBe("stale");
    expect(existsSync(path)).toBe(false);
  });

  it("treats a pidfile naming this very process as stale", () => {
    const path = join(tempDir(), "twist.pid");
    writeFileSync(path, String(process.pid));
    expect(checkPidfile(path)).toBe("stale");
  });

  it.each(["", "abc", "12ab", "-5", "0", "1.5"])("rejects a pidfile holding %j", (content) => {
    const path = join(tempDir(), "twist.pid");
    writeFileSync(path, content);
    expect(() => checkPidfile(path)).toThrow(InvalidPidfileError);
    expect(() => checkPidfile(path)).toThrow(/non-numeric value/);
  });

  it("reports a pidfile it cannot read", () => {
    const dir = tempDir();
    expect(() => readPidfile(dir)).toThrow(PidfileError);
  });

  it("writes this process's id and removes the file only while it still names us", () => {
    const path = join(tempDir(), "twist.pid");
    writePidfile(path);
    expect(readFileSync(path, "utf8")).toBe(`${process.pid}\n`);
    expect(removePidfile(path, process.pid + 1)).toBe(false);
    expect(existsSync(path)).toBe(true);
    expect(removePidfile(path)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(removePidfile(path)).toBe(false);
  });

  it("fails to write into a directory that does not exist", () => {
    expect(() => writePidfile(join(tempDir(), "no", "such", "dir.pid"))).toThrow(PidfileError);
  });

  it("knows this process is alive and a made-up one is not", () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false);
  });
});
