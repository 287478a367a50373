import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ProcessDone, ProcessExitedAlready, ProcessTerminated } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import type { IProcessTransport } from "../../src/interfaces/process.js";
import { globalLogPublisher } from "../../src/logger/index.js";
import type { LogEvent } from "../../src/logger/observer.js";
import { ProcessProtocol } from "../../src/protocol/processProtocol.js";
import {
  getProcessOutput,
  getProcessOutputAndValue,
  getProcessValue,
  UnexpectedErrorOutput,
} from "../../src/utils.js";
import { onCleanup, runningReactor, testReactor } from "./helpers.js";

const setup = testReactor;

/** Records everything a process protocol hears, in order. */
class Recorder extends ProcessProtocol {
  readonly events: string[] = [];
  readonly out: Buffer[] = [];
  readonly err: Buffer[] = [];
  readonly extra = new Map<number, Buffer[]>();
  exited: Failure | undefined;
  readonly ended: Promise<Failure>;
  private end!: (reason: Failure) => void;

  constructor() {
    super();
    this.ended = new Promise((resolve) => {
      this.end = resolve;
    });
  }
  override connectionMade(): void {
    this.events.push("connectionMade");
  }
  override childDataReceived(fd: number, data: Buffer): void {
    if (fd > 2) this.extra.set(fd, [...(this.extra.get(fd) ?? []), data]);
    super.childDataReceived(fd, data);
  }
  override outReceived(data: Buffer): void {
    this.out.push(data);
  }
  override errReceived(data: Buffer): void {
    this.err.push(data);
  }
  override childConnectionLost(fd: number): void {
    this.events.push(`lost ${fd}`);
  }
  override processExited(reason: Failure): void {
    this.events.push("processExited");
    this.exited = reason;
  }
  override processEnded(reason: Failure): void {
    this.events.push("processEnded");
    this.end(reason);
  }
  get stdout(): string {
    return Buffer.concat(this.out).toString("utf8");
  }
  get stderr(): string {
    return Buffer.concat(this.err).toString("utf8");
  }
}

describe("spawnProcess", () => {
  it("runs /bin/echo: output, then every pipe closed and the exit, then processEnded with ProcessDone", async () => {
    const reactor = setup();
    const p = new Recorder();
    const transport = reactor.spawnProcess(p, "/bin/echo", ["echo", "hello", "world"]);
    expect(p.transport).toBe(transport);
    expect(p.connected).toBe(true);
    expect(typeof transport.pid).toBe("number");
    const reason = await p.ended;
    expect(p.stdout).toBe("hello world\n");
    expect(reason.value).toBeInstanceOf(ProcessDone);
    expect(p.exited?.value).toBeInstanceOf(ProcessDone);
    expect(p.events[0]).toBe("connectionMade");
    expect(p.events.at(-1)).toBe("processEnded");
    expect([...p.events].sort()).toEqual(
      ["connectionMade", "lost 0", "lost 1", "lost 2", "processEnded", "processExited"].sort(),
    );
    expect(transport.pid).toBeNull();
  });

  it("round-trips data through /bin/cat: write, writeSequence, closeStdin", async () => {
    const reactor = setup();
    const p = new Recorder();
    const transport = reactor.spawnProcess(p, "/bin/cat", ["cat"]);
    transport.write("abc");
    transport.writeSequence([Buffer.from("def"), "ghi"]);
    transport.writeToChild(0, "\n");
    transport.closeStdin();
    const reason = await p.ended;
    expect(p.stdout).toBe("abcdefghi\n");
    expect(reason.value).toBeInstanceOf(ProcessDone);
    expect(() => transport.write(42 as unknown as string)).toThrow(TypeError);
  });

  it("feeds stdin from a pull producer, one chunk each time the pipe drains", async () => {
    const reactor = setup();
    const p = new Recorder();
    const transport = reactor.spawnProcess(p, "/bin/cat", ["cat"]);
    const chunks = ["one ", "two ", "three"];
    transport.registerProducer(
      {
        resumeProducing: () => {
          const next = chunks.shift();
          if (next !== undefined) {
            transport.write(next);
            return;
          }
          transport.unregisterProducer();
          transport.closeStdin();
        },
        stopProducing: () => {},
      },
      false,
    );
    await p.ended;
    expect(p.stdout).toBe("one two three");
  });

  it("pauses a push producer while stdin's buffer is full, and stops one registered once stdin is gone", async () => {
    const reactor = setup();
    const p = new Recorder();
    const transport = reactor.spawnProcess(p, "/bin/sh", [
      "sh",
      "-c",
      "sleep 0.1; cat > /dev/null",
    ]);
    const calls: string[] = [];
    transport.registerProducer(
      {
        pauseProducing: () => calls.push("pause"),
        resumeProducing: () => {
          calls.push("resume");
          transport.unregisterProducer();
          transport.closeStdin();
        },
        stopProducing: () => calls.push("stop"),
      },
      true,
    );
    transport.write(Buffer.alloc(1024 * 1024));
    await p.ended;
    expect(calls).toEqual(["pause", "resume"]);
    const late: string[] = [];
    transport.registerProducer(
      { pauseProducing() {}, resumeProducing() {}, stopProducing: () => late.push("stop") },
      true,
    );
    expect(late).toEqual(["stop"]);
  });

  it("reports a non-zero exit as ProcessTerminated with the exit code", async () => {
    const reactor = setup();
    const p = new Recorder();
    reactor.spawnProcess(p, "/bin/sh", ["sh", "-c", "exit 3"]);
    const reason = await p.ended;
    expect(reason.value).toBeInstanceOf(ProcessTerminated);
    expect((reason.value as ProcessTerminated).exitCode).toBe(3);
    expect((reason.value as ProcessTerminated).signal).toBeNull();
  });

  it("signals a process, reports the signal, then refuses to signal it again", async () => {
    const reactor = setup();
    const p = new Recorder();
    const transport = reactor.spawnProcess(p, "/bin/sleep", ["sleep", "10"]);
    transport.signalProcess("TERM");
    const reason = await p.ended;
    expect(reason.value).toBeInstanceOf(ProcessTerminated);
    expect((reason.value as ProcessTerminated).signal).toBe("SIGTERM");
    expect((reason.value as ProcessTerminated).exitCode).toBeNull();
    expect(() => transport.signalProcess("KILL")).toThrow(ProcessExitedAlready);
    expect(() => transport.signalProcess(9)).toThrow(ProcessExitedAlready);
  });

  it("passes an empty environment by default, the given one, or ours with env: null", async () => {
    const reactor = setup();
    const script = 'echo "[$TWISTED_TS_PROBE]"';
    vi.stubEnv("TWISTED_TS_PROBE", "inherited");
    onCleanup(() => {
      vi.unstubAllEnvs();
    });
    const empty = new Recorder();
    reactor.spawnProcess(empty, "/usr/bin/env", ["env"]);
    const given = new Recorder();
    reactor.spawnProcess(given, "/bin/sh", ["sh", "-c", script], {
      env: { TWISTED_TS_PROBE: "given" },
    });
    const inherited = new Recorder();
    reactor.spawnProcess(inherited, "/bin/sh", ["sh", "-c", script], { env: null });
    await Promise.all([empty.ended, given.ended, inherited.ended]);
    expect(empty.stdout).toBe("");
    expect(given.stdout).toBe("[given]\n");
    expect(inherited.stdout).toBe("[inherited]\n");
  });

  it("runs in the given working directory and passes args[0] as the program's name", async () => {
    const reactor = setup();
    const dir = realpathSync(tmpdir());
    const pwd = new Recorder();
    reactor.spawnProcess(pwd, "/bin/sh", ["sh", "-c", "pwd"], { path: dir });
    const name = new Recorder();
    reactor.spawnProcess(name, "/bin/sh", ["custom-name", "-c", 'echo "$0"']);
    await Promise.all([pwd.ended, name.ended]);
    expect(pwd.stdout).toBe(`${dir}\n`);
    expect(name.stdout).toBe("custom-name\n");
  });

  it("raises at once, with the system code, when the program cannot be started", () => {
    const reactor = setup();
    expect(() => reactor.spawnProcess(new Recorder(), "/nonexistent/program", ["program"])).toThrow(
      expect.objectContaining({ code: "ENOENT" }),
    );
    expect(() =>
      reactor.spawnProcess(new Recorder(), "/bin/echo", ["echo"], { path: "/nonexistent-dir" }),
    ).toThrow(/working directory/);
    const notExecutable = join(mkdtempSync(join(tmpdir(), "twisted-ts-proc-")), "data.txt");
    writeFileSync(notExecutable, "not a program", { mode: 0o644 });
    expect(() => reactor.spawnProcess(new Recorder(), notExecutable, ["data"])).toThrow(
      expect.objectContaining({ code: "EACCES" }),
    );
  });

  it("reads an extra child descriptor given in childFDs", async () => {
    const reactor = setup();
    const p = new Recorder();
    const transport = reactor.spawnProcess(
      p,
      "/bin/sh",
      ["sh", "-c", "echo three >&3; echo err >&2"],
      {
        childFDs: { 0: "w", 1: "r", 2: "r", 3: "r" },
      },
    );
    await p.ended;
    expect(Buffer.concat(p.extra.get(3) ?? []).toString()).toBe("three\n");
    expect(p.stderr).toBe("err\n");
    expect(p.events).toContain("lost 3");
    expect(() => transport.writeToChild(3, "x")).toThrow(RangeError);
  });

  it("calls processEnded only after output from a grandchild holding stdout has arrived", async () => {
    const reactor = setup();
    const p = new Recorder();
    reactor.spawnProcess(p, "/bin/sh", ["sh", "-c", "(sleep 0.2; echo late) & exit 0"]);
    await p.ended;
    expect(p.stdout).toBe("late\n");
    expect(p.events.indexOf("processExited")).toBeLessThan(p.events.indexOf("lost 1"));
  });

  it("closes every pipe on loseConnection (after flushing stdin) without signalling the process", async () => {
    const reactor = setup();
    const p = new Recorder();
    const transport = reactor.spawnProcess(p, "/bin/sh", [
      "sh",
      "-c",
      'read line; echo "$line" >&2; exit 0',
    ]);
    transport.write("go\n");
    transport.loseConnection();
    const reason = await p.ended;
    // The child read "go" (stdin was flushed before it closed), then wrote to the stderr we had
    // closed: it died of SIGPIPE, or, when its write won the race with our close, the line was
    // dropped unread and it exited 0. Either way we sent it no signal and read nothing.
    expect(p.stderr).toBe("");
    const ended = reason.value as ProcessTerminated | ProcessDone;
    expect([null, "SIGPIPE"]).toContain(ended.signal);
    // The pipes and the exit are reported in whatever order the OS delivers them; all three
    // pipes are lost, and processEnded comes last.
    expect(p.events.filter((e) => e.startsWith("lost")).sort()).toEqual([
      "lost 0",
      "lost 1",
      "lost 2",
    ]);
    expect(p.events.at(-1)).toMatch(/^processEnded/);
  });

  it("logs an error in outReceived and keeps delivering", async () => {
    const events: LogEvent[] = [];
    const observer = (e: LogEvent): void => {
      events.push(e);
    };
    globalLogPublisher.addObserver(observer);
    onCleanup(() => {
      globalLogPublisher.removeObserver(observer);
    });
    const reactor = setup();
    class Fragile extends Recorder {
      override outReceived(data: Buffer): void {
        super.outReceived(data);
        throw new Error("bad output");
      }
    }
    const p = new Fragile();
    reactor.spawnProcess(p, "/bin/sh", ["sh", "-c", "echo one; sleep 0.05; echo two"]);
    await p.ended;
    expect(p.stdout).toBe("one\ntwo\n");
    expect(events.some((e) => e.log_failure?.getErrorMessage() === "bad output")).toBe(true);
  });

  it("leaves the child running at reactor shutdown but closes the pipes to it", async () => {
    const { reactor, done } = runningReactor();
    const p = new Recorder();
    const transport: IProcessTransport = reactor.spawnProcess(p, "/bin/sleep", ["sleep", "10"]);
    const pid = transport.pid as number;
    onCleanup(() => {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    });
    await done();
    await vi.waitFor(() =>
      expect(p.events).toEqual(expect.arrayContaining(["lost 0", "lost 1", "lost 2"])),
    );
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(p.events).not.toContain("processEnded");
  });
});

describe("getProcessOutput, getProcessValue, getProcessOutputAndValue", () => {
  it("collects standard output, with the program name added to args", async () => {
    const reactor = setup();
    const out = await getProcessOutput("/bin/echo", ["hi", "there"], undefined, undefined, reactor);
    expect(out.toString()).toBe("hi there\n");
  });

  it("fails with UnexpectedErrorOutput on stderr unless errortoo", async () => {
    const reactor = setup();
    const script = ["-c", "echo out; echo oops >&2"];
    const failed = getProcessOutput("/bin/sh", script, undefined, undefined, reactor);
    const error = await failed.asPromise().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedErrorOutput);
    expect((error as UnexpectedErrorOutput).message).toBe('got stderr: "oops\\n"');
    const ended = await (error as UnexpectedErrorOutput).processEnded
      .asPromise()
      .catch((e: unknown) => e);
    expect(ended).toBeInstanceOf(ProcessDone);
    const both = await getProcessOutput(
      "/bin/sh",
      ["-c", "echo out; sleep 0.05; echo err >&2"],
      null,
      undefined,
      reactor,
      true,
    );
    expect(both.toString()).toBe("out\nerr\n");
  });

  it("gets the exit code, or null for a signal", async () => {
    const reactor = setup();
    expect(await getProcessValue("/bin/sh", ["-c", "exit 7"], undefined, undefined, reactor)).toBe(
      7,
    );
    expect(
      await getProcessValue("/bin/sh", ["-c", "kill -TERM $$"], undefined, undefined, reactor),
    ).toBeNull();
  });

  it("gets output, error and code, feeding stdinBytes; a signal fails with [out, err, signal]", async () => {
    const reactor = setup();
    const dir = realpathSync(tmpdir());
    const [out, err, code] = await getProcessOutputAndValue(
      "/bin/sh",
      ["-c", "cat; pwd; echo e >&2; exit 2"],
      undefined,
      dir,
      reactor,
      "piped\n",
    );
    expect([out.toString(), err.toString(), code]).toEqual([`piped\n${dir}\n`, "e\n", 2]);
    const killed = getProcessOutputAndValue(
      "/bin/sh",
      ["-c", "echo before; kill -KILL $$"],
      undefined,
      undefined,
      reactor,
    );
    const failure = await new Promise<Failure>((resolve) => killed.addErrback(resolve));
    expect(Failure.isFailure(failure)).toBe(true);
    const [kOut, kErr, signal] = failure.value as [Buffer, Buffer, string];
    expect([kOut.toString(), kErr.toString(), signal]).toEqual(["before\n", "", "SIGKILL"]);
  });
});
