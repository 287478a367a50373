import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { parsePasswd, resolveIdentity, switchIdentity } from "../src/privileges.js";
import { MAX_RESTART_DELAY, RESTART_THRESHOLD, restartDelay } from "../src/workers.js";

const PASSWD = `root:x:0:0:root:/root:/bin/bash
# a comment:x:1:1
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
broken line
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
web:x:1000:33::/srv:/bin/sh
`;
const passwd = () => parsePasswd(PASSWD);

describe("parsePasswd", () => {
  it("reads name, uid and gid, skipping comments and malformed lines", () => {
    expect(parsePasswd(PASSWD)).toEqual([
      { name: "root", uid: 0, gid: 0 },
      { name: "daemon", uid: 1, gid: 1 },
      { name: "nobody", uid: 65534, gid: 65534 },
      { name: "web", uid: 1000, gid: 33 },
    ]);
  });
});

describe("resolveIdentity", () => {
  it("defaults the group to the user's primary group, by name or by id", () => {
    expect(resolveIdentity("web", undefined, passwd)).toEqual({
      uid: 1000,
      gid: 33,
      userName: "web",
    });
    expect(resolveIdentity("65534", undefined, passwd)).toEqual({
      uid: 65534,
      gid: 65534,
      userName: "nobody",
    });
  });

  it("takes --gid over the user's group, as a number or a name", () => {
    expect(resolveIdentity("web", "0", passwd)).toMatchObject({ uid: 1000, gid: 0 });
    expect(resolveIdentity("web", "staff", passwd)).toMatchObject({ uid: 1000, gid: "staff" });
  });

  it("passes an unknown user on when a group is given, and refuses it otherwise", () => {
    expect(resolveIdentity("4321", "4321", passwd)).toEqual({
      uid: 4321,
      gid: 4321,
      userName: undefined,
    });
    expect(() => resolveIdentity("ghost", undefined, passwd)).toThrow(UsageError);
  });

  it("changes nothing without --uid and --gid", () => {
    expect(resolveIdentity(undefined, undefined, passwd)).toEqual({
      uid: undefined,
      gid: undefined,
      userName: undefined,
    });
    expect(() =>
      switchIdentity({ uid: undefined, gid: undefined, userName: undefined }),
    ).not.toThrow();
  });
});

describe("restartDelay", () => {
  it("restarts a worker that lived long enough at once", () => {
    expect(restartDelay(RESTART_THRESHOLD, 8)).toBe(0);
    expect(restartDelay(3600, 0)).toBe(0);
  });

  it("waits 1 second, then twice as long each time a worker keeps dying young, up to a minute", () => {
    let delay = 0;
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      delay = restartDelay(0.1, delay);
      delays.push(delay);
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(Math.max(...delays)).toBe(MAX_RESTART_DELAY);
  });
});
