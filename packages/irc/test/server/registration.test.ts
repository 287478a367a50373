import { reactor } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import { ChatService, IRCServerFactory } from "../../src/index.js";
import { makeServer } from "./helpers.js";

const S = "irc.twisted-ts.local";

describe("IRCUser registration", () => {
  it("welcomes NICK and USER with 001 to 005, LUSERS and 422 without a MOTD", () => {
    const { connect, service } = makeServer();
    const c = connect();
    c.send("NICK alice", "USER al 0 * :Alice Liddell");
    const lines = c.take();
    expect(lines[0]).toBe(
      `:${S} 001 alice :Welcome to the twisted-ts Internet Relay Chat Network alice!al@10.0.0.2`,
    );
    expect(lines[1]).toBe(
      `:${S} 002 alice :Your host is ${S}, running version twisted-ts-irc-0.1.0`,
    );
    expect(lines[2]).toMatch(new RegExp(`^:${S} 003 alice :This server was created `));
    expect(lines[3]).toBe(`:${S} 004 alice ${S} twisted-ts-irc-0.1.0 i biklmnostv bklov`);
    const isupport = lines.filter((l) => l.includes(" 005 "));
    expect(isupport.length).toBeGreaterThan(0);
    const tokens = isupport.flatMap((l) => l.split(" :")[0]?.split(" ").slice(3) ?? []);
    for (const token of [
      "CASEMAPPING=rfc1459",
      "CHANTYPES=#&",
      "PREFIX=(ov)@+",
      "CHANMODES=b,k,l,imnst",
      "NICKLEN=30",
      "TOPICLEN=390",
      "CHANNELLEN=50",
      "NETWORK=twisted-ts",
      "MAXTARGETS=4",
    ]) {
      expect(tokens).toContain(token);
    }
    for (const l of isupport) expect(l.endsWith(":are supported by this server")).toBe(true);
    const rest = lines.slice(4 + isupport.length);
    expect(rest).toEqual([
      `:${S} 251 alice :There are 1 users and 0 invisible on 1 servers`,
      `:${S} 252 alice 0 :operator(s) online`,
      `:${S} 254 alice 0 :channels formed`,
      `:${S} 255 alice :I have 1 clients and 0 servers`,
      `:${S} 422 alice :MOTD File is missing`,
    ]);
    expect(service.getUser("ALICE")).toBe(c.user);
    expect(c.user.registered).toBe(true);
  });

  it("accepts USER before NICK and sends the MOTD when there is one", () => {
    const { connect } = makeServer({ motd: ["Hello", "World"], serverName: "irc.example" });
    const c = connect();
    c.send("USER bob 0 * :Bob", "NICK bob");
    const lines = c.take();
    expect(lines.slice(-4)).toEqual([
      ":irc.example 375 bob :- irc.example Message of the day - ",
      ":irc.example 372 bob :- Hello",
      ":irc.example 372 bob :- World",
      ":irc.example 376 bob :End of /MOTD command.",
    ]);
  });

  it("answers 431 to NICK without a nick and 432 to an erroneous one", () => {
    const { connect } = makeServer({ nickLength: 9 });
    const c = connect();
    c.send("NICK", "NICK :", "NICK 1abc", "NICK a!b", "NICK abcdefghij");
    expect(c.take()).toEqual([
      `:${S} 431 * :No nickname given`,
      `:${S} 431 * :No nickname given`,
      `:${S} 432 * 1abc :Erroneous nickname`,
      `:${S} 432 * a!b :Erroneous nickname`,
      `:${S} 432 * abcdefghij :Erroneous nickname`,
    ]);
    c.send("NICK [a]{b}|c^", "USER x 0 * :x");
    expect(c.take()[0]).toMatch(/ 001 \[a\]\{b\}\|c\^ /);
  });

  it("answers 433 to a nick in use under rfc1459 case mapping, then registers with another", () => {
    const { connect, register } = makeServer();
    register("Nick[1]");
    const c = connect();
    c.send("NICK nick{1}");
    expect(c.take()).toEqual([`:${S} 433 * nick{1} :Nickname is already in use`]);
    c.send("USER u 0 * :u", "NICK other");
    expect(c.take()[0]).toMatch(/ 001 other /);
  });

  it("answers 433 when another connection registered the nick first", () => {
    const { connect, register } = makeServer();
    const c = connect();
    c.send("NICK racer");
    register("racer");
    c.send("USER u 0 * :u");
    expect(c.take()).toEqual([`:${S} 433 racer racer :Nickname is already in use`]);
    expect(c.user.registered).toBe(false);
    c.send("NICK racer2");
    expect(c.take()[0]).toMatch(/ 001 racer2 /);
  });

  it("answers 461 to USER with too few parameters and 462 to a second USER or PASS", () => {
    const { connect } = makeServer();
    const c = connect();
    c.send("USER a b c");
    expect(c.take()).toEqual([`:${S} 461 * USER :Not enough parameters`]);
    c.send("NICK a", "USER a 0 * :A");
    c.take();
    c.send("USER a 0 * :A", "PASS x");
    expect(c.take()).toEqual([
      `:${S} 462 a :You may not reregister`,
      `:${S} 462 a :You may not reregister`,
    ]);
  });

  it("answers 451 to commands before registration, and 421 to unknown ones after", () => {
    const { connect } = makeServer();
    const c = connect();
    c.send("JOIN #a", "PRIVMSG x :y", "FOO");
    expect(c.take()).toEqual([
      `:${S} 451 * :You have not registered`,
      `:${S} 451 * :You have not registered`,
      `:${S} 451 * :You have not registered`,
    ]);
    c.send("NICK a", "USER a 0 * :A");
    c.take();
    c.send("FOO bar", "frob");
    expect(c.take()).toEqual([
      `:${S} 421 a FOO :Unknown command`,
      `:${S} 421 a FROB :Unknown command`,
    ]);
  });

  it("answers PING before and after registration, and 409 without a token", () => {
    const { connect } = makeServer();
    const c = connect();
    c.send("PING :abc def");
    expect(c.take()).toEqual([`:${S} PONG ${S} :abc def`]);
    c.send("PING");
    expect(c.take()).toEqual([`:${S} 409 * :No origin specified`]);
  });

  describe("with a password", () => {
    it("registers a client that sent the right PASS first", () => {
      const { connect } = makeServer({ password: "s3cret" });
      const c = connect();
      c.send("PASS s3cret", "NICK a", "USER a 0 * :A");
      expect(c.take()[0]).toMatch(/ 001 a /);
    });

    it("answers 464 and closes for a wrong or missing PASS", () => {
      const { connect, service } = makeServer({ password: "s3cret" });
      for (const pass of ["PASS wrong", "PING x"]) {
        const c = connect();
        c.send(pass);
        c.take();
        c.send("NICK a", "USER a 0 * :A");
        expect(c.take()).toEqual([
          `:${S} 464 a :Password incorrect`,
          `ERROR :Closing Link: ${c.user.host} (Bad Password)`,
        ]);
        expect(c.closed).toBe(true);
      }
      expect(service.users.size).toBe(0);
    });

    it("answers 461 to PASS without a parameter", () => {
      const { connect } = makeServer({ password: "p" });
      const c = connect();
      c.send("PASS");
      expect(c.take()).toEqual([`:${S} 461 * PASS :Not enough parameters`]);
    });
  });

  describe("CAP", () => {
    it("answers CAP LS with an empty list and holds registration until CAP END", () => {
      const { connect } = makeServer();
      const c = connect();
      c.send("CAP LS 302", "NICK a", "USER a 0 * :A");
      expect(c.take()).toEqual([`:${S} CAP * LS :`]);
      expect(c.user.registered).toBe(false);
      c.send("CAP REQ :multi-prefix", "CAP LIST");
      expect(c.take()).toEqual([`:${S} CAP a NAK :multi-prefix`, `:${S} CAP a LIST :`]);
      c.send("CAP END");
      expect(c.take()[0]).toMatch(/ 001 a /);
      expect(c.user.registered).toBe(true);
    });

    it("answers 410 to an unknown CAP subcommand, and CAP END without LS changes nothing", () => {
      const { register } = makeServer();
      const c = register("a");
      c.send("CAP FOO", "CAP END");
      expect(c.take()).toEqual([`:${S} 410 a FOO :Invalid CAP command`]);
    });
  });

  it("answers LUSERS and MOTD on demand, counting users, invisible ones and channels", () => {
    const { register, connect } = makeServer();
    const a = register("a");
    register("b").send("MODE b +i", "JOIN #x");
    connect();
    a.send("LUSERS", "MOTD");
    expect(a.take()).toEqual([
      `:${S} 251 a :There are 1 users and 1 invisible on 1 servers`,
      `:${S} 252 a 0 :operator(s) online`,
      `:${S} 253 a 1 :unknown connection(s)`,
      `:${S} 254 a 1 :channels formed`,
      `:${S} 255 a :I have 2 clients and 0 servers`,
      `:${S} 422 a :MOTD File is missing`,
    ]);
  });

  it("uses the service and options it is given", () => {
    const service = new ChatService();
    const { register } = makeServer({ service, networkName: "TestNet", nickLength: 5 });
    const a = register("abc");
    expect(service.getUser("abc")).toBe(a.user);
    a.send("NICK abcdef");
    expect(a.take()).toEqual([`:${S} 432 abc abcdef :Erroneous nickname`]);
    expect(new IRCServerFactory({ clock: a.user.server.clock }).service).toBeInstanceOf(
      ChatService,
    );
  });

  it("defaults to the global reactor as its clock, and to its documented limits", () => {
    const factory = new IRCServerFactory();
    expect(factory.clock).toBe(reactor);
    expect(factory.protocol.name).toBe("IRCUser");
    expect([factory.serverName, factory.maxConnections, factory.nickLength]).toEqual([
      "irc.twisted-ts.local",
      1000,
      30,
    ]);
    expect([factory.pingInterval, factory.pingTimeout, factory.motd]).toEqual([120, 60, undefined]);
  });
});
