import { IPv4Address } from "@twisted-ts/core";
import {
  Clock,
  MemoryReactorClock,
  StringTransport,
  StringTransportWithDisconnection,
} from "@twisted-ts/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type WebLog, WebLogFactory, WebLogService } from "../src/weblog.js";
import { combined, FakeFiles } from "./fakeFiles.js";

const PATH = "/var/log/access.log";
const peer = new IPv4Address("TCP", "127.0.0.1", 40000);

const factories: WebLogFactory[] = [];
afterEach(async () => {
  for (const factory of factories.splice(0)) await factory.follower.stop();
});

/** A started factory following PATH on FakeFiles and a Clock. */
async function setup(options: { maxHits?: number } = {}) {
  const files = new FakeFiles();
  files.create(PATH, combined("10.0.0.1", "/before-start"));
  const clock = new Clock();
  const factory = new WebLogFactory(PATH, { clock, reader: files, ...options });
  factories.push(factory);
  factory.doStart();
  await factory.whenStarted();
  /** Move the clock on, one second at a time, letting each poll finish. */
  const advance = async (seconds: number) => {
    for (let left = seconds; left > 0; left -= 1) {
      clock.advance(Math.min(1, left));
      await factory.follower.whenIdle();
    }
  };
  return { files, clock, factory, advance };
}

/** A client of `factory` on a StringTransport. */
function connect(factory: WebLogFactory): { proto: WebLog; transport: StringTransport } {
  const proto = factory.buildProtocol(peer);
  if (proto === null) throw new Error("refused");
  const transport = new StringTransport();
  proto.makeConnection(transport);
  return { proto, transport };
}

const text = (transport: StringTransport) => transport.value().toString("utf8");
const hitLine = (host: string, path: string) =>
  `<hit host="${host}" time="10/Oct/2000:13:55:36 -0700" request="GET ${path} HTTP/1.0" status="200" bytes="1234" referer="http://example.com/" agent="Mozilla/5.0"/>\n`;

describe("WebLog and WebLogFactory", () => {
  it("opens the stream with <hits> on connect", async () => {
    const { factory } = await setup();
    const { transport } = connect(factory);
    expect(text(transport)).toBe("<hits>\n");
  });

  it("sends hits read after the client connected, every 5 seconds", async () => {
    const { files, factory, advance } = await setup();
    const { transport } = connect(factory);
    files.append(PATH, combined("10.0.0.2", "/one"));
    await advance(1);
    expect(factory.lastSeq).toBe(1);
    await advance(3);
    expect(text(transport)).toBe("<hits>\n");
    await advance(1);
    expect(text(transport)).toBe(`<hits>\n${hitLine("10.0.0.2", "/one")}`);
    files.append(PATH, combined("10.0.0.3", "/two") + combined("10.0.0.4", "/three"));
    await advance(5);
    expect(text(transport)).toBe(
      `<hits>\n${hitLine("10.0.0.2", "/one")}${hitLine("10.0.0.3", "/two")}${hitLine("10.0.0.4", "/three")}`,
    );
  });

  it("gives every connected client every update, each from when it connected", async () => {
    const { files, factory, advance } = await setup();
    const one = connect(factory);
    files.append(PATH, combined("10.0.0.2", "/a"));
    await advance(2);
    const two = connect(factory);
    files.append(PATH, combined("10.0.0.3", "/b"));
    await advance(5);
    expect(text(one.transport)).toBe(
      `<hits>\n${hitLine("10.0.0.2", "/a")}${hitLine("10.0.0.3", "/b")}`,
    );
    expect(text(two.transport)).toBe(`<hits>\n${hitLine("10.0.0.3", "/b")}`);
  });

  it("keeps the last 100 hits", async () => {
    const { files, factory, advance } = await setup();
    files.append(
      PATH,
      Array.from({ length: 130 }, (_, i) => combined("10.0.0.9", `/${i}`)).join(""),
    );
    await advance(1);
    expect(factory.lastSeq).toBe(130);
    expect(factory.hits).toHaveLength(100);
    expect(factory.hits[0]?.seq).toBe(31);
    expect(factory.hits[0]?.hit.request).toBe("GET /30 HTTP/1.0");
  });

  it("tells a client how many hits it missed when more came than are kept", async () => {
    const { files, factory, advance } = await setup({ maxHits: 3 });
    const { transport } = connect(factory);
    files.append(PATH, Array.from({ length: 5 }, (_, i) => combined("h", `/${i}`)).join(""));
    await advance(5);
    expect(text(transport)).toBe(
      `<hits>\n<!-- 2 hits skipped -->\n${hitLine("h", "/2")}${hitLine("h", "/3")}${hitLine("h", "/4")}`,
    );
  });

  it("skips and counts malformed lines without stopping", async () => {
    const { files, factory, advance } = await setup();
    const { transport } = connect(factory);
    files.append(PATH, `garbage\n${combined("10.0.0.5", "/ok")}\n`);
    await advance(5);
    expect(factory.malformed).toBe(2);
    expect(text(transport)).toBe(`<hits>\n${hitLine("10.0.0.5", "/ok")}`);
  });

  it("escapes what the log says before sending it", async () => {
    const { files, factory, advance } = await setup();
    const { transport } = connect(factory);
    files.append(
      PATH,
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /<script>&x HTTP/1.0" 200 1 "-" "a\\"b"\n',
    );
    await advance(5);
    expect(text(transport)).toContain('request="GET /&lt;script&gt;&amp;x HTTP/1.0"');
    expect(text(transport)).toContain('agent="a&quot;b"');
  });

  it("follows the log through truncation and rotation", async () => {
    const { files, factory, advance } = await setup();
    const { transport } = connect(factory);
    files.truncate(PATH);
    // Shorter than what was there: a truncation is seen as the file getting smaller.
    files.append(PATH, combined("10.0.0.6", "/t"));
    await advance(1);
    files.rename(PATH, `${PATH}.1`);
    files.create(PATH, combined("10.0.0.7", "/after-rotation"));
    await advance(4);
    expect(text(transport)).toBe(
      `<hits>\n${hitLine("10.0.0.6", "/t")}${hitLine("10.0.0.7", "/after-rotation")}`,
    );
  });

  it("ends the stream with </hits> and sends what is new first, on close", async () => {
    const { files, factory, advance } = await setup();
    const { proto, transport } = connect(factory);
    files.append(PATH, combined("10.0.0.8", "/last"));
    await advance(1);
    proto.close();
    expect(text(transport)).toBe(`<hits>\n${hitLine("10.0.0.8", "/last")}</hits>\n`);
    expect(transport.disconnecting).toBe(true);
  });

  it("stops its timer and leaves the factory when the connection is lost", async () => {
    const { factory, clock } = await setup();
    const { proto } = connect(factory);
    expect(factory.clients.has(proto)).toBe(true);
    expect(clock.getDelayedCalls()).toHaveLength(2);
    proto.connectionLost();
    expect(factory.clients.size).toBe(0);
    expect(clock.getDelayedCalls()).toHaveLength(1);
  });

  it("stops following the log when the factory stops", async () => {
    const { files, factory, clock } = await setup();
    factory.doStop();
    await factory.whenStopped();
    expect(files.open_).toBe(0);
    expect(clock.getDelayedCalls()).toEqual([]);
  });
});

describe("WebLogService", () => {
  it("listens while running, and on stop ends each stream, closes it, and closes the log", async () => {
    const files = new FakeFiles();
    files.create(PATH);
    const reactor = new MemoryReactorClock();
    const service = new WebLogService({
      logfile: PATH,
      listen: "tcp:8020:interface=127.0.0.1",
      reactor,
      reader: files,
    });
    expect(service.name).toBe("weblog");
    service.privilegedStartService();
    service.startService();
    expect(reactor.tcpServers.map(([port, , , iface]) => [port, iface])).toEqual([
      [8020, "127.0.0.1"],
    ]);
    // A MemoryReactor's port does not start the factory; the real one does.
    service.factory.doStart();
    await service.factory.whenStarted();
    const proto = service.factory.buildProtocol(peer);
    if (proto === null) throw new Error("refused");
    const transport = new StringTransportWithDisconnection();
    transport.protocol = proto;
    proto.makeConnection(transport);
    await service.stopService();
    expect(transport.value().toString()).toBe("<hits>\n</hits>\n");
    expect(transport.connected).toBe(false);
    expect(service.running).toBe(false);
    expect(service.listener.listeningPort).toBeUndefined();
    // The real port stops the factory once it is closed, which closes the log.
    service.factory.doStop();
    await service.factory.whenStopped();
    expect(files.open_).toBe(0);
  });

  it("aborts a client that has not gone after closeTimeout seconds", () => {
    const files = new FakeFiles();
    const reactor = new MemoryReactorClock();
    const service = new WebLogService({
      logfile: PATH,
      listen: "tcp:0",
      reactor,
      reader: files,
      closeTimeout: 2,
    });
    service.startService();
    const { proto, transport } = connect(service.factory);
    let stopped = false;
    service.stopService().addCallback(() => {
      stopped = true;
    });
    expect(transport.disconnecting).toBe(true);
    reactor.advance(2);
    expect(transport.disconnected).toBe(true);
    expect(stopped).toBe(false);
    proto.connectionLost();
  });
});
