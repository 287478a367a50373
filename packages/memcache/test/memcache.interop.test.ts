/**
 * MemCacheProtocol against Debian's real memcached, started by the test in the foreground on
 * 127.0.0.1 and a free port. A missing memcached is installed; when it cannot be, the test
 * fails (under CI=true as anywhere): it never skips.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, connect as netConnect } from "node:net";
import { ConnectionLost, type ITCPTransport, TimeoutError } from "@twisted-ts/core";
import { ensureDebianPackages } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientError, NoSuchCommand, ServerError } from "../src/errors.js";
import { MAX_KEY_LENGTH } from "../src/parser.js";
import { connectMemCache, type MemCacheProtocol } from "../src/protocol.js";

let memcached: ChildProcess | undefined;
let port = 0;
let output = "";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function accepts(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(p, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Start memcached on a free port and wait until it accepts connections. */
async function startMemcached(): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    output = "";
    const child = spawn(
      "memcached",
      ["-l", "127.0.0.1", "-p", String(port), "-U", "0", "-u", "nobody"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    child.once("error", (error) => {
      output += String(error);
      exited = true;
    });
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline && !(await accepts(port))) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 50));
    if (!exited && child.exitCode === null) {
      memcached = child;
      return;
    }
    child.kill("SIGKILL");
  }
  throw new Error(`memcached did not start; output:\n${output}`);
}

async function stopMemcached(): Promise<void> {
  const child = memcached;
  memcached = undefined;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGCONT");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** Wait until the process is stopped (state T in /proc), as SIGSTOP lands asynchronously. */
async function stopped(pid: number | undefined): Promise<void> {
  if (pid === undefined) throw new Error("memcached is not running");
  const deadline = Date.now() + 5000;
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (/\) T /.test(stat)) return;
    if (Date.now() > deadline) throw new Error(`memcached did not stop: ${stat}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function client(timeOut = 10): Promise<MemCacheProtocol> {
  const reactor = testReactor();
  const mc = await connectMemCache(reactor, "127.0.0.1", port, { timeOut });
  onCleanup(() => mc.transport?.loseConnection());
  return mc;
}

describe("MemCacheProtocol against memcached", () => {
  beforeAll(async () => {
    ensureDebianPackages(["memcached"]);
    await startMemcached();
  });

  afterAll(async () => {
    await stopMemcached();
  });

  it("stores and gets values with flags, expiry and cas", async () => {
    const mc = await client();
    expect(await mc.flushAll()).toBe(true);
    expect(await mc.set("greeting", "hello", 42, 100)).toBe(true);
    expect(await mc.get("greeting")).toEqual([42, Buffer.from("hello")]);
    const [flags, cas, value] = await mc.get("greeting", true);
    expect(flags).toBe(42);
    expect(cas).toMatch(/^\d+$/);
    expect(value).toEqual(Buffer.from("hello"));
    expect(await mc.checkAndSet("greeting", "bonjour", cas, 7)).toBe(true);
    expect(await mc.checkAndSet("greeting", "hallo", cas)).toBe(false);
    expect(await mc.checkAndSet("nobody", "x", cas)).toBe(false);
    expect(await mc.get("greeting")).toEqual([7, Buffer.from("bonjour")]);
    expect(await mc.get("missing")).toEqual([0, null]);
    expect(await mc.get("missing", true)).toEqual([0, "", null]);
  });

  it("adds, replaces, appends, prepends and deletes", async () => {
    const mc = await client();
    await mc.delete("k");
    expect(await mc.replace("k", "a")).toBe(false);
    expect(await mc.append("k", "a")).toBe(false);
    expect(await mc.add("k", "b", 3)).toBe(true);
    expect(await mc.add("k", "c")).toBe(false);
    expect(await mc.append("k", "c")).toBe(true);
    expect(await mc.prepend("k", "a")).toBe(true);
    expect(await mc.get("k")).toEqual([3, Buffer.from("abc")]);
    expect(await mc.replace("k", "z", 1)).toBe(true);
    expect(await mc.get("k")).toEqual([1, Buffer.from("z")]);
    expect(await mc.delete("k")).toBe(true);
    expect(await mc.delete("k")).toBe(false);
  });

  it("gets several keys at once, with and without cas", async () => {
    const mc = await client();
    await Promise.all([mc.set("m1", "one"), mc.set("m2", Buffer.from([0, 13, 10, 255]), 5)]);
    await mc.delete("m3");
    expect(await mc.getMultiple(["m1", "m2", "m3"])).toEqual(
      new Map([
        ["m1", [0, Buffer.from("one")]],
        ["m2", [5, Buffer.from([0, 13, 10, 255])]],
        ["m3", [0, null]],
      ]),
    );
    const withCas = await mc.getMultiple(["m1", "m3"], true);
    expect(withCas.get("m1")?.[1]).toMatch(/^\d+$/);
    expect(withCas.get("m3")).toEqual([0, "", null]);
  });

  it("increments and decrements, and reports a missing or non-numeric value", async () => {
    const mc = await client();
    await mc.set("n", "10");
    expect(await mc.increment("n")).toBe(11);
    expect(await mc.increment("n", 89)).toBe(100);
    expect(await mc.decrement("n", 95)).toBe(5);
    expect(await mc.decrement("n", 10)).toBe(0);
    await mc.delete("gone");
    expect(await mc.increment("gone")).toBe(false);
    await mc.set("word", "abc");
    await expect(mc.increment("word").asPromise()).rejects.toBeInstanceOf(ClientError);
  });

  it("pipelines many commands and matches every reply", async () => {
    const mc = await client();
    const sets = Array.from({ length: 200 }, (_, i) => mc.set(`p${i}`, `value ${i}`, i));
    const gets = Array.from({ length: 200 }, (_, i) => mc.get(`p${i}`));
    expect(await Promise.all(sets.map((d) => d.asPromise()))).toEqual(sets.map(() => true));
    const values = await Promise.all(gets.map((d) => d.asPromise()));
    values.forEach(([flags, value], i) => {
      expect([flags, value?.toString()]).toEqual([i, `value ${i}`]);
    });
  });

  it("handles a value near the item size limit, and a ServerError above it", async () => {
    const mc = await client();
    const large = Buffer.alloc(1000 * 1000, 7);
    expect(await mc.set("large", large)).toBe(true);
    const [flags, value] = await mc.get("large");
    expect(flags).toBe(0);
    // Buffer.equals: a deep equality on a megabyte takes seconds.
    expect(value?.equals(large)).toBe(true);
    const error = await mc
      .set("huge", Buffer.alloc(1024 * 1024))
      .asPromise()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).reply).toMatch(/too large/);
    expect(await mc.version()).toMatch(/^\d+\.\d+/);
  });

  it("reads stats, stats with an argument, the version, and NoSuchCommand for a bad argument", async () => {
    const mc = await client();
    const stats = await mc.stats();
    expect(stats.get("pid")).toBe(String(memcached?.pid));
    const settings = await mc.stats("settings");
    expect(settings.get("tcpport")).toBe(String(port));
    expect(settings.get("item_size_max")).toBe("1048576");
    await expect(mc.stats("nonsense").asPromise()).rejects.toBeInstanceOf(NoSuchCommand);
    expect(await mc.version()).toBe(stats.get("version"));
  });

  it("refuses a key that is too long before memcached sees it", async () => {
    const mc = await client();
    const key = "k".repeat(MAX_KEY_LENGTH);
    expect(await mc.set(key, "ok")).toBe(true);
    expect(await mc.get(key)).toEqual([0, Buffer.from("ok")]);
    await expect(mc.get(`${key}k`).asPromise()).rejects.toThrow("Key too long");
  });

  it("times out when memcached stops answering, then fails on a lost connection", async () => {
    const mc = await client(0.3);
    expect(await mc.version()).toMatch(/^\d/);
    memcached?.kill("SIGSTOP");
    await stopped(memcached?.pid);
    try {
      await expect(mc.get("anything").asPromise()).rejects.toBeInstanceOf(TimeoutError);
    } finally {
      memcached?.kill("SIGCONT");
    }
    const fresh = await client();
    expect(await fresh.version()).toMatch(/^\d/);
    const pending = fresh.get("x").asPromise();
    (fresh.transport as ITCPTransport | undefined)?.abortConnection();
    await expect(pending).rejects.toBeInstanceOf(ConnectionLost);
  });
});
