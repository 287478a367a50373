import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ask, logLine, occupiedPort, runTwist, startTwist } from "./cli.js";
import { FIXTURE_APPS, tempDir } from "./helpers.js";

const STARTING = /PidEchoFactory starting on (\d+)/;

describe("twist <plugin>", () => {
  it("logs twistd's start-up lines, serves, and on SIGTERM logs the shutdown and exits 0", async () => {
    const twist = startTwist(["pidecho"]);
    const [, port] = await twist.waitFor(STARTING);
    expect(await ask(Number(port))).toMatch(/^\d+\n$/);
    twist.child.kill("SIGTERM");
    const { code } = await twist.exited;
    expect(code).toBe(0);
    const out = twist.stdout();
    const expected = [
      logLine("twisted-ts.twist", "info", "Loading plugin pidecho (twist-fixture-pidecho)..."),
      logLine("twisted-ts.twist", "info", "Loaded."),
      new RegExp(
        `\\[twisted-ts.twist#info\\] twist \\d+\\.\\d+\\.\\d+ \\(\\S+ ${process.versions.node}\\) starting up\\.$`,
        "m",
      ),
      logLine(
        "twisted-ts.twist",
        "info",
        "reactor class: @twisted-ts/core Reactor (Node.js event loop).",
      ),
      logLine("twisted-ts.internet.tcp", "info", `PidEchoFactory starting on ${port}`),
      logLine("twisted-ts.twist", "info", "Received SIGTERM, shutting down."),
      logLine("twisted-ts.internet.tcp", "info", `(TCP Port ${port} Closed)`),
      logLine("twisted-ts.twist", "info", "Main loop terminated."),
      logLine("twisted-ts.twist", "info", "Server Shut Down."),
    ];
    let at = 0;
    for (const line of expected) {
      const match = line.exec(out.slice(at));
      expect(match, `${line} after offset ${at} in\n${out}`).not.toBeNull();
      at += (match?.index ?? 0) + (match?.[0].length ?? 0);
    }
    expect(twist.stderr()).toBe("");
  });

  it("stops on SIGINT too", async () => {
    const twist = startTwist(["pidecho"]);
    await twist.waitFor(STARTING);
    twist.child.kill("SIGINT");
    expect((await twist.exited).code).toBe(0);
    expect(twist.stdout()).toMatch(
      logLine("twisted-ts.twist", "info", "Received SIGINT, shutting down."),
    );
  });

  it("exits non-zero with the error when a port is in use", async () => {
    const port = await occupiedPort();
    const { code, stdout, stderr } = await runTwist([
      "portforward",
      "--port",
      `tcp:${port}:interface=127.0.0.1`,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^twist: Couldn't listen on 127\\.0\\.0\\.1:${port}: `, "m"));
    expect(stdout).toMatch(/\[twisted-ts.twist#critical\] Failed to start: Couldn't listen/);
  });

  it("exits 1 with the error when makeService throws", async () => {
    const { code, stdout, stderr } = await runTwist(["listed"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^twist: listed is only for discovery tests: \{"listen":\["tcp:8017"\]\}$/m,
    );
    expect(stdout).toBe("");
  });

  it("waits for a startService that returns a promise, and exits 1 when it fails", async () => {
    const { code, stderr } = await runTwist(["--app", join(FIXTURE_APPS, "asyncfail.mjs")]);
    expect(code).toBe(1);
    expect(stderr).toContain("twist: the widget could not be reached");
  });

  // Switching users needs root: CI and these machines run as root; elsewhere it cannot run.
  it.skipIf(process.getuid?.() !== 0)(
    "switches to --uid and the user's group after binding (run as root)",
    async () => {
      const twist = startTwist(["--uid", "nobody", "--app", join(FIXTURE_APPS, "whoami.mjs")]);
      const [, port] = await twist.waitFor(/Factory starting on (\d+)/);
      expect(await ask(Number(port))).toBe("65534:65534\n");
      twist.child.kill("SIGTERM");
      expect((await twist.exited).code).toBe(0);
    },
  );

  it("writes JSON log events with --log-format json, at --log-level and above", async () => {
    // At --log-level warn nothing is logged on start-up, so the pidfile (written in the same
    // tick as the signal handlers are installed) says when SIGTERM will be handled.
    const pidfile = join(tempDir(), "twist.pid");
    const twist = startTwist([
      "--log-format",
      "json",
      "--log-level",
      "warn",
      "--pidfile",
      pidfile,
      "pidecho",
    ]);
    const quiet = startTwist(["--log-format", "json", "pidecho"]);
    await quiet.waitFor(/starting on/);
    quiet.child.kill("SIGTERM");
    await quiet.exited;
    const events = quiet
      .stdout()
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as {
            log_namespace: string;
            log_format: string;
            log_level: { name: string };
          },
      );
    expect(events.map((e) => e.log_format)).toContain("Received {signal}, shutting down.");
    expect(events[0]).toMatchObject({
      log_namespace: "twisted-ts.twist",
      log_level: { name: "info" },
    });
    const deadline = Date.now() + 15_000;
    while (!existsSync(pidfile)) {
      if (Date.now() > deadline || twist.child.exitCode !== null) throw new Error(twist.stderr());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    twist.child.kill("SIGTERM");
    expect((await twist.exited).code).toBe(0);
    expect(twist.stdout()).toBe("");
    expect(existsSync(pidfile)).toBe(false);
  });
});

describe("--logfile", () => {
  it("logs to the file and reopens it on SIGHUP (for logrotate)", async () => {
    const dir = tempDir();
    const log = join(dir, "twist.log");
    const twist = startTwist(["--logfile", log, "pidecho"]);
    const deadline = Date.now() + 15_000;
    while (!(existsSync(log) && /starting on/.test(readFileSync(log, "utf8")))) {
      if (Date.now() > deadline || twist.child.exitCode !== null) throw new Error(twist.stderr());
      await new Promise((r) => setTimeout(r, 20));
    }
    renameSync(log, `${log}.1`);
    twist.child.kill("SIGHUP");
    while (!(existsSync(log) && /Reopened log file/.test(readFileSync(log, "utf8")))) {
      if (Date.now() > deadline) throw new Error("not reopened");
      await new Promise((r) => setTimeout(r, 20));
    }
    twist.child.kill("SIGTERM");
    expect((await twist.exited).code).toBe(0);
    expect(twist.stdout()).toBe("");
    const rotated = readFileSync(`${log}.1`, "utf8");
    const fresh = readFileSync(log, "utf8");
    expect(rotated).toMatch(/starting up/);
    expect(rotated).not.toMatch(/Main loop terminated/);
    expect(fresh).toMatch(logLine("twisted-ts.twist", "info", "Main loop terminated."));
  });
});
