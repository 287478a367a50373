import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { Failure, TimeoutError } from "@twisted-ts/core";
import { Clock, StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  IRCCapabilityError,
  IRCClient,
  IRCConnectionLostError,
  type IRCMessage,
  type SASLCredentials,
} from "../../src/index.js";

class Client extends IRCClient {
  override clock = new Clock();
  override nickname = "me";
  // The send queue has its own tests; here every line goes out at once.
  override lineRate: number | null = null;
  events: unknown[][] = [];
  override capabilitiesNegotiated(enabled: string[]): void {
    this.events.push(["negotiated", [...enabled].sort()]);
  }
  override capabilitiesAdded(caps: string[]): void {
    this.events.push(["added", caps]);
  }
  override capabilitiesRemoved(caps: string[]): void {
    this.events.push(["removed", caps]);
  }
  override saslSucceeded(account: string | null): void {
    this.events.push(["saslSucceeded", account]);
  }
  override saslFailed(reason: string): void {
    this.events.push(["saslFailed", reason]);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.events.push(["privmsg", user, channel, message, this.messageTime()?.toISOString()]);
  }
  override messageEchoed(command: string, target: string, message: string): void {
    this.events.push(["echoed", command, target, message]);
  }
  override userAway(nick: string, message: string | null): void {
    this.events.push(["away", nick, message]);
  }
  override userHostChanged(nick: string, user: string, host: string): void {
    this.events.push(["chghost", nick, user, host]);
  }
  override batchReceived(ref: string, type: string, params: string[], msgs: IRCMessage[]): void {
    this.events.push(["batch", ref, type, params, msgs.length]);
  }
}

function start(setup: (c: Client) => void = () => {}): { client: Client; t: StringTransport } {
  const client = new Client();
  setup(client);
  const t = new StringTransport();
  client.makeConnection(t);
  return { client, t };
}

function feed(client: IRCClient, ...lines: string[]): void {
  for (const line of lines) client.dataReceived(Buffer.from(`${line}\r\n`));
}

function sent(t: StringTransport): string[] {
  const text = t.value().toString("utf8");
  t.clear();
  return text === "" ? [] : text.replace(/\r\n$/, "").split("\r\n");
}

describe("CAP LS 302 negotiation", () => {
  it("asks for the offered capabilities it handles, then ends negotiation", () => {
    const { client, t } = start();
    expect(sent(t)).toEqual(["CAP LS 302", "NICK me", "USER me foo bar me"]);
    feed(
      client,
      ":s CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL server-time unknown-cap",
      ":s CAP * LS :away-notify batch draft/x",
    );
    expect(sent(t)).toEqual(["CAP REQ :multi-prefix server-time away-notify batch"]);
    feed(client, ":s CAP me ACK :multi-prefix server-time away-notify batch");
    expect(sent(t)).toEqual(["CAP END"]);
    expect(client.events).toEqual([
      ["negotiated", ["away-notify", "batch", "multi-prefix", "server-time"]],
    ]);
    expect(client.availableCapabilities.get("sasl")).toBe("PLAIN,EXTERNAL");
    expect(client.availableCapabilities.get("unknown-cap")).toBeNull();
  });

  it("ends negotiation after a NAK too", () => {
    const { client, t } = start();
    t.clear();
    feed(client, ":s CAP * LS :multi-prefix");
    expect(sent(t)).toEqual(["CAP REQ multi-prefix"]);
    feed(client, ":s CAP * NAK :multi-prefix");
    expect(sent(t)).toEqual(["CAP END"]);
    expect(client.enabledCapabilities.size).toBe(0);
  });

  it("sends CAP END at once when nothing offered is wanted", () => {
    const { client, t } = start();
    t.clear();
    feed(client, ":s CAP * LS :foo bar");
    expect(sent(t)).toEqual(["CAP END"]);
  });

  it("skips negotiation entirely with no capabilities and no SASL (Twisted's behaviour)", () => {
    const { t } = start((c) => {
      c.capabilities = [];
    });
    expect(sent(t)).toEqual(["NICK me", "USER me foo bar me"]);
  });

  it("copes with a server that does not know CAP (421) or ignores it (001)", () => {
    const a = start();
    a.t.clear();
    feed(a.client, ":s 421 * CAP :Unknown command");
    expect(a.client.events).toEqual([["negotiated", []]]);
    const b = start();
    b.t.clear();
    feed(b.client, ":s 001 me :Welcome");
    expect(b.client.events).toEqual([["negotiated", []]]);
    expect(sent(b.t)).not.toContain("CAP END");
  });

  it("follows cap-notify: NEW is requested when wanted, DEL is removed", () => {
    const { client, t } = start();
    feed(client, ":s CAP * LS :cap-notify", ":s CAP me ACK :cap-notify", ":s 001 me :hi");
    t.clear();
    client.events = [];
    feed(client, ":s CAP me NEW :echo-message other");
    expect(sent(t)).toEqual(["CAP REQ echo-message"]);
    feed(client, ":s CAP me ACK :echo-message");
    expect(client.enabledCapabilities.has("echo-message")).toBe(true);
    feed(client, ":s CAP me DEL :echo-message");
    expect(client.enabledCapabilities.has("echo-message")).toBe(false);
    expect(client.events).toEqual([
      ["added", ["echo-message"]],
      ["removed", ["echo-message"]],
    ]);
  });

  it("splits a long REQ into several lines", () => {
    const many = Array.from({ length: 60 }, (_, i) => `draft/capability-${i}`);
    const { client, t } = start((c) => {
      c.capabilities = many;
    });
    t.clear();
    feed(
      client,
      `:s CAP * LS * :${many.slice(0, 20).join(" ")}`,
      `:s CAP * LS * :${many.slice(20, 40).join(" ")}`,
      `:s CAP * LS :${many.slice(40).join(" ")}`,
    );
    const lines = sent(t);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThan(420);
    expect(lines.flatMap((l) => l.replace(/^CAP REQ :?/, "").split(" "))).toEqual(many);
    for (let i = 0; i < lines.length - 1; i++) feed(client, ":s CAP * ACK :x");
    expect(sent(t)).toEqual([]);
    feed(client, ":s CAP * ACK :x");
    expect(sent(t)).toEqual(["CAP END"]);
  });
});

describe("SASL", () => {
  function withSasl(sasl: SASLCredentials, required = false) {
    return start((c) => {
      c.capabilities = [];
      c.sasl = sasl;
      c.saslRequired = required;
    });
  }

  it("logs in with PLAIN before CAP END", () => {
    const { client, t } = withSasl({ username: "acct", password: "pw" });
    t.clear();
    feed(client, ":s CAP * LS :sasl=PLAIN,EXTERNAL");
    expect(sent(t)).toEqual(["CAP REQ sasl"]);
    feed(client, ":s CAP me ACK :sasl");
    expect(sent(t)).toEqual(["AUTHENTICATE PLAIN"]);
    feed(client, "AUTHENTICATE +");
    expect(sent(t)).toEqual([`AUTHENTICATE ${Buffer.from("\0acct\0pw").toString("base64")}`]);
    feed(
      client,
      ":s 900 me me!u@h acct :You are now logged in as acct",
      ":s 903 me :SASL successful",
    );
    expect(sent(t)).toEqual(["CAP END"]);
    expect(client.account).toBe("acct");
    expect(client.events).toEqual([
      ["saslSucceeded", "acct"],
      ["negotiated", ["sasl"]],
    ]);
  });

  it("uses EXTERNAL without a password", () => {
    const { client, t } = withSasl({});
    feed(client, ":s CAP * LS :sasl");
    t.clear();
    feed(client, ":s CAP me ACK :sasl", "AUTHENTICATE +");
    expect(sent(t)).toEqual(["AUTHENTICATE EXTERNAL", "AUTHENTICATE +"]);
  });

  it("refuses a mechanism the server does not list, and registration goes on", () => {
    const { client, t } = withSasl({ mechanism: "PLAIN", username: "a", password: "b" });
    feed(client, ":s CAP * LS :sasl=EXTERNAL");
    t.clear();
    feed(client, ":s CAP me ACK :sasl");
    expect(sent(t)).toEqual(["CAP END"]);
    expect(client.events[0]?.[0]).toBe("saslFailed");
  });

  it("on 904 reports the failure and ends negotiation, or disconnects when required", () => {
    const soft = withSasl({ username: "a", password: "wrong" });
    feed(soft.client, ":s CAP * LS :sasl", ":s CAP me ACK :sasl", "AUTHENTICATE +");
    soft.t.clear();
    feed(soft.client, ":s 904 me :SASL authentication failed");
    expect(sent(soft.t)).toEqual(["CAP END"]);
    expect(soft.client.events[0]).toEqual(["saslFailed", "SASL authentication failed"]);

    const hard = withSasl({ username: "a", password: "wrong" }, true);
    feed(hard.client, ":s CAP * LS :sasl", ":s CAP me ACK :sasl", "AUTHENTICATE +");
    hard.t.clear();
    feed(hard.client, ":s 904 me :SASL authentication failed");
    expect(sent(hard.t)).toEqual(["QUIT :SASL login failed"]);
    expect(hard.t.disconnecting).toBe(true);
  });

  it("does SCRAM-SHA-256 when offered, and verifies the server's signature", () => {
    const { client, t } = withSasl({ username: "user", password: "pencil" });
    feed(client, ":s CAP * LS :sasl=PLAIN,SCRAM-SHA-256");
    t.clear();
    feed(client, ":s CAP me ACK :sasl");
    expect(sent(t)).toEqual(["AUTHENTICATE SCRAM-SHA-256"]);
    feed(client, "AUTHENTICATE +");
    const first = Buffer.from((sent(t)[0] as string).split(" ")[1] as string, "base64").toString();
    const clientFirstBare = first.slice(3);
    const clientNonce = /r=([^,]+)/.exec(first)?.[1] as string;
    const salt = Buffer.from("server-salt");
    const serverFirst = `r=${clientNonce}SERVER,s=${salt.toString("base64")},i=4096`;
    feed(client, `AUTHENTICATE ${Buffer.from(serverFirst).toString("base64")}`);
    const final = Buffer.from((sent(t)[0] as string).split(" ")[1] as string, "base64").toString();
    const withoutProof = final.slice(0, final.indexOf(",p="));
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const salted = pbkdf2Sync("pencil", salt, 4096, 32, "sha256");
    const clientKey = createHmac("sha256", salted).update("Client Key").digest();
    const stored = createHash("sha256").update(clientKey).digest();
    const signature = createHmac("sha256", stored).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number)));
    expect(final).toBe(`${withoutProof},p=${proof.toString("base64")}`);
    const serverKey = createHmac("sha256", salted).update("Server Key").digest();
    const serverSig = createHmac("sha256", serverKey).update(authMessage).digest("base64");
    feed(client, `AUTHENTICATE ${Buffer.from(`v=${serverSig}`).toString("base64")}`);
    expect(sent(t)).toEqual(["AUTHENTICATE +"]);
    feed(client, ":s 903 me :SASL successful");
    expect(sent(t)).toEqual(["CAP END"]);
    expect(client.events[0]).toEqual(["saslSucceeded", null]);
  });

  it("aborts SCRAM when the server's signature is wrong", () => {
    const { client, t } = withSasl({ username: "user", password: "pencil" });
    feed(client, ":s CAP * LS :sasl=SCRAM-SHA-256", ":s CAP me ACK :sasl", "AUTHENTICATE +");
    const first = Buffer.from((sent(t).pop() as string).split(" ")[1] as string, "base64");
    const nonce = /r=([^,]+)/.exec(first.toString())?.[1] as string;
    const serverFirst = `r=${nonce}X,s=${Buffer.from("salt").toString("base64")},i=4096`;
    feed(client, `AUTHENTICATE ${Buffer.from(serverFirst).toString("base64")}`);
    t.clear();
    feed(client, `AUTHENTICATE ${Buffer.from(`v=${"A".repeat(43)}=`).toString("base64")}`);
    expect(sent(t)).toEqual(["AUTHENTICATE *", "CAP END"]);
    expect(client.events[0]?.[0]).toBe("saslFailed");
  });

  it("does not trust a 903 that comes before SCRAM's server signature", () => {
    const { client, t } = withSasl({ username: "user", password: "pencil" });
    feed(client, ":s CAP * LS :sasl=SCRAM-SHA-256", ":s CAP me ACK :sasl", "AUTHENTICATE +");
    t.clear();
    feed(client, ":s 903 me :SASL successful");
    expect(client.events[0]?.[0]).toBe("saslFailed");
  });
});

describe("tags, echo-message, away-notify, chghost and batches", () => {
  function registered(caps: string) {
    const pair = start();
    feed(pair.client, `:s CAP * LS :${caps}`, `:s CAP me ACK :${caps}`, ":s 001 me :hi");
    pair.client.events = [];
    pair.t.clear();
    return pair;
  }

  it("exposes server-time through messageTime while the callback runs", () => {
    const { client } = registered("server-time");
    feed(client, "@time=2024-05-06T07:08:09.123Z :bob!b@h PRIVMSG #c :hello");
    expect(client.events).toEqual([
      ["privmsg", "bob!b@h", "#c", "hello", "2024-05-06T07:08:09.123Z"],
    ]);
    expect(client.currentMessage).toBeNull();
  });

  it("sends our own echoed messages to messageEchoed, never to privmsg", () => {
    const { client } = registered("echo-message");
    feed(client, ":me!u@h PRIVMSG #c :mine", ":ME!u@h NOTICE bob :note");
    expect(client.events).toEqual([
      ["echoed", "PRIVMSG", "#c", "mine"],
      ["echoed", "NOTICE", "bob", "note"],
    ]);
  });

  it("without echo-message, a message from our own nick is a message", () => {
    const { client } = registered("server-time");
    feed(client, ":me!u@h PRIVMSG #c :odd");
    expect(client.events[0]?.[0]).toBe("privmsg");
  });

  it("tracks away-notify and chghost", () => {
    const { client } = registered("away-notify chghost");
    feed(client, ":me!u@h JOIN #c", ":bob!b@h JOIN #c");
    feed(
      client,
      ":bob!b@h AWAY :lunch",
      ":bob!b@h CHGHOST newb new.host",
      ":bob!newb@new.host AWAY",
    );
    expect(client.events).toEqual([
      ["away", "bob", "lunch"],
      ["chghost", "bob", "newb", "new.host"],
      ["away", "bob", null],
    ]);
    expect(client.getChannel("#c")?.getMember("BOB")).toMatchObject({
      user: "newb",
      host: "new.host",
      away: false,
    });
  });

  it("collects batches and reports them when they close", () => {
    const { client } = registered("batch");
    feed(
      client,
      ":s BATCH +n1 netsplit a.example b.example",
      "@batch=n1 :x!x@h QUIT :a.example b.example",
      "@batch=n1 :y!y@h QUIT :a.example b.example",
      ":s BATCH -n1",
    );
    expect(client.events).toEqual([["batch", "n1", "netsplit", ["a.example", "b.example"], 2]]);
  });
});

describe("labeled requests", () => {
  function labeled() {
    const pair = start();
    feed(
      pair.client,
      ":s CAP * LS :labeled-response batch",
      ":s CAP me ACK :labeled-response batch",
      ":s 001 me :hi",
    );
    pair.t.clear();
    return pair;
  }

  it("resolves with a single labeled reply", () => {
    const { client, t } = labeled();
    const replies: IRCMessage[][] = [];
    client.request("TIME").addCallback((r) => {
      replies.push(r);
    });
    const line = sent(t)[0] as string;
    const label = /^@label=(\S+) TIME$/.exec(line)?.[1] as string;
    expect(label).toBeTruthy();
    feed(client, `@label=${label} :s 391 me s :Monday`);
    expect(replies[0]?.map((m) => m.command)).toEqual(["391"]);
  });

  it("resolves with the messages of a labeled-response batch, nested ones included", () => {
    const { client, t } = labeled();
    let result: IRCMessage[] | undefined;
    client.request("WHOIS", ["bob"]).addCallback((r) => {
      result = r;
    });
    const label = /^@label=(\S+) /.exec(sent(t)[0] as string)?.[1] as string;
    feed(
      client,
      `@label=${label} :s BATCH +b1 labeled-response`,
      "@batch=b1 :s 311 me bob b h * :Bob",
      "@batch=b1 :s BATCH +b2 other",
      "@batch=b2 :s 312 me bob s :info",
      ":s BATCH -b2",
      "@batch=b1 :s 318 me bob :End of WHOIS",
    );
    expect(result).toBeUndefined();
    feed(client, ":s BATCH -b1");
    expect(result?.map((m) => m.command)).toEqual(["311", "BATCH", "312", "318"]);
  });

  it("resolves with [] on ACK", () => {
    const { client, t } = labeled();
    let result: IRCMessage[] | undefined;
    client.request("PONG", ["x"]).addCallback((r) => {
      result = r;
    });
    const label = /^@label=(\S+) /.exec(sent(t)[0] as string)?.[1] as string;
    feed(client, `@label=${label} :s ACK`);
    expect(result).toEqual([]);
  });

  it("fails without the capability, on timeout, and when the connection is lost", () => {
    const plain = start((c) => {
      c.capabilities = [];
    });
    let error: unknown;
    plain.client.request("TIME").addErrback((f: Failure) => {
      error = f.value;
    });
    expect(error).toBeInstanceOf(IRCCapabilityError);

    const { client } = labeled();
    client.labelTimeout = 5;
    const errors: unknown[] = [];
    client.request("TIME").addErrback((f: Failure) => {
      errors.push(f.value);
    });
    client.clock.advance(5);
    expect(errors[0]).toBeInstanceOf(TimeoutError);
    client.request("TIME").addErrback((f: Failure) => {
      errors.push(f.value);
    });
    client.connectionLost(new Failure(new Error("gone")));
    expect(errors[1]).toBeInstanceOf(IRCConnectionLostError);
  });
});
