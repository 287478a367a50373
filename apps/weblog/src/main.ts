/**
 * The weblog server as a program:
 *
 *   weblog <logfile> [--port 8020] [--interface 127.0.0.1]
 *
 * (from the repository: `pnpm --filter weblog server <logfile> [--port 8020]`). It follows the
 * access log from its current end and streams each new hit to every client as `<hit/>` lines
 * inside `<hits>`. SIGTERM or SIGINT ends every stream with `</hits>` and exits.
 * @packageDocumentation
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  globalLogBeginner,
  quoteStringArgument,
  reactor,
  textFileLogObserver,
} from "@twisted-ts/core";
import { makeService } from "./weblog.js";

const usage = `usage: weblog <logfile> [--port 8020] [--interface 127.0.0.1]

Follows <logfile> (an access log in the Common or Combined Log Format) from its
current end, and streams each new hit to every client connected to the port.

  --port N          the TCP port (default 8020; 0 picks a free one)
  --interface ADDR  the address to listen on (default 127.0.0.1)
  --poll SECONDS    seconds between reads of the log (default 1)
  --send SECONDS    seconds between sends to each client (default 5)
`;

function fail(message: string): never {
  process.stderr.write(`weblog: ${message}\n\n${usage}`);
  process.exit(2);
}

function seconds(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0)) fail(`--${name} must be a number of seconds above 0, got ${value}`);
  return n;
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        port: { type: "string", default: "8020" },
        interface: { type: "string", default: "127.0.0.1" },
        poll: { type: "string" },
        send: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

const { values, positionals } = parse();
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const [logfile, ...extra] = positionals;
if (logfile === undefined || extra.length > 0) fail("give exactly one log file");
if (!existsSync(logfile)) fail(`${logfile}: no such file`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad port: ${values.port}`);

globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stderr)], {
  redirectStandardIO: false,
});

const service = makeService({
  logfile,
  listen: `tcp:${port}:interface=${quoteStringArgument(values.interface)}`,
  reactor,
  pollInterval: seconds(values.poll, "poll", 1),
  sendInterval: seconds(values.send, "send", 5),
});
service.privilegedStartService();
service.startService();
reactor.addSystemEventTrigger("before", "shutdown", () => service.stopService());

// Say so once running and following the log: from then on every new line is seen, and
// SIGTERM and SIGINT stop the server cleanly.
reactor.callWhenRunning(async () => {
  await service.factory.whenStarted();
  const host = service.listener.listeningPort?.getHost();
  console.log(`weblog following ${logfile}, listening on ${String(host)}`);
});

await reactor.run();
