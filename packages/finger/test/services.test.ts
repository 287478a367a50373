import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Deferred, fail, succeed } from "@twisted-ts/core";
import { Clock } from "@twisted-ts/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileFingerService, FingerService, parseUsersFile } from "../src/services/file.js";
import { LocalUsersFingerService, parsePasswd } from "../src/services/localUsers.js";
import { ProcessFingerService } from "../src/services/process.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "finger-test-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("parseUsersFile", () => {
  it("splits each line at the first colon and trims", () => {
    expect([
      ...parseUsersFile("moshez: Happy and well\r\n\n# comment\njoe:at: lunch\nno colon\n : x\n"),
    ]).toEqual([
      ["moshez", "Happy and well"],
      ["joe", "at: lunch"],
    ]);
  });
});

describe("FileFingerService", () => {
  it("reads the file on start and again every 30 seconds", async () => {
    const path = join(dir, "users");
    writeFileSync(path, "moshez:Happy and well\n");
    const clock = new Clock();
    const service = new FileFingerService(path, { clock });
    expect(await service.getUser("moshez")).toBe("No such user");
    service.startService();
    await service.reload(); // let the first (non-blocking) read finish
    expect(await service.getUser("moshez")).toBe("Happy and well");
    writeFileSync(path, "joe:At lunch\n");
    clock.advance(29);
    await service.reload(); // a read of our own
    expect(await service.getUsers()).toEqual(["joe"]);
    expect(clock.getDelayedCalls()).toHaveLength(1);
    expect(clock.getDelayedCalls()[0]?.getTime()).toBe(30);
    await service.stopService();
    expect(clock.getDelayedCalls()).toHaveLength(0);
    expect(service.running).toBe(false);
  });

  it("re-reads on the loop's schedule", async () => {
    const path = join(dir, "users");
    writeFileSync(path, "a:1\n");
    const clock = new Clock();
    const service = new FileFingerService(path, { clock, interval: 5 });
    const reads: number[] = [];
    const reload = service.reload.bind(service);
    let last: Deferred<void> | undefined;
    service.reload = (): Deferred<void> => {
      reads.push(clock.seconds());
      last = reload();
      return last;
    };
    service.startService();
    // The first read is synchronous, in startService: the users are there at once.
    await expect(service.getUser("a")).resolves.toBe("1");
    expect(reads).toEqual([]);
    clock.advance(5);
    await last; // the loop waits for each read before it schedules the next
    clock.advance(5);
    await last;
    expect(reads).toEqual([5, 10]);
    service.stopService();
  });

  it("keeps the old users when the file goes away", async () => {
    const path = join(dir, "users");
    writeFileSync(path, "a:1\n");
    const service = new FileFingerService(path, { clock: new Clock() });
    await service.reload();
    rmSync(path);
    await service.reload();
    expect(await service.getUser("a")).toBe("1");
  });

  it("reads at most maxFileSize bytes", async () => {
    const path = join(dir, "users");
    writeFileSync(path, `a:1\n${"b".repeat(100)}:2\n`);
    const service = new FileFingerService(path, { clock: new Clock(), maxFileSize: 10 });
    await service.reload();
    expect(await service.getUsers()).toEqual(["a"]);
  });

  it("refuses an interval that is not positive", () => {
    expect(() => new FileFingerService("x", { interval: 0 })).toThrow(RangeError);
  });

  it("is also FingerService, the tutorial's name", () => {
    expect(new FingerService("x", { clock: new Clock() })).toBeInstanceOf(FileFingerService);
  });
});

describe("LocalUsersFingerService", () => {
  const uid = process.getuid?.() ?? 0;

  function setup(): LocalUsersFingerService {
    const home = join(dir, "home");
    mkdirSync(join(home, "joe"), { recursive: true });
    mkdirSync(join(home, "ann"), { recursive: true });
    mkdirSync(join(home, "bob"), { recursive: true });
    writeFileSync(join(home, "joe", ".plan"), "Eat lunch.\nSleep.\n");
    writeFileSync(join(home, "joe", ".project"), "Finger in TypeScript\nsecond line\n");
    writeFileSync(join(dir, "secret"), "top secret\n");
    symlinkSync(join(dir, "secret"), join(home, "bob", ".plan"));
    const passwd = join(dir, "passwd");
    writeFileSync(
      passwd,
      [
        "root:x:0:0:root:/root:/bin/bash",
        `joe:x:${uid}:1000:Joe Tester,,,:/home/joe:/bin/bash`,
        "ann:x:1001:1001::/home/ann:/bin/sh",
        `bob:x:${uid}:1002:Bob:/home/bob:/bin/sh`,
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
        "broken line",
      ].join("\n"),
    );
    return new LocalUsersFingerService({ passwd, home, minUid: 1000 });
  }

  it("describes a user from passwd, .project and .plan", async () => {
    expect(await setup().getUser("joe")).toBe(
      "Name: Joe Tester\nDirectory: /home/joe    Shell: /bin/bash\n" +
        "Project: Finger in TypeScript\nPlan:\nEat lunch.\nSleep.",
    );
  });

  it("says No Plan. without a .plan, and No such user for a stranger", async () => {
    const service = setup();
    expect(await service.getUser("ann")).toBe("Directory: /home/ann    Shell: /bin/sh\nNo Plan.");
    expect(await service.getUser("stranger")).toBe("No such user");
  });

  it("does not follow a .plan that is a symbolic link", async () => {
    expect(await setup().getUser("bob")).toContain("No Plan.");
  });

  it("ignores a .plan that is not the user's own", async () => {
    const service = setup();
    // ann's uid (1001) does not own the file the test (uid ${uid}) writes.
    writeFileSync(join(dir, "home", "ann", ".plan"), "planted\n");
    expect(await service.getUser("ann")).toContain(uid === 1001 ? "planted" : "No Plan.");
  });

  it("cuts a long .plan at maxPlanSize", async () => {
    const home = join(dir, "home");
    setup();
    writeFileSync(join(home, "joe", ".plan"), "x".repeat(100));
    const service = new LocalUsersFingerService({
      passwd: join(dir, "passwd"),
      home,
      maxPlanSize: 10,
    });
    expect(await service.getUser("joe")).toContain(`Plan:\n${"x".repeat(10)}\n[truncated]`);
  });

  it("lists users with uid >= minUid, but not nobody", async () => {
    const listed = await setup().getUsers();
    expect(listed).toContain("ann");
    expect(listed).not.toContain("root");
    expect(listed).not.toContain("nobody");
  });

  it("answers no users from a missing passwd file", async () => {
    const service = new LocalUsersFingerService({ passwd: join(dir, "none") });
    expect(await service.getUsers()).toEqual([]);
    expect(await service.getUser("root")).toBe("No such user");
  });

  it("parses passwd lines", () => {
    expect(parsePasswd("a:x:1:2:A B,c:/h:/s\n#c:x:1:2:::\nbad:x:y:2:::\n")).toEqual([
      { name: "a", uid: 1, gid: 2, gecos: "A B,c", home: "/h", shell: "/s" },
    ]);
  });
});

describe("ProcessFingerService", () => {
  it("runs the command with the user and answers its output", async () => {
    const calls: [string, readonly string[]][] = [];
    const service = new ProcessFingerService("finger", {
      args: ["-s"],
      runner: (executable, args) => {
        calls.push([executable, args]);
        return succeed(Buffer.from("Login: joe\n"));
      },
    });
    expect(await service.getUser("joe")).toBe("Login: joe\n");
    expect(calls).toEqual([["finger", ["-s", "joe"]]]);
    expect(await service.getUsers()).toEqual([]);
  });

  it("never passes an option, a host or spaces to the command", async () => {
    const calls: string[] = [];
    const service = new ProcessFingerService("finger", {
      runner: (_e, args) => {
        calls.push(...args);
        return succeed(Buffer.alloc(0));
      },
    });
    for (const user of ["-l", "joe@evil.example", "a b", "", "a/b", "x".repeat(65)]) {
      expect(await service.getUser(user)).toBe("No such user");
    }
    expect(calls).toEqual([]);
  });

  it("cuts long output at maxSize", async () => {
    const service = new ProcessFingerService("finger", {
      maxSize: 100,
      runner: () => succeed(Buffer.from("line\n".repeat(100))),
    });
    const answer = await service.getUser("joe");
    expect(Buffer.byteLength(answer)).toBeLessThanOrEqual(100);
    expect(answer).toContain("[answer truncated]");
  });

  it("fails when the command fails", async () => {
    const service = new ProcessFingerService("finger", {
      runner: () => fail(new Error("ENOENT")),
    });
    await expect(service.getUser("joe").asPromise()).rejects.toThrow("ENOENT");
  });

  it("needs a reactor or a runner", () => {
    expect(() => new ProcessFingerService()).toThrow(/reactor or a runner/);
  });
});
