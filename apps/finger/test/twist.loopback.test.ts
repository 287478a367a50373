import { tmpdir } from "node:os";
import { type Spawned, spawnAndWaitForLine } from "@twisted-ts/testing-helpers";
import { afterEach, describe, expect, it } from "vitest";
import { APP, exchange, setStatus, TWIST } from "./helpers.js";

const LOCAL = "tcp:0:interface=127.0.0.1";
/** Every port's "starting on" line, in any order. */
const READY =
  /(?=[\s\S]*FingerFactory starting on (\d+))(?=[\s\S]*FingerSetterFactory starting on (\d+))(?=[\s\S]*Site starting on (\d+))(?=[\s\S]*FingerRPCServerFactory starting on (\d+))/;
const ARGS = ["--user", "joe:Having lunch", "--finger", LOCAL, "--setter", LOCAL].concat([
  "--web",
  LOCAL,
  "--rpc",
  LOCAL,
]);

const running: Spawned[] = [];
afterEach(async () => {
  for (const spawned of running.splice(0)) await spawned.stop();
});

async function start(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const { spawned, match } = await spawnAndWaitForLine(process.execPath, [TWIST, ...args], READY, {
    cwd,
    env: { ...process.env, TWIST_FROM_SOURCE: "1", ...env },
  });
  running.push(spawned);
  const [, finger, setter, web, rpc] = match.map(Number);
  return { spawned, finger: finger as number, setter: setter as number, web: web as number, rpc };
}

async function checkRunning(ports: { finger: number; setter: number; web: number }) {
  expect(await exchange(ports.finger, "joe\r\n")).toBe("Having lunch\r\n");
  await setStatus(ports.setter, "joe Back at work\n");
  let answer = "";
  for (let i = 0; i < 50 && answer !== "Back at work\r\n"; i++) {
    answer = await exchange(ports.finger, "joe\r\n");
  }
  expect(answer).toBe("Back at work\r\n");
  expect(await (await fetch(`http://127.0.0.1:${ports.web}/joe`)).text()).toContain(
    "<p>Back at work</p>",
  );
}

describe("twist finger", () => {
  it("runs the plugin found in the workspace, and stops cleanly on SIGTERM", async () => {
    const run = await start(["finger", ...ARGS], APP, {});
    await checkRunning(run);
    run.spawned.child.kill("SIGTERM");
    await run.spawned.stop();
    expect(run.spawned.child.exitCode).toBe(0);
  }, 60_000);

  it("finds the plugin through TWIST_PLUGIN_PATH from anywhere", async () => {
    const run = await start(["finger", ...ARGS], tmpdir(), { TWIST_PLUGIN_PATH: APP });
    await checkRunning(run);
  }, 60_000);

  it("runs src/app.ts under twist --app, configured by FINGER_ARGS", async () => {
    const run = await start(["--app", "src/app.ts"], APP, { FINGER_ARGS: JSON.stringify(ARGS) });
    await checkRunning(run);
  }, 60_000);
});
