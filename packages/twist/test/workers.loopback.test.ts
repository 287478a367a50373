import { describe, expect, it } from "vitest";
import { isProcessAlive } from "../src/pidfile.js";
import { ask, freePort, logLine, startTwist } from "./cli.js";

/** Connect until `count` different pids have answered (or `attempts` run out). */
async function pidsAnswering(port: number, count: number, attempts = 40): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < attempts && pids.size < count; i++) pids.add(Number(await ask(port)));
  return pids;
}

/** The log shows that a second worker could not bind the port its sibling holds. */
describe("twist --workers", () => {
  it("runs N workers that share the port, and restarts one that dies", async () => {
    const port = await freePort();
    const twist = startTwist([
      "--workers",
      "2",
      "pidecho",
      "--listen",
      `tcp:${port}:interface=127.0.0.1`,
    ]);
    const outcome = await Promise.race([
      twist.waitFor(/All 2 workers started\./).then(() => "started" as const),
      twist.exited.then(() => "exited" as const),
    ]);
    expect(outcome, twist.stdout()).toBe("started");

    const pids = await pidsAnswering(port, 2);
    expect(pids.size).toBe(2);

    // Kill one worker: the primary starts another, which answers too.
    const [victim] = pids as Set<number> & [number];
    process.kill(victim, "SIGKILL");
    // It lived less than a second, so its restart waits a second (as procmon's would).
    await twist.waitFor(/Worker \d \(pid \d+\) died \(SIGKILL\); restarting it in 1 s\./);
    await twist.waitFor(
      /Worker \d started \(pid \d+\)\.[\s\S]*Worker \d started \(pid \d+\)\.[\s\S]*Worker \d started \(pid (\d+)\)\./,
    );
    const after = await pidsAnswering(port, 2);
    expect(after.size).toBe(2);
    expect(after.has(victim)).toBe(false);
    expect(isProcessAlive(victim)).toBe(false);

    twist.child.kill("SIGTERM");
    expect((await twist.exited).code).toBe(0);
    const out = twist.stdout();
    expect(out).toMatch(logLine("twisted-ts.twist", "info", "Received SIGTERM, shutting down."));
    expect(out).toMatch(logLine("twisted-ts.twist", "info", "Main loop terminated."));
    for (const pid of after) expect(isProcessAlive(pid)).toBe(false);
  });
});
