import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ask, runTwist, startTwist } from "./cli.js";
import { FIXTURE_APPS, tempDir } from "./helpers.js";

describe("--app", () => {
  it("runs the application a .ts file exports, without a build step", async () => {
    const twist = startTwist(["--app", join(FIXTURE_APPS, "counter.ts")]);
    const [, port] = await twist.waitFor(/CountFactory starting on (\d+)/);
    expect(await ask(Number(port))).toBe("0\n");
    expect(await ask(Number(port))).toBe("1\n");
    expect(twist.stdout()).toMatch(/Loading \S*counter\.ts\.\.\./);
    twist.child.kill("SIGTERM");
    expect((await twist.exited).code).toBe(0);
  });

  it("runs a .mjs application file", async () => {
    const twist = startTwist(["-y", join(FIXTURE_APPS, "hello.mjs")]);
    const [, port] = await twist.waitFor(/Factory starting on (\d+)/);
    expect(await ask(Number(port))).toBe("hello from a .mjs app\n");
    twist.child.kill("SIGTERM");
    expect((await twist.exited).code).toBe(0);
  });

  it("fails when the file does not export an application", async () => {
    const { code, stderr } = await runTwist(["--app", join(FIXTURE_APPS, "noapp.ts")]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/noapp\.ts does not export `application`/);
  });

  it("keeps state across a restart with --state-file", async () => {
    const dir = tempDir();
    const stateFile = join(dir, "state.json");
    const args = ["--state-file", stateFile, "--app", join(FIXTURE_APPS, "counter.ts")];
    const first = startTwist(args);
    const [, port1] = await first.waitFor(/CountFactory starting on (\d+)/);
    expect([await ask(Number(port1)), await ask(Number(port1))]).toEqual(["0\n", "1\n"]);
    first.child.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);
    expect(first.stdout()).toContain(`Saved state to ${stateFile}.`);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual({ counter: { next: 2 } });

    const second = startTwist(args);
    const [, port2] = await second.waitFor(/CountFactory starting on (\d+)/);
    expect(second.stdout()).toContain(`Restored state from ${stateFile}.`);
    expect(await ask(Number(port2))).toBe("2\n");
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual({ counter: { next: 3 } });
  });

  it("refuses a state file that is not JSON", async () => {
    const stateFile = join(tempDir(), "state.json");
    writeFileSync(stateFile, "{ oops");
    const { code, stderr } = await runTwist([
      "--state-file",
      stateFile,
      "--app",
      join(FIXTURE_APPS, "counter.ts"),
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/is not JSON/);
  });
});
