import { fileURLToPath } from "node:url";
import { type IPv4Address, Reactor } from "@twisted-ts/core";
import {
  DEBIAN_PYTHON,
  ensureDebianPackages,
  runProcess,
  spawnAndWaitForLine,
} from "@twisted-ts/testing-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getQuote } from "../src/client.js";
import { QOTDDatagramProtocol } from "../src/datagram.js";
import { StaticQuoter } from "../src/quoters.js";
import { QOTDFactory } from "../src/server.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const QUOTE = "Don't count your chickens before they hatch.";
const MULTILINE = "Fortune favours the bold.\n\t-- Terence";

let reactor: Reactor;
let finished: Promise<void>;
let tcpPort: number;
let multilinePort: number;
let udpPort: number;

beforeAll(() => {
  // The independent peers: OpenBSD netcat and Debian's Twisted 22.4. A missing peer fails.
  ensureDebianPackages(["netcat-openbsd", "python3-twisted"]);
  reactor = new Reactor();
  finished = reactor.run({ installSignalHandlers: false });
  const listen = (quote: string) => {
    const factory = new QOTDFactory(new StaticQuoter(quote), { clock: reactor });
    factory.noisy = false;
    return (reactor.listenTCP(0, factory, { interface: "127.0.0.1" }).getHost() as IPv4Address)
      .port;
  };
  tcpPort = listen(QUOTE);
  multilinePort = listen(MULTILINE);
  const udp = new QOTDDatagramProtocol(new StaticQuoter(QUOTE), {
    clock: reactor,
    perSourceLimit: 10,
  });
  udp.noisy = false;
  udpPort = reactor.listenUDP(0, udp, { interface: "127.0.0.1" }).getHost().port;
}, 600_000);

afterAll(async () => {
  if (reactor?.running) reactor.stop();
  await finished;
});

describe("our QOTD server against independent clients", () => {
  it("answers nc with the quote and CRLF, and closes so nc exits", async () => {
    const r = await runProcess("nc", ["127.0.0.1", String(tcpPort)], { input: "" });
    expect(r.stdout).toBe(`${QUOTE}\r\n`);
    expect(r.code).toBe(0);
  });

  it("answers nc over UDP", async () => {
    const r = await runProcess("nc", ["-u", "-w", "1", "127.0.0.1", String(udpPort)], {
      input: "?",
    });
    expect(r.stdout).toBe(`${QUOTE}\r\n`);
  });

  it("answers a Twisted 22.4 client, which sees the quote and a clean close", async () => {
    const r = await runProcess(DEBIAN_PYTHON, [fixture("twisted_qotd_client.py"), String(tcpPort)]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ data: `${QUOTE}\r\n`, clean: true });
    expect(r.code).toBe(0);
  });

  it("sends a multi-line quote to a Twisted client with CRLF line breaks", async () => {
    const r = await runProcess(DEBIAN_PYTHON, [
      fixture("twisted_qotd_client.py"),
      String(multilinePort),
    ]);
    expect(JSON.parse(r.stdout)).toEqual({
      data: "Fortune favours the bold.\r\n\t-- Terence\r\n",
      clean: true,
    });
  });
});

describe("our getQuote against Twisted's wire.QOTD", () => {
  it("reads Twisted 22.4's quote without its CRLF", async () => {
    const { spawned, match } = await spawnAndWaitForLine(
      DEBIAN_PYTHON,
      [fixture("twisted_qotd_server.py")],
      /twisted (\S+) listening on (\d+)/,
    );
    try {
      expect(match[1]).toMatch(/^22\.4/);
      const port = Number(match[2]);
      expect(await getQuote(reactor, "127.0.0.1", port, { timeout: 10 })).toBe(
        "An apple a day keeps the doctor away.",
      );
      // A second connection gets the same answer: the server goes on serving.
      expect(await getQuote(reactor, "127.0.0.1", port, { timeout: 10 })).toBe(
        "An apple a day keeps the doctor away.",
      );
    } finally {
      await spawned.stop();
    }
  });
});
