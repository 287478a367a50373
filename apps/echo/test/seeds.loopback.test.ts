import { fileURLToPath } from "node:url";
import { runProcess } from "@twisted-ts/testing-helpers";
import { describe, expect, it } from "vitest";

const app = fileURLToPath(new URL("..", import.meta.url));
const tsx = ["tsx", "--conditions=@twisted-ts/source"];

describe("the seed programs, run as programs", () => {
  it("echoclient prints 'Connection failed - goodbye!' when nobody listens, and exits", async () => {
    const r = await runProcess("npx", [...tsx, "src/echoclient.ts", "127.0.0.1", "1"], {
      cwd: app,
    });
    expect(r.stdout).toBe("Connection failed - goodbye!\n");
    expect(r.code).toBe(0);
  });

  it("countdown counts 5 to 1 a second apart and prints Stop!", async () => {
    const started = Date.now();
    const r = await runProcess("npx", [...tsx, "src/countdown.ts"], { cwd: app });
    expect(r.stdout).toBe("5 ...\n4 ...\n3 ...\n2 ...\n1 ...\nStop!\n");
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
  });

  it("falldown logs the error with its traceback and gets up again", async () => {
    const r = await runProcess("npx", [...tsx, "src/falldown.ts"], { cwd: app });
    expect(r.stdout).toMatch(
      /\[twisted-ts\.internet\.base#critical\] Unhandled error in system event trigger \(startup after\)/,
    );
    expect(r.stdout).toMatch(/\tError: I fall down\.\n\t {4}at /);
    expect(r.stdout.trimEnd().endsWith("But I get up again.")).toBe(true);
    expect(r.code).toBe(0);
  });

  it("the demo runs all three acts in one reactor run", async () => {
    const r = await runProcess("npx", [...tsx, "src/demo.ts"], { cwd: app });
    expect(r.stdout).toContain("Server said: hello, world!");
    expect(r.stdout).toContain("1 ...\nStop!");
    expect(r.stdout).toContain("Error: I fall down.");
    expect(r.stdout.trimEnd().endsWith("But I get up again.")).toBe(true);
    expect(r.code).toBe(0);
  });
});
