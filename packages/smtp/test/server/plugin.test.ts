import { MemoryReactorClock } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import mailPlugin, { makeService, PLUGIN_NAME } from "../../src/plugin.js";
import { MailService } from "../../src/server/service.js";

describe("the twist mail plugin", () => {
  const reactor = new MemoryReactorClock();

  it("is named mail and declares its options", () => {
    expect(PLUGIN_NAME).toBe("mail");
    expect(mailPlugin.name).toBe("mail");
    expect(mailPlugin.options.map((o) => o.name)).toEqual([
      "listen",
      "maildir",
      "domain",
      "user",
      "tls-cert",
      "tls-key",
      "relay",
      "insecure-auth",
      "hostname",
      "max-message-size",
    ]);
  });

  it("makes a MailService with users, relay and limits", () => {
    const service = makeService(
      {
        listen: "tcp:2525",
        maildir: "/tmp/m",
        domain: ["example.com", "example.org"],
        user: ["joe:se:cret"],
        relay: true,
        "max-message-size": "1000",
      },
      reactor as never,
    );
    expect(service).toBeInstanceOf(MailService);
    expect(service.options.users).toEqual({ joe: "se:cret" });
    expect(service.options.relay).toBe(true);
    expect(service.factory.domain).toBe("example.com");
    expect(service.factory.limits.maxMessageSize).toBe(1000);
    expect(service.factory.allowInsecureAuth).toBe(false);
    expect(service.factory.contextFactory).toBeNull();
  });

  it("refuses bad options", () => {
    expect(() => makeService({ maildir: "/tmp/m" }, reactor as never)).toThrow(/--domain/);
    expect(() => makeService({ domain: "a.b", user: "joe" }, reactor as never)).toThrow(
      /NAME:PASSWORD/,
    );
    expect(() => makeService({ domain: "a.b", "tls-cert": "c.pem" }, reactor as never)).toThrow(
      /--tls-key/,
    );
    expect(() =>
      makeService({ domain: "a.b", "max-message-size": "1e3" }, reactor as never),
    ).toThrow(/octets/);
  });
});
