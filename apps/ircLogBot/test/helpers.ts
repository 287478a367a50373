/**
 * Helpers for the bot's loopback and interop tests: a raw IRC user on a plain `node:net`
 * socket, a TCP forwarder that waits for its upstream, the bot run as a program, and a way to
 * wait for lines of its log file.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { RawIRCUser, until } from "@twisted-ts/testing-helpers/loopback";

export { RawIRCUser, until };

/** The app's directory. */
export const APP = fileURLToPath(new URL("..", import.meta.url));
/** The `ircLogBot` command. */
export const BIN = fileURLToPath(new URL("../bin/ircLogBot.mjs", import.meta.url));

/** A log line's `[HH:MM:SS]` prefix, as a regex source. */
export const TIME = "\\[\\d\\d:\\d\\d:\\d\\d\\]";
/** Python's `time.asctime()` (`Tue Nov  3 09:05:01 2026`), as a regex source. */
export const ASCTIME =
  "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}";
/** A whole log line: the time prefix, then `body` (a regex source). */
export const stamped = (body: string): RegExp => new RegExp(`^${TIME} ${body}$`);
/** A whole log line: the time prefix, then exactly `text`. */
export const said = (text: string): RegExp => stamped(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

/** The lines of a log file, or none while it does not exist. */
export function logLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").slice(0, -1);
}

/** Wait until the log file has `count` lines matching `pattern`; returns all its lines. */
export async function waitForLog(
  path: string,
  pattern: RegExp,
  count = 1,
  timeoutMs = 15_000,
): Promise<string[]> {
  await until(
    () => logLines(path).filter((line) => pattern.test(line)).length >= count,
    timeoutMs,
    () => `${count} log line(s) matching ${pattern} in:\n${logLines(path).join("\n")}`,
  );
  return logLines(path);
}

/**
 * A TCP forwarder from a port of its own to 127.0.0.1:`upstream`. Each connection it accepts
 * waits (reading nothing) until the upstream accepts, retrying every 50 ms, so a client that
 * reconnects while the server restarts lands on the restarted server instead of being refused.
 * When either side closes, the other is closed too.
 */
export async function startForwarder(upstream: number): Promise<{
  port: number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((down) => {
    sockets.add(down);
    down.pause();
    let closed = false;
    down.once("close", () => {
      closed = true;
      sockets.delete(down);
    });
    down.on("error", () => {});
    const attempt = () => {
      if (closed) return;
      const up = netConnect(upstream, "127.0.0.1");
      up.once("error", () => {
        up.destroy();
        setTimeout(attempt, 50);
      });
      up.once("connect", () => {
        sockets.add(up);
        up.removeAllListeners("error");
        up.on("error", () => {});
        up.once("close", () => {
          sockets.delete(up);
          down.destroy();
        });
        down.once("close", () => up.destroy());
        up.pipe(down);
        down.pipe(up);
        down.resume();
      });
    };
    attempt();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The bot, run as a program. */
export interface BotProcess {
  /** The child (`node bin/ircLogBot.mjs …`). */
  child: ChildProcess;
  /** What it printed on stdout and stderr so far. */
  output(): string;
  /** Resolves with its exit code (or signal) once it exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM it (if it still runs) and wait for it to exit. */
  stop(): Promise<void>;
}

/** Start `ircLogBot <args>` as a child process. */
export function startBot(args: readonly string[]): BotProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: APP,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    text += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    text += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => text,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
