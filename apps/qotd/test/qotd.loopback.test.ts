import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Reactor } from "@twisted-ts/core";
import { getQuote, parseFortunes } from "@twisted-ts/qotd";
import { runProcess, spawnAndWaitForLine } from "@twisted-ts/testing-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const app = fileURLToPath(new URL("..", import.meta.url));
const tsx = ["tsx", "--conditions=@twisted-ts/source"];
const fortunes = parseFortunes(
  readFileSync(fileURLToPath(new URL("../fortunes/quotes.txt", import.meta.url)), "utf8"),
);
const TCP = /TCP', host='127\.0\.0\.1', port=(\d+)/;

let reactor: Reactor;
let finished: Promise<void>;
beforeAll(() => {
  reactor = new Reactor();
  finished = reactor.run({ installSignalHandlers: false });
});
afterAll(async () => {
  if (reactor.running) reactor.stop();
  await finished;
});

/** Start src/qotd.ts with `args` on a free port; returns the port and a stop function. */
async function startServer(args: string[]) {
  const { spawned, match } = await spawnAndWaitForLine(
    "npx",
    [...tsx, "src/qotd.ts", "--port", "0", ...args],
    TCP,
    { cwd: app },
  );
  return { spawned, port: Number(match[1]) };
}

describe("apps/qotd, run as programs", () => {
  it("the sample fortune file holds a dozen quotes", () => {
    expect(fortunes.length).toBeGreaterThanOrEqual(12);
  });

  it("serves the default static quote", async () => {
    const { spawned, port } = await startServer([]);
    try {
      expect(await getQuote(reactor, "127.0.0.1", port, { timeout: 10 })).toBe(
        "An apple a day keeps the doctor away.",
      );
      expect(spawned.stdout()).toContain("qotd: serving a static quote");
    } finally {
      await spawned.stop();
    }
  });

  it("serves --quote", async () => {
    const { spawned, port } = await startServer(["--quote", "Less is more."]);
    try {
      expect(await getQuote(reactor, "127.0.0.1", port, { timeout: 10 })).toBe("Less is more.");
    } finally {
      await spawned.stop();
    }
  });

  it("serves quotes from --fortune, over TCP and, with --udp, over UDP", async () => {
    const { spawned, port } = await startServer(["--fortune", "fortunes/quotes.txt", "--udp"]);
    try {
      expect(spawned.stdout()).toContain(
        `qotd: serving ${fortunes.length} quotes from fortunes/quotes.txt`,
      );
      const wire = fortunes.map((q) => q.replaceAll("\n", "\r\n"));
      for (let i = 0; i < 5; i++) {
        expect(wire).toContain(await getQuote(reactor, "127.0.0.1", port, { timeout: 10 }));
      }
      const socket = createSocket("udp4");
      const answer = new Promise<Buffer>((resolve) => socket.once("message", resolve));
      socket.send("?", port, "127.0.0.1");
      const datagram = await answer;
      socket.close();
      expect(wire).toContain(datagram.toString("utf8").replace(/\r\n$/, ""));
    } finally {
      await spawned.stop();
    }
  });

  it("the client program prints the server's quote", async () => {
    const { spawned, port } = await startServer(["--quote", "Knowledge is power."]);
    try {
      const r = await runProcess("npx", [...tsx, "src/client.ts", "127.0.0.1", String(port)], {
        cwd: app,
      });
      expect(r.stdout).toBe("Knowledge is power.\n");
      expect(r.code).toBe(0);
    } finally {
      await spawned.stop();
    }
  });

  it("the client program says why when nobody listens, and exits 1", async () => {
    const r = await runProcess("npx", [...tsx, "src/client.ts", "127.0.0.1", "1"], { cwd: app });
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/qotd: cannot get a quote from 127\.0\.0\.1:1: .*refused/i);
    expect(r.code).toBe(1);
  });

  it("stops at startup when a fortune file is missing, saying which", async () => {
    const r = await runProcess(
      "npx",
      [...tsx, "src/qotd.ts", "--port", "0", "--fortune", "nope.txt"],
      {
        cwd: app,
      },
    );
    expect(r.stderr).toContain('qotd: cannot read the fortune file "nope.txt"');
    expect(r.code).toBe(1);
  });

  it("refuses --quote with --fortune", async () => {
    const r = await runProcess(
      "npx",
      [...tsx, "src/qotd.ts", "--quote", "a", "--fortune", "fortunes/quotes.txt"],
      { cwd: app },
    );
    expect(r.stderr).toContain("qotd: give --quote or --fortune, not both");
    expect(r.code).toBe(2);
  });

  it("the demo serves three TCP quotes and one UDP quote, then stops", async () => {
    const r = await runProcess("npx", [...tsx, "src/demo.ts"], { cwd: app });
    expect(r.stdout).toContain(
      `== FortuneQuoter: ${fortunes.length} quotes in fortunes/quotes.txt`,
    );
    for (const line of [/^1\. \S/m, /^2\. \S/m, /^3\. \S/m, /^udp: \S/m]) {
      expect(r.stdout).toMatch(line);
    }
    expect(r.code).toBe(0);
  });
});
