import {
  ConnectionDone,
  ConnectionLost,
  Deferred,
  Failure,
  IPv4Address,
  LogLevel,
  type WriteData,
} from "@twisted-ts/core";
import {
  Clock,
  EventLoggingObserver,
  StringTransportWithDisconnection,
} from "@twisted-ts/core/testing";
import { describe, expect, it, onTestFinished } from "vitest";
import { InvalidQuoteError, NoQuotesError } from "../src/errors.js";
import type { IQuoter, QuoteResult } from "../src/quoters.js";
import { StaticQuoter } from "../src/quoters.js";
import { QOTD, QOTDFactory } from "../src/server.js";

/** A transport that records writes and the close, in order. */
class RecordingTransport extends StringTransportWithDisconnection {
  readonly events: string[] = [];
  override write(data: WriteData): void {
    this.events.push(`write ${JSON.stringify(Buffer.from(data).toString("utf8"))}`);
    super.write(data);
  }
  override loseConnection(): void {
    this.events.push("close");
    super.loseConnection();
  }
}

function connect(factory: QOTDFactory): {
  protocol: QOTD;
  transport: RecordingTransport;
  lost: Failure[];
} {
  const protocol = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 40000));
  if (protocol === null) throw new Error("refused");
  const lost: Failure[] = [];
  const original = protocol.connectionLost.bind(protocol);
  protocol.connectionLost = (reason) => {
    lost.push(reason as Failure);
    original(reason);
  };
  const transport = new RecordingTransport();
  transport.protocol = protocol;
  protocol.makeConnection(transport);
  return { protocol, transport, lost };
}

/** A quoter whose answer the test gives later. */
class LaterQuoter implements IQuoter {
  readonly asked: Deferred<string>[] = [];
  getQuote(): QuoteResult {
    const d = new Deferred<string>();
    this.asked.push(d);
    return d;
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function logged(): EventLoggingObserver {
  return EventLoggingObserver.createWithCleanup(onTestFinished);
}

describe("QOTD over TCP", () => {
  it("writes the quote and CRLF on connection, then closes", () => {
    const { transport, lost } = connect(new QOTDFactory(new StaticQuoter("Time flies.")));
    expect(transport.events).toEqual(['write "Time flies.\\r\\n"', "close"]);
    expect(transport.value().toString()).toBe("Time flies.\r\n");
    expect(lost).toHaveLength(1);
    expect(lost[0]?.check(ConnectionDone)).not.toBeNull();
  });

  it("gives each connection a fresh quote from the shared quoter", () => {
    const quoter = new StaticQuoter("first");
    const factory = new QOTDFactory(quoter);
    expect(connect(factory).transport.value().toString()).toBe("first\r\n");
    quoter.quote = "second";
    expect(connect(factory).transport.value().toString()).toBe("second\r\n");
  });

  it("ignores what the client sends", () => {
    const { protocol, transport } = connect(new QOTDFactory(new StaticQuoter("q")));
    protocol.dataReceived(Buffer.from("hello\r\n"));
    expect(transport.value().toString()).toBe("q\r\n");
  });

  it("caps the message at 512 characters, CRLF included", () => {
    const { transport } = connect(new QOTDFactory(new StaticQuoter("z".repeat(1000))));
    expect(transport.value().toString()).toBe(`${"z".repeat(510)}\r\n`);
  });

  it("takes another cap from maxLength, and checks it", () => {
    const { transport } = connect(new QOTDFactory(new StaticQuoter("abcdef"), { maxLength: 4 }));
    expect(transport.value().toString()).toBe("ab\r\n");
    expect(() => new QOTDFactory(new StaticQuoter(""), { maxLength: 0 })).toThrow(RangeError);
  });

  it("sends the lines of a multi-line quote with CRLF", () => {
    const { transport } = connect(new QOTDFactory(new StaticQuoter("line one\n\t-- someone\n")));
    expect(transport.value().toString()).toBe("line one\r\n\t-- someone\r\n");
  });

  it("waits for a quoter that answers with a Deferred", () => {
    const quoter = new LaterQuoter();
    const { transport } = connect(new QOTDFactory(quoter));
    expect(transport.events).toEqual([]);
    quoter.asked[0]?.callback("Later is better than never.");
    expect(transport.events).toEqual(['write "Later is better than never.\\r\\n"', "close"]);
  });

  it("waits for a quoter that answers with a Promise", async () => {
    const quoter: IQuoter = { getQuote: async () => "Promises, promises." };
    const { transport } = connect(new QOTDFactory(quoter));
    expect(transport.events).toEqual([]);
    await flush();
    expect(transport.value().toString()).toBe("Promises, promises.\r\n");
    expect(transport.connected).toBe(false);
  });

  it("logs a quoter that throws and answers with the fallback quote", () => {
    const events = logged();
    const quoter: IQuoter = {
      getQuote: () => {
        throw new NoQuotesError(["x.txt"]);
      },
    };
    const { transport, lost } = connect(new QOTDFactory(quoter));
    expect(transport.events).toEqual([
      'write "An apple a day keeps the doctor away.\\r\\n"',
      "close",
    ]);
    expect(lost[0]?.check(ConnectionDone)).not.toBeNull();
    const failures = events.events.filter((e) => e.log_failure !== undefined);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.log_level).toBe(LogLevel.error);
    expect(failures[0]?.log_namespace).toBe("twisted-ts.qotd");
    expect((failures[0]?.log_failure as Failure | undefined)?.value).toBeInstanceOf(NoQuotesError);
  });

  it("answers a rejected Promise with the fallback quote", async () => {
    const events = logged();
    const quoter: IQuoter = { getQuote: () => Promise.reject(new Error("database down")) };
    const { transport } = connect(new QOTDFactory(quoter, { fallbackQuote: "No quote today." }));
    await flush();
    expect(transport.value().toString()).toBe("No quote today.\r\n");
    expect(
      events.events.some(
        (e) => (e.log_failure as Failure | undefined)?.getErrorMessage() === "database down",
      ),
    ).toBe(true);
  });

  it("closes without data when the quoter fails and fallbackQuote is null", () => {
    logged();
    const quoter = new LaterQuoter();
    const { transport, lost } = connect(new QOTDFactory(quoter, { fallbackQuote: null }));
    quoter.asked[0]?.errback(new Error("no"));
    expect(transport.events).toEqual(["close"]);
    expect(transport.value()).toHaveLength(0);
    expect(lost).toHaveLength(1);
  });

  it("treats a quote that is not a string as a failure", () => {
    const events = logged();
    const quoter = { getQuote: () => 42 } as unknown as IQuoter;
    const { transport } = connect(new QOTDFactory(quoter, { fallbackQuote: "fallback" }));
    expect(transport.value().toString()).toBe("fallback\r\n");
    const failure = events.events.find((e) => e.log_failure)?.log_failure as Failure | undefined;
    expect(failure?.value).toBeInstanceOf(InvalidQuoteError);
  });

  it("gives up on a slow quoter after quoteTimeout seconds on the clock", () => {
    logged();
    const clock = new Clock();
    const quoter = new LaterQuoter();
    const { transport } = connect(
      new QOTDFactory(quoter, { clock, quoteTimeout: 2, fallbackQuote: "slow" }),
    );
    clock.advance(1.9);
    expect(transport.events).toEqual([]);
    clock.advance(0.1);
    expect(transport.events).toEqual(['write "slow\\r\\n"', "close"]);
    expect(quoter.asked[0]?.called).toBe(true); // cancelled
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("leaves no timer behind when the quote comes in time", () => {
    const clock = new Clock();
    const quoter = new LaterQuoter();
    connect(new QOTDFactory(quoter, { clock }));
    expect(clock.getDelayedCalls()).toHaveLength(1);
    quoter.asked[0]?.callback("in time");
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("cancels a pending quote and writes nothing when the client goes away", () => {
    const events = logged();
    const clock = new Clock();
    const quoter = new LaterQuoter();
    const { protocol, transport } = connect(new QOTDFactory(quoter, { clock }));
    protocol.connectionLost(new Failure(new ConnectionLost()));
    expect(quoter.asked[0]?.called).toBe(true);
    expect(transport.value()).toHaveLength(0);
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(events.events.filter((e) => e.log_failure)).toEqual([]);
  });

  it("builds QOTD protocols that know their factory", () => {
    const factory = new QOTDFactory(new StaticQuoter("x"));
    const protocol = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1));
    expect(protocol).toBeInstanceOf(QOTD);
    expect(protocol?.factory).toBe(factory);
    expect(factory.fallbackQuote).toBe("An apple a day keeps the doctor away.");
    expect(factory.maxLength).toBe(512);
  });
});
