import { Reactor } from "@twisted-ts/core";
import { type IRCServerPeer, startNgircd } from "@twisted-ts/testing-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FingerApp, makeService } from "../src/service.js";
import { RawIRCUser, until } from "./helpers.js";

let ngircd: IRCServerPeer;
let reactor: Reactor;
let finished: Promise<void>;
let app: FingerApp;
const users: RawIRCUser[] = [];

beforeAll(async () => {
  // Under CI=true a missing ngircd fails here (startNgircd installs it or throws).
  ngircd = await startNgircd();
  reactor = new Reactor();
  finished = reactor.run({ installSignalHandlers: false });
  app = makeService(
    {
      users: ["moshez:Happy and well", "glyph:<b>Twisting</b> & turning"],
      finger: "none",
      ircServer: `127.0.0.1:${ngircd.port}`,
      ircNick: "fingerbot",
    },
    reactor,
  );
  app.startService();
}, 600_000);

afterAll(async () => {
  for (const user of users) user.close();
  await app?.stopService();
  if (reactor?.running) reactor.stop();
  await finished;
  await ngircd?.stop();
});

describe("the IRC front end against ngIRCd", () => {
  it("answers a second IRC client's private questions, and again after the server restarts", async () => {
    await until(
      () => app.ircFactory?.client?.registered === true,
      20_000,
      () => "the bot",
    );
    const alice = await RawIRCUser.signOn(ngircd.port, "alice");
    users.push(alice);
    expect(await alice.ask("fingerbot", "who is moshez?", /^Status of moshez:/)).toBe(
      "Status of moshez: Happy and well",
    );
    expect(await alice.ask("fingerbot", "glyph", /^Status of glyph:/)).toBe(
      "Status of glyph: <b>Twisting</b> & turning",
    );
    expect(await alice.ask("fingerbot", "nobody?", /^Status of nobody:/)).toBe(
      "Status of nobody: No such user",
    );
    app.service.setUser("moshez", "Set while chatting");
    expect(await alice.ask("fingerbot", "moshez", /^Status of moshez:/)).toBe(
      "Status of moshez: Set while chatting",
    );

    // The ClientService reconnects the bot after the server goes away and comes back.
    const before = app.ircFactory?.client;
    await ngircd.restart();
    await until(
      () => app.ircFactory?.client !== before && app.ircFactory?.client?.registered === true,
      30_000,
      () => "the bot to reconnect",
    );
    const bob = await RawIRCUser.signOn(ngircd.port, "bob");
    users.push(bob);
    expect(await bob.ask("fingerbot", "who is moshez?", /^Status of moshez:/)).toBe(
      "Status of moshez: Set while chatting",
    );
  }, 120_000);
});
