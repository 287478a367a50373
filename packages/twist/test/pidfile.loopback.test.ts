import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ask, runTwist, startTwist } from "./cli.js";
import { tempDir } from "./helpers.js";

const STARTING = /PidEchoFactory starting on (\d+)/;

describe("--pidfile", () => {
  it("refuses to start while the pidfile names a live process", async () => {
    const pidfile = join(tempDir(), "twist.pid");
    writeFileSync(pidfile, `${process.pid}\n`);
    const { code, stderr } = await runTwist(["--pidfile", pidfile, "pidecho"]);
    expect(code).toBe(1);
    expect(stderr).toContain(`Another twist server is running, PID ${process.pid}`);
    expect(readFileSync(pidfile, "utf8")).toBe(`${process.pid}\n`);
  });

  it("refuses a pidfile that holds no pid", async () => {
    const pidfile = join(tempDir(), "twist.pid");
    writeFileSync(pidfile, "not a pid");
    const { code, stderr } = await runTwist(["--pidfile", pidfile, "pidecho"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/contains non-numeric value "not a pid"/);
  });

  it("replaces a stale pidfile, holds the pid while running, and removes it at exit", async () => {
    const pidfile = join(tempDir(), "twist.pid");
    writeFileSync(pidfile, "999999999");
    const twist = startTwist(["--pidfile", pidfile, "pidecho"]);
    const [, port] = await twist.waitFor(STARTING);
    const pid = Number(readFileSync(pidfile, "utf8"));
    expect(await ask(Number(port))).toBe(`${pid}\n`);
    twist.child.kill("SIGTERM");
    expect((await twist.exited).code).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
  });
});
