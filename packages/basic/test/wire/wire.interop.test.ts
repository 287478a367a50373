import { fileURLToPath } from "node:url";
import { Factory, type IProtocolFactory, type Reactor } from "@twisted-ts/core";
import { DEBIAN_PYTHON, ensureDebianPackages, runProcess } from "@twisted-ts/testing-helpers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Daytime,
  DaytimeUDP,
  Echo,
  EchoUDP,
  QOTD,
  RFC868_EPOCH_OFFSET,
  Time,
  TimeUDP,
  Who,
} from "../../src/wire/index.js";
import { testReactor } from "./loopback.js";

const client = fileURLToPath(new URL("./fixtures/twisted_wire_client.py", import.meta.url));

beforeAll(() => {
  // The independent peers: Debian's Twisted 22.4 and OpenBSD's netcat. A missing peer fails
  // the run (ensureDebianPackages throws); it is never skipped.
  ensureDebianPackages(["python3-twisted", "netcat-openbsd"]);
}, 600_000);

/** Listen with `factory` on 127.0.0.1, port 0. */
function listen(reactor: Reactor, factory: IProtocolFactory): string {
  const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  return String((port.getHost() as { port: number }).port);
}

/** Run the Twisted client fixture; it prints "twisted 22.x" first. */
async function twisted(args: string[]): Promise<string> {
  const result = await runProcess(DEBIAN_PYTHON, [client, ...args]);
  expect(result.stderr).toBe("");
  expect(result.stdout).toMatch(/^twisted 22\.4\./);
  expect(result.code).toBe(0);
  return result.stdout;
}

/** The hex bytes after "data: " in the fixture's output. */
function dataOf(stdout: string): Buffer {
  const hex = /^data: ([0-9a-f]*)$/m.exec(stdout)?.[1];
  if (hex === undefined) throw new Error(`no data line in ${stdout}`);
  return Buffer.from(hex, "hex");
}

describe("the wire protocols against Debian's Twisted 22.4", () => {
  it("our Echo answers a Twisted client, message after message", async () => {
    const port = listen(testReactor(), Factory.forProtocol(Echo));
    const messages = ["hello, world!", "a second message", "ünïcödé ✓"];
    const out = await twisted(["echo", port, ...messages]);
    for (const m of messages) expect(out).toContain(`reply: ${m}\n`);
  });

  it("our Echo serves several Twisted clients at once", async () => {
    const port = listen(testReactor(), Factory.forProtocol(Echo));
    const outs = await Promise.all(
      [1, 2, 3].map((n) => twisted(["echo", port, `client ${n}`, `again ${n}`])),
    );
    for (const [i, out] of outs.entries()) expect(out).toContain(`reply: again ${i + 1}\n`);
  });

  it("our QOTD and Who send their text and close cleanly for a Twisted client", async () => {
    const reactor = testReactor();
    const qotd = await twisted(["read", listen(reactor, Factory.forProtocol(QOTD))]);
    expect(qotd).toContain("closed: ConnectionDone");
    expect(dataOf(qotd).toString()).toBe("An apple a day keeps the doctor away.\r\n");
    const who = await twisted(["read", listen(reactor, Factory.forProtocol(Who))]);
    expect(dataOf(who).toString()).toBe("root\r\n");
  });

  it("our Daytime sends today's UTC date to a Twisted client", async () => {
    const out = await twisted(["read", listen(testReactor(), Factory.forProtocol(Daytime))]);
    const text = dataOf(out).toString();
    expect(text).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/);
    const sent = Date.parse(`${text.trim()} UTC`);
    expect(Math.abs(sent - Date.now())).toBeLessThan(60_000);
  });

  it("our Time sends RFC 868 seconds since 1900 that a Twisted client reads as now", async () => {
    const out = await twisted(["read", listen(testReactor(), Factory.forProtocol(Time))]);
    const data = dataOf(out);
    expect(data.length).toBe(4);
    const unix = data.readUInt32BE(0) - RFC868_EPOCH_OFFSET;
    expect(Math.abs(unix - Date.now() / 1000)).toBeLessThan(60);
  });

  it("our EchoUDP and TimeUDP answer a Twisted datagram client", async () => {
    const reactor = testReactor();
    const echo = new EchoUDP();
    echo.noisy = false;
    const echoPort = reactor.listenUDP(0, echo, { interface: "127.0.0.1" });
    const echoed = await twisted(["udp", String(echoPort.getHost().port), "00ff68690d0a"]);
    expect(echoed).toContain("answer: 00ff68690d0a from True");
    const time = new TimeUDP();
    time.noisy = false;
    const timePort = reactor.listenUDP(0, time, { interface: "127.0.0.1" });
    const timed = await twisted(["udp", String(timePort.getHost().port), ""]);
    const hex = /^answer: ([0-9a-f]{8}) from True$/m.exec(timed)?.[1] ?? "";
    const unix = Buffer.from(hex, "hex").readUInt32BE(0) - RFC868_EPOCH_OFFSET;
    expect(Math.abs(unix - Date.now() / 1000)).toBeLessThan(60);
  });
});

describe("the wire protocols against OpenBSD netcat", () => {
  it("nc reads our QOTD and Daytime until we close", async () => {
    const reactor = testReactor();
    const qotd = await runProcess("nc", ["127.0.0.1", listen(reactor, Factory.forProtocol(QOTD))], {
      input: "",
    });
    expect(qotd.stdout).toBe("An apple a day keeps the doctor away.\r\n");
    expect(qotd.code).toBe(0);
    const daytime = await runProcess(
      "nc",
      ["127.0.0.1", listen(reactor, Factory.forProtocol(Daytime))],
      { input: "" },
    );
    expect(daytime.stdout).toMatch(
      /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/,
    );
  });

  it("nc -u gets an answer from our DaytimeUDP", async () => {
    const reactor = testReactor();
    const daytime = new DaytimeUDP();
    daytime.noisy = false;
    const port = reactor.listenUDP(0, daytime, { interface: "127.0.0.1" });
    const out = await runProcess(
      "nc",
      ["-u", "-w", "1", "127.0.0.1", String(port.getHost().port)],
      {
        input: "\n",
      },
    );
    expect(out.stdout).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/);
  });
});
