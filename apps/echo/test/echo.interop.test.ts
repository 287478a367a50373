import { fileURLToPath } from "node:url";
import {
  DEBIAN_PYTHON,
  ensureDebianPackages,
  runProcess,
  spawnAndWaitForLine,
} from "@twisted-ts/testing-helpers";
import { beforeAll, describe, expect, it } from "vitest";

const app = fileURLToPath(new URL("..", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const tsx = ["--conditions=@twisted-ts/source"];

beforeAll(() => {
  // Debian's Twisted 22.4 is the independent peer.
  ensureDebianPackages(["python3-twisted"]);
}, 600_000);

describe("apps/echo against Debian's Twisted", () => {
  it("our echo server (echoserv.ts) answers a Twisted echo client", async () => {
    const { spawned, match } = await spawnAndWaitForLine(
      "npx",
      ["tsx", ...tsx, "src/echoserv.ts", "0"],
      /port=(\d+)/,
      { cwd: app },
    );
    try {
      const port = match[1] as string;
      for (const message of ["hello, world!", "a second message, from a second connection"]) {
        const client = await runProcess(DEBIAN_PYTHON, [
          fixture("twisted_echo_client.py"),
          port,
          message,
        ]);
        expect(client.stdout).toContain(`reply: ${message}`);
        expect(client.code).toBe(0);
      }
    } finally {
      await spawned.stop();
    }
  });

  it("our echo client (echoclient.ts) talks to a Twisted echo server and stops the reactor", async () => {
    const { spawned, match } = await spawnAndWaitForLine(
      DEBIAN_PYTHON,
      [fixture("twisted_echo_server.py")],
      /twisted (\S+) listening on (\d+)/,
    );
    try {
      expect(match[1]).toMatch(/^2\d\./);
      const client = await runProcess(
        "npx",
        ["tsx", ...tsx, "src/echoclient.ts", "127.0.0.1", match[2] as string],
        {
          cwd: app,
        },
      );
      expect(client.stdout).toBe(
        "Server said: hello, world!\nconnection lost\nConnection lost - goodbye!\n",
      );
      expect(client.code).toBe(0);
    } finally {
      await spawned.stop();
    }
  });
});
