import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isProcessAlive } from "../src/pidfile.js";
import { ask, freePort, logLine, occupiedPort, runTwist } from "./cli.js";
import { tempDir } from "./helpers.js";

const daemons: number[] = [];

afterEach(() => {
  for (const pid of daemons.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("twist --daemon", () => {
  it("starts detached, answers, writes the pidfile and twist.log, and stops via the pidfile's pid", async () => {
    const dir = tempDir();
    const port = await freePort();
    const started = Date.now();
    const { code, stdout, stderr } = await runTwist(
      [
        "--daemon",
        "--pidfile",
        "twist.pid",
        "pidecho",
        "--listen",
        `tcp:${port}:interface=127.0.0.1`,
      ],
      { cwd: dir },
    );
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "", stderr: "" });
    const pidfile = join(dir, "twist.pid");
    const pid = Number(readFileSync(pidfile, "utf8"));
    daemons.push(pid);
    expect(isProcessAlive(pid)).toBe(true);
    // It is ready when the command returns: no waiting needed.
    expect(await ask(port)).toBe(`${pid}\n`);
    expect(Date.now() - started).toBeLessThan(10_000);

    const log = join(dir, "twist.log");
    expect(readFileSync(log, "utf8")).toMatch(
      logLine("twisted-ts.internet.tcp", "info", `PidEchoFactory starting on ${port}`),
    );
    // A daemon's umask is 077 unless --umask says otherwise, as with twistd.
    expect(statSync(log).mode & 0o777).toBe(0o600);

    process.kill(pid, "SIGTERM");
    await until(() => !isProcessAlive(pid), "the daemon to exit");
    expect(existsSync(pidfile)).toBe(false);
    const text = readFileSync(log, "utf8");
    expect(text).toMatch(logLine("twisted-ts.twist", "info", "Received SIGTERM, shutting down."));
    expect(text).toMatch(logLine("twisted-ts.twist", "info", "Server Shut Down."));
  });

  it("reports a start-up failure of the daemon and exits 1", async () => {
    const dir = tempDir();
    const port = await occupiedPort();
    const { code, stderr } = await runTwist(
      ["--daemon", "--logfile", "d.log", "pidecho", "--listen", `tcp:${port}:interface=127.0.0.1`],
      { cwd: dir },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`twist: Couldn't listen on 127\\.0\\.0\\.1:${port}`));
    expect(readFileSync(join(dir, "d.log"), "utf8")).toMatch(/#critical\] Failed to start/);
  });

  it("refuses to start while the pidfile names a live process, before detaching", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "twist.pid"), String(process.pid));
    const { code, stderr } = await runTwist(["--daemon", "--pidfile", "twist.pid", "pidecho"], {
      cwd: dir,
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`Another twist server is running, PID ${process.pid}`);
    expect(existsSync(join(dir, "twist.log"))).toBe(false);
  });
});
