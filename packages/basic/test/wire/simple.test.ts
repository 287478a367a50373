import { Factory } from "@twisted-ts/core";
import {
  AccumulatingProtocol,
  connectedServerAndClient,
  StringTransport,
} from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  Discard,
  DiscardUDP,
  Echo,
  EchoUDP,
  QOTD,
  QOTDUDP,
  Who,
  WhoUDP,
} from "../../src/wire/index.js";
import { attachDatagram as attach, PEER } from "./helpers.js";

describe("Echo", () => {
  it("writes back every chunk it receives, in order", () => {
    const t = new StringTransport();
    const p = new Echo();
    p.makeConnection(t);
    for (const chunk of ["hello", "world", "how", "are", "you"]) p.dataReceived(Buffer.from(chunk));
    expect(t.value().toString()).toBe("helloworldhowareyou");
    expect(t.disconnecting).toBe(false);
  });

  it("echoes arbitrary bytes unchanged through an in-memory connection", () => {
    const [client, , pump] = connectedServerAndClient(
      Factory.forProtocol(Echo),
      () => new AccumulatingProtocol(),
    );
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    client.transport?.write(bytes);
    pump.flush();
    expect(client.data).toEqual(bytes);
  });
});

describe("Discard", () => {
  it("writes nothing, whatever it receives", () => {
    const t = new StringTransport();
    const p = new Discard();
    p.makeConnection(t);
    for (const chunk of ["hello", "world", "how", "are", "you"]) p.dataReceived(Buffer.from(chunk));
    expect(t.value()).toEqual(Buffer.alloc(0));
    expect(t.disconnecting).toBe(false);
  });
});

describe("QOTD", () => {
  it("writes Twisted's fixed quote on connection and closes", () => {
    const t = new StringTransport();
    new QOTD().makeConnection(t);
    expect(t.value().toString()).toBe("An apple a day keeps the doctor away.\r\n");
    expect(t.disconnecting).toBe(true);
  });

  it("sends what an overridden getQuote returns", () => {
    class Mine extends QOTD {
      override getQuote(): Buffer {
        return Buffer.from("Carpe diem.\r\n");
      }
    }
    const t = new StringTransport();
    new Mine().makeConnection(t);
    expect(t.value().toString()).toBe("Carpe diem.\r\n");
  });
});

describe("Who", () => {
  it("writes root and CRLF on connection and closes", () => {
    const t = new StringTransport();
    new Who().makeConnection(t);
    expect(t.value().toString()).toBe("root\r\n");
    expect(t.disconnecting).toBe(true);
  });

  it("sends what an overridden getUsers returns", () => {
    class Users extends Who {
      override getUsers(): string {
        return "alice\r\nbob\r\n";
      }
    }
    const t = new StringTransport();
    new Users().makeConnection(t);
    expect(t.value().toString()).toBe("alice\r\nbob\r\n");
  });
});

describe("the UDP variants", () => {
  it("EchoUDP sends each datagram back to its sender", () => {
    const p = new EchoUDP();
    const t = attach(p);
    p.datagramReceived(Buffer.from("ping"), PEER);
    p.datagramReceived(Buffer.alloc(0), ["198.51.100.1", 9]);
    expect(t.written).toEqual([
      [Buffer.from("ping"), PEER],
      [Buffer.alloc(0), ["198.51.100.1", 9]],
    ]);
  });

  it("DiscardUDP answers nothing", () => {
    const p = new DiscardUDP();
    const t = attach(p);
    p.datagramReceived(Buffer.from("ping"), PEER);
    expect(t.written).toEqual([]);
  });

  it("QOTDUDP answers every datagram with the quote, whatever it holds", () => {
    const p = new QOTDUDP();
    const t = attach(p);
    p.datagramReceived(Buffer.alloc(0), PEER);
    p.datagramReceived(Buffer.from("anything"), PEER);
    expect(t.written).toEqual([
      [Buffer.from("An apple a day keeps the doctor away.\r\n"), PEER],
      [Buffer.from("An apple a day keeps the doctor away.\r\n"), PEER],
    ]);
  });

  it("WhoUDP answers every datagram with the user list", () => {
    const p = new WhoUDP();
    const t = attach(p);
    p.datagramReceived(Buffer.from("x"), PEER);
    expect(t.written).toEqual([[Buffer.from("root\r\n"), PEER]]);
  });
});
