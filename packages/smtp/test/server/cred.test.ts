import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AllowAnonymousAccess,
  ANONYMOUS,
  InMemoryUsernamePasswordDatabaseDontUse,
} from "../../src/cred/checkers.js";
import { Anonymous, CramMD5Credentials, UsernamePassword } from "../../src/cred/credentials.js";
import { UnauthorizedLogin, UnhandledCredentials } from "../../src/cred/errors.js";
import { Portal } from "../../src/cred/portal.js";
import { LOGINCredentials, PLAINCredentials } from "../../src/server/sasl.js";

const realm = {
  requestAvatar: (id: unknown, _mind: unknown, ...ifaces: string[]) =>
    [ifaces[0] ?? "", { id }, () => {}] as const,
};

describe("cred", () => {
  const db = new InMemoryUsernamePasswordDatabaseDontUse({ joe: "secret" });
  const portal = new Portal(realm, [db, new AllowAnonymousAccess()]);

  it("logs in with a user name and password, and refuses a wrong one", async () => {
    const [iface, avatar] = await portal.login(
      new UsernamePassword("joe", "secret"),
      null,
      "IMessageDelivery",
    );
    expect(iface).toBe("IMessageDelivery");
    expect(avatar).toEqual({ id: "joe" });
    await expect(
      portal.login(new UsernamePassword("joe", "x"), null, "I").asPromise(),
    ).rejects.toBeInstanceOf(UnauthorizedLogin);
    await expect(
      portal.login(new UsernamePassword("bob", "secret"), null, "I").asPromise(),
    ).rejects.toBeInstanceOf(UnauthorizedLogin);
  });

  it("logs in anonymously through AllowAnonymousAccess", async () => {
    const [, avatar] = await portal.login(new Anonymous(), null, "I");
    expect(avatar).toEqual({ id: ANONYMOUS });
  });

  it("fails with UnhandledCredentials when no checker takes them", async () => {
    const p = new Portal(realm, [db]);
    await expect(p.login(new Anonymous(), null, "I").asPromise()).rejects.toBeInstanceOf(
      UnhandledCredentials,
    );
    expect(p.listCredentialsInterfaces()).toEqual(["IUsernamePassword", "IUsernameHashedPassword"]);
  });

  it("checks CRAM-MD5 against the stored password", async () => {
    const c = new CramMD5Credentials("h");
    const digest = createHmac("md5", "secret").update(c.getChallenge()).digest("hex");
    c.setResponse(Buffer.from(`joe ${digest}`));
    const [, avatar] = await portal.login(c, null, "I");
    expect(avatar).toEqual({ id: "joe" });
  });

  it("parses PLAIN and LOGIN answers", () => {
    const p = new PLAINCredentials();
    expect(p.moreChallenges()).toBe(true);
    p.setResponse(Buffer.from("admin\0joe\0pw"));
    expect([p.authzid, p.username, p.password, p.moreChallenges()]).toEqual([
      "admin",
      "joe",
      "pw",
      false,
    ]);
    const l = new LOGINCredentials();
    expect(l.getChallenge().toString()).toBe("Username:");
    l.setResponse(Buffer.from("joe"));
    expect(l.moreChallenges()).toBe(true);
    expect(l.getChallenge().toString()).toBe("Password:");
    l.setResponse(Buffer.from("pw"));
    expect([l.username, l.password, l.moreChallenges()]).toEqual(["joe", "pw", false]);
    expect(l.checkPassword("pw")).toBe(true);
  });
});
