import { once } from "node:events";
import { mkdtempSync, readFileSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  capturedLogs,
  Factory,
  formatEvent,
  globalLogPublisher,
  IPv4Address,
  type LogEvent,
} from "@twisted-ts/core";
import { StringTransport, StringTransportWithDisconnection } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  bytesRepr,
  SpewingFactory,
  TrafficLoggingFactory,
  type TrafficLoggingProtocol,
  type TrafficLogSink,
} from "../../src/policies/index.js";
import { EchoProtocol, Server, SimpleProtocol } from "./helpers.js";

/** Echoes, but answers with writeSequence when the data says "vector!". */
class WriteSequenceEchoProtocol extends EchoProtocol {
  override dataReceived(data: Buffer): void {
    if (data.includes("vector!")) this.transport?.writeSequence([data]);
    else super.dataReceived(data);
  }
}

/** A log in memory. */
class MemorySink implements TrafficLogSink {
  text = "";
  ended = false;
  write(line: string): void {
    this.text += line;
  }
  end(): void {
    this.ended = true;
  }
}

/** A TrafficLoggingFactory whose logs stay in memory, one per `open`. */
class TestLoggingFactory extends TrafficLoggingFactory {
  readonly opened: [string, MemorySink][] = [];
  override open(name: string): MemorySink {
    const sink = new MemorySink();
    this.opened.push([name, sink]);
    return sink;
  }
}

const addr = (port: number) => new IPv4Address("TCP", "1.2.3.4", port);

describe("bytesRepr", () => {
  it("shows bytes as Python's repr does", () => {
    expect(bytesRepr(Buffer.from("here are some bytes"))).toBe("b'here are some bytes'");
    expect(bytesRepr(Buffer.from([0, 0xff, 9, 10, 13, 0x5c, 0x5c, 0x20, 0x6f, 0x6b]))).toBe(
      "b'\\x00\\xff\\t\\n\\r\\\\\\\\ ok'",
    );
    expect(bytesRepr(Buffer.from([0x7f]))).toBe("b'\\x7f'");
    expect(bytesRepr(Buffer.alloc(0))).toBe("b''");
  });

  it("picks the quotes as Python does", () => {
    expect(bytesRepr(Buffer.from("it's"))).toBe(`b"it's"`);
    expect(bytesRepr(Buffer.from(`'"`))).toBe(`b'\\'"'`);
  });

  it("shows a string as its UTF-8 bytes", () => {
    expect(bytesRepr("é")).toBe("b'\\xc3\\xa9'");
  });
});

describe("TrafficLoggingFactory", () => {
  it("logs the connection, each chunk each way, a writeSequence, the close and the loss", () => {
    const wrappedFactory = new Server();
    wrappedFactory.protocol = WriteSequenceEchoProtocol;
    const f = new TestLoggingFactory(wrappedFactory, "test");
    const p = f.buildProtocol(addr(5678)) as TrafficLoggingProtocol;
    const t = new StringTransportWithDisconnection();
    t.protocol = p;
    p.makeConnection(t);
    const log = f.opened[0]?.[1] as MemorySink;
    expect(log.text).toBe("*\n");
    expect(t.value().length).toBe(0);

    p.dataReceived(Buffer.from("here are some bytes"));
    expect(log.text).toContain("C 1: b'here are some bytes'\n");
    expect(log.text).toContain("S 1: b'here are some bytes'\n");
    expect(t.value().toString()).toBe("here are some bytes");

    t.clear();
    p.dataReceived(Buffer.from("prepare for vector! to the extreme"));
    expect(log.text).toContain("SV 1: [b'prepare for vector! to the extreme']\n");
    expect(t.value().toString()).toBe("prepare for vector! to the extreme");

    p.loseConnection();
    expect(log.text).toContain("S 1: *\n");
    expect(log.text).toContain("ConnectionDone");
    expect(log.text.endsWith("C 1: [Failure ConnectionDone: Bye.]\n")).toBe(true);
    expect(log.ended).toBe(true);
  });

  it("numbers connections from 1, and from 1 again after resetCounter", () => {
    const f = new TestLoggingFactory(new Server(), "test");
    expect(f.counter).toBe(0);
    f.buildProtocol(addr(5678));
    expect(f.counter).toBe(1);
    f.buildProtocol(addr(5679));
    expect(f.counter).toBe(2);
    f.resetCounter();
    expect(f.counter).toBe(0);
  });

  it("opens a log named prefix-n for each connection and hands it to the protocol", () => {
    const f = new TestLoggingFactory(Factory.forProtocol(SimpleProtocol), "test");
    const first = f.buildProtocol(addr(12345));
    const second = f.buildProtocol(addr(12346));
    expect(f.opened.map(([name]) => name)).toEqual(["test-1", "test-2"]);
    expect([first?.logfile, second?.logfile]).toEqual(f.opened.map(([, sink]) => sink));
    expect([first?.number, second?.number]).toEqual([1, 2]);
  });

  it("opens no log for a connection the wrapped factory refuses", () => {
    const f = new TestLoggingFactory(
      { buildProtocol: () => null, doStart() {}, doStop() {} },
      "test",
    );
    expect(f.buildProtocol(addr(1))).toBeNull();
    expect(f.opened).toEqual([]);
    expect(f.counter).toBe(0);
  });

  it("cuts chunks longer than lengthLimit, ending them with <... elided>", () => {
    const f = new TestLoggingFactory(new Server(), "test", 20);
    const p = f.buildProtocol(addr(1)) as TrafficLoggingProtocol;
    p.makeConnection(new StringTransport());
    p.dataReceived(Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz"));
    p.dataReceived(Buffer.from("short"));
    const log = f.opened[0]?.[1] as MemorySink;
    expect(log.text).toContain("C 1: b'01234567<... elided>'\n");
    expect(log.text).toContain("S 1: b'01234567<... elided>'\n");
    expect(log.text).toContain("C 1: b'short'\n");
  });

  it("writes to a real file, prefix-1, by default", async () => {
    const dir = mkdtempSync(join(tmpdir(), "traffic-"));
    const f = new TrafficLoggingFactory(new Server(), join(dir, "log"));
    const p = f.buildProtocol(addr(1)) as TrafficLoggingProtocol;
    const t = new StringTransportWithDisconnection();
    t.protocol = p;
    p.makeConnection(t);
    p.dataReceived(Buffer.from("hi\n"));
    const finished = once(p.logfile as WriteStream, "finish");
    t.loseConnection();
    await finished;
    expect(readFileSync(join(dir, "log-1"), "utf8")).toBe(
      "*\nC 1: b'hi\\n'\nS 1: b'hi\\n'\nC 1: [Failure ConnectionDone: Bye.]\n",
    );
  });
});

it("reports a log file it cannot open through the logger, and the connection goes on", async () => {
  const events: LogEvent[] = [];
  const observer = (event: LogEvent): void => {
    events.push(event);
  };
  globalLogPublisher.addObserver(observer);
  try {
    const f = new TrafficLoggingFactory(new Server(), "/nonexistent/dir/log");
    const p = f.buildProtocol(addr(1)) as TrafficLoggingProtocol;
    const t = new StringTransportWithDisconnection();
    t.protocol = p;
    p.makeConnection(t);
    p.dataReceived(Buffer.from("echoed anyway"));
    // events.once would reject on the stream's error: wait for the close alone.
    await new Promise<void>((resolve) => (p.logfile as WriteStream).on("close", () => resolve()));
    p.dataReceived(Buffer.from(" and again"));
    t.loseConnection();
    await new Promise((r) => setTimeout(r, 10));
    expect(t.value().toString()).toBe("echoed anyway and again");
    const failures = events.filter((e) => e.log_failure !== undefined);
    expect(failures.map((e) => formatEvent(e))).toEqual([
      "Cannot write traffic log /nonexistent/dir/log-1",
    ]);
  } finally {
    globalLogPublisher.removeObserver(observer);
  }
});

describe("SpewingFactory", () => {
  it("logs every chunk received and sent", () => {
    const f = new SpewingFactory(new Server());
    const p = f.buildProtocol(addr(1));
    const t = new StringTransport();
    p?.makeConnection(t);
    const events = capturedLogs(() => {
      p?.dataReceived(Buffer.from("ping\r\n"));
      p?.writeSequence(["a", "b"]);
    });
    expect(events.map((e) => formatEvent(e))).toEqual([
      "Received: b'ping\\r\\n'",
      "Sending: b'ping\\r\\n'",
      "Sending: [b'a', b'b']",
    ]);
    expect(t.value().toString()).toBe("ping\r\nab");
  });
});
