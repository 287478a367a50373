import { IPv4Address } from "@twisted-ts/core";
import { Clock, StringTransportWithDisconnection } from "@twisted-ts/core/testing";
import { expect } from "vitest";
import { IRCServerFactory, type IRCServerOptions, type IRCUser } from "../../src/index.js";

/** One client connection of a test server, over a StringTransport. */
export class Conn {
  constructor(
    readonly user: IRCUser,
    readonly transport: StringTransportWithDisconnection,
  ) {}

  /** Feeds lines (each gets `\r\n`). */
  send(...lines: string[]): this {
    for (const line of lines) this.user.dataReceived(Buffer.from(`${line}\r\n`));
    return this;
  }

  /** Feeds raw bytes. */
  feed(data: string | Buffer): this {
    this.user.dataReceived(typeof data === "string" ? Buffer.from(data, "latin1") : data);
    return this;
  }

  /** The lines written since the last call, without their CRLF. */
  take(): string[] {
    const text = this.transport.value().toString("utf8");
    this.transport.clear();
    if (text === "") return [];
    expect(text.endsWith("\r\n")).toBe(true);
    return text.slice(0, -2).split("\r\n");
  }

  /** The numerics (or commands) of the lines written since the last call. */
  codes(): string[] {
    return this.take().map((l) => l.split(" ")[1] ?? "");
  }

  /** Whether the server closed the connection. */
  get closed(): boolean {
    return !this.transport.connected;
  }
}

/** A factory on a Clock, and a way to connect clients to it. */
export function makeServer(options: IRCServerOptions = {}) {
  const clock = new Clock();
  const factory = new IRCServerFactory({ clock, ...options });
  factory.noisy = false;
  let port = 50000;
  const connect = (): Conn => {
    const user = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", port)) as IRCUser;
    const transport = new StringTransportWithDisconnection({
      peerAddress: new IPv4Address("TCP", `10.0.0.${port - 49998}`, port++),
    });
    transport.protocol = user;
    user.makeConnection(transport);
    return new Conn(user, transport);
  };
  /** A registered client, its welcome burst consumed. */
  const register = (nick: string, ...extra: string[]): Conn => {
    const conn = connect();
    conn.send(...extra, `NICK ${nick}`, `USER ${nick.toLowerCase()} 0 * :${nick} Real`);
    const lines = conn.take();
    expect(lines[0]).toMatch(/ 001 /);
    return conn;
  };
  return { clock, factory, service: factory.service, connect, register };
}
