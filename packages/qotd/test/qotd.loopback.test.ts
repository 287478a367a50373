import { createSocket } from "node:dgram";
import { connect as connectNet } from "node:net";
import { fileURLToPath } from "node:url";
import {
  ConnectionRefusedError,
  Factory,
  type IListeningPort,
  type IPv4Address,
  Protocol,
  type Reactor,
  TimeoutError,
} from "@twisted-ts/core";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { getQuote } from "../src/client.js";
import { QOTDDatagramProtocol } from "../src/datagram.js";
import { QuoteTooLongError } from "../src/errors.js";
import { FortuneQuoter } from "../src/fortune.js";
import { makeService } from "../src/plugin.js";
import { StaticQuoter } from "../src/quoters.js";
import { QOTDFactory } from "../src/server.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const portOf = (p: { getHost(): unknown }) => (p.getHost() as IPv4Address).port;

/** Everything a plain TCP client reads until the server closes. */
function readAll(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connectNet(port, "127.0.0.1");
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", reject);
    socket.on("end", () => {
      socket.end();
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Send `count` datagrams from one socket and collect the answers for `waitMs`. */
async function askUDP(port: number, count: number, waitMs = 300): Promise<Buffer[]> {
  const socket = createSocket("udp4");
  const answers: Buffer[] = [];
  socket.on("message", (msg) => answers.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  for (let i = 0; i < count; i++) socket.send("?", port, "127.0.0.1");
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  socket.close();
  return answers;
}

function listenQOTD(reactor: Reactor, factory: QOTDFactory): IListeningPort {
  factory.noisy = false;
  const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  onCleanup(async () => {
    await port.stopListening();
  });
  return port;
}

describe("QOTD over real sockets", () => {
  it("a TCP client reads the quote and CRLF, then the server closes", async () => {
    const reactor = testReactor();
    const port = listenQOTD(
      reactor,
      new QOTDFactory(new StaticQuoter("Actions speak louder than words.")),
    );
    const bytes = await readAll(portOf(port));
    expect(bytes.toString("utf8")).toBe("Actions speak louder than words.\r\n");
  });

  it("getQuote reads our server's quote", async () => {
    const reactor = testReactor();
    const port = listenQOTD(
      reactor,
      new QOTDFactory(new StaticQuoter("Two heads are better than one.")),
    );
    expect(await getQuote(reactor, "127.0.0.1", portOf(port), { timeout: 5 })).toBe(
      "Two heads are better than one.",
    );
  });

  it("serves fortune-file quotes, read asynchronously, to many clients at once", async () => {
    const reactor = testReactor();
    const quoter = new FortuneQuoter([fixture("fortunes.txt"), fixture("crlf.txt")]);
    const port = listenQOTD(reactor, new QOTDFactory(quoter, { clock: reactor }));
    const all = [
      ...(await quoter.quotesIn(fixture("fortunes.txt"))),
      ...(await quoter.quotesIn(fixture("crlf.txt"))),
    ].map((q) => q.replaceAll("\n", "\r\n"));
    const quotes = await Promise.all(
      Array.from({ length: 20 }, () =>
        getQuote(reactor, "127.0.0.1", portOf(port), { timeout: 5 }),
      ),
    );
    for (const quote of quotes) expect(all).toContain(quote);
  });

  it("answers with the fallback quote when the fortune file is missing, and goes on serving", async () => {
    const reactor = testReactor();
    const factory = new QOTDFactory(new FortuneQuoter([fixture("missing.txt")]), {
      fallbackQuote: "No fortune today.",
    });
    const port = listenQOTD(reactor, factory);
    expect(await getQuote(reactor, "127.0.0.1", portOf(port))).toBe("No fortune today.");
    expect(await getQuote(reactor, "127.0.0.1", portOf(port))).toBe("No fortune today.");
  });

  it("getQuote fails with ConnectionRefusedError when nobody listens", async () => {
    const reactor = testReactor();
    const port = reactor.listenTCP(0, new QOTDFactory(new StaticQuoter("x")), {
      interface: "127.0.0.1",
    });
    const number = portOf(port);
    await port.stopListening();
    await expect(getQuote(reactor, "127.0.0.1", number, { timeout: 5 })).rejects.toBeInstanceOf(
      ConnectionRefusedError,
    );
  });

  it("getQuote fails with TimeoutError when the server never closes", async () => {
    const reactor = testReactor();
    const silent = Factory.forProtocol(Protocol);
    silent.noisy = false;
    const port = reactor.listenTCP(0, silent, { interface: "127.0.0.1" });
    onCleanup(async () => {
      await port.stopListening();
    });
    const started = Date.now();
    await expect(
      getQuote(reactor, "127.0.0.1", portOf(port), { timeout: 0.3 }),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("getQuote fails with QuoteTooLongError when the server sends too much", async () => {
    const reactor = testReactor();
    class Flood extends Protocol {
      override connectionMade(): void {
        this.transport?.write(Buffer.alloc(100_000, 0x61));
        this.transport?.loseConnection();
      }
    }
    const flood = Factory.forProtocol(Flood);
    flood.noisy = false;
    const port = reactor.listenTCP(0, flood, { interface: "127.0.0.1" });
    onCleanup(async () => {
      await port.stopListening();
    });
    await expect(
      getQuote(reactor, "127.0.0.1", portOf(port), { timeout: 5 }),
    ).rejects.toBeInstanceOf(QuoteTooLongError);
  });

  it("answers UDP datagrams, at most the burst from one source", async () => {
    const reactor = testReactor();
    const protocol = new QOTDDatagramProtocol(new StaticQuoter("Strike while the iron is hot."), {
      clock: reactor,
      perSourceLimit: 1,
      perSourceBurst: 2,
    });
    protocol.noisy = false;
    const port = reactor.listenUDP(0, protocol, { interface: "127.0.0.1" });
    onCleanup(async () => {
      await port.stopListening();
    });
    const answers = await askUDP(port.getHost().port, 6);
    expect(answers.map((a) => a.toString("utf8"))).toEqual([
      "Strike while the iron is hot.\r\n",
      "Strike while the iron is hot.\r\n",
    ]);
  });

  it("keeps each UDP answer within 512 bytes", async () => {
    const reactor = testReactor();
    const protocol = new QOTDDatagramProtocol(new StaticQuoter("ß".repeat(2000)), {
      clock: reactor,
    });
    protocol.noisy = false;
    const port = reactor.listenUDP(0, protocol, { interface: "127.0.0.1" });
    onCleanup(async () => {
      await port.stopListening();
    });
    const [answer] = await askUDP(port.getHost().port, 1);
    expect(answer?.length).toBeLessThanOrEqual(512);
    expect(answer?.toString("utf8")).toBe(`${"ß".repeat(255)}\r\n`);
  });

  it("the plugin's service listens on TCP and UDP, serves, and stops", async () => {
    const reactor = testReactor();
    const service = makeService(
      { listen: ["tcp:0:interface=127.0.0.1", "udp:0:interface=127.0.0.1"], quote: "Plugged in." },
      reactor,
    );
    await service.startService();
    const [tcp, udp] = service.ports;
    if (tcp === undefined || udp === undefined) throw new Error("not listening");
    expect(await getQuote(reactor, "127.0.0.1", portOf(tcp))).toBe("Plugged in.");
    expect((await askUDP(portOf(udp), 1)).map(String)).toEqual(["Plugged in.\r\n"]);
    await service.stopService();
    await expect(getQuote(reactor, "127.0.0.1", portOf(tcp))).rejects.toBeInstanceOf(
      ConnectionRefusedError,
    );
  });
});
